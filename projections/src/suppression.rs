//! Small-cell suppression for published outcome figures: a count is shown only when the minimum number of
//! children (5, or more as configured) stand behind it; every other count — none included — and every count that
//! would let one of them be worked out from the published sums is masked, all alike as "..", so that a masked
//! cell tells a reader nothing of how many it holds ([`Lattice::protect`]).

use serde::Serialize;

/// The smallest count published as it is, unless a deployment raises it.
pub const THRESHOLD: u64 = 5;

/// A published count: a number when shown, ".." when masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// Shown as it is (the minimum or more).
    Count(u64),
    /// Masked: fewer than the minimum (none included), or hidden so that such a count cannot be worked out. A
    /// reader cannot tell which, nor none from many.
    Masked,
}

impl Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Count(count) => serializer.serialize_u64(*count),
            Cell::Masked => serializer.serialize_str(".."),
        }
    }
}

impl schemars::JsonSchema for Cell {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Cell".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A count of distinct children: a number when shown (the minimum, 5 by default, or more); \"..\" when masked — fewer than the minimum, none included, or hidden so that such a count cannot be worked out from the other figures",
            "oneOf": [{ "type": "integer", "minimum": 0 }, { "type": "string", "const": ".." }]
        })
    }
}

impl Cell {
    /// How the cell is written for people.
    pub fn display(&self) -> String {
        match self {
            Cell::Count(count) => count.to_string(),
            Cell::Masked => "..".to_owned(),
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

/// The cells of every table one figure publishes for one period — one-way, crossed and the total, every measure —
/// and the sums that tie them together, so that one cell is masked the same way in every answer it appears in.
///
/// A cell counts distinct children. An *equation* says that one cell is the sum of others: a group is the sum of
/// its parts under an attribute every child has exactly one value of (sex, age band, district), and a measure is
/// the sum of a narrower one and their difference (children decided = decided within 14 days + decided later).
/// A difference is a cell too, never published but as sensitive as any: it must not be worked out either.
#[derive(Debug, Clone, Default)]
pub struct Lattice {
    counts: Vec<u64>,
    published: Vec<bool>,
    equations: Vec<(usize, Vec<usize>)>,
}

/// What a reader who knows every published cell and every equation can say of one cell: its least and greatest
/// possible values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// The least value it can hold.
    pub low: u64,
    /// The greatest.
    pub high: u64,
}

/// Far more children than any cell holds: "no upper bound".
const UNBOUNDED: u64 = u64::MAX / 4;

impl Lattice {
    /// Adds a published cell holding `count` children; its index.
    pub fn cell(&mut self, count: u64) -> usize {
        self.counts.push(count);
        self.published.push(true);
        self.counts.len() - 1
    }

    /// Adds a difference: a cell never published, holding `count` children; its index.
    pub fn difference(&mut self, count: u64) -> usize {
        let index = self.cell(count);
        self.published[index] = false;
        index
    }

    /// Says that `whole` is the sum of `parts`.
    pub fn sum(&mut self, whole: usize, parts: Vec<usize>) {
        debug_assert_eq!(self.counts[whole], parts.iter().map(|part| self.counts[*part]).sum::<u64>());
        self.equations.push((whole, parts));
    }

    /// How many cells it has.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The count behind `cell`.
    pub fn count(&self, cell: usize) -> u64 {
        self.counts[cell]
    }

    /// Masks the cells so that no count from 1 to `k − 1` — published or a difference — can be worked out: primary
    /// masking of every count under `k` (none included), then, while a reader who propagates every equation's bounds (and tries every
    /// value a small cell could hold) would pin a small one down to a single value, the smallest shown count in an
    /// equation that pins it is hidden too. Deterministic: the same counts give the same masks.
    pub fn protect(&self, k: u64) -> Vec<Cell> {
        let mut cells: Vec<Cell> = (0..self.counts.len())
            .map(|cell| match self.counts[cell] {
                count if count < k => Cell::Masked,
                count => Cell::Count(count),
            })
            .collect();
        let by_cell = self.by_cell();
        loop {
            let pinned = self.pinned_with(&by_cell, &cells, k, true);
            if pinned.is_empty() {
                return cells;
            }
            let mut hidden_any = false;
            for cell in pinned {
                if let Some(term) = self.nearest_shown(&by_cell, &cells, cell) {
                    cells[term] = Cell::Masked;
                    hidden_any = true;
                }
            }
            // Nothing shown is left to hide: every count that may be masked is.
            if !hidden_any {
                return cells;
            }
        }
    }

    /// The smallest shown count in an equation of `cell`, or else of a masked cell reached from it through the
    /// equations: the one to hide so that `cell` can no longer be worked out.
    fn nearest_shown(&self, by_cell: &[Vec<usize>], cells: &[Cell], cell: usize) -> Option<usize> {
        let mut seen_cells = vec![false; self.counts.len()];
        let mut seen_equations = vec![false; self.equations.len()];
        let mut frontier = vec![cell];
        seen_cells[cell] = true;
        while !frontier.is_empty() {
            let mut shown: Option<usize> = None;
            let mut next = Vec::new();
            for current in frontier {
                for equation in &by_cell[current] {
                    if std::mem::replace(&mut seen_equations[*equation], true) {
                        continue;
                    }
                    let (whole, parts) = &self.equations[*equation];
                    for term in std::iter::once(whole).chain(parts) {
                        if std::mem::replace(&mut seen_cells[*term], true) {
                            continue;
                        }
                        match cells[*term] {
                            Cell::Count(_) if self.published[*term] => {
                                if shown.is_none_or(|best| (self.counts[*term], *term) < (self.counts[best], best)) {
                                    shown = Some(*term);
                                }
                            }
                            _ => next.push(*term),
                        }
                    }
                }
            }
            if shown.is_some() {
                return shown;
            }
            frontier = next;
        }
        None
    }

    /// Which equations each cell is in.
    fn by_cell(&self) -> Vec<Vec<usize>> {
        let mut by_cell: Vec<Vec<usize>> = vec![Vec::new(); self.counts.len()];
        for (index, (whole, parts)) in self.equations.iter().enumerate() {
            by_cell[*whole].push(index);
            for part in parts {
                by_cell[*part].push(index);
            }
        }
        by_cell
    }

    /// The small counts (published or differences) a reader of `cells` can pin down to one value; trying every
    /// value of each when `narrowed_only` is false, else only of those the equations already narrowed.
    fn pinned_with(&self, by_cell: &[Vec<usize>], cells: &[Cell], k: u64, narrowed_only: bool) -> Vec<usize> {
        let Some(bounds) = self.propagate(by_cell, cells) else { return (0..self.counts.len()).collect() };
        (0..self.counts.len())
            .filter(|&cell| (1..k).contains(&self.counts[cell]))
            .filter(|&cell| {
                let narrowed = bounds[cell].low > 0 || bounds[cell].high < UNBOUNDED;
                bounds[cell].low == bounds[cell].high
                    || ((narrowed || !narrowed_only) && self.only_value(by_cell, &bounds, k, cell))
            })
            .collect()
    }

    /// Whether, of the values `cell`'s bounds allow, only one is consistent with every equation (trying each).
    fn only_value(&self, by_cell: &[Vec<usize>], known: &[Bounds], k: u64, cell: usize) -> bool {
        let bounds = known[cell];
        let consistent = |low: u64, high: u64| self.probe(by_cell, known, cell, Bounds { low, high });
        let small = (bounds.low..=bounds.high.min(k - 1)).filter(|value| consistent(*value, *value)).count();
        // A reader who cannot rule out k or more cannot tell the count is small at all.
        let large = bounds.high >= k && consistent(bounds.low.max(k), bounds.high);
        small + usize::from(large) < 2
    }

    /// Takes in `other`'s cells and equations (to relate the tables of several answers); the index its first cell
    /// has here.
    pub fn absorb(&mut self, other: &Lattice) -> usize {
        let offset = self.counts.len();
        self.counts.extend(&other.counts);
        self.published.extend(&other.published);
        self.equations.extend(
            other
                .equations
                .iter()
                .map(|(whole, parts)| (whole + offset, parts.iter().map(|part| part + offset).collect())),
        );
        offset
    }

    /// Every small count (published or a difference) a reader of `cells` can pin down to one value, trying each
    /// value every one of them could hold: the strongest check, for tests.
    pub fn pinned(&self, cells: &[Cell], k: u64) -> Vec<usize> {
        self.pinned_with(&self.by_cell(), cells, k, false)
    }

    /// What a reader can say of every cell: start from what is published (a masked count or a difference is
    /// unknown), optionally assume `cell` holds `value`, and tighten each equation's bounds until
    /// nothing changes. `None` when the assumption contradicts what is published.
    pub fn reader_bounds(&self, cells: &[Cell]) -> Option<Vec<Bounds>> {
        self.propagate(&self.by_cell(), cells)
    }

    fn propagate(&self, by_cell: &[Vec<usize>], cells: &[Cell]) -> Option<Vec<Bounds>> {
        let mut bounds: Vec<Bounds> = cells
            .iter()
            .enumerate()
            .map(|(index, cell)| match (self.published[index], cell) {
                (false, _) => Bounds { low: 0, high: UNBOUNDED },
                (true, Cell::Count(count)) => Bounds { low: *count, high: *count },
                (true, Cell::Masked) => Bounds { low: 0, high: UNBOUNDED },
            })
            .collect();
        self.tighten(by_cell, &mut bounds, (0..self.equations.len()).collect()).then_some(bounds)
    }

    /// What a reader can say of every cell once they also assume `cell` lies within `assumed`, from what they could
    /// say before (`known`): only the equations the assumption reaches are tightened again.
    fn probe(&self, by_cell: &[Vec<usize>], known: &[Bounds], cell: usize, assumed: Bounds) -> bool {
        let mut bounds = known.to_vec();
        bounds[cell] = Bounds { low: known[cell].low.max(assumed.low), high: known[cell].high.min(assumed.high) };
        bounds[cell].low <= bounds[cell].high && self.tighten(by_cell, &mut bounds, by_cell[cell].clone())
    }

    /// Tightens every equation in `work`, and again each equation of a cell whose bounds change, until nothing
    /// changes; false when the bounds contradict each other.
    fn tighten(&self, by_cell: &[Vec<usize>], bounds: &mut [Bounds], work: Vec<usize>) -> bool {
        let mut queued = vec![false; self.equations.len()];
        for equation in &work {
            queued[*equation] = true;
        }
        let mut work: std::collections::VecDeque<usize> = work.into();
        while let Some(equation) = work.pop_front() {
            queued[equation] = false;
            let (whole, parts) = &self.equations[equation];
            let mut changed: Vec<usize> = Vec::new();
            {
                let low_sum: u64 = parts.iter().map(|part| bounds[*part].low).sum();
                let unbounded = parts.iter().filter(|part| bounds[**part].high >= UNBOUNDED).count();
                let finite_high: u64 =
                    parts.iter().map(|part| bounds[*part].high).filter(|high| *high < UNBOUNDED).sum();
                let high_sum = if unbounded > 0 { UNBOUNDED } else { finite_high };
                let tightened =
                    Bounds { low: bounds[*whole].low.max(low_sum), high: bounds[*whole].high.min(high_sum) };
                if tightened.low > tightened.high {
                    return false;
                }
                if tightened != bounds[*whole] {
                    bounds[*whole] = tightened;
                    changed.push(*whole);
                }
                for part in parts {
                    let own = bounds[*part];
                    let others_low = low_sum - own.low;
                    let others_unbounded = unbounded - usize::from(own.high >= UNBOUNDED);
                    let others_high = if others_unbounded > 0 {
                        UNBOUNDED
                    } else {
                        finite_high - if own.high < UNBOUNDED { own.high } else { 0 }
                    };
                    let tightened = Bounds {
                        low: bounds[*part].low.max(bounds[*whole].low.saturating_sub(others_high)),
                        high: bounds[*part].high.min(bounds[*whole].high.saturating_sub(others_low)),
                    };
                    if tightened.low > tightened.high {
                        return false;
                    }
                    if tightened != bounds[*part] {
                        bounds[*part] = tightened;
                        changed.push(*part);
                    }
                }
            }
            for cell in changed {
                for other in &by_cell[cell] {
                    if !queued[*other] {
                        queued[*other] = true;
                        work.push_back(*other);
                    }
                }
            }
        }
        true
    }
}
