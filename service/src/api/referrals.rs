//! Commands over HTTP. Every command takes an `Idempotency-Key` (a ULID: the command id), so a retried request
//! writes nothing new and answers as the first did. So far: sending a referral, with the consent or legal
//! ground checked before the command is given and a warning when the subject has protected identity.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use domain::categories::{ConcernCategory, InformationCategory};
use domain::command::{Command, CommandContext};
use domain::consent::Consent;
use domain::ids::{CommandId, ConsentId, ReferralId, SubjectId, UnitId};
use domain::legal::LegalGroundCode;
use domain::referral::{Applicant, DisclosureBasis, Referral, ReferralCommand, ReferralError, ReferralKind};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::actions::{made_id, written};
use crate::api::commands::{command_outcome, idempotency_key, Refusal};
use crate::api::problem::{parse_body, Problem};
use crate::api::session::SignedIn;
use crate::event_log::commands::EventMetadata;
use crate::state::AppState;
use projections::replay::load;

/// The legal grounds for disclosure Lots knows, by code, with the paragraph they stand for. One table: the
/// paragraphs moved in 2025 and will move again; codes stay.
pub const LEGAL_GROUNDS: &[(&str, &str)] = &[
    (
        "osl-10-18a",
        "Offentlighets- och sekretesslagen 10 kap. 18 a § (uppgifter till polisen om den som är under 21 år)",
    ),
    ("osl-10-28", "Offentlighets- och sekretesslagen 10 kap. 28 § (uppgiftsskyldighet enligt lag)"),
    ("osl-10-19", "Offentlighets- och sekretesslagen 10 kap. 19 § (nödvändigt utlämnande)"),
    ("sol-14-1", "Socialtjänstlagen (2001:453) 14 kap. 1 § / (2025:400) anmälningsskyldighet"),
];

/// The body of `POST /api/referrals`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SendReferralRequest {
    referral_id: Option<String>,
    kind: ReferralKind,
    subject_id: String,
    to_unit_id: String,
    concerns: BTreeSet<ConcernCategory>,
    /// The reason, in plain text; sealed under the subject's key before it is written.
    reason: String,
    consent_id: Option<String>,
    legal_ground: Option<String>,
    /// What information the referral discloses, checked against the consent.
    #[serde(default)]
    information: BTreeSet<InformationCategory>,
    #[schemars(with = "Option<domain::calendar::IsoDate>")]
    occurred_on: Option<Date>,
}

/// The answer to a sent referral.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SendReferralAnswer {
    referral_id: String,
    /// Whether this answered a repeat of an applied command.
    repeat: bool,
    /// What the sender must know: protected identity.
    warnings: Vec<String>,
    /// Where this command's events stand in the log: send it as `X-Lots-After` to read every view with them in.
    written: Option<String>,
}

fn id_field<T>(
    field: &str,
    text: &str,
    parse: impl Fn(&str) -> Result<T, domain::ids::InvalidId>,
) -> Result<T, Problem> {
    parse(text).map_err(|error| Problem::invalid(field, error.to_string()))
}

/// The id a request names for a new referral, or a new one.
fn new_referral_id(given: Option<&String>, command_id: CommandId) -> Result<ReferralId, Problem> {
    given.map_or_else(
        || Ok(ReferralId::from_ulid(made_id(command_id, 0))),
        |id| id_field("referral_id", id, ReferralId::parse),
    )
}

/// Gives the command that makes a new referral and answers as `POST /api/referrals` does.
async fn new_referral(
    state: &AppState,
    referral: ReferralId,
    context: CommandContext,
    body: ReferralCommand,
    warnings: impl std::future::Future<Output = Result<Vec<String>, Problem>>,
) -> Result<(StatusCode, Json<SendReferralAnswer>), Problem> {
    let outcome = state
        .bus
        .execute::<Referral>(&referral.to_string(), Command { context, body }, &EventMetadata::default())
        .await;
    let repeat = command_outcome(outcome, "referral", |error| match error {
        ReferralError::AlreadySent => Refusal::Conflict("a referral with this id exists; give a new id"),
        _ => Refusal::Rule,
    })?;
    let warnings = warnings.await?;
    let written = written(&state.db, "referral", &referral.to_string(), "referrals").await;
    let status = if repeat { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(SendReferralAnswer { referral_id: referral.to_string(), repeat, warnings, written })))
}

/// What a sender must be told about `subject`: whether they have protected identity.
async fn protection_warnings(state: &AppState, subject: SubjectId) -> Result<Vec<String>, Problem> {
    let generation =
        projections::runner::status(&state.db, "caseload").await.map_err(|error| Problem::internal(&error))?.generation;
    let protection: Option<Option<String>> = projections::on_pool!(state.db, |pool| {
        sqlx::query_scalar("select protection from caseload_subjects where generation = $1 and subject_id = $2")
            .bind(generation)
            .bind(subject.to_string())
            .fetch_optional(pool)
            .await
    })
    .map_err(|error| Problem::internal(&error))?;
    Ok(match protection {
        Some(Some(level)) => {
            vec![format!("the subject has protected identity ({level}): disclose only what the receiving unit needs")]
        }
        _ => Vec::new(),
    })
}

/// `POST /api/referrals`: sends a report of concern or a referral from the user's unit.
pub(crate) async fn send_referral(
    State(state): State<Arc<AppState>>,
    signed_in: SignedIn,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<SendReferralAnswer>), Problem> {
    let command_id = idempotency_key(&headers)?;
    let request: SendReferralRequest = parse_body(raw)?;
    let referral = new_referral_id(request.referral_id.as_ref(), command_id)?;
    let subject = id_field("subject_id", &request.subject_id, SubjectId::parse)?;
    let to_unit = id_field("to_unit_id", &request.to_unit_id, UnitId::parse)?;
    let to_unit_kind = crate::api::directory::open_unit(&state.db, "to_unit_id", to_unit).await?.kind;
    let today = crate::clock::today_in_stockholm();
    let occurred_on = request.occurred_on.unwrap_or(today);
    if request.reason.trim().is_empty() {
        return Err(Problem::invalid("reason", "reason must not be empty"));
    }
    let basis = match (&request.consent_id, &request.legal_ground) {
        (Some(_), Some(_)) => return Err(Problem::invalid("consent_id", "name a consent or a legal ground, not both")),
        (Some(consent_id), None) => {
            let consent_id = id_field("consent_id", consent_id, ConsentId::parse)?;
            let consent: Consent = load(&state.db, "consent", &consent_id.to_string()).await?;
            consent.covers(subject, to_unit, occurred_on, &request.information).map_err(|refusal| {
                Problem::rule("ConsentDoesNotCover", format!("the consent does not allow this referral: {refusal}"))
            })?;
            Some(DisclosureBasis::Consent(consent_id))
        }
        (None, Some(code)) => {
            let code =
                LegalGroundCode::parse(code).map_err(|error| Problem::invalid("legal_ground", error.to_string()))?;
            if !LEGAL_GROUNDS.iter().any(|(known, _)| *known == code.as_str()) {
                return Err(Problem::invalid("legal_ground", format!("{code} is not a legal ground Lots knows")));
            }
            Some(DisclosureBasis::LegalGround(code))
        }
        (None, None) => None,
    };
    let sealed_reason =
        state.vault.seal_text(subject, &request.reason).await.map_err(|error| Problem::internal(&error))?;
    let context = signed_in.command_context(command_id, Some(occurred_on));
    let body = ReferralCommand::SendReferral {
        referral,
        kind: request.kind,
        subject,
        to_unit,
        to_unit_kind,
        concerns: request.concerns,
        reason: sealed_reason,
        basis,
        forwarded_from: None,
    };
    new_referral(&state, referral, context, body, protection_warnings(&state, subject)).await
}

/// The body of `POST /api/applications`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterApplicationRequest {
    referral_id: Option<String>,
    subject_id: String,
    /// The young person, or a guardian (a registered subject).
    applicant: Applicant,
    concerns: BTreeSet<ConcernCategory>,
    /// What was asked for, in plain text; sealed under the subject's key before it is written.
    reason: String,
    #[schemars(with = "Option<domain::calendar::IsoDate>")]
    occurred_on: Option<Date>,
}

/// `POST /api/applications`: registers an application made to the user's unit (social services); it is
/// received at once and answered like a sent referral.
pub(crate) async fn register_application(
    State(state): State<Arc<AppState>>,
    signed_in: SignedIn,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<SendReferralAnswer>), Problem> {
    let command_id = idempotency_key(&headers)?;
    let request: RegisterApplicationRequest = parse_body(raw)?;
    let referral = new_referral_id(request.referral_id.as_ref(), command_id)?;
    let subject = id_field("subject_id", &request.subject_id, SubjectId::parse)?;
    if request.reason.trim().is_empty() {
        return Err(Problem::invalid("reason", "reason must not be empty"));
    }
    if !crate::api::directory::open_unit(&state.db, "unit", signed_in.account.unit).await?.kind.owns_cases() {
        return Err(Problem::rule("ApplicationsGoToSocialServices", "applications are made to social services"));
    }
    let reason = state.vault.seal_text(subject, &request.reason).await.map_err(|error| Problem::internal(&error))?;
    let context = signed_in.command_context(command_id, request.occurred_on);
    let body = ReferralCommand::RegisterApplication {
        referral,
        subject,
        applicant: request.applicant,
        concerns: request.concerns,
        reason,
    };
    new_referral(&state, referral, context, body, async { Ok(Vec::new()) }).await
}
