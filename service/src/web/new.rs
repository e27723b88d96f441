//! The pages that start something: `/subjects/new` (find a young person by identity number first, so nobody is
//! registered twice; register them when not found), `/referrals/new` (a referral or report of concern about
//! them, with what allows the disclosure shown before it is sent, and the protected-identity warning) and
//! `/reports/new` (social services registers a report of concern that came from outside the directory, with its
//! protection assessment).

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::ids::{SubjectId, UnitId};
use serde::Deserialize;

use super::pages::{context_of, failed, metadata_of, not_found, render_checked, sent_form};
use super::steps::{blank_on, StepForm, StepInput};
use super::{short, FieldError, Frame, Reader};
use crate::actions::{ActionError, Refusal};
use crate::state::AppState;

page!(SubjectPage, "subject.html", {
    errors: Vec<FieldError>,
    forms: Vec<StepForm>,
    found: Option<String>,
    searched: bool,
    may_register_reports: bool,
});
page!(SendPage, "send.html", {
    errors: Vec<FieldError>,
    forms: Vec<StepForm>,
    about: Option<String>,
    protected: bool,
    report: bool,
});

/// The forms of `/subjects/new`: the search for those who may look up (social services), and the registration.
fn subject_forms(reader: &Reader, (searches, districts): (bool, &[String])) -> Vec<StepForm> {
    let t = reader.t();
    ["search", "register"]
        .iter()
        .filter(|key| searches || **key == "register")
        .filter_map(|key| blank_on("", t, "", key))
        .map(|mut form| {
            form.action = "/subjects/new".to_owned();
            if let Some(field) = form.fields.iter_mut().find(|field| field.name == "district") {
                field.choices = districts
                    .iter()
                    .map(|district| super::steps::Choice {
                        value: district.clone(),
                        label: district.clone(),
                        checked: false,
                        id: String::new(),
                    })
                    .collect();
            }
            form
        })
        .collect()
}

/// Whether the reader looks people up by identity number (social services' workers and managers).
async fn may_look_up(state: &AppState, reader: &Reader) -> bool {
    let Ok(unit) = crate::actions::directory::open_unit(&state.db, reader.account.unit).await else { return false };
    domain::authorization::may_look_up(unit.kind, reader.account.role).is_ok()
}

/// The forms of `/subjects/new` for the reader.
async fn subject_forms_for(state: &AppState, reader: &Reader) -> (Vec<StepForm>, bool) {
    let searches = may_look_up(state, reader).await;
    (subject_forms(reader, (searches, &districts(state).await)), searches)
}

/// The districts of the directory, for the registration's list.
async fn districts(state: &AppState) -> Vec<String> {
    let mut districts: Vec<String> = projections::directory::units(&state.db, false)
        .await
        .map(|units| units.into_iter().map(|unit| unit.district).collect())
        .unwrap_or_default();
    districts.sort();
    districts.dedup();
    districts
}

/// `GET /subjects/new`.
pub(super) async fn subject_form(State(state): State<Arc<AppState>>, reader: Reader) -> Response {
    let (forms, searches) = subject_forms_for(&state, &reader).await;
    subject_page(&reader, (forms, Vec::new()), (None, false), searches)
}

fn subject_page(
    reader: &Reader,
    (forms, errors): (Vec<StepForm>, Vec<FieldError>),
    (found, searched): (Option<String>, bool),
    social_services: bool,
) -> Response {
    let t = reader.t();
    let mut frame = reader.frame(t.more.subject_title, "/subjects/new");
    frame.has_errors = !errors.is_empty();
    let page = SubjectPage { frame, errors, forms, found, searched, may_register_reports: social_services };
    render_checked(&page, page.has_errors, reader.lang)
}

/// `POST /subjects/new`: a search (its number never in an address), or a registration — then on to a referral about
/// the person. A number registered already is shown as found, not registered again.
pub(super) async fn subject_sent(State(state): State<Arc<AppState>>, reader: Reader, request: Request) -> Response {
    let t = reader.t();
    let (sent, command_id) = match sent_form(&reader, &state, request).await {
        Ok(sent) => sent,
        Err(status) => return status.into_response(),
    };
    let (mut forms, searches) = subject_forms_for(&state, &reader).await;
    let key = sent.iter().find(|(name, _)| name == "step").map(|(_, value)| value.clone()).unwrap_or_default();
    let Some(index) = forms.iter().position(|form| form.key == key) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let form = &mut forms[index];
    form.form_id = command_id.to_string();
    form.fill(&sent);
    let today = crate::clock::today_in_stockholm();
    let mut errors = Vec::new();
    let metadata = metadata_of(&reader);
    let handles = state.handles_with(&metadata);
    if let Some(StepInput::Fields) = form.step(t, today) {
        if key == "search" {
            let who = crate::actions::reads::Reader {
                account: &reader.account,
                reason: None,
                client_address: reader.client_address.as_deref(),
            };
            match crate::actions::subjects::lookup(handles, who, form.sent("number"), today).await {
                Ok(found) => {
                    let found = found.first().map(ToString::to_string);
                    // Not found: the registration, the number carried over.
                    let number = form.sent("number").to_owned();
                    if let Some(register) = forms.iter_mut().find(|form| form.key == "register") {
                        if let Some(field) = register.fields.iter_mut().find(|field| field.name == "number") {
                            field.value = number;
                        }
                    }
                    return subject_page(&reader, (forms, Vec::new()), (found, true), searches);
                }
                Err(ActionError::Refused(refusal)) => errors.extend(form.refused(t, refusal)),
                Err(error) => return failed(reader.lang, error),
            }
        } else {
            let identity = form.identity(form.sent("district").to_owned(), None);
            match crate::actions::subjects::register(handles, context_of(&reader, command_id), None, identity).await {
                Ok(done) => return Redirect::to(&format!("/referrals/new?subject={}", done.id)).into_response(),
                Err(ActionError::Refused(Refusal::Conflict(detail))) => {
                    // Registered already: shown, not made twice.
                    let found =
                        detail.rsplit(' ').next().and_then(|id| id.parse::<SubjectId>().ok()).map(|id| id.to_string());
                    if found.is_some() {
                        let (blank, _) = subject_forms_for(&state, &reader).await;
                        return subject_page(&reader, (blank, Vec::new()), (found, true), searches);
                    }
                    errors.push(FieldError { field: form.anchor(), message: detail });
                }
                Err(ActionError::Refused(refusal)) => errors.extend(form.refused(t, refusal)),
                Err(error) => return failed(reader.lang, error),
            }
        }
    }
    errors.extend(forms[index].errors());
    subject_page(&reader, (forms, errors), (None, false), searches)
}

/// `GET /referrals/new` and `/reports/new`'s query: whom it is about.
#[derive(Debug, Default, Deserialize)]
pub(super) struct AboutQuery {
    subject: Option<String>,
}

/// What the sending pages show of the person: their short id, and whether their identity is protected.
async fn about(state: &AppState, subject: SubjectId) -> Result<(String, bool), ActionError> {
    let record: domain::subject::Subject =
        projections::replay::load(&state.db, "subject", &subject.to_string()).await?;
    if record.id.is_none() || record.erased {
        return Err(Refusal::NotFound("subject").into());
    }
    Ok((short(&subject.to_string()), record.protection.is_some()))
}

/// The form of `/referrals/new` (`send`) or `/reports/new` (`report`), its lists filled: the other units, and the
/// consents naming the reader's unit that are in force.
async fn send_form(state: &AppState, reader: &Reader, key: &str, subject: SubjectId) -> Result<StepForm, ActionError> {
    let t = reader.t();
    let mut form = blank_on("", t, "", key).ok_or_else(|| ActionError::Internal("a form without its step".into()))?;
    form.action = format!("/{}/new?subject={subject}", if key == "send" { "referrals" } else { "reports" });
    if key == "send" {
        let own = reader.account.unit.to_string();
        let mut units: Vec<(String, String)> = projections::directory::units(&state.db, false)
            .await?
            .into_iter()
            .filter(|unit| unit.unit_id != own)
            .map(|unit| (unit.unit_id, unit.name))
            .collect();
        units.sort_by(|a, b| a.1.cmp(&b.1));
        let today = crate::clock::today_in_stockholm();
        let consents: Vec<(String, String)> = crate::actions::journal::consents_about(state.handles(), subject)
            .await?
            .into_iter()
            .filter(|consent| consent.revoked_on.is_none() && consent.valid_from <= today && consent.valid_to >= today)
            .filter(|consent| consent.parties.contains(&own))
            .map(|consent| {
                let words = format!(
                    "{} ({}–{})",
                    consent.purpose.clone().unwrap_or_default(),
                    consent.valid_from,
                    consent.valid_to
                );
                (consent.consent_id, words)
            })
            .collect();
        for field in &mut form.fields {
            let choices = match field.name.as_str() {
                "to_unit" => units.clone(),
                "consent" => consents.clone(),
                _ => continue,
            };
            field.choices = choices
                .into_iter()
                .map(|(value, label)| super::steps::Choice { value, label, checked: false, id: String::new() })
                .collect();
        }
    }
    Ok(form)
}

/// `GET /referrals/new?subject=…`: a referral or report about the person.
pub(super) async fn referral_form(
    State(state): State<Arc<AppState>>,
    reader: Reader,
    query: Result<Query<AboutQuery>, QueryRejection>,
) -> Response {
    start_form(&state, reader, query, "send").await
}

/// `GET /reports/new?subject=…`: a report of concern from outside the directory, as social services registers it.
pub(super) async fn report_form(
    State(state): State<Arc<AppState>>,
    reader: Reader,
    query: Result<Query<AboutQuery>, QueryRejection>,
) -> Response {
    start_form(&state, reader, query, "report").await
}

async fn start_form(
    state: &AppState,
    reader: Reader,
    query: Result<Query<AboutQuery>, QueryRejection>,
    key: &str,
) -> Response {
    let subject = query.ok().and_then(|Query(query)| query.subject).and_then(|id| id.parse::<SubjectId>().ok());
    let Some(subject) = subject else {
        // Nobody chosen yet: find them first.
        return Redirect::to("/subjects/new").into_response();
    };
    match send_form(state, &reader, key, subject).await {
        Ok(form) => send_page(state, &reader, subject, (vec![form], Vec::new())).await,
        Err(ActionError::Refused(_)) => not_found(&reader),
        Err(error) => failed(reader.lang, error),
    }
}

async fn send_page(
    state: &AppState,
    reader: &Reader,
    subject: SubjectId,
    (forms, errors): (Vec<StepForm>, Vec<FieldError>),
) -> Response {
    let t = reader.t();
    let (short_id, protected) = match about(state, subject).await {
        Ok(about) => about,
        Err(ActionError::Refused(_)) => return not_found(reader),
        Err(error) => return failed(reader.lang, error),
    };
    let report = forms.iter().any(|form| form.key == "report");
    let (title, here) =
        if report { (t.more.report_new_title, "/reports/new") } else { (t.more.referral_new_title, "/referrals/new") };
    let mut frame: Frame = reader.frame(title, format!("{here}?subject={subject}"));
    frame.has_errors = !errors.is_empty();
    let page = SendPage { frame, errors, forms, about: Some(short_id), protected, report };
    render_checked(&page, page.has_errors, reader.lang)
}

/// `POST /referrals/new?subject=…`: sent, on to the referral; refused, the form again with each error beside its
/// field.
pub(super) async fn referral_sent(
    State(state): State<Arc<AppState>>,
    reader: Reader,
    query: Result<Query<AboutQuery>, QueryRejection>,
    request: Request,
) -> Response {
    start_sent(&state, reader, query, request, "send").await
}

/// `POST /reports/new?subject=…`: registered, on to the report; refused, the form again.
pub(super) async fn report_sent(
    State(state): State<Arc<AppState>>,
    reader: Reader,
    query: Result<Query<AboutQuery>, QueryRejection>,
    request: Request,
) -> Response {
    start_sent(&state, reader, query, request, "report").await
}

async fn start_sent(
    state: &Arc<AppState>,
    reader: Reader,
    query: Result<Query<AboutQuery>, QueryRejection>,
    request: Request,
    key: &str,
) -> Response {
    let t = reader.t();
    let subject = query.ok().and_then(|Query(query)| query.subject).and_then(|id| id.parse::<SubjectId>().ok());
    let Some(subject) = subject else { return not_found(&reader) };
    let (sent, command_id) = match sent_form(&reader, state, request).await {
        Ok(sent) => sent,
        Err(status) => return status.into_response(),
    };
    let mut form = match send_form(state, &reader, key, subject).await {
        Ok(form) => form,
        Err(ActionError::Refused(_)) => return not_found(&reader),
        Err(error) => return failed(reader.lang, error),
    };
    form.form_id = command_id.to_string();
    form.fill(&sent);
    let today = crate::clock::today_in_stockholm();
    let mut errors = Vec::new();
    if let Some(StepInput::Fields) = form.step(t, today) {
        let metadata = metadata_of(&reader);
        let handles = state.handles_with(&metadata);
        let context = context_of(&reader, command_id);
        let concerns = form.values("concerns").iter().filter_map(|value| super::steps::code(value)).collect();
        let given = if key == "send" {
            let input = crate::actions::referrals::SendReferral {
                referral: None,
                kind: super::steps::code(form.sent("kind")).unwrap_or(domain::referral::ReferralKind::Referral),
                subject,
                to_unit: form
                    .sent("to_unit")
                    .parse::<UnitId>()
                    .unwrap_or_else(|_| UnitId::from_ulid(ulid::Ulid::nil())),
                concerns,
                reason: form.sent("reason").to_owned(),
                consent: form.sent("consent").parse().ok(),
                legal_ground: Some(form.sent("legal_ground").to_owned()).filter(|ground| !ground.is_empty()),
                information: form.values("information").iter().filter_map(|value| super::steps::code(value)).collect(),
            };
            crate::actions::referrals::send(handles, context, input).await
        } else {
            let input = crate::actions::referrals::RegisterReport {
                referral: None,
                subject,
                reporter: super::steps::code(form.sent("reporter"))
                    .unwrap_or(domain::referral::ReporterCategory::Anonymous),
                reporter_identity: Some(form.sent("reporter_identity").to_owned()).filter(|who| !who.is_empty()),
                concerns,
                reason: form.sent("reason").to_owned(),
                protection_assessment: crate::actions::referrals::Assessment {
                    immediate_protection_needed: form.sent("needed") == "yes",
                    assessment: form.sent("assessment").to_owned(),
                    assessed_on: today,
                    late_reason: Some(form.sent("late_reason").to_owned()).filter(|reason| !reason.is_empty()),
                },
            };
            crate::actions::referrals::register_report(handles, context, input).await
        };
        match given {
            Ok(done) => return Redirect::to(&format!("/referrals/{}?saved=true", done.referral)).into_response(),
            Err(ActionError::Refused(refusal)) => errors.extend(form.refused(t, refusal)),
            Err(error) => return failed(reader.lang, error),
        }
    }
    errors.extend(form.errors());
    send_page(state, &reader, subject, (vec![form], errors)).await
}
