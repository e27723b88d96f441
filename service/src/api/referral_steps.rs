//! The steps of a referral over HTTP: `POST /api/referrals/{id}/{step}`, each with an `Idempotency-Key`. Texts
//! are sealed under the referral's subject's key; the domain checks that the acting unit is the receiving (or
//! sending) one, and a referral that is not the user's answers 404 like one that does not exist.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use domain::ids::{CaseId, ReferralId, UnitId};
use domain::outcomes::InterventionOutcome;
use domain::referral::{DeclineReason, FeedbackKind};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::actions::referrals::{self, Assessment, ReferralStep};
use crate::api::commands::{Commander, StepPath};
use crate::api::problem::{parse_step, Problem};
use crate::state::AppState;

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

impl AssessmentRequest {
    /// The assessment as the use cases take it.
    pub(crate) fn into_assessment(self) -> Assessment {
        Assessment {
            immediate_protection_needed: self.immediate_protection_needed,
            assessment: self.assessment,
            assessed_on: self.assessed_on,
            late_reason: self.late_reason,
        }
    }
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
        case_id: CaseId,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Decline with a reason (never a report of concern: it is assessed, or handed over).
    Decline {
        reason_code: DeclineReason,
        reason: String,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Forward to another unit: a new referral arrives there, naming this one; a referral needs a consent or a
    /// legal ground and the kinds of information it discloses, as when it was sent.
    Forward {
        to_unit_id: UnitId,
        new_referral_id: ReferralId,
        reason: String,
        consent_id: Option<domain::ids::ConsentId>,
        legal_ground: Option<String>,
        #[serde(default)]
        information: std::collections::BTreeSet<domain::categories::InformationCategory>,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Hand a report of concern over to the municipality responsible for the child (the receiving social services).
    HandOver {
        /// The municipality, by name (e.g. "Solna kommun").
        municipality: String,
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
    /// Give feedback to the sender (or to a reporter from outside the directory who is not anonymous).
    GiveFeedback {
        feedback: FeedbackKind,
        message: Option<String>,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Judge that feedback to a report's reporter would be inappropriate, with why: it is then no longer owed
    /// (SoL 14 kap. 1 b §).
    JudgeFeedbackInappropriate {
        reason: String,
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

impl StepRequest {
    /// The step as the use case takes it, and the date it happened (today when not given).
    fn into_step(self) -> (ReferralStep, Option<Date>) {
        match self {
            Self::Receive { protection_assessment, occurred_on } => {
                let protection_assessment = protection_assessment.map(AssessmentRequest::into_assessment);
                (ReferralStep::Receive { protection_assessment }, occurred_on)
            }
            Self::PutOnHold { reason, occurred_on } => (ReferralStep::PutOnHold { reason }, occurred_on),
            Self::Resume { occurred_on } => (ReferralStep::Resume, occurred_on),
            Self::Accept { case_id, occurred_on } => (ReferralStep::Accept { case: case_id }, occurred_on),
            Self::Decline { reason_code, reason, occurred_on } => {
                (ReferralStep::Decline { reason_code, reason }, occurred_on)
            }
            Self::Forward {
                to_unit_id,
                new_referral_id,
                reason,
                consent_id,
                legal_ground,
                information,
                occurred_on,
            } => (
                ReferralStep::Forward {
                    to_unit: to_unit_id,
                    new_referral: new_referral_id,
                    reason,
                    consent: consent_id,
                    legal_ground,
                    information,
                },
                occurred_on,
            ),
            Self::HandOver { municipality, reason, occurred_on } => {
                (ReferralStep::HandOver { municipality, reason }, occurred_on)
            }
            Self::Withdraw { reason, occurred_on } => (ReferralStep::Withdraw { reason }, occurred_on),
            Self::ReportStart { occurred_on } => (ReferralStep::ReportStart, occurred_on),
            Self::ReportEnd { outcome, occurred_on } => (ReferralStep::ReportEnd { outcome }, occurred_on),
            Self::GiveFeedback { feedback, message, occurred_on } => {
                (ReferralStep::GiveFeedback { feedback, message }, occurred_on)
            }
            Self::JudgeFeedbackInappropriate { reason, occurred_on } => {
                (ReferralStep::JudgeFeedbackInappropriate { reason }, occurred_on)
            }
        }
    }
}

/// `POST /api/referrals/{id}/{step}`.
pub(crate) async fn step(
    State(state): State<Arc<AppState>>,
    commander: Commander,
    path: StepPath<ReferralId>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<StepAnswer>), Problem> {
    let StepPath { id: referral, step } = path;
    let request: StepRequest = parse_step(raw, &step)?;
    let (referral_step, occurred_on) = request.into_step();
    let context = commander.context(occurred_on);
    let done = referrals::step(commander.handles(&state), context, referral, referral_step).await?;
    let answer = StepAnswer { referral_id: referral.to_string(), step, repeat: done.repeat, written: done.written };
    Ok(crate::api::commands::answered(done.repeat, answer))
}
