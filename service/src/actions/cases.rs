//! Use cases of a case: opening one at the actor's unit (with the subject's earlier investigations looked up) and
//! every further step, with the texts sealed under the subject's key and the ids the service makes derived from
//! the command id. The domain checks the unit, the role and the legal clocks.

use std::collections::{BTreeMap, BTreeSet};

use domain::case::{
    Case, CaseCommand, CaseError, CaseOrigin, ChildHeard, CloseReason, InvestigationResult, PlannedGoal,
    PreliminaryDecision, PriorInvestigation,
};
use domain::categories::ConcernCategory;
use domain::command::{Command, CommandContext, CommandRefused};
use domain::ids::{CaseId, GoalId, InterventionId, NoteId, ReferralId, SubjectId, UnitId, UserId};
use domain::legal::LegalGroundCode;
use domain::outcomes::{GoalAttainment, InterventionKind, InterventionOutcome};
use projections::replay::load;
use time::Date;

use domain::authorization::{self, Refused};
use domain::referral::Referral;
use domain::subject::Subject;

use super::{
    made_id, outcome, refused_for_field, seal_optional, seal_text, written, ActionError, Classified, Handles, Refusal,
};

/// What opening a case needs.
#[derive(Debug, Clone)]
pub struct OpenCase {
    /// The new case's id; made from the command id when not given.
    pub case: Option<CaseId>,
    /// Whom it is about.
    pub subject: SubjectId,
    /// How it came about.
    pub origin: CaseOrigin,
    /// The concerns.
    pub concerns: BTreeSet<ConcernCategory>,
    /// When the protection assessment was made, if it was made before the case was opened.
    pub protection_assessed_on: Option<Date>,
}

/// A goal of a planned intervention.
#[derive(Debug, Clone)]
pub struct NewGoal {
    /// Its id; made from the command id when not given.
    pub goal: Option<GoalId>,
    /// What it is, in plain text (sealed).
    pub description: String,
}

/// A step of a case, its texts in plain text (sealed before the command is given).
#[derive(Debug, Clone)]
pub enum CaseStep {
    /// The protection assessment.
    AssessProtection {
        /// Whether the child needs protection at once.
        immediate_protection_needed: bool,
        /// The assessment.
        assessment: String,
        /// Why it is late, when it is.
        late_reason: Option<String>,
    },
    /// The preliminary assessment.
    DecidePreliminary {
        /// The decision.
        decision: PreliminaryDecision,
        /// Its reasons.
        reasons: String,
        /// Whether the child was heard.
        child_heard: bool,
        /// Why not, when not.
        child_heard_why_not: Option<String>,
        /// Why it took longer than 14 days, when it did.
        exceptional_reason: Option<String>,
    },
    /// Start the investigation.
    StartInvestigation {
        /// What it looks into.
        concerns: BTreeSet<ConcernCategory>,
    },
    /// Extend it.
    ExtendInvestigation {
        /// The new deadline.
        new_due_on: Date,
        /// Why.
        reason: String,
    },
    /// Complete it.
    CompleteInvestigation {
        /// What it found.
        result: InvestigationResult,
        /// Its conclusion.
        conclusion: String,
        /// Why it is completed after its last day (required then).
        late_reason: Option<String>,
    },
    /// Decide an intervention.
    DecideIntervention {
        /// Its id; made from the command id when not given.
        intervention: Option<InterventionId>,
        /// What kind.
        kind: InterventionKind,
        /// On what legal ground.
        legal_basis: LegalGroundCode,
        /// Why.
        reasons: String,
    },
    /// Plan it.
    PlanIntervention {
        /// Which.
        intervention: InterventionId,
        /// The unit that provides it.
        provider: Option<UnitId>,
        /// The referral to the provider.
        referral: Option<ReferralId>,
        /// Its goals.
        goals: Vec<NewGoal>,
        /// When it starts.
        planned_start: Date,
        /// The first follow-up.
        first_follow_up_on: Date,
    },
    /// Start it.
    StartIntervention {
        /// Which.
        intervention: InterventionId,
    },
    /// Follow it up.
    FollowUpIntervention {
        /// Which.
        intervention: InterventionId,
        /// Attainment per goal.
        attainments: BTreeMap<GoalId, GoalAttainment>,
        /// Notes.
        notes: String,
        /// The next follow-up.
        next_follow_up_on: Option<Date>,
    },
    /// End it.
    EndIntervention {
        /// Which.
        intervention: InterventionId,
        /// How it ended.
        outcome: InterventionOutcome,
        /// A summary.
        summary: String,
    },
    /// Append a journal note, or a correction of one.
    AppendNote {
        /// Its id; made from the command id when not given.
        note: Option<NoteId>,
        /// The text.
        text: String,
        /// The note it corrects.
        corrects: Option<NoteId>,
    },
    /// Make a worker responsible.
    AssignWorker {
        /// Who.
        worker: UserId,
    },
    /// Transfer the case to another unit.
    Transfer {
        /// Where.
        to_unit: UnitId,
        /// Why.
        reason: String,
    },
    /// Close the case.
    Close {
        /// Why.
        reason: CloseReason,
        /// Notes.
        notes: String,
    },
    /// Reopen it.
    Reopen {
        /// Why.
        reason: String,
    },
}

/// What a case command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseDone {
    /// The case.
    pub case: CaseId,
    /// Whether it repeated an applied command (nothing was written).
    pub repeat: bool,
    /// Ids the service made (a new intervention's, note's or goals').
    pub created: Vec<String>,
    /// Where its events stand in the log.
    pub written: Option<String>,
}

/// Gives `body` to case `case` and answers what it did.
async fn give(
    handles: Handles<'_>,
    context: CommandContext,
    case: CaseId,
    body: CaseCommand,
    created: Vec<String>,
) -> Result<CaseDone, ActionError> {
    let result = handles.bus.execute::<Case>(&case.to_string(), Command { context, body }, handles.metadata).await;
    let repeat = outcome(result, "case", |error| match error {
        CaseError::NotOpened | CaseError::Command(CommandRefused::OutsideActorsUnit) => Classified::NotFound,
        CaseError::AlreadyOpened => Classified::Conflict("a case with this id exists; open it with a new id"),
        _ => Classified::Rule,
    })?;
    let written = written(handles.db(), "case", &case.to_string(), "caseload").await;
    Ok(CaseDone { case, repeat, created, written })
}

/// The investigation about `subject` that ended last, in any case of theirs, so that a new case can flag an
/// investigation restarted on the same question (the glossary: closing one and opening another to get around
/// the four months is misconduct). Earlier cases are found through the caseload view and replayed from the log.
async fn prior_investigation(
    handles: Handles<'_>,
    subject: SubjectId,
) -> Result<Option<PriorInvestigation>, ActionError> {
    let db = handles.db();
    let generation = projections::runner::status(db, "caseload").await?.generation;
    let cases: Vec<String> = projections::on_pool!(db, |pool| {
        sqlx::query_scalar("select case_id from caseload_cases where generation = $1 and subject_id = $2")
            .bind(generation)
            .bind(subject.to_string())
            .fetch_all(pool)
            .await
    })?;
    let mut latest: Option<PriorInvestigation> = None;
    for id in cases {
        let case: Case = load(db, "case", &id).await?;
        let Some(ended) = case.last_ended_investigation else { continue };
        let own = CaseId::parse(&id).map_err(|error| ActionError::Internal(Box::new(error)))?;
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

/// Opens a case at the actor's unit.
pub async fn open(handles: Handles<'_>, context: CommandContext, input: OpenCase) -> Result<CaseDone, ActionError> {
    let case = input.case.unwrap_or_else(|| CaseId::from_ulid(made_id(context.command_id, 0)));
    let db = handles.db();
    let unit_kind = super::directory::open_unit_named(db, "unit", context.actor.unit).await?.kind;
    // Who may open a case about whom, from what: decided from the log (the subject, the referral), not a view.
    let subject: Subject = load(db, "subject", &input.subject.to_string()).await?;
    let referral: Option<Referral> = match input.origin {
        CaseOrigin::Referral(id) | CaseOrigin::Application(id) => Some(load(db, "referral", &id.to_string()).await?),
        CaseOrigin::OwnInitiative => None,
    };
    let registered = subject.id.is_some() && !subject.erased;
    authorization::may_open_case(
        context.actor.unit,
        unit_kind,
        input.subject,
        registered,
        &input.origin,
        referral.as_ref(),
    )
    .map_err(|refused| match refused {
        Refused::SubjectUnknown => Refusal::invalid("subject_id", refused.to_string()).into(),
        _ if refused.is_ownership() => refused_for_field(refused, "origin.referral_id"),
        other => refused_for_field(other, "origin"),
    })?;
    let body = CaseCommand::OpenCase {
        case,
        subject: input.subject,
        unit_kind,
        origin: input.origin,
        concerns: input.concerns,
        protection_assessed_on: input.protection_assessed_on,
        prior_investigation: prior_investigation(handles, input.subject).await?,
        // The clocks run from the day the report, referral or application was received.
        received_on: referral.as_ref().and_then(|referral| referral.received_on),
    };
    give(handles, context, case, body, Vec::new()).await
}

/// Takes a step of case `case`.
pub async fn step(
    handles: Handles<'_>,
    context: CommandContext,
    case: CaseId,
    step: CaseStep,
) -> Result<CaseDone, ActionError> {
    let current: Case = load(handles.db(), "case", &case.to_string()).await?;
    let subject = current.subject.ok_or(Refusal::NotFound("case"))?;
    let vault = handles.vault;
    let seal = |field: &'static str, text: String| async move { seal_text(vault, subject, field, &text).await };
    let maybe = |field: &'static str, text: Option<String>| async move {
        seal_optional(vault, subject, field, text.as_deref()).await
    };
    let command_id = context.command_id;
    let mut created = Vec::new();
    let command = match step {
        CaseStep::AssessProtection { immediate_protection_needed, assessment, late_reason } => {
            CaseCommand::AssessProtection {
                immediate_protection_needed,
                assessment: seal("assessment", assessment).await?,
                late_reason: maybe("late_reason", late_reason).await?,
            }
        }
        CaseStep::DecidePreliminary { decision, reasons, child_heard, child_heard_why_not, exceptional_reason } => {
            let heard = if child_heard {
                ChildHeard::Yes
            } else {
                ChildHeard::No(seal("child_heard_why_not", child_heard_why_not.unwrap_or_default()).await?)
            };
            CaseCommand::DecidePreliminaryAssessment {
                decision,
                reasons: seal("reasons", reasons).await?,
                child_heard: heard,
                exceptional_reason: maybe("exceptional_reason", exceptional_reason).await?,
            }
        }
        CaseStep::StartInvestigation { concerns } => CaseCommand::StartInvestigation { concerns },
        CaseStep::ExtendInvestigation { new_due_on, reason } => {
            CaseCommand::ExtendInvestigation { new_due_on, reason: seal("reason", reason).await? }
        }
        CaseStep::CompleteInvestigation { result, conclusion, late_reason } => CaseCommand::CompleteInvestigation {
            result,
            conclusion: seal("conclusion", conclusion).await?,
            late_reason: maybe("late_reason", late_reason).await?,
        },
        CaseStep::DecideIntervention { intervention, kind, legal_basis, reasons } => {
            let intervention = intervention.unwrap_or_else(|| InterventionId::from_ulid(made_id(command_id, 1)));
            created.push(intervention.to_string());
            CaseCommand::DecideIntervention {
                intervention,
                kind,
                legal_basis,
                reasons: seal("reasons", reasons).await?,
            }
        }
        CaseStep::PlanIntervention { intervention, provider, referral, goals, planned_start, first_follow_up_on } => {
            let mut planned = Vec::new();
            for (n, goal) in (1..).zip(goals) {
                let id = goal.goal.unwrap_or_else(|| GoalId::from_ulid(made_id(command_id, n)));
                created.push(id.to_string());
                planned.push(PlannedGoal { goal: id, description: seal("goals.description", goal.description).await? });
            }
            CaseCommand::PlanIntervention {
                intervention,
                provider,
                referral,
                goals: planned,
                planned_start,
                first_follow_up_on,
            }
        }
        CaseStep::StartIntervention { intervention } => CaseCommand::StartIntervention { intervention },
        CaseStep::FollowUpIntervention { intervention, attainments, notes, next_follow_up_on } => {
            CaseCommand::FollowUpIntervention {
                intervention,
                attainments,
                notes: seal("notes", notes).await?,
                next_follow_up_on,
            }
        }
        CaseStep::EndIntervention { intervention, outcome, summary } => {
            CaseCommand::EndIntervention { intervention, outcome, summary: seal("summary", summary).await? }
        }
        CaseStep::AppendNote { note, text, corrects } => {
            let note = note.unwrap_or_else(|| NoteId::from_ulid(made_id(command_id, 1)));
            created.push(note.to_string());
            CaseCommand::AppendNote { note, text: seal("text", text).await?, corrects }
        }
        CaseStep::AssignWorker { worker } => CaseCommand::AssignResponsibleWorker { worker },
        CaseStep::Transfer { to_unit, reason } => {
            let to_unit_kind = super::directory::open_unit_named(handles.db(), "to_unit_id", to_unit).await?.kind;
            CaseCommand::TransferCase { to_unit, to_unit_kind, reason: seal("reason", reason).await? }
        }
        CaseStep::Close { reason, notes } => CaseCommand::CloseCase { reason, notes: seal("notes", notes).await? },
        CaseStep::Reopen { reason } => CaseCommand::ReopenCase { reason: seal("reason", reason).await? },
    };
    give(handles, context, case, command, created).await
}
