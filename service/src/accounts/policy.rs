//! Access control, in one place: who may read a case's (or a referral's) content. A unit's own staff read its
//! cases. Staff of another unit of the same authority — the social services board: social services units among
//! themselves — read with a stated reason, flagged in the access review. Staff of another authority or a provider
//! (school-social teams, the police, Framtid Stockholm and the other city-wide services) never read another
//! authority's case content, whatever reason they type (secrecy between authorities, OSL 8 kap. 1 §, does not
//! yield to a reason): they see what was disclosed to them, the referral sent to them. Auditors read with their
//! audit's reason; administrators read no case content. A read that is refused answers exactly as a case that
//! does not exist.
//!
//! Which units form one authority comes from the unit directory (`UnitAuthoritySet`, kept by administrators);
//! where it names none, every social services unit belongs to the social services board and every other unit is
//! an authority or a provider of its own.

use domain::command::Role;
use domain::ids::UnitId;
use domain::units::UnitKind;

use crate::accounts::Account;

/// Why someone reads a case that is not their unit's: one of a short list, then free text
/// (`X-Lots-Reason: jour: familjen ringde`). The Swedish word or the code may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// Jour: the worker on call for another unit.
    OnCall,
    /// Akut: an emergency that cannot wait for the case's own unit.
    Emergency,
    /// Överflyttning: the case is being transferred to the reader's unit.
    Transfer,
    /// Handledning: supervision of the case's worker.
    Supervision,
    /// Granskning: an auditor's audit.
    Audit,
}

impl ReasonCode {
    /// Every code, with its Swedish word.
    pub const ALL: [(ReasonCode, &'static str, &'static str); 5] = [
        (ReasonCode::OnCall, "on_call", "jour"),
        (ReasonCode::Emergency, "emergency", "akut"),
        (ReasonCode::Transfer, "transfer", "överflyttning"),
        (ReasonCode::Supervision, "supervision", "handledning"),
        (ReasonCode::Audit, "audit", "granskning"),
    ];

    /// The code a stated reason opens with (`code: free text`, or the code alone), by its code or Swedish word.
    pub fn of(reason: &str) -> Option<ReasonCode> {
        let code = reason.split(':').next().unwrap_or_default().trim().to_lowercase();
        Self::ALL.iter().find(|(_, name, word)| code == *name || code == *word).map(|(code, ..)| *code)
    }

    /// The codes, for a message: "jour (on_call), akut (emergency), …".
    pub fn listed() -> String {
        Self::ALL.iter().map(|(_, name, word)| format!("{word} ({name})")).collect::<Vec<_>>().join(", ")
    }
}

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

/// A unit as access control sees it: which it is, of what kind, and the authority an administrator named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitOf {
    /// The unit.
    pub id: UnitId,
    /// Its kind (`None`: not in the directory, and so of no authority anyone shares).
    pub kind: Option<UnitKind>,
    /// The authority it belongs to, as the directory names it.
    pub authority: Option<String>,
}

/// The authority a unit belongs to: the one the directory names; where it names none, the social services board
/// for a social services unit, and the unit itself for any other (a provider, another authority).
fn authority_of(unit: &UnitOf) -> Option<String> {
    match (&unit.authority, unit.kind) {
        (Some(named), Some(_)) => Some(named.clone()),
        (None, Some(UnitKind::SocialServices)) => Some("socialnämnden".to_owned()),
        (None, Some(_)) => Some(unit.id.to_string()),
        (_, None) => None,
    }
}

/// Whether two different social services units belong to one authority, so that staff of one may read the
/// other's cases by a stated reason. Only social services read across units at all: a provider or another
/// authority never does.
fn same_authority(reader: &UnitOf, holder: &UnitOf) -> bool {
    let social = |unit: &UnitOf| unit.kind == Some(UnitKind::SocialServices);
    social(reader) && social(holder) && authority_of(reader).is_some() && authority_of(reader) == authority_of(holder)
}

/// Decides whether `account` (working in `reader`) may read a case held by `holder`, given whether a reason was
/// stated.
/// An auditor reads by the audit's reason; staff of the same authority by any other on the list.
pub fn case_access(account: &Account, reader: &UnitOf, holder: &UnitOf, reason: Option<ReasonCode>) -> CaseAccess {
    match (account.role, reason) {
        (Role::Administrator, _) => CaseAccess::Refused,
        _ if reader.id == holder.id => CaseAccess::OwnUnit,
        (Role::Auditor, Some(ReasonCode::Audit)) => CaseAccess::WithReason,
        (Role::Auditor, _) | (_, None | Some(ReasonCode::Audit)) => CaseAccess::Refused,
        (_, Some(_)) if same_authority(reader, holder) => CaseAccess::WithReason,
        _ => CaseAccess::Refused,
    }
}

/// Decides whether `account` (working in `reader`) may read a referral sent by `from` to `to`: both ends read it as
/// their own (it is what was disclosed to the receiver, and what the sender wrote); anyone else as a case held by
/// the receiving unit.
pub fn referral_access(
    account: &Account,
    reader: &UnitOf,
    from: Option<UnitId>,
    to: &UnitOf,
    reason: Option<ReasonCode>,
) -> CaseAccess {
    match from {
        Some(from) if account.role != Role::Administrator && reader.id == from => CaseAccess::OwnUnit,
        _ => case_access(account, reader, to, reason),
    }
}

#[cfg(test)]
mod tests {
    use domain::ids::UserId;
    use ulid::Ulid;

    use super::*;

    fn unit(kind: UnitKind) -> UnitOf {
        UnitOf { id: UnitId::from_ulid(Ulid::new()), kind: Some(kind), authority: None }
    }

    fn named(kind: UnitKind, authority: &str) -> UnitOf {
        UnitOf { authority: Some(authority.to_owned()), ..unit(kind) }
    }

    fn account(role: Role, unit: &UnitOf) -> Account {
        Account { user: UserId::from_ulid(Ulid::new()), role, unit: unit.id }
    }

    /// Each role × the reader's relation to the case (own unit, another unit of the same authority, another
    /// authority, a provider) × with and without a reason.
    #[test]
    fn each_role_and_relation_reads_as_secrecy_allows() {
        use CaseAccess::{OwnUnit, Refused, WithReason};
        use Role::{Administrator, Auditor, SocialWorker, UnitManager};
        let holder = unit(UnitKind::SocialServices);
        let office = unit(UnitKind::Administration);
        #[rustfmt::skip]
        let table = [
            // role, the reader's unit, without a reason, with one
            (SocialWorker, holder.clone(), OwnUnit, OwnUnit),
            (UnitManager, holder.clone(), OwnUnit, OwnUnit),
            (SocialWorker, unit(UnitKind::SocialServices), Refused, WithReason),
            (UnitManager, unit(UnitKind::SocialServices), Refused, WithReason),
            (SocialWorker, named(UnitKind::SocialServices, "Farsta stadsdelsnämnd"), Refused, Refused),
            (SocialWorker, unit(UnitKind::SchoolSocialTeam), Refused, Refused),
            (SocialWorker, named(UnitKind::SchoolSocialTeam, "socialnämnden"), Refused, Refused),
            (SocialWorker, unit(UnitKind::Police), Refused, Refused),
            (SocialWorker, unit(UnitKind::FramtidStockholm), Refused, Refused),
            (UnitManager, unit(UnitKind::FramtidStockholm), Refused, Refused),
            (Auditor, office.clone(), Refused, WithReason),
            (Administrator, office.clone(), Refused, Refused),
            (Administrator, holder.clone(), Refused, Refused),
        ];
        for (role, reader, without, with) in table {
            let reason = if role == Auditor { ReasonCode::Audit } else { ReasonCode::OnCall };
            let who = account(role, &reader);
            let relation = format!("{role:?} of {:?} {:?}", reader.kind, reader.authority);
            assert_eq!(case_access(&who, &reader, &holder, None), without, "{relation} without a reason");
            assert_eq!(case_access(&who, &reader, &holder, Some(reason)), with, "{relation} with a reason");
        }
    }

    #[test]
    fn the_directory_names_the_authorities_and_reasons_are_the_lists() {
        use CaseAccess::{Refused, WithReason};
        let rinkeby = named(UnitKind::SocialServices, "Rinkeby-Kista stadsdelsnämnd");
        let rinkeby_too = named(UnitKind::SocialServices, "Rinkeby-Kista stadsdelsnämnd");
        let farsta = named(UnitKind::SocialServices, "Farsta stadsdelsnämnd");
        let worker = account(Role::SocialWorker, &rinkeby_too);
        assert_eq!(case_access(&worker, &rinkeby_too, &rinkeby, Some(ReasonCode::OnCall)), WithReason);
        assert_eq!(
            case_access(&account(Role::SocialWorker, &farsta), &farsta, &rinkeby, Some(ReasonCode::Emergency)),
            Refused
        );
        assert_eq!(
            case_access(&worker, &rinkeby_too, &rinkeby, Some(ReasonCode::Audit)),
            Refused,
            "the audit's reason is the auditors'"
        );
        let office = unit(UnitKind::Administration);
        assert_eq!(case_access(&account(Role::Auditor, &office), &office, &rinkeby, Some(ReasonCode::OnCall)), Refused);
        let provider = unit(UnitKind::FramtidStockholm);
        assert_eq!(
            case_access(&worker, &rinkeby_too, &provider, Some(ReasonCode::Emergency)),
            Refused,
            "a provider's case"
        );
        let unknown = UnitOf { id: UnitId::from_ulid(Ulid::new()), kind: None, authority: None };
        assert_eq!(
            case_access(&account(Role::SocialWorker, &unknown), &unknown, &rinkeby, Some(ReasonCode::OnCall)),
            Refused
        );
    }

    #[test]
    fn both_ends_of_a_referral_read_it_and_administrators_never() {
        let (school, social) = (unit(UnitKind::SchoolSocialTeam), unit(UnitKind::SocialServices));
        let read = |reader: &UnitOf, role, reason: bool| {
            let code = if role == Role::Auditor { ReasonCode::Audit } else { ReasonCode::OnCall };
            referral_access(&account(role, reader), reader, Some(school.id), &social, reason.then_some(code))
        };
        assert_eq!(read(&school, Role::SocialWorker, false), CaseAccess::OwnUnit, "the sender");
        assert_eq!(read(&social, Role::SocialWorker, false), CaseAccess::OwnUnit, "the receiver");
        let other_social = unit(UnitKind::SocialServices);
        assert_eq!(read(&other_social, Role::SocialWorker, false), CaseAccess::Refused);
        assert_eq!(read(&other_social, Role::SocialWorker, true), CaseAccess::WithReason);
        let provider = unit(UnitKind::FramtidStockholm);
        assert_eq!(read(&provider, Role::SocialWorker, true), CaseAccess::Refused, "a provider, whatever its reason");
        let office = unit(UnitKind::Administration);
        assert_eq!(read(&office, Role::Auditor, true), CaseAccess::WithReason);
        assert_eq!(read(&school, Role::Administrator, true), CaseAccess::Refused);
        let application = referral_access(&account(Role::SocialWorker, &social), &social, None, &social, None);
        assert_eq!(application, CaseAccess::OwnUnit, "an application");
    }
}

#[cfg(test)]
mod reason_tests {
    use super::*;

    #[test]
    fn a_reason_opens_with_a_code_or_its_swedish_word() {
        assert_eq!(ReasonCode::of("jour: familjen ringde"), Some(ReasonCode::OnCall));
        assert_eq!(ReasonCode::of("Emergency"), Some(ReasonCode::Emergency));
        assert_eq!(ReasonCode::of("överflyttning: flyttar hit"), Some(ReasonCode::Transfer));
        assert_eq!(ReasonCode::of("granskning 2026"), None, "the code stands alone before the colon");
        assert_eq!(ReasonCode::of("curious"), None);
        assert!(ReasonCode::listed().contains("handledning (supervision)"));
    }
}
