//! Use cases of the unit directory and the users, kept by administrators: looking a unit up as a command needs it
//! (registered and open), registering, updating and closing units, adding users and changing or ending their
//! access. Units and users are events in the log; passwords live beside it, never in it.

use std::collections::BTreeSet;

use domain::command::{Command, CommandContext, CommandRefused, Role, Rule};
use domain::delegation::{DecisionKind, Delegated};
use domain::directory::{Unit, UnitCommand, UnitError};
use domain::ids::{UnitId, UserId};
use domain::units::{District, OfferedService, UnitDirectoryEntry, UnitKind};
use domain::user::UserError;
use projections::db::Db;
use projections::replay::ReplayError;

use super::{made_id, outcome, written, ActionError, Classified, Handles, Refusal};
use crate::accounts::{AccountError, UserChangeError};
use crate::event_log::commands::{CommandBus, CommandError, EventMetadata};

/// Why a unit a command names cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum UnitLookupError {
    /// No unit with this id was ever registered.
    #[error("no such unit in the directory")]
    NotInDirectory,
    /// The unit is closed and takes nothing new.
    #[error("the unit is closed")]
    Closed,
    /// The log could not be read.
    #[error(transparent)]
    Replay(#[from] ReplayError),
}

/// The unit `unit` as the directory has it, if it is registered and open. Read from the log, not the
/// projection: a unit registered a moment ago is found.
pub async fn open_unit(db: &Db, unit: UnitId) -> Result<UnitDirectoryEntry, UnitLookupError> {
    let loaded: Unit = projections::replay::load(db, "unit", &unit.to_string()).await?;
    loaded.open_entry().cloned().map_err(|error| match error {
        UnitError::UnitClosed => UnitLookupError::Closed,
        _ => UnitLookupError::NotInDirectory,
    })
}

/// [`open_unit`] for a unit an input names in `field`: a unit not in the directory is a wrong field, a closed
/// one a rule (`UnitClosed`).
pub async fn open_unit_named(db: &Db, field: &str, unit: UnitId) -> Result<UnitDirectoryEntry, ActionError> {
    open_unit(db, unit).await.map_err(|error| match error {
        UnitLookupError::Closed => {
            Refusal::Rule { rule: "UnitClosed", message: format!("{field}: the unit is closed") }.into()
        }
        UnitLookupError::NotInDirectory => Refusal::invalid(field, "no such unit in the directory").into(),
        UnitLookupError::Replay(error) => error.into(),
    })
}

/// What registering a unit needs.
#[derive(Debug, Clone)]
pub struct RegisterUnit {
    /// The new unit's id; made from the command id when not given.
    pub unit: Option<UnitId>,
    /// What kind of unit (never changes).
    pub kind: UnitKind,
    /// Its name.
    pub name: String,
    /// Its district.
    pub district: District,
    /// What it offers.
    pub services: BTreeSet<OfferedService>,
}

/// A step of a unit.
#[derive(Debug, Clone)]
pub enum UnitStep {
    /// Change the name, district or services.
    Update {
        /// The name.
        name: String,
        /// The district.
        district: District,
        /// What it offers.
        services: BTreeSet<OfferedService>,
    },
    /// Close the unit: it takes nothing new.
    Close {
        /// Why.
        reason: String,
    },
    /// Name the authority the unit belongs to.
    SetAuthority {
        /// The authority's name.
        authority: String,
    },
    /// Record who may take one kind of decision at the unit (its delegation order).
    Delegate {
        /// The decision.
        decision: DecisionKind,
        /// The roles that may take it.
        roles: BTreeSet<Role>,
    },
}

/// Who may take `decision` at `unit`, as its delegation order in the log says now (the default where it says
/// nothing): what a decision's command carries for the domain to check.
pub async fn delegated(db: &Db, unit: UnitId, decision: DecisionKind) -> Result<Delegated, ActionError> {
    let loaded: Unit = projections::replay::load(db, "unit", &unit.to_string()).await?;
    Ok(loaded.delegated(decision))
}

/// The whole delegation order of `unit`: every decision, with the roles that may take it and whether the order
/// names them (else the default holds).
pub async fn delegation_order(db: &Db, unit: UnitId) -> Result<Vec<(Delegated, bool)>, ActionError> {
    let loaded: Unit = projections::replay::load(db, "unit", &unit.to_string()).await?;
    if loaded.entry.is_none() {
        return Err(Refusal::NotFound("unit").into());
    }
    Ok(DecisionKind::ALL
        .into_iter()
        .map(|decision| (loaded.delegated(decision), loaded.delegation.contains_key(&decision)))
        .collect())
}

/// What a unit command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitDone {
    /// The unit.
    pub unit: UnitId,
    /// Whether it repeated an applied command (nothing was written).
    pub repeat: bool,
    /// Where its events stand in the log.
    pub written: Option<String>,
}

async fn give_to_unit(
    handles: Handles<'_>,
    context: CommandContext,
    unit: UnitId,
    body: UnitCommand,
) -> Result<UnitDone, ActionError> {
    let result = handles.bus.execute::<Unit>(&unit.to_string(), Command { context, body }, handles.metadata).await;
    let repeat = outcome(result, "unit", |error| match error {
        UnitError::NotRegistered => Classified::NotFound,
        UnitError::AlreadyRegistered => Classified::Conflict("a unit with this id is registered; use a new id"),
        UnitError::Command(CommandRefused::RoleNotPermitted { .. }) => Classified::Forbidden,
        _ => Classified::Rule,
    })?;
    Ok(UnitDone { unit, repeat, written: written(handles.db(), "unit", &unit.to_string(), "directory").await })
}

/// Registers a unit in the directory.
pub async fn register_unit(
    handles: Handles<'_>,
    context: CommandContext,
    input: RegisterUnit,
) -> Result<UnitDone, ActionError> {
    let unit = input.unit.unwrap_or_else(|| UnitId::from_ulid(made_id(context.command_id, 0)));
    let body = UnitCommand::RegisterUnit {
        unit,
        kind: input.kind,
        name: input.name,
        district: input.district,
        services: input.services,
    };
    give_to_unit(handles, context, unit, body).await
}

/// Updates or closes unit `unit`.
pub async fn unit_step(
    handles: Handles<'_>,
    context: CommandContext,
    unit: UnitId,
    step: UnitStep,
) -> Result<UnitDone, ActionError> {
    let body = match step {
        UnitStep::Update { name, district, services } => UnitCommand::UpdateUnit { name, district, services },
        UnitStep::Close { reason } => UnitCommand::CloseUnit { reason },
        UnitStep::SetAuthority { authority } => UnitCommand::SetAuthority { authority },
        UnitStep::Delegate { decision, roles } => UnitCommand::DelegateDecision { decision, roles },
    };
    give_to_unit(handles, context, unit, body).await
}

/// A user change the credentials, the store or the domain refused, as a refusal (or a failure inside).
fn user_change_refused(error: UserChangeError) -> ActionError {
    match error {
        UserChangeError::Account(error @ AccountError::InvalidUsername) => {
            Refusal::invalid("username", error.to_string()).into()
        }
        UserChangeError::Account(error @ (AccountError::PasswordTooShort | AccountError::PasswordTooCommon)) => {
            Refusal::invalid("password", error.to_string()).into()
        }
        UserChangeError::Account(AccountError::UsernameTaken(_)) => {
            Refusal::Conflict("the username is taken; choose another (usernames are never reused)".to_owned()).into()
        }
        UserChangeError::Command(CommandError::Rejected(UserError::NotAdded | UserError::AlreadyDeactivated)) => {
            Refusal::NotFound("active user").into()
        }
        UserChangeError::Command(CommandError::Rejected(UserError::AlreadyAdded)) => {
            Refusal::Conflict("this command added another user; send a new Idempotency-Key".to_owned()).into()
        }
        UserChangeError::Command(CommandError::Rejected(rule)) => {
            Refusal::Rule { rule: rule.rule(), message: rule.to_string() }.into()
        }
        UserChangeError::Command(CommandError::Conflict { .. }) => {
            Refusal::Conflict("the user kept changing; send the command again with the same Idempotency-Key".to_owned())
                .into()
        }
        other => ActionError::Internal(Box::new(other)),
    }
}

/// The unit a user with `role` is to work in: an open one of the directory, named by `field` — except for an
/// administrator, who keeps the directory and may come before any unit (the first one does).
async fn unit_for(db: &Db, role: Role, field: &str, unit: UnitId) -> Result<(), ActionError> {
    if role != Role::Administrator {
        open_unit_named(db, field, unit).await?;
    }
    Ok(())
}

/// Adds a user: `UserAdded` in the log first, then the password's hash beside it; the user's id is the command's.
/// `unit_field` names the unit as the input does (`unit_id`, `--unit`). Returns the user and whether the command
/// was a repeat.
pub async fn add_user(
    bus: &CommandBus,
    context: CommandContext,
    metadata: &EventMetadata,
    user: NewUser<'_>,
) -> Result<(UserId, bool), ActionError> {
    unit_for(bus.db(), user.role, user.unit_field, user.unit).await?;
    let credentials = crate::accounts::Credentials {
        username: user.username,
        password: user.password,
        role: user.role,
        unit: user.unit,
        must_change_password: user.must_change_password,
    };
    crate::accounts::create_user(bus, context, metadata, credentials).await.map_err(user_change_refused)
}

/// A user to add. Its `Debug` never shows the password.
#[derive(Clone, Copy)]
pub struct NewUser<'a> {
    /// Their username (never reused).
    pub username: &'a str,
    /// Their first password.
    pub password: &'a str,
    /// Their role.
    pub role: Role,
    /// Their unit.
    pub unit: UnitId,
    /// How the input names the unit, for a refusal.
    pub unit_field: &'a str,
    /// Whether the password is someone else's choice (an administrator's): it then opens nothing until the user
    /// has set their own.
    pub must_change_password: bool,
}

impl std::fmt::Debug for NewUser<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("NewUser")
            .field("username", &self.username)
            .field("password", &"…")
            .field("role", &self.role)
            .field("unit", &self.unit)
            .field("must_change_password", &self.must_change_password)
            .finish_non_exhaustive()
    }
}

/// A step of a user account.
#[derive(Debug, Clone, Copy)]
pub enum UserStep {
    /// Another role, or another unit.
    ChangeRole {
        /// The role.
        role: Role,
        /// The unit.
        unit: UnitId,
    },
    /// The user can no longer sign in, and their sessions end at once.
    Deactivate,
}

/// Changes a user's role or unit, or deactivates them; recorded in the log.
pub async fn user_step(
    handles: Handles<'_>,
    context: CommandContext,
    user: UserId,
    step: UserStep,
) -> Result<(), ActionError> {
    let metadata = handles.metadata.clone();
    let changed = match step {
        UserStep::ChangeRole { role, unit } => {
            unit_for(handles.db(), role, "unit_id", unit).await?;
            crate::accounts::change_role(handles.bus, context, &metadata, user, role, unit).await
        }
        UserStep::Deactivate => crate::accounts::deactivate_user(handles.bus, context, &metadata, user).await,
    };
    changed.map_err(user_change_refused)
}
