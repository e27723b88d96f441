//! Who may give a command to what, beyond what one aggregate can see of itself: the rules that look at another
//! aggregate (the referral a case is opened from, the case a referral is accepted into, the cases a subject has,
//! the consent a referral is sent under). Pure: the service loads the aggregates from the log and asks here, so
//! the decision is made from the log itself, never from a view that may lag or have stopped (it fails closed).
//! A refusal by ownership is answered as "not found" (nothing is given away); the others name their rule.

use crate::case::{Case, CaseOrigin};
use crate::command::Role;
use crate::consent::ConsentTerms;
use crate::delegation::{DecisionKind, Delegated};
use crate::ids::{SubjectId, UnitId};
use crate::referral::{Referral, ReferralKind, ReferralStatus};
use crate::units::UnitKind;

/// Why a command is refused by whom it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, strum::IntoStaticStr)]
pub enum Refused {
    /// The referral named is not one sent to the actor's unit: answered as if it did not exist.
    #[error("no referral sent to your unit has this id")]
    ReferralNotYours,
    /// The case named is not the actor's unit's: answered as if it did not exist.
    #[error("no case of your unit has this id")]
    CaseNotYours,
    /// The actor's unit is neither end of the referral: answered as if it did not exist.
    #[error("no referral of your unit has this id")]
    NotAParty,
    /// The subject named is not registered.
    #[error("no subject is registered with this id")]
    SubjectUnknown,
    /// A case is opened from a referral only once the unit has received it.
    #[error("receive the referral before opening a case from it")]
    ReferralNotReceived,
    /// The referral or application is about another young person than the case.
    #[error("the referral is about another subject than the case")]
    OriginAboutAnotherSubject,
    /// The origin named is of another kind (an application named as a referral, or the other way round).
    #[error("the origin's kind does not match the referral's")]
    OriginOfAnotherKind,
    /// Only a unit that holds cases (social services) opens a case of its own accord or on an application.
    #[error("only social services open a case of their own accord or on an application")]
    NotSocialServices,
    /// Only social services holding a case on the subject (or having registered them) change a subject.
    #[error("only social services with a case on the subject may change the subject's record")]
    NoCaseOnSubject,
    /// The delegation order gives this change of a child's record to other roles.
    #[error("the delegation order gives this to a unit manager")]
    NotDelegated,
    /// A consent is revoked by the unit that recorded it or a unit it names.
    #[error("only the unit that recorded the consent or a unit it names may record its revocation")]
    NotPartyToConsent,
    /// A referral under a consent is sent only by a unit the consent names.
    #[error("the consent does not name your unit, so it does not let your unit disclose")]
    SenderNotNamedInConsent,
    /// Whether a child is registered, and who, is social services' knowledge: only their casework looks a number up.
    #[error("only social services' casework may look a child up by identity number")]
    LookupNotSocialServices,
}

impl Refused {
    /// Whether the refusal is by ownership, answered exactly as if the thing did not exist.
    pub fn is_ownership(self) -> bool {
        matches!(
            self,
            Self::ReferralNotYours
                | Self::CaseNotYours
                | Self::NotAParty
                | Self::NoCaseOnSubject
                | Self::NotPartyToConsent
        )
    }

    /// The rule's name, as the API names it.
    pub fn rule(self) -> &'static str {
        self.into()
    }
}

/// May the actor's unit (`unit`, of `kind`) open a case about `subject` (registered or not) from `origin`?
/// From a referral or an application only when it was sent to this unit, received, of that kind and about that
/// subject; on the unit's own initiative or an application only in a unit that holds cases.
pub fn may_open_case(
    unit: UnitId,
    kind: UnitKind,
    subject: SubjectId,
    subject_registered: bool,
    origin: &CaseOrigin,
    referral: Option<&Referral>,
) -> Result<(), Refused> {
    if !subject_registered {
        return Err(Refused::SubjectUnknown);
    }
    let named = match origin {
        CaseOrigin::OwnInitiative => {
            return if kind.owns_cases() { Ok(()) } else { Err(Refused::NotSocialServices) };
        }
        CaseOrigin::Referral(_) => false,
        CaseOrigin::Application(_) => true,
    };
    let referral = referral.filter(|referral| referral.to_unit == Some(unit)).ok_or(Refused::ReferralNotYours)?;
    if (referral.kind == Some(ReferralKind::Application)) != named {
        return Err(Refused::OriginOfAnotherKind);
    }
    if named && !kind.owns_cases() {
        return Err(Refused::NotSocialServices);
    }
    if !matches!(referral.status, ReferralStatus::Received | ReferralStatus::OnHold | ReferralStatus::Accepted) {
        return Err(Refused::ReferralNotReceived);
    }
    if referral.subject != Some(subject) {
        return Err(Refused::OriginAboutAnotherSubject);
    }
    Ok(())
}

/// May the actor's unit act on `referral` at all? Only its two ends may; anyone else is told it is not there,
/// before anything about its status.
pub fn may_act_on_referral(unit: UnitId, referral: &Referral) -> Result<(), Refused> {
    if referral.to_unit == Some(unit) || referral.from_unit == Some(unit) {
        Ok(())
    } else {
        Err(Refused::NotAParty)
    }
}

/// May the actor's unit accept `referral` into `case`? Only a case of its own unit, about the referral's subject.
pub fn may_accept_into(unit: UnitId, referral: &Referral, case: &Case) -> Result<(), Refused> {
    if case.unit != Some(unit) {
        return Err(Refused::CaseNotYours);
    }
    if case.subject != referral.subject {
        return Err(Refused::OriginAboutAnotherSubject);
    }
    Ok(())
}

/// How a change to a subject's record weighs, for the delegation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectChange {
    /// The record itself: the identity, guardians.
    Record,
    /// More protection: protected identity set, a legal hold placed. Never delayed: whoever holds the case does it.
    Protects,
    /// Less protection: protected identity cleared, a legal hold released (after which retention may clear a file).
    Unprotects,
}

/// May an actor in `role` of a unit of `kind` make `change` to a subject's record? Social services that hold a
/// case on the subject, or that registered them (anyone else is told the subject is not there): the record and
/// more protection by their casework, less protection by the roles the unit's delegation order (`removal`, as the
/// service read it for [`DecisionKind::ProtectionRemoval`]) gives it to — the unit manager where it says nothing.
pub fn may_change_subject(
    kind: UnitKind,
    role: Role,
    change: SubjectChange,
    holds_a_case: bool,
    registered_them: bool,
    removal: &Delegated,
) -> Result<(), Refused> {
    if !(kind.owns_cases() && (holds_a_case || registered_them)) {
        return Err(Refused::NoCaseOnSubject);
    }
    let delegated = match change {
        SubjectChange::Record | SubjectChange::Protects => role.does_casework(),
        SubjectChange::Unprotects => removal.allows(DecisionKind::ProtectionRemoval, role),
    };
    if delegated {
        Ok(())
    } else {
        Err(Refused::NotDelegated)
    }
}

/// May the actor's unit record that a consent was revoked? The unit that recorded it, or one it names.
pub fn may_revoke_consent(unit: UnitId, recorded_by: Option<UnitId>, terms: &ConsentTerms) -> Result<(), Refused> {
    if recorded_by == Some(unit) || terms.parties.contains(&unit) {
        Ok(())
    } else {
        Err(Refused::NotPartyToConsent)
    }
}

/// May an actor of `role` in a unit of `kind` look a child up by identity number? Only social services' casework
/// (social workers and unit managers): that a child is registered, and under which id, is itself information
/// about them that secrecy (OSL 26 kap. 1 §) keeps within social services; a school team or the police send a
/// report without knowing.
pub fn may_look_up(kind: UnitKind, role: Role) -> Result<(), Refused> {
    if kind.owns_cases() && matches!(role, Role::SocialWorker | Role::UnitManager) {
        Ok(())
    } else {
        Err(Refused::LookupNotSocialServices)
    }
}

/// May the actor's unit send a referral under a consent with these terms? Only a unit the consent names.
pub fn may_send_under(unit: UnitId, terms: &ConsentTerms) -> Result<(), Refused> {
    if terms.parties.contains(&unit) {
        Ok(())
    } else {
        Err(Refused::SenderNotNamedInConsent)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use time::macros::date;
    use ulid::Ulid;

    use super::*;
    use crate::case::CasePhase;
    use crate::consent::ConsentGiver;
    use crate::ids::{CaseId, ReferralId};

    fn unit() -> UnitId {
        UnitId::from_ulid(Ulid::new())
    }

    fn referral(kind: ReferralKind, from: UnitId, to: UnitId, subject: SubjectId, status: ReferralStatus) -> Referral {
        Referral {
            id: Some(ReferralId::from_ulid(Ulid::new())),
            kind: Some(kind),
            subject: Some(subject),
            from_unit: Some(from),
            to_unit: Some(to),
            status,
            ..Referral::default()
        }
    }

    /// Looking a child up by identity number: social services' casework only, every other unit and role refused.
    #[test]
    fn only_social_services_casework_looks_a_child_up() {
        use UnitKind::*;
        let roles = [Role::SocialWorker, Role::UnitManager, Role::Auditor, Role::Administrator];
        for kind in
            [SocialServices, SchoolSocialTeam, Police, Leisure, FramtidStockholm, MiniMaria, Mumin, Administration]
        {
            for role in roles {
                let allowed = kind == SocialServices && matches!(role, Role::SocialWorker | Role::UnitManager);
                let expected = if allowed { Ok(()) } else { Err(Refused::LookupNotSocialServices) };
                assert_eq!(may_look_up(kind, role), expected, "{kind:?} {role:?}");
            }
        }
    }

    /// Opening a case, one row per situation: the origin, whose referral, its state and subject, the unit's kind.
    #[test]
    fn a_case_is_opened_only_from_what_the_unit_received_about_that_subject_or_by_social_services() {
        use ReferralStatus::{Accepted, Received, Sent};
        use UnitKind::{FramtidStockholm, SocialServices};
        let (school, social, framtid) = (unit(), unit(), unit());
        let (child, other) = (SubjectId::from_ulid(Ulid::new()), SubjectId::from_ulid(Ulid::new()));
        let id = ReferralId::from_ulid(Ulid::new());
        let report = |to, subject, status| referral(ReferralKind::ReportOfConcern, school, to, subject, status);
        let application = |status| referral(ReferralKind::Application, social, social, child, status);
        let own = CaseOrigin::OwnInitiative;
        let from_referral = CaseOrigin::Referral(id);
        let from_application = CaseOrigin::Application(id);
        type Row<'a> = (&'a str, UnitId, UnitKind, bool, &'a CaseOrigin, Option<Referral>, Result<(), Refused>);
        #[rustfmt::skip]
        let table: Vec<Row<'_>> = vec![
            ("received report, own unit", social, SocialServices, true, &from_referral, Some(report(social, child, Received)), Ok(())),
            ("accepted report, own unit", social, SocialServices, true, &from_referral, Some(report(social, child, Accepted)), Ok(())),
            ("report not yet received", social, SocialServices, true, &from_referral, Some(report(social, child, Sent)), Err(Refused::ReferralNotReceived)),
            ("another unit's report", framtid, FramtidStockholm, true, &from_referral, Some(report(social, child, Received)), Err(Refused::ReferralNotYours)),
            ("no such referral", social, SocialServices, true, &from_referral, None, Err(Refused::ReferralNotYours)),
            ("report about another child", social, SocialServices, true, &from_referral, Some(report(social, other, Received)), Err(Refused::OriginAboutAnotherSubject)),
            ("unregistered subject", social, SocialServices, false, &from_referral, Some(report(social, child, Received)), Err(Refused::SubjectUnknown)),
            ("provider from its referral", framtid, FramtidStockholm, true, &from_referral, Some(report(framtid, child, Received)), Ok(())),
            ("own initiative, social services", social, SocialServices, true, &own, None, Ok(())),
            ("own initiative, a provider", framtid, FramtidStockholm, true, &own, None, Err(Refused::NotSocialServices)),
            ("application, social services", social, SocialServices, true, &from_application, Some(application(Received)), Ok(())),
            ("a report named as an application", social, SocialServices, true, &from_application, Some(report(social, child, Received)), Err(Refused::OriginOfAnotherKind)),
            ("an application named as a referral", social, SocialServices, true, &from_referral, Some(application(Received)), Err(Refused::OriginOfAnotherKind)),
        ];
        for (situation, unit, kind, registered, origin, referral, expected) in table {
            assert_eq!(
                may_open_case(unit, kind, child, registered, origin, referral.as_ref()),
                expected,
                "{situation}"
            );
        }
    }

    #[test]
    fn a_referral_is_accepted_only_into_the_receiving_units_case_about_its_subject() {
        let (school, social, framtid) = (unit(), unit(), unit());
        let (child, other) = (SubjectId::from_ulid(Ulid::new()), SubjectId::from_ulid(Ulid::new()));
        let report = referral(ReferralKind::ReportOfConcern, school, social, child, ReferralStatus::Received);
        let case = |unit, subject| Case {
            id: Some(CaseId::from_ulid(Ulid::new())),
            subject: Some(subject),
            unit: Some(unit),
            phase: CasePhase::Intake,
            ..Case::default()
        };
        assert_eq!(may_accept_into(social, &report, &case(social, child)), Ok(()));
        assert_eq!(may_accept_into(social, &report, &case(framtid, child)), Err(Refused::CaseNotYours));
        assert_eq!(may_accept_into(social, &report, &Case::default()), Err(Refused::CaseNotYours), "no such case");
        assert_eq!(may_accept_into(social, &report, &case(social, other)), Err(Refused::OriginAboutAnotherSubject));
        assert_eq!(may_act_on_referral(social, &report), Ok(()));
        assert_eq!(may_act_on_referral(school, &report), Ok(()));
        assert_eq!(may_act_on_referral(framtid, &report), Err(Refused::NotAParty));
        assert!(Refused::NotAParty.is_ownership() && Refused::CaseNotYours.is_ownership());
        assert!(!Refused::OriginAboutAnotherSubject.is_ownership());
    }

    #[test]
    fn only_social_services_with_a_case_change_a_subject_and_only_parties_use_or_revoke_a_consent() {
        use SubjectChange::{Protects, Record, Unprotects};
        use UnitKind::{FramtidStockholm, SchoolSocialTeam, SocialServices};
        let (worker, manager) = (Role::SocialWorker, Role::UnitManager);
        let default_removal = Delegated::by_default(DecisionKind::ProtectionRemoval);
        #[rustfmt::skip]
        let table = [
            (SocialServices, worker, Record, true, false, Ok(())),
            (SocialServices, worker, Record, false, true, Ok(())),
            (SocialServices, worker, Record, false, false, Err(Refused::NoCaseOnSubject)),
            (FramtidStockholm, worker, Record, true, true, Err(Refused::NoCaseOnSubject)),
            (SchoolSocialTeam, worker, Protects, false, true, Err(Refused::NoCaseOnSubject)),
            (SocialServices, worker, Protects, true, false, Ok(())),
            (SocialServices, worker, Unprotects, true, false, Err(Refused::NotDelegated)),
            (SocialServices, manager, Unprotects, true, false, Ok(())),
            (SocialServices, Role::Administrator, Record, true, true, Err(Refused::NotDelegated)),
        ];
        // A unit whose order gives taking protection away to its social workers.
        let to_workers = Delegated { decision: DecisionKind::ProtectionRemoval, roles: [worker].into() };
        assert_eq!(may_change_subject(SocialServices, worker, Unprotects, true, false, &to_workers), Ok(()));
        assert_eq!(
            may_change_subject(SocialServices, manager, Unprotects, true, false, &to_workers),
            Err(Refused::NotDelegated)
        );
        for (kind, role, change, holds, registered, expected) in table {
            assert_eq!(
                may_change_subject(kind, role, change, holds, registered, &default_removal),
                expected,
                "{kind:?} {role:?} {change:?}"
            );
        }
        let (social, framtid, school) = (unit(), unit(), unit());
        let terms = ConsentTerms {
            subject: SubjectId::from_ulid(Ulid::new()),
            given_by: BTreeSet::from([ConsentGiver::YoungPerson]),
            parties: BTreeSet::from([social, framtid]),
            categories: BTreeSet::new(),
            valid_from: date!(2026 - 01 - 01),
            valid_to: date!(2026 - 12 - 31),
        };
        assert_eq!(may_send_under(social, &terms), Ok(()));
        assert_eq!(may_send_under(school, &terms), Err(Refused::SenderNotNamedInConsent));
        assert_eq!(may_revoke_consent(framtid, Some(social), &terms), Ok(()), "a party");
        assert_eq!(may_revoke_consent(school, Some(school), &terms), Ok(()), "the recorder");
        assert_eq!(may_revoke_consent(school, Some(social), &terms), Err(Refused::NotPartyToConsent));
    }
}
