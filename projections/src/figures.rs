//! The outcome figures, worked out from facts so that they protect children, not cells: every cell counts
//! distinct children; every table of a period — the total, each breakdown, each crossed pair, every measure — is
//! one [`Lattice`] masked as a whole, so a cell is masked alike in every answer; a year's cell is masked wherever
//! one of its quarters' is; and medians and percentiles are means of several children's values, never one's.
//! Pure: the facts come in, the answer goes out (`outcomes::facts` reads them from the view).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use time::{Date, Month};

use crate::suppression::{Cell, Lattice, Published};

/// The fewest children a published figure may stand on; a deployment may raise it, never lower it.
pub const MIN_CHILDREN: u64 = 5;

/// A period the figures are asked for: a calendar quarter or a calendar year. Months are not offered: a small
/// count in any month would have to mask its quarter and year as well (else the month could be worked out from
/// them), which would mask most of what a district reports yearly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    /// A calendar year.
    Year(i32),
    /// A calendar quarter, 1 to 4.
    Quarter(i32, u8),
}

impl Period {
    /// `2026` or `2026-Q1` … `2026-Q4`.
    pub fn parse(text: &str) -> Option<Self> {
        let year = |digits: &str| digits.parse::<i32>().ok().filter(|year| (1900..=9999).contains(year));
        match text.split_once("-Q") {
            None => year(text).map(Period::Year),
            Some((digits, quarter)) => {
                let quarter = quarter.parse::<u8>().ok().filter(|quarter| (1..=4).contains(quarter))?;
                year(digits).map(|year| Period::Quarter(year, quarter))
            }
        }
    }

    /// The period that runs exactly from `from` to `to`, if one does.
    pub fn spanning(from: Date, to: Date) -> Option<Self> {
        let year = from.year();
        let candidates = [Period::Year(year)].into_iter().chain((1..=4).map(|quarter| Period::Quarter(year, quarter)));
        candidates.into_iter().find(|period| period.first_day() == from && period.last_day() == to)
    }

    /// Its calendar year.
    pub fn year(self) -> i32 {
        match self {
            Period::Year(year) | Period::Quarter(year, _) => year,
        }
    }

    /// Its first day.
    pub fn first_day(self) -> Date {
        let (year, month) = match self {
            Period::Year(year) => (year, Month::January),
            Period::Quarter(year, quarter) => (year, Month::try_from(quarter * 3 - 2).unwrap_or(Month::January)),
        };
        Date::from_calendar_date(year, month, 1).unwrap_or(Date::MIN)
    }

    /// Its last day.
    pub fn last_day(self) -> Date {
        let (year, month) = match self {
            Period::Year(year) => (year, Month::December),
            Period::Quarter(year, quarter) => (year, Month::try_from(quarter * 3).unwrap_or(Month::December)),
        };
        Date::from_calendar_date(year, month, month.length(year)).unwrap_or(Date::MAX)
    }

    /// Whether `day` lies in it.
    pub fn contains(self, day: Date) -> bool {
        (self.first_day()..=self.last_day()).contains(&day)
    }

    /// The quarters it is made of (a quarter: itself).
    pub fn quarters(self) -> Vec<Period> {
        match self {
            Period::Year(year) => (1..=4).map(|quarter| Period::Quarter(year, quarter)).collect(),
            quarter => vec![quarter],
        }
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Period::Year(year) => write!(f, "{year}"),
            Period::Quarter(year, quarter) => write!(f, "{year}-Q{quarter}"),
        }
    }
}

/// What the outcome figures are broken down by: one attribute, or two crossed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Breakdown {
    /// Sex as registered.
    Sex,
    /// Age at receipt, in bands.
    AgeBand,
    /// Home district.
    District,
    /// The concern category.
    Concern,
    /// The unit that received the case.
    Unit,
}

impl Breakdown {
    /// Every attribute a figure may be broken down by.
    pub const ALL: [Breakdown; 5] =
        [Breakdown::Sex, Breakdown::AgeBand, Breakdown::District, Breakdown::Concern, Breakdown::Unit];
}

/// A child as the figures see them: the clear statistics attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Child {
    /// `female`, `male` or `unknown`.
    pub sex: String,
    /// The birth year, when known.
    pub birth_year: Option<i64>,
    /// The home district.
    pub district: String,
}

/// What a fact is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactKind {
    /// A case, received on the fact's day.
    Case {
        /// When the preliminary assessment was decided.
        decided: Option<Date>,
        /// When the investigation was completed.
        completed: Option<Date>,
        /// Whether it was completed within its last day.
        on_time: bool,
        /// When its first intervention started.
        first_start: Option<Date>,
    },
    /// A referral or report, sent on the fact's day.
    Referral {
        /// `referral`, `report_of_concern` or `application`.
        kind: String,
        /// Where it stands (`accepted`, `declined`, …).
        status: String,
        /// Why it was declined.
        decline_reason: Option<String>,
        /// For a report registered from outside the directory: who reported, by category.
        reporter: Option<String>,
        /// For a report: whether its protection assessment found a need of protection at once, once made.
        protection_needed: Option<bool>,
        /// For a report: whether that assessment was made later than the day after receipt.
        protection_late: Option<bool>,
        /// Whether the receiving unit reported its intervention started.
        started: bool,
        /// How it reported the intervention ended, once it has.
        ended: Option<String>,
    },
    /// An intervention of a case received on the fact's day.
    Intervention {
        /// Whether it has started.
        started: bool,
        /// How it ended, once it has.
        outcome: Option<String>,
    },
    /// A case closed on the fact's day (its last closing).
    Closure {
        /// Whether the child was referred or reported again, or a new case received, within 12 months after.
        re_referred: bool,
    },
    /// A goal's score at a follow-up, of a case received on the fact's day.
    FollowUp {
        /// −2 … +2.
        score: i64,
        /// The kind of the intervention followed up.
        intervention_kind: String,
    },
}

/// One fact about one child: the case, referral, intervention or follow-up it comes from, with its log position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// The case or referral.
    pub id: String,
    /// The child.
    pub subject: String,
    /// The unit that holds the case or received the referral.
    pub unit: String,
    /// Every concern.
    pub concerns: Vec<String>,
    /// The day it counts from.
    pub on: Date,
    /// Its log position (the trace behind a cell).
    pub position: i64,
    /// What it is.
    pub kind: FactKind,
}

/// The counted measures, each a number of distinct children (their indexes: [`measure`]).
pub const MEASURES: [&str; 20] = [
    "children with a case received",
    "children with a preliminary assessment decided",
    "children with a preliminary assessment decided within 14 days",
    "children with an investigation completed",
    "children with an investigation completed within 4 months",
    "children referred",
    "children with a referral accepted",
    "children with a referral declined",
    "children with an intervention ended",
    "children with an intervention ended as planned",
    "children followed up",
    "children with an intervention started",
    "children with a case closed",
    "children referred or reported again within 12 months of a closed case",
    "children reported (reports of concern)",
    "children reported whose protection assessment was made in time",
    "children reported found in need of protection at once",
    "children with a case received for a strategic offence",
    "children with a referral's intervention reported started",
    "children with a referral's intervention reported ended",
];

/// The indexes of [`MEASURES`] by name, for the named figures.
pub mod measure {
    /// Children with a case received.
    pub const RECEIVED: usize = 0;
    /// … with a preliminary assessment decided.
    pub const DECIDED: usize = 1;
    /// … decided within 14 days.
    pub const DECIDED_IN_TIME: usize = 2;
    /// … with an investigation completed.
    pub const COMPLETED: usize = 3;
    /// … completed within 4 months.
    pub const COMPLETED_IN_TIME: usize = 4;
    /// Children referred.
    pub const REFERRED: usize = 5;
    /// … with a referral accepted.
    pub const ACCEPTED: usize = 6;
    /// … with a referral declined.
    pub const DECLINED: usize = 7;
    /// … with an intervention ended.
    pub const ENDED: usize = 8;
    /// … ended as planned.
    pub const ENDED_AS_PLANNED: usize = 9;
    /// Children followed up.
    pub const FOLLOWED_UP: usize = 10;
    /// … with an intervention started.
    pub const STARTED: usize = 11;
    /// … with a case closed.
    pub const CLOSED: usize = 12;
    /// … referred or reported again within 12 months of a closed case.
    pub const RE_REFERRED: usize = 13;
    /// Children reported.
    pub const REPORTED: usize = 14;
    /// … whose protection assessment was made in time.
    pub const PROTECTION_IN_TIME: usize = 15;
    /// … found in need of protection at once.
    pub const PROTECTION_NEEDED: usize = 16;
    /// … with a case received for a strategic offence.
    pub const STRATEGIC: usize = 17;
    /// Children whose referral's receiving unit reported its intervention started.
    pub const REFERRAL_STARTED: usize = 18;
    /// … reported it ended.
    pub const REFERRAL_ENDED: usize = 19;
}

/// Measures that lie within another for every cell: (wider, narrower). Their difference is protected too.
const NESTED: [(usize, usize); 17] = [
    (0, 1),
    (1, 2),
    (0, 3),
    (3, 4),
    (5, 6),
    (5, 7),
    (0, 8),
    (8, 9),
    (0, 10),
    (0, 11),
    (12, 13),
    (5, 14),
    (14, 15),
    (14, 16),
    (0, 17),
    (5, 18),
    (5, 19),
];

/// Extras that lie within other extras of the same label: (wider parent, narrower parent).
const EXTRAS_NESTED: [(usize, usize); 1] = [(measure::REPORTED, measure::PROTECTION_NEEDED)];

/// The breakdowns a figure is published by: the total, each attribute, and the crossed pairs.
fn groupings() -> Vec<Vec<Breakdown>> {
    use Breakdown::*;
    let singles = [Sex, AgeBand, District, Concern, Unit];
    let mut all = vec![Vec::new()];
    all.extend(singles.iter().map(|single| vec![*single]));
    for (index, first) in singles.iter().enumerate() {
        for second in &singles[index + 1..] {
            if crossable(*first, *second) {
                all.push(vec![*first, *second]);
            }
        }
    }
    all
}

/// Whether two attributes may be crossed: sex or age band with anything, and district with concern.
pub fn crossable(first: Breakdown, second: Breakdown) -> bool {
    use Breakdown::*;
    first != second
        && (matches!(first, Sex | AgeBand)
            || matches!(second, Sex | AgeBand)
            || matches!((first, second), (District, Concern) | (Concern, District)))
}

/// Whether every child has exactly one value of `attribute` in a period (so a group is the sum of its parts).
fn partitions(attribute: Breakdown) -> bool {
    matches!(attribute, Breakdown::Sex | Breakdown::AgeBand | Breakdown::District)
}

/// The age band of a child born in `birth_year`, by the age reached in `year`.
pub fn age_band(birth_year: Option<i64>, year: i32) -> String {
    match birth_year.map(|born| i64::from(year) - born) {
        None => "unknown".to_owned(),
        Some(age) if age <= 12 => "0-12".to_owned(),
        Some(age) if age <= 15 => "13-15".to_owned(),
        Some(age) if age <= 17 => "16-17".to_owned(),
        Some(age) if age <= 20 => "18-20".to_owned(),
        Some(_) => "21+".to_owned(),
    }
}

/// A cell's key: measure, breakdown (an index into [`groupings`]) and the group's values.
type Key = (usize, usize, Vec<String>);

/// One period's cells: who stands behind each, and the trace.
#[derive(Debug, Default)]
struct Cells {
    children: BTreeMap<Key, BTreeSet<String>>,
    trace: BTreeMap<Key, Vec<(String, i64)>>,
}

/// Measures beyond [`MEASURES`], each within one of them by a label ([`extras_of`]). By (the measure it lies within, its
/// label).
type Extras = BTreeMap<(usize, String), usize>;

/// The label a referral counts under by who reported: the category, or `directory` for one sent within it.
fn reporter_label(reporter: &Option<String>) -> String {
    reporter.clone().unwrap_or_else(|| "directory".to_owned())
}

/// Every concern the programme's definition names a strategic offence for someone.
const STRATEGIC_CANDIDATES: [domain::categories::ConcernCategory; 5] = [
    domain::categories::ConcernCategory::Robbery,
    domain::categories::ConcernCategory::VehicleTheft,
    domain::categories::ConcernCategory::ViolenceOrThreatAgainstPublicServant,
    domain::categories::ConcernCategory::WitnessIntimidation,
    domain::categories::ConcernCategory::DrugOffence,
];

/// The strategic offences for a child of `sex` (`female`, `male`, `unknown`), by name.
fn strategic_for(sex: &str) -> Vec<String> {
    let parsed: Option<domain::identity_number::Sex> =
        serde_json::from_value(serde_json::Value::String(sex.to_owned())).ok();
    STRATEGIC_CANDIDATES
        .into_iter()
        .filter(|offence| offence.is_strategic_offence(parsed))
        .map(|offence| crate::caseload::name_of(&offence))
        .collect()
}

/// Whether any of `concerns` is a strategic offence for a child of `sex` by the programme's definition.
fn strategic(concerns: &[String], sex: &str) -> bool {
    let offences = strategic_for(sex);
    concerns.iter().any(|concern| offences.contains(concern))
}

/// The extras a fact counts under: (the measure they lie within, the label) — decline reasons within those
/// declined, kinds of intervention within those followed up, how interventions ended within those ended, who
/// reported within those reported and within those found in need of protection.
fn extras_of(fact: &Fact) -> Vec<(usize, String)> {
    let mut extras = Vec::new();
    match &fact.kind {
        FactKind::Referral { kind, status, decline_reason, reporter, protection_needed, ended, .. } => {
            if status == "declined" {
                extras.push((measure::DECLINED, decline_reason.clone().unwrap_or_else(|| "unknown".to_owned())));
            }
            if let Some(outcome) = ended {
                extras.push((measure::REFERRAL_ENDED, outcome.clone()));
            }
            if kind == "report_of_concern" {
                extras.push((measure::REPORTED, reporter_label(reporter)));
                if *protection_needed == Some(true) {
                    extras.push((measure::PROTECTION_NEEDED, reporter_label(reporter)));
                }
            }
        }
        FactKind::FollowUp { intervention_kind, .. } => extras.push((measure::FOLLOWED_UP, intervention_kind.clone())),
        FactKind::Intervention { outcome: Some(outcome), .. } => extras.push((measure::ENDED, outcome.clone())),
        _ => {}
    }
    extras
}

/// The measures a fact about `child` counts in (with the extra measures after [`MEASURES`], by `reasons`).
fn measures_of(fact: &Fact, child: &Child, reasons: &Extras) -> Vec<usize> {
    use measure::*;
    let mut measures = match &fact.kind {
        FactKind::Case { decided, completed, on_time, .. } => {
            let mut measures = vec![RECEIVED];
            if let Some(decided) = decided {
                measures.push(DECIDED);
                if *decided <= domain::calendar::preliminary_assessment_due(fact.on) {
                    measures.push(DECIDED_IN_TIME);
                }
            }
            if completed.is_some() {
                measures.push(COMPLETED);
                if *on_time {
                    measures.push(COMPLETED_IN_TIME);
                }
            }
            if strategic(&fact.concerns, &child.sex) {
                measures.push(STRATEGIC);
            }
            measures
        }
        FactKind::Referral { kind, status, protection_needed, protection_late, started, ended, .. } => {
            let mut measures = vec![REFERRED];
            if *started {
                measures.push(REFERRAL_STARTED);
            }
            if ended.is_some() {
                measures.push(REFERRAL_ENDED);
            }
            match status.as_str() {
                "accepted" => measures.push(ACCEPTED),
                "declined" => measures.push(DECLINED),
                _ => {}
            }
            if kind == "report_of_concern" {
                measures.push(REPORTED);
                if *protection_late == Some(false) {
                    measures.push(PROTECTION_IN_TIME);
                }
                if *protection_needed == Some(true) {
                    measures.push(PROTECTION_NEEDED);
                }
            }
            measures
        }
        FactKind::Intervention { started, outcome } => {
            let mut measures = Vec::new();
            if *started {
                measures.push(STARTED);
            }
            if let Some(outcome) = outcome {
                measures.push(ENDED);
                if outcome == "completed_as_planned" || outcome == "ended_early_goals_met" {
                    measures.push(ENDED_AS_PLANNED);
                }
            }
            measures
        }
        FactKind::Closure { re_referred } => {
            if *re_referred {
                vec![CLOSED, RE_REFERRED]
            } else {
                vec![CLOSED]
            }
        }
        FactKind::FollowUp { .. } => vec![FOLLOWED_UP],
    };
    measures.extend(extras_of(fact).iter().filter_map(|extra| reasons.get(extra).copied()));
    measures
}

/// Every group of `grouping` the fact falls in (a child with two concerns falls in both).
fn groups_of(fact: &Fact, child: &Child, year: i32, grouping: &[Breakdown]) -> Vec<Vec<String>> {
    let mut groups = vec![Vec::new()];
    for attribute in grouping {
        let values: Vec<String> = match attribute {
            Breakdown::Sex => vec![child.sex.clone()],
            Breakdown::AgeBand => vec![age_band(child.birth_year, year)],
            Breakdown::District => vec![child.district.clone()],
            Breakdown::Concern if fact.concerns.is_empty() => vec!["unknown".to_owned()],
            Breakdown::Concern => fact.concerns.clone(),
            Breakdown::Unit => vec![fact.unit.clone()],
        };
        groups = crossed_with(groups, &values);
    }
    groups
}

/// Every group of `groups` lengthened by each of `values`.
fn crossed_with<'a>(
    groups: Vec<Vec<String>>,
    values: impl IntoIterator<Item = &'a String> + Clone,
) -> Vec<Vec<String>> {
    groups
        .into_iter()
        .flat_map(|group| {
            values.clone().into_iter().map(move |value| {
                let mut longer = group.clone();
                longer.push(value.clone());
                longer
            })
        })
        .collect()
}

/// The extra measures the facts call for ([`extras_of`]), numbered after [`MEASURES`].
fn reasons_of(facts: &[Fact]) -> Extras {
    let extras: BTreeSet<(usize, String)> = facts.iter().flat_map(extras_of).collect();
    extras.into_iter().enumerate().map(|(index, extra)| (extra, MEASURES.len() + index)).collect()
}

fn cells_of(facts: &[Fact], children: &BTreeMap<String, Child>, period: Period, reasons: &Extras) -> Cells {
    let all = groupings();
    let mut cells = Cells::default();
    for fact in facts.iter().filter(|fact| period.contains(fact.on)) {
        let Some(child) = children.get(&fact.subject) else { continue };
        let measures = measures_of(fact, child, reasons);
        for (grouping_index, grouping) in all.iter().enumerate() {
            for group in groups_of(fact, child, period.year(), grouping) {
                for measure in &measures {
                    let key = (*measure, grouping_index, group.clone());
                    cells.children.entry(key.clone()).or_default().insert(fact.subject.clone());
                    cells.trace.entry(key).or_default().push((fact.id.clone(), fact.position));
                }
            }
        }
    }
    cells
}

/// One period's cells as a lattice: the sums of partitions and of nested measures. Its keys, by cell.
fn lattice_of(cells: &Cells, reasons: &Extras) -> (Lattice, BTreeMap<Key, usize>) {
    let all = groupings();
    let mut lattice = Lattice::default();
    let mut index: BTreeMap<Key, usize> = BTreeMap::new();
    for (key, children) in &cells.children {
        index.insert(key.clone(), lattice.cell(children.len() as u64));
    }
    // A group is the sum of its parts under an attribute every child has one value of.
    for (grouping_index, grouping) in all.iter().enumerate() {
        for attribute in
            Breakdown::ALL.into_iter().filter(|attribute| partitions(*attribute) && !grouping.contains(attribute))
        {
            let mut finer: Vec<Breakdown> = grouping.clone();
            finer.push(attribute);
            let Some(finer_index) = all.iter().position(|other| same_attributes(other, &finer)) else { continue };
            let finer_grouping = &all[finer_index];
            let mut parts: BTreeMap<(usize, Vec<String>), Vec<usize>> = BTreeMap::new();
            for ((measure, _, values), cell) in index.iter().filter(|((_, g, _), _)| *g == finer_index) {
                let coarse: Vec<String> = grouping
                    .iter()
                    .map(|attribute| {
                        values[finer_grouping.iter().position(|other| other == attribute).unwrap_or(0)].clone()
                    })
                    .collect();
                parts.entry((*measure, coarse)).or_default().push(*cell);
            }
            for ((measure, coarse), parts) in parts {
                if let Some(whole) = index.get(&(measure, grouping_index, coarse)) {
                    lattice.sum(*whole, parts);
                }
            }
        }
    }
    // Where a sex has one strategic offence only (girls: drug offences), its children with a strategic offence are
    // exactly its children with that offence: the two cells are one, and a reader knows it.
    let by_sex = all.iter().position(|other| same_attributes(other, &[Breakdown::Sex]));
    let by_sex_and_concern = all.iter().position(|other| same_attributes(other, &[Breakdown::Sex, Breakdown::Concern]));
    if let (Some(by_sex), Some(crossed)) = (by_sex, by_sex_and_concern) {
        let strategic: Vec<(Key, usize)> = index
            .iter()
            .filter(|((measure, grouping, _), _)| *measure == measure::STRATEGIC && *grouping == by_sex)
            .map(|(key, cell)| (key.clone(), *cell))
            .collect();
        for ((_, _, values), cell) in strategic {
            if let [offence] = strategic_for(&values[0]).as_slice() {
                let order = &all[crossed];
                let mut group = vec![String::new(); 2];
                group[order.iter().position(|attribute| *attribute == Breakdown::Sex).unwrap_or(0)] = values[0].clone();
                group[order.iter().position(|attribute| *attribute == Breakdown::Concern).unwrap_or(1)] =
                    offence.clone();
                if let Some(same) = index.get(&(measure::RECEIVED, crossed, group)) {
                    lattice.sum(cell, vec![*same]);
                }
            }
        }
    }
    // A measure is the sum of a narrower one and their difference.
    let extras_nested = EXTRAS_NESTED.iter().flat_map(|(wider, narrower)| {
        reasons.iter().filter(move |((parent, _), _)| parent == narrower).filter_map(move |((_, label), measure)| {
            reasons.get(&(*wider, label.clone())).map(|wide| (*wide, *measure))
        })
    });
    let nested = NESTED
        .iter()
        .copied()
        .chain(reasons.iter().map(|((within, _), measure)| (*within, *measure)))
        .chain(extras_nested);
    for (wider, narrower) in nested {
        let keys: Vec<Key> = index.keys().filter(|(measure, _, _)| *measure == wider).cloned().collect();
        for key in keys {
            let narrow_key = (narrower, key.1, key.2.clone());
            let empty = BTreeSet::new();
            let narrow_children = cells.children.get(&narrow_key).unwrap_or(&empty);
            let wide_children = cells.children.get(&key).unwrap_or(&empty);
            // Within it by construction; a fact that broke that (a follow-up without its case) ties nothing.
            if !narrow_children.is_subset(wide_children) {
                continue;
            }
            let difference = wide_children.len() - narrow_children.len();
            let narrow = match index.get(&narrow_key) {
                Some(cell) => *cell,
                None => {
                    let cell = lattice.cell(0);
                    index.insert(narrow_key, cell);
                    cell
                }
            };
            let rest = lattice.difference(difference as u64);
            lattice.sum(index[&key], vec![narrow, rest]);
        }
    }
    (lattice, index)
}

fn same_attributes(first: &[Breakdown], second: &[Breakdown]) -> bool {
    first.len() == second.len() && first.iter().all(|attribute| second.contains(attribute))
}

/// One period's masked cells, with the trace behind them.
#[derive(Debug, Default)]
struct Masked {
    cells: BTreeMap<Key, Cell>,
    trace: BTreeMap<Key, Vec<(String, i64)>>,
}

/// The masked cells of a year and its quarters: the year and its four quarters are masked together, as one lattice tied
/// by the year being the sum of its quarters (wherever it is: a child with cases in two quarters counts once in
/// the year), so that no answer for a quarter and one for its year combine to give a small count away, and a
/// quarter is masked alike whether asked on its own or beside its year.
fn masked(
    facts: &[Fact],
    children: &BTreeMap<String, Child>,
    year: i32,
    reasons: &Extras,
    k: u64,
) -> BTreeMap<Period, Masked> {
    let year = Period::Year(year);
    let mut lattice = Lattice::default();
    let mut indexes: BTreeMap<Period, (BTreeMap<Key, usize>, Cells)> = BTreeMap::new();
    for part in year.quarters().into_iter().chain([year]) {
        let cells = cells_of(facts, children, part, reasons);
        let (part_lattice, index) = lattice_of(&cells, reasons);
        let offset = lattice.absorb(&part_lattice);
        indexes.insert(part, (index.into_iter().map(|(key, cell)| (key, cell + offset)).collect(), cells));
    }
    let (year_index, _) = &indexes[&year];
    let mut sums = Vec::new();
    for (key, year_cell) in year_index {
        let parts: Vec<usize> =
            year.quarters().iter().filter_map(|quarter| indexes[quarter].0.get(key).copied()).collect();
        if lattice.count(*year_cell) == parts.iter().map(|part| lattice.count(*part)).sum::<u64>() {
            sums.push((*year_cell, parts));
        }
    }
    for (whole, parts) in sums {
        lattice.sum(whole, parts);
    }
    let masks = lattice.protect(k);
    indexes
        .into_iter()
        .map(|(period, (index, cells))| {
            let masked = index.iter().map(|(key, cell)| (key.clone(), masks[*cell])).collect();
            (period, Masked { cells: masked, trace: cells.trace })
        })
        .collect()
}

/// A duration in days over a group's children: the mean of the `k` values around the median, and around the 90th
/// percentile — never one child's value. The median is shown from 2k children (k values on either side of the
/// middle), the percentile from 10k (so that k children lie above it).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DaysStatistic {
    /// The mean of the k values around the median.
    pub median: f64,
    /// The mean of the k values around the 90th percentile, from 10k children.
    pub p90: Option<f64>,
}

/// [`DaysStatistic`] over `days` (one value per child).
pub fn days_statistic(mut days: Vec<i64>, k: u64) -> Option<DaysStatistic> {
    let (n, k) = (days.len(), k as usize);
    if n < 2 * k || k == 0 {
        return None;
    }
    days.sort_unstable();
    let window = |rank: usize| {
        let start = rank.saturating_sub(k / 2).min(n - k);
        days[start..start + k].iter().sum::<i64>() as f64 / k as f64
    };
    Some(DaysStatistic { median: window((n - 1) / 2), p90: (n >= 10 * k).then(|| window((n * 9).div_ceil(10) - 1)) })
}

/// One measure over the groups.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Measure {
    /// What is counted (children).
    pub name: String,
    /// The counts per group and the total, masked.
    pub counts: Published,
}

/// The figures for one period and breakdown.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct OutcomeReport {
    /// The period: `2026` or `2026-Q1`.
    pub period: String,
    /// The breakdown: one attribute, or two crossed.
    pub breakdown: Vec<Breakdown>,
    /// The fewest children a shown figure stands on.
    pub minimum_children: u64,
    /// The groups, in order: one value per attribute of the breakdown.
    pub groups: Vec<Vec<String>>,
    /// The counted measures, each of distinct children.
    pub measures: Vec<Measure>,
    /// Share of children decided on whose preliminary assessment was decided within 14 days, per group, where both
    /// counts are shown.
    pub preliminary_within_14_days: Vec<Option<f64>>,
    /// Share of children with an investigation completed whose investigation was within 4 months, likewise.
    pub investigations_within_4_months: Vec<Option<f64>>,
    /// Days from receipt to the preliminary decision (each child's first case), per group.
    pub days_to_decision: Vec<Option<DaysStatistic>>,
    /// Days from receipt to the first intervention's start (each child's first case), per group.
    pub days_to_intervention_start: Vec<Option<DaysStatistic>>,
    /// Mean goal attainment (−2…+2) over the children followed up (each child's own mean first), per group,
    /// where that count is shown.
    pub goal_attainment: Vec<Option<f64>>,
    /// Children with a referral declined, by reason (over all groups), masked.
    pub declined_by_reason: (Vec<String>, Published),
    /// Children followed up, by the kind of intervention (over all groups), masked.
    pub followed_up_by_intervention_kind: (Vec<String>, Published),
    /// Mean goal attainment (each child's own mean first) by the kind of intervention, in the order of
    /// `followed_up_by_intervention_kind`, where that count is shown.
    pub goal_attainment_by_intervention_kind: Vec<Option<f64>>,
    /// What the figures were computed from (the live view at a log position, or a snapshot), when read from a store.
    pub computed_at: Option<ComputedAt>,
    /// For auditors: per measure and group, the cases or referrals and the log positions behind the cell.
    #[serde(skip)]
    pub trace: BTreeMap<(String, String), Vec<(String, i64)>>,
}

/// What outcome figures were computed from: the live view at the log position it had reached, or a snapshot built
/// as of a past moment (`lots rebuild outcomes --as-of T` or `--position N`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, schemars::JsonSchema)]
pub struct ComputedAt {
    /// The generation read (live, or a snapshot's: from 1 000 001).
    pub generation: i64,
    /// The snapshot, when one was asked for.
    pub snapshot: Option<i64>,
    /// The log position the view had reached (live), or the moment a snapshot was built as of.
    pub as_of: String,
}

/// A child's first case of a period: received, days to decision, days to the first start.
type FirstCase = (Date, Option<i64>, Option<i64>);

/// The figures of one calendar year and its quarters, masked once (all of them together) and then asked: by
/// [`YearFigures::answer`], [`YearFigures::strategic_offences`] and the named figures' cells.
#[derive(Debug)]
pub struct YearFigures {
    facts: Vec<Fact>,
    children: BTreeMap<String, Child>,
    year: i32,
    k: u64,
    reasons: Extras,
    masks: BTreeMap<Period, Masked>,
}

impl YearFigures {
    /// Masks the figures of `year` from its facts, no figure standing on fewer than `k` children.
    pub fn new(facts: Vec<Fact>, children: BTreeMap<String, Child>, year: i32, k: u64) -> Self {
        let reasons = reasons_of(&facts);
        let masks = masked(&facts, &children, year, &reasons, k);
        YearFigures { facts, children, year, k, reasons, masks }
    }

    /// Its year.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The masked count of `measure` ([`measure`]) in `period`, by `breakdown`, for `group` (no child: masked).
    pub fn cell(&self, period: Period, measure: usize, breakdown: &[Breakdown], group: &[String]) -> Cell {
        let grouping = groupings().iter().position(|other| same_attributes(other, breakdown));
        grouping
            .and_then(|grouping| self.masks.get(&period)?.cells.get(&(measure, grouping, group.to_vec())).copied())
            .unwrap_or(Cell::Masked)
    }

    /// The labels of the extra measures within `within` (decline reasons, kinds of intervention, outcomes,
    /// reporters), each with its measure index for [`YearFigures::cell`]. The labels are the year's, whatever the period.
    pub fn labels(&self, within: usize) -> Vec<(String, usize)> {
        self.reasons
            .iter()
            .filter(|((parent, _), _)| *parent == within)
            .map(|((_, label), measure)| (label.clone(), *measure))
            .collect()
    }

    /// The values `attribute` takes in the year's facts.
    pub fn values(&self, attribute: Breakdown) -> BTreeSet<String> {
        self.facts
            .iter()
            .filter_map(|fact| self.children.get(&fact.subject).map(|child| (fact, child)))
            .flat_map(|(fact, child)| groups_of(fact, child, self.year, &[attribute]))
            .flatten()
            .collect()
    }

    /// The cases and referrals, with their log positions, behind a cell of `period` — whether it is masked or not
    /// (the caller shows only what the reader may see).
    pub fn trace(
        &self,
        period: Period,
        measure: usize,
        breakdown: &[Breakdown],
        group: &[String],
    ) -> Vec<(String, i64)> {
        let grouping = groupings().iter().position(|other| same_attributes(other, breakdown));
        grouping
            .and_then(|grouping| self.masks.get(&period)?.trace.get(&(measure, grouping, group.to_vec())).cloned())
            .unwrap_or_default()
    }

    /// [`YearFigures::trace`], only the cases and referrals held by (or sent to) `unit`.
    pub fn trace_in_unit(
        &self,
        period: Period,
        measure: usize,
        breakdown: &[Breakdown],
        group: &[String],
        unit: &str,
    ) -> Vec<(String, i64)> {
        let ours: BTreeSet<&str> =
            self.facts.iter().filter(|fact| fact.unit == unit).map(|fact| fact.id.as_str()).collect();
        let mut traced = self.trace(period, measure, breakdown, group);
        traced.retain(|(id, _)| ours.contains(id.as_str()));
        traced
    }

    /// The answer for `period` (of this year) broken down by `breakdown` (one attribute, or two crossed).
    pub fn answer(&self, period: Period, breakdown: &[Breakdown]) -> OutcomeReport {
        let (facts, children, k, reasons) = (&self.facts, &self.children, self.k, &self.reasons);
        let all = groupings();
        let grouping = all.iter().position(|other| same_attributes(other, breakdown)).unwrap_or(0);
        let order: Vec<Breakdown> = all[grouping].clone();
        let empty = Masked::default();
        let masked = self.masks.get(&period).unwrap_or(&empty);
        // Every combination of the values the year's facts have, whether or not a child falls in it this period: the
        // rows listed say nothing of where children are.
        let mut groups: Vec<Vec<String>> = vec![Vec::new()];
        for attribute in &order {
            let values: BTreeSet<String> = facts
                .iter()
                .filter_map(|fact| children.get(&fact.subject).map(|child| (fact, child)))
                .flat_map(|(fact, child)| groups_of(fact, child, period.year(), &[*attribute]))
                .flatten()
                .collect();
            groups = crossed_with(groups, &values);
        }
        // A cell no child stands in is masked like any small one.
        let cell = |measure: usize, g: usize, values: &[String]| {
            masked.cells.get(&(measure, g, values.to_vec())).copied().unwrap_or(Cell::Masked)
        };
        let extra = |within: usize| -> (Vec<String>, Published) {
            let of: Vec<(&String, &usize)> = reasons
                .iter()
                .filter(|((parent, _), _)| *parent == within)
                .map(|((_, label), measure)| (label, measure))
                .collect();
            (
                of.iter().map(|(label, _)| (*label).clone()).collect(),
                Published {
                    cells: of.iter().map(|(_, measure)| cell(**measure, 0, &[])).collect(),
                    total: cell(within, 0, &[]),
                },
            )
        };
        let published = |measure: usize| Published {
            cells: groups.iter().map(|group| cell(measure, grouping, group)).collect(),
            total: cell(measure, 0, &[]),
        };
        let share = |part: usize, whole: usize| -> Vec<Option<f64>> {
            groups
                .iter()
                .map(|group| match (cell(part, grouping, group), cell(whole, grouping, group)) {
                    (Cell::Count(part), Cell::Count(whole)) if whole > 0 => Some(part as f64 / whole as f64),
                    _ => None,
                })
                .collect()
        };
        // Per child of a group, the first case's days to decision and to the first start, and their mean score.
        let mut first_cases: BTreeMap<(Vec<String>, String), FirstCase> = BTreeMap::new();
        let mut scores: BTreeMap<(Vec<String>, String), Vec<i64>> = BTreeMap::new();
        for fact in facts.iter().filter(|fact| period.contains(fact.on)) {
            let Some(child) = children.get(&fact.subject) else { continue };
            for group in groups_of(fact, child, period.year(), &order) {
                match &fact.kind {
                    FactKind::Case { decided, first_start, .. } => {
                        let days = (
                            fact.on,
                            decided.map(|decided| domain::calendar::days_between(fact.on, decided)),
                            first_start.map(|started| domain::calendar::days_between(fact.on, started)),
                        );
                        let entry = first_cases.entry((group, fact.subject.clone())).or_insert(days);
                        if fact.on < entry.0 {
                            *entry = days;
                        }
                    }
                    FactKind::FollowUp { score, .. } => {
                        scores.entry((group, fact.subject.clone())).or_default().push(*score)
                    }
                    _ => {}
                }
            }
        }
        let days = |pick: fn(&FirstCase) -> Option<i64>| -> Vec<Option<DaysStatistic>> {
            groups
                .iter()
                .map(|group| {
                    let values: Vec<i64> = first_cases
                        .iter()
                        .filter(|((g, _), _)| g == group)
                        .filter_map(|(_, first)| pick(first))
                        .collect();
                    // Shown only where the count of children decided on is: the statistic's size says it is 2k or more.
                    matches!(cell(1, grouping, group), Cell::Count(_)).then(|| days_statistic(values, k)).flatten()
                })
                .collect()
        };
        let goal_attainment = groups
            .iter()
            .map(|group| {
                if !matches!(cell(10, grouping, group), Cell::Count(count) if count >= k) {
                    return None;
                }
                let means: Vec<f64> = scores
                    .iter()
                    .filter(|((g, _), _)| g == group)
                    .map(|(_, scores)| scores.iter().sum::<i64>() as f64 / scores.len() as f64)
                    .collect();
                Some(means.iter().sum::<f64>() / means.len() as f64)
            })
            .collect();
        let label = |values: &[String]| if values.is_empty() { "total".to_owned() } else { values.join(" × ") };
        let trace = masked
            .trace
            .iter()
            .filter(|((measure, g, _), _)| *g == grouping && *measure < MEASURES.len())
            .map(|((measure, _, values), ids)| ((MEASURES[*measure].to_owned(), label(values)), ids.clone()))
            .collect();
        OutcomeReport {
            period: period.to_string(),
            breakdown: order,
            minimum_children: k,
            measures: (0..MEASURES.len())
                .map(|measure| Measure { name: MEASURES[measure].to_owned(), counts: published(measure) })
                .collect(),
            preliminary_within_14_days: share(2, 1),
            investigations_within_4_months: share(4, 3),
            days_to_decision: days(|first| first.1),
            days_to_intervention_start: days(|first| first.2),
            goal_attainment,
            declined_by_reason: extra(7),
            followed_up_by_intervention_kind: extra(10),
            goal_attainment_by_intervention_kind: reasons
                .iter()
                .filter(|((within, _), _)| *within == 10)
                .map(|((_, kind), measure)| {
                    matches!(cell(*measure, 0, &[]), Cell::Count(_)).then(|| {
                        let mut by_child: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
                        for fact in facts.iter().filter(|fact| period.contains(fact.on)) {
                            if let FactKind::FollowUp { score, intervention_kind } = &fact.kind {
                                if intervention_kind == kind {
                                    by_child.entry(fact.subject.as_str()).or_default().push(*score);
                                }
                            }
                        }
                        let means: Vec<f64> = by_child
                            .values()
                            .map(|scores| scores.iter().sum::<i64>() as f64 / scores.len() as f64)
                            .collect();
                        means.iter().sum::<f64>() / means.len().max(1) as f64
                    })
                })
                .collect(),
            groups,
            trace,
            computed_at: None,
        }
    }
}

/// One row of the strategic offences: children of one sex with one offence among their cases' concerns.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct StrategicRow {
    /// `male` or `female`.
    pub sex: String,
    /// The offence (a concern category).
    pub offence: String,
    /// Children with a case received in the period with this concern, masked like every figure.
    pub children: Cell,
}

/// Strategic offences among the concerns, boys and girls apart, by the programme's definition
/// (`ConcernCategory::is_strategic_offence`).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct StrategicOffences {
    /// The period.
    pub period: String,
    /// The fewest children a shown figure stands on.
    pub minimum_children: u64,
    /// One row per sex and offence the definition names for that sex, and one per sex for any of them (`any`: a
    /// child with two counts once).
    pub rows: Vec<StrategicRow>,
}

impl YearFigures {
    /// The strategic offences of `period` (of this year), boys and girls apart: the sex × concern cells of
    /// "children with a case received", from the same masks as every other answer of the year.
    pub fn strategic_offences(&self, period: Period) -> StrategicOffences {
        use domain::identity_number::Sex;
        let candidates = STRATEGIC_CANDIDATES;
        let mut rows = Vec::new();
        for sex in [Sex::Male, Sex::Female] {
            let sex_name = crate::caseload::name_of(&sex);
            for offence in candidates.into_iter().filter(|offence| offence.is_strategic_offence(Some(sex))) {
                let offence_name = crate::caseload::name_of(&offence);
                let group = [sex_name.clone(), offence_name.clone()];
                let children = self.cell(period, measure::RECEIVED, &[Breakdown::Sex, Breakdown::Concern], &group);
                rows.push(StrategicRow { sex: sex_name.clone(), offence: offence_name, children });
            }
            let children = self.cell(period, measure::STRATEGIC, &[Breakdown::Sex], std::slice::from_ref(&sex_name));
            rows.push(StrategicRow { sex: sex_name, offence: "any".to_owned(), children });
        }
        StrategicOffences { period: period.to_string(), minimum_children: self.k, rows }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn answer(
        facts: &[Fact],
        children: &BTreeMap<String, Child>,
        period: Period,
        breakdown: &[Breakdown],
        k: u64,
    ) -> OutcomeReport {
        YearFigures::new(facts.to_vec(), children.clone(), period.year(), k).answer(period, breakdown)
    }

    fn strategic_offences(
        facts: &[Fact],
        children: &BTreeMap<String, Child>,
        period: Period,
        k: u64,
    ) -> StrategicOffences {
        YearFigures::new(facts.to_vec(), children.clone(), period.year(), k).strategic_offences(period)
    }

    /// A small random number source (xorshift), seeded: the populations are the same on every run.
    struct Dice(u64);

    impl Dice {
        fn roll(&mut self, sides: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % sides
        }
    }

    /// A small population in 2026: each child one case (and perhaps a referral, an intervention and follow-ups),
    /// so that a year's cell is exactly the sum of its quarters' — the attacker's strongest position.
    fn population(dice: &mut Dice) -> (Vec<Fact>, BTreeMap<String, Child>) {
        let mut facts = Vec::new();
        let mut children = BTreeMap::new();
        let size = 3 + dice.roll(25);
        for n in 0..size {
            let subject = format!("child-{n}");
            children.insert(
                subject.clone(),
                Child {
                    sex: ["female", "male", "unknown"][(dice.roll(10) / 4) as usize].to_owned(),
                    birth_year: Some(2008 + dice.roll(10) as i64),
                    district: ["Farsta", "Rinkeby", "Skärholmen"][dice.roll(3) as usize].to_owned(),
                },
            );
            let received = date!(2026 - 01 - 01) + time::Duration::days(dice.roll(360) as i64);
            let all = ["school_absence", "drug_offence", "robbery", "parenting_concerns"];
            let mut concerns: Vec<String> = vec![all[dice.roll(4) as usize].to_owned()];
            if dice.roll(3) == 0 {
                concerns.push(all[dice.roll(4) as usize].to_owned());
            }
            concerns.sort();
            concerns.dedup();
            let unit = ["unit-a", "unit-b"][dice.roll(2) as usize].to_owned();
            let decided = (dice.roll(5) > 0).then(|| received + time::Duration::days(dice.roll(20) as i64));
            let completed = (dice.roll(3) == 0).then(|| received + time::Duration::days(100));
            let fact = |kind| Fact {
                id: format!("case-{n}"),
                subject: subject.clone(),
                unit: unit.clone(),
                concerns: concerns.clone(),
                on: received,
                position: n as i64,
                kind,
            };
            facts.push(fact(FactKind::Case {
                decided,
                completed,
                on_time: dice.roll(2) == 0,
                first_start: decided.map(|decided| decided + time::Duration::days(dice.roll(30) as i64)),
            }));
            if dice.roll(2) == 0 {
                let outcome = ["completed_as_planned", "ended_early_not_engaged"][dice.roll(2) as usize].to_owned();
                let outcome = (dice.roll(3) > 0).then_some(outcome);
                facts.push(fact(FactKind::Intervention { started: outcome.is_some() || dice.roll(2) == 0, outcome }));
                for _ in 0..dice.roll(3) {
                    let intervention_kind = ["family_treatment", "parent_programme"][dice.roll(2) as usize].to_owned();
                    facts.push(fact(FactKind::FollowUp { score: dice.roll(5) as i64 - 2, intervention_kind }));
                }
            }
            if dice.roll(2) == 0 {
                let status = ["accepted", "declined", "received"][dice.roll(3) as usize].to_owned();
                let decline_reason =
                    (status == "declined").then(|| ["no_capacity", "outside_remit"][dice.roll(2) as usize].to_owned());
                let report = dice.roll(2) == 0;
                let accepted = status == "accepted";
                facts.push(Fact {
                    id: format!("referral-{n}"),
                    kind: FactKind::Referral {
                        kind: if report { "report_of_concern" } else { "referral" }.to_owned(),
                        status,
                        decline_reason,
                        reporter: report.then(|| ["school", "police"][dice.roll(2) as usize].to_owned()),
                        protection_needed: report.then(|| dice.roll(3) == 0),
                        protection_late: report.then(|| dice.roll(4) == 0),
                        started: accepted && dice.roll(2) == 0,
                        ended: (accepted && dice.roll(3) == 0).then(|| "completed_as_planned".to_owned()),
                    },
                    on: date!(2026 - 01 - 01) + time::Duration::days(dice.roll(360) as i64),
                    ..fact(FactKind::Intervention { started: false, outcome: None })
                });
            }
            if dice.roll(3) == 0 {
                let closed = received + time::Duration::days(30 + dice.roll(60) as i64);
                if closed.year() == 2026 {
                    facts.push(Fact { on: closed, ..fact(FactKind::Closure { re_referred: dice.roll(2) == 0 }) });
                }
            }
        }
        (facts, children)
    }

    /// The adversary: everything published for the year and its four quarters — every breakdown, every crossed
    /// pair, every measure — with every sum that ties them (parts of a partition, a measure and its narrower one,
    /// the year and its quarters), propagated and every value of every small count tried. No count from 1 to 4,
    /// published or a difference, may be pinned down to one value.
    #[test]
    fn no_combination_of_answers_recovers_a_small_count() {
        let k = MIN_CHILDREN;
        let mut dice = Dice(0x005e_ed1e_550f_c0de);
        for round in 0..20 {
            let (facts, children) = population(&mut dice);
            let reasons = reasons_of(&facts);
            let mut attacker = Lattice::default();
            let mut published: Vec<Cell> = Vec::new();
            let mut indexes: BTreeMap<Period, BTreeMap<Key, usize>> = BTreeMap::new();
            let year = Period::Year(2026);
            let all_masks = masked(&facts, &children, 2026, &reasons, k);
            for period in year.quarters().into_iter().chain([year]) {
                let (lattice, index) = lattice_of(&cells_of(&facts, &children, period, &reasons), &reasons);
                let masks = &all_masks[&period];
                let offset = attacker.absorb(&lattice);
                published.resize(attacker.len(), Cell::Masked);
                for (key, cell) in &index {
                    published[offset + cell] = masks.cells.get(key).copied().unwrap_or(Cell::Masked);
                }
                indexes.insert(period, index.into_iter().map(|(key, cell)| (key, cell + offset)).collect());
            }
            // The year is the sum of its quarters, cell by cell.
            for (key, whole) in &indexes[&year] {
                let parts: Vec<usize> =
                    year.quarters().iter().filter_map(|quarter| indexes[quarter].get(key).copied()).collect();
                attacker.sum(*whole, parts);
            }
            assert!(
                attacker.reader_bounds(&published).is_some(),
                "round {round}: the published cells contradict the sums"
            );
            let pinned = attacker.pinned(&published, k);
            assert!(
                pinned.is_empty(),
                "round {round}: small counts pinned down: {:?}",
                pinned.iter().map(|cell| (cell, attacker.count(*cell))).collect::<Vec<_>>()
            );
        }
    }

    /// Ten boys reported for robbery and ten girls for drug offences, all in the first quarter: every strategic
    /// offence of each sex, the two that hold children shown, the rest masked (none stand in them).
    #[test]
    fn strategic_offences_count_boys_and_girls_apart_by_the_programmes_definition() {
        let mut facts = Vec::new();
        let mut children = BTreeMap::new();
        for n in 0..20 {
            let (sex, concern) = if n < 10 { ("male", "robbery") } else { ("female", "drug_offence") };
            let subject = format!("child-{n}");
            children.insert(
                subject.clone(),
                Child { sex: sex.to_owned(), birth_year: Some(2010), district: "Farsta".to_owned() },
            );
            let on = date!(2026 - 02 - 01) + time::Duration::days(n);
            facts.push(Fact {
                id: format!("case-{n}"),
                subject,
                unit: "unit-a".to_owned(),
                concerns: vec![concern.to_owned()],
                on,
                position: n,
                kind: FactKind::Case { decided: Some(on), completed: None, on_time: false, first_start: None },
            });
        }
        let figures = strategic_offences(&facts, &children, Period::Year(2026), MIN_CHILDREN);
        let rows: Vec<(&str, &str, Cell)> =
            figures.rows.iter().map(|row| (row.sex.as_str(), row.offence.as_str(), row.children)).collect();
        assert_eq!(
            rows,
            [
                ("male", "robbery", Cell::Count(10)),
                ("male", "vehicle_theft", Cell::Masked),
                ("male", "violence_or_threat_against_public_servant", Cell::Masked),
                ("male", "witness_intimidation", Cell::Masked),
                ("male", "any", Cell::Count(10)),
                ("female", "drug_offence", Cell::Count(10)),
                ("female", "any", Cell::Count(10)),
            ]
        );
        // The first quarter holds them all; the second none.
        assert_eq!(strategic_offences(&facts, &children, Period::Quarter(2026, 1), MIN_CHILDREN).rows, figures.rows);
        assert!(strategic_offences(&facts, &children, Period::Quarter(2026, 2), MIN_CHILDREN)
            .rows
            .iter()
            .all(|row| row.children == Cell::Masked));
    }

    /// Ten children followed up in family treatment (every goal +1) and seven in a parent programme (every goal
    /// −1): children and mean attainment per kind of intervention.
    #[test]
    fn goal_attainment_is_given_by_kind_of_intervention_over_children() {
        let mut facts = Vec::new();
        let mut children = BTreeMap::new();
        for n in 0..17 {
            let subject = format!("child-{n}");
            let sex = if n % 2 == 0 { "female" } else { "male" };
            children.insert(
                subject.clone(),
                Child { sex: sex.to_owned(), birth_year: Some(2012), district: "Farsta".to_owned() },
            );
            let (kind, score) = if n < 10 { ("family_treatment", 1) } else { ("parent_programme", -1) };
            let on = date!(2026 - 04 - 01) + time::Duration::days(n);
            let fact = |kind| Fact {
                id: format!("case-{n}"),
                subject: subject.clone(),
                unit: "unit-a".to_owned(),
                concerns: vec!["parenting_concerns".to_owned()],
                on,
                position: n,
                kind,
            };
            facts.push(fact(FactKind::Case { decided: Some(on), completed: None, on_time: false, first_start: None }));
            for _ in 0..2 {
                facts.push(fact(FactKind::FollowUp { score, intervention_kind: kind.to_owned() }));
            }
        }
        let figures = answer(&facts, &children, Period::Year(2026), &[Breakdown::Sex], MIN_CHILDREN);
        assert_eq!(
            figures.followed_up_by_intervention_kind,
            (
                vec!["family_treatment".to_owned(), "parent_programme".to_owned()],
                Published { cells: vec![Cell::Count(10), Cell::Count(7)], total: Cell::Count(17) }
            )
        );
        assert_eq!(figures.goal_attainment_by_intervention_kind, [Some(1.0), Some(-1.0)]);
    }

    #[test]
    fn periods_are_whole_quarters_or_years() {
        assert_eq!(Period::parse("2026"), Some(Period::Year(2026)));
        assert_eq!(Period::parse("2026-Q3"), Some(Period::Quarter(2026, 3)));
        for bad in ["2026-Q5", "2026-Q0", "2026-03", "26", "2026-Q", ""] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
        assert_eq!(Period::spanning(date!(2026 - 04 - 01), date!(2026 - 06 - 30)), Some(Period::Quarter(2026, 2)));
        assert_eq!(Period::spanning(date!(2026 - 01 - 01), date!(2026 - 12 - 31)), Some(Period::Year(2026)));
        assert_eq!(Period::spanning(date!(2026 - 03 - 03), date!(2026 - 03 - 04)), None);
        assert_eq!(Period::Quarter(2024, 1).last_day(), date!(2024 - 03 - 31));
        assert_eq!(Period::Quarter(2026, 4).to_string(), "2026-Q4");
    }

    #[test]
    fn a_median_is_the_mean_of_several_children_never_one() {
        assert_eq!(days_statistic(vec![1, 2, 3, 4, 5, 6, 7, 8, 9], 5), None, "fewer than 2k children");
        let statistic = days_statistic((1..=10).collect(), 5).expect("shown from 10");
        // The middle five of 1..10: 3, 4, 5, 6, 7.
        assert_eq!(statistic, DaysStatistic { median: 5.0, p90: None });
        let many = days_statistic((1..=50).collect(), 5).expect("shown");
        // The 90th percentile's rank is 45: the five around it are 43..47.
        assert_eq!(many.p90, Some(45.0));
    }
}
