//! Given/when/then tests of the Consent's rules, and of what a consent covers.

use cqrs_es::test::TestFramework;
use time::macros::date;

use super::*;
use crate::command::Command;
use crate::command::{CommandContext, CommandRefused, Role};
use crate::ids::ConsentId;
use crate::testing::*;
use cqrs_es::Aggregate as _;

type Consents = TestFramework<Consent>;

fn young_person() -> SubjectId {
    SubjectId::from_ulid(ulid(100))
}

fn guardian() -> SubjectId {
    SubjectId::from_ulid(ulid(101))
}

fn parties() -> BTreeSet<UnitId> {
    [social_services(), framtid()].into()
}

fn categories() -> BTreeSet<InformationCategory> {
    [InformationCategory::Identity, InformationCategory::Offending].into()
}

fn give() -> ConsentCommand {
    ConsentCommand::GiveConsent {
        consent: ConsentId::from_ulid(ulid(200)),
        subject: young_person(),
        subject_is_minor: true,
        given_by: [ConsentGiver::Guardian(guardian()), ConsentGiver::YoungPerson].into(),
        parties: parties(),
        categories: categories(),
        purpose: sealed("support from Framtid Stockholm"),
        valid_from: date!(2026 - 11 - 01),
        valid_to: date!(2027 - 10 - 31),
        custodians: [guardian()].into(),
    }
}

fn given() -> Stamped<ConsentEvent> {
    Stamped::new(
        &context(1),
        ConsentEvent::ConsentGiven {
            consent: ConsentId::from_ulid(ulid(200)),
            subject: young_person(),
            given_by: [ConsentGiver::Guardian(guardian()), ConsentGiver::YoungPerson].into(),
            parties: parties(),
            categories: categories(),
            purpose: sealed("support from Framtid Stockholm"),
            valid_from: date!(2026 - 11 - 01),
            valid_to: date!(2027 - 10 - 31),
            recorded_by: social_services(),
        },
    )
}

fn command(context: CommandContext, body: ConsentCommand) -> Command<ConsentCommand> {
    Command { context, body }
}

fn refused_give(change: impl FnOnce(&mut ConsentCommand), expected: ConsentError) {
    let mut body = give();
    change(&mut body);
    Consents::with(()).given_no_previous_events().when(command(context(1), body)).then_expect_error(expected);
}

#[test]
fn giving_consent_records_its_terms() {
    Consents::with(()).given_no_previous_events().when(command(context(1), give())).then_expect_events(vec![given()]);
}

#[test]
fn a_consent_is_recorded_once() {
    Consents::with(())
        .given(vec![given()])
        .when(command(context(2), give()))
        .then_expect_error(ConsentError::AlreadyGiven);
}

#[test]
fn each_incomplete_consent_is_refused_with_its_rule() {
    use ConsentCommand::GiveConsent as G;
    refused_give(
        |b| {
            if let G { given_by, .. } = b {
                given_by.clear()
            }
        },
        ConsentError::NoGiver,
    );
    refused_give(
        |b| {
            if let G { parties, .. } = b {
                parties.clear()
            }
        },
        ConsentError::NoParties,
    );
    refused_give(
        |b| {
            if let G { categories, .. } = b {
                categories.clear()
            }
        },
        ConsentError::NoCategories,
    );
    refused_give(
        |b| {
            if let G { parties, .. } = b {
                parties.remove(&social_services());
            }
        },
        ConsentError::RecordingUnitNotAParty,
    );
    refused_give(
        |b| {
            if let G { purpose, .. } = b {
                *purpose = sealed("")
            }
        },
        ConsentError::Command(CommandRefused::SealedFieldEmpty { field: "purpose" }),
    );
    refused_give(
        |b| {
            if let G { valid_to, .. } = b {
                *valid_to = date!(2026 - 10 - 01)
            }
        },
        ConsentError::ValidityReversed { valid_from: date!(2026 - 11 - 01), valid_to: date!(2026 - 10 - 01) },
    );
    refused_give(
        |b| {
            if let G { valid_from, valid_to, .. } = b {
                *valid_from = date!(2026 - 01 - 01);
                *valid_to = date!(2026 - 06 - 30)
            }
        },
        ConsentError::ExpiredWhenGiven,
    );
}

#[test]
fn a_minor_needs_a_guardians_consent_and_an_adult_their_own() {
    use ConsentCommand::GiveConsent as G;
    refused_give(
        |b| {
            if let G { given_by, .. } = b {
                *given_by = [ConsentGiver::YoungPerson].into()
            }
        },
        ConsentError::GuardianConsentRequired,
    );
    refused_give(
        |b| {
            if let G { subject_is_minor, .. } = b {
                *subject_is_minor = false
            }
        },
        ConsentError::YoungPersonConsentRequired,
    );
}

#[test]
fn an_auditor_cannot_record_consent() {
    Consents::with(())
        .given_no_previous_events()
        .when(command(context_at(1, Role::Auditor, social_services(), TODAY), give()))
        .then_expect_error(ConsentError::Command(CommandRefused::RoleNotPermitted { role: Role::Auditor }));
}

#[test]
fn a_consent_is_revoked_once_by_someone_who_may() {
    let revoke = |by| ConsentCommand::RevokeConsent { revoked_by: by };
    Consents::with(())
        .given(vec![given()])
        .when(command(context(2), revoke(ConsentGiver::Guardian(guardian()))))
        .then_expect_events(vec![Stamped::new(
            &context(2),
            ConsentEvent::ConsentRevoked { revoked_by: ConsentGiver::Guardian(guardian()) },
        )]);
    Consents::with(())
        .given(vec![given()])
        .when(command(context(2), revoke(ConsentGiver::Guardian(SubjectId::from_ulid(ulid(999))))))
        .then_expect_error(ConsentError::RevokerDidNotGive);
    let revoked = Stamped::new(&context(2), ConsentEvent::ConsentRevoked { revoked_by: ConsentGiver::YoungPerson });
    Consents::with(())
        .given(vec![given(), revoked])
        .when(command(context(3), revoke(ConsentGiver::YoungPerson)))
        .then_expect_error(ConsentError::AlreadyRevoked);
    Consents::with(())
        .given_no_previous_events()
        .when(command(context(3), revoke(ConsentGiver::YoungPerson)))
        .then_expect_error(ConsentError::NotGiven);
}

#[test]
fn a_consent_covers_only_its_subject_parties_categories_and_period() {
    let mut consent = Consent::default();
    consent.apply(given());
    let on = date!(2026 - 11 - 20);
    let offending: BTreeSet<_> = [InformationCategory::Offending].into();
    assert_eq!(consent.covers(young_person(), framtid(), on, &offending), Ok(()));
    assert_eq!(consent.covers(guardian(), framtid(), on, &offending), Err(ConsentNotValid::OtherSubject));
    assert_eq!(consent.covers(young_person(), school_team(), on, &offending), Err(ConsentNotValid::UnitNotNamed));
    assert_eq!(
        consent.covers(young_person(), framtid(), on, &[InformationCategory::Health].into()),
        Err(ConsentNotValid::CategoryNotNamed(InformationCategory::Health))
    );
    assert_eq!(
        consent.covers(young_person(), framtid(), date!(2026 - 10 - 31), &offending),
        Err(ConsentNotValid::NotYetValid { valid_from: date!(2026 - 11 - 01) })
    );
    assert_eq!(
        consent.covers(young_person(), framtid(), date!(2027 - 11 - 01), &offending),
        Err(ConsentNotValid::Expired { valid_to: date!(2027 - 10 - 31) })
    );
    assert_eq!(Consent::default().covers(young_person(), framtid(), on, &offending), Err(ConsentNotValid::NotGiven));
}

#[test]
fn a_revoked_consent_stops_sharing_from_the_day_it_was_revoked_but_not_before() {
    let mut consent = Consent::default();
    consent.apply(given());
    let revoked_on = date!(2026 - 11 - 22);
    let revoking = context_at(2, Role::SocialWorker, social_services(), revoked_on);
    consent.apply(Stamped::new(&revoking, ConsentEvent::ConsentRevoked { revoked_by: ConsentGiver::YoungPerson }));
    let offending: BTreeSet<_> = [InformationCategory::Offending].into();
    assert_eq!(consent.covers(young_person(), framtid(), date!(2026 - 11 - 21), &offending), Ok(()));
    assert_eq!(
        consent.covers(young_person(), framtid(), revoked_on, &offending),
        Err(ConsentNotValid::Revoked { revoked_on })
    );
}

/// For a minor, every guardian with custody consents (issue 12, #8): one of two is not enough, and a guardian the
/// child's record does not link cannot consent for them.
#[test]
fn every_custodian_consents_for_a_minor() {
    let other = SubjectId::from_ulid(ulid(102));
    let with = |given_by: BTreeSet<ConsentGiver>, custodians: BTreeSet<SubjectId>| {
        let mut body = give();
        if let ConsentCommand::GiveConsent { given_by: giving, custodians: linked, .. } = &mut body {
            *giving = given_by;
            *linked = custodians;
        }
        body
    };
    let both: BTreeSet<_> = [guardian(), other].into();
    let one = with([ConsentGiver::Guardian(guardian())].into(), both.clone());
    assert_eq!(
        Consent::default().decide(&context(1), one),
        Err(ConsentError::NotEveryCustodianConsented { missing: 1 })
    );
    let stranger = with([ConsentGiver::Guardian(SubjectId::from_ulid(ulid(999)))].into(), both.clone());
    assert_eq!(Consent::default().decide(&context(1), stranger), Err(ConsentError::ConsentByOtherThanGuardian));
    let all = with([ConsentGiver::Guardian(guardian()), ConsentGiver::Guardian(other)].into(), both);
    assert!(Consent::default().decide(&context(1), all).is_ok());
}
