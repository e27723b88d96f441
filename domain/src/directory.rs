//! The Unit aggregate: one entry of the unit directory, registered, updated and closed by administrators. Its
//! kind never changes (a unit that becomes another kind is a new unit); a closed unit receives nothing new.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use time::Date;

use crate::command::{AppliedCommands, CommandContext, CommandRefused, Role};
use crate::delegation::{DecisionKind, Delegated};
use crate::event::Stamped;
use crate::event_kinds;
use crate::ids::UnitId;
use crate::units::{District, OfferedService, UnitDirectoryEntry, UnitKind};

/// The longest unit name accepted, in characters.
pub const MAX_UNIT_NAME_CHARS: usize = 120;

/// What may be done to a unit of the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitCommand {
    /// Add a unit to the directory.
    RegisterUnit {
        /// Its id; must be the aggregate id.
        unit: UnitId,
        /// Its kind.
        kind: UnitKind,
        /// Its name as shown to users.
        name: String,
        /// The district it belongs to or serves.
        district: District,
        /// What it offers.
        services: BTreeSet<OfferedService>,
    },
    /// Change its name, district or services.
    UpdateUnit {
        /// The new name.
        name: String,
        /// The new district.
        district: District,
        /// What it offers now.
        services: BTreeSet<OfferedService>,
    },
    /// Close it: it receives no new referrals, cases or users.
    CloseUnit {
        /// Why (organisational, in clear).
        reason: String,
    },
    /// Name the authority it belongs to (e.g. "Rinkeby-Kista stadsdelsnämnd"): units of one authority read each
    /// other's cases by a stated reason; between authorities secrecy holds whatever the reason.
    SetAuthority {
        /// The authority's name.
        authority: String,
    },
    /// Record who may take one kind of decision at this unit (its delegation order): social services only.
    DelegateDecision {
        /// The decision.
        decision: DecisionKind,
        /// The roles that may take it: casework roles, at least one.
        roles: BTreeSet<Role>,
    },
}

/// What happened to a unit. Type names are stable; see ARCHITECTURE.md.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnitEvent {
    /// A unit was added to the directory.
    UnitRegistered {
        /// Its id.
        unit: UnitId,
        /// Its kind.
        kind: UnitKind,
        /// Its name.
        name: String,
        /// Its district.
        district: District,
        /// What it offers.
        services: BTreeSet<OfferedService>,
    },
    /// Its name, district or services changed.
    UnitUpdated {
        /// The new name.
        name: String,
        /// The new district.
        district: District,
        /// What it offers now.
        services: BTreeSet<OfferedService>,
    },
    /// It was closed (on the event's date).
    UnitClosed {
        /// Why.
        reason: String,
    },
    /// The authority it belongs to was named.
    UnitAuthoritySet {
        /// The authority's name.
        authority: String,
    },
    /// The unit's delegation order for one kind of decision was recorded (it replaces the earlier one).
    DecisionDelegated {
        /// The decision.
        decision: DecisionKind,
        /// The roles that may take it.
        roles: BTreeSet<Role>,
    },
}

event_kinds!(UnitEvent { UnitRegistered, UnitUpdated, UnitClosed, UnitAuthoritySet, DecisionDelegated });

/// Why a unit command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::IntoStaticStr)]
pub enum UnitError {
    /// A refusal every aggregate makes.
    #[error(transparent)]
    Command(#[from] CommandRefused),
    /// A unit with this id is registered already.
    #[error("the unit is already registered")]
    AlreadyRegistered,
    /// No such unit.
    #[error("no such unit")]
    NotRegistered,
    /// The unit is closed.
    #[error("the unit is closed")]
    UnitClosed,
    /// The name is blank.
    #[error("the unit's name is empty")]
    NameEmpty,
    /// The name is too long.
    #[error("the unit's name is longer than {MAX_UNIT_NAME_CHARS} characters")]
    NameTooLong,
    /// A closing without a reason.
    #[error("say why the unit is closed")]
    ReasonEmpty,
    /// The authority's name is blank or too long.
    #[error("the authority's name must be 1 to {MAX_UNIT_NAME_CHARS} characters")]
    AuthorityName,
    /// Decisions under the Social Services Act and LVU are delegated only within social services.
    #[error("only a unit of social services has a delegation order")]
    DelegationOutsideSocialServices,
    /// A decision delegated to no one, or to a role that does no casework.
    #[error("a decision is delegated to one or more casework roles (social_worker, unit_manager)")]
    DelegationToRoleWithoutCasework,
}

crate::rule_of_aggregate_error!(UnitError);

/// A unit as its events make it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    /// Set when registered.
    pub entry: Option<UnitDirectoryEntry>,
    /// The date it was closed, if it was.
    pub closed_on: Option<Date>,
    /// The authority it belongs to, when an administrator named it.
    pub authority: Option<String>,
    /// Its delegation order: who may take which decision, where it says anything.
    #[serde(default)]
    pub delegation: BTreeMap<DecisionKind, BTreeSet<Role>>,
    /// Commands already applied, for idempotency.
    pub applied: AppliedCommands,
}

fn checked_name(name: String) -> Result<String, UnitError> {
    let name = name.trim();
    if name.is_empty() {
        Err(UnitError::NameEmpty)
    } else if name.chars().count() > MAX_UNIT_NAME_CHARS {
        Err(UnitError::NameTooLong)
    } else {
        Ok(name.to_owned())
    }
}

impl Unit {
    /// Who may take `decision` at this unit: its delegation order, or the default where it says nothing.
    pub fn delegated(&self, decision: DecisionKind) -> Delegated {
        match self.delegation.get(&decision) {
            Some(roles) => Delegated { decision, roles: roles.clone() },
            None => Delegated::by_default(decision),
        }
    }

    /// The unit's entry if it is registered and open: what may receive referrals, cases and users.
    pub fn open_entry(&self) -> Result<&UnitDirectoryEntry, UnitError> {
        let entry = self.entry.as_ref().ok_or(UnitError::NotRegistered)?;
        if self.closed_on.is_some() {
            return Err(UnitError::UnitClosed);
        }
        Ok(entry)
    }

    /// Decides which events `body` leads to, or why it is refused. Only administrators keep the directory.
    pub fn decide(&self, context: &CommandContext, body: UnitCommand) -> Result<Vec<UnitEvent>, UnitError> {
        context.check(&self.applied)?;
        context.require_role(Role::Administrator)?;
        match body {
            UnitCommand::RegisterUnit { unit, kind, name, district, services } => {
                if self.entry.is_some() {
                    return Err(UnitError::AlreadyRegistered);
                }
                Ok(vec![UnitEvent::UnitRegistered { unit, kind, name: checked_name(name)?, district, services }])
            }
            UnitCommand::UpdateUnit { name, district, services } => {
                self.open_entry()?;
                Ok(vec![UnitEvent::UnitUpdated { name: checked_name(name)?, district, services }])
            }
            UnitCommand::CloseUnit { reason } => {
                self.open_entry()?;
                let reason = reason.trim();
                if reason.is_empty() {
                    return Err(UnitError::ReasonEmpty);
                }
                Ok(vec![UnitEvent::UnitClosed { reason: reason.to_owned() }])
            }
            UnitCommand::SetAuthority { authority } => {
                self.open_entry()?;
                let authority = checked_name(authority).map_err(|_| UnitError::AuthorityName)?;
                Ok(vec![UnitEvent::UnitAuthoritySet { authority }])
            }
            UnitCommand::DelegateDecision { decision, roles } => {
                if self.open_entry()?.kind != UnitKind::SocialServices {
                    return Err(UnitError::DelegationOutsideSocialServices);
                }
                if roles.is_empty() || roles.iter().any(|role| !role.does_casework()) {
                    return Err(UnitError::DelegationToRoleWithoutCasework);
                }
                Ok(vec![UnitEvent::DecisionDelegated { decision, roles }])
            }
        }
    }
}

crate::decided_aggregate!(Unit, "unit", UnitCommand, UnitEvent, UnitError);

impl Unit {
    /// Applies one event of the log to the state.
    pub(crate) fn apply_event(&mut self, stamped: Stamped<UnitEvent>) {
        self.applied.record(stamped.command_id);
        match stamped.event {
            UnitEvent::UnitRegistered { unit, kind, name, district, services } => {
                self.entry = Some(UnitDirectoryEntry { id: unit, kind, name, district, services });
            }
            UnitEvent::UnitUpdated { name, district, services } => {
                if let Some(entry) = self.entry.as_mut() {
                    entry.name = name;
                    entry.district = district;
                    entry.services = services;
                }
            }
            UnitEvent::UnitClosed { .. } => self.closed_on = Some(stamped.occurred_on),
            UnitEvent::UnitAuthoritySet { authority } => self.authority = Some(authority),
            UnitEvent::DecisionDelegated { decision, roles } => {
                self.delegation.insert(decision, roles);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;
    use ulid::Ulid;

    use super::*;
    use crate::command::Actor;
    use crate::ids::{CommandId, UserId};
    use cqrs_es::Aggregate as _;

    fn context(role: Role) -> CommandContext {
        CommandContext {
            command_id: CommandId::from_ulid(Ulid::new()),
            actor: Actor { user: UserId::from_ulid(Ulid::new()), role, unit: UnitId::from_ulid(Ulid::new()) },
            today: date!(2026 - 11 - 26),
            occurred_on: date!(2026 - 11 - 26),
        }
    }

    fn register(unit: UnitId, name: &str) -> UnitCommand {
        UnitCommand::RegisterUnit {
            unit,
            kind: UnitKind::FramtidStockholm,
            name: name.to_owned(),
            district: District::parse("Hela staden").unwrap(),
            services: [OfferedService::YouthCounselling].into(),
        }
    }

    fn given(events: Vec<UnitEvent>) -> Unit {
        let mut unit = Unit::default();
        for event in events {
            unit.apply(Stamped::new(&context(Role::Administrator), event));
        }
        unit
    }

    #[test]
    fn an_administrator_registers_a_unit_with_a_trimmed_name() {
        let unit = UnitId::from_ulid(Ulid::new());
        let events =
            Unit::default().decide(&context(Role::Administrator), register(unit, "  Framtid Stockholm ")).unwrap();
        assert!(matches!(&events[..], [UnitEvent::UnitRegistered { name, .. }] if name == "Framtid Stockholm"));
        let registered = given(events);
        assert_eq!(registered.open_entry().unwrap().kind, UnitKind::FramtidStockholm);
    }

    #[test]
    fn only_administrators_keep_the_directory() {
        let unit = UnitId::from_ulid(Ulid::new());
        for role in [Role::SocialWorker, Role::UnitManager, Role::Auditor] {
            assert_eq!(
                Unit::default().decide(&context(role), register(unit, "Framtid")),
                Err(UnitError::Command(CommandRefused::RoleNotPermitted { role }))
            );
        }
    }

    #[test]
    fn names_must_not_be_blank_or_too_long() {
        let unit = UnitId::from_ulid(Ulid::new());
        let admin = context(Role::Administrator);
        assert_eq!(Unit::default().decide(&admin, register(unit, "  ")), Err(UnitError::NameEmpty));
        let long = "x".repeat(MAX_UNIT_NAME_CHARS + 1);
        assert_eq!(Unit::default().decide(&admin, register(unit, &long)), Err(UnitError::NameTooLong));
    }

    #[test]
    fn a_unit_is_registered_once_and_a_closed_unit_is_neither_updated_nor_closed_again() {
        let unit = UnitId::from_ulid(Ulid::new());
        let admin = context(Role::Administrator);
        let registered = given(Unit::default().decide(&admin, register(unit, "Framtid")).unwrap());
        assert_eq!(registered.decide(&admin, register(unit, "Framtid")), Err(UnitError::AlreadyRegistered));
        let close = UnitCommand::CloseUnit { reason: "sammanslagen med Framtid City".to_owned() };
        let mut closed = registered.clone();
        for event in registered.decide(&admin, close.clone()).unwrap() {
            closed.apply(Stamped::new(&context(Role::Administrator), event));
        }
        assert_eq!(closed.open_entry(), Err(UnitError::UnitClosed));
        assert_eq!(closed.decide(&admin, close), Err(UnitError::UnitClosed));
        let update = UnitCommand::UpdateUnit {
            name: "Framtid".to_owned(),
            district: District::parse("Hela staden").unwrap(),
            services: BTreeSet::new(),
        };
        assert_eq!(closed.decide(&admin, update), Err(UnitError::UnitClosed));
        assert_eq!(Unit::default().open_entry(), Err(UnitError::NotRegistered));
    }

    #[test]
    fn a_closing_needs_a_reason() {
        let unit = UnitId::from_ulid(Ulid::new());
        let admin = context(Role::Administrator);
        let registered = given(Unit::default().decide(&admin, register(unit, "Framtid")).unwrap());
        let close = UnitCommand::CloseUnit { reason: " ".to_owned() };
        assert_eq!(registered.decide(&admin, close), Err(UnitError::ReasonEmpty));
    }

    #[test]
    fn an_administrator_names_a_units_authority_and_a_blank_name_is_refused() {
        let unit = UnitId::from_ulid(Ulid::new());
        let context = |role| CommandContext {
            command_id: CommandId::from_ulid(Ulid::new()),
            actor: Actor { user: UserId::from_ulid(Ulid::new()), role, unit },
            today: date!(2026 - 11 - 25),
            occurred_on: date!(2026 - 11 - 25),
        };
        let register = UnitCommand::RegisterUnit {
            unit,
            kind: crate::units::UnitKind::SocialServices,
            name: "Demo socialtjänst".to_owned(),
            district: District::parse("Farsta").expect("a district"),
            services: BTreeSet::new(),
        };
        let mut state = Unit::default();
        for event in state.decide(&context(Role::Administrator), register).expect("registered") {
            state.apply_event(Stamped::new(&context(Role::Administrator), event));
        }
        let name = |authority: &str| UnitCommand::SetAuthority { authority: authority.to_owned() };
        assert_eq!(state.decide(&context(Role::Administrator), name("  ")), Err(UnitError::AuthorityName));
        assert!(matches!(
            state.decide(&context(Role::SocialWorker), name("Farsta stadsdelsnämnd")),
            Err(UnitError::Command(_))
        ));
        let events = state.decide(&context(Role::Administrator), name(" Farsta stadsdelsnämnd ")).expect("named");
        assert_eq!(events, vec![UnitEvent::UnitAuthoritySet { authority: "Farsta stadsdelsnämnd".to_owned() }]);
        for event in events {
            state.apply_event(Stamped::new(&context(Role::Administrator), event));
        }
        assert_eq!(state.authority.as_deref(), Some("Farsta stadsdelsnämnd"));
    }

    #[test]
    fn an_administrator_delegates_a_decision_of_social_services_to_casework_roles() {
        let unit = UnitId::from_ulid(Ulid::new());
        let admin = context(Role::Administrator);
        let register = |kind| UnitCommand::RegisterUnit {
            unit,
            kind,
            name: "Demo".to_owned(),
            district: District::parse("Farsta").unwrap(),
            services: BTreeSet::new(),
        };
        let delegate = |roles: &[Role]| UnitCommand::DelegateDecision {
            decision: DecisionKind::Intervention,
            roles: roles.iter().copied().collect(),
        };
        let school = given(Unit::default().decide(&admin, register(UnitKind::SchoolSocialTeam)).unwrap());
        assert_eq!(
            school.decide(&admin, delegate(&[Role::SocialWorker])),
            Err(UnitError::DelegationOutsideSocialServices)
        );
        let social = given(Unit::default().decide(&admin, register(UnitKind::SocialServices)).unwrap());
        assert_eq!(social.delegated(DecisionKind::Intervention), Delegated::by_default(DecisionKind::Intervention));
        for roles in [&[][..], &[Role::Auditor], &[Role::SocialWorker, Role::Administrator]] {
            assert_eq!(social.decide(&admin, delegate(roles)), Err(UnitError::DelegationToRoleWithoutCasework));
        }
        assert!(matches!(
            social.decide(&context(Role::UnitManager), delegate(&[Role::SocialWorker])),
            Err(UnitError::Command(CommandRefused::RoleNotPermitted { .. }))
        ));
        let mut delegated = social.clone();
        for event in social.decide(&admin, delegate(&[Role::SocialWorker, Role::UnitManager])).unwrap() {
            delegated.apply(Stamped::new(&admin, event));
        }
        let order = delegated.delegated(DecisionKind::Intervention);
        assert!(order.allows(DecisionKind::Intervention, Role::SocialWorker));
        assert_eq!(delegated.delegated(DecisionKind::ImmediateCareOrder).roles, [Role::UnitManager].into());
    }
}
