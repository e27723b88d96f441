//! Commands over HTTP. Every command takes an `Idempotency-Key` (a ULID: the command id), so a retried request
//! writes nothing new and answers as the first did. So far: sending a referral, with the consent or legal
//! ground checked before the command is given and a warning when the subject has protected identity.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use cqrs_es::Aggregate;
use domain::categories::{ConcernCategory, InformationCategory};
use domain::command::{Command, CommandContext};
use domain::consent::Consent;
use domain::ids::{CommandId, ConsentId, ReferralId, SubjectId, UnitId};
use domain::legal::LegalGroundCode;
use domain::referral::{Applicant, DisclosureBasis, Referral, ReferralCommand, ReferralError, ReferralKind};
use projections::db::Db;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use time::Date;
use ulid::Ulid;

use crate::api::SignedIn;
use crate::app::AppState;
use crate::commands::{CommandError, EventMetadata};
use crate::problem::{parse_body, Problem};

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

/// The command id from the `Idempotency-Key` header.
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<CommandId, Problem> {
    let key = headers.get("idempotency-key").and_then(|value| value.to_str().ok()).ok_or_else(|| {
        Problem::invalid("Idempotency-Key", "send an Idempotency-Key header: a ULID that names this command")
    })?;
    CommandId::parse(key).map_err(|_| Problem::invalid("Idempotency-Key", "the Idempotency-Key must be a ULID"))
}

/// An id the service makes for a command, derived from the command id so that a retry (the same
/// `Idempotency-Key`) makes the same one and is answered as the first time: `n = 0` is the command id's own
/// ULID (for the aggregate a command creates), `1, 2, …` follow it (an intervention's, a note's, goals').
pub(crate) fn made_id(command: CommandId, n: u128) -> Ulid {
    let ulid = command.ulid();
    Ulid::from_parts(ulid.timestamp_ms(), ulid.random().wrapping_add(n) & ((1 << 80) - 1))
}

/// Seals a free text a request gave in `field` under `subject`'s key; a blank one is refused naming the field.
pub(crate) async fn seal_field(
    vault: &crate::personal::Vault,
    subject: SubjectId,
    field: &str,
    text: &str,
) -> Result<domain::sealed::Sealed, Problem> {
    if text.trim().is_empty() {
        return Err(Problem::invalid(field, format!("{field} must not be empty")));
    }
    vault.seal_text(subject, text).await.map_err(|error| Problem::internal(&error))
}

/// Replays an aggregate from the log.
pub(crate) async fn load<A: Aggregate>(db: &Db, aggregate_type: &str, id: &str) -> Result<A, Problem> {
    load_with(db, aggregate_type, id, |_| {}).await
}

/// Replays an aggregate from the log, showing `each` every event before it is applied (for what the state does
/// not keep, such as a sealed text).
pub(crate) async fn load_with<A: Aggregate>(
    db: &Db,
    aggregate_type: &str,
    id: &str,
    mut each: impl FnMut(&A::Event),
) -> Result<A, Problem> {
    let sql = if db.is_postgres() {
        "select payload::text from events where aggregate_type = $1 and aggregate_id = $2 order by sequence"
    } else {
        "select payload from events where aggregate_type = $1 and aggregate_id = $2 order by sequence"
    };
    let payloads: Vec<String> =
        projections::on_pool!(db, |pool| sqlx::query_scalar(sql).bind(aggregate_type).bind(id).fetch_all(pool).await)
            .map_err(|error| Problem::internal(&error))?;
    let mut aggregate = A::default();
    for payload in payloads {
        let event = serde_json::from_str(&payload).map_err(|error| Problem::internal(&error))?;
        each(&event);
        aggregate.apply(event);
    }
    Ok(aggregate)
}

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
    let to_unit_kind = crate::directory_api::open_unit(&state.db, "to_unit_id", to_unit).await?.kind;
    let today = domain::calendar::stockholm_date(time::OffsetDateTime::now_utc());
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
    if !crate::directory_api::open_unit(&state.db, "unit", signed_in.account.unit).await?.kind.owns_cases() {
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

/// Where the events of `aggregate_type` `id` stand in the log, as the `written` token of a command's answer, once
/// `view` (the projection the client most likely reads next) includes them or five seconds passed.
pub(crate) async fn written(db: &Db, aggregate_type: &str, id: &str, view: &str) -> Option<String> {
    let cursor = projections::feed::cursor_of(db, aggregate_type, id).await.ok()??;
    let _ = projections::runner::wait_for(db, view, cursor, Duration::from_secs(5)).await;
    Some(cursor.to_string())
}

/// How the HTTP edge answers a command the domain refused, beyond "a rule refuses this" (422).
pub(crate) enum Refusal {
    /// As if the thing did not exist (404): it does not, or it is not the user's.
    NotFound,
    /// 409, saying what to do.
    Conflict(&'static str),
    /// 403: the role may not.
    Forbidden,
    /// 422 naming the rule.
    Rule,
}

/// Turns a command's outcome into "was it a repeat?" or the problem to answer; `classify` picks the refusals
/// that are not plain rules. `what` names the thing ("case", "referral") in 404 and 409 answers.
pub(crate) fn command_outcome<E: std::error::Error>(
    outcome: Result<(), CommandError<E>>,
    what: &'static str,
    classify: impl Fn(&E) -> Refusal,
) -> Result<bool, Problem> {
    match outcome {
        Ok(()) => Ok(false),
        Err(CommandError::Repeat(_)) => Ok(true),
        Err(CommandError::Rejected(error)) => Err(match classify(&error) {
            Refusal::NotFound => Problem::not_found(what),
            Refusal::Conflict(detail) => Problem::conflict(detail),
            Refusal::Forbidden => Problem::forbidden("this role may not do this"),
            Refusal::Rule => Problem::rule(&rule_name(&error), error.to_string()),
        }),
        Err(CommandError::Conflict { .. }) => Err(Problem::conflict(format!(
            "the {what} kept changing; send the command again with the same Idempotency-Key"
        ))),
        Err(CommandError::Store(cause)) => Err(Problem::internal(&cause)),
    }
}

/// The rule's name: the error variant, as the API documents it (`DisclosureBasisMissing`, …).
pub(crate) fn rule_name(error: &impl std::fmt::Debug) -> String {
    let text = format!("{error:?}");
    let inner = text.strip_prefix("Command(").unwrap_or(&text);
    inner.split([' ', '(', '{', ')']).next().unwrap_or("Rule").to_owned()
}
