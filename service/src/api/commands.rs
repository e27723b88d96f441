//! What every command over HTTP shares: the command id from the `Idempotency-Key`, and the one answer to what a
//! command did (201 with what it made, or 200 when it repeated an applied command and wrote nothing).

use axum::http::HeaderMap;
use domain::ids::CommandId;

use crate::api::problem::Problem;

/// The command id from the `Idempotency-Key` header.
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<CommandId, Problem> {
    let key = headers.get("idempotency-key").and_then(|value| value.to_str().ok()).ok_or_else(|| {
        Problem::invalid("Idempotency-Key", "send an Idempotency-Key header: a ULID that names this command")
    })?;
    CommandId::parse(key).map_err(|_| Problem::invalid("Idempotency-Key", "the Idempotency-Key must be a ULID"))
}

/// The answer to a command: 201 Created, or 200 OK for a repeat of an applied command (nothing was written), with
/// `answer` as the body either way.
pub(crate) fn answered<T>(repeat: bool, answer: T) -> (axum::http::StatusCode, axum::Json<T>) {
    let status = if repeat { axum::http::StatusCode::OK } else { axum::http::StatusCode::CREATED };
    (status, axum::Json(answer))
}
