//! The Referral's events and errors.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::Date;

use super::commands::{
    Applicant, DeclineReason, DisclosureBasis, FeedbackKind, ProtectionAssessment, ReferralKind, ReporterCategory,
};
use crate::categories::{ConcernCategory, InformationCategory};
use crate::command::CommandRefused;
use crate::event_kinds;
use crate::ids::{CaseId, ReferralId, SubjectId, UnitId};
use crate::outcomes::InterventionOutcome;
use crate::sealed::Sealed;

/// Where a referral stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    /// Not sent yet (the state before the first event).
    #[default]
    Draft,
    /// Sent, not yet received.
    Sent,
    /// Received by the unit it was sent to.
    Received,
    /// Received and on hold.
    OnHold,
    /// Accepted and linked to a case.
    Accepted,
    /// Declined.
    Declined,
    /// Forwarded to another unit.
    Forwarded,
    /// A report of concern handed over to the municipality responsible for the child.
    HandedOver,
    /// Withdrawn by the sender.
    Withdrawn,
}

/// What happened to a referral. Type names are stable; see ARCHITECTURE.md.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReferralEvent {
    /// A report of concern or a referral was sent.
    ReferralSent {
        /// Its id.
        referral: ReferralId,
        /// Its kind.
        kind: ReferralKind,
        /// Whom it is about.
        subject: SubjectId,
        /// The sending unit.
        from_unit: UnitId,
        /// The receiving unit.
        to_unit: UnitId,
        /// What it is about.
        concerns: BTreeSet<ConcernCategory>,
        /// The reason, sealed.
        reason: Sealed,
        /// Consent or legal ground.
        basis: Option<DisclosureBasis>,
        /// The referral it forwards.
        forwarded_from: Option<ReferralId>,
    },
    /// What kinds of information a sent referral discloses under its consent or legal ground: written right
    /// after `ReferralSent` (a new event, so referrals sent before it existed still load; they name none).
    InformationDisclosed {
        /// The kinds of information.
        categories: BTreeSet<InformationCategory>,
    },
    /// An application was registered, and so received, by the unit it was made to.
    ApplicationRegistered {
        /// Its id.
        referral: ReferralId,
        /// Whom it is about.
        subject: SubjectId,
        /// Who applied.
        applicant: Applicant,
        /// The receiving unit.
        to_unit: UnitId,
        /// What it is about.
        concerns: BTreeSet<ConcernCategory>,
        /// What was asked for, sealed.
        reason: Sealed,
    },
    /// A report of concern from outside Lots' directory was registered, and so received, by social services.
    ReportRegistered {
        /// Its id.
        referral: ReferralId,
        /// Whom it is about.
        subject: SubjectId,
        /// The receiving unit.
        to_unit: UnitId,
        /// Who reported, by category.
        reporter: ReporterCategory,
        /// Whether that reporter has a duty to report (and so is owed feedback).
        duty_to_report: bool,
        /// Who the reporter is, sealed; none when anonymous.
        reporter_identity: Option<Sealed>,
        /// What it is about.
        concerns: BTreeSet<ConcernCategory>,
        /// What was reported, sealed.
        reason: Sealed,
        /// The protection assessment made on receipt.
        protection_assessment: ProtectionAssessment,
    },
    /// The referral was received.
    ReferralReceived {
        /// The protection assessment, for a report of concern.
        protection_assessment: Option<ProtectionAssessment>,
    },
    /// Put on hold.
    ReferralPutOnHold {
        /// Why, sealed.
        reason: Sealed,
    },
    /// Taken off hold.
    ReferralResumed,
    /// Accepted.
    ReferralAccepted {
        /// The case that handles it.
        case: CaseId,
    },
    /// Declined.
    ReferralDeclined {
        /// The reason's category.
        reason_code: DeclineReason,
        /// The reason, sealed.
        reason: Sealed,
    },
    /// Forwarded to another unit.
    ReferralForwarded {
        /// The unit it went to.
        to_unit: UnitId,
        /// The new referral.
        new_referral: ReferralId,
        /// Why, sealed.
        reason: Sealed,
    },
    /// A report of concern handed over to the municipality responsible for the child.
    ReportHandedOver {
        /// The municipality, by name.
        municipality: String,
        /// Why, sealed.
        reason: Sealed,
    },
    /// Withdrawn by the sender.
    ReferralWithdrawn {
        /// Why, sealed.
        reason: Sealed,
    },
    /// The receiving unit reported the intervention started.
    InterventionStartReported,
    /// The receiving unit reported the intervention ended.
    InterventionEndReported {
        /// How it ended.
        outcome: InterventionOutcome,
    },
    /// Feedback to a report's reporter was judged inappropriate: none is owed.
    FeedbackJudgedInappropriate {
        /// Why, sealed.
        reason: Sealed,
    },
    /// Feedback was given to the sender.
    FeedbackGiven {
        /// What was told.
        feedback: FeedbackKind,
        /// An optional message, sealed.
        message: Option<Sealed>,
    },
}

event_kinds!(ReferralEvent {
    ReferralSent,
    InformationDisclosed,
    ApplicationRegistered,
    ReportRegistered,
    ReferralReceived,
    ReferralPutOnHold,
    ReferralResumed,
    ReferralAccepted,
    ReferralDeclined,
    ReferralForwarded,
    ReferralWithdrawn,
    ReportHandedOver,
    InterventionStartReported,
    InterventionEndReported,
    FeedbackGiven,
    FeedbackJudgedInappropriate,
});

/// Why a referral command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::IntoStaticStr)]
pub enum ReferralError {
    /// A refusal every aggregate makes.
    #[error(transparent)]
    Command(#[from] CommandRefused),
    /// The referral exists already.
    #[error("the referral exists already")]
    AlreadySent,
    /// No such referral.
    #[error("no such referral")]
    NotSent,
    /// The command does not fit where the referral stands.
    #[error("not possible while the referral is {status:?}")]
    NotAllowedInStatus {
        /// Where it stands.
        status: ReferralStatus,
    },
    /// Applications are registered by the receiving unit, not sent.
    #[error("an application is registered by the unit it is made to, not sent")]
    ApplicationMustBeRegistered,
    /// A unit cannot refer to itself.
    #[error("a unit cannot refer to itself")]
    CannotReferToOwnUnit,
    /// The receiving unit takes no referrals (the city's administration).
    #[error("this unit receives no referrals")]
    ReceiverTakesNoReferrals,
    /// Reports of concern go to social services (SoL 14:1).
    #[error("a report of concern must go to social services")]
    ReportOfConcernMustGoToSocialServices,
    /// A referral needs a consent or a named legal ground.
    #[error("a referral needs a consent or a named legal ground for disclosure")]
    DisclosureBasisMissing,
    /// At least one concern category must be named.
    #[error("name at least one concern category")]
    NoConcernCategory,
    /// A referral names what kinds of information it discloses (OSL 10:27 and consent are both per kind).
    #[error("name at least one kind of information the referral discloses")]
    NoInformationCategory,
    /// A report of concern is received with its protection assessment.
    #[error("a report of concern is received with a protection assessment")]
    ProtectionAssessmentRequired,
    /// The protection assessment lies before the receipt.
    #[error("the protection assessment cannot be made before the report was received")]
    ProtectionAssessmentBeforeReceipt,
    /// The protection assessment lies after today.
    #[error("the protection assessment date lies in the future")]
    ProtectionAssessmentInFuture,
    /// Later than the next day, the protection assessment needs a reason.
    #[error("a protection assessment made after {due_on} needs a reason")]
    ProtectionAssessmentLateWithoutReason {
        /// The last day it was on time.
        due_on: Date,
    },
    /// A report of concern is never declined: it is assessed, attached to an open investigation, or handed over to
    /// the municipality responsible (SoL 2001:453 11 kap. 1 a §).
    #[error("a report of concern is not declined: assess it, or hand it over to the municipality responsible")]
    ReportOfConcernCannotBeDeclined,
    /// Only a report of concern is handed over to another municipality.
    #[error("only a report of concern is handed over to another municipality")]
    OnlyReportsAreHandedOver,
    /// The municipality is named.
    #[error("name the municipality the report goes to")]
    MunicipalityMissing,
    /// A report of concern cannot be withdrawn: social services must still assess it.
    #[error("a report of concern cannot be withdrawn")]
    ReportOfConcernCannotBeWithdrawn,
    /// Reports from outside the directory are registered by social services, who receive reports.
    #[error("reports of concern are registered by social services")]
    ReportsAreRegisteredBySocialServices,
    /// An anonymous report names no reporter; any other names one.
    #[error("an anonymous report names no reporter, and any other report names its reporter")]
    ReporterIdentityMismatch,
    /// An application is decided by the unit it was made to; it is not sent on.
    #[error("an application is decided by the unit it was made to, not forwarded")]
    ApplicationIsNotForwarded,
    /// A referral cannot be forwarded to itself.
    #[error("the forwarded referral needs a new id")]
    ForwardToSameReferral,
    /// The start of the intervention was reported already.
    #[error("the intervention's start was reported already")]
    InterventionStartAlreadyReported,
    /// An end cannot be reported twice.
    #[error("the intervention's end was reported already")]
    InterventionEndAlreadyReported,
    /// "Never started" contradicts a reported start, and any other outcome needs one.
    #[error("the outcome contradicts whether the intervention started")]
    OutcomeContradictsStart,
    /// An application has no sending unit to give feedback to.
    #[error("an application has no sending unit to give feedback to")]
    NoSendingUnit,
    /// An anonymous reporter cannot be given feedback.
    #[error("the report was anonymous: there is no one to give feedback to")]
    ReporterAnonymous,
    /// Feedback is owed only to the reporter of a report of concern.
    #[error("only a report of concern's reporter is owed feedback")]
    OnlyReportsOweFeedback,
    /// Feedback was given already, or judged inappropriate already.
    #[error("feedback was already given or judged inappropriate")]
    FeedbackAlreadySettled,
}

crate::rule_of_aggregate_error!(ReferralError);
