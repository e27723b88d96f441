//! The Subject aggregate: a young person or a guardian. Identity is sealed; only the statistics attributes
//! (birth year, sex, district) stand in clear.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::command::{require_sealed, AppliedCommands, CommandContext, Role};
use crate::event::Stamped;
use crate::ids::{SubjectId, UnitId};
use crate::retention::LegalHold;

mod events;
#[cfg(test)]
mod tests;

pub use events::{ErasureGround, ProtectionLevel, StatisticsAttributes, SubjectCommand, SubjectError, SubjectEvent};

/// A subject as its events make it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// Set by registration; `None` before.
    pub id: Option<SubjectId>,
    /// The unit that registered the subject.
    pub registered_by: Option<UnitId>,
    /// The clear attributes that statistics need.
    pub statistics: Option<StatisticsAttributes>,
    /// How many times the identity was corrected after registration.
    pub identity_corrections: u32,
    /// The protected-identity level, if any.
    pub protection: Option<ProtectionLevel>,
    /// Linked guardians (themselves subjects).
    pub guardians: BTreeSet<SubjectId>,
    /// Legal holds that keep the file from retention clearing.
    pub holds: BTreeSet<LegalHold>,
    /// Erased: the key is destroyed and no further command is taken.
    pub erased: bool,
    /// Commands already applied, for idempotency.
    pub applied: AppliedCommands,
}

impl Subject {
    /// Decides which events `body` leads to, or why it is refused. Pure: no clock, no I/O.
    pub fn decide(&self, context: &CommandContext, body: SubjectCommand) -> Result<Vec<SubjectEvent>, SubjectError> {
        context.check(&self.applied)?;
        if self.erased {
            return Err(SubjectError::Erased);
        }
        if let SubjectCommand::RegisterSubject { subject, identity, statistics } = body {
            context.require_casework()?;
            if self.id.is_some() {
                return Err(SubjectError::AlreadyRegistered);
            }
            require_sealed("identity", &identity)?;
            statistics.check(context)?;
            return Ok(vec![SubjectEvent::SubjectRegistered {
                subject,
                identity,
                statistics,
                registered_by: context.actor.unit,
            }]);
        }
        let Some(id) = self.id else {
            return Err(SubjectError::NotRegistered);
        };
        match body {
            SubjectCommand::RegisterSubject { .. } => Err(SubjectError::AlreadyRegistered),
            SubjectCommand::CorrectIdentity { identity, statistics } => {
                context.require_casework()?;
                require_sealed("identity", &identity)?;
                statistics.check(context)?;
                Ok(vec![SubjectEvent::SubjectIdentityCorrected { identity, statistics }])
            }
            SubjectCommand::SetProtectedIdentity { level } => {
                context.require_casework()?;
                if self.protection == Some(level) {
                    return Err(SubjectError::ProtectionUnchanged);
                }
                Ok(vec![SubjectEvent::ProtectedIdentitySet { level }])
            }
            SubjectCommand::ClearProtectedIdentity => {
                context.require_casework()?;
                if self.protection.is_none() {
                    return Err(SubjectError::NotProtected);
                }
                Ok(vec![SubjectEvent::ProtectedIdentityCleared])
            }
            SubjectCommand::LinkGuardian { guardian } => {
                context.require_casework()?;
                if guardian == id {
                    return Err(SubjectError::GuardianIsSubjectItself);
                }
                if self.guardians.contains(&guardian) {
                    return Err(SubjectError::GuardianAlreadyLinked);
                }
                Ok(vec![SubjectEvent::GuardianLinked { guardian }])
            }
            SubjectCommand::UnlinkGuardian { guardian } => {
                context.require_casework()?;
                if !self.guardians.contains(&guardian) {
                    return Err(SubjectError::GuardianNotLinked);
                }
                Ok(vec![SubjectEvent::GuardianUnlinked { guardian }])
            }
            SubjectCommand::PlaceLegalHold { hold } => {
                context.require_casework()?;
                if self.holds.contains(&hold) {
                    return Err(SubjectError::HoldAlreadyPlaced);
                }
                Ok(vec![SubjectEvent::LegalHoldPlaced { hold }])
            }
            SubjectCommand::ReleaseLegalHold { hold } => {
                context.require_casework()?;
                if !self.holds.contains(&hold) {
                    return Err(SubjectError::HoldNotPlaced);
                }
                Ok(vec![SubjectEvent::LegalHoldReleased { hold }])
            }
            SubjectCommand::EraseSubject { ground } => {
                context.require_role(Role::Administrator)?;
                let text = match &ground {
                    ErasureGround::Retention { rule } => rule,
                    ErasureGround::Decision { reference } => reference,
                };
                if text.trim().is_empty() {
                    return Err(SubjectError::ErasureGroundMissing);
                }
                Ok(vec![SubjectEvent::SubjectErased { ground }])
            }
        }
    }
}

impl StatisticsAttributes {
    fn check(&self, context: &CommandContext) -> Result<(), SubjectError> {
        match self.birth_year {
            Some(year) if !(StatisticsAttributes::EARLIEST_BIRTH_YEAR..=context.today.year()).contains(&year) => {
                Err(SubjectError::BirthYearOutOfRange { year })
            }
            _ => Ok(()),
        }
    }
}

crate::decided_aggregate!(Subject, "subject", SubjectCommand, SubjectEvent, SubjectError);

impl Subject {
    /// Applies one event of the log to the state.
    pub(crate) fn apply_event(&mut self, stamped: Stamped<SubjectEvent>) {
        self.applied.record(stamped.command_id);
        match stamped.event {
            SubjectEvent::SubjectRegistered { subject, statistics, registered_by, .. } => {
                self.id = Some(subject);
                self.statistics = Some(statistics);
                self.registered_by = Some(registered_by);
            }
            SubjectEvent::SubjectIdentityCorrected { statistics, .. } => {
                self.statistics = Some(statistics);
                self.identity_corrections += 1;
            }
            SubjectEvent::ProtectedIdentitySet { level } => self.protection = Some(level),
            SubjectEvent::ProtectedIdentityCleared => self.protection = None,
            SubjectEvent::GuardianLinked { guardian } => {
                self.guardians.insert(guardian);
            }
            SubjectEvent::GuardianUnlinked { guardian } => {
                self.guardians.remove(&guardian);
            }
            SubjectEvent::LegalHoldPlaced { hold } => {
                self.holds.insert(hold);
            }
            SubjectEvent::LegalHoldReleased { hold } => {
                self.holds.remove(&hold);
            }
            SubjectEvent::SubjectErased { .. } => self.erased = true,
        }
    }
}
