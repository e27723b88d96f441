//! Helpers for the domain's tests: fixed ids, contexts and sealed values.

use time::macros::date;
use time::Date;
use ulid::Ulid;

use crate::command::{Actor, CommandContext, Role};
use crate::ids::{CommandId, UnitId, UserId};
use crate::sealed::Sealed;

/// "Today" in the tests.
pub(crate) const TODAY: Date = date!(2026 - 11 - 25);

/// A ULID from a small number, so tests can name ids `id(1)`, `id(2)`.
pub(crate) fn ulid(n: u64) -> Ulid {
    Ulid::from_parts(1_764_000_000_000, u128::from(n))
}

/// A unit of social services in the tests.
pub(crate) fn social_services() -> UnitId {
    UnitId::from_ulid(ulid(9001))
}

/// A school-social team in the tests.
pub(crate) fn school_team() -> UnitId {
    UnitId::from_ulid(ulid(9002))
}

/// Framtid Stockholm in the tests.
pub(crate) fn framtid() -> UnitId {
    UnitId::from_ulid(ulid(9003))
}

/// A worker in the tests.
pub(crate) fn worker() -> UserId {
    UserId::from_ulid(ulid(8001))
}

/// A second worker in the tests.
pub(crate) fn other_worker() -> UserId {
    UserId::from_ulid(ulid(8002))
}

/// A context for command `n`, by `role` at `unit`, happening on `occurred_on`.
pub(crate) fn context_at(n: u64, role: Role, unit: UnitId, occurred_on: Date) -> CommandContext {
    CommandContext {
        command_id: CommandId::from_ulid(ulid(n)),
        actor: Actor { user: if role == Role::UnitManager { other_worker() } else { worker() }, role, unit },
        today: TODAY,
        occurred_on,
    }
}

/// A social worker at social services, today.
pub(crate) fn context(n: u64) -> CommandContext {
    context_at(n, Role::SocialWorker, social_services(), TODAY)
}

/// Sealed bytes standing for a text.
pub(crate) fn sealed(text: &str) -> Sealed {
    Sealed::from_bytes(text.as_bytes().to_vec())
}
