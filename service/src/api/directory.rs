//! The unit directory and the users, kept by administrators: `GET /api/units` (everyone signed in),
//! `POST /api/units` and `POST /api/units/{id}/{step}` (update, close), `GET /api/users`, `POST /api/users` and
//! `POST /api/users/{id}/deactivate`. Units are events in the log (auditors see who changed the directory and
//! when); users live in the accounts tables, whose passwords are no business of the log.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use domain::command::{Command, Role};
use domain::directory::{Unit, UnitCommand, UnitError};
use domain::ids::{UnitId, UserId};
use domain::units::{District, OfferedService, UnitDirectoryEntry, UnitKind};
use domain::user::UserError;
use projections::db::Db;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::accounts::{self, AccountError, UserChangeError, UserRow};
use crate::actions::directory::UnitLookupError;
use crate::api::commands::{command_outcome, idempotency_key, Refusal};
use crate::api::problem::{parse_body, parse_step, Problem};
use crate::api::session::SignedIn;
use crate::event_log::commands::EventMetadata;
use crate::state::AppState;

/// The unit `unit` as the directory has it, if it is registered and open; `field` names the request field in
/// the problem otherwise.
pub(crate) async fn open_unit(db: &Db, field: &str, unit: UnitId) -> Result<UnitDirectoryEntry, Problem> {
    crate::actions::directory::open_unit(db, unit).await.map_err(|error| match error {
        UnitLookupError::Closed => Problem::rule("UnitClosed", format!("{field}: the unit is closed")),
        UnitLookupError::NotInDirectory => Problem::invalid(field, "no such unit in the directory"),
        UnitLookupError::Replay(error) => Problem::internal(&error),
    })
}

/// The query of `GET /api/units`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitsQuery {
    /// Also list closed units.
    #[serde(default)]
    include_closed: bool,
}

/// `GET /api/units`: the directory, for every signed-in user (unit names are organisational, not secret).
pub(crate) async fn units(
    State(state): State<Arc<AppState>>,
    _signed_in: SignedIn,
    _after: crate::api::views::ReadAfter,
    query: Result<Query<UnitsQuery>, QueryRejection>,
) -> Result<Json<Vec<projections::directory::DirectoryRow>>, Problem> {
    let Query(query) = query.map_err(|rejection| Problem::invalid("query", rejection.body_text()))?;
    let rows = projections::directory::units(&state.db, query.include_closed)
        .await
        .map_err(|error| Problem::internal(&error))?;
    Ok(Json(rows))
}

/// The body of `POST /api/units`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterUnitRequest {
    unit_id: Option<String>,
    kind: UnitKind,
    name: String,
    district: District,
    #[serde(default)]
    services: BTreeSet<OfferedService>,
}

/// The body of `POST /api/units/{id}/{step}`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum UnitStepRequest {
    /// Change the name, district or services.
    Update {
        name: String,
        district: District,
        #[serde(default)]
        services: BTreeSet<OfferedService>,
    },
    /// Close the unit.
    Close { reason: String },
}

/// The answer to a unit command.
#[derive(Debug, Serialize, JsonSchema)]
pub struct UnitAnswer {
    unit_id: String,
    repeat: bool,
    /// Where this command's events stand in the log: send it as `X-Lots-After` to read every view with them in.
    written: Option<String>,
}

async fn execute_unit(
    state: &AppState,
    signed_in: &SignedIn,
    command_id: domain::ids::CommandId,
    unit: UnitId,
    body: UnitCommand,
) -> Result<(StatusCode, Json<UnitAnswer>), Problem> {
    let command = Command { context: signed_in.command_context(command_id, None), body };
    let outcome = state.bus.execute::<Unit>(&unit.to_string(), command, &EventMetadata::default()).await;
    let repeat = command_outcome(outcome, "unit", |error| match error {
        UnitError::NotRegistered => Refusal::NotFound,
        UnitError::AlreadyRegistered => Refusal::Conflict("a unit with this id is registered; use a new id"),
        UnitError::Command(domain::command::CommandRefused::RoleNotPermitted { .. }) => Refusal::Forbidden,
        _ => Refusal::Rule,
    })?;
    let written = crate::actions::written(&state.db, "unit", &unit.to_string(), "directory").await;
    let status = if repeat { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(UnitAnswer { unit_id: unit.to_string(), repeat, written })))
}

/// `POST /api/units`: registers a unit.
pub(crate) async fn register_unit(
    State(state): State<Arc<AppState>>,
    signed_in: SignedIn,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<UnitAnswer>), Problem> {
    let command_id = idempotency_key(&headers)?;
    let request: RegisterUnitRequest = parse_body(raw)?;
    let unit = match &request.unit_id {
        Some(id) => UnitId::parse(id).map_err(|error| Problem::invalid("unit_id", error.to_string()))?,
        None => UnitId::from_ulid(crate::actions::made_id(command_id, 0)),
    };
    let body = UnitCommand::RegisterUnit {
        unit,
        kind: request.kind,
        name: request.name,
        district: request.district,
        services: request.services,
    };
    execute_unit(&state, &signed_in, command_id, unit, body).await
}

/// `POST /api/units/{id}/{step}`: updates or closes a unit.
pub(crate) async fn unit_step(
    State(state): State<Arc<AppState>>,
    signed_in: SignedIn,
    Path((id, step)): Path<(String, String)>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<UnitAnswer>), Problem> {
    let unit = UnitId::parse(&id).map_err(|_| Problem::not_found("unit"))?;
    let command_id = idempotency_key(&headers)?;
    let body = match parse_step::<UnitStepRequest>(raw, &step)? {
        UnitStepRequest::Update { name, district, services } => UnitCommand::UpdateUnit { name, district, services },
        UnitStepRequest::Close { reason } => UnitCommand::CloseUnit { reason },
    };
    execute_unit(&state, &signed_in, command_id, unit, body).await
}

/// `GET /api/users`: every user, without password hashes (administrators).
pub(crate) async fn users(State(state): State<Arc<AppState>>) -> Result<Json<Vec<UserRow>>, Problem> {
    Ok(Json(accounts::users(&state.db).await.map_err(|error| Problem::internal(&error))?))
}

/// The body of `POST /api/users`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddUserRequest {
    username: String,
    /// At least 12 characters, handed to the user by a safe channel.
    password: String,
    role: Role,
    unit_id: String,
}

/// The answer to `POST /api/users`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct UserAnswer {
    user_id: String,
}

/// The problem for a user change the credentials, the store or the domain refused.
fn user_change_problem(error: UserChangeError) -> Problem {
    use crate::event_log::commands::CommandError;
    match error {
        UserChangeError::Account(error @ AccountError::InvalidUsername) => {
            Problem::invalid("username", error.to_string())
        }
        UserChangeError::Account(error @ AccountError::PasswordTooShort) => {
            Problem::invalid("password", error.to_string())
        }
        UserChangeError::Account(AccountError::UsernameTaken(_)) => {
            Problem::conflict("the username is taken; choose another (usernames are never reused)")
        }
        UserChangeError::Command(CommandError::Rejected(UserError::NotAdded | UserError::AlreadyDeactivated)) => {
            Problem::not_found("active user")
        }
        UserChangeError::Command(CommandError::Rejected(UserError::AlreadyAdded)) => {
            Problem::conflict("this command added another user; send a new Idempotency-Key")
        }
        UserChangeError::Command(CommandError::Rejected(rule)) => {
            Problem::rule(domain::command::Rule::rule(&rule), rule.to_string())
        }
        UserChangeError::Command(CommandError::Conflict { .. }) => {
            Problem::conflict("the user kept changing; send the command again with the same Idempotency-Key")
        }
        other => Problem::internal(&other),
    }
}

/// `POST /api/users`: adds a user to an open unit of the directory (administrators); `UserAdded` is recorded
/// in the log, the password's hash beside it. The user's id is the `Idempotency-Key`.
pub(crate) async fn add_user(
    State(state): State<Arc<AppState>>,
    signed_in: SignedIn,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<UserAnswer>), Problem> {
    let command_id = idempotency_key(&headers)?;
    let request: AddUserRequest = parse_body(raw)?;
    let unit = UnitId::parse(&request.unit_id).map_err(|error| Problem::invalid("unit_id", error.to_string()))?;
    open_unit(&state.db, "unit_id", unit).await?;
    let context = signed_in.command_context(command_id, None);
    let metadata = EventMetadata::default();
    let (user, repeat) =
        accounts::create_user(&state.bus, context, &metadata, &request.username, &request.password, request.role, unit)
            .await
            .map_err(user_change_problem)?;
    let status = if repeat { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(UserAnswer { user_id: user.to_string() })))
}

/// The body of `POST /api/users/{id}/{step}`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum UserStepRequest {
    /// Another role, or another unit (an open one of the directory; administrators need none).
    ChangeRole { role: Role, unit_id: String },
    /// The user can no longer sign in and their sessions end at once.
    Deactivate {},
}

/// `POST /api/users/{id}/{step}`: changes a user's role or unit, or deactivates them; recorded in the log
/// (administrators; never their own account, so that one always remains).
pub(crate) async fn user_step(
    State(state): State<Arc<AppState>>,
    signed_in: SignedIn,
    Path((id, step)): Path<(String, String)>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, Problem> {
    let user = UserId::parse(&id).map_err(|_| Problem::not_found("user"))?;
    let context = signed_in.command_context(idempotency_key(&headers)?, None);
    let metadata = EventMetadata::default();
    let changed = match parse_step::<UserStepRequest>(raw, &step)? {
        UserStepRequest::ChangeRole { role, unit_id } => {
            let unit = UnitId::parse(&unit_id).map_err(|error| Problem::invalid("unit_id", error.to_string()))?;
            if role != Role::Administrator {
                open_unit(&state.db, "unit_id", unit).await?;
            }
            accounts::change_role(&state.bus, context, &metadata, user, role, unit).await
        }
        UserStepRequest::Deactivate {} => accounts::deactivate_user(&state.bus, context, &metadata, user).await,
    };
    changed.map_err(user_change_problem)?;
    Ok(StatusCode::NO_CONTENT)
}
