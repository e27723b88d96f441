//! The Consent aggregate: a written consent (samtycke) for named parties, categories of information and a
//! purpose, valid between two dates, revocable at any time.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::categories::InformationCategory;
use crate::command::{require_sealed, AppliedCommands, CommandContext};
use crate::event::Stamped;
use crate::ids::{SubjectId, UnitId};

mod events;
#[cfg(test)]
mod tests;

pub use events::{ConsentCommand, ConsentError, ConsentEvent, ConsentGiver, ConsentNotValid};

/// The terms of a given consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentTerms {
    /// Whom it is about.
    pub subject: SubjectId,
    /// Who consented.
    pub given_by: BTreeSet<ConsentGiver>,
    /// The units named.
    pub parties: BTreeSet<UnitId>,
    /// The categories named.
    pub categories: BTreeSet<InformationCategory>,
    /// First day valid.
    pub valid_from: Date,
    /// Last day valid.
    pub valid_to: Date,
}

/// A consent as its events make it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// Set when given.
    pub terms: Option<ConsentTerms>,
    /// The date it was revoked, if it was.
    pub revoked_on: Option<Date>,
    /// Commands already applied, for idempotency.
    pub applied: AppliedCommands,
}

impl Consent {
    /// Whether this consent allows disclosing `categories` about `subject` to `unit` on `on`.
    pub fn covers(
        &self,
        subject: SubjectId,
        unit: UnitId,
        on: Date,
        categories: &BTreeSet<InformationCategory>,
    ) -> Result<(), ConsentNotValid> {
        let terms = self.terms.as_ref().ok_or(ConsentNotValid::NotGiven)?;
        if terms.subject != subject {
            return Err(ConsentNotValid::OtherSubject);
        }
        if let Some(revoked_on) = self.revoked_on.filter(|revoked_on| *revoked_on <= on) {
            return Err(ConsentNotValid::Revoked { revoked_on });
        }
        if on < terms.valid_from {
            return Err(ConsentNotValid::NotYetValid { valid_from: terms.valid_from });
        }
        if on > terms.valid_to {
            return Err(ConsentNotValid::Expired { valid_to: terms.valid_to });
        }
        if !terms.parties.contains(&unit) {
            return Err(ConsentNotValid::UnitNotNamed);
        }
        match categories.iter().find(|category| !terms.categories.contains(category)) {
            Some(missing) => Err(ConsentNotValid::CategoryNotNamed(*missing)),
            None => Ok(()),
        }
    }

    /// Decides which events `body` leads to, or why it is refused.
    pub fn decide(&self, context: &CommandContext, body: ConsentCommand) -> Result<Vec<ConsentEvent>, ConsentError> {
        context.check(&self.applied)?;
        context.require_casework()?;
        match body {
            ConsentCommand::GiveConsent {
                consent,
                subject,
                subject_is_minor,
                given_by,
                parties,
                categories,
                purpose,
                valid_from,
                valid_to,
                custodians,
            } => {
                if self.terms.is_some() {
                    return Err(ConsentError::AlreadyGiven);
                }
                if given_by.is_empty() {
                    return Err(ConsentError::NoGiver);
                }
                let guardian_gave = given_by.iter().any(|giver| matches!(giver, ConsentGiver::Guardian(_)));
                if subject_is_minor && !guardian_gave {
                    return Err(ConsentError::GuardianConsentRequired);
                }
                let consenting: BTreeSet<SubjectId> = given_by
                    .iter()
                    .filter_map(|giver| match giver {
                        ConsentGiver::Guardian(guardian) => Some(*guardian),
                        ConsentGiver::YoungPerson => None,
                    })
                    .collect();
                if !custodians.is_empty() && !consenting.is_subset(&custodians) {
                    return Err(ConsentError::ConsentByOtherThanGuardian);
                }
                let missing = custodians.difference(&consenting).count();
                if subject_is_minor && missing > 0 {
                    return Err(ConsentError::NotEveryCustodianConsented { missing });
                }
                if !subject_is_minor && (guardian_gave || !given_by.contains(&ConsentGiver::YoungPerson)) {
                    return Err(ConsentError::YoungPersonConsentRequired);
                }
                if parties.is_empty() {
                    return Err(ConsentError::NoParties);
                }
                if !parties.contains(&context.actor.unit) {
                    return Err(ConsentError::RecordingUnitNotAParty);
                }
                if categories.is_empty() {
                    return Err(ConsentError::NoCategories);
                }
                require_sealed("purpose", &purpose)?;
                if valid_to < valid_from {
                    return Err(ConsentError::ValidityReversed { valid_from, valid_to });
                }
                if valid_to < context.occurred_on {
                    return Err(ConsentError::ExpiredWhenGiven);
                }
                Ok(vec![ConsentEvent::ConsentGiven {
                    consent,
                    subject,
                    given_by,
                    parties,
                    categories,
                    purpose,
                    valid_from,
                    valid_to,
                    recorded_by: context.actor.unit,
                }])
            }
            ConsentCommand::RevokeConsent { revoked_by } => {
                let terms = self.terms.as_ref().ok_or(ConsentError::NotGiven)?;
                if self.revoked_on.is_some() {
                    return Err(ConsentError::AlreadyRevoked);
                }
                if revoked_by != ConsentGiver::YoungPerson && !terms.given_by.contains(&revoked_by) {
                    return Err(ConsentError::RevokerDidNotGive);
                }
                Ok(vec![ConsentEvent::ConsentRevoked { revoked_by }])
            }
        }
    }
}

crate::decided_aggregate!(Consent, "consent", ConsentCommand, ConsentEvent, ConsentError);

impl Consent {
    /// Applies one event of the log to the state.
    pub(crate) fn apply_event(&mut self, stamped: Stamped<ConsentEvent>) {
        self.applied.record(stamped.command_id);
        match stamped.event {
            ConsentEvent::ConsentGiven { subject, given_by, parties, categories, valid_from, valid_to, .. } => {
                self.terms = Some(ConsentTerms { subject, given_by, parties, categories, valid_from, valid_to });
            }
            ConsentEvent::ConsentRevoked { .. } => self.revoked_on = Some(stamped.occurred_on),
        }
    }
}
