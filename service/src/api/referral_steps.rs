//! The steps of a referral over HTTP: `POST /api/referrals/{id}/{step}`, each with an `Idempotency-Key`. Texts
//! are sealed under the referral's subject's key; the domain checks that the acting unit is the receiving (or
//! sending) one, and a referral that is not the user's answers 404 like one that does not exist.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use domain::command::{Command, CommandRefused};
use domain::ids::{CaseId, ReferralId, UnitId};
use domain::outcomes::InterventionOutcome;
use domain::referral::{DeclineReason, FeedbackKind, ProtectionAssessment, Referral, ReferralCommand, ReferralError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::api::commands::{command_outcome, idempotency_key, Refusal};
use crate::api::problem::{parse_step, Problem};
use crate::api::session::SignedIn;
use crate::event_log::commands::EventMetadata;
use crate::state::AppState;
use projections::replay::load;

/// A protection assessment as sent.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentRequest {
    immediate_protection_needed: bool,
    assessment: String,
    #[schemars(with = "domain::calendar::IsoDate")]
    assessed_on: Date,
    late_reason: Option<String>,
}

/// The body of a step, by the step's name in the path.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum StepRequest {
    /// Receive (a report of concern with its protection assessment).
    Receive {
        protection_assessment: Option<AssessmentRequest>,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Put on hold.
    PutOnHold {
        reason: String,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Take off hold.
    Resume {
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Accept, linking the case.
    Accept {
        case_id: String,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Decline with a reason.
    Decline {
        reason_code: DeclineReason,
        reason: String,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Forward to another unit.
    Forward {
        to_unit_id: String,
        new_referral_id: String,
        reason: String,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Withdraw (the sender).
    Withdraw {
        reason: String,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Report the intervention's start.
    ReportStart {
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Report the intervention's end.
    ReportEnd {
        outcome: InterventionOutcome,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Give feedback to the sender.
    GiveFeedback {
        feedback: FeedbackKind,
        message: Option<String>,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
}

/// The answer to a step.
#[derive(Debug, Serialize, JsonSchema)]
pub struct StepAnswer {
    referral_id: String,
    step: String,
    repeat: bool,
    /// Where this command's events stand in the log: send it as `X-Lots-After` to read every view with them in.
    written: Option<String>,
}

/// `POST /api/referrals/{id}/{step}`.
pub(crate) async fn step(
    State(state): State<Arc<AppState>>,
    signed_in: SignedIn,
    Path((id, step)): Path<(String, String)>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<StepAnswer>), Problem> {
    let command_id = idempotency_key(&headers)?;
    let referral_id = ReferralId::parse(&id).map_err(|_| Problem::not_found("referral"))?;
    let request: StepRequest = parse_step(raw, &step)?;
    let referral: Referral = load(&state.db, "referral", &referral_id.to_string()).await?;
    let subject = referral.subject.ok_or_else(|| Problem::not_found("referral"))?;
    let vault = &state.vault;
    let seal = |field: &'static str, text: String| async move {
        crate::api::commands::seal_field(vault, subject, field, &text).await
    };
    let (body, occurred_on) = match request {
        StepRequest::Receive { protection_assessment, occurred_on } => {
            let assessment = match protection_assessment {
                Some(given) => Some(ProtectionAssessment {
                    immediate_protection_needed: given.immediate_protection_needed,
                    assessment: seal("protection_assessment.assessment", given.assessment).await?,
                    assessed_on: given.assessed_on,
                    late_reason: match given.late_reason {
                        Some(text) => Some(seal("protection_assessment.late_reason", text).await?),
                        None => None,
                    },
                }),
                None => None,
            };
            (ReferralCommand::ReceiveReferral { protection_assessment: assessment }, occurred_on)
        }
        StepRequest::PutOnHold { reason, occurred_on } => {
            (ReferralCommand::PutReferralOnHold { reason: seal("reason", reason).await? }, occurred_on)
        }
        StepRequest::Resume { occurred_on } => (ReferralCommand::ResumeReferral, occurred_on),
        StepRequest::Accept { case_id, occurred_on } => {
            let case = CaseId::parse(&case_id).map_err(|error| Problem::invalid("case_id", error.to_string()))?;
            (ReferralCommand::AcceptReferral { case }, occurred_on)
        }
        StepRequest::Decline { reason_code, reason, occurred_on } => {
            (ReferralCommand::DeclineReferral { reason_code, reason: seal("reason", reason).await? }, occurred_on)
        }
        StepRequest::Forward { to_unit_id, new_referral_id, reason, occurred_on } => {
            let to_unit =
                UnitId::parse(&to_unit_id).map_err(|error| Problem::invalid("to_unit_id", error.to_string()))?;
            let to_unit_kind = crate::api::directory::open_unit(&state.db, "to_unit_id", to_unit).await?.kind;
            let new_referral = ReferralId::parse(&new_referral_id)
                .map_err(|error| Problem::invalid("new_referral_id", error.to_string()))?;
            (
                ReferralCommand::ForwardReferral {
                    to_unit,
                    to_unit_kind,
                    new_referral,
                    reason: seal("reason", reason).await?,
                },
                occurred_on,
            )
        }
        StepRequest::Withdraw { reason, occurred_on } => {
            (ReferralCommand::WithdrawReferral { reason: seal("reason", reason).await? }, occurred_on)
        }
        StepRequest::ReportStart { occurred_on } => (ReferralCommand::ReportInterventionStarted, occurred_on),
        StepRequest::ReportEnd { outcome, occurred_on } => {
            (ReferralCommand::ReportInterventionEnded { outcome }, occurred_on)
        }
        StepRequest::GiveFeedback { feedback, message, occurred_on } => {
            let message = match message {
                Some(text) => Some(seal("message", text).await?),
                None => None,
            };
            (ReferralCommand::GiveFeedback { feedback, message }, occurred_on)
        }
    };
    let context = signed_in.command_context(command_id, occurred_on);
    let outcome = state
        .bus
        .execute::<Referral>(&referral_id.to_string(), Command { context, body }, &EventMetadata::default())
        .await;
    let repeat = command_outcome(outcome, "referral", |error| match error {
        ReferralError::NotSent | ReferralError::Command(CommandRefused::OutsideActorsUnit) => Refusal::NotFound,
        _ => Refusal::Rule,
    })?;
    let written = crate::actions::written(&state.db, "referral", &referral_id.to_string(), "referrals").await;
    let status = if repeat { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(StepAnswer { referral_id: referral_id.to_string(), step, repeat, written })))
}
