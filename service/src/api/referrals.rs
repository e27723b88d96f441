//! Sending over HTTP: `POST /api/referrals` (a report of concern or a referral) and `POST /api/applications`,
//! each with an `Idempotency-Key`; the use cases (`crate::actions::referrals`) check the consent or legal ground
//! and warn when the subject has protected identity.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use domain::categories::{ConcernCategory, InformationCategory};
use domain::ids::{ConsentId, ReferralId, SubjectId, UnitId};
use domain::referral::{Applicant, ReferralKind};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::actions::referrals::{self, ReferralDone, RegisterApplication, SendReferral};
use crate::api::commands::Commander;
use crate::api::problem::{parse_body, Problem};
use crate::state::AppState;

/// The body of `POST /api/referrals`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SendReferralRequest {
    referral_id: Option<ReferralId>,
    kind: ReferralKind,
    subject_id: SubjectId,
    to_unit_id: UnitId,
    concerns: BTreeSet<ConcernCategory>,
    /// The reason, in plain text; sealed under the subject's key before it is written.
    reason: String,
    consent_id: Option<ConsentId>,
    legal_ground: Option<String>,
    /// What kinds of information the referral discloses: at least one for a referral (kind `referral`), each
    /// covered by the consent when one is named. Recorded with the referral and shown to the receiver.
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

/// The body of `POST /api/applications`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterApplicationRequest {
    referral_id: Option<ReferralId>,
    subject_id: SubjectId,
    /// The young person, or a guardian (a registered subject).
    applicant: Applicant,
    concerns: BTreeSet<ConcernCategory>,
    /// What was asked for, in plain text; sealed under the subject's key before it is written.
    reason: String,
    #[schemars(with = "Option<domain::calendar::IsoDate>")]
    occurred_on: Option<Date>,
}

/// The body of `POST /api/reports`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend(
    "if" = { "properties": { "reporter": { "const": "anonymous" } }, "required": ["reporter"] },
    "then" = { "not": { "required": ["reporter_identity"] } },
    "else" = { "required": ["reporter_identity"] }
))]
pub struct RegisterReportRequest {
    referral_id: Option<ReferralId>,
    subject_id: SubjectId,
    /// Who reported, by category; `police_notice_of_suspect` for the police's notice under 6 § LUL.
    reporter: domain::referral::ReporterCategory,
    /// Who the reporter is — name, how to reach them —, sealed under the child's key; left out (only) for an
    /// anonymous report.
    reporter_identity: Option<String>,
    concerns: BTreeSet<ConcernCategory>,
    /// What was reported, in plain text; sealed before it is written.
    reason: String,
    /// The protection assessment made on receipt (at once, or the next day; later with `late_reason`).
    protection_assessment: crate::api::referral_steps::AssessmentRequest,
    /// The day it was received (today when left out).
    #[schemars(with = "Option<domain::calendar::IsoDate>")]
    occurred_on: Option<Date>,
}

/// `POST /api/reports`: social services register a report of concern from outside the directory; it is received
/// at once and answered like a sent referral.
pub(crate) async fn register_report(
    State(state): State<Arc<AppState>>,
    commander: Commander,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<SendReferralAnswer>), Problem> {
    let request: RegisterReportRequest = parse_body(raw)?;
    let context = commander.context(request.occurred_on);
    let assessment = request.protection_assessment.into_assessment();
    let input = referrals::RegisterReport {
        referral: request.referral_id,
        subject: request.subject_id,
        reporter: request.reporter,
        reporter_identity: request.reporter_identity,
        concerns: request.concerns,
        reason: request.reason,
        protection_assessment: assessment,
    };
    Ok(answered(referrals::register_report(commander.handles(&state), context, input).await?))
}

/// The answer to what a new referral's command did: 201, or 200 for a repeat.
pub(crate) fn answered(done: ReferralDone) -> (StatusCode, Json<SendReferralAnswer>) {
    let answer = SendReferralAnswer {
        referral_id: done.referral.to_string(),
        repeat: done.repeat,
        warnings: done.warnings,
        written: done.written,
    };
    crate::api::commands::answered(done.repeat, answer)
}

/// `POST /api/referrals`: sends a report of concern or a referral from the user's unit.
pub(crate) async fn send_referral(
    State(state): State<Arc<AppState>>,
    commander: Commander,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<SendReferralAnswer>), Problem> {
    let request: SendReferralRequest = parse_body(raw)?;
    let context = commander.context(request.occurred_on);
    let input = SendReferral {
        referral: request.referral_id,
        kind: request.kind,
        subject: request.subject_id,
        to_unit: request.to_unit_id,
        concerns: request.concerns,
        reason: request.reason,
        consent: request.consent_id,
        legal_ground: request.legal_ground,
        information: request.information,
    };
    Ok(answered(referrals::send(commander.handles(&state), context, input).await?))
}

/// `POST /api/applications`: registers an application made to the user's unit (social services); it is
/// received at once and answered like a sent referral.
pub(crate) async fn register_application(
    State(state): State<Arc<AppState>>,
    commander: Commander,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<SendReferralAnswer>), Problem> {
    let request: RegisterApplicationRequest = parse_body(raw)?;
    let context = commander.context(request.occurred_on);
    let input = RegisterApplication {
        referral: request.referral_id,
        subject: request.subject_id,
        applicant: request.applicant,
        concerns: request.concerns,
        reason: request.reason,
    };
    Ok(answered(referrals::register_application(commander.handles(&state), context, input).await?))
}
