//! Outcome figures as use cases: the breakdowns, the safety programme's named figures, the cases behind a cell,
//! CSV for the district's annual follow-up, and all of it as a snapshot of the view held it at a past moment.
//!
//! A year's figures are masked once (`projections::figures::YearFigures`, seconds on a large district) and kept
//! in [`Cache`] until the view moves on: every answer of that year and its quarters reads the same masks.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use domain::command::Role;
use domain::units::UnitKind;
use projections::db::Db;
use projections::figures::{measure, Breakdown, DaysStatistic, OutcomeReport, Period, YearFigures, MEASURES};
use projections::outcomes::ComputedAt;
use projections::suppression::Cell;
use serde::Serialize;

use super::{ActionError, Refusal};
use crate::accounts::Account;

/// The masked years most recently asked for, by what they were computed from, their year and minimum. Clones
/// share it.
#[derive(Debug, Default, Clone)]
pub struct Cache(Arc<Mutex<Cached>>);

/// The masked years kept, oldest first.
type Cached = Vec<(CacheKey, Arc<YearFigures>)>;

impl Cache {
    fn get(&self, key: &CacheKey) -> Option<Arc<YearFigures>> {
        let cached = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        cached.iter().find(|(other, _)| other == key).map(|(_, figures)| figures.clone())
    }

    fn put(&self, key: CacheKey, figures: Arc<YearFigures>) {
        let mut cached = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        cached.retain(|(other, _)| *other != key);
        cached.push((key, figures));
        let excess = cached.len().saturating_sub(CACHED_YEARS);
        cached.drain(..excess);
    }
}

type CacheKey = (ComputedAt, i32, u64);

/// How many masked years [`Cache`] keeps.
const CACHED_YEARS: usize = 8;

/// Where figures are asked from: the store, the cache, the configured minimum.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// The store.
    pub db: &'a Db,
    /// The masked years.
    pub cache: &'a Cache,
    /// The fewest children a figure stands on (`LOTS_OUTCOME_MINIMUM`).
    pub minimum: u64,
}

impl Source<'_> {
    /// The figures of `year` as the live view holds them, or as snapshot `snapshot` does.
    async fn year(&self, year: i32, snapshot: Option<i64>) -> Result<(Arc<YearFigures>, ComputedAt), ActionError> {
        let at = projections::outcomes::source(self.db, snapshot).await?.ok_or_else(|| {
            Refusal::invalid(
                "snapshot",
                "no such snapshot of the outcome figures: GET /api/outcomes/snapshots lists them",
            )
        })?;
        let minimum = self.minimum.max(projections::figures::MIN_CHILDREN);
        let key = (at.clone(), year, minimum);
        if let Some(found) = self.cache.get(&key) {
            return Ok((found, at));
        }
        // Masked in a task of its own, which caches what it finds even when the request that asked gives up
        // waiting (a large district's year takes seconds): the next request of that year finds it.
        let (db, cache, generation) = (self.db.clone(), self.cache.clone(), at.generation);
        let task = tokio::spawn(async move {
            let (facts, children) = projections::outcomes::facts(&db, generation, year).await?;
            let figures = tokio::task::spawn_blocking(move || YearFigures::new(facts, children, year, minimum))
                .await
                .map_err(|error| ActionError::Internal(Box::new(error)))?;
            let figures = Arc::new(figures);
            cache.put(key, figures.clone());
            Ok::<_, ActionError>(figures)
        });
        let figures = task.await.map_err(|error| ActionError::Internal(Box::new(error)))??;
        Ok((figures, at))
    }
}

/// The outcome figures of `period` by `breakdown`, and what they were computed from.
pub async fn breakdown(
    source: Source<'_>,
    period: Period,
    breakdown: &[Breakdown],
    snapshot: Option<i64>,
) -> Result<(OutcomeReport, ComputedAt), ActionError> {
    let (figures, at) = source.year(period.year(), snapshot).await?;
    Ok((figures.answer(period, breakdown), at))
}

/// The strategic offences of `period`, and what they were computed from.
pub async fn strategic_offences(
    source: Source<'_>,
    period: Period,
    snapshot: Option<i64>,
) -> Result<(projections::figures::StrategicOffences, ComputedAt), ActionError> {
    let (figures, at) = source.year(period.year(), snapshot).await?;
    Ok((figures.strategic_offences(period), at))
}

/// The snapshots of the outcome figures: (snapshot, the moment it was built as of, its digest), newest first.
pub async fn snapshots(db: &Db) -> Result<Vec<(i64, String, String)>, ActionError> {
    Ok(projections::outcomes::snapshots(db).await?)
}

/// One value of a figure's table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// A count of distinct children, shown.
    Count(u64),
    /// A count masked: fewer than the minimum, or one that would give such a count away.
    Masked,
    /// A share (0–1) or a number of days, shown.
    Number(f64),
    /// A share or statistic withheld: a count it stands on is masked, or too few children for it.
    Withheld,
}

impl From<Cell> for Value {
    fn from(cell: Cell) -> Self {
        match cell {
            Cell::Count(count) => Value::Count(count),
            Cell::Masked => Value::Masked,
        }
    }
}

impl From<Option<f64>> for Value {
    fn from(number: Option<f64>) -> Self {
        number.map_or(Value::Withheld, |number| Value::Number((number * 1000.0).round() / 1000.0))
    }
}

impl Value {
    /// As written in CSV: the count or number, `..` when masked, empty when withheld.
    pub fn text(&self) -> String {
        match self {
            Value::Count(count) => count.to_string(),
            Value::Masked => "..".to_owned(),
            Value::Number(number) => number.to_string(),
            Value::Withheld => String::new(),
        }
    }
}

impl Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Count(count) => serializer.serialize_u64(*count),
            Value::Masked => serializer.serialize_str(".."),
            Value::Number(number) => serializer.serialize_f64(*number),
            Value::Withheld => serializer.serialize_none(),
        }
    }
}

impl schemars::JsonSchema for Value {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "FigureValue".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A count of distinct children (an integer), \"..\" when masked, a share or number of days (a number), or null when withheld because a count it stands on is masked",
            "oneOf": [{ "type": "number" }, { "type": "string", "const": ".." }, { "type": "null" }]
        })
    }
}

/// One row of a figure: the group it is about and its values, in the order of the columns.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct FigureRow {
    /// The group: one value per group column (`total` for the whole).
    pub group: Vec<String>,
    /// The values, one per value column.
    pub values: Vec<Value>,
}

/// A figure as a table, ready for a page, the JSON API or CSV.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct FigureTable {
    /// Which figure (`strategic-offences`, …, or `outcomes` for a breakdown).
    pub figure: String,
    /// What it shows, in words.
    pub title: String,
    /// The period: `2026` or `2026-Q1`.
    pub period: String,
    /// The fewest children a shown count stands on.
    pub minimum_children: u64,
    /// The suppression rule, in words.
    pub rule: String,
    /// What the figures were computed from: the live view at a log position, or a snapshot.
    pub computed_at: ComputedAt,
    /// The columns naming the group.
    pub group_columns: Vec<String>,
    /// The columns of values.
    pub value_columns: Vec<String>,
    /// The rows.
    pub rows: Vec<FigureRow>,
}

/// The safety programme's named figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    /// Strategic offences among the concerns, boys and girls apart.
    StrategicOffences,
    /// The use of each city-wide service.
    CityWideServices,
    /// Equal treatment across districts: the legal clocks and the days to decision and to start.
    EqualTreatment,
    /// Children referred or reported again within 12 months of a closed case.
    ReReferrals,
    /// Goal attainment at follow-up by kind of intervention.
    GoalAttainment,
    /// Reports of concern by who reported and whether a need of protection was found.
    Reports,
}

impl Named {
    /// Every named figure.
    pub const ALL: [Named; 6] = [
        Named::StrategicOffences,
        Named::CityWideServices,
        Named::EqualTreatment,
        Named::ReReferrals,
        Named::GoalAttainment,
        Named::Reports,
    ];

    /// Its name in paths.
    pub fn as_str(self) -> &'static str {
        match self {
            Named::StrategicOffences => "strategic-offences",
            Named::CityWideServices => "city-wide-services",
            Named::EqualTreatment => "equal-treatment",
            Named::ReReferrals => "re-referrals",
            Named::GoalAttainment => "goal-attainment",
            Named::Reports => "reports",
        }
    }

    /// The figure named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Named::ALL.into_iter().find(|named| named.as_str() == name)
    }

    /// What it shows.
    pub fn title(self) -> &'static str {
        match self {
            Named::StrategicOffences => "Strategic offences among the concerns of the children with a case received, boys and girls apart (the programme's definition: robbery, vehicle theft, violence or threats against a public official and obstruction of justice for boys; drug offences for girls; any: a child with several counts once)",
            Named::CityWideServices => "Use of each city-wide service: children referred to it, accepted, declined (and by reason), and whose intervention it reported started and ended (and how)",
            Named::EqualTreatment => "Equal treatment across districts (the child's home district): shares on time for each legal clock the figures hold — protection assessment on the day of receipt or the next, preliminary assessment within 14 days, investigation within 4 months — and days from receipt to the preliminary decision and to the first intervention's start",
            Named::ReReferrals => "Re-referral: of the children with a case closed in the period, those referred or reported again, or with a new case received, within 12 months after the closing (for closings less than 12 months ago, so far)",
            Named::GoalAttainment => "Goal attainment at follow-up by kind of intervention: children followed up and their mean attainment (−2 … +2, each child's own mean first)",
            Named::Reports => "Reports of concern by who reported (`directory`: sent from a unit in Lots) and whether the protection assessment found a need of protection at once",
        }
    }
}

/// The suppression rule, in words, for `minimum` children.
fn rule(minimum: u64) -> String {
    format!(
        "Every count is of distinct children and is shown only when {minimum} or more stand behind it; every other count, \
         none included, and every count that would let one be worked out from the other figures of the year and its \
         quarters (every breakdown, crossed pair and measure) is \"..\". A share is shown only where both its counts \
         are; a median is the mean of the {minimum} middle values, shown from {} children; the 90th percentile the \
         mean of the {minimum} values around it, from {} children.",
        2 * minimum,
        10 * minimum
    )
}

/// The share `part / whole` where both are shown.
fn share(part: Cell, whole: Cell) -> Value {
    match (part, whole) {
        (Cell::Count(part), Cell::Count(whole)) if whole > 0 => Some(part as f64 / whole as f64).into(),
        _ => Value::Withheld,
    }
}

fn median(statistic: Option<DaysStatistic>) -> Value {
    statistic.map(|statistic| statistic.median).into()
}

/// The named figure `named` for `period` (from `snapshot` if given).
pub async fn named(
    source: Source<'_>,
    named: Named,
    period: Period,
    snapshot: Option<i64>,
) -> Result<FigureTable, ActionError> {
    let (figures, at) = source.year(period.year(), snapshot).await?;
    let table = |group_columns: &[&str], value_columns: Vec<String>, rows: Vec<FigureRow>| FigureTable {
        figure: named.as_str().to_owned(),
        title: named.title().to_owned(),
        period: period.to_string(),
        minimum_children: source.minimum.max(projections::figures::MIN_CHILDREN),
        rule: rule(source.minimum.max(projections::figures::MIN_CHILDREN)),
        computed_at: at.clone(),
        group_columns: group_columns.iter().map(|column| (*column).to_owned()).collect(),
        value_columns,
        rows,
    };
    let names = |columns: &[&str]| columns.iter().map(|column| (*column).to_owned()).collect::<Vec<_>>();
    let total = || vec!["total".to_owned()];
    let cell = |measure: usize, by: &[Breakdown], group: &[String]| figures.cell(period, measure, by, group);
    Ok(match named {
        Named::StrategicOffences => {
            let rows = figures
                .strategic_offences(period)
                .rows
                .into_iter()
                .map(|row| FigureRow { group: vec![row.sex, row.offence], values: vec![row.children.into()] })
                .collect();
            table(&["sex", "offence"], names(&["children"]), rows)
        }
        Named::CityWideServices => {
            let units = projections::directory::units(source.db, true).await?;
            let declined = figures.labels(measure::DECLINED);
            let ended = figures.labels(measure::REFERRAL_ENDED);
            let mut columns = names(&["children referred", "accepted", "declined"]);
            columns.extend(declined.iter().map(|(reason, _)| format!("declined: {reason}")));
            columns.extend(names(&["intervention started", "intervention ended"]));
            columns.extend(ended.iter().map(|(outcome, _)| format!("ended: {outcome}")));
            let rows = units
                .into_iter()
                .filter(|unit| city_wide(&unit.kind))
                .map(|unit| {
                    let group = [unit.unit_id.clone()];
                    let by = [Breakdown::Unit];
                    let values: Vec<Value> = [measure::REFERRED, measure::ACCEPTED, measure::DECLINED]
                        .into_iter()
                        .chain(declined.iter().map(|(_, measure)| *measure))
                        .chain([measure::REFERRAL_STARTED, measure::REFERRAL_ENDED])
                        .chain(ended.iter().map(|(_, measure)| *measure))
                        .map(|measure| cell(measure, &by, &group).into())
                        .collect();
                    FigureRow { group: vec![unit.name, unit.kind, unit.unit_id], values }
                })
                .collect();
            table(&["service", "kind", "unit"], columns, rows)
        }
        Named::EqualTreatment => {
            let report = figures.answer(period, &[Breakdown::District]);
            let by = [Breakdown::District];
            let rows = report
                .groups
                .iter()
                .enumerate()
                .map(|(index, group)| FigureRow {
                    group: group.clone(),
                    values: vec![
                        cell(measure::RECEIVED, &by, group).into(),
                        share(cell(measure::PROTECTION_IN_TIME, &by, group), cell(measure::REPORTED, &by, group)),
                        share(cell(measure::DECIDED_IN_TIME, &by, group), cell(measure::DECIDED, &by, group)),
                        share(cell(measure::COMPLETED_IN_TIME, &by, group), cell(measure::COMPLETED, &by, group)),
                        median(report.days_to_decision[index]),
                        median(report.days_to_intervention_start[index]),
                    ],
                })
                .collect();
            let columns = names(&[
                "children with a case received",
                "share of reports with the protection assessment in time",
                "share of preliminary assessments within 14 days",
                "share of investigations within 4 months",
                "days to the preliminary decision (median)",
                "days to the first intervention's start (median)",
            ]);
            table(&["district"], columns, rows)
        }
        Named::ReReferrals => {
            let row = |by: &[Breakdown], group: Vec<String>, key: Vec<String>| {
                let (closed, again) = (cell(measure::CLOSED, by, &key), cell(measure::RE_REFERRED, by, &key));
                FigureRow { group, values: vec![closed.into(), again.into(), share(again, closed)] }
            };
            let mut rows = vec![row(&[], total(), Vec::new())];
            rows.extend(
                figures
                    .values(Breakdown::Sex)
                    .into_iter()
                    .map(|sex| row(&[Breakdown::Sex], vec![sex.clone()], vec![sex])),
            );
            let columns = names(&[
                "children with a case closed",
                "referred or reported again within 12 months",
                "share referred or reported again",
            ]);
            table(&["sex"], columns, rows)
        }
        Named::GoalAttainment => {
            let report = figures.answer(period, &[]);
            let (kinds, followed) = &report.followed_up_by_intervention_kind;
            let mut rows: Vec<FigureRow> = kinds
                .iter()
                .enumerate()
                .map(|(index, kind)| FigureRow {
                    group: vec![kind.clone()],
                    values: vec![
                        followed.cells[index].into(),
                        report.goal_attainment_by_intervention_kind[index].into(),
                    ],
                })
                .collect();
            rows.push(FigureRow {
                group: total(),
                values: vec![followed.total.into(), report.goal_attainment.first().copied().flatten().into()],
            });
            table(&["intervention kind"], names(&["children followed up", "mean goal attainment"]), rows)
        }
        Named::Reports => {
            let needed: BTreeMap<String, usize> = figures.labels(measure::PROTECTION_NEEDED).into_iter().collect();
            let mut rows: Vec<FigureRow> = figures
                .labels(measure::REPORTED)
                .into_iter()
                .map(|(reporter, reported)| {
                    let reported = cell(reported, &[], &[]);
                    let found = needed.get(&reporter).map_or(Cell::Masked, |measure| cell(*measure, &[], &[]));
                    FigureRow {
                        group: vec![reporter],
                        values: vec![reported.into(), found.into(), share(found, reported), Value::Withheld],
                    }
                })
                .collect();
            let (reported, found) = (cell(measure::REPORTED, &[], &[]), cell(measure::PROTECTION_NEEDED, &[], &[]));
            rows.push(FigureRow {
                group: total(),
                values: vec![
                    reported.into(),
                    found.into(),
                    share(found, reported),
                    share(cell(measure::PROTECTION_IN_TIME, &[], &[]), reported),
                ],
            });
            let columns = names(&[
                "children reported",
                "found in need of protection at once",
                "share found in need of protection",
                "share with the protection assessment in time",
            ]);
            table(&["reporter"], columns, rows)
        }
    })
}

/// Whether a unit of `kind` (as the directory names it) is one of the city-wide services.
fn city_wide(kind: &str) -> bool {
    serde_json::from_value::<UnitKind>(serde_json::Value::String(kind.to_owned()))
        .is_ok_and(UnitKind::is_city_wide_service)
}

/// A breakdown's answer as a table (one row per group and the total, one column per measure), for CSV.
pub fn breakdown_table(report: &OutcomeReport, at: &ComputedAt) -> FigureTable {
    let by = |index: usize| report.measures.iter().map(move |measure| Value::from(measure.counts.cells[index]));
    let mut rows: Vec<FigureRow> = report
        .groups
        .iter()
        .enumerate()
        .map(|(index, group)| FigureRow { group: group.clone(), values: by(index).collect() })
        .collect();
    let mut total = vec!["total".to_owned()];
    total.resize(report.breakdown.len().max(1), "total".to_owned());
    rows.push(FigureRow {
        group: total,
        values: report.measures.iter().map(|measure| measure.counts.total.into()).collect(),
    });
    let group_columns = if report.breakdown.is_empty() {
        vec!["group".to_owned()]
    } else {
        report.breakdown.iter().map(|attribute| attribute_name(*attribute)).collect()
    };
    FigureTable {
        figure: "outcomes".to_owned(),
        title: "Outcome figures by breakdown: distinct children per measure".to_owned(),
        period: report.period.clone(),
        minimum_children: report.minimum_children,
        rule: rule(report.minimum_children),
        computed_at: at.clone(),
        group_columns,
        value_columns: report.measures.iter().map(|measure| measure.name.clone()).collect(),
        rows,
    }
}

fn attribute_name(attribute: Breakdown) -> String {
    serde_json::to_value(attribute).ok().and_then(|value| value.as_str().map(str::to_owned)).unwrap_or_default()
}

/// A table as CSV (RFC 4180, comma-separated, UTF-8): header lines starting with `#` naming the figure, the
/// period, the rule and what the figures were computed from, then a row of column names and the rows.
pub fn csv(table: &FigureTable) -> Result<String, ActionError> {
    let mut header = String::new();
    for (key, value) in [
        ("figure", table.figure.as_str()),
        ("title", table.title.as_str()),
        ("period", table.period.as_str()),
        ("minimum children", &table.minimum_children.to_string()),
        ("rule", table.rule.as_str()),
        ("computed at", &computed_at_text(&table.computed_at)),
    ] {
        header.push_str(&format!("# {key}: {}\n", value.replace('\n', " ")));
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    let internal = |error: csv::Error| ActionError::Internal(Box::new(error));
    writer.write_record(table.group_columns.iter().chain(&table.value_columns)).map_err(internal)?;
    for row in &table.rows {
        let mut record = row.group.clone();
        record.resize(table.group_columns.len(), String::new());
        record.extend(row.values.iter().map(Value::text));
        writer.write_record(&record).map_err(internal)?;
    }
    let body = writer.into_inner().map_err(|error| ActionError::Internal(Box::new(error.into_error())))?;
    Ok(header + &String::from_utf8_lossy(&body))
}

fn computed_at_text(at: &ComputedAt) -> String {
    match at.snapshot {
        Some(snapshot) => format!("snapshot {snapshot} of the outcome figures, built as of {}", at.as_of),
        None => format!("the live outcome figures at {}", at.as_of),
    }
}

/// A case or referral behind a cell, with the log position of its last event the figures read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Traced {
    /// The case or referral.
    pub id: String,
    /// Its log position.
    pub position: i64,
}

/// The cases and referrals behind one shown cell of a breakdown — for a unit manager, those of their own unit;
/// for an auditor, all. A masked cell is traced for no one: a count of its cases would give it away.
pub async fn trace(
    source: Source<'_>,
    account: &Account,
    (period, by, measure_name, group): (Period, &[Breakdown], &str, &[String]),
    snapshot: Option<i64>,
) -> Result<(Vec<Traced>, ComputedAt), ActionError> {
    if !matches!(account.role, Role::UnitManager | Role::Auditor) {
        return Err(Refusal::Forbidden("only unit managers and auditors trace a figure to its cases".to_owned()).into());
    }
    let measure = MEASURES.iter().position(|name| *name == measure_name).ok_or_else(|| {
        Refusal::invalid(
            "measure",
            format!("{measure_name} is not a measure: the names are those of the answer's measures"),
        )
    })?;
    if group.len() != by.len() {
        return Err(Refusal::invalid("group", format!("give one value per attribute of by ({})", by.len())).into());
    }
    let (figures, at) = source.year(period.year(), snapshot).await?;
    if figures.cell(period, measure, by, group) == Cell::Masked {
        let message = "that cell is masked (or holds no child): it is traced for no one, for a list of its cases would give its count away";
        return Err(Refusal::Rule { rule: "CellMasked", message: message.to_owned() }.into());
    }
    let behind = match account.role {
        Role::Auditor => figures.trace(period, measure, by, group),
        _ => figures.trace_in_unit(period, measure, by, group, &account.unit.to_string()),
    };
    let mut traced: Vec<Traced> = behind.into_iter().map(|(id, position)| Traced { id, position }).collect();
    traced.sort_by(|a, b| (a.position, &a.id).cmp(&(b.position, &b.id)));
    traced.dedup();
    Ok((traced, at))
}
