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
