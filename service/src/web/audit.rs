//! The auditors' pages: `/audit/cases/{id}` replays a case's history — who, in which role and unit, what, the day
//! it happened and the moment it was recorded — and shows the case as it stood after any event (`?position=`, a
//! place in the log, or `?as_of=`, a moment), stepping backwards and forwards. The auditor states the reason once:
//! it opens the case (checked and written to the access log with it), is shown on every page of the audit and is
//! carried along its links; a reason stated today covers the case for the rest of the day, as for every reader.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::pages::{failed, not_found, reason_form, recorded_at, render_checked, unit_names, usernames};
use super::{render, short, Reader};
use crate::actions::{ActionError, Refusal};
use crate::state::AppState;
use projections::replay::AsOf;

page!(AuditCasePage, "audit_case.html", {
    errors: Vec<super::FieldError>,
    reason: String,
    banner: String,
    shown: usize,
    total: usize,
    entries: Vec<AuditLine>,
    phase: String,
    worker: String,
    interventions: Vec<String>,
    previous: Option<String>,
    next: Option<String>,
    now: Option<String>,
    position: String,
    as_of: String,
    as_of_error: Option<String>,
});

/// An event of the history as the auditor reads it.
pub(super) struct AuditLine {
    position: i64,
    what: String,
    who: String,
    role: String,
    unit: String,
    occurred_on: String,
    recorded: String,
    /// Where the state shown stands.
    current: bool,
    /// The case as it stood after this event.
    link: String,
}

/// `GET /audit/cases/{id}`'s query.
#[derive(Debug, Default, Deserialize)]
pub(super) struct AuditQuery {
    reason: Option<String>,
    position: Option<i64>,
    as_of: Option<String>,
}

/// `GET /audit/cases/{id}`: for auditors, the case's history and its state as of a place in the log or a moment.
pub(super) async fn audit_case(
    State(state): State<Arc<AppState>>,
    reader: Reader,
    Path(id): Path<String>,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Response {
    let t = reader.t();
    let m = t.more;
    if reader.account.role != domain::command::Role::Auditor {
        let page = super::pages::MessagePage { frame: reader.frame(m.audit_title, "/"), text: m.audit_only.to_owned() };
        return (StatusCode::FORBIDDEN, render(&page, reader.lang)).into_response();
    }
    let here = format!("/audit/cases/{id}");
    let Ok(case) = id.parse::<domain::ids::CaseId>() else { return not_found(&reader) };
    let query = query.map(|Query(query)| query).unwrap_or_default();
    let reason = query.reason.as_deref().map(str::trim).unwrap_or_default().to_owned();
    let who = crate::actions::reads::Reader {
        account: &reader.account,
        reason: Some(reason.as_str()).filter(|reason| !reason.is_empty()),
        client_address: reader.client_address.as_deref(),
    };
    match crate::actions::reads::open_case(state.handles(), who, case, "audit: history").await {
        Ok(_) => {}
        Err(ActionError::Refused(Refusal::NotFound(_))) if reason.is_empty() => {
            return reason_form(&reader, &here, String::new(), None)
        }
        Err(ActionError::Refused(Refusal::Invalid { message, .. })) => {
            return reason_form(&reader, &here, reason, Some(message))
        }
        Err(ActionError::Refused(_)) => return not_found(&reader),
        Err(error) => return failed(reader.lang, error),
    }
    let timeline = match projections::timeline::case_timeline(&state.db, &id).await {
        Ok(timeline) => timeline,
        Err(error) => return failed(reader.lang, error),
    };
    // Where the state is shown: a place in the log, a moment, or now.
    let mut as_of_error = None;
    let moment = match query.as_of.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
        None => None,
        Some(text) => match time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339) {
            Ok(moment) => Some((moment.unix_timestamp_nanos() / 1000) as i64),
            Err(_) => {
                as_of_error = Some(m.as_of_wrong.to_owned());
                None
            }
        },
    };
    let as_of = match (query.position, moment) {
        (Some(position), _) => Some(AsOf::Position(position)),
        (None, Some(micros)) => Some(AsOf::RecordedAt(micros)),
        (None, None) => None,
    };
    let within = |entry: &projections::timeline::TimelineEntry| match as_of {
        Some(AsOf::Position(position)) => entry.position <= position,
        Some(AsOf::RecordedAt(micros)) => entry.recorded_at_micros <= micros,
        None => true,
    };
    let shown = timeline.iter().filter(|entry| within(entry)).count();
    let replayed = match as_of {
        Some(as_of) => projections::timeline::case_state_as_of(&state.db, &id, as_of).await,
        None => projections::timeline::case_state_as_of(&state.db, &id, AsOf::Position(i64::MAX)).await,
    };
    let case_then = match replayed {
        Ok(case) => case,
        Err(error) => return failed(reader.lang, error),
    };
    let names = usernames(
        &state,
        timeline
            .iter()
            .filter_map(|entry| entry.actor_user.as_deref())
            .chain(case_then.responsible.map(|user| user.to_string()).as_deref()),
    )
    .await;
    let units = unit_names(&state).await;
    let carry = |position: i64| format!("{here}?reason={}&position={position}", super::pages::encode(&reason));
    let entries: Vec<AuditLine> = timeline
        .iter()
        .take(shown)
        .enumerate()
        .map(|(index, entry)| AuditLine {
            position: entry.position,
            what: t.event(&entry.event_type),
            who: entry
                .actor_user
                .as_deref()
                .map(|user| names.get(user).cloned().unwrap_or_else(|| short(user)))
                .unwrap_or_default(),
            role: entry.actor_role.as_deref().map(|role| t.role(role)).unwrap_or_default(),
            unit: entry
                .actor_unit
                .as_deref()
                .map(|unit| units.get(unit).cloned().unwrap_or_else(|| short(unit)))
                .unwrap_or_default(),
            occurred_on: entry.occurred_on.clone(),
            recorded: recorded_at(entry.recorded_at_micros),
            current: as_of.is_some() && index + 1 == shown,
            link: carry(entry.position),
        })
        .collect();
    let at = |index: usize| timeline.get(index).map(|entry| carry(entry.position));
    let (previous, next) = match as_of {
        None => (None, None),
        Some(_) => (shown.checked_sub(2).and_then(at), at(shown)),
    };
    let banner = match (as_of, entries.last()) {
        (None, _) => m.audit_now.to_owned(),
        (Some(_), None) => m.audit_before.to_owned(),
        (Some(_), Some(last)) => format!(
            "{} {} {} {}: {}, {} {} ({} {})",
            m.audit_at,
            shown,
            m.of,
            timeline.len(),
            last.what,
            t.recorded,
            last.recorded,
            m.log_position,
            last.position
        ),
    };
    let worker = case_then
        .responsible
        .map(|user| names.get(&user.to_string()).cloned().unwrap_or_else(|| short(&user.to_string())))
        .unwrap_or_else(|| t.no_worker.to_owned());
    let interventions = case_then
        .interventions
        .iter()
        .map(|(intervention, facts)| {
            format!(
                "{} – {} ({})",
                super::pages::words_of(m.kinds, &super::pages::snake(&facts.kind)),
                super::pages::words_of(m.intervention_statuses, &super::pages::snake(&facts.status)),
                short(&intervention.to_string())
            )
        })
        .collect();
    let mut frame = reader.frame(format!("{} {}", m.audit_title, short(&id)), here.clone());
    frame.has_errors = as_of_error.is_some();
    let page = AuditCasePage {
        frame,
        errors: as_of_error
            .iter()
            .map(|message| super::FieldError { field: "as_of".to_owned(), message: message.clone() })
            .collect(),
        reason: reason.clone(),
        banner,
        shown,
        total: timeline.len(),
        entries,
        phase: t.phase(&super::pages::snake(&case_then.phase)),
        worker,
        interventions,
        previous,
        next,
        now: as_of.map(|_| format!("{here}?reason={}", super::pages::encode(&reason))),
        position: query.position.map(|position| position.to_string()).unwrap_or_default(),
        as_of: query.as_of.unwrap_or_default(),
        as_of_error,
    };
    render_checked(&page, page.has_errors, reader.lang)
}

page!(VerifyPage, "verify.html", {
    runs: Vec<RunLine>,
    failed: Option<String>,
    running: bool,
    started: bool,
    too_soon: bool,
    seal_index: i64,
    seal_hash: String,
    fingerprint: String,
});

/// A verification run as a line of the list.
pub(super) struct RunLine {
    ok: bool,
    finished_at: String,
    requested_by: String,
    events: String,
    access: String,
}

/// `GET /audit/verify`'s query.
#[derive(Debug, Default, Deserialize)]
pub(super) struct VerifyQuery {
    #[serde(default)]
    started: bool,
    #[serde(default)]
    too_soon: bool,
}

/// `GET /audit/verify`: for auditors, the last verifications of the log and the access log with their reports, the
/// seal head and the public key's fingerprint, and a button that starts a run. The latest run failed: an alert
/// (`role="alert"`) names the first event or access-log entry that does not match — in words, never by colour alone.
pub(super) async fn verify(
    State(state): State<Arc<AppState>>,
    reader: Reader,
    query: Result<Query<VerifyQuery>, QueryRejection>,
) -> Response {
    let t = reader.t();
    let m = t.more;
    if reader.account.role != domain::command::Role::Auditor {
        let page =
            super::pages::MessagePage { frame: reader.frame(m.verify_title, "/"), text: m.audit_only.to_owned() };
        return (StatusCode::FORBIDDEN, render(&page, reader.lang)).into_response();
    }
    let query = query.map(|Query(query)| query).unwrap_or_default();
    let runs = match crate::audit::recent(&state.db, 10).await {
        Ok(runs) => runs,
        Err(error) => return failed(reader.lang, error),
    };
    let head = match crate::event_log::seal::seal_head(&state.db).await {
        Ok(head) => head,
        Err(error) => return failed(reader.lang, error),
    };
    let names = usernames(&state, runs.iter().filter_map(|run| run.requested_by.as_deref())).await;
    let failed_run = runs.first().filter(|run| !run.ok).map(|run| {
        let first = run.log.mismatch.clone().or_else(|| run.access_log.mismatch.as_ref().map(ToString::to_string));
        format!("{} {}: {}", m.verify_failed, run.finished_at, first.unwrap_or_default())
    });
    let lines = runs
        .iter()
        .map(|run| RunLine {
            ok: run.ok,
            finished_at: run.finished_at.clone(),
            requested_by: run
                .requested_by
                .as_deref()
                .map(|user| names.get(user).cloned().unwrap_or_else(|| short(user)))
                .unwrap_or_else(|| m.background.to_owned()),
            events: match &run.log.mismatch {
                Some(mismatch) => mismatch.clone(),
                None => {
                    format!("{} {} ({} {})", run.log.verified, m.events_verified, run.log.checkpoints, m.checkpoints)
                }
            },
            access: match (&run.access_log.mismatch, &run.access_log.report) {
                (Some(mismatch), _) => mismatch.to_string(),
                (None, Some(report)) => format!("{} {}", report.entries, m.entries_verified),
                (None, None) => String::new(),
            },
        })
        .collect();
    let mut frame = reader.frame(m.verify_title, "/audit/verify");
    frame.has_errors = false;
    let page = VerifyPage {
        frame,
        runs: lines,
        failed: failed_run,
        running: state.verifier.running(),
        started: query.started,
        too_soon: query.too_soon,
        seal_index: head.index,
        seal_hash: head.chain.iter().map(|byte| format!("{byte:02x}")).collect(),
        fingerprint: crate::event_log::seal::fingerprint(state.verifier.key()),
    };
    render(&page, reader.lang)
}

/// `POST /audit/verify`: starts a verification now (its CSRF token checked); back to the page, which shows it once
/// it has finished. One asked for a moment ago is not started again.
pub(super) async fn start_verification(
    State(state): State<Arc<AppState>>,
    reader: Reader,
    request: axum::extract::Request,
) -> Response {
    if reader.account.role != domain::command::Role::Auditor {
        return StatusCode::FORBIDDEN.into_response();
    }
    if let Err(status) = super::pages::sent_form(&reader, &state, request).await {
        return status.into_response();
    }
    match state.verifier.request(reader.account.user.to_string()) {
        Ok(_) => axum::response::Redirect::to("/audit/verify?started=true").into_response(),
        Err(_) => axum::response::Redirect::to("/audit/verify?too_soon=true").into_response(),
    }
}

page!(AccessPage, "access.html", {
    errors: Vec<super::FieldError>,
    units: Vec<(String, String, bool)>,
    user_filter: String,
    subject: String,
    from: String,
    to: String,
    unusual: bool,
    rows: Vec<AccessLine>,
    next_page: Option<String>,
    csv: String,
    auditor_view: bool,
});

/// A read as a line of the access review.
pub(super) struct AccessLine {
    when: String,
    who: String,
    role: String,
    unit: String,
    what: String,
    case_id: String,
    case_short: String,
    reason: String,
    marks: String,
    unusual: bool,
}

/// `GET /audit/access`'s query: the filters, the page, and `format=csv`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct AccessQuery {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    unusual: bool,
    after: Option<i64>,
    #[serde(default)]
    format: String,
}

/// The start of `day` in Stockholm, in microseconds since the Unix epoch.
fn start_of(day: time::Date) -> i64 {
    let noon = day.midnight().assume_utc() + time::Duration::hours(12);
    let local = day.midnight().assume_offset(domain::calendar::stockholm_offset(noon));
    (local.unix_timestamp_nanos() / 1000) as i64
}

/// `GET /audit/access`: the access review — who read which case when and why — for auditors (any unit, or all) and
/// unit managers (their own unit): filtered by unit, user, person and period, only the unusual reads if asked; each
/// unusual read marked in words (outside the unit holding the case, a protected person, outside working hours);
/// each entry linked to its case; `format=csv` exports the page.
pub(super) async fn access(
    State(state): State<Arc<AppState>>,
    reader: Reader,
    query: Result<Query<AccessQuery>, QueryRejection>,
) -> Response {
    let t = reader.t();
    let m = t.more;
    let auditor = reader.account.role == domain::command::Role::Auditor;
    if !auditor && reader.account.role != domain::command::Role::UnitManager {
        let page =
            super::pages::MessagePage { frame: reader.frame(m.access_title, "/"), text: m.audit_only.to_owned() };
        return (StatusCode::FORBIDDEN, render(&page, reader.lang)).into_response();
    }
    let query = query.map(|Query(query)| query).unwrap_or_default();
    let mut errors = Vec::new();
    let mut refuse = |field: &str, message: &str| {
        errors.push(super::FieldError { field: field.to_owned(), message: message.to_owned() });
    };
    let day = |text: &str| super::steps::date(text);
    let from = match query.from.trim() {
        "" => None,
        text => day(text).map(start_of).or_else(|| {
            refuse("from", m.date_wrong);
            None
        }),
    };
    let to = match query.to.trim() {
        "" => None,
        text => day(text).map(|day| start_of(day.next_day().unwrap_or(day)) - 1).or_else(|| {
            refuse("to", m.date_wrong);
            None
        }),
    };
    let users = crate::accounts::users(&state.db).await.unwrap_or_default();
    let user = match query.user.trim() {
        "" => None,
        name => match users.iter().find(|user| user.username == name) {
            Some(user) => user.user_id.parse().ok(),
            None => {
                refuse("user", m.no_such_user);
                None
            }
        },
    };
    let subject = match query.subject.trim() {
        "" => None,
        text => text.parse::<domain::ids::SubjectId>().ok().or_else(|| {
            refuse("subject", m.no_such_subject);
            None
        }),
    };
    let unit = query.unit.trim().parse::<domain::ids::UnitId>().ok();
    let review = crate::actions::reads::ReviewQuery {
        unit,
        user,
        subject,
        from,
        to,
        unusual: query.unusual,
        after: query.after,
        limit: Some(100),
    };
    let page = if errors.is_empty() {
        match crate::actions::reads::review(state.handles(), &reader.account, review).await {
            Ok(page) => page,
            Err(ActionError::Refused(refusal)) => {
                errors.push(super::FieldError { field: "unit".to_owned(), message: refusal.to_string() });
                crate::actions::reads::ReviewPage { entries: Vec::new(), next_after: None }
            }
            Err(error) => return failed(reader.lang, error),
        }
    } else {
        crate::actions::reads::ReviewPage { entries: Vec::new(), next_after: None }
    };
    let filters = format!(
        "unit={}&user={}&subject={}&from={}&to={}{}",
        super::pages::encode(query.unit.trim()),
        super::pages::encode(query.user.trim()),
        super::pages::encode(query.subject.trim()),
        super::pages::encode(query.from.trim()),
        super::pages::encode(query.to.trim()),
        if query.unusual { "&unusual=true" } else { "" }
    );
    if query.format == "csv" && errors.is_empty() {
        return match crate::actions::reads::review_csv(&page) {
            Ok(csv) => (
                [
                    (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                    (axum::http::header::CONTENT_DISPOSITION, "attachment; filename=\"lots-access-review.csv\""),
                ],
                csv,
            )
                .into_response(),
            Err(error) => failed(reader.lang, error),
        };
    }
    let names = unit_names(&state).await;
    let rows = page
        .entries
        .iter()
        .map(|entry| {
            let marks: Vec<&str> = [
                (entry.outside_unit, m.mark_outside_unit),
                (entry.protected_subject, m.mark_protected),
                (entry.outside_hours, m.mark_outside_hours),
            ]
            .iter()
            .filter(|(set, _)| *set)
            .map(|(_, words)| *words)
            .collect();
            AccessLine {
                when: recorded_at(entry.read_at_micros),
                who: entry.username.clone().unwrap_or_else(|| short(&entry.user_id)),
                role: t.role(&entry.role),
                unit: names.get(&entry.unit_id).cloned().unwrap_or_else(|| short(&entry.unit_id)),
                what: entry.what.clone(),
                case_short: short(&entry.case_id),
                case_id: entry.case_id.clone(),
                reason: entry.stated_reason.clone().unwrap_or_default(),
                unusual: !marks.is_empty(),
                marks: marks.join(", "),
            }
        })
        .collect();
    let mut units: Vec<(String, String, bool)> =
        names.iter().map(|(id, name)| (id.clone(), name.clone(), *id == query.unit.trim())).collect();
    units.sort_by(|a, b| a.1.cmp(&b.1));
    let mut frame = reader.frame(m.access_title, "/audit/access");
    frame.has_errors = !errors.is_empty();
    let page = AccessPage {
        frame,
        errors,
        units,
        user_filter: query.user.trim().to_owned(),
        subject: query.subject.trim().to_owned(),
        from: query.from.trim().to_owned(),
        to: query.to.trim().to_owned(),
        unusual: query.unusual,
        rows,
        next_page: page.next_after.map(|after| format!("/audit/access?{filters}&after={after}")),
        csv: format!(
            "/audit/access?{filters}&format=csv{}",
            query.after.map(|after| format!("&after={after}")).unwrap_or_default()
        ),
        auditor_view: auditor,
    };
    render_checked(&page, page.has_errors, reader.lang)
}
