//! The Subject's commands, events and errors.

use serde::{Deserialize, Serialize};

use crate::command::CommandRefused;
use crate::event_kinds;
use crate::identity_number::Sex;
use crate::ids::{SubjectId, UnitId};
use crate::retention::LegalHold;
use crate::sealed::Sealed;
use crate::units::District;

/// The attributes kept in clear because outcome statistics need them; nothing else about a person is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatisticsAttributes {
    /// Year of birth (from the identity number, or stated or estimated when there is none).
    pub birth_year: Option<i32>,
    /// Sex as registered (from the identity number) or as stated.
    pub sex: Option<Sex>,
    /// Home district.
    pub district: District,
}

impl StatisticsAttributes {
    /// No subject is recorded as born before this year.
    pub const EARLIEST_BIRTH_YEAR: i32 = 1900;
}

/// The three levels of protected personal data (skyddade personuppgifter), in rising strictness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProtectionLevel {
    /// Sekretessmarkering: test carefully before disclosing anything.
    ConfidentialityMarking,
    /// Skyddad folkbokföring: the real address is not registered.
    ProtectedRegistration,
    /// Fingerade personuppgifter: the person lives under a new identity.
    FictitiousIdentity,
}

/// The ground on which a subject's personal data was erased. Stays in clear after erasure, so it must name a
/// rule or decision, never the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ErasureGround {
    /// Cleared under the retention policy (gallring); the rule that applied.
    Retention {
        /// The policy rule, e.g. `sol-5y-after-last-entry`.
        rule: String,
    },
    /// Erased by a recorded decision (registered in error, a court's ruling, …).
    Decision {
        /// The decision's reference (diarienummer) and ground.
        reference: String,
    },
}

/// What may be done to a subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectCommand {
    /// Register a person: sealed identity plus the clear statistics attributes.
    RegisterSubject {
        /// The new subject's id; must be the aggregate id.
        subject: SubjectId,
        /// Identity (identity number or none, names, contact, address, school), sealed.
        identity: Sealed,
        /// The clear attributes.
        statistics: StatisticsAttributes,
    },
    /// Replace the identity and statistics attributes with corrected ones.
    CorrectIdentity {
        /// The corrected identity, sealed.
        identity: Sealed,
        /// The corrected attributes.
        statistics: StatisticsAttributes,
    },
    /// Set or change the protected-identity level.
    SetProtectedIdentity {
        /// The new level.
        level: ProtectionLevel,
    },
    /// Remove protected identity.
    ClearProtectedIdentity,
    /// Link a guardian (vårdnadshavare), who is a subject too.
    LinkGuardian {
        /// The guardian.
        guardian: SubjectId,
    },
    /// Unlink a guardian (custody changed, or linked in error).
    UnlinkGuardian {
        /// The guardian.
        guardian: SubjectId,
    },
    /// Place a legal hold that keeps the file from retention clearing.
    PlaceLegalHold {
        /// The hold.
        hold: LegalHold,
    },
    /// Release a legal hold.
    ReleaseLegalHold {
        /// The hold.
        hold: LegalHold,
    },
    /// Erase the subject's personal data (the service destroys the key). Administrators only.
    EraseSubject {
        /// Why.
        ground: ErasureGround,
    },
}

/// What happened to a subject. Type names are stable; see ARCHITECTURE.md.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubjectEvent {
    /// A subject was registered.
    SubjectRegistered {
        /// Its id.
        subject: SubjectId,
        /// Its identity, sealed.
        identity: Sealed,
        /// The clear attributes.
        statistics: StatisticsAttributes,
        /// The unit of the worker who registered it.
        registered_by: UnitId,
    },
    /// The identity was corrected.
    SubjectIdentityCorrected {
        /// The corrected identity, sealed.
        identity: Sealed,
        /// The corrected attributes.
        statistics: StatisticsAttributes,
    },
    /// Protected identity was set or changed.
    ProtectedIdentitySet {
        /// The level.
        level: ProtectionLevel,
    },
    /// Protected identity was removed.
    ProtectedIdentityCleared,
    /// A guardian was linked.
    GuardianLinked {
        /// The guardian.
        guardian: SubjectId,
    },
    /// A guardian was unlinked.
    GuardianUnlinked {
        /// The guardian.
        guardian: SubjectId,
    },
    /// A legal hold was placed on the file.
    LegalHoldPlaced {
        /// The hold.
        hold: LegalHold,
    },
    /// A legal hold was released.
    LegalHoldReleased {
        /// The hold.
        hold: LegalHold,
    },
    /// The subject's personal data was erased.
    SubjectErased {
        /// Why.
        ground: ErasureGround,
    },
}

event_kinds!(SubjectEvent {
    SubjectRegistered,
    SubjectIdentityCorrected,
    ProtectedIdentitySet,
    ProtectedIdentityCleared,
    GuardianLinked,
    GuardianUnlinked,
    LegalHoldPlaced,
    LegalHoldReleased,
    SubjectErased,
});

/// Why a subject command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::IntoStaticStr)]
pub enum SubjectError {
    /// A refusal every aggregate makes (repeat, date in the future, role, unit, empty field).
    #[error(transparent)]
    Command(#[from] CommandRefused),
    /// The subject is registered already.
    #[error("the subject is already registered")]
    AlreadyRegistered,
    /// The subject has not been registered.
    #[error("no such subject")]
    NotRegistered,
    /// The subject was erased; nothing more may be recorded about them.
    #[error("the subject was erased")]
    Erased,
    /// The birth year is before 1900 or after this year.
    #[error("birth year {year} is out of range")]
    BirthYearOutOfRange {
        /// The year given.
        year: i32,
    },
    /// The protected-identity level is already the one given.
    #[error("the protected-identity level is already set to that")]
    ProtectionUnchanged,
    /// Protected identity cannot be cleared from a subject who has none.
    #[error("the subject has no protected identity")]
    NotProtected,
    /// A subject cannot be their own guardian.
    #[error("a subject cannot be their own guardian")]
    GuardianIsSubjectItself,
    /// That guardian is linked already.
    #[error("that guardian is already linked")]
    GuardianAlreadyLinked,
    /// That guardian is not linked.
    #[error("that guardian is not linked")]
    GuardianNotLinked,
    /// That hold is placed already.
    #[error("that legal hold is already placed")]
    HoldAlreadyPlaced,
    /// That hold is not placed.
    #[error("that legal hold is not placed")]
    HoldNotPlaced,
    /// Erasure needs a stated ground (a retention rule or a decision's reference).
    #[error("erasure needs a ground")]
    ErasureGroundMissing,
}

crate::rule_of_aggregate_error!(SubjectError);
