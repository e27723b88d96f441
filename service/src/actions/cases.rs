//! Use cases of a case: opening one at the actor's unit (with the subject's earlier investigations looked up) and
//! every further step, with the texts sealed under the subject's key and the ids the service makes derived from
//! the command id. The domain checks the unit, the role and the legal clocks.

use std::collections::{BTreeMap, BTreeSet};

use domain::case::{
    CareOrderStep, Case, CaseCommand, CaseError, CaseOrigin, ChildHeard, CloseReason, DecisionStage,
    InvestigationResult, PlannedGoal, PreliminaryDecision, PriorInvestigation,
};
use domain::categories::ConcernCategory;
use domain::command::{Command, CommandContext, CommandRefused};
use domain::delegation::DecisionKind;
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

/// The legal bases Lots accepts for a decision about an intervention or on an application, each with its
/// provision. Paragraphs are data (the glossary: SoL 2025:400 renumbered them); `domain/LAW.md` gives the sources.
pub const DECISION_GROUNDS: &[(&str, &str)] = &[
    (
        "sol-4-1",
        "Socialtjänstlagen (2001:453) 4 kap. 1 § (bistånd efter individuell behovsprövning; SoL 2025:400: insatser \
         efter individuell behovsprövning, paragraph not checked here)",
    ),
    (
        "sol-3-6a",
        "Socialtjänstlagen (2001:453) 3 kap. 6 a § (öppna insatser till barn och unga, från 12 år även utan \
         vårdnadshavarnas samtycke)",
    ),
    (
        "sol-3-6b",
        "Socialtjänstlagen (2001:453) 3 kap. 6 b § (kontaktperson eller särskilt kvalificerad kontaktperson, från \
         12 år även utan vårdnadshavarnas samtycke)",
    ),
    (
        WITHOUT_NEEDS_ASSESSMENT,
        "Socialtjänstlagen (2025:400): insats utan individuell behovsprövning, som nämnden beslutat att erbjuda \
         (prop. 2024/25:89; paragraph not checked here)",
    ),
    (
        "lvu-11",
        "Lagen (1990:52) med särskilda bestämmelser om vård av unga 11 § (hur vården ordnas, var den unge vistas)",
    ),
    (
        "lvu-22",
        "Lagen (1990:52) med särskilda bestämmelser om vård av unga 22 § (förebyggande insatser i öppna former)",
    ),
];

/// The code of the ground for an intervention given without an individual needs assessment: such an intervention
/// has this ground and no other, and no other intervention has it.
pub const WITHOUT_NEEDS_ASSESSMENT: &str = "sol-utan-behovsprovning";

/// Refuses a legal basis Lots does not know, or one that does not fit how the decision is taken.
fn check_decision_ground(code: &LegalGroundCode, stage: Option<DecisionStage>) -> Result<(), ActionError> {
    if !DECISION_GROUNDS.iter().any(|(known, _)| *known == code.as_str()) {
        let known: Vec<&str> = DECISION_GROUNDS.iter().map(|(known, _)| *known).collect();
        return Err(Refusal::invalid(
            "legal_basis",
            format!("{code} is not a legal basis for decisions Lots knows (one of: {})", known.join(", ")),
        )
        .into());
    }
    let without = stage == Some(DecisionStage::WithoutNeedsAssessment);
    if without != (code.as_str() == WITHOUT_NEEDS_ASSESSMENT) {
        return Err(Refusal::invalid(
            "legal_basis",
            format!(
                "an intervention is given without a needs assessment on {WITHOUT_NEEDS_ASSESSMENT}, and only such one"
            ),
        )
        .into());
    }
    Ok(())
}

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
        /// After an investigation, as an interim decision during one, or without a needs assessment.
        stage: DecisionStage,
    },
    /// Decide an immediate care order (LVU 6 §).
    DecideImmediateCareOrder {
        /// Why.
        reasons: String,
    },
    /// Record a step after the immediate care order.
    RecordCareOrderStep {
        /// The step.
        step: CareOrderStep,
    },
    /// Refuse, wholly or in part, what an applicant asked for.
    RefuseApplication {
        /// The provision the application was tried under.
        legal_basis: LegalGroundCode,
        /// Why.
        reasons: String,
        /// Whether only in part.
        partly: bool,
        /// The day the applicant was told how to appeal.
        appeal_notice_given_on: Option<Date>,
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
    // A report about a child whose investigation is open here joins that investigation (issue 12, #1).
    if let (CaseOrigin::Referral(_), Some(report)) = (input.origin, referral.as_ref()) {
        if report.kind == Some(domain::referral::ReferralKind::ReportOfConcern) {
            let open = projections::queries::open_investigation(
                db,
                &context.actor.unit.to_string(),
                &input.subject.to_string(),
            )
            .await?;
            if let Some(case) = open {
                return Err(Refusal::Rule {
                    rule: "ReportJoinsOpenInvestigation",
                    message: format!(
                        "an investigation about this child is open in case {case}: accept the report into it \
                         (POST /api/referrals/{{id}}/accept with its case_id) instead of opening a new case"
                    ),
                }
                .into());
            }
        }
    }
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
    let unit = current.unit.ok_or(Refusal::NotFound("case"))?;
    // Who may decide: the delegation order of the unit that holds the case, as the log has it now.
    let delegated = |decision| super::directory::delegated(handles.db(), unit, decision);
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
        CaseStep::ExtendInvestigation { new_due_on, reason } => CaseCommand::ExtendInvestigation {
            new_due_on,
            reason: seal("reason", reason).await?,
            delegated: delegated(DecisionKind::InvestigationExtension).await?,
        },
        CaseStep::CompleteInvestigation { result, conclusion, late_reason } => CaseCommand::CompleteInvestigation {
            result,
            conclusion: seal("conclusion", conclusion).await?,
            late_reason: maybe("late_reason", late_reason).await?,
        },
        CaseStep::DecideIntervention { intervention, kind, legal_basis, reasons, stage } => {
            check_decision_ground(&legal_basis, Some(stage))?;
            let intervention = intervention.unwrap_or_else(|| InterventionId::from_ulid(made_id(command_id, 1)));
            created.push(intervention.to_string());
            CaseCommand::DecideIntervention {
                intervention,
                kind,
                legal_basis,
                reasons: seal("reasons", reasons).await?,
                stage,
                delegated: delegated(DecisionKind::Intervention).await?,
            }
        }
        CaseStep::DecideImmediateCareOrder { reasons } => CaseCommand::DecideImmediateCareOrder {
            reasons: seal("reasons", reasons).await?,
            delegated: delegated(DecisionKind::ImmediateCareOrder).await?,
        },
        CaseStep::RecordCareOrderStep { step } => CaseCommand::RecordCareOrderStep { step },
        CaseStep::RefuseApplication { legal_basis, reasons, partly, appeal_notice_given_on } => {
            check_decision_ground(&legal_basis, None)?;
            CaseCommand::RefuseApplication {
                legal_basis,
                reasons: seal("reasons", reasons).await?,
                partly,
                appeal_notice_given_on,
                delegated: delegated(DecisionKind::ApplicationRefusal).await?,
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
