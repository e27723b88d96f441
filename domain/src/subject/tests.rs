//! Given/when/then tests of the Subject's rules.

use cqrs_es::test::TestFramework;

use super::*;
use crate::command::Command;
use crate::command::{CommandContext, CommandRefused};
use crate::ids::CommandId;
use crate::sealed::Sealed;
use crate::testing::*;

type Subjects = TestFramework<Subject>;

fn subject_id() -> SubjectId {
    SubjectId::from_ulid(ulid(100))
}

fn guardian_id() -> SubjectId {
    SubjectId::from_ulid(ulid(101))
}

fn statistics() -> StatisticsAttributes {
    StatisticsAttributes {
        birth_year: Some(2011),
        sex: Some(crate::identity_number::Sex::Female),
        district: crate::units::District::parse("Rinkeby-Kista").unwrap(),
    }
}

fn command(context: CommandContext, body: SubjectCommand) -> Command<SubjectCommand> {
    Command { context, body }
}

fn registered() -> Stamped<SubjectEvent> {
    Stamped::new(
        &context(1),
        SubjectEvent::SubjectRegistered {
            subject: subject_id(),
            identity: sealed("identity"),
            statistics: statistics(),
            registered_by: social_services(),
        },
    )
}

fn register() -> SubjectCommand {
    SubjectCommand::RegisterSubject { subject: subject_id(), identity: sealed("identity"), statistics: statistics() }
}

#[test]
fn registering_a_subject_records_the_sealed_identity_and_the_clear_attributes() {
    Subjects::with(())
        .given_no_previous_events()
        .when(command(context(1), register()))
        .then_expect_events(vec![registered()]);
}

#[test]
fn registering_twice_is_refused() {
    Subjects::with(())
        .given(vec![registered()])
        .when(command(context(2), register()))
        .then_expect_error(SubjectError::AlreadyRegistered);
}

#[test]
fn repeating_an_applied_command_writes_nothing_and_says_so() {
    Subjects::with(())
        .given(vec![registered()])
        .when(command(context(1), register()))
        .then_expect_error(SubjectError::Command(CommandRefused::AlreadyApplied(CommandId::from_ulid(ulid(1)))));
}

#[test]
fn registering_with_an_empty_identity_is_refused_naming_the_field() {
    let body =
        SubjectCommand::RegisterSubject { subject: subject_id(), identity: sealed(""), statistics: statistics() };
    Subjects::with(())
        .given_no_previous_events()
        .when(command(context(1), body))
        .then_expect_error(SubjectError::Command(CommandRefused::SealedFieldEmpty { field: "identity" }));
}

#[test]
fn a_birth_year_in_the_future_is_refused() {
    let body = SubjectCommand::RegisterSubject {
        subject: subject_id(),
        identity: sealed("identity"),
        statistics: StatisticsAttributes { birth_year: Some(2027), ..statistics() },
    };
    Subjects::with(())
        .given_no_previous_events()
        .when(command(context(1), body))
        .then_expect_error(SubjectError::BirthYearOutOfRange { year: 2027 });
}

#[test]
fn a_date_in_the_future_is_refused() {
    let mut future = context(1);
    future.occurred_on = TODAY.next_day().unwrap();
    Subjects::with(()).given_no_previous_events().when(command(future, register())).then_expect_error(
        SubjectError::Command(CommandRefused::OccurredInFuture { occurred_on: future.occurred_on, today: TODAY }),
    );
}

#[test]
fn an_auditor_cannot_register_a_subject() {
    let auditor = context_at(1, Role::Auditor, social_services(), TODAY);
    Subjects::with(())
        .given_no_previous_events()
        .when(command(auditor, register()))
        .then_expect_error(SubjectError::Command(CommandRefused::RoleNotPermitted { role: Role::Auditor }));
}

#[test]
fn a_command_before_registration_is_refused() {
    Subjects::with(())
        .given_no_previous_events()
        .when(command(context(1), SubjectCommand::ClearProtectedIdentity))
        .then_expect_error(SubjectError::NotRegistered);
}

#[test]
fn correcting_the_identity_records_the_new_sealed_identity() {
    let body = SubjectCommand::CorrectIdentity { identity: sealed("corrected"), statistics: statistics() };
    Subjects::with(()).given(vec![registered()]).when(command(context(2), body)).then_expect_events(vec![
        Stamped::new(
            &context(2),
            SubjectEvent::SubjectIdentityCorrected { identity: sealed("corrected"), statistics: statistics() },
        ),
    ]);
}

#[test]
fn protected_identity_is_set_changed_and_cleared_but_never_set_twice_to_the_same_level() {
    let set = |n, level| Stamped::new(&context(n), SubjectEvent::ProtectedIdentitySet { level });
    Subjects::with(())
        .given(vec![registered()])
        .when(command(
            context(2),
            SubjectCommand::SetProtectedIdentity { level: ProtectionLevel::ProtectedRegistration },
        ))
        .then_expect_events(vec![set(2, ProtectionLevel::ProtectedRegistration)]);
    Subjects::with(())
        .given(vec![registered(), set(2, ProtectionLevel::ProtectedRegistration)])
        .when(command(
            context(3),
            SubjectCommand::SetProtectedIdentity { level: ProtectionLevel::ProtectedRegistration },
        ))
        .then_expect_error(SubjectError::ProtectionUnchanged);
    Subjects::with(())
        .given(vec![registered(), set(2, ProtectionLevel::ProtectedRegistration)])
        .when(command(context(3), SubjectCommand::ClearProtectedIdentity))
        .then_expect_events(vec![Stamped::new(&context(3), SubjectEvent::ProtectedIdentityCleared)]);
    Subjects::with(())
        .given(vec![registered()])
        .when(command(context(3), SubjectCommand::ClearProtectedIdentity))
        .then_expect_error(SubjectError::NotProtected);
}

#[test]
fn guardians_are_linked_once_and_never_to_the_subject_itself() {
    let linked = Stamped::new(&context(2), SubjectEvent::GuardianLinked { guardian: guardian_id() });
    Subjects::with(())
        .given(vec![registered()])
        .when(command(context(2), SubjectCommand::LinkGuardian { guardian: guardian_id() }))
        .then_expect_events(vec![linked.clone()]);
    Subjects::with(())
        .given(vec![registered(), linked.clone()])
        .when(command(context(3), SubjectCommand::LinkGuardian { guardian: guardian_id() }))
        .then_expect_error(SubjectError::GuardianAlreadyLinked);
    Subjects::with(())
        .given(vec![registered()])
        .when(command(context(3), SubjectCommand::LinkGuardian { guardian: subject_id() }))
        .then_expect_error(SubjectError::GuardianIsSubjectItself);
    Subjects::with(())
        .given(vec![registered()])
        .when(command(context(3), SubjectCommand::UnlinkGuardian { guardian: guardian_id() }))
        .then_expect_error(SubjectError::GuardianNotLinked);
    Subjects::with(())
        .given(vec![registered(), linked])
        .when(command(context(3), SubjectCommand::UnlinkGuardian { guardian: guardian_id() }))
        .then_expect_events(vec![Stamped::new(
            &context(3),
            SubjectEvent::GuardianUnlinked { guardian: guardian_id() },
        )]);
}

#[test]
fn only_an_administrator_erases_and_only_with_a_ground() {
    let ground = ErasureGround::Decision { reference: "SN 2026/123".to_owned() };
    let admin = context_at(2, Role::Administrator, social_services(), TODAY);
    Subjects::with(())
        .given(vec![registered()])
        .when(command(context(2), SubjectCommand::EraseSubject { ground: ground.clone() }))
        .then_expect_error(SubjectError::Command(CommandRefused::RoleNotPermitted { role: Role::SocialWorker }));
    Subjects::with(())
        .given(vec![registered()])
        .when(command(
            admin,
            SubjectCommand::EraseSubject { ground: ErasureGround::Decision { reference: " ".into() } },
        ))
        .then_expect_error(SubjectError::ErasureGroundMissing);
    Subjects::with(())
        .given(vec![registered()])
        .when(command(admin, SubjectCommand::EraseSubject { ground: ground.clone() }))
        .then_expect_events(vec![Stamped::new(&admin, SubjectEvent::SubjectErased { ground })]);
}

#[test]
fn nothing_more_is_recorded_about_an_erased_subject() {
    let admin = context_at(2, Role::Administrator, social_services(), TODAY);
    let erased = Stamped::new(
        &admin,
        SubjectEvent::SubjectErased { ground: ErasureGround::Retention { rule: "sol-5y".to_owned() } },
    );
    Subjects::with(())
        .given(vec![registered(), erased])
        .when(command(
            context(3),
            SubjectCommand::SetProtectedIdentity { level: ProtectionLevel::ConfidentialityMarking },
        ))
        .then_expect_error(SubjectError::Erased);
}

#[test]
fn an_event_keeps_its_shape_in_json() {
    let json = serde_json::to_value(registered()).unwrap();
    assert_eq!(json["SubjectRegistered"]["statistics"]["district"], "Rinkeby-Kista");
    assert_eq!(json["occurred_on"], "2026-11-25");
    let back: Stamped<SubjectEvent> = serde_json::from_value(json).unwrap();
    assert_eq!(back, registered());
}

#[test]
fn the_log_names_each_event_by_its_variant_at_version_one() {
    use cqrs_es::DomainEvent;
    assert_eq!(registered().event_type(), "SubjectRegistered");
    assert_eq!(registered().event_version(), "1");
}

#[test]
fn an_oversized_sealed_value_is_refused_naming_the_field() {
    let identity = Sealed::from_bytes(vec![1; Sealed::MAX_BYTES + 1]);
    let body = SubjectCommand::RegisterSubject { subject: subject_id(), identity, statistics: statistics() };
    Subjects::with(())
        .given_no_previous_events()
        .when(command(context(1), body))
        .then_expect_error(SubjectError::Command(CommandRefused::SealedFieldTooLarge { field: "identity" }));
}

#[test]
fn a_legal_hold_is_placed_once_and_released_once() {
    use crate::retention::LegalHold;
    let hold = LegalHold::AdoptionInvestigation;
    let placed = Stamped::new(&context(2), SubjectEvent::LegalHoldPlaced { hold });
    Subjects::with(())
        .given(vec![registered()])
        .when(command(context(2), SubjectCommand::PlaceLegalHold { hold }))
        .then_expect_events(vec![placed.clone()]);
    Subjects::with(())
        .given(vec![registered(), placed.clone()])
        .when(command(context(3), SubjectCommand::PlaceLegalHold { hold }))
        .then_expect_error(SubjectError::HoldAlreadyPlaced);
    Subjects::with(())
        .given(vec![registered()])
        .when(command(context(3), SubjectCommand::ReleaseLegalHold { hold }))
        .then_expect_error(SubjectError::HoldNotPlaced);
    Subjects::with(())
        .given(vec![registered(), placed])
        .when(command(context(3), SubjectCommand::ReleaseLegalHold { hold }))
        .then_expect_events(vec![Stamped::new(&context(3), SubjectEvent::LegalHoldReleased { hold })]);
}
