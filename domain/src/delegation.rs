//! Who may decide what: the delegation order (delegationsordning) of a social services unit, kept by
//! administrators in the directory (`UnitEvent::DecisionDelegated`), and checked by the case against the actor a
//! decision carries. A unit whose order says nothing of a decision keeps the default: the unit manager.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::command::Role;

/// The decisions a delegation order assigns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// Extending an investigation beyond four months.
    InvestigationExtension,
    /// Deciding an intervention: after an investigation, as an interim decision during one, or without an
    /// individual needs assessment.
    Intervention,
    /// An immediate care order under LVU 6 § (in law the board's chair or a member it appoints; here the roles the
    /// unit's order names for it).
    ImmediateCareOrder,
    /// Refusing, wholly or in part, what an applicant asked for.
    ApplicationRefusal,
    /// Taking protection away from a child's record: clearing protected identity, releasing a legal hold (after
    /// which retention may clear a file). Adding protection is never delegated away: whoever holds the case does it.
    ProtectionRemoval,
}

impl DecisionKind {
    /// Every decision a delegation order assigns.
    pub const ALL: [DecisionKind; 5] = [
        DecisionKind::InvestigationExtension,
        DecisionKind::Intervention,
        DecisionKind::ImmediateCareOrder,
        DecisionKind::ApplicationRefusal,
        DecisionKind::ProtectionRemoval,
    ];

    /// The decision's stable name, as in JSON and in the delegation order's paths.
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionKind::InvestigationExtension => "investigation_extension",
            DecisionKind::Intervention => "intervention",
            DecisionKind::ImmediateCareOrder => "immediate_care_order",
            DecisionKind::ApplicationRefusal => "application_refusal",
            DecisionKind::ProtectionRemoval => "protection_removal",
        }
    }

    /// The decision named `name`, if there is one.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

/// The roles a unit's delegation order allows to take one kind of decision, as the service read it from the
/// directory when the command was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delegated {
    /// The decision.
    pub decision: DecisionKind,
    /// The roles that may take it.
    pub roles: BTreeSet<Role>,
}

impl Delegated {
    /// What a unit whose order says nothing of `decision` allows: the unit manager.
    pub fn by_default(decision: DecisionKind) -> Self {
        Self { decision, roles: [Role::UnitManager].into() }
    }

    /// Whether `role` may take `decision` under this order. An order read for another decision allows nothing.
    pub fn allows(&self, decision: DecisionKind, role: Role) -> bool {
        self.decision == decision && self.roles.contains(&role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_an_order_for_another_decision_allows_nothing() {
        for kind in DecisionKind::ALL {
            assert_eq!(DecisionKind::parse(kind.as_str()), Some(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        assert_eq!(DecisionKind::parse("everything"), None);
        let order = Delegated::by_default(DecisionKind::Intervention);
        assert!(order.allows(DecisionKind::Intervention, Role::UnitManager));
        assert!(!order.allows(DecisionKind::Intervention, Role::SocialWorker));
        assert!(!order.allows(DecisionKind::ImmediateCareOrder, Role::UnitManager));
    }
}
