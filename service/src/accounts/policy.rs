//! Access control, in one place: who may read a case. A user reads the cases of their unit; any other read
//! needs a stated reason and is flagged in the access review; administrators read no case content. A read that
//! is refused answers exactly as a case that does not exist.

use domain::command::Role;

use crate::accounts::Account;

/// The answer to "may this account read this case?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseAccess {
    /// Yes: the case is the account's unit's.
    OwnUnit,
    /// Yes, because a reason was stated; the read stands out in the access review.
    WithReason,
    /// No: answered as "not found".
    Refused,
}

/// Decides whether `account` may read a case held by `case_unit`, given whether a reason was stated.
pub fn case_access(account: &Account, case_unit: &str, reason_stated: bool) -> CaseAccess {
    if account.role == Role::Administrator {
        return CaseAccess::Refused;
    }
    if account.unit.to_string() == case_unit {
        return CaseAccess::OwnUnit;
    }
    if reason_stated {
        CaseAccess::WithReason
    } else {
        CaseAccess::Refused
    }
}

/// Decides whether `account` may read a referral sent by `from_unit` to `to_unit`: both ends read it as their
/// own; anyone else as for a case.
pub fn referral_access(account: &Account, from_unit: Option<&str>, to_unit: &str, reason_stated: bool) -> CaseAccess {
    match from_unit {
        Some(from_unit) if account.role != Role::Administrator && account.unit.to_string() == from_unit => {
            CaseAccess::OwnUnit
        }
        _ => case_access(account, to_unit, reason_stated),
    }
}

#[cfg(test)]
mod tests {
    use domain::ids::{UnitId, UserId};
    use ulid::Ulid;

    use super::*;

    #[test]
    fn each_role_reads_its_own_units_cases_others_only_with_a_reason_and_administrators_none() {
        let unit = UnitId::from_ulid(Ulid::new());
        let other = UnitId::from_ulid(Ulid::new()).to_string();
        let account = |role| Account { user: UserId::from_ulid(Ulid::new()), role, unit };
        for role in [Role::SocialWorker, Role::UnitManager, Role::Auditor] {
            assert_eq!(case_access(&account(role), &unit.to_string(), false), CaseAccess::OwnUnit);
            assert_eq!(case_access(&account(role), &other, false), CaseAccess::Refused);
            assert_eq!(case_access(&account(role), &other, true), CaseAccess::WithReason);
        }
        assert_eq!(case_access(&account(Role::Administrator), &unit.to_string(), true), CaseAccess::Refused);
    }

    #[test]
    fn both_ends_of_a_referral_read_it_and_administrators_never() {
        let (from, to) = (UnitId::from_ulid(Ulid::new()), UnitId::from_ulid(Ulid::new()));
        let at = |unit, role| Account { user: UserId::from_ulid(Ulid::new()), role, unit };
        let (from_text, to_text) = (from.to_string(), to.to_string());
        assert_eq!(
            referral_access(&at(from, Role::SocialWorker), Some(&from_text), &to_text, false),
            CaseAccess::OwnUnit
        );
        assert_eq!(
            referral_access(&at(to, Role::SocialWorker), Some(&from_text), &to_text, false),
            CaseAccess::OwnUnit
        );
        let stranger = at(UnitId::from_ulid(Ulid::new()), Role::Auditor);
        assert_eq!(referral_access(&stranger, Some(&from_text), &to_text, false), CaseAccess::Refused);
        assert_eq!(referral_access(&stranger, Some(&from_text), &to_text, true), CaseAccess::WithReason);
        assert_eq!(
            referral_access(&at(from, Role::Administrator), Some(&from_text), &to_text, true),
            CaseAccess::Refused
        );
        assert_eq!(
            referral_access(&at(to, Role::SocialWorker), None, &to_text, false),
            CaseAccess::OwnUnit,
            "an application"
        );
    }
}
