//! The unit directory and the users, kept by administrators: `GET /api/units` (everyone signed in),
//! `POST /api/units` and `POST /api/units/{id}/{step}` (update, close), `GET /api/users`, `POST /api/users` and
//! `POST /api/users/{id}/deactivate`. Units are events in the log (auditors see who changed the directory and
//! when); users live in the accounts tables, whose passwords are no business of the log.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use domain::command::Role;
use domain::delegation::DecisionKind;
use domain::ids::{UnitId, UserId};
use domain::units::{District, OfferedService, UnitKind};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::accounts::{self, UserRow};
use crate::actions::directory::{self, NewUser, RegisterUnit, UnitDone, UnitStep, UserStep};
use crate::api::commands::{Commander, StepPath};
use crate::api::problem::{parse_body, parse_step, Problem};
use crate::api::session::SignedIn;
use crate::state::AppState;

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
    let rows = projections::directory::units(&state.db, query.include_closed).await?;
    Ok(Json(rows))
}

/// The body of `POST /api/units`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterUnitRequest {
    unit_id: Option<UnitId>,
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
    /// Name the authority the unit belongs to: units of one authority read each other's cases by a stated reason.
    SetAuthority { authority: String },
    /// Record the unit's delegation order for one kind of decision: the casework roles that may take it (social
    /// services units only). It replaces what the order said of that decision before.
    Delegate { decision: DecisionKind, roles: BTreeSet<Role> },
}

/// One decision of a unit's delegation order.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DelegationRow {
    /// The decision.
    decision: DecisionKind,
    /// The roles that may take it.
    roles: BTreeSet<Role>,
    /// Whether the order says nothing of it, so that the default (unit managers) holds.
    by_default: bool,
}

/// `GET /api/units/{id}/delegation`: the unit's delegation order, every decision with who may take it (read from
/// the log; organisational, not secret).
pub(crate) async fn delegation(
    State(state): State<Arc<AppState>>,
    _signed_in: SignedIn,
    path: Result<axum::extract::Path<UnitId>, axum::extract::rejection::PathRejection>,
) -> Result<Json<Vec<DelegationRow>>, Problem> {
    // An id that is not a unit's names no unit: the same answer as one that is not there.
    let axum::extract::Path(unit) = path.map_err(|_| Problem::not_found("unit"))?;
    let order = directory::delegation_order(&state.db, unit).await?;
    Ok(Json(
        order
            .into_iter()
            .map(|(delegated, named)| DelegationRow {
                by_default: !named,
                decision: delegated.decision,
                roles: delegated.roles,
            })
            .collect(),
    ))
}

/// The answer to a unit command.
#[derive(Debug, Serialize, JsonSchema)]
pub struct UnitAnswer {
    unit_id: String,
    repeat: bool,
    /// Where this command's events stand in the log: send it as `X-Lots-After` to read every view with them in.
    written: Option<String>,
}

fn unit_answered(done: UnitDone) -> (StatusCode, Json<UnitAnswer>) {
    crate::api::commands::answered(
        done.repeat,
        UnitAnswer { unit_id: done.unit.to_string(), repeat: done.repeat, written: done.written },
    )
}

/// `POST /api/units`: registers a unit.
pub(crate) async fn register_unit(
    State(state): State<Arc<AppState>>,
    commander: Commander,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<UnitAnswer>), Problem> {
    let request: RegisterUnitRequest = parse_body(raw)?;
    let input = RegisterUnit {
        unit: request.unit_id,
        kind: request.kind,
        name: request.name,
        district: request.district,
        services: request.services,
    };
    let context = commander.context(None);
    Ok(unit_answered(directory::register_unit(commander.handles(&state), context, input).await?))
}

/// `POST /api/units/{id}/{step}`: updates or closes a unit.
pub(crate) async fn unit_step(
    State(state): State<Arc<AppState>>,
    commander: Commander,
    path: StepPath<UnitId>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<UnitAnswer>), Problem> {
    let StepPath { id: unit, step } = path;
    let unit_step = match parse_step::<UnitStepRequest>(raw, &step)? {
        UnitStepRequest::Update { name, district, services } => UnitStep::Update { name, district, services },
        UnitStepRequest::Close { reason } => UnitStep::Close { reason },
        UnitStepRequest::SetAuthority { authority } => UnitStep::SetAuthority { authority },
        UnitStepRequest::Delegate { decision, roles } => UnitStep::Delegate { decision, roles },
    };
    let context = commander.context(None);
    Ok(unit_answered(directory::unit_step(commander.handles(&state), context, unit, unit_step).await?))
}

/// `GET /api/users`: every user, without password hashes (administrators).
pub(crate) async fn users(State(state): State<Arc<AppState>>) -> Result<Json<Vec<UserRow>>, Problem> {
    Ok(Json(accounts::users(&state.db).await?))
}

/// The body of `POST /api/users`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddUserRequest {
    username: String,
    /// At least 12 characters, handed to the user by a safe channel.
    password: String,
    role: Role,
    unit_id: UnitId,
}

crate::api::problem::secret_fields!(AddUserRequest { username, role, unit_id } secret { password });

/// The answer to `POST /api/users`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct UserAnswer {
    user_id: String,
}

/// `POST /api/users`: adds a user to an open unit of the directory (administrators); `UserAdded` is recorded
/// in the log, the password's hash beside it. The user's id is the `Idempotency-Key`.
pub(crate) async fn add_user(
    State(state): State<Arc<AppState>>,
    commander: Commander,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<UserAnswer>), Problem> {
    let request: AddUserRequest = parse_body(raw)?;
    let context = commander.context(None);
    let user = NewUser {
        username: &request.username,
        password: &request.password,
        role: request.role,
        unit: request.unit_id,
        unit_field: "unit_id",
        // The administrator chose the password: it opens nothing until the user has set their own.
        must_change_password: true,
    };
    let (user, repeat) = directory::add_user(&state.bus, context, &commander.metadata, user).await?;
    Ok(crate::api::commands::answered(repeat, UserAnswer { user_id: user.to_string() }))
}

/// The body of `POST /api/users/{id}/{step}`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum UserStepRequest {
    /// Another role, or another unit (an open one of the directory; administrators need none).
    ChangeRole { role: Role, unit_id: UnitId },
    /// The user can no longer sign in and their sessions end at once.
    Deactivate {},
}

/// `POST /api/users/{id}/{step}`: changes a user's role or unit, or deactivates them; recorded in the log
/// (administrators; never their own account, so that one always remains).
pub(crate) async fn user_step(
    State(state): State<Arc<AppState>>,
    commander: Commander,
    path: StepPath<UserId>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, Problem> {
    let StepPath { id: user, step } = path;
    let context = commander.context(None);
    let user_step = match parse_step::<UserStepRequest>(raw, &step)? {
        UserStepRequest::ChangeRole { role, unit_id } => UserStep::ChangeRole { role, unit: unit_id },
        UserStepRequest::Deactivate {} => UserStep::Deactivate,
    };
    directory::user_step(commander.handles(&state), context, user, user_step).await?;
    Ok(StatusCode::NO_CONTENT)
}
