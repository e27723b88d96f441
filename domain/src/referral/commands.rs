//! The Referral's commands and the value types they carry.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::categories::{ConcernCategory, InformationCategory};
use crate::ids::{CaseId, ConsentId, ReferralId, SubjectId, UnitId};
use crate::legal::LegalGroundCode;
use crate::outcomes::InterventionOutcome;
use crate::sealed::Sealed;
use crate::units::UnitKind;

/// What kind of referral it is; decides which rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReferralKind {
    /// Orosanmälan (SoL 14:1): to social services, no consent needed, cannot be withdrawn.
    ReportOfConcern,
    /// A referral to another unit: needs a consent or a named legal ground.
    Referral,
    /// Ansökan: the young person or a guardian asks for help; registered by the receiving unit.
    Application,
}

/// Why information may be sent to the receiving unit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisclosureBasis {
    /// A recorded consent; the service checks its scope and validity before sending the command.
    Consent(ConsentId),
    /// A named legal ground for disclosure, such as OSL 10:18 a or 10:28.
    LegalGround(LegalGroundCode),
}

/// Who made an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "kind", content = "guardian")]
pub enum Applicant {
    /// The young person.
    YoungPerson,
    /// A guardian.
    Guardian(SubjectId),
}

/// Who made a report of concern that did not come through Lots (most do not: the police, health care, a school
/// outside the directory, private persons, anonymous callers, the child).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReporterCategory {
    /// The police.
    Police,
    /// The police's notice that someone under 18 is suspected of an offence (6 § LUL).
    PoliceNoticeOfSuspect,
    /// Health care.
    HealthCare,
    /// A school or its pupil health, not in the directory.
    School,
    /// A preschool.
    Preschool,
    /// Another authority.
    OtherAuthority,
    /// A professional in work with children (a private provider, a practitioner).
    Professional,
    /// A relative.
    Relative,
    /// Another private person.
    PrivatePerson,
    /// The child or young person themselves.
    Child,
    /// Someone who would not say who they are.
    Anonymous,
}

impl ReporterCategory {
    /// Whether reporters of this category have a duty to report (authorities and professionals working with
    /// children: SoL 2001:453 14 kap. 1 §); others may report (14 kap. 1 c §).
    pub fn has_duty_to_report(self) -> bool {
        matches!(
            self,
            Self::Police
                | Self::PoliceNoticeOfSuspect
                | Self::HealthCare
                | Self::School
                | Self::Preschool
                | Self::OtherAuthority
                | Self::Professional
        )
    }
}

/// The protection assessment (skyddsbedömning) made on receipt of a report of concern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtectionAssessment {
    /// Whether the child needs protection at once.
    pub immediate_protection_needed: bool,
    /// The assessment, sealed.
    pub assessment: Sealed,
    /// The day it was made: the day of receipt or the next.
    pub assessed_on: Date,
    /// Why it was made later than the next day, sealed; required then.
    pub late_reason: Option<Sealed>,
}

/// Why a referral was declined, in clear for statistics (the text itself is sealed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeclineReason {
    /// The young person is outside the unit's target group.
    OutsideTargetGroup,
    /// The unit has no capacity now.
    NoCapacity,
    /// The young person or the guardians said no.
    DeclinedByFamily,
    /// Already known and handled elsewhere.
    AlreadyHandled,
    /// Another reason.
    Other,
}

/// What the receiving unit told the sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum FeedbackKind {
    /// An investigation was opened (SoL 14:1 b).
    InvestigationOpened,
    /// No investigation will be opened.
    InvestigationNotOpened,
    /// An investigation was already under way.
    InvestigationOngoing,
    /// The referral was handled (for referrals other than reports of concern).
    ReferralHandled,
}

/// What may be done to a referral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferralCommand {
    /// Send a report of concern or a referral from the actor's unit.
    SendReferral {
        /// The new referral's id; must be the aggregate id.
        referral: ReferralId,
        /// Report of concern or referral (applications are registered, not sent).
        kind: ReferralKind,
        /// Whom it is about.
        subject: SubjectId,
        /// The receiving unit.
        to_unit: UnitId,
        /// The receiving unit's kind, from the directory.
        to_unit_kind: UnitKind,
        /// What the concern is about.
        concerns: BTreeSet<ConcernCategory>,
        /// The reason, sealed.
        reason: Sealed,
        /// Consent or legal ground; required for a referral.
        basis: Option<DisclosureBasis>,
        /// What kinds of information it discloses under that basis; at least one for a referral.
        information: BTreeSet<InformationCategory>,
        /// The referral this one forwards, if any.
        forwarded_from: Option<ReferralId>,
    },
    /// Register an application made to the actor's unit; it is received at once.
    RegisterApplication {
        /// The new referral's id; must be the aggregate id.
        referral: ReferralId,
        /// Whom it is about.
        subject: SubjectId,
        /// Who applied.
        applicant: Applicant,
        /// What it is about.
        concerns: BTreeSet<ConcernCategory>,
        /// What was asked for, sealed.
        reason: Sealed,
    },
    /// Register a report of concern that came from outside Lots' directory to the actor's unit (social services):
    /// received at once, with its protection assessment.
    RegisterReport {
        /// The new referral's id; must be the aggregate id.
        referral: ReferralId,
        /// The actor's unit's kind, from the directory: only social services register reports.
        unit_kind: UnitKind,
        /// Whom it is about.
        subject: SubjectId,
        /// Who reported, by category.
        reporter: ReporterCategory,
        /// Who the reporter is (name, contact), sealed; none for an anonymous report.
        reporter_identity: Option<Sealed>,
        /// What it is about.
        concerns: BTreeSet<ConcernCategory>,
        /// What was reported, sealed.
        reason: Sealed,
        /// The protection assessment made on receipt.
        protection_assessment: ProtectionAssessment,
    },
    /// Receive a sent referral; a report of concern comes with its protection assessment.
    ReceiveReferral {
        /// Required for a report of concern.
        protection_assessment: Option<ProtectionAssessment>,
    },
    /// Put a received referral on hold.
    PutReferralOnHold {
        /// Why, sealed.
        reason: Sealed,
    },
    /// Take a referral off hold.
    ResumeReferral,
    /// Accept a referral, linking it to the case that handles it.
    AcceptReferral {
        /// The case.
        case: CaseId,
    },
    /// Decline a referral with a reason.
    DeclineReferral {
        /// The reason's category, in clear.
        reason_code: DeclineReason,
        /// The reason, sealed.
        reason: Sealed,
    },
    /// Forward a referral to another unit; the service sends the new referral.
    ForwardReferral {
        /// The unit it goes to.
        to_unit: UnitId,
        /// That unit's kind.
        to_unit_kind: UnitKind,
        /// The new referral's id.
        new_referral: ReferralId,
        /// Why, sealed.
        reason: Sealed,
    },
    /// The receiving social services hand a report of concern over to the municipality responsible for the child
    /// (a report is never declined: it is assessed, or it goes where it can be).
    HandOverReport {
        /// The municipality it went to, by name (a public body: no personal data).
        municipality: String,
        /// Why, sealed.
        reason: Sealed,
    },
    /// The sender withdraws a referral (never a report of concern).
    WithdrawReferral {
        /// Why, sealed.
        reason: Sealed,
    },
    /// The receiving unit reports that the intervention started.
    ReportInterventionStarted,
    /// The receiving unit reports that the intervention ended.
    ReportInterventionEnded {
        /// How it ended.
        outcome: InterventionOutcome,
    },
    /// The receiving unit gives feedback to the sender.
    GiveFeedback {
        /// What is told.
        feedback: FeedbackKind,
        /// An optional message, sealed.
        message: Option<Sealed>,
    },
    /// The receiving unit judges that feedback to a report's reporter would be inappropriate (SoL 14 kap. 1 b §:
    /// feedback is given "om det inte är olämpligt"), with why.
    JudgeFeedbackInappropriate {
        /// Why, sealed.
        reason: Sealed,
    },
}
