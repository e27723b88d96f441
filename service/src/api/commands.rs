//! What every command over HTTP shares: the command id from the `Idempotency-Key`, sealing a text a request
//! gave, and the answer to a command's outcome (a repeat, or the problem for a refusal).

use axum::http::HeaderMap;
use domain::ids::CommandId;

use crate::api::problem::Problem;
use crate::event_log::commands::CommandError;

/// The command id from the `Idempotency-Key` header.
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<CommandId, Problem> {
    let key = headers.get("idempotency-key").and_then(|value| value.to_str().ok()).ok_or_else(|| {
        Problem::invalid("Idempotency-Key", "send an Idempotency-Key header: a ULID that names this command")
    })?;
    CommandId::parse(key).map_err(|_| Problem::invalid("Idempotency-Key", "the Idempotency-Key must be a ULID"))
}

/// How the HTTP edge answers a command the domain refused, beyond "a rule refuses this" (422).
pub(crate) enum Refusal {
    /// As if the thing did not exist (404): it does not, or it is not the user's.
    NotFound,
    /// 409, saying what to do.
    Conflict(&'static str),
    /// 403: the role may not.
    Forbidden,
    /// 422 naming the rule.
    Rule,
}

/// Turns a command's outcome into "was it a repeat?" or the problem to answer; `classify` picks the refusals
/// that are not plain rules. `what` names the thing ("case", "referral") in 404 and 409 answers.
pub(crate) fn command_outcome<E: std::error::Error + domain::command::Rule>(
    outcome: Result<(), CommandError<E>>,
    what: &'static str,
    classify: impl Fn(&E) -> Refusal,
) -> Result<bool, Problem> {
    match outcome {
        Ok(()) => Ok(false),
        Err(CommandError::Repeat(_)) => Ok(true),
        Err(CommandError::Rejected(error)) => Err(match classify(&error) {
            Refusal::NotFound => Problem::not_found(what),
            Refusal::Conflict(detail) => Problem::conflict(detail),
            Refusal::Forbidden => Problem::forbidden("this role may not do this"),
            Refusal::Rule => Problem::rule(error.rule(), error.to_string()),
        }),
        Err(CommandError::Conflict { .. }) => Err(Problem::conflict(format!(
            "the {what} kept changing; send the command again with the same Idempotency-Key"
        ))),
        Err(CommandError::Store(cause)) => Err(Problem::internal(&cause)),
    }
}
