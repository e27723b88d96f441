//! The Case's events.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use time::Date;

use super::commands::{
    CareOrderStep, CaseOrigin, ChildHeard, CloseReason, DecisionStage, InvestigationResult, PlannedGoal,
    PreliminaryDecision, PriorInvestigation,
};
use crate::categories::ConcernCategory;
use crate::event_kinds;
use crate::ids::{CaseId, GoalId, InterventionId, NoteId, ReferralId, SubjectId, UnitId, UserId};
use crate::legal::LegalGroundCode;
use crate::outcomes::{GoalAttainment, InterventionKind, InterventionOutcome};
use crate::sealed::Sealed;
use crate::units::UnitKind;

/// What happened in a case. Type names are stable; see ARCHITECTURE.md.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CaseEvent {
    /// A case was opened; its date is the date of receipt.
    CaseOpened {
        /// Its id.
        case: CaseId,
        /// Whom it is about.
        subject: SubjectId,
        /// The unit that holds it.
        unit: UnitId,
        /// That unit's kind.
        unit_kind: UnitKind,
        /// How it came about.
        origin: CaseOrigin,
        /// What it is about.
        concerns: BTreeSet<ConcernCategory>,
        /// When the protection assessment was made on receipt of the referral.
        protection_assessed_on: Option<Date>,
        /// The subject's last investigation in another case.
        prior_investigation: Option<PriorInvestigation>,
    },
    /// The report, referral or application the case came from was received before the case was opened: the
    /// protection and preliminary assessments' clocks run from that day. (A new event, written right after
    /// `CaseOpened`: cases opened before it existed run from their opening, as they did.)
    ReceivedBeforeOpening {
        /// The day it was received.
        received_on: Date,
    },
    /// The case was opened on an application: the application opens the investigation, without the protection and
    /// preliminary assessments a report needs. (A new event, written right after `CaseOpened`; cases opened on an
    /// application before it existed went through intake, as they did.)
    InvestigationOpenedOnApplication {
        /// The day the investigation was opened: the day the application was received.
        opened_on: Date,
    },
    /// A protection assessment was made.
    ProtectionAssessed {
        /// Whether the child needs protection at once.
        immediate_protection_needed: bool,
        /// The assessment, sealed.
        assessment: Sealed,
        /// Why it was late, sealed.
        late_reason: Option<Sealed>,
    },
    /// The preliminary assessment was decided.
    PreliminaryAssessmentDecided {
        /// Investigate or not.
        decision: PreliminaryDecision,
        /// The reasons, sealed.
        reasons: Sealed,
        /// Whether the child was heard.
        child_heard: ChildHeard,
        /// The exceptional reason for a decision after 14 days, sealed.
        exceptional_reason: Option<Sealed>,
    },
    /// An investigation started.
    InvestigationStarted {
        /// The question it is about.
        concerns: BTreeSet<ConcernCategory>,
        /// Its last day (four months on).
        due_on: Date,
    },
    /// The investigation just started follows closely on an earlier one on the same question.
    ChainedInvestigationFlagged {
        /// The earlier investigation's case; `None` when it was this case.
        previous_case: Option<CaseId>,
        /// When the first investigation of the chain started.
        first_started_on: Date,
        /// When the previous one ended.
        previous_ended_on: Date,
    },
    /// The investigation was extended.
    InvestigationExtended {
        /// The new last day.
        new_due_on: Date,
        /// The reason, sealed.
        reason: Sealed,
        /// Whether the extension was decided after the deadline had passed: possible only before 2026-12; since then
        /// an extension is decided before the deadline, and this is always false.
        decided_after_deadline: bool,
    },
    /// The investigation was completed.
    InvestigationCompleted {
        /// What it concluded.
        result: InvestigationResult,
        /// The conclusion, sealed.
        conclusion: Sealed,
    },
    /// The investigation was completed after its last day: recorded as late, with why. (A new event, written right
    /// after `InvestigationCompleted`.)
    InvestigationCompletedLate {
        /// The last day it had.
        due_on: Date,
        /// Why it is late, sealed.
        late_reason: Sealed,
    },
    /// The investigation was discontinued because the case was closed during it.
    InvestigationDiscontinued,
    /// An intervention was decided.
    InterventionDecided {
        /// Its id.
        intervention: InterventionId,
        /// Its kind.
        kind: InterventionKind,
        /// Its legal basis.
        legal_basis: LegalGroundCode,
        /// The reasons, sealed.
        reasons: Sealed,
    },
    /// The intervention just decided was decided before an investigation concluded on it: as an interim decision
    /// during one, or without an individual needs assessment. (A new event, written right after
    /// `InterventionDecided`; interventions decided before it existed were decided after an investigation.)
    InterventionDecidedEarly {
        /// The intervention.
        intervention: InterventionId,
        /// When it was decided: `interim` or `without_needs_assessment`.
        stage: DecisionStage,
    },
    /// An immediate care order was decided (LVU 6 §).
    ImmediateCareOrderDecided {
        /// The reasons, sealed.
        reasons: Sealed,
        /// The last day to submit it to the administrative court (LVU 7 §).
        submit_to_court_by: Date,
    },
    /// A step after the immediate care order was recorded.
    CareOrderStepRecorded {
        /// The step.
        step: CareOrderStep,
        /// For `enforced`: the last day to apply for care (LVU 8 §).
        apply_for_care_by: Option<Date>,
    },
    /// An application was refused, wholly or in part, and the applicant was told how to appeal.
    ApplicationRefused {
        /// The provision it was tried under.
        legal_basis: LegalGroundCode,
        /// The reasons, sealed.
        reasons: Sealed,
        /// Whether only in part.
        partly: bool,
        /// The day the notice of how to appeal was given.
        appeal_notice_given_on: Date,
    },
    /// An intervention was planned.
    InterventionPlanned {
        /// The intervention.
        intervention: InterventionId,
        /// The unit carrying it out, when not this one.
        provider: Option<UnitId>,
        /// The referral to that unit.
        referral: Option<ReferralId>,
        /// Its goals.
        goals: Vec<PlannedGoal>,
        /// When it is to start.
        planned_start: Date,
        /// The first follow-up.
        first_follow_up_on: Date,
    },
    /// An intervention started.
    InterventionStarted {
        /// The intervention.
        intervention: InterventionId,
    },
    /// An intervention was followed up.
    InterventionFollowedUp {
        /// The intervention.
        intervention: InterventionId,
        /// Attainment per goal.
        attainments: BTreeMap<GoalId, GoalAttainment>,
        /// Notes, sealed.
        notes: Sealed,
        /// The next follow-up.
        next_follow_up_on: Option<Date>,
    },
    /// An intervention ended.
    InterventionEnded {
        /// The intervention.
        intervention: InterventionId,
        /// How it ended.
        outcome: InterventionOutcome,
        /// A summary, sealed.
        summary: Sealed,
    },
    /// A journal note was appended.
    NoteAppended {
        /// Its id.
        note: NoteId,
        /// The text, sealed.
        text: Sealed,
        /// The note it corrects.
        corrects: Option<NoteId>,
    },
    /// A worker was made responsible.
    ResponsibleWorkerAssigned {
        /// The worker.
        worker: UserId,
        /// Who was responsible before.
        previous: Option<UserId>,
    },
    /// The case moved to another unit.
    CaseTransferred {
        /// The unit it left.
        from_unit: UnitId,
        /// The unit that holds it now.
        to_unit: UnitId,
        /// Why, sealed.
        reason: Sealed,
    },
    /// The case was closed.
    CaseClosed {
        /// Why.
        reason: CloseReason,
        /// Notes, sealed.
        notes: Sealed,
    },
    /// The case was reopened; a new intake begins on the event's date.
    CaseReopened {
        /// Why, sealed.
        reason: Sealed,
    },
}

event_kinds!(CaseEvent {
    CaseOpened,
    ReceivedBeforeOpening,
    InvestigationOpenedOnApplication,
    ProtectionAssessed,
    PreliminaryAssessmentDecided,
    InvestigationStarted,
    ChainedInvestigationFlagged,
    InvestigationExtended,
    InvestigationCompleted,
    InvestigationCompletedLate,
    InvestigationDiscontinued,
    InterventionDecided,
    InterventionDecidedEarly,
    ImmediateCareOrderDecided,
    CareOrderStepRecorded,
    ApplicationRefused,
    InterventionPlanned,
    InterventionStarted,
    InterventionFollowedUp,
    InterventionEnded,
    NoteAppended,
    ResponsibleWorkerAssigned,
    CaseTransferred,
    CaseClosed,
    CaseReopened,
});
