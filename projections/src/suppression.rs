//! Small-cell suppression for published outcome figures: counts 1–4 are shown as "<5", and more cells are
//! masked wherever the published total would otherwise let a masked count be worked out.

use serde::Serialize;

/// The smallest count published as it is.
pub const THRESHOLD: u64 = 5;

/// A published count. In JSON a shown count is a number, a masked one its display ("<5" or "..").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// Shown as it is (0, or 5 and more).
    Count(u64),
    /// A count from 1 to 4, shown as "<5".
    Small,
    /// A count of 5 or more hidden so that a small one cannot be worked out, shown as "..".
    Hidden,
}

impl Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Count(count) => serializer.serialize_u64(*count),
            masked => serializer.serialize_str(&masked.display()),
        }
    }
}

impl schemars::JsonSchema for Cell {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Cell".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A count: a number when shown, \"<5\" for 1 to 4, \"..\" when hidden so that a small count cannot be worked out",
            "oneOf": [{ "type": "integer", "minimum": 0 }, { "type": "string", "enum": ["<5", ".."] }]
        })
    }
}

impl Cell {
    /// How the cell is written for people.
    pub fn display(&self) -> String {
        match self {
            Cell::Count(count) => count.to_string(),
            Cell::Small => format!("<{THRESHOLD}"),
            Cell::Hidden => "..".to_owned(),
        }
    }
}

/// One breakdown as published: its cells and its total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Published {
    /// The cells, in the order given.
    pub cells: Vec<Cell>,
    /// The total over all cells.
    pub total: Cell,
}

/// How many values from 1 to 4 one small cell could take, for a reader who knows the published cells, the
/// total, that each of the `small` masked cells lies in 1..=4 and each of the `hidden` ones is 5 or more:
/// the masked cells sum to `masked_sum`.
fn possible_values(masked_sum: u64, small: u64, hidden: u64) -> usize {
    let others_at_least = (small - 1) + THRESHOLD * hidden;
    (1..THRESHOLD)
        .filter(|value| {
            let rest = masked_sum.checked_sub(*value);
            rest.is_some_and(|rest| rest >= others_at_least && (hidden > 0 || rest <= (small - 1) * (THRESHOLD - 1)))
        })
        .count()
}

/// Masks a breakdown whose total is published.
///
/// Primary: every count from 1 to 4 is shown as "<5". Secondary: the total minus the shown cells is the sum of
/// the masked ones; while that sum would pin a small cell down to one value, the smallest shown non-zero cell
/// is hidden too; when none is left to hide, the total is masked as well.
pub fn suppress(counts: &[u64]) -> Published {
    let mut cells: Vec<Cell> = counts
        .iter()
        .map(|&count| if (1..THRESHOLD).contains(&count) { Cell::Small } else { Cell::Count(count) })
        .collect();
    let total: u64 = counts.iter().sum();
    loop {
        let small = cells.iter().filter(|cell| **cell == Cell::Small).count() as u64;
        if small == 0 {
            break;
        }
        let hidden = cells.iter().filter(|cell| **cell == Cell::Hidden).count() as u64;
        let shown: u64 =
            cells.iter().filter_map(|cell| if let Cell::Count(count) = cell { Some(*count) } else { None }).sum();
        if possible_values(total - shown, small, hidden) >= 2 {
            break;
        }
        let next = cells
            .iter()
            .enumerate()
            .filter_map(|(index, cell)| match cell {
                Cell::Count(count) if *count > 0 => Some((*count, index)),
                _ => None,
            })
            .min();
        match next {
            Some((_, index)) => cells[index] = Cell::Hidden,
            None => return Published { cells, total: masked_total(total) },
        }
    }
    let total = if (1..THRESHOLD).contains(&total) { Cell::Small } else { Cell::Count(total) };
    Published { cells, total }
}

/// A total that cannot be shown: "<5" when it is small, hidden otherwise.
fn masked_total(total: u64) -> Cell {
    if (1..THRESHOLD).contains(&total) {
        Cell::Small
    } else {
        Cell::Hidden
    }
}

/// A share (e.g. preliminary assessments within 14 days) is published only when its denominator is; otherwise
/// it would give a masked count away.
pub fn share(numerator: u64, denominator: u64) -> Option<f64> {
    (denominator >= THRESHOLD).then(|| numerator as f64 / denominator as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// For each masked cell, the values it could take for a reader who knows everything published and the
    /// rules ("<5" is 1–4, ".." is 5 or more): brute force over every assignment.
    fn possible(published: &Published) -> Vec<std::collections::BTreeSet<u64>> {
        let masked: Vec<(usize, Cell)> =
            published.cells.iter().copied().enumerate().filter(|(_, cell)| !matches!(cell, Cell::Count(_))).collect();
        let shown: u64 =
            published.cells.iter().filter_map(|cell| if let Cell::Count(c) = cell { Some(*c) } else { None }).sum();
        let range = |cell: Cell| if cell == Cell::Small { 1..=4 } else { 5..=60 };
        let mut seen = vec![std::collections::BTreeSet::new(); masked.len()];
        let mut current: Vec<u64> = masked.iter().map(|(_, cell)| *range(*cell).start()).collect();
        loop {
            let fits = match published.total {
                Cell::Count(total) => current.iter().sum::<u64>() + shown == total,
                Cell::Small => (1..=4).contains(&(current.iter().sum::<u64>() + shown)),
                Cell::Hidden => current.iter().sum::<u64>() + shown >= 5,
            };
            if fits {
                for (slot, value) in current.iter().enumerate() {
                    seen[slot].insert(*value);
                }
            }
            let mut position = 0;
            loop {
                if position == current.len() {
                    return seen;
                }
                if current[position] < *range(masked[position].1).end() {
                    current[position] += 1;
                    break;
                }
                current[position] = *range(masked[position].1).start();
                position += 1;
            }
        }
    }

    #[test]
    fn no_published_breakdown_reveals_a_count_under_five() {
        let tables: &[&[u64]] = &[
            &[3, 40, 57],
            &[1, 1, 50],
            &[1, 2, 30, 7],
            &[4, 4, 4],
            &[0, 2, 0, 9],
            &[2, 0, 0],
            &[1],
            &[6, 5, 7],
            &[1, 9, 9, 9],
            &[3, 3, 12, 0, 1],
            &[12, 0, 25],
            &[1, 5, 40],
            &[4, 5],
            &[2, 2, 2, 2, 30],
        ];
        for counts in tables {
            let published = suppress(counts);
            for (index, &count) in counts.iter().enumerate() {
                if (1..THRESHOLD).contains(&count) {
                    assert_eq!(published.cells[index], Cell::Small, "{counts:?}: a count under 5 is shown");
                }
            }
            let masked: Vec<usize> = published
                .cells
                .iter()
                .enumerate()
                .filter(|(_, cell)| !matches!(cell, Cell::Count(_)))
                .map(|(i, _)| i)
                .collect();
            for (slot, values) in possible(&published).iter().enumerate() {
                let index = masked[slot];
                assert!(values.contains(&counts[index]), "{counts:?}: the checker is wrong about cell {index}");
                if published.cells[index] == Cell::Small {
                    assert!(
                        values.len() > 1,
                        "{counts:?}: small cell {index} is recoverable ({values:?}) from {published:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_rules_mask_exactly_what_they_say() {
        assert_eq!(suppress(&[3, 40, 57]).cells, [Cell::Small, Cell::Hidden, Cell::Count(57)]);
        assert_eq!(
            suppress(&[6, 5, 7]),
            Published { cells: vec![Cell::Count(6), Cell::Count(5), Cell::Count(7)], total: Cell::Count(18) }
        );
        assert_eq!(
            suppress(&[2, 0, 0]),
            Published { cells: vec![Cell::Small, Cell::Count(0), Cell::Count(0)], total: Cell::Small }
        );
        assert_eq!(suppress(&[1, 1, 50]).cells, [Cell::Small, Cell::Small, Cell::Hidden]);
        assert_eq!(suppress(&[1, 5, 40]).cells, [Cell::Small, Cell::Hidden, Cell::Hidden]);
        assert_eq!((Cell::Small.display(), Cell::Hidden.display()), ("<5".to_owned(), "..".to_owned()));
    }

    #[test]
    fn a_share_needs_a_publishable_denominator() {
        assert_eq!(share(3, 4), None);
        assert_eq!(share(3, 5), Some(0.6));
    }
}
