//! Cases over HTTP: `POST /api/cases` opens one at the user's unit, `POST /api/cases/{id}/{step}` takes every
//! further step, each with an `Idempotency-Key`. Texts are sealed under the case's subject's key; the domain
//! checks the unit, the role and the legal clocks; a case that is not the user's unit's answers 404.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use domain::case::{
    Case, CaseCommand, CaseError, CaseOrigin, ChildHeard, CloseReason, InvestigationResult, PlannedGoal,
    PreliminaryDecision, PriorInvestigation,
};
use domain::categories::ConcernCategory;
use domain::command::{Command, CommandRefused};
use domain::ids::{CaseId, GoalId, InterventionId, NoteId, ReferralId, SubjectId, UnitId, UserId};
use domain::legal::LegalGroundCode;
use domain::outcomes::{GoalAttainment, InterventionKind, InterventionOutcome};
use domain::sealed::Sealed;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::actions::made_id;
use crate::api::commands::{command_outcome, idempotency_key, seal_field, Refusal};
use crate::api::problem::{parse_body, parse_step, Problem};
use crate::api::session::SignedIn;
use crate::event_log::commands::EventMetadata;
use crate::state::AppState;
use projections::replay::load;

/// How a case came about, as sent.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case", tag = "kind")]
pub enum OriginRequest {
    /// From a referral.
    Referral { referral_id: String },
    /// From an application.
    Application { referral_id: String },
    /// On the unit's own initiative.
    OwnInitiative,
}

/// The body of `POST /api/cases`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenCaseRequest {
    case_id: Option<String>,
    subject_id: String,
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
    goal_id: Option<String>,
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
    /// Complete it.
    CompleteInvestigation {
        result: InvestigationResult,
        conclusion: String,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Decide an intervention (unit managers).
    DecideIntervention {
        intervention_id: Option<String>,
        kind: InterventionKind,
        legal_basis: LegalGroundCode,
        reasons: String,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Plan it.
    PlanIntervention {
        intervention_id: String,
        provider_unit_id: Option<String>,
        referral_id: Option<String>,
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
        intervention_id: String,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Follow it up: attainment −2…+2 per goal id.
    FollowUpIntervention {
        intervention_id: String,
        attainments: BTreeMap<String, GoalAttainment>,
        notes: String,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        next_follow_up_on: Option<Date>,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// End it.
    EndIntervention {
        intervention_id: String,
        outcome: InterventionOutcome,
        summary: String,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Append a journal note, or a correction of one.
    AppendNote {
        note_id: Option<String>,
        text: String,
        corrects: Option<String>,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Make a worker responsible.
    AssignWorker {
        worker_id: String,
        #[schemars(with = "Option<domain::calendar::IsoDate>")]
        occurred_on: Option<Date>,
    },
    /// Transfer to another unit (unit managers).
    Transfer {
        to_unit_id: String,
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

fn parse_id<T>(
    field: &str,
    text: &str,
    parse: impl Fn(&str) -> Result<T, domain::ids::InvalidId>,
) -> Result<T, Problem> {
    parse(text).map_err(|error| Problem::invalid(field, error.to_string()))
}

/// A case command ready to run, and what to answer with.
struct Issued {
    case: CaseId,
    command_id: domain::ids::CommandId,
    body: CaseCommand,
    occurred_on: Option<Date>,
    step: String,
    created: Vec<String>,
}

async fn run(
    state: &AppState,
    signed_in: &SignedIn,
    issued: Issued,
) -> Result<(StatusCode, Json<CaseAnswer>), Problem> {
    let Issued { case, command_id, body, occurred_on, step, created } = issued;
    let context = signed_in.command_context(command_id, occurred_on);
    let outcome =
        state.bus.execute::<Case>(&case.to_string(), Command { context, body }, &EventMetadata::default()).await;
    let repeat = command_outcome(outcome, "case", |error| match error {
        CaseError::NotOpened | CaseError::Command(CommandRefused::OutsideActorsUnit) => Refusal::NotFound,
        CaseError::AlreadyOpened => Refusal::Conflict("a case with this id exists; open it with a new id"),
        _ => Refusal::Rule,
    })?;
    let written = crate::actions::written(&state.db, "case", &case.to_string(), "caseload").await;
    let status = if repeat { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(CaseAnswer { case_id: case.to_string(), step, repeat, created, written })))
}

/// The investigation about `subject` that ended last, in any case of theirs, so that a new case can flag an
/// investigation restarted on the same question (the glossary: closing one and opening another to get around
/// the four months is misconduct). Earlier cases are found through the caseload view and replayed from the log.
async fn prior_investigation(state: &AppState, subject: SubjectId) -> Result<Option<PriorInvestigation>, Problem> {
    let internal = |error: sqlx::Error| Problem::internal(&error);
    let generation = projections::runner::status(&state.db, "caseload").await.map_err(internal)?.generation;
    let cases: Vec<String> = projections::on_pool!(state.db, |pool| {
        sqlx::query_scalar("select case_id from caseload_cases where generation = $1 and subject_id = $2")
            .bind(generation)
            .bind(subject.to_string())
            .fetch_all(pool)
            .await
    })
    .map_err(internal)?;
    let mut latest: Option<PriorInvestigation> = None;
    for id in cases {
        let case: Case = load(&state.db, "case", &id).await?;
        let Some(ended) = case.last_ended_investigation else { continue };
        let own = CaseId::parse(&id).map_err(|error| Problem::internal(&error))?;
        if latest.as_ref().is_none_or(|prior| ended.ended_on > prior.ended_on) {
            latest = Some(PriorInvestigation {
                case: ended.case.unwrap_or(own),
                first_started_on: ended.first_started_on,
                ended_on: ended.ended_on,
                concerns: ended.concerns,
            });
        }
    }
    Ok(latest)
}

/// `POST /api/cases`: opens a case at the user's unit.
pub(crate) async fn open(
    State(state): State<Arc<AppState>>,
    signed_in: SignedIn,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<CaseAnswer>), Problem> {
    let command_id = idempotency_key(&headers)?;
    let request: OpenCaseRequest = parse_body(raw)?;
    let case = match &request.case_id {
        Some(id) => parse_id("case_id", id, CaseId::parse)?,
        None => CaseId::from_ulid(made_id(command_id, 0)),
    };
    let origin = match request.origin {
        OriginRequest::Referral { referral_id } => {
            CaseOrigin::Referral(parse_id("origin.referral_id", &referral_id, ReferralId::parse)?)
        }
        OriginRequest::Application { referral_id } => {
            CaseOrigin::Application(parse_id("origin.referral_id", &referral_id, ReferralId::parse)?)
        }
        OriginRequest::OwnInitiative => CaseOrigin::OwnInitiative,
    };
    let subject = parse_id("subject_id", &request.subject_id, SubjectId::parse)?;
    let body = CaseCommand::OpenCase {
        case,
        subject,
        unit_kind: crate::api::directory::open_unit(&state.db, "unit", signed_in.account.unit).await?.kind,
        origin,
        concerns: request.concerns,
        protection_assessed_on: request.protection_assessed_on,
        prior_investigation: prior_investigation(&state, subject).await?,
    };
    run(
        &state,
        &signed_in,
        Issued {
            case,
            command_id,
            body,
            occurred_on: request.occurred_on,
            step: "open".to_owned(),
            created: Vec::new(),
        },
    )
    .await
}

/// `POST /api/cases/{id}/{step}`.
pub(crate) async fn step(
    State(state): State<Arc<AppState>>,
    signed_in: SignedIn,
    Path((id, step)): Path<(String, String)>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<CaseAnswer>), Problem> {
    let command_id = idempotency_key(&headers)?;
    let case = CaseId::parse(&id).map_err(|_| Problem::not_found("case"))?;
    let request: CaseStepRequest = parse_step(raw, &step)?;
    let current: Case = load(&state.db, "case", &case.to_string()).await?;
    let subject = current.subject.ok_or_else(|| Problem::not_found("case"))?;
    let vault = &state.vault;
    let seal = |field: &'static str, text: String| async move { seal_field(vault, subject, field, &text).await };
    let maybe = |field: &'static str, text: Option<String>| async move {
        match text {
            Some(text) => seal(field, text).await.map(Some),
            None => Ok::<Option<Sealed>, Problem>(None),
        }
    };
    let mut created = Vec::new();
    let (command, occurred_on) = match request {
        CaseStepRequest::AssessProtection { immediate_protection_needed, assessment, late_reason, occurred_on } => (
            CaseCommand::AssessProtection {
                immediate_protection_needed,
                assessment: seal("assessment", assessment).await?,
                late_reason: maybe("late_reason", late_reason).await?,
            },
            occurred_on,
        ),
        CaseStepRequest::DecidePreliminary {
            decision,
            reasons,
            child_heard,
            child_heard_why_not,
            exceptional_reason,
            occurred_on,
        } => {
            let heard = if child_heard {
                ChildHeard::Yes
            } else {
                ChildHeard::No(seal("child_heard_why_not", child_heard_why_not.unwrap_or_default()).await?)
            };
            (
                CaseCommand::DecidePreliminaryAssessment {
                    decision,
                    reasons: seal("reasons", reasons).await?,
                    child_heard: heard,
                    exceptional_reason: maybe("exceptional_reason", exceptional_reason).await?,
                },
                occurred_on,
            )
        }
        CaseStepRequest::StartInvestigation { concerns, occurred_on } => {
            (CaseCommand::StartInvestigation { concerns }, occurred_on)
        }
        CaseStepRequest::ExtendInvestigation { new_due_on, reason, occurred_on } => {
            (CaseCommand::ExtendInvestigation { new_due_on, reason: seal("reason", reason).await? }, occurred_on)
        }
        CaseStepRequest::CompleteInvestigation { result, conclusion, occurred_on } => (
            CaseCommand::CompleteInvestigation { result, conclusion: seal("conclusion", conclusion).await? },
            occurred_on,
        ),
        CaseStepRequest::DecideIntervention { intervention_id, kind, legal_basis, reasons, occurred_on } => {
            let intervention = match intervention_id {
                Some(id) => parse_id("intervention_id", &id, InterventionId::parse)?,
                None => InterventionId::from_ulid(made_id(command_id, 1)),
            };
            created.push(intervention.to_string());
            (
                CaseCommand::DecideIntervention {
                    intervention,
                    kind,
                    legal_basis,
                    reasons: seal("reasons", reasons).await?,
                },
                occurred_on,
            )
        }
        CaseStepRequest::PlanIntervention {
            intervention_id,
            provider_unit_id,
            referral_id,
            goals,
            planned_start,
            first_follow_up_on,
            occurred_on,
        } => {
            let mut planned = Vec::new();
            for (n, goal) in (1..).zip(goals) {
                let id = match goal.goal_id {
                    Some(id) => parse_id("goals.goal_id", &id, GoalId::parse)?,
                    None => GoalId::from_ulid(made_id(command_id, n)),
                };
                created.push(id.to_string());
                planned.push(PlannedGoal { goal: id, description: seal("goals.description", goal.description).await? });
            }
            (
                CaseCommand::PlanIntervention {
                    intervention: parse_id("intervention_id", &intervention_id, InterventionId::parse)?,
                    provider: provider_unit_id
                        .map(|id| parse_id("provider_unit_id", &id, UnitId::parse))
                        .transpose()?,
                    referral: referral_id.map(|id| parse_id("referral_id", &id, ReferralId::parse)).transpose()?,
                    goals: planned,
                    planned_start,
                    first_follow_up_on,
                },
                occurred_on,
            )
        }
        CaseStepRequest::StartIntervention { intervention_id, occurred_on } => (
            CaseCommand::StartIntervention {
                intervention: parse_id("intervention_id", &intervention_id, InterventionId::parse)?,
            },
            occurred_on,
        ),
        CaseStepRequest::FollowUpIntervention {
            intervention_id,
            attainments,
            notes,
            next_follow_up_on,
            occurred_on,
        } => {
            let mut scored = BTreeMap::new();
            for (goal, score) in attainments {
                scored.insert(parse_id("attainments", &goal, GoalId::parse)?, score);
            }
            (
                CaseCommand::FollowUpIntervention {
                    intervention: parse_id("intervention_id", &intervention_id, InterventionId::parse)?,
                    attainments: scored,
                    notes: seal("notes", notes).await?,
                    next_follow_up_on,
                },
                occurred_on,
            )
        }
        CaseStepRequest::EndIntervention { intervention_id, outcome, summary, occurred_on } => (
            CaseCommand::EndIntervention {
                intervention: parse_id("intervention_id", &intervention_id, InterventionId::parse)?,
                outcome,
                summary: seal("summary", summary).await?,
            },
            occurred_on,
        ),
        CaseStepRequest::AppendNote { note_id, text, corrects, occurred_on } => {
            let note = match note_id {
                Some(id) => parse_id("note_id", &id, NoteId::parse)?,
                None => NoteId::from_ulid(made_id(command_id, 1)),
            };
            created.push(note.to_string());
            (
                CaseCommand::AppendNote {
                    note,
                    text: seal("text", text).await?,
                    corrects: corrects.map(|id| parse_id("corrects", &id, NoteId::parse)).transpose()?,
                },
                occurred_on,
            )
        }
        CaseStepRequest::AssignWorker { worker_id, occurred_on } => (
            CaseCommand::AssignResponsibleWorker { worker: parse_id("worker_id", &worker_id, UserId::parse)? },
            occurred_on,
        ),
        CaseStepRequest::Transfer { to_unit_id, reason, occurred_on } => {
            let to_unit = parse_id("to_unit_id", &to_unit_id, UnitId::parse)?;
            let to_unit_kind = crate::api::directory::open_unit(&state.db, "to_unit_id", to_unit).await?.kind;
            (CaseCommand::TransferCase { to_unit, to_unit_kind, reason: seal("reason", reason).await? }, occurred_on)
        }
        CaseStepRequest::Close { reason, notes, occurred_on } => {
            (CaseCommand::CloseCase { reason, notes: seal("notes", notes).await? }, occurred_on)
        }
        CaseStepRequest::Reopen { reason, occurred_on } => {
            (CaseCommand::ReopenCase { reason: seal("reason", reason).await? }, occurred_on)
        }
    };
    run(&state, &signed_in, Issued { case, command_id, body: command, occurred_on, step, created }).await
}
