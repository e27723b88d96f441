//! The event log and everything that writes beside it in step with it: the store and its migrations, the command
//! bus, Idempotency-Key bindings, the access log, and the seals. It knows no person, no account and no edge.
//! Replay of one aggregate is `projections::replay`, one crate down, because the auditors' as-of views replay too.

pub mod access_log;
pub mod commands;
pub mod idempotency;
pub mod refusals;
pub mod seal;
pub mod store;
