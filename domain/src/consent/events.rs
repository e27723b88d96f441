//! The Consent's commands, events and errors.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::categories::InformationCategory;
use crate::command::CommandRefused;
use crate::event_kinds;
use crate::ids::{ConsentId, SubjectId, UnitId};
use crate::sealed::Sealed;

/// Who gave (or revokes) a consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "kind", content = "guardian")]
pub enum ConsentGiver {
    /// The young person themselves.
    YoungPerson,
    /// A guardian (vårdnadshavare), a subject linked to the young person.
    Guardian(SubjectId),
}

/// What may be done to a consent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsentCommand {
    /// Record a written consent.
    GiveConsent {
        /// The new consent's id; must be the aggregate id.
        consent: ConsentId,
        /// Whom it is about.
        subject: SubjectId,
        /// Whether the subject is under 18 on the day it is given (the service works it out): then a guardian
        /// must consent; from 18 only the young person can.
        subject_is_minor: bool,
        /// Who consented.
        given_by: BTreeSet<ConsentGiver>,
        /// The units that may share information under it.
        parties: BTreeSet<UnitId>,
        /// The kinds of information it covers.
        categories: BTreeSet<InformationCategory>,
        /// What it is for, sealed (a free text about the person).
        purpose: Sealed,
        /// First day it is valid.
        valid_from: Date,
        /// Last day it is valid.
        valid_to: Date,
        /// The guardians with custody the subject's record links (the service reads them from the log): for a minor,
        /// every one of them consents.
        custodians: BTreeSet<SubjectId>,
    },
    /// Record that a consent was revoked; sharing stops from the day it happened.
    RevokeConsent {
        /// Who revoked it.
        revoked_by: ConsentGiver,
    },
}

/// What happened to a consent. Type names are stable; see ARCHITECTURE.md.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConsentEvent {
    /// A consent was given and recorded.
    ConsentGiven {
        /// Its id.
        consent: ConsentId,
        /// Whom it is about.
        subject: SubjectId,
        /// Who consented.
        given_by: BTreeSet<ConsentGiver>,
        /// The units named.
        parties: BTreeSet<UnitId>,
        /// The kinds of information named.
        categories: BTreeSet<InformationCategory>,
        /// Its purpose, sealed.
        purpose: Sealed,
        /// First day valid.
        valid_from: Date,
        /// Last day valid.
        valid_to: Date,
        /// The unit that recorded it.
        recorded_by: UnitId,
    },
    /// A consent was revoked (on the event's date).
    ConsentRevoked {
        /// Who revoked it.
        revoked_by: ConsentGiver,
    },
}

event_kinds!(ConsentEvent { ConsentGiven, ConsentRevoked });

/// Why a consent command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::IntoStaticStr)]
pub enum ConsentError {
    /// A refusal every aggregate makes.
    #[error(transparent)]
    Command(#[from] CommandRefused),
    /// The consent was recorded already.
    #[error("the consent is already recorded")]
    AlreadyGiven,
    /// No such consent.
    #[error("no such consent")]
    NotGiven,
    /// Nobody is named as having consented.
    #[error("a consent must name who gave it")]
    NoGiver,
    /// No unit is named.
    #[error("a consent must name the parties that may share information")]
    NoParties,
    /// No category of information is named.
    #[error("a consent must name the categories of information it covers")]
    NoCategories,
    /// The validity ends before it starts.
    #[error("the consent's validity ends ({valid_to}) before it starts ({valid_from})")]
    ValidityReversed {
        /// First day.
        valid_from: Date,
        /// Last day.
        valid_to: Date,
    },
    /// The validity ended before the consent was given.
    #[error("the consent's validity ended before it was given")]
    ExpiredWhenGiven,
    /// For someone under 18, a guardian must consent.
    #[error("a guardian must consent for someone under 18")]
    GuardianConsentRequired,
    /// For a minor, every guardian with custody consents (custody is joint unless a court decided otherwise).
    #[error("every guardian with custody must consent; {missing} of them did not")]
    NotEveryCustodianConsented {
        /// How many did not.
        missing: usize,
    },
    /// A guardian named as consenting is not one the subject's record links.
    #[error("a guardian who consented is not linked as the subject's guardian")]
    ConsentByOtherThanGuardian,
    /// From 18, the young person consents themselves and guardians cannot consent for them.
    #[error("from 18 the young person consents themselves")]
    YoungPersonConsentRequired,
    /// The unit recording a consent must be one of its parties.
    #[error("the recording unit must be one of the consent's parties")]
    RecordingUnitNotAParty,
    /// The consent was revoked already.
    #[error("the consent was already revoked")]
    AlreadyRevoked,
    /// A guardian who did not give the consent cannot revoke it.
    #[error("only the young person or a guardian who gave it can revoke the consent")]
    RevokerDidNotGive,
}

crate::rule_of_aggregate_error!(ConsentError);

/// Why a consent does not allow a disclosure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsentNotValid {
    /// No such consent.
    #[error("no such consent")]
    NotGiven,
    /// The consent is about another subject.
    #[error("the consent is about another person")]
    OtherSubject,
    /// Revoked on or before the date of the disclosure.
    #[error("the consent was revoked on {revoked_on}")]
    Revoked {
        /// The date it was revoked.
        revoked_on: Date,
    },
    /// The disclosure is before the consent's first day.
    #[error("the consent is valid only from {valid_from}")]
    NotYetValid {
        /// First day.
        valid_from: Date,
    },
    /// The disclosure is after the consent's last day.
    #[error("the consent expired on {valid_to}")]
    Expired {
        /// Last day.
        valid_to: Date,
    },
    /// The receiving unit is not a party to the consent.
    #[error("the consent does not name the receiving unit")]
    UnitNotNamed,
    /// A category of the disclosure is not covered.
    #[error("the consent does not cover {0:?}")]
    CategoryNotNamed(InformationCategory),
}
