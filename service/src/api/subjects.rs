//! Subjects and consents over HTTP. Identity arrives in clear over the wire, is checked (a personnummer or
//! samordningsnummer with its reason when refused), sealed under the subject's own key, and remembered by its
//! keyed hash so intake finds a subject before registering a duplicate.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use domain::categories::InformationCategory;
use domain::command::{Command, CommandRefused, Role};
use domain::consent::{Consent, ConsentCommand, ConsentError, ConsentGiver};
use domain::identity_number::IdentityNumber;
use domain::ids::{ConsentId, SubjectId, UnitId};
use domain::retention::LegalHold;
use domain::subject::{ErasureGround, ProtectionLevel, StatisticsAttributes, Subject, SubjectCommand, SubjectError};
use domain::units::District;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::api::commands::{command_outcome, idempotency_key, Refusal};
use crate::api::problem::{parse_body, parse_step, Problem};
use crate::api::session::SignedIn;
use crate::event_log::commands::{CommandError, EventMetadata};
use crate::personal::Identity;
use crate::state::AppState;
use domain::command::Rule as _;

/// Identity as sent.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityRequest {
    number: Option<String>,
    given_name: String,
    family_name: String,
    contact: Option<String>,
    address: Option<String>,
    school: Option<String>,
    /// Stated when there is no number.
    birth_year: Option<i32>,
    district: String,
}

/// The body of `POST /api/subjects`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    subject_id: Option<String>,
    identity: IdentityRequest,
}

/// The answer to a subject command.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SubjectAnswer {
    subject_id: String,
    repeat: bool,
    /// Where this command's events stand in the log: send it as `X-Lots-After` to read every view with them in.
    written: Option<String>,
}

fn today() -> Date {
    crate::clock::today_in_stockholm()
}

/// Checks an identity and works out its statistics attributes.
fn identity_of(request: IdentityRequest) -> Result<(Identity, StatisticsAttributes), Problem> {
    let number = match request.number.as_deref() {
        Some(text) => Some(
            IdentityNumber::parse(text, today())
                .map_err(|error| Problem::invalid("identity.number", error.to_string()))?,
        ),
        None => None,
    };
    if request.given_name.trim().is_empty() || request.family_name.trim().is_empty() {
        return Err(Problem::invalid("identity.given_name", "given and family names must not be empty"));
    }
    let district =
        District::parse(&request.district).map_err(|error| Problem::invalid("identity.district", error.to_string()))?;
    let statistics = StatisticsAttributes {
        birth_year: number.map(|number| number.date_part().year()).or(request.birth_year),
        sex: number.map(|number| number.sex()),
        district,
    };
    let identity = Identity {
        number,
        given_name: request.given_name,
        family_name: request.family_name,
        contact: request.contact,
        address: request.address,
        school: request.school,
    };
    Ok((identity, statistics))
}

fn subject_outcome(outcome: Result<(), CommandError<SubjectError>>) -> Result<bool, Problem> {
    command_outcome(outcome, "subject", |error| match error {
        SubjectError::NotRegistered => Refusal::NotFound,
        SubjectError::AlreadyRegistered => Refusal::Conflict("a subject with this id exists"),
        SubjectError::Command(CommandRefused::RoleNotPermitted { .. }) => Refusal::Forbidden,
        _ => Refusal::Rule,
    })
}

/// `POST /api/subjects`: registers a subject; 409 naming the existing subject when the number is known.
pub(crate) async fn register(
    State(state): State<Arc<AppState>>,
    signed_in: SignedIn,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<SubjectAnswer>), Problem> {
    let command_id = idempotency_key(&headers)?;
    let request: RegisterRequest = parse_body(raw)?;
    let subject = match &request.subject_id {
        Some(id) => SubjectId::parse(id).map_err(|error| Problem::invalid("subject_id", error.to_string()))?,
        None => SubjectId::from_ulid(crate::actions::made_id(command_id, 0)),
    };
    let (identity, statistics) = identity_of(request.identity)?;
    if let Some(number) = &identity.number {
        let known = state.vault.find_by_identity_number(number).await.map_err(|error| Problem::internal(&error))?;
        if let Some(existing) = known.iter().find(|existing| **existing != subject) {
            return Err(Problem::conflict(format!(
                "a subject with this identity number is registered already: {existing}"
            )));
        }
    }
    let sealed = state.vault.seal_identity(subject, &identity).await.map_err(|error| Problem::internal(&error))?;
    let body = SubjectCommand::RegisterSubject { subject, identity: sealed, statistics };
    execute(&state, &signed_in, command_id, subject, body).await
}

/// `?number=…`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LookupQuery {
    number: String,
}

/// `GET /api/subjects?number=…`: the subjects registered with an identity number (by its keyed hash).
pub(crate) async fn lookup(
    State(state): State<Arc<AppState>>,
    query: Result<Query<LookupQuery>, QueryRejection>,
) -> Result<Json<Vec<String>>, Problem> {
    let Query(query) = query.map_err(|rejection| Problem::invalid("number", rejection.body_text()))?;
    let number =
        IdentityNumber::parse(&query.number, today()).map_err(|error| Problem::invalid("number", error.to_string()))?;
    let found = state.vault.find_by_identity_number(&number).await.map_err(|error| Problem::internal(&error))?;
    Ok(Json(found.iter().map(ToString::to_string).collect()))
}

/// The body of a subject step.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum SubjectStepRequest {
    /// Correct the identity.
    CorrectIdentity { identity: IdentityRequest },
    /// Set protected identity.
    SetProtection { level: ProtectionLevel },
    /// Clear it.
    ClearProtection {},
    /// Link a guardian.
    LinkGuardian { guardian_id: String },
    /// Unlink one.
    UnlinkGuardian { guardian_id: String },
    /// Place a legal hold.
    PlaceHold { hold: LegalHold },
    /// Release it.
    ReleaseHold { hold: LegalHold },
    /// Erase the subject (administrators): recorded, then the key destroyed.
    Erase { ground: String },
}

/// `POST /api/subjects/{id}/{step}`.
pub(crate) async fn step(
    State(state): State<Arc<AppState>>,
    signed_in: SignedIn,
    Path((id, step)): Path<(String, String)>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<SubjectAnswer>), Problem> {
    let command_id = idempotency_key(&headers)?;
    let subject = SubjectId::parse(&id).map_err(|_| Problem::not_found("subject"))?;
    let request: SubjectStepRequest = parse_step(raw, &step)?;
    let guardian =
        |text: &str| SubjectId::parse(text).map_err(|error| Problem::invalid("guardian_id", error.to_string()));
    let command = match request {
        SubjectStepRequest::CorrectIdentity { identity } => {
            let (identity, statistics) = identity_of(identity)?;
            SubjectCommand::CorrectIdentity {
                identity: state
                    .vault
                    .seal_identity(subject, &identity)
                    .await
                    .map_err(|error| Problem::internal(&error))?,
                statistics,
            }
        }
        SubjectStepRequest::SetProtection { level } => SubjectCommand::SetProtectedIdentity { level },
        SubjectStepRequest::ClearProtection {} => SubjectCommand::ClearProtectedIdentity,
        SubjectStepRequest::LinkGuardian { guardian_id } => {
            SubjectCommand::LinkGuardian { guardian: guardian(&guardian_id)? }
        }
        SubjectStepRequest::UnlinkGuardian { guardian_id } => {
            SubjectCommand::UnlinkGuardian { guardian: guardian(&guardian_id)? }
        }
        SubjectStepRequest::PlaceHold { hold } => SubjectCommand::PlaceLegalHold { hold },
        SubjectStepRequest::ReleaseHold { hold } => SubjectCommand::ReleaseLegalHold { hold },
        SubjectStepRequest::Erase { ground } => {
            if signed_in.account.role != Role::Administrator {
                return Err(Problem::forbidden("only administrators erase subjects"));
            }
            crate::personal::erase_subject(
                &state.bus,
                &state.vault,
                subject,
                ErasureGround::Decision { reference: ground },
                signed_in.command_context(command_id, None),
                &EventMetadata::default(),
            )
            .await
            .map_err(|error| match error {
                crate::personal::ErasureError::Refused(SubjectError::NotRegistered) => Problem::not_found("subject"),
                crate::personal::ErasureError::Refused(rule) => Problem::rule(rule.rule(), rule.to_string()),
                other => Problem::internal(&other),
            })?;
            return Ok(answered(&state, subject, false).await);
        }
    };
    execute(&state, &signed_in, command_id, subject, command).await
}

/// Gives a subject command and answers with the subject, whether it was a repeat, and where it was written.
async fn execute(
    state: &AppState,
    signed_in: &SignedIn,
    command_id: domain::ids::CommandId,
    subject: SubjectId,
    body: SubjectCommand,
) -> Result<(StatusCode, Json<SubjectAnswer>), Problem> {
    let command = Command { context: signed_in.command_context(command_id, None), body };
    let outcome = state.bus.execute::<Subject>(&subject.to_string(), command, &EventMetadata::default()).await;
    let repeat = subject_outcome(outcome)?;
    Ok(answered(state, subject, repeat).await)
}

/// The answer to a subject command.
async fn answered(state: &AppState, subject: SubjectId, repeat: bool) -> (StatusCode, Json<SubjectAnswer>) {
    let written = crate::actions::written(&state.db, "subject", &subject.to_string(), "caseload").await;
    let status = if repeat { StatusCode::OK } else { StatusCode::CREATED };
    (status, Json(SubjectAnswer { subject_id: subject.to_string(), repeat, written }))
}

/// The body of `POST /api/consents`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentRequest {
    consent_id: Option<String>,
    subject_id: String,
    subject_is_minor: bool,
    given_by: BTreeSet<ConsentGiver>,
    parties: BTreeSet<String>,
    categories: BTreeSet<InformationCategory>,
    purpose: String,
    #[schemars(with = "domain::calendar::IsoDate")]
    valid_from: Date,
    #[schemars(with = "domain::calendar::IsoDate")]
    valid_to: Date,
}

/// The answer to a consent command.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ConsentAnswer {
    consent_id: String,
    repeat: bool,
    /// Where this command's events stand in the log: send it as `X-Lots-After` to read every view with them in.
    written: Option<String>,
}

fn consent_outcome(outcome: Result<(), CommandError<ConsentError>>) -> Result<bool, Problem> {
    command_outcome(outcome, "consent", |error| match error {
        ConsentError::NotGiven => Refusal::NotFound,
        _ => Refusal::Rule,
    })
}

/// `POST /api/consents`: records a written consent.
pub(crate) async fn give_consent(
    State(state): State<Arc<AppState>>,
    signed_in: SignedIn,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<ConsentAnswer>), Problem> {
    let command_id = idempotency_key(&headers)?;
    let request: ConsentRequest = parse_body(raw)?;
    let consent = match &request.consent_id {
        Some(id) => ConsentId::parse(id).map_err(|error| Problem::invalid("consent_id", error.to_string()))?,
        None => ConsentId::from_ulid(crate::actions::made_id(command_id, 0)),
    };
    let subject =
        SubjectId::parse(&request.subject_id).map_err(|error| Problem::invalid("subject_id", error.to_string()))?;
    let parties = request
        .parties
        .iter()
        .map(|unit| UnitId::parse(unit).map_err(|error| Problem::invalid("parties", error.to_string())))
        .collect::<Result<_, _>>()?;
    if request.purpose.trim().is_empty() {
        return Err(Problem::invalid("purpose", "purpose must not be empty"));
    }
    let purpose = state.vault.seal_text(subject, &request.purpose).await.map_err(|error| Problem::internal(&error))?;
    let mut context = signed_in.command_context(command_id, None);
    context.occurred_on = request.valid_from.min(context.today);
    let body = ConsentCommand::GiveConsent {
        consent,
        subject,
        subject_is_minor: request.subject_is_minor,
        given_by: request.given_by,
        parties,
        categories: request.categories,
        purpose,
        valid_from: request.valid_from,
        valid_to: request.valid_to,
    };
    let repeat = consent_outcome(
        state.bus.execute::<Consent>(&consent.to_string(), Command { context, body }, &EventMetadata::default()).await,
    )?;
    Ok((
        if repeat { StatusCode::OK } else { StatusCode::CREATED },
        Json(ConsentAnswer {
            consent_id: consent.to_string(),
            repeat,
            written: crate::actions::written(&state.db, "consent", &consent.to_string(), "caseload").await,
        }),
    ))
}

/// The body of `POST /api/consents/{id}/revoke`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    revoked_by: ConsentGiver,
}

/// `POST /api/consents/{id}/revoke`: sharing under it stops from today.
pub(crate) async fn revoke_consent(
    State(state): State<Arc<AppState>>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<ConsentAnswer>), Problem> {
    let command_id = idempotency_key(&headers)?;
    let consent = ConsentId::parse(&id).map_err(|_| Problem::not_found("consent"))?;
    let request: RevokeRequest = parse_body(raw)?;
    let body = ConsentCommand::RevokeConsent { revoked_by: request.revoked_by };
    let repeat = consent_outcome(
        state
            .bus
            .execute::<Consent>(
                &consent.to_string(),
                Command { context: signed_in.command_context(command_id, None), body },
                &EventMetadata::default(),
            )
            .await,
    )?;
    Ok((
        if repeat { StatusCode::OK } else { StatusCode::CREATED },
        Json(ConsentAnswer {
            consent_id: consent.to_string(),
            repeat,
            written: crate::actions::written(&state.db, "consent", &consent.to_string(), "caseload").await,
        }),
    ))
}
