//! The Case's commands and the value types they carry.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use time::Date;

use crate::categories::ConcernCategory;
use crate::delegation::Delegated;
use crate::ids::{CaseId, GoalId, InterventionId, NoteId, ReferralId, SubjectId, UnitId, UserId};
use crate::legal::LegalGroundCode;
use crate::outcomes::{GoalAttainment, InterventionKind, InterventionOutcome};
use crate::sealed::Sealed;
use crate::units::UnitKind;

/// How a case came about (aktualisering).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "referral")]
pub enum CaseOrigin {
    /// From a report of concern or a referral.
    Referral(ReferralId),
    /// From an application.
    Application(ReferralId),
    /// On the unit's own initiative (information otherwise).
    OwnInitiative,
}

/// An investigation that ended earlier, told to a new case by the service so the case can flag a chained one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorInvestigation {
    /// The case it belonged to.
    pub case: CaseId,
    /// When the first investigation of that chain started.
    pub first_started_on: Date,
    /// When it ended.
    pub ended_on: Date,
    /// What it was about.
    pub concerns: BTreeSet<ConcernCategory>,
}

/// The outcome of a preliminary assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PreliminaryDecision {
    /// Open an investigation (inleda utredning).
    OpenInvestigation,
    /// Do not open one (inte inleda utredning).
    NoInvestigation,
}

/// Whether the child was heard, as the preliminary assessment records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChildHeard {
    /// The child was heard.
    Yes,
    /// The child was not heard; why, sealed.
    No(Sealed),
}

/// What a completed investigation concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum InvestigationResult {
    /// Interventions are needed.
    InterventionNeeded,
    /// No intervention is needed.
    NoInterventionNeeded,
}

/// A goal of a planned intervention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedGoal {
    /// Its id, for follow-ups.
    pub goal: GoalId,
    /// What it is, sealed.
    pub description: Sealed,
}

/// Why a case was closed, in clear for statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    /// The preliminary assessment opened no investigation.
    NoInvestigationOpened,
    /// The investigation found no intervention needed.
    NoInterventionNeeded,
    /// The interventions have ended.
    InterventionsEnded,
    /// The family declined the interventions offered.
    DeclinedByFamily,
    /// The family moved away.
    MovedAway,
    /// Another reason.
    Other,
}

/// When an intervention is decided, as the Social Services Act sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DecisionStage {
    /// After an investigation that found it needed (the rule).
    #[default]
    AfterInvestigation,
    /// An interim decision while the investigation runs, when the need cannot wait: interim support, a placement
    /// while investigating.
    Interim,
    /// An open intervention given without an individual needs assessment, as SoL (2025:400) allows: no
    /// investigation at all. Never a placement, a contact person or family, or a court's sentence.
    WithoutNeedsAssessment,
}

/// A step after an immediate care order (LVU 6 §), each recorded once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CareOrderStep {
    /// The order was carried out: the child was taken into care. The four weeks to apply for care run from this
    /// day (LVU 8 §).
    Enforced,
    /// The order was submitted to the administrative court (LVU 7 §, within a week of the decision).
    SubmittedToCourt,
    /// Care under LVU was applied for at the administrative court (LVU 8 §).
    CareApplied,
    /// The order ended: lifted by the board or the court, lapsed, or replaced by the court's decision on care.
    Ended,
}

/// What may be done to a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseCommand {
    /// Open a case at the actor's unit; the date it happened is the date of receipt.
    OpenCase {
        /// The new case's id; must be the aggregate id.
        case: CaseId,
        /// Whom it is about.
        subject: SubjectId,
        /// The actor's unit's kind, from the directory: social services' cases carry the legal clocks.
        unit_kind: UnitKind,
        /// How it came about.
        origin: CaseOrigin,
        /// What it is about.
        concerns: BTreeSet<ConcernCategory>,
        /// When the protection assessment was made on receipt of the referral, if it was.
        protection_assessed_on: Option<Date>,
        /// The subject's last investigation elsewhere, if the service found one.
        prior_investigation: Option<PriorInvestigation>,
        /// The day the report, referral or application the case comes from was received: the legal clocks run
        /// from it, not from the day the case was opened.
        received_on: Option<Date>,
    },
    /// Make (or renew) the protection assessment.
    AssessProtection {
        /// Whether the child needs protection at once.
        immediate_protection_needed: bool,
        /// The assessment, sealed.
        assessment: Sealed,
        /// Why it is later than the day after receipt, sealed.
        late_reason: Option<Sealed>,
    },
    /// Decide the preliminary assessment.
    DecidePreliminaryAssessment {
        /// Investigate or not.
        decision: PreliminaryDecision,
        /// The reasons, sealed.
        reasons: Sealed,
        /// Whether the child was heard.
        child_heard: ChildHeard,
        /// After 14 days: the exceptional reason (synnerliga skäl), sealed.
        exceptional_reason: Option<Sealed>,
    },
    /// Start the investigation the preliminary assessment decided on.
    StartInvestigation {
        /// The question it is about.
        concerns: BTreeSet<ConcernCategory>,
    },
    /// Extend the investigation beyond four months (unit managers).
    ExtendInvestigation {
        /// The new last day.
        new_due_on: Date,
        /// The reason, sealed.
        reason: Sealed,
        /// Who may decide an extension at the unit, from its delegation order.
        delegated: Delegated,
    },
    /// Complete the investigation.
    CompleteInvestigation {
        /// What it concluded.
        result: InvestigationResult,
        /// The conclusion, sealed.
        conclusion: Sealed,
        /// Why it is completed after its last day, sealed: required then, and recorded as late.
        late_reason: Option<Sealed>,
    },
    /// Decide an intervention (unit managers).
    DecideIntervention {
        /// The new intervention's id.
        intervention: InterventionId,
        /// Its kind.
        kind: InterventionKind,
        /// Its legal basis, by code (the service checks it against its table of grounds for decisions).
        legal_basis: LegalGroundCode,
        /// The reasons, sealed.
        reasons: Sealed,
        /// After an investigation, as an interim decision during one, or without a needs assessment.
        stage: DecisionStage,
        /// Who may decide an intervention at the unit, from its delegation order.
        delegated: Delegated,
    },
    /// Decide an immediate care order (omedelbart omhändertagande, LVU 6 §): its court clocks start.
    DecideImmediateCareOrder {
        /// The reasons, sealed.
        reasons: Sealed,
        /// Who may decide one at the unit, from its delegation order.
        delegated: Delegated,
    },
    /// Record a step after an immediate care order.
    RecordCareOrderStep {
        /// The step.
        step: CareOrderStep,
    },
    /// Refuse, wholly or in part, what an applicant asked for, after the investigation of the application.
    RefuseApplication {
        /// The provision the application was tried under, by code.
        legal_basis: LegalGroundCode,
        /// The reasons, sealed.
        reasons: Sealed,
        /// Whether it was refused only in part.
        partly: bool,
        /// The day the applicant was told how to appeal (Förvaltningslagen 33 §); required.
        appeal_notice_given_on: Option<Date>,
        /// Who may refuse an application at the unit, from its delegation order.
        delegated: Delegated,
    },
    /// Plan a decided intervention: who carries it out, its goals and follow-ups.
    PlanIntervention {
        /// The intervention.
        intervention: InterventionId,
        /// The unit that carries it out, when not this one.
        provider: Option<UnitId>,
        /// The referral to that unit, when there is one.
        referral: Option<ReferralId>,
        /// Its goals.
        goals: Vec<PlannedGoal>,
        /// When it is to start.
        planned_start: Date,
        /// When it is first followed up.
        first_follow_up_on: Date,
    },
    /// Record that a planned intervention started.
    StartIntervention {
        /// The intervention.
        intervention: InterventionId,
    },
    /// Follow an intervention up, scoring its goals.
    FollowUpIntervention {
        /// The intervention.
        intervention: InterventionId,
        /// Attainment per goal, −2…+2.
        attainments: BTreeMap<GoalId, GoalAttainment>,
        /// Notes, sealed.
        notes: Sealed,
        /// The next follow-up, if any.
        next_follow_up_on: Option<Date>,
    },
    /// End an intervention with its outcome.
    EndIntervention {
        /// The intervention.
        intervention: InterventionId,
        /// How it ended.
        outcome: InterventionOutcome,
        /// A summary, sealed.
        summary: Sealed,
    },
    /// Append a journal note, or a correction of an earlier one.
    AppendNote {
        /// The note's id.
        note: NoteId,
        /// The text, sealed.
        text: Sealed,
        /// The note it corrects, if any.
        corrects: Option<NoteId>,
    },
    /// Make a worker responsible for the case (reassigning is for unit managers).
    AssignResponsibleWorker {
        /// The worker.
        worker: UserId,
    },
    /// Transfer the case to another unit of the same kind (unit managers).
    TransferCase {
        /// The receiving unit.
        to_unit: UnitId,
        /// Its kind.
        to_unit_kind: UnitKind,
        /// Why, sealed.
        reason: Sealed,
    },
    /// Close the case.
    CloseCase {
        /// Why, in clear.
        reason: CloseReason,
        /// Notes, sealed.
        notes: Sealed,
    },
    /// Reopen a closed case; a new intake begins.
    ReopenCase {
        /// Why, sealed.
        reason: Sealed,
    },
}
