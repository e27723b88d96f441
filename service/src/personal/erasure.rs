//! Erasure: record who erased a subject, when and on what ground, then destroy the subject's key.

use domain::command::{Actor, Command, CommandContext, Role};
use domain::ids::{CommandId, SubjectId, UnitId, UserId};
use domain::subject::{ErasureGround, Subject, SubjectCommand, SubjectError};
use time::Date;
use ulid::Ulid;

use super::{Vault, VaultError};
use crate::event_log::commands::{CommandBus, CommandError, EventMetadata};

/// Why an erasure did not complete.
#[derive(Debug, thiserror::Error)]
pub enum ErasureError {
    /// The erasure was refused (no such subject, no ground, not an administrator).
    #[error("{0}")]
    Refused(SubjectError),
    /// The record of it could not be written.
    #[error(transparent)]
    Command(CommandError<SubjectError>),
    /// The key could not be destroyed. The erasure is recorded; run it again to finish.
    #[error("the erasure is recorded but the key could not be destroyed ({0}); run it again")]
    Key(#[from] VaultError),
}

/// The actor of the `lots` command line: the operator at the machine, as an administrator. Fixed ids (all
/// zeros) so the log shows plainly that the command line acted.
pub fn operator_context(today: Date) -> CommandContext {
    CommandContext {
        command_id: CommandId::from_ulid(Ulid::new()),
        actor: Actor {
            user: UserId::from_ulid(Ulid::nil()),
            role: Role::Administrator,
            unit: UnitId::from_ulid(Ulid::nil()),
        },
        today,
        occurred_on: today,
    }
}

/// Erases `subject`: appends `SubjectErased` (who, when, ground) and destroys the key. Run again after a failure
/// between the two, it finds the erasure recorded and finishes destroying the key.
pub async fn erase_subject(
    bus: &CommandBus,
    vault: &Vault,
    subject: SubjectId,
    ground: ErasureGround,
    context: CommandContext,
    metadata: &EventMetadata,
) -> Result<(), ErasureError> {
    let command = Command { context, body: SubjectCommand::EraseSubject { ground } };
    match bus.execute::<Subject>(&subject.to_string(), command, metadata).await {
        Ok(()) | Err(CommandError::Rejected(SubjectError::Erased)) => {}
        Err(CommandError::Rejected(refused)) => return Err(ErasureError::Refused(refused)),
        Err(other) => return Err(ErasureError::Command(other)),
    }
    vault.destroy(subject).await?;
    Ok(())
}
