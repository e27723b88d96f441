//! What every command carries besides its own fields, and the rules every aggregate applies to it first.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::ids::{CommandId, UnitId, UserId};
use crate::sealed::Sealed;

/// The roles of Lots' users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Handläggare / socialsekreterare: holds cases, sends and handles referrals.
    SocialWorker,
    /// Enhetschef: everything a social worker does, plus approvals, reassignment and transfer.
    UnitManager,
    /// Granskare: reads histories and logs, never acts on a case.
    Auditor,
    /// Manages users, the unit directory and erasure; reads no case content.
    Administrator,
}

impl Role {
    /// The role's stable name, as in JSON and in event metadata.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::SocialWorker => "social_worker",
            Role::UnitManager => "unit_manager",
            Role::Auditor => "auditor",
            Role::Administrator => "administrator",
        }
    }

    /// Whether the role does casework (sends referrals, works cases, records consent).
    pub fn does_casework(self) -> bool {
        matches!(self, Role::SocialWorker | Role::UnitManager)
    }
}

/// The user on whose behalf a command is given, as the service authenticated them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The user.
    pub user: UserId,
    /// Their role.
    pub role: Role,
    /// The unit they work in and act for.
    pub unit: UnitId,
}

/// Everything a command needs from outside the domain: who, when, and which client command it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandContext {
    /// The client's command id (the HTTP `Idempotency-Key`): a repeat writes nothing.
    pub command_id: CommandId,
    /// Who gives the command.
    pub actor: Actor,
    /// The local calendar date when the command is given, from the service's clock (Europe/Stockholm).
    pub today: Date,
    /// The date the thing happened; a worker may enter a paper report days later. Deadlines count from this.
    pub occurred_on: Date,
}

/// A command for an aggregate: the context and the aggregate's own command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command<C> {
    /// Who, when and which client command.
    pub context: CommandContext,
    /// What to do.
    pub body: C,
}

/// The refusals every aggregate makes before looking at the command itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::IntoStaticStr)]
pub enum CommandRefused {
    /// This command id was applied before: nothing is written, and the service answers as it did the first time.
    #[error("command {0} was already applied")]
    AlreadyApplied(CommandId),
    /// The date the thing happened lies after today.
    #[error("the date it happened ({occurred_on}) lies in the future (today is {today})")]
    OccurredInFuture {
        /// The date given.
        occurred_on: Date,
        /// Today, as the command carried it.
        today: Date,
    },
    /// The date the thing happened lies before the step it follows.
    #[error("the date it happened ({occurred_on}) lies before the step it follows ({preceding_on})")]
    OccurredBeforePrecedingStep {
        /// The date given.
        occurred_on: Date,
        /// The date of the step it follows.
        preceding_on: Date,
    },
    /// The actor's role may not give this command.
    #[error("a user with the role {role:?} may not do this")]
    RoleNotPermitted {
        /// The actor's role.
        role: Role,
    },
    /// The actor does not act for the unit this command belongs to.
    #[error("this belongs to another unit")]
    OutsideActorsUnit,
    /// A sealed text or identity that must be given is empty.
    #[error("{field} must not be empty")]
    SealedFieldEmpty {
        /// The command field.
        field: &'static str,
    },
    /// A sealed text or identity is larger than a sealed value may be.
    #[error("{field} is larger than {} bytes", Sealed::MAX_BYTES)]
    SealedFieldTooLarge {
        /// The command field.
        field: &'static str,
    },
}

impl CommandContext {
    /// The checks every command passes first: not a repeat and not in the future.
    pub fn check(&self, applied: &AppliedCommands) -> Result<(), CommandRefused> {
        if applied.contains(self.command_id) {
            return Err(CommandRefused::AlreadyApplied(self.command_id));
        }
        if self.occurred_on > self.today {
            return Err(CommandRefused::OccurredInFuture { occurred_on: self.occurred_on, today: self.today });
        }
        Ok(())
    }

    /// Refuses roles that do no casework (auditors and administrators).
    pub fn require_casework(&self) -> Result<(), CommandRefused> {
        if self.actor.role.does_casework() {
            Ok(())
        } else {
            Err(CommandRefused::RoleNotPermitted { role: self.actor.role })
        }
    }

    /// Refuses every role but `role`.
    pub fn require_role(&self, role: Role) -> Result<(), CommandRefused> {
        if self.actor.role == role {
            Ok(())
        } else {
            Err(CommandRefused::RoleNotPermitted { role: self.actor.role })
        }
    }

    /// Refuses unless the actor acts for `unit`.
    pub fn require_unit(&self, unit: UnitId) -> Result<(), CommandRefused> {
        if self.actor.unit == unit {
            Ok(())
        } else {
            Err(CommandRefused::OutsideActorsUnit)
        }
    }

    /// Refuses a date before the step this one follows.
    pub fn require_not_before(&self, preceding_on: Date) -> Result<(), CommandRefused> {
        if self.occurred_on < preceding_on {
            Err(CommandRefused::OccurredBeforePrecedingStep { occurred_on: self.occurred_on, preceding_on })
        } else {
            Ok(())
        }
    }
}

/// The command ids an aggregate has applied; part of every aggregate's state, rebuilt from its events.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedCommands(BTreeSet<CommandId>);

impl AppliedCommands {
    /// Whether `command_id` was applied.
    pub fn contains(&self, command_id: CommandId) -> bool {
        self.0.contains(&command_id)
    }

    /// Records `command_id` as applied.
    pub fn record(&mut self, command_id: CommandId) {
        self.0.insert(command_id);
    }
}

/// Refuses a sealed value that is empty or oversized, naming the command field.
pub fn require_sealed(field: &'static str, value: &Sealed) -> Result<(), CommandRefused> {
    if value.is_empty() {
        Err(CommandRefused::SealedFieldEmpty { field })
    } else if value.is_oversized() {
        Err(CommandRefused::SealedFieldTooLarge { field })
    } else {
        Ok(())
    }
}

/// Like [`require_sealed`], for a value that may be left out.
pub fn require_sealed_if_given(field: &'static str, value: Option<&Sealed>) -> Result<(), CommandRefused> {
    value.map_or(Ok(()), |value| require_sealed(field, value))
}

/// The name of the rule a refusal stands for, as the API names it (`rule:DisclosureBasisMissing`): its variant's
/// name, taken from the type (never from its text); for a refusal every command shares, the shared one's name.
pub trait Rule {
    /// The rule's name.
    fn rule(&self) -> &'static str;
}

impl Rule for CommandRefused {
    fn rule(&self) -> &'static str {
        self.into()
    }
}

/// Implements [`Rule`] for an aggregate's error enum whose `Command` variant wraps [`CommandRefused`]; each
/// aggregate's module says it of its own error, so this module names none of them.
#[macro_export]
macro_rules! rule_of_aggregate_error {
    ($error:ty) => {
        impl $crate::command::Rule for $error {
            fn rule(&self) -> &'static str {
                match self {
                    Self::Command(shared) => $crate::command::Rule::rule(shared),
                    own => own.into(),
                }
            }
        }
    };
}

#[cfg(test)]
mod rule_tests {
    use super::*;

    #[test]
    fn a_refusal_is_named_by_its_variant_and_a_shared_one_by_the_shared_variant() {
        assert_eq!(CommandRefused::OutsideActorsUnit.rule(), "OutsideActorsUnit");
    }
}
