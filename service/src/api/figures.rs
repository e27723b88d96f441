//! The outcome figures over HTTP: breakdowns, the programme's named figures, the cases behind a cell, the
//! snapshots — JSON, or CSV with `format=csv`. The figures themselves are `crate::actions::figures`'.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use projections::figures::{Breakdown, Period};
use projections::outcomes::{ComputedAt, OutcomeReport};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::actions::figures::{self, FigureTable, Named, Traced};
use crate::api::problem::Problem;
use crate::api::session::SignedIn;
use crate::api::views::{parse_date, query_of, ReadAfter};
use crate::state::AppState;

/// `format=json` (the default) or `format=csv`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// JSON.
    #[default]
    Json,
    /// CSV with a header naming the period, the rule and the log position.
    Csv,
}

/// `?period=2026-Q1&by=sex,concern` (or `from` and `to` that span exactly a calendar quarter or year).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("x-lots-exactly-one-of" = ["period", "from"]))]
pub struct OutcomeQuery {
    /// A calendar quarter (`2026-Q1`) or year (`2026`): periods are whole quarters or years, so that no two
    /// answers can be subtracted down to a few days' cases.
    #[schemars(regex(pattern = r"^[0-9]{4}(-Q[1-4])?$"), extend("examples" = ["2026-Q1"]))]
    period: Option<String>,
    /// Instead of `period`: its first day (with `to`; together exactly a calendar quarter or year).
    #[schemars(with = "Option<domain::calendar::IsoDate>")]
    from: Option<String>,
    /// Instead of `period`: its last day.
    #[schemars(with = "Option<domain::calendar::IsoDate>")]
    to: Option<String>,
    /// One attribute (`sex`, `age_band`, `district`, `concern`, `unit`) or two crossed, comma-separated
    /// (`sex,concern`; sex or age band with any other, and district with concern).
    #[schemars(regex(pattern = r"^[a-z_]+(,[a-z_]+)?$"), extend("examples" = ["sex,concern"]))]
    by: String,
    /// The figures as a snapshot held them (`GET /api/outcomes/snapshots`); the live view when left out.
    #[schemars(range(min = 1))]
    snapshot: Option<i64>,
    /// `json` (default) or `csv`.
    format: Option<Format>,
}

/// `?period=2026` (or `from` and `to` that span exactly a calendar quarter or year).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("x-lots-exactly-one-of" = ["period", "from"]))]
pub struct PeriodQuery {
    /// A calendar quarter (`2026-Q1`) or year (`2026`).
    #[schemars(regex(pattern = r"^[0-9]{4}(-Q[1-4])?$"), extend("examples" = ["2026"]))]
    period: Option<String>,
    /// Instead of `period`: its first day (with `to`; together exactly a calendar quarter or year).
    #[schemars(with = "Option<domain::calendar::IsoDate>")]
    from: Option<String>,
    /// Instead of `period`: its last day.
    #[schemars(with = "Option<domain::calendar::IsoDate>")]
    to: Option<String>,
    /// The figures as a snapshot held them; the live view when left out.
    #[schemars(range(min = 1))]
    snapshot: Option<i64>,
}

/// `?name=city-wide-services&period=2026`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("x-lots-exactly-one-of" = ["period", "from"]))]
pub struct FigureQuery {
    /// Which figure: `strategic-offences`, `city-wide-services`, `equal-treatment`, `re-referrals`,
    /// `goal-attainment` or `reports`.
    #[schemars(regex(pattern = r"^(strategic-offences|city-wide-services|equal-treatment|re-referrals|goal-attainment|reports)$"), extend("examples" = ["city-wide-services"]))]
    name: String,
    /// A calendar quarter (`2026-Q1`) or year (`2026`).
    #[schemars(regex(pattern = r"^[0-9]{4}(-Q[1-4])?$"), extend("examples" = ["2026"]))]
    period: Option<String>,
    /// Instead of `period`: its first day (with `to`; together exactly a calendar quarter or year).
    #[schemars(with = "Option<domain::calendar::IsoDate>")]
    from: Option<String>,
    /// Instead of `period`: its last day.
    #[schemars(with = "Option<domain::calendar::IsoDate>")]
    to: Option<String>,
    /// The figures as a snapshot held them; the live view when left out.
    #[schemars(range(min = 1))]
    snapshot: Option<i64>,
    /// `json` (default) or `csv`.
    format: Option<Format>,
}

/// `?period=2026&by=sex&measure=children with a case received&group=male`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TraceQuery {
    /// A calendar quarter (`2026-Q1`) or year (`2026`).
    #[schemars(regex(pattern = r"^[0-9]{4}(-Q[1-4])?$"), extend("examples" = ["2026"]))]
    period: String,
    /// The breakdown of the cell, as in `GET /api/outcomes`; left out for the total.
    #[schemars(regex(pattern = r"^[a-z_]+(,[a-z_]+)?$"), extend("examples" = ["sex"]))]
    by: Option<String>,
    /// The measure, by its name in the answer (`children with a case received`).
    #[schemars(extend("examples" = ["children with a case received"]))]
    measure: String,
    /// The group: one value per attribute of `by`, comma-separated (`male`, `male,robbery`).
    #[schemars(extend("examples" = ["male"]))]
    group: Option<String>,
    /// The figures as a snapshot held them; the live view when left out.
    #[schemars(range(min = 1))]
    snapshot: Option<i64>,
}

/// The cases and referrals behind a cell.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TraceAnswer {
    /// What the figures were computed from.
    computed_at: ComputedAt,
    /// The cases and referrals, with the log position of the last event the figures read of each.
    cases: Vec<Traced>,
}

/// A snapshot of the outcome figures.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SnapshotRow {
    /// Its number: ask with `snapshot=` this.
    snapshot: i64,
    /// The moment it was built as of.
    as_of: String,
    /// The view's digest at that moment.
    digest: String,
}

/// The period a query asks for, or the problem naming the field that is wrong.
fn period_of(period: &Option<String>, from: &Option<String>, to: &Option<String>) -> Result<Period, Problem> {
    let whole = "periods are whole calendar quarters or years: period=2026-Q1 or period=2026 (or from and to spanning exactly one)";
    match (period, from, to) {
        (Some(period), None, None) => Period::parse(period).ok_or_else(|| Problem::invalid("period", whole)),
        (None, Some(from), Some(to)) => {
            let (from, to) = (parse_date("from", from)?, parse_date("to", to)?);
            if to < from {
                return Err(Problem::invalid("to", "to must not be before from"));
            }
            Period::spanning(from, to).ok_or_else(|| Problem::invalid("from", whole))
        }
        (None, Some(_), None) => Err(Problem::invalid("to", "give to with from, or ask for a period")),
        (None, None, Some(_)) => Err(Problem::invalid("from", "give from with to, or ask for a period")),
        (None, None, None) => Err(Problem::invalid("period", "ask for a period: period=2026-Q1 or period=2026")),
        (Some(_), _, _) => Err(Problem::invalid("period", "ask for a period, or give from and to, not both")),
    }
}

/// The breakdown a query asks for: one attribute, or two that may be crossed.
fn breakdown_of(by: &str) -> Result<Vec<Breakdown>, Problem> {
    let names = "sex, age_band, district, concern or unit";
    let attributes = by
        .split(',')
        .map(|name| {
            serde_json::from_value::<Breakdown>(serde_json::Value::String(name.to_owned()))
                .map_err(|_| Problem::invalid("by", format!("{name} is not a breakdown: one of {names}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    match attributes.as_slice() {
        [_] => Ok(attributes),
        [first, second] if projections::figures::crossable(*first, *second) => Ok(attributes),
        [_, _] => Err(Problem::invalid(
            "by",
            "these two are not crossed: sex or age_band cross with any other, and district with concern",
        )),
        _ => Err(Problem::invalid("by", "one attribute, or two crossed (by=sex,concern)")),
    }
}

/// A table as CSV, named for saving.
fn csv_answer(table: &FigureTable) -> Result<Response, Problem> {
    let body = figures::csv(table)?;
    let file = format!("attachment; filename=\"lots-{}-{}.csv\"", table.figure, table.period);
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, file),
        ],
        body,
    )
        .into_response())
}

/// `GET /api/outcomes`: aggregates only, small cells suppressed; open to every role but administrators.
pub(crate) async fn outcomes(
    State(state): State<Arc<AppState>>,
    _after: ReadAfter,
    query: Result<Query<OutcomeQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    let query = query_of(query)?;
    let period = period_of(&query.period, &query.from, &query.to)?;
    let breakdown = breakdown_of(&query.by)?;
    let (mut report, at): (OutcomeReport, ComputedAt) =
        figures::breakdown(state.figures(), period, &breakdown, query.snapshot).await?;
    if query.format == Some(Format::Csv) {
        return csv_answer(&figures::breakdown_table(&report, &at));
    }
    report.computed_at = Some(at);
    Ok(Json(report).into_response())
}

/// `GET /api/outcomes/strategic-offences`: the programme's strategic offences among the concerns, boys and girls
/// apart, masked like every outcome figure of the year.
pub(crate) async fn strategic_offences(
    State(state): State<Arc<AppState>>,
    _after: ReadAfter,
    query: Result<Query<PeriodQuery>, QueryRejection>,
) -> Result<Json<projections::figures::StrategicOffences>, Problem> {
    let query = query_of(query)?;
    let period = period_of(&query.period, &query.from, &query.to)?;
    Ok(Json(figures::strategic_offences(state.figures(), period, query.snapshot).await?.0))
}

/// `GET /api/outcomes/figure`: one of the programme's named figures as a table.
pub(crate) async fn figure(
    State(state): State<Arc<AppState>>,
    _after: ReadAfter,
    query: Result<Query<FigureQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    let query = query_of(query)?;
    let named = Named::parse(&query.name).ok_or_else(|| {
        let names: Vec<&str> = Named::ALL.iter().map(|named| named.as_str()).collect();
        Problem::invalid("name", format!("{} is not a figure: one of {}", query.name, names.join(", ")))
    })?;
    let period = period_of(&query.period, &query.from, &query.to)?;
    let table = figures::named(state.figures(), named, period, query.snapshot).await?;
    if query.format == Some(Format::Csv) {
        return csv_answer(&table);
    }
    Ok(Json(table).into_response())
}

/// `GET /api/outcomes/trace`: the cases behind a shown cell, for unit managers (their unit's) and auditors.
pub(crate) async fn trace(
    State(state): State<Arc<AppState>>,
    signed_in: SignedIn,
    _after: ReadAfter,
    query: Result<Query<TraceQuery>, QueryRejection>,
) -> Result<Json<TraceAnswer>, Problem> {
    let query = query_of(query)?;
    let period = period_of(&Some(query.period.clone()), &None, &None)?;
    let breakdown = match &query.by {
        Some(by) => breakdown_of(by)?,
        None => Vec::new(),
    };
    let group: Vec<String> = match &query.group {
        Some(group) => group.split(',').map(str::to_owned).collect(),
        None => Vec::new(),
    };
    let cell = (period, breakdown.as_slice(), query.measure.as_str(), group.as_slice());
    let (cases, computed_at) = figures::trace(state.figures(), &signed_in.account, cell, query.snapshot).await?;
    Ok(Json(TraceAnswer { computed_at, cases }))
}

/// `GET /api/outcomes/snapshots`: the snapshots of the outcome figures, newest first.
pub(crate) async fn snapshots(State(state): State<Arc<AppState>>) -> Result<Json<Vec<SnapshotRow>>, Problem> {
    let rows = figures::snapshots(&state.db).await?;
    Ok(Json(rows.into_iter().map(|(snapshot, as_of, digest)| SnapshotRow { snapshot, as_of, digest }).collect()))
}
