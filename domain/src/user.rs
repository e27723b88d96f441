//! The UserAccount aggregate: who was given access to Lots, in which role and unit, by whom and when, and when
//! it was taken away. Administrators keep it; passwords never enter the log (the service keeps their hashes
//! beside it).

use serde::{Deserialize, Serialize};
use time::Date;

use crate::command::{AppliedCommands, CommandContext, CommandRefused, Role};
use crate::event::Stamped;
use crate::event_kinds;
use crate::ids::{UnitId, UserId};

/// The longest username accepted.
pub const MAX_USERNAME_CHARS: usize = 64;

/// Whether `username` is 1 to 64 ASCII letters, digits, '.', '-' or '_'.
pub fn valid_username(username: &str) -> bool {
    (1..=MAX_USERNAME_CHARS).contains(&username.len())
        && username.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// What may be done to a user account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserCommand {
    /// Give someone access.
    AddUser {
        /// Their id; must be the aggregate id.
        user: UserId,
        /// The name they sign in with.
        username: String,
        /// Their role.
        role: Role,
        /// The unit they work in.
        unit: UnitId,
    },
    /// Give them another role, or move them to another unit.
    ChangeRole {
        /// The new role.
        role: Role,
        /// The unit they work in from now on.
        unit: UnitId,
    },
    /// Take their access away; their sessions end.
    DeactivateUser,
}

/// What happened to a user account. Type names are stable; see ARCHITECTURE.md.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserEvent {
    /// Someone was given access.
    UserAdded {
        /// Their id.
        user: UserId,
        /// The name they sign in with.
        username: String,
        /// Their role.
        role: Role,
        /// Their unit.
        unit: UnitId,
    },
    /// Their role or unit changed.
    UserRoleChanged {
        /// The new role.
        role: Role,
        /// Their unit from now on.
        unit: UnitId,
    },
    /// Their access was taken away (on the event's date).
    UserDeactivated {},
}

event_kinds!(UserEvent { UserAdded, UserRoleChanged, UserDeactivated });

/// Why a user command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::IntoStaticStr)]
pub enum UserError {
    /// A refusal every aggregate makes.
    #[error(transparent)]
    Command(#[from] CommandRefused),
    /// The account exists.
    #[error("the user is already added")]
    AlreadyAdded,
    /// No such account.
    #[error("no such user")]
    NotAdded,
    /// Deactivated before.
    #[error("the user is already deactivated")]
    AlreadyDeactivated,
    /// An administrator cannot take their own access away (so that one always remains).
    #[error("administrators cannot deactivate themselves")]
    CannotDeactivateSelf,
    /// An administrator cannot change their own role or unit (another administrator does).
    #[error("administrators cannot change their own role")]
    CannotChangeOwnRole,
    /// The change changes nothing.
    #[error("the user already has this role in this unit")]
    NothingChanged,
    /// The username has characters other than letters, digits, '.', '-' and '_', or is empty or too long.
    #[error("a username is 1 to {MAX_USERNAME_CHARS} letters, digits, '.', '-' or '_'")]
    InvalidUsername,
}

crate::rule_of_aggregate_error!(UserError);

/// A user account as its events make it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserAccount {
    /// The user, once added.
    pub user: Option<UserId>,
    /// Their role.
    pub role: Option<Role>,
    /// Their unit.
    pub unit: Option<UnitId>,
    /// The date their access was taken away.
    pub deactivated_on: Option<Date>,
    /// Commands already applied, for idempotency.
    pub applied: AppliedCommands,
}

impl UserAccount {
    /// Decides which events `body` leads to, or why it is refused. Only administrators keep the accounts.
    pub fn decide(&self, context: &CommandContext, body: UserCommand) -> Result<Vec<UserEvent>, UserError> {
        context.check(&self.applied)?;
        context.require_role(Role::Administrator)?;
        match body {
            UserCommand::AddUser { user, username, role, unit } => {
                if self.user.is_some() {
                    return Err(UserError::AlreadyAdded);
                }
                if !valid_username(&username) {
                    return Err(UserError::InvalidUsername);
                }
                Ok(vec![UserEvent::UserAdded { user, username, role, unit }])
            }
            UserCommand::ChangeRole { role, unit } => {
                let user = self.user.ok_or(UserError::NotAdded)?;
                if self.deactivated_on.is_some() {
                    return Err(UserError::AlreadyDeactivated);
                }
                if user == context.actor.user {
                    return Err(UserError::CannotChangeOwnRole);
                }
                if self.role == Some(role) && self.unit == Some(unit) {
                    return Err(UserError::NothingChanged);
                }
                Ok(vec![UserEvent::UserRoleChanged { role, unit }])
            }
            UserCommand::DeactivateUser => {
                let user = self.user.ok_or(UserError::NotAdded)?;
                if self.deactivated_on.is_some() {
                    return Err(UserError::AlreadyDeactivated);
                }
                if user == context.actor.user {
                    return Err(UserError::CannotDeactivateSelf);
                }
                Ok(vec![UserEvent::UserDeactivated {}])
            }
        }
    }
}

crate::decided_aggregate!(UserAccount, "user", UserCommand, UserEvent, UserError);

impl UserAccount {
    /// Applies one event of the log to the state.
    pub(crate) fn apply_event(&mut self, stamped: Stamped<UserEvent>) {
        self.applied.record(stamped.command_id);
        match stamped.event {
            UserEvent::UserAdded { user, role, unit, .. } => {
                self.user = Some(user);
                self.role = Some(role);
                self.unit = Some(unit);
            }
            UserEvent::UserRoleChanged { role, unit } => {
                self.role = Some(role);
                self.unit = Some(unit);
            }
            UserEvent::UserDeactivated {} => self.deactivated_on = Some(stamped.occurred_on),
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;
    use ulid::Ulid;

    use super::*;
    use crate::command::Actor;
    use crate::ids::CommandId;
    use cqrs_es::Aggregate as _;

    fn context(role: Role, user: UserId) -> CommandContext {
        CommandContext {
            command_id: CommandId::from_ulid(Ulid::new()),
            actor: Actor { user, role, unit: UnitId::from_ulid(Ulid::new()) },
            today: date!(2026 - 11 - 26),
            occurred_on: date!(2026 - 11 - 26),
        }
    }

    fn add(user: UserId, username: &str) -> UserCommand {
        UserCommand::AddUser {
            user,
            username: username.to_owned(),
            role: Role::SocialWorker,
            unit: UnitId::from_ulid(Ulid::new()),
        }
    }

    fn after(events: Vec<UserEvent>, admin: UserId) -> UserAccount {
        let mut account = UserAccount::default();
        for event in events {
            account.apply(Stamped::new(&context(Role::Administrator, admin), event));
        }
        account
    }

    #[test]
    fn an_administrator_adds_and_deactivates_a_user_once() {
        let (admin, sara) = (UserId::from_ulid(Ulid::new()), UserId::from_ulid(Ulid::new()));
        let added = UserAccount::default().decide(&context(Role::Administrator, admin), add(sara, "sara.s")).unwrap();
        let account = after(added, admin);
        assert_eq!(account.user, Some(sara));
        assert_eq!(
            account.decide(&context(Role::Administrator, admin), add(sara, "sara.s")),
            Err(UserError::AlreadyAdded)
        );
        let deactivated = account.decide(&context(Role::Administrator, admin), UserCommand::DeactivateUser).unwrap();
        assert_eq!(deactivated, vec![UserEvent::UserDeactivated {}]);
        let mut gone = account.clone();
        gone.apply(Stamped::new(&context(Role::Administrator, admin), UserEvent::UserDeactivated {}));
        assert_eq!(
            gone.decide(&context(Role::Administrator, admin), UserCommand::DeactivateUser),
            Err(UserError::AlreadyDeactivated)
        );
    }

    #[test]
    fn only_administrators_keep_accounts_and_never_end_their_own() {
        let (admin, sara) = (UserId::from_ulid(Ulid::new()), UserId::from_ulid(Ulid::new()));
        for role in [Role::SocialWorker, Role::UnitManager, Role::Auditor] {
            assert_eq!(
                UserAccount::default().decide(&context(role, admin), add(sara, "sara")),
                Err(UserError::Command(CommandRefused::RoleNotPermitted { role }))
            );
        }
        let own = after(
            UserAccount::default().decide(&context(Role::Administrator, admin), add(admin, "adam")).unwrap(),
            admin,
        );
        assert_eq!(
            own.decide(&context(Role::Administrator, admin), UserCommand::DeactivateUser),
            Err(UserError::CannotDeactivateSelf)
        );
        assert_eq!(
            UserAccount::default().decide(&context(Role::Administrator, admin), UserCommand::DeactivateUser),
            Err(UserError::NotAdded)
        );
    }

    #[test]
    fn another_administrator_changes_a_role_once_and_never_their_own() {
        let (admin, sara) = (UserId::from_ulid(Ulid::new()), UserId::from_ulid(Ulid::new()));
        let account = after(
            UserAccount::default().decide(&context(Role::Administrator, admin), add(sara, "sara")).unwrap(),
            admin,
        );
        let unit = account.unit.unwrap();
        let promote = UserCommand::ChangeRole { role: Role::UnitManager, unit };
        let changed = account.decide(&context(Role::Administrator, admin), promote.clone()).unwrap();
        assert_eq!(changed, vec![UserEvent::UserRoleChanged { role: Role::UnitManager, unit }]);
        let mut promoted = account.clone();
        promoted.apply(Stamped::new(&context(Role::Administrator, admin), changed[0].clone()));
        assert_eq!(promoted.decide(&context(Role::Administrator, admin), promote), Err(UserError::NothingChanged));
        let own = UserCommand::ChangeRole { role: Role::SocialWorker, unit };
        assert_eq!(promoted.decide(&context(Role::Administrator, sara), own), Err(UserError::CannotChangeOwnRole));
    }

    #[test]
    fn a_username_is_short_plain_ascii() {
        let admin = UserId::from_ulid(Ulid::new());
        for bad in ["", "sara s", "sära", &"x".repeat(MAX_USERNAME_CHARS + 1)] {
            let refused = UserAccount::default()
                .decide(&context(Role::Administrator, admin), add(UserId::from_ulid(Ulid::new()), bad));
            assert_eq!(refused, Err(UserError::InvalidUsername), "{bad:?}");
        }
        assert!(valid_username("sara.s-2_b"));
    }
}
