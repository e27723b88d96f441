//! Subjects and consents over HTTP. Identity arrives in clear over the wire; the use cases
//! (`crate::actions::subjects`) check it, seal it under the subject's own key and remember it by its keyed hash,
//! so intake finds a subject before registering a duplicate.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use domain::categories::InformationCategory;
use domain::consent::ConsentGiver;
use domain::ids::{ConsentId, SubjectId, UnitId};
use domain::retention::LegalHold;
use domain::subject::ProtectionLevel;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::actions::subjects::{self, Done, GiveConsent, IdentityInput, SubjectStep};
use crate::api::commands::{Commander, StepPath};
use crate::api::problem::{parse_body, parse_step, Problem};
use crate::state::AppState;

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

impl From<IdentityRequest> for IdentityInput {
    fn from(request: IdentityRequest) -> Self {
        Self {
            number: request.number,
            given_name: request.given_name,
            family_name: request.family_name,
            contact: request.contact,
            address: request.address,
            school: request.school,
            birth_year: request.birth_year,
            district: request.district,
        }
    }
}

/// The body of `POST /api/subjects`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    subject_id: Option<SubjectId>,
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

fn subject_answered(done: Done<SubjectId>) -> (StatusCode, Json<SubjectAnswer>) {
    crate::api::commands::answered(
        done.repeat,
        SubjectAnswer { subject_id: done.id.to_string(), repeat: done.repeat, written: done.written },
    )
}

/// `POST /api/subjects`: registers a subject; 409 naming the existing subject when the number is known.
pub(crate) async fn register(
    State(state): State<Arc<AppState>>,
    commander: Commander,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<SubjectAnswer>), Problem> {
    let request: RegisterRequest = parse_body(raw)?;
    let context = commander.context(None);
    let done =
        subjects::register(commander.handles(&state), context, request.subject_id, request.identity.into()).await?;
    Ok(subject_answered(done))
}

/// `?number=…`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LookupQuery {
    /// An identity number: 10 or 12 digits, with or without '-' or '+' before the last four.
    #[schemars(regex(pattern = r"^\s*([0-9]{6}|[0-9]{8})[-+]?[0-9]{4}\s*$"), extend("examples" = ["19640823-3234"]))]
    number: String,
}

/// `GET /api/subjects?number=…`: the subjects registered with an identity number (by its keyed hash).
pub(crate) async fn lookup(
    State(state): State<Arc<AppState>>,
    signed_in: crate::api::session::SignedIn,
    ConnectInfo(client): ConnectInfo<std::net::SocketAddr>,
    query: Result<Query<LookupQuery>, QueryRejection>,
) -> Result<Json<Vec<String>>, Problem> {
    let Query(query) = query.map_err(|rejection| Problem::invalid("number", rejection.body_text()))?;
    let client = client.ip().to_string();
    let reader = crate::actions::reads::Reader {
        account: &signed_in.account,
        reason: None,
        client_address: Some(client.as_str()),
    };
    let found = subjects::lookup(state.handles(), reader, &query.number, crate::clock::today_in_stockholm()).await?;
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
    LinkGuardian { guardian_id: SubjectId },
    /// Unlink one.
    UnlinkGuardian { guardian_id: SubjectId },
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
    commander: Commander,
    path: StepPath<SubjectId>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<SubjectAnswer>), Problem> {
    let StepPath { id: subject, step } = path;
    let request: SubjectStepRequest = parse_step(raw, &step)?;
    let subject_step = match request {
        SubjectStepRequest::CorrectIdentity { identity } => SubjectStep::CorrectIdentity(identity.into()),
        SubjectStepRequest::SetProtection { level } => SubjectStep::SetProtection(level),
        SubjectStepRequest::ClearProtection {} => SubjectStep::ClearProtection,
        SubjectStepRequest::LinkGuardian { guardian_id } => SubjectStep::LinkGuardian(guardian_id),
        SubjectStepRequest::UnlinkGuardian { guardian_id } => SubjectStep::UnlinkGuardian(guardian_id),
        SubjectStepRequest::PlaceHold { hold } => SubjectStep::PlaceHold(hold),
        SubjectStepRequest::ReleaseHold { hold } => SubjectStep::ReleaseHold(hold),
        SubjectStepRequest::Erase { ground } => SubjectStep::Erase(ground),
    };
    let context = commander.context(None);
    Ok(subject_answered(subjects::step(commander.handles(&state), context, subject, subject_step).await?))
}

/// The body of `POST /api/consents`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentRequest {
    consent_id: Option<ConsentId>,
    subject_id: SubjectId,
    subject_is_minor: bool,
    given_by: BTreeSet<ConsentGiver>,
    parties: BTreeSet<UnitId>,
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

fn consent_answered(done: Done<ConsentId>) -> (StatusCode, Json<ConsentAnswer>) {
    crate::api::commands::answered(
        done.repeat,
        ConsentAnswer { consent_id: done.id.to_string(), repeat: done.repeat, written: done.written },
    )
}

/// `POST /api/consents`: records a written consent.
pub(crate) async fn give_consent(
    State(state): State<Arc<AppState>>,
    commander: Commander,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<ConsentAnswer>), Problem> {
    let request: ConsentRequest = parse_body(raw)?;
    let input = GiveConsent {
        consent: request.consent_id,
        subject: request.subject_id,
        subject_is_minor: request.subject_is_minor,
        given_by: request.given_by,
        parties: request.parties,
        categories: request.categories,
        purpose: request.purpose,
        valid_from: request.valid_from,
        valid_to: request.valid_to,
    };
    let context = commander.context(None);
    Ok(consent_answered(subjects::give_consent(commander.handles(&state), context, input).await?))
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
    commander: Commander,
    Path(id): Path<String>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<ConsentAnswer>), Problem> {
    let consent = ConsentId::parse(&id).map_err(|_| Problem::not_found("consent"))?;
    let request: RevokeRequest = parse_body(raw)?;
    let context = commander.context(None);
    Ok(consent_answered(
        subjects::revoke_consent(commander.handles(&state), context, consent, request.revoked_by).await?,
    ))
}
