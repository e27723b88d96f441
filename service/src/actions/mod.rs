//! The use cases: what a user (or the command line) can do, each one function that takes typed inputs, looks up
//! what the command needs, checks what must hold, gives the command and returns a typed outcome or a typed
//! refusal. No HTTP, no JSON request shapes, no HTML, no problem+json: the JSON API (`crate::api`), the web pages
//! (`crate::web`) and the command line (`crate::cli`) each map the same outcome to their own answer.

use std::time::Duration;

use domain::command::Rule;
use domain::ids::{CommandId, SubjectId};
use domain::sealed::Sealed;
use projections::db::Db;
use ulid::Ulid;

use crate::event_log::commands::{CommandBus, CommandError};
use crate::personal::Vault;

pub mod cases;
pub mod demo;
pub mod directory;
pub mod figures;
pub mod identity;
pub mod journal;
pub mod reads;
pub mod referrals;
pub mod subjects;

/// The handles a use case works with: the command bus (and through it the store) and the vault.
#[derive(Debug, Clone, Copy)]
pub struct Handles<'a> {
    /// Gives commands.
    pub bus: &'a CommandBus,
    /// Seals and opens personal data.
    pub vault: &'a Vault,
    /// What every event a use case writes carries besides its actor: the request, its client's address.
    pub metadata: &'a crate::event_log::commands::EventMetadata,
}

impl Handles<'_> {
    /// The store.
    pub fn db(&self) -> &Db {
        self.bus.db()
    }
}

/// Why a use case did nothing, in words each edge maps to its own answer (a problem, a message beside a field,
/// an exit code).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{field}: {message}")]
    /// A field of the input is wrong; `field` names it as the input does.
    Invalid {
        /// The field.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A rule of the domain refuses it; `rule` names it (`DisclosureBasisMissing`).
    #[error("{message}")]
    Rule {
        /// The rule.
        rule: &'static str,
        /// What it says.
        message: String,
    },
    /// No such thing, or not the actor's: the same answer, so nothing is given away.
    #[error("no {0} here")]
    NotFound(&'static str),
    /// A conflict; the text says what to do.
    #[error("{0}")]
    Conflict(String),
    /// The actor's role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// A view the decision needs has stopped; nothing is answered from it until it is mended.
    #[error("{0}")]
    Unavailable(String),
}

impl Refusal {
    /// A field is wrong.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid { field: field.into(), message: message.into() }
    }
}

/// What can stop a use case: a refusal (the actor's to mend), or a failure inside (never the actor's).
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// Refused; nothing was written.
    #[error(transparent)]
    Refused(Refusal),
    /// Something failed inside Lots; the cause is for the log.
    #[error(transparent)]
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

impl From<Refusal> for ActionError {
    fn from(refusal: Refusal) -> Self {
        Self::Refused(refusal)
    }
}

/// A refusal of `domain::authorization`, for an aggregate the input names in `field` (its id in a body):
/// by ownership, a wrong field exactly as for an id that does not exist; otherwise the rule.
pub fn refused_for_field(refused: domain::authorization::Refused, field: &str) -> ActionError {
    if refused.is_ownership() {
        Refusal::invalid(field, refused.to_string()).into()
    } else {
        Refusal::Rule { rule: refused.rule(), message: refused.to_string() }.into()
    }
}

/// A refusal of `domain::authorization` for the aggregate a path names (`what`): by ownership, "not found"
/// exactly as for one that does not exist; otherwise the rule.
pub fn refused_for(refused: domain::authorization::Refused, what: &'static str) -> ActionError {
    if refused.is_ownership() {
        Refusal::NotFound(what).into()
    } else {
        Refusal::Rule { rule: refused.rule(), message: refused.to_string() }.into()
    }
}

/// Failures inside that a use case meets.
macro_rules! internal_failures {
    ($($error:ty),+ $(,)?) => {
        $(impl From<$error> for ActionError {
            fn from(error: $error) -> Self {
                Self::Internal(Box::new(error))
            }
        })+
    };
}

internal_failures!(
    sqlx::Error,
    projections::replay::ReplayError,
    projections::runner::ProjectionError,
    crate::personal::VaultError,
);

/// How a use case answers a refusal of the domain beyond "a rule refuses this".
#[derive(Debug, Clone, Copy)]
pub enum Classified {
    /// As if the thing did not exist: it does not, or it is not the actor's.
    NotFound,
    /// A conflict, saying what to do.
    Conflict(&'static str),
    /// The role may not.
    Forbidden,
    /// A rule, named by its variant.
    Rule,
}

/// Turns a command's outcome into "was it a repeat?" or the refusal; `classify` picks the refusals that are not
/// plain rules. `what` names the thing ("case", "referral").
pub fn outcome<E: std::error::Error + Rule + Send + Sync + 'static>(
    result: Result<(), CommandError<E>>,
    what: &'static str,
    classify: impl Fn(&E) -> Classified,
) -> Result<bool, ActionError> {
    match result {
        Ok(()) => Ok(false),
        Err(CommandError::Repeat(_)) => Ok(true),
        Err(CommandError::Rejected(error)) => Err(match classify(&error) {
            Classified::NotFound => Refusal::NotFound(what),
            Classified::Conflict(detail) => Refusal::Conflict(detail.to_owned()),
            Classified::Forbidden => Refusal::Forbidden("this role may not do this".to_owned()),
            Classified::Rule => Refusal::Rule { rule: error.rule(), message: error.to_string() },
        }
        .into()),
        Err(CommandError::Conflict { .. }) => Err(Refusal::Conflict(format!(
            "the {what} kept changing; send the command again with the same Idempotency-Key"
        ))
        .into()),
        Err(CommandError::Store(cause)) => Err(ActionError::Internal(cause)),
    }
}

/// Seals a free text given in `field` under `subject`'s key; a blank one is refused naming the field. The one
/// sealer of texts a user writes.
pub async fn seal_text(vault: &Vault, subject: SubjectId, field: &str, text: &str) -> Result<Sealed, ActionError> {
    if text.trim().is_empty() {
        return Err(Refusal::invalid(field, format!("{field} must not be empty")).into());
    }
    Ok(vault.seal_text(subject, text).await?)
}

/// [`seal_text`] for a text that may be left out.
pub async fn seal_optional(
    vault: &Vault,
    subject: SubjectId,
    field: &str,
    text: Option<&str>,
) -> Result<Option<Sealed>, ActionError> {
    match text {
        Some(text) => seal_text(vault, subject, field, text).await.map(Some),
        None => Ok(None),
    }
}

/// An id the service makes for a command, derived from the command id so that a retry (the same
/// `Idempotency-Key`) makes the same one and is answered as the first time: `n = 0` is the command id's own
/// ULID (for the aggregate a command creates), `1, 2, …` follow it (an intervention's, a note's, goals').
pub fn made_id(command: CommandId, n: u128) -> Ulid {
    let ulid = command.ulid();
    Ulid::from_parts(ulid.timestamp_ms(), ulid.random().wrapping_add(n) & ((1 << 80) - 1))
}

/// Where the events of `aggregate_type` `id` stand in the log, as the `written` token of a command's answer, once
/// `view` (the projection the client most likely reads next) includes them or five seconds passed.
pub async fn written(db: &Db, aggregate_type: &str, id: &str, view: &str) -> Option<String> {
    let cursor = projections::feed::cursor_of(db, aggregate_type, id).await.ok()??;
    let _ = projections::runner::wait_for(db, view, cursor, Duration::from_secs(5)).await;
    Some(cursor.to_string())
}
