//! What every command over HTTP shares: the command id from the `Idempotency-Key`.

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
