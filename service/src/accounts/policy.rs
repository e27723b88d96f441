//! Access control, in one place: who may read a case's (or a referral's) content. A unit's own staff read its
//! cases. Staff of another unit of the same authority — the social services board: social services units among
//! themselves — read with a stated reason, flagged in the access review. Staff of another authority or a provider
//! (school-social teams, the police, Framtid Stockholm and the other city-wide services) never read another
//! authority's case content, whatever reason they type (secrecy between authorities, OSL 8 kap. 1 §, does not
//! yield to a reason): they see what was disclosed to them, the referral sent to them. Auditors read with their
//! audit's reason; administrators read no case content. A read that is refused answers exactly as a case that
//! does not exist.
//!
//! Until the directory names each unit's authority (the reading-across-units issue), the authority follows the
//! unit's kind: every social services unit belongs to the social services board; every other unit is an authority
//! or a provider of its own.

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

/// A unit as access control sees it: which it is, and of what kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitOf {
    /// The unit.
    pub id: UnitId,
    /// Its kind (`None`: not in the directory, and so of no authority anyone shares).
    pub kind: Option<UnitKind>,
}

/// Whether two different units belong to one authority, so that staff of one may read the other's cases by a
/// stated reason.
fn same_authority(reader: UnitOf, holder: UnitOf) -> bool {
    reader.kind == Some(UnitKind::SocialServices) && holder.kind == Some(UnitKind::SocialServices)
}

/// Decides whether `account` (working in `reader`) may read a case held by `holder`, given whether a reason was
/// stated.
/// An auditor reads by the audit's reason; staff of the same authority by any other on the list.
pub fn case_access(account: &Account, reader: UnitOf, holder: UnitOf, reason: Option<ReasonCode>) -> CaseAccess {
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
    reader: UnitOf,
    from: Option<UnitId>,
    to: UnitOf,
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
        UnitOf { id: UnitId::from_ulid(Ulid::new()), kind: Some(kind) }
    }

    /// Each role × the reader's relation to the case (own unit, another unit of the same authority, another
    /// authority, a provider) × with and without a reason.
    #[test]
    fn each_role_and_relation_reads_as_secrecy_allows() {
        use CaseAccess::{OwnUnit, Refused, WithReason};
        use Role::{Administrator, Auditor, SocialWorker, UnitManager};
        let holder = unit(UnitKind::SocialServices);
        let same_authority = unit(UnitKind::SocialServices);
        let other_authority = unit(UnitKind::SchoolSocialTeam);
        let police = unit(UnitKind::Police);
        let provider = unit(UnitKind::FramtidStockholm);
        let office = unit(UnitKind::Administration);
        #[rustfmt::skip]
        let table = [
            // role, the reader's unit, without a reason, with one
            (SocialWorker, holder, OwnUnit, OwnUnit),
            (UnitManager, holder, OwnUnit, OwnUnit),
            (SocialWorker, same_authority, Refused, WithReason),
            (UnitManager, same_authority, Refused, WithReason),
            (SocialWorker, other_authority, Refused, Refused),
            (SocialWorker, police, Refused, Refused),
            (SocialWorker, provider, Refused, Refused),
            (UnitManager, provider, Refused, Refused),
            (Auditor, office, Refused, WithReason),
            (Administrator, office, Refused, Refused),
            (Administrator, holder, Refused, Refused),
        ];
        for (role, reader, without, with) in table {
            let account = Account { user: UserId::from_ulid(Ulid::new()), role, unit: reader.id };
            let reason = if role == Auditor { ReasonCode::Audit } else { ReasonCode::OnCall };
            assert_eq!(
                case_access(&account, reader, holder, None),
                without,
                "{role:?} of {:?} without a reason",
                reader.kind
            );
            assert_eq!(
                case_access(&account, reader, holder, Some(reason)),
                with,
                "{role:?} of {:?} with a reason",
                reader.kind
            );
        }
        // A provider's case is no social services unit's to read by a reason either.
        let worker = Account { user: UserId::from_ulid(Ulid::new()), role: SocialWorker, unit: holder.id };
        assert_eq!(case_access(&worker, holder, provider, Some(ReasonCode::Emergency)), Refused);
        let colleague = Account { user: UserId::from_ulid(Ulid::new()), role: SocialWorker, unit: same_authority.id };
        assert_eq!(
            case_access(&colleague, same_authority, holder, Some(ReasonCode::Audit)),
            Refused,
            "the audit's reason is the auditors'"
        );
        let auditor = Account { user: UserId::from_ulid(Ulid::new()), role: Auditor, unit: office.id };
        assert_eq!(
            case_access(&auditor, office, holder, Some(ReasonCode::OnCall)),
            Refused,
            "an auditor reads by the audit"
        );
        let unknown = UnitOf { id: UnitId::from_ulid(Ulid::new()), kind: None };
        let stranger = Account { user: UserId::from_ulid(Ulid::new()), role: SocialWorker, unit: unknown.id };
        assert_eq!(
            case_access(&stranger, unknown, holder, Some(ReasonCode::OnCall)),
            Refused,
            "a unit not in the directory"
        );
    }

    #[test]
    fn both_ends_of_a_referral_read_it_and_administrators_never() {
        let (school, social) = (unit(UnitKind::SchoolSocialTeam), unit(UnitKind::SocialServices));
        let at = |unit: UnitOf, role| Account { user: UserId::from_ulid(Ulid::new()), role, unit: unit.id };
        let read = |reader: UnitOf, role, reason: bool| {
            let code = if role == Role::Auditor { ReasonCode::Audit } else { ReasonCode::OnCall };
            referral_access(&at(reader, role), reader, Some(school.id), social, reason.then_some(code))
        };
        assert_eq!(read(school, Role::SocialWorker, false), CaseAccess::OwnUnit, "the sender");
        assert_eq!(read(social, Role::SocialWorker, false), CaseAccess::OwnUnit, "the receiver");
        let other_social = unit(UnitKind::SocialServices);
        assert_eq!(read(other_social, Role::SocialWorker, false), CaseAccess::Refused);
        assert_eq!(read(other_social, Role::SocialWorker, true), CaseAccess::WithReason);
        let provider = unit(UnitKind::FramtidStockholm);
        assert_eq!(read(provider, Role::SocialWorker, true), CaseAccess::Refused, "a provider, whatever its reason");
        let office = unit(UnitKind::Administration);
        assert_eq!(read(office, Role::Auditor, true), CaseAccess::WithReason);
        assert_eq!(read(school, Role::Administrator, true), CaseAccess::Refused);
        let application = referral_access(&at(social, Role::SocialWorker), social, None, social, None);
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
