//! The read models over HTTP: a unit's caseload, deadlines, inbox and outbox, the outcome figures, and for
//! auditors and managers the case timeline, a case's state as of a moment, and the access review. Every read of
//! case content goes through access control and into the access log first.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::Json;
use domain::ids::{CaseId, UnitId};
use projections::queries::{self, CaseloadRow, CaseloadSummary, DeadlineRow, ReferralRow};
use projections::replay::AsOf;
use projections::timeline::TimelineEntry;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::actions::reads::{CaseRead, Reader};
use crate::api::problem::Problem;
use crate::api::session::{SignedIn, REASON_HEADER};
use crate::state::AppState;

pub(crate) fn parse_date(field: &str, text: &str) -> Result<Date, Problem> {
    Date::parse(text, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|_| Problem::invalid(field, format!("{field} must be a date of the form YYYY-MM-DD")))
}

fn today(given: Option<&str>) -> Result<Date, Problem> {
    match given {
        Some(text) => parse_date("today", text),
        None => Ok(crate::clock::today_in_stockholm()),
    }
}

/// The query string, or a 422 problem naming what is wrong with it.
pub(crate) fn query_of<T>(query: Result<Query<T>, QueryRejection>) -> Result<T, Problem> {
    query.map(|Query(query)| query).map_err(|rejection| Problem::invalid("query", rejection.body_text()))
}

/// `?limit=100&cursor=…`: one page of a list.
fn paging(cursor: Option<String>, limit: Option<i64>) -> Result<queries::Paging, Problem> {
    let limit = limit.unwrap_or(queries::PAGE_DEFAULT as i64);
    if !(1..=queries::PAGE_MAX as i64).contains(&limit) {
        return Err(Problem::invalid("limit", format!("limit must be 1 to {}", queries::PAGE_MAX)));
    }
    if let Some(cursor) = &cursor {
        if !queries::valid_cursor(cursor) {
            return Err(Problem::invalid("cursor", "give the next_cursor of the page before, as it was answered"));
        }
    }
    Ok(queries::Paging { cursor, limit: limit as usize })
}

/// `GET /api/caseload`: which open cases, in what order, which page.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseloadQuery {
    /// The day to judge deadlines by (YYYY-MM-DD); today in Stockholm when left out.
    #[schemars(with = "Option<domain::calendar::IsoDate>")]
    today: Option<String>,
    /// `received` (oldest first, the default) or `next_deadline` (nearest first, overdue ones first of all).
    sort: Option<queries::CaseloadOrder>,
    /// Only cases in this phase (`intake`, `investigation_decided`, `investigating`, `intervention`, …).
    #[schemars(extend("examples" = ["intake"]))]
    phase: Option<String>,
    /// Only this responsible worker's cases (a user id), or `none` for cases without one.
    #[schemars(extend("examples" = ["none"]))]
    worker: Option<String>,
    /// Only cases with a deadline overdue.
    overdue: Option<bool>,
    /// The `next_cursor` of the page before.
    #[schemars(extend("examples" = ["2026-11-20 01JD0000000000000000000001"]))]
    cursor: Option<String>,
    /// At most this many rows, 1 to 500 (100 when left out).
    #[schemars(range(min = 1, max = 500))]
    limit: Option<i64>,
}

/// `GET /api/deadlines`: which deadlines, which page.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeadlineQuery {
    /// The day to judge deadlines by (YYYY-MM-DD); today in Stockholm when left out.
    #[schemars(with = "Option<domain::calendar::IsoDate>")]
    today: Option<String>,
    /// How many days ahead, 0 to 366 (7 when left out); overdue ones are always included.
    #[schemars(range(min = 0, max = 366))]
    within: Option<i64>,
    /// Only this responsible worker's deadlines (a user id).
    #[schemars(with = "Option<domain::ids::UserId>")]
    worker: Option<String>,
    /// The `next_cursor` of the page before.
    #[schemars(extend("examples" = ["2026-11-20 01 01JD0000000000000000000001 _"]))]
    cursor: Option<String>,
    /// At most this many rows, 1 to 500 (100 when left out).
    #[schemars(range(min = 1, max = 500))]
    limit: Option<i64>,
}

/// `GET /api/inbox` and `/api/outbox`: which referrals, which page.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralListQuery {
    /// The day to count waiting days to (YYYY-MM-DD); today in Stockholm when left out.
    #[schemars(with = "Option<domain::calendar::IsoDate>")]
    today: Option<String>,
    /// Only referrals in this status (`sent`, `received`, `on_hold`, `accepted`, `declined`, …).
    #[schemars(extend("examples" = ["received"]))]
    status: Option<String>,
    /// The `next_cursor` of the page before.
    #[schemars(extend("examples" = ["2026-11-20 01JD0000000000000000000001"]))]
    cursor: Option<String>,
    /// At most this many rows, 1 to 500 (100 when left out).
    #[schemars(range(min = 1, max = 500))]
    limit: Option<i64>,
}

/// A page of a unit's caseload: its open cases, and the summary by worker and phase over all of them.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CaseloadAnswer {
    cases: Vec<CaseloadRow>,
    summary: Vec<CaseloadSummary>,
    /// Give it as `cursor` for the cases after these; none when there are no more.
    next_cursor: Option<String>,
}

/// A read of one of the signed-in user's unit's views: signed in, and the views caught up with `X-Lots-After`
/// when it is sent.
pub(crate) struct UnitView {
    unit: String,
}

impl FromRequestParts<Arc<AppState>> for UnitView {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let signed_in = SignedIn::from_request_parts(parts, state).await?;
        ReadAfter::from_request_parts(parts, state).await?;
        Ok(Self { unit: signed_in.account.unit.to_string() })
    }
}

/// `GET /api/caseload`: a page of the signed-in user's unit's open cases.
pub(crate) async fn caseload(
    State(state): State<Arc<AppState>>,
    view: UnitView,
    query: Result<Query<CaseloadQuery>, QueryRejection>,
) -> Result<Json<CaseloadAnswer>, Problem> {
    let query = query_of(query)?;
    let worker = match query.worker.as_deref() {
        None => None,
        Some("none") => Some(None),
        Some(worker) => Some(Some(
            worker
                .parse::<domain::ids::UserId>()
                .map_err(|_| Problem::invalid("worker", "worker is a user id, or none"))?
                .to_string(),
        )),
    };
    let filter = queries::CaseloadFilter { phase: query.phase, worker, overdue: query.overdue.unwrap_or(false) };
    let paging = paging(query.cursor, query.limit)?;
    let order = query.sort.unwrap_or_default();
    let today = today(query.today.as_deref())?;
    let (page, summary) = queries::caseload_page(&state.db, &view.unit, today, (order, &filter), &paging).await?;
    Ok(Json(CaseloadAnswer { cases: page.items, summary, next_cursor: page.next_cursor }))
}

/// `GET /api/deadlines?within=7`: a page of the unit's deadlines due within so many days, overdue ones included.
pub(crate) async fn deadlines(
    State(state): State<Arc<AppState>>,
    view: UnitView,
    query: Result<Query<DeadlineQuery>, QueryRejection>,
) -> Result<Json<queries::Page<DeadlineRow>>, Problem> {
    let query = query_of(query)?;
    let within = query.within.unwrap_or(7);
    if !(0..=366).contains(&within) {
        return Err(Problem::invalid("within", "within must be 0 to 366 days"));
    }
    let worker = match query.worker.as_deref() {
        Some(worker) => Some(
            worker
                .parse::<domain::ids::UserId>()
                .map_err(|_| Problem::invalid("worker", "worker is a user id"))?
                .to_string(),
        ),
        None => None,
    };
    let paging = paging(query.cursor, query.limit)?;
    let today = today(query.today.as_deref())?;
    let page = queries::deadlines_page(&state.db, &view.unit, today, (within, worker.as_deref()), &paging).await?;
    Ok(Json(page))
}

/// `GET /api/inbox`: a page of the referrals sent to the user's unit, the longest waiting first.
pub(crate) async fn inbox(
    State(state): State<Arc<AppState>>,
    view: UnitView,
    query: Result<Query<ReferralListQuery>, QueryRejection>,
) -> Result<Json<queries::Page<ReferralRow>>, Problem> {
    let query = query_of(query)?;
    let paging = paging(query.cursor, query.limit)?;
    let today = today(query.today.as_deref())?;
    Ok(Json(queries::inbox_page(&state.db, &view.unit, today, &paging, query.status.as_deref()).await?))
}

/// `GET /api/outbox`: a page of the referrals sent by the user's unit, oldest first.
pub(crate) async fn outbox(
    State(state): State<Arc<AppState>>,
    view: UnitView,
    query: Result<Query<ReferralListQuery>, QueryRejection>,
) -> Result<Json<queries::Page<ReferralRow>>, Problem> {
    let query = query_of(query)?;
    let paging = paging(query.cursor, query.limit)?;
    let today = today(query.today.as_deref())?;
    Ok(Json(queries::outbox_page(&state.db, &view.unit, today, &paging, query.status.as_deref()).await?))
}

/// The longest reason for a read outside one's unit, in characters.
pub const MAX_REASON_CHARS: usize = 500;

/// The reason stated in `X-Lots-Reason`, if any: UTF-8 (a reason is written in Swedish), at most
/// [`MAX_REASON_CHARS`] characters, blank meaning none.
pub(crate) fn stated_reason(headers: &HeaderMap) -> Result<Option<&str>, Problem> {
    let Some(value) = headers.get(REASON_HEADER) else { return Ok(None) };
    let reason = std::str::from_utf8(value.as_bytes())
        .map_err(|_| Problem::invalid("X-Lots-Reason", "the reason must be UTF-8 text"))?
        .trim();
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(Problem::invalid(
            "X-Lots-Reason",
            format!("the reason may be at most {MAX_REASON_CHARS} characters"),
        ));
    }
    Ok(Some(reason).filter(|reason| !reason.is_empty()))
}

/// What is read of a case, as the access log names it.
pub(crate) trait ReadKind {
    /// The name in the access log.
    const WHAT: &'static str;
}

macro_rules! read_kinds {
    ($($(#[doc = $doc:literal])* $name:ident => $what:literal;)+) => {
        $($(#[doc = $doc])* pub(crate) struct $name;
        impl ReadKind for $name {
            const WHAT: &'static str = $what;
        })+
    };
}

read_kinds! {
    /// The case's summary (`GET /api/cases/{id}`).
    ReadsCase => "case";
    /// The case file with its texts.
    ReadsJournal => "journal";
    /// The subject's identity.
    ReadsIdentity => "identity";
    /// The consents about the subject.
    ReadsConsents => "consents";
    /// The case's history.
    ReadsTimeline => "timeline";
}

/// Access control and the access log for a read of case `case`'s content, the one prologue of every such read.
async fn open_case(
    parts: &mut Parts,
    state: &Arc<AppState>,
    signed_in: &SignedIn,
    case: CaseId,
    what: &str,
) -> Result<CaseRead, Problem> {
    let reason = stated_reason(&parts.headers)?;
    let client = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(client)| client.ip().to_string());
    let reader = Reader { account: &signed_in.account, reason, client_address: client.as_deref() };
    Ok(crate::actions::reads::open_case(state.handles(), reader, case, what).await?)
}

/// A case whose content the signed-in user may read, the read recorded in the access log before the handler
/// runs: a handler that takes it can forget neither the access control nor the log. The case is the path's
/// `id`; a bad id or a refusal answers "not found", as a case that does not exist.
pub(crate) struct CaseContent<K> {
    /// The case, its summary and how the read was allowed.
    pub(crate) read: CaseRead,
    /// Who reads.
    pub(crate) signed_in: SignedIn,
    kind: std::marker::PhantomData<K>,
}

/// The case id of the path, or "not found".
async fn path_case(parts: &mut Parts, state: &Arc<AppState>) -> Result<CaseId, Problem> {
    let Path(id) = Path::<String>::from_request_parts(parts, state).await.map_err(|_| Problem::not_found("case"))?;
    CaseId::parse(&id).map_err(|_| Problem::not_found("case"))
}

impl<K: ReadKind + Send> FromRequestParts<Arc<AppState>> for CaseContent<K> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let signed_in = SignedIn::from_request_parts(parts, state).await?;
        ReadAfter::from_request_parts(parts, state).await?;
        let case = path_case(parts, state).await?;
        let read = open_case(parts, state, &signed_in, case, K::WHAT).await?;
        Ok(Self { read, signed_in, kind: std::marker::PhantomData })
    }
}

/// `GET /api/cases/{id}/timeline`: every event of a case and its referrals, for its unit and (with a reason)
/// auditors.
pub(crate) async fn timeline(
    State(state): State<Arc<AppState>>,
    content: CaseContent<ReadsTimeline>,
) -> Result<Json<Vec<TimelineEntry>>, Problem> {
    Ok(Json(projections::timeline::case_timeline(&state.db, &content.read.case.to_string()).await?))
}

/// `?position=N` or `?as_of=RFC3339`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("x-lots-exactly-one-of" = ["position", "as_of"]))]
pub struct AsOfQuery {
    /// A log position; give exactly one of `position` and `as_of`.
    position: Option<i64>,
    /// A moment (RFC 3339, e.g. 2026-04-30T23:59:59Z); give exactly one of `position` and `as_of`.
    as_of: Option<String>,
}

/// A case's state as of a moment, replayed from the log.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CaseStateAnswer {
    phase: domain::case::CasePhase,
    unit: Option<String>,
    responsible: Option<String>,
    #[schemars(with = "Option<domain::calendar::IsoDate>")]
    received_on: Option<Date>,
    #[schemars(with = "Option<domain::calendar::IsoDate>")]
    investigation_due_on: Option<Date>,
    active_interventions: usize,
    #[schemars(with = "Option<domain::calendar::IsoDate>")]
    closed_on: Option<Date>,
}

/// A case's state as of a moment: the query checked, then the case opened for reading like any other content
/// ("state as of a moment" in the access log), so a request refused for its query leaves no trace.
pub(crate) struct CaseAsOf {
    case: CaseId,
    as_of: AsOf,
}

impl FromRequestParts<Arc<AppState>> for CaseAsOf {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let signed_in = SignedIn::from_request_parts(parts, state).await?;
        ReadAfter::from_request_parts(parts, state).await?;
        let query = query_of(Query::<AsOfQuery>::from_request_parts(parts, state).await)?;
        let case = path_case(parts, state).await?;
        let as_of = match (query.position, query.as_of.as_deref()) {
            (Some(position), None) => AsOf::Position(position),
            (None, Some(text)) => {
                let moment = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                    .map_err(|_| Problem::invalid("as_of", "as_of must be a moment such as 2026-04-30T23:59:59Z"))?;
                AsOf::RecordedAt((moment.unix_timestamp_nanos() / 1000) as i64)
            }
            _ => return Err(Problem::invalid("position", "give exactly one of position and as_of")),
        };
        open_case(parts, state, &signed_in, case, "state as of a moment").await?;
        Ok(Self { case, as_of })
    }
}

/// `GET /api/cases/{id}/state?position=N|as_of=…`: what the case was at that moment.
pub(crate) async fn state_as_of(
    State(state): State<Arc<AppState>>,
    CaseAsOf { case, as_of }: CaseAsOf,
) -> Result<Json<CaseStateAnswer>, Problem> {
    let case_state = projections::timeline::case_state_as_of(&state.db, &case.to_string(), as_of).await?;
    Ok(Json(CaseStateAnswer {
        phase: case_state.phase,
        unit: case_state.unit.map(|unit| unit.to_string()),
        responsible: case_state.responsible.map(|user| user.to_string()),
        received_on: case_state.received_on,
        investigation_due_on: case_state.investigation.as_ref().map(|investigation| investigation.due_on),
        active_interventions: case_state
            .interventions
            .values()
            .filter(|i| i.status != domain::case::InterventionStatus::Ended)
            .count(),
        closed_on: case_state.closed_on,
    }))
}

/// The access review's filters: auditors choose the unit (every unit when none is named), unit managers see their
/// own; `user`, `subject` ("who has read this child"), the period `from`–`to` (RFC 3339 moments), only the
/// `unusual` reads; paged by `after` (the previous page's `next_after`) and `limit` (1 to 500, default 100).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewQuery {
    unit: Option<UnitId>,
    user: Option<domain::ids::UserId>,
    subject: Option<domain::ids::SubjectId>,
    from: Option<String>,
    to: Option<String>,
    unusual: Option<bool>,
    after: Option<i64>,
    limit: Option<usize>,
}

fn moment_micros(field: &str, text: Option<&str>) -> Result<Option<i64>, Problem> {
    text.map(|text| {
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
            .map(|moment| (moment.unix_timestamp_nanos() / 1000) as i64)
            .map_err(|_| Problem::invalid(field, format!("{field} must be a moment such as 2026-04-30T23:59:59Z")))
    })
    .transpose()
}

/// `GET /api/access-review`: who read which case when and why, for unit managers (their unit) and auditors (any
/// unit, or all): each read with the reader's name and role and the stated reason opened, paged.
pub(crate) async fn access_review(
    State(state): State<Arc<AppState>>,
    signed_in: SignedIn,
    _after: ReadAfter,
    query: Result<Query<ReviewQuery>, QueryRejection>,
) -> Result<Json<crate::actions::reads::ReviewPage>, Problem> {
    let query = query_of(query)?;
    let review = crate::actions::reads::ReviewQuery {
        unit: query.unit,
        user: query.user,
        subject: query.subject,
        from: moment_micros("from", query.from.as_deref())?,
        to: moment_micros("to", query.to.as_deref())?,
        unusual: query.unusual.unwrap_or(false),
        after: query.after,
        limit: query.limit,
    };
    Ok(Json(crate::actions::reads::review(state.handles(), &signed_in.account, review).await?))
}

/// The header a client sends with a read to see its own write: the `written` token of a command's answer.
pub const AFTER_HEADER: &str = "x-lots-after";

/// "Read after my write": with `X-Lots-After`, the read waits (five seconds at most, else 503) until every
/// projection includes the log up to that point; without it, the read answers from the views as they stand.
#[derive(Debug, Clone, Copy)]
pub struct ReadAfter;

impl axum::extract::FromRequestParts<Arc<AppState>> for ReadAfter {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(AFTER_HEADER) else { return Ok(ReadAfter) };
        let cursor: projections::feed::FeedCursor = value
            .to_str()
            .ok()
            .and_then(|text| text.parse().ok())
            .ok_or_else(|| Problem::invalid("X-Lots-After", projections::feed::InvalidCursor.to_string()))?;
        // A position beyond the log's head was never answered to anyone: refused at once, not waited for.
        let (epoch, position) = projections::feed::head(&state.db).await?;
        if cursor.epoch > epoch || cursor.position > position {
            return Err(Problem::invalid(
                "X-Lots-After",
                "no write stands at this position: send the `written` of a command's answer",
            ));
        }
        for projection in projections::all() {
            let caught_up =
                projections::runner::wait_for(&state.db, projection.name(), cursor, std::time::Duration::from_secs(5))
                    .await?;
            if !caught_up {
                return Err(Problem::behind(projection.name()));
            }
        }
        Ok(ReadAfter)
    }
}
