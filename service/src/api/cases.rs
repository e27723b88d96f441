//! Cases over HTTP: `POST /api/cases` opens one at the user's unit, `POST /api/cases/{id}/{step}` takes every
//! further step, each with an `Idempotency-Key`. Texts are sealed under the case's subject's key; the domain
//! checks the unit, the role and the legal clocks; a case that is not the user's unit's answers 404.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use domain::case::{CareOrderStep, CaseOrigin, CloseReason, DecisionStage, InvestigationResult, PreliminaryDecision};
use domain::categories::ConcernCategory;
use domain::ids::{CaseId, GoalId, InterventionId, NoteId, ReferralId, SubjectId, UnitId, UserId};
use domain::legal::LegalGroundCode;
use domain::outcomes::{GoalAttainment, InterventionKind, InterventionOutcome};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::actions::cases::{self, CaseDone, CaseStep, NewGoal, OpenCase};
use crate::api::commands::{Commander, StepPath};
use crate::api::problem::{parse_body, parse_step, Problem};
use crate::state::AppState;

/// How a case came about, as sent.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case", tag = "kind")]
pub enum OriginRequest {
    /// From a referral.
    Referral { referral_id: ReferralId },
    /// From an application.
    Application { referral_id: ReferralId },
    /// On the unit's own initiative.
    OwnInitiative,
}

/// The body of `POST /api/cases`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenCaseRequest {
    case_id: Option<CaseId>,
    subject_id: SubjectId,
    origin: OriginRequest,
    concerns: BTreeSet<ConcernCategory>,
    #[schemars(with = "Option<domain::calendar::IsoDate>")]
    protection_assessed_on: Option<Date>,
    #[schemars(with = "Option<domain::calendar::IsoDate>")]
    occurred_on: Option<Date>,
}

/// A goal as sent.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalRequest {
    goal_id: Option<GoalId>,
    description: String,
}

/// The body of a step, by the step's name in the path.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum CaseStepRequest {
    /// The protection assessment.
    AssessProtection {
        immediate_protection_needed: bool,
        assessment: String,
        late_reason: Option<String>,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// The preliminary assessment; `child_heard_why_not` when the child was not heard.
    #[schemars(extend(
        "if" = { "properties": { "child_heard": { "const": false } }, "required": ["child_heard"] },
        "then" = { "required": ["child_heard_why_not"] }
    ))]
    DecidePreliminary {
        decision: PreliminaryDecision,
        reasons: String,
        child_heard: bool,
        child_heard_why_not: Option<String>,
        exceptional_reason: Option<String>,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Start the investigation.
    StartInvestigation {
        concerns: BTreeSet<ConcernCategory>,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Extend it (unit managers).
    ExtendInvestigation {
        #[schemars(with = "domain::calendar::IsoDate")]
        new_due_on: Date,
        reason: String,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Complete it; after its last day with `late_reason`, and it is recorded as late.
    CompleteInvestigation {
        result: InvestigationResult,
        conclusion: String,
        late_reason: Option<String>,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Decide an intervention (whom the unit's delegation order names; unit managers by default): after the
    /// investigation (`stage` left out), as an `interim` decision while it runs, or `without_needs_assessment` for an
    /// open intervention on the legal basis `sol-utan-behovsprovning`.
    DecideIntervention {
        intervention_id: Option<InterventionId>,
        kind: InterventionKind,
        legal_basis: LegalGroundCode,
        reasons: String,
        #[serde(default)]
        stage: DecisionStage,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Decide an immediate care order under LVU 6 § (whom the delegation order names): the deadlines view shows
    /// the week to submit it to the administrative court (7 §) and, once it is carried out, the four weeks to apply
    /// for care (8 §).
    DecideImmediateCareOrder {
        reasons: String,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Record a step after the immediate care order: `enforced`, `submitted_to_court`, `care_applied`, `ended`.
    RecordCareOrderStep {
        step: CareOrderStep,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Refuse, wholly or in part (`partly`), what an applicant asked for, after the investigation of the
    /// application; `appeal_notice_given_on` records the day the applicant was told how to appeal (required).
    RefuseApplication {
        legal_basis: LegalGroundCode,
        reasons: String,
        #[serde(default)]
        partly: bool,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        appeal_notice_given_on: Option<Date>,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Plan it.
    PlanIntervention {
        intervention_id: InterventionId,
        provider_unit_id: Option<UnitId>,
        referral_id: Option<ReferralId>,
        goals: Vec<GoalRequest>,
        #[schemars(with = "domain::calendar::IsoDate")]
        planned_start: Date,
        #[schemars(with = "domain::calendar::IsoDate")]
        first_follow_up_on: Date,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Start it.
    StartIntervention {
        intervention_id: InterventionId,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Follow it up: attainment −2…+2 per goal id.
    FollowUpIntervention {
        intervention_id: InterventionId,
        attainments: BTreeMap<GoalId, GoalAttainment>,
        notes: String,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        next_follow_up_on: Option<Date>,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// End it.
    EndIntervention {
        intervention_id: InterventionId,
        outcome: InterventionOutcome,
        summary: String,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Append a journal note, or a correction of one.
    AppendNote {
        note_id: Option<NoteId>,
        text: String,
        corrects: Option<NoteId>,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Make a worker responsible.
    AssignWorker {
        worker_id: UserId,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Transfer to another unit (unit managers).
    Transfer {
        to_unit_id: UnitId,
        reason: String,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Close the case.
    Close {
        reason: CloseReason,
        notes: String,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Reopen it.
    Reopen {
        reason: String,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
}

/// The answer to a case command.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CaseAnswer {
    case_id: String,
    step: String,
    repeat: bool,
    /// Ids the service made (a new intervention's, note's or goals').
    created: Vec<String>,
    /// Where this command's events stand in the log: send it as `X-Lots-After` to read every view with them in.
    written: Option<String>,
}

impl CaseStepRequest {
    /// The step as the use case takes it, and the date it happened (today when not given).
    fn into_step(self) -> (CaseStep, Option<Date>) {
        match self {
            Self::AssessProtection { immediate_protection_needed, assessment, late_reason, occurred_on } => {
                (CaseStep::AssessProtection { immediate_protection_needed, assessment, late_reason }, occurred_on)
            }
            Self::DecidePreliminary {
                decision,
                reasons,
                child_heard,
                child_heard_why_not,
                exceptional_reason,
                occurred_on,
            } => (
                CaseStep::DecidePreliminary { decision, reasons, child_heard, child_heard_why_not, exceptional_reason },
                occurred_on,
            ),
            Self::StartInvestigation { concerns, occurred_on } => {
                (CaseStep::StartInvestigation { concerns }, occurred_on)
            }
            Self::ExtendInvestigation { new_due_on, reason, occurred_on } => {
                (CaseStep::ExtendInvestigation { new_due_on, reason }, occurred_on)
            }
            Self::CompleteInvestigation { result, conclusion, late_reason, occurred_on } => {
                (CaseStep::CompleteInvestigation { result, conclusion, late_reason }, occurred_on)
            }
            Self::DecideIntervention { intervention_id, kind, legal_basis, reasons, stage, occurred_on } => (
                CaseStep::DecideIntervention { intervention: intervention_id, kind, legal_basis, reasons, stage },
                occurred_on,
            ),
            Self::DecideImmediateCareOrder { reasons, occurred_on } => {
                (CaseStep::DecideImmediateCareOrder { reasons }, occurred_on)
            }
            Self::RecordCareOrderStep { step, occurred_on } => (CaseStep::RecordCareOrderStep { step }, occurred_on),
            Self::RefuseApplication { legal_basis, reasons, partly, appeal_notice_given_on, occurred_on } => {
                (CaseStep::RefuseApplication { legal_basis, reasons, partly, appeal_notice_given_on }, occurred_on)
            }
            Self::PlanIntervention {
                intervention_id,
                provider_unit_id,
                referral_id,
                goals,
                planned_start,
                first_follow_up_on,
                occurred_on,
            } => (
                CaseStep::PlanIntervention {
                    intervention: intervention_id,
                    provider: provider_unit_id,
                    referral: referral_id,
                    goals: goals
                        .into_iter()
                        .map(|goal| NewGoal { goal: goal.goal_id, description: goal.description })
                        .collect(),
                    planned_start,
                    first_follow_up_on,
                },
                occurred_on,
            ),
            Self::StartIntervention { intervention_id, occurred_on } => {
                (CaseStep::StartIntervention { intervention: intervention_id }, occurred_on)
            }
            Self::FollowUpIntervention { intervention_id, attainments, notes, next_follow_up_on, occurred_on } => (
                CaseStep::FollowUpIntervention { intervention: intervention_id, attainments, notes, next_follow_up_on },
                occurred_on,
            ),
            Self::EndIntervention { intervention_id, outcome, summary, occurred_on } => {
                (CaseStep::EndIntervention { intervention: intervention_id, outcome, summary }, occurred_on)
            }
            Self::AppendNote { note_id, text, corrects, occurred_on } => {
                (CaseStep::AppendNote { note: note_id, text, corrects }, occurred_on)
            }
            Self::AssignWorker { worker_id, occurred_on } => {
                (CaseStep::AssignWorker { worker: worker_id }, occurred_on)
            }
            Self::Transfer { to_unit_id, reason, occurred_on } => {
                (CaseStep::Transfer { to_unit: to_unit_id, reason }, occurred_on)
            }
            Self::Close { reason, notes, occurred_on } => (CaseStep::Close { reason, notes }, occurred_on),
            Self::Reopen { reason, occurred_on } => (CaseStep::Reopen { reason }, occurred_on),
        }
    }
}

/// The answer to what a case command did: 201, or 200 for a repeat.
fn answered(done: CaseDone, step: String) -> (StatusCode, Json<CaseAnswer>) {
    let answer = CaseAnswer {
        case_id: done.case.to_string(),
        step,
        repeat: done.repeat,
        created: done.created,
        written: done.written,
    };
    crate::api::commands::answered(done.repeat, answer)
}

/// `POST /api/cases`: opens a case at the user's unit.
pub(crate) async fn open(
    State(state): State<Arc<AppState>>,
    commander: Commander,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<CaseAnswer>), Problem> {
    let request: OpenCaseRequest = parse_body(raw)?;
    let origin = match request.origin {
        OriginRequest::Referral { referral_id } => CaseOrigin::Referral(referral_id),
        OriginRequest::Application { referral_id } => CaseOrigin::Application(referral_id),
        OriginRequest::OwnInitiative => CaseOrigin::OwnInitiative,
    };
    let input = OpenCase {
        case: request.case_id,
        subject: request.subject_id,
        origin,
        concerns: request.concerns,
        protection_assessed_on: request.protection_assessed_on,
    };
    let context = commander.context(request.occurred_on);
    Ok(answered(cases::open(commander.handles(&state), context, input).await?, "open".to_owned()))
}

/// `POST /api/cases/{id}/{step}`.
pub(crate) async fn step(
    State(state): State<Arc<AppState>>,
    commander: Commander,
    path: StepPath<CaseId>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<CaseAnswer>), Problem> {
    let StepPath { id: case, step } = path;
    let request: CaseStepRequest = parse_step(raw, &step)?;
    let (case_step, occurred_on) = request.into_step();
    let context = commander.context(occurred_on);
    Ok(answered(cases::step(commander.handles(&state), context, case, case_step).await?, step))
}
