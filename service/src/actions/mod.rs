//! The use cases: what a user (or the command line) can do, each one function that takes typed inputs, looks up
//! what the command needs, checks what must hold, gives the command and returns a typed outcome or a typed
//! refusal. No HTTP, no JSON request shapes, no HTML, no problem+json: the JSON API (`crate::api`), the web pages
//! (`crate::web`) and the command line (`crate::cli`) each map the same outcome to their own answer.

use std::time::Duration;

use domain::ids::CommandId;
use projections::db::Db;
use ulid::Ulid;

pub mod demo;
pub mod directory;

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
