//! Why a case command was refused: one variant per rule.

use time::Date;

use super::commands::CareOrderStep;
use super::state::{CasePhase, InterventionStatus};
use crate::command::CommandRefused;
use crate::delegation::DecisionKind;
use crate::outcomes::InterventionKind;

/// Why a case command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::IntoStaticStr)]
pub enum CaseError {
    /// A refusal every aggregate makes.
    #[error(transparent)]
    Command(#[from] CommandRefused),
    /// The case exists already.
    #[error("the case exists already")]
    AlreadyOpened,
    /// No such case.
    #[error("no such case")]
    NotOpened,
    /// The case is closed.
    #[error("the case is closed")]
    Closed,
    /// Only a closed case can be reopened.
    #[error("the case is not closed")]
    NotClosed,
    /// The command does not fit the case's phase.
    #[error("not possible while the case is in phase {phase:?}")]
    NotAllowedInPhase {
        /// The phase.
        phase: CasePhase,
    },
    /// Preliminary assessments and investigations belong to social services' cases.
    #[error("only social services' cases have preliminary assessments and investigations")]
    NotASocialServicesCase,
    /// A case is not opened before what it comes from was received.
    #[error("the case cannot be opened before the report, referral or application was received")]
    OpenedBeforeReceipt,
    /// At least one concern category must be named.
    #[error("name at least one concern category")]
    NoConcernCategory,
    /// Later than the day after receipt, the protection assessment needs a reason.
    #[error("a protection assessment made after {due_on} needs a reason")]
    ProtectionAssessmentLateWithoutReason {
        /// The last day it was on time.
        due_on: Date,
    },
    /// The preliminary assessment needs a protection assessment first.
    #[error("make the protection assessment before the preliminary assessment")]
    ProtectionAssessmentMissing,
    /// After 14 days the preliminary assessment needs an exceptional reason.
    #[error("the preliminary assessment was due on {due_on}; a later decision needs an exceptional reason")]
    DeadlinePassedWithoutReason {
        /// The last day it was on time.
        due_on: Date,
    },
    /// An extension must move the last day later.
    #[error("the new last day must come after the current one ({due_on})")]
    ExtensionNotLater {
        /// The current last day.
        due_on: Date,
    },
    /// An investigation completed after its last day says why (it is recorded as late).
    #[error("the investigation was due on {due_on}; completing it later needs the reason it is late")]
    InvestigationLateWithoutReason {
        /// The last day.
        due_on: Date,
    },
    /// An extension is a decision taken before the last day, for special reasons; after it, the investigation is
    /// completed late instead.
    #[error(
        "the investigation was due on {due_on}: an extension is decided before that day; complete it late, with why"
    )]
    ExtensionAfterDeadline {
        /// The last day.
        due_on: Date,
    },
    /// In social services' cases, interventions are decided after an investigation that found them needed.
    #[error("decide interventions after an investigation that found them needed")]
    NoInvestigationSupportsIntervention,
    /// The intervention id is taken.
    #[error("that intervention id is already used in this case")]
    InterventionIdAlreadyUsed,
    /// No such intervention in this case.
    #[error("no such intervention in this case")]
    UnknownIntervention,
    /// The command does not fit where the intervention stands.
    #[error("not possible while the intervention is {status:?}")]
    InterventionNotInStatus {
        /// Where it stands.
        status: InterventionStatus,
    },
    /// A plan needs goals.
    #[error("an intervention plan needs at least one goal")]
    NoGoals,
    /// A plan has at most ten goals.
    #[error("an intervention plan has at most {max} goals")]
    TooManyGoals {
        /// The most allowed.
        max: usize,
    },
    /// A goal id appears twice.
    #[error("a goal id appears twice")]
    DuplicateGoal,
    /// The follow-up names a goal the plan does not have.
    #[error("the follow-up names a goal the plan does not have")]
    UnknownGoal,
    /// A follow-up scores at least one goal.
    #[error("a follow-up scores at least one goal")]
    NoAttainments,
    /// The first follow-up comes before the planned start.
    #[error("the first follow-up comes before the planned start")]
    FollowUpBeforeStart,
    /// The next follow-up must come after this one.
    #[error("the next follow-up must come after this one")]
    NextFollowUpNotLater,
    /// "Never started" contradicts a start, and any other outcome needs one.
    #[error("the outcome contradicts whether the intervention started")]
    OutcomeContradictsStart,
    /// The note id is taken.
    #[error("that note id is already used in this case")]
    NoteIdAlreadyUsed,
    /// The note to correct does not exist.
    #[error("the note to correct does not exist in this case")]
    UnknownNote,
    /// A closed case takes corrections of its notes only.
    #[error("a closed case takes only corrections of earlier notes")]
    OnlyCorrectionsWhenClosed,
    /// The worker is responsible already.
    #[error("that worker is already responsible")]
    AlreadyResponsible,
    /// A social worker may take a case themselves but not give it to someone else.
    #[error("a social worker may assign a case only to themselves")]
    MayOnlyAssignThemselves,
    /// A case is transferred to another unit.
    #[error("the case is already at that unit")]
    TransferToSameUnit,
    /// A case is transferred to a unit of the same kind.
    #[error("a case is transferred only to a unit of the same kind")]
    TransferToOtherKindOfUnit,
    /// Closing needs the preliminary assessment decided.
    #[error("decide the preliminary assessment before closing")]
    PreliminaryAssessmentPending,
    /// Closing needs every intervention ended.
    #[error("end every intervention before closing")]
    InterventionsStillActive,
    /// The unit's delegation order does not let the actor's role take this decision.
    #[error("the unit's delegation order does not let this role take the decision {decision:?}")]
    NotDelegated {
        /// The decision.
        decision: DecisionKind,
    },
    /// An interim decision is taken while an investigation is open.
    #[error("an interim decision is taken while an investigation is open")]
    NoInvestigationOpen,
    /// This kind of intervention is decided after an individual needs assessment.
    #[error("a {kind:?} is decided after an individual needs assessment, never without one")]
    NeedsAssessmentRequired {
        /// The kind.
        kind: InterventionKind,
    },
    /// An immediate care order is in force already.
    #[error("an immediate care order is in force already")]
    CareOrderInForce,
    /// No immediate care order is in force.
    #[error("no immediate care order is in force")]
    NoCareOrder,
    /// That step of the care order was recorded already.
    #[error("the step {step:?} of the care order was recorded already")]
    CareOrderStepRecorded {
        /// The step.
        step: CareOrderStep,
    },
    /// Only an application is refused.
    #[error("this case did not come from an application")]
    NotAnApplication,
    /// A decision against an applicant records when the notice of how to appeal was given.
    #[error("record the day the applicant was told how to appeal (appeal_notice_given_on)")]
    AppealNoticeMissing,
    /// The notice of how to appeal comes with or after the decision, not before, and not in the future.
    #[error("the notice of how to appeal is given on or after the decision's day, and not after today")]
    AppealNoticeOutOfOrder,
}

crate::rule_of_aggregate_error!(CaseError);
