//! Given/when/then tests of the Referral's rules.

use cqrs_es::test::TestFramework;
use time::macros::date;

use super::*;
use crate::command::Command;
use crate::command::{CommandContext, CommandRefused, Role};
use crate::ids::ConsentId;
use crate::legal::LegalGroundCode;
use crate::sealed::Sealed;
use crate::testing::*;
use crate::units::UnitKind;
use cqrs_es::Aggregate as _;

type Referrals = TestFramework<Referral>;

fn referral_id() -> ReferralId {
    ReferralId::from_ulid(ulid(300))
}

fn subject() -> SubjectId {
    SubjectId::from_ulid(ulid(100))
}

/// A command by a social worker at `unit`, numbered `n`, that happened on `on`.
fn at(unit: UnitId, n: u64, on: Date) -> CommandContext {
    context_at(n, Role::SocialWorker, unit, on)
}

fn school(n: u64) -> CommandContext {
    at(school_team(), n, TODAY)
}

fn social(n: u64) -> CommandContext {
    at(social_services(), n, TODAY)
}

fn cmd(context: CommandContext, body: ReferralCommand) -> Command<ReferralCommand> {
    Command { context, body }
}

fn send(
    kind: ReferralKind,
    to_unit: UnitId,
    to_unit_kind: UnitKind,
    basis: Option<DisclosureBasis>,
) -> ReferralCommand {
    ReferralCommand::SendReferral {
        referral: referral_id(),
        kind,
        subject: subject(),
        to_unit,
        to_unit_kind,
        concerns: [ConcernCategory::SchoolAbsence].into(),
        reason: sealed("absent since October"),
        basis,
        information: if kind == ReferralKind::Referral {
            [InformationCategory::School].into()
        } else {
            BTreeSet::new()
        },
        forwarded_from: None,
    }
}

fn report() -> ReferralCommand {
    send(ReferralKind::ReportOfConcern, social_services(), UnitKind::SocialServices, None)
}

fn event_for(context: CommandContext, body: ReferralCommand) -> Stamped<ReferralEvent> {
    let mut events = Referral::default().decide(&context, body).unwrap();
    Stamped::new(&context, events.remove(0))
}

fn report_sent() -> Stamped<ReferralEvent> {
    event_for(school(1), report())
}

fn assessment(on: Date, late_reason: Option<Sealed>) -> ProtectionAssessment {
    ProtectionAssessment {
        immediate_protection_needed: false,
        assessment: sealed("no immediate danger"),
        assessed_on: on,
        late_reason,
    }
}

fn report_received() -> Stamped<ReferralEvent> {
    Stamped::new(&social(2), ReferralEvent::ReferralReceived { protection_assessment: Some(assessment(TODAY, None)) })
}

fn referral_to_framtid_sent() -> Stamped<ReferralEvent> {
    let consent = DisclosureBasis::Consent(ConsentId::from_ulid(ulid(200)));
    event_for(social(1), send(ReferralKind::Referral, framtid(), UnitKind::FramtidStockholm, Some(consent)))
}

fn accepted_by_framtid() -> Vec<Stamped<ReferralEvent>> {
    vec![
        referral_to_framtid_sent(),
        Stamped::new(&at(framtid(), 2, TODAY), ReferralEvent::ReferralReceived { protection_assessment: None }),
        Stamped::new(
            &at(framtid(), 3, TODAY),
            ReferralEvent::ReferralAccepted { case: crate::ids::CaseId::from_ulid(ulid(400)) },
        ),
    ]
}

#[test]
fn a_school_sends_a_report_of_concern_to_social_services() {
    let sent = report_sent();
    assert!(matches!(sent.event, ReferralEvent::ReferralSent { from_unit, .. } if from_unit == school_team()));
    Referrals::with(()).given_no_previous_events().when(cmd(school(1), report())).then_expect_events(vec![sent]);
}

#[test]
fn a_report_of_concern_to_anyone_but_social_services_is_refused() {
    Referrals::with(())
        .given_no_previous_events()
        .when(cmd(school(1), send(ReferralKind::ReportOfConcern, framtid(), UnitKind::FramtidStockholm, None)))
        .then_expect_error(ReferralError::ReportOfConcernMustGoToSocialServices);
}

#[test]
fn the_administration_receives_no_referrals() {
    let ground = Some(DisclosureBasis::LegalGround(LegalGroundCode::parse("osl-10-2").unwrap()));
    Referrals::with(())
        .given_no_previous_events()
        .when(cmd(school(1), send(ReferralKind::Referral, framtid(), UnitKind::Administration, ground)))
        .then_expect_error(ReferralError::ReceiverTakesNoReferrals);
}

#[test]
fn a_referral_without_consent_or_legal_ground_is_refused() {
    Referrals::with(())
        .given_no_previous_events()
        .when(cmd(social(1), send(ReferralKind::Referral, framtid(), UnitKind::FramtidStockholm, None)))
        .then_expect_error(ReferralError::DisclosureBasisMissing);
}

#[test]
fn a_referral_with_a_named_legal_ground_is_sent_with_what_it_discloses() {
    let ground = DisclosureBasis::LegalGround(LegalGroundCode::parse("osl-10-18a").unwrap());
    let body = send(ReferralKind::Referral, framtid(), UnitKind::FramtidStockholm, Some(ground));
    let sent = event_for(social(1), body.clone());
    let disclosed = Stamped::new(
        &social(1),
        ReferralEvent::InformationDisclosed { categories: [InformationCategory::School].into() },
    );
    Referrals::with(()).given_no_previous_events().when(cmd(social(1), body)).then_expect_events(vec![sent, disclosed]);
}

#[test]
fn a_referral_that_names_no_kind_of_information_is_refused() {
    let ground = DisclosureBasis::LegalGround(LegalGroundCode::parse("osl-10-18a").unwrap());
    let mut body = send(ReferralKind::Referral, framtid(), UnitKind::FramtidStockholm, Some(ground));
    if let ReferralCommand::SendReferral { information, .. } = &mut body {
        information.clear();
    }
    Referrals::with(())
        .given_no_previous_events()
        .when(cmd(social(1), body))
        .then_expect_error(ReferralError::NoInformationCategory);
}

#[test]
fn a_referral_sent_before_disclosures_were_recorded_loads_naming_none() {
    let mut referral = Referral::default();
    referral.apply_event(referral_to_framtid_sent());
    assert_eq!(referral.status, ReferralStatus::Sent);
    assert!(referral.information.is_empty());
    assert!(matches!(referral.basis, Some(DisclosureBasis::Consent(_))));
    let categories: BTreeSet<_> = [InformationCategory::School, InformationCategory::Offending].into();
    let disclosed = ReferralEvent::InformationDisclosed { categories: categories.clone() };
    referral.apply_event(Stamped::new(&social(1), disclosed));
    assert_eq!(referral.information, categories);
}

#[test]
fn an_application_is_registered_not_sent() {
    Referrals::with(())
        .given_no_previous_events()
        .when(cmd(social(1), send(ReferralKind::Application, framtid(), UnitKind::FramtidStockholm, None)))
        .then_expect_error(ReferralError::ApplicationMustBeRegistered);
}

#[test]
fn a_unit_cannot_refer_to_itself_and_must_name_a_concern() {
    Referrals::with(())
        .given_no_previous_events()
        .when(cmd(social(1), send(ReferralKind::ReportOfConcern, social_services(), UnitKind::SocialServices, None)))
        .then_expect_error(ReferralError::CannotReferToOwnUnit);
    let mut body = report();
    if let ReferralCommand::SendReferral { concerns, .. } = &mut body {
        concerns.clear();
    }
    Referrals::with(())
        .given_no_previous_events()
        .when(cmd(school(1), body))
        .then_expect_error(ReferralError::NoConcernCategory);
}

#[test]
fn sending_twice_is_refused() {
    Referrals::with(())
        .given(vec![report_sent()])
        .when(cmd(school(9), report()))
        .then_expect_error(ReferralError::AlreadySent);
}

#[test]
fn a_report_of_concern_is_received_with_its_protection_assessment() {
    Referrals::with(())
        .given(vec![report_sent()])
        .when(cmd(social(2), ReferralCommand::ReceiveReferral { protection_assessment: Some(assessment(TODAY, None)) }))
        .then_expect_events(vec![report_received()]);
    Referrals::with(())
        .given(vec![report_sent()])
        .when(cmd(social(2), ReferralCommand::ReceiveReferral { protection_assessment: None }))
        .then_expect_error(ReferralError::ProtectionAssessmentRequired);
}

#[test]
fn a_protection_assessment_after_the_next_day_needs_a_reason() {
    let received_on = date!(2026 - 11 - 20);
    let late = assessment(date!(2026 - 11 - 22), None);
    Referrals::with(())
        .given(vec![report_sent_on(received_on)])
        .when(cmd(
            at(social_services(), 2, received_on),
            ReferralCommand::ReceiveReferral { protection_assessment: Some(late) },
        ))
        .then_expect_error(ReferralError::ProtectionAssessmentLateWithoutReason { due_on: date!(2026 - 11 - 21) });
    let explained = assessment(date!(2026 - 11 - 22), Some(sealed("reporter could not be reached")));
    let receive = ReferralCommand::ReceiveReferral { protection_assessment: Some(explained) };
    assert!(Referrals::with(())
        .given(vec![report_sent_on(received_on)])
        .when(cmd(at(social_services(), 2, received_on), receive))
        .inspect_result()
        .is_ok());
}

fn report_sent_on(on: Date) -> Stamped<ReferralEvent> {
    event_for(at(school_team(), 1, on), report())
}

#[test]
fn a_protection_assessment_cannot_precede_the_receipt_or_lie_in_the_future() {
    let receive = |on| ReferralCommand::ReceiveReferral { protection_assessment: Some(assessment(on, None)) };
    Referrals::with(())
        .given(vec![report_sent_on(date!(2026 - 11 - 20))])
        .when(cmd(at(social_services(), 2, date!(2026 - 11 - 20)), receive(date!(2026 - 11 - 19))))
        .then_expect_error(ReferralError::ProtectionAssessmentBeforeReceipt);
    Referrals::with(())
        .given(vec![report_sent()])
        .when(cmd(social(2), receive(TODAY.next_day().unwrap())))
        .then_expect_error(ReferralError::ProtectionAssessmentInFuture);
}

#[test]
fn a_receipt_dated_before_the_sending_is_refused() {
    let body =
        ReferralCommand::ReceiveReferral { protection_assessment: Some(assessment(date!(2026 - 11 - 19), None)) };
    Referrals::with(())
        .given(vec![report_sent_on(date!(2026 - 11 - 20))])
        .when(cmd(at(social_services(), 2, date!(2026 - 11 - 19)), body))
        .then_expect_error(ReferralError::Command(CommandRefused::OccurredBeforePrecedingStep {
            occurred_on: date!(2026 - 11 - 19),
            preceding_on: date!(2026 - 11 - 20),
        }));
}

#[test]
fn only_the_receiving_unit_receives() {
    Referrals::with(())
        .given(vec![report_sent()])
        .when(cmd(school(2), ReferralCommand::ReceiveReferral { protection_assessment: Some(assessment(TODAY, None)) }))
        .then_expect_error(ReferralError::Command(CommandRefused::OutsideActorsUnit));
}

#[test]
fn a_received_referral_goes_on_hold_and_resumes_but_not_the_other_way_round() {
    let hold = ReferralCommand::PutReferralOnHold { reason: sealed("waiting for the guardians") };
    let on_hold =
        Stamped::new(&social(3), ReferralEvent::ReferralPutOnHold { reason: sealed("waiting for the guardians") });
    Referrals::with(())
        .given(vec![report_sent(), report_received()])
        .when(cmd(social(3), hold.clone()))
        .then_expect_events(vec![on_hold.clone()]);
    Referrals::with(())
        .given(vec![report_sent(), report_received()])
        .when(cmd(social(3), ReferralCommand::ResumeReferral))
        .then_expect_error(ReferralError::NotAllowedInStatus { status: ReferralStatus::Received });
    Referrals::with(())
        .given(vec![report_sent()])
        .when(cmd(social(3), hold))
        .then_expect_error(ReferralError::NotAllowedInStatus { status: ReferralStatus::Sent });
    Referrals::with(())
        .given(vec![report_sent(), report_received(), on_hold])
        .when(cmd(social(4), ReferralCommand::ResumeReferral))
        .then_expect_events(vec![Stamped::new(&social(4), ReferralEvent::ReferralResumed)]);
}

#[test]
fn a_received_referral_is_accepted_declined_or_forwarded_once() {
    let case = crate::ids::CaseId::from_ulid(ulid(400));
    let accepted = Stamped::new(&social(3), ReferralEvent::ReferralAccepted { case });
    Referrals::with(())
        .given(vec![report_sent(), report_received()])
        .when(cmd(social(3), ReferralCommand::AcceptReferral { case }))
        .then_expect_events(vec![accepted.clone()]);
    Referrals::with(())
        .given(vec![report_sent(), report_received(), accepted])
        .when(cmd(
            social(4),
            ReferralCommand::DeclineReferral { reason_code: DeclineReason::Other, reason: sealed("x") },
        ))
        .then_expect_error(ReferralError::NotAllowedInStatus { status: ReferralStatus::Accepted });
    Referrals::with(())
        .given(vec![report_sent()])
        .when(cmd(social(3), ReferralCommand::AcceptReferral { case }))
        .then_expect_error(ReferralError::NotAllowedInStatus { status: ReferralStatus::Sent });
    Referrals::with(())
        .given(vec![report_sent(), report_received()])
        .when(cmd(
            social(3),
            ReferralCommand::DeclineReferral { reason_code: DeclineReason::AlreadyHandled, reason: sealed("known") },
        ))
        .then_expect_error(ReferralError::ReportOfConcernCannotBeDeclined);
}

#[test]
fn a_report_is_never_declined_but_may_be_handed_over_to_the_municipality_responsible() {
    for reason_code in [DeclineReason::NoCapacity, DeclineReason::AlreadyHandled, DeclineReason::Other] {
        Referrals::with(())
            .given(vec![report_sent(), report_received()])
            .when(cmd(social(3), ReferralCommand::DeclineReferral { reason_code, reason: sealed("no") }))
            .then_expect_error(ReferralError::ReportOfConcernCannotBeDeclined);
    }
    let hand_over = |municipality: &str| ReferralCommand::HandOverReport {
        municipality: municipality.to_owned(),
        reason: sealed("the family lives in Solna"),
    };
    Referrals::with(())
        .given(vec![report_sent(), report_received()])
        .when(cmd(social(3), hand_over(" Solna kommun ")))
        .then_expect_events(vec![Stamped::new(
            &social(3),
            ReferralEvent::ReportHandedOver {
                municipality: "Solna kommun".to_owned(),
                reason: sealed("the family lives in Solna"),
            },
        )]);
    Referrals::with(())
        .given(vec![report_sent(), report_received()])
        .when(cmd(social(3), hand_over("  ")))
        .then_expect_error(ReferralError::MunicipalityMissing);
    Referrals::with(())
        .given(vec![report_sent()])
        .when(cmd(social(3), hand_over("Solna kommun")))
        .then_expect_error(ReferralError::NotAllowedInStatus { status: ReferralStatus::Sent });
    let received_by_framtid =
        Stamped::new(&at(framtid(), 2, TODAY), ReferralEvent::ReferralReceived { protection_assessment: None });
    Referrals::with(())
        .given(vec![referral_to_framtid_sent(), received_by_framtid.clone()])
        .when(cmd(at(framtid(), 3, TODAY), hand_over("Solna kommun")))
        .then_expect_error(ReferralError::OnlyReportsAreHandedOver);
    Referrals::with(())
        .given(vec![referral_to_framtid_sent(), received_by_framtid])
        .when(cmd(
            at(framtid(), 3, TODAY),
            ReferralCommand::DeclineReferral { reason_code: DeclineReason::NoCapacity, reason: sealed("full") },
        ))
        .then_expect_events(vec![Stamped::new(
            &at(framtid(), 3, TODAY),
            ReferralEvent::ReferralDeclined { reason_code: DeclineReason::NoCapacity, reason: sealed("full") },
        )]);
}

#[test]
fn a_report_of_concern_is_forwarded_only_to_social_services() {
    let other_district = UnitId::from_ulid(ulid(9010));
    let forward = |to_unit, to_unit_kind, new| ReferralCommand::ForwardReferral {
        to_unit,
        to_unit_kind,
        new_referral: ReferralId::from_ulid(ulid(new)),
        reason: sealed("lives in another district"),
    };
    Referrals::with(())
        .given(vec![report_sent(), report_received()])
        .when(cmd(social(3), forward(framtid(), UnitKind::FramtidStockholm, 301)))
        .then_expect_error(ReferralError::ReportOfConcernMustGoToSocialServices);
    Referrals::with(())
        .given(vec![report_sent(), report_received()])
        .when(cmd(social(3), forward(other_district, UnitKind::SocialServices, 300)))
        .then_expect_error(ReferralError::ForwardToSameReferral);
    Referrals::with(())
        .given(vec![report_sent(), report_received()])
        .when(cmd(social(3), forward(other_district, UnitKind::SocialServices, 301)))
        .then_expect_events(vec![Stamped::new(
            &social(3),
            ReferralEvent::ReferralForwarded {
                to_unit: other_district,
                new_referral: ReferralId::from_ulid(ulid(301)),
                reason: sealed("lives in another district"),
            },
        )]);
}

#[test]
fn the_sender_withdraws_a_referral_but_never_a_report_of_concern() {
    let withdraw = ReferralCommand::WithdrawReferral { reason: sealed("the family moved") };
    Referrals::with(())
        .given(vec![report_sent()])
        .when(cmd(school(2), withdraw.clone()))
        .then_expect_error(ReferralError::ReportOfConcernCannotBeWithdrawn);
    Referrals::with(())
        .given(vec![referral_to_framtid_sent()])
        .when(cmd(at(framtid(), 2, TODAY), withdraw.clone()))
        .then_expect_error(ReferralError::Command(CommandRefused::OutsideActorsUnit));
    Referrals::with(()).given(vec![referral_to_framtid_sent()]).when(cmd(social(2), withdraw)).then_expect_events(
        vec![Stamped::new(&social(2), ReferralEvent::ReferralWithdrawn { reason: sealed("the family moved") })],
    );
}

#[test]
fn the_receiving_unit_reports_the_intervention_start_and_end_back() {
    let framtid_at = |n| at(framtid(), n, TODAY);
    let started = Stamped::new(&framtid_at(4), ReferralEvent::InterventionStartReported);
    Referrals::with(())
        .given(accepted_by_framtid())
        .when(cmd(framtid_at(4), ReferralCommand::ReportInterventionStarted))
        .then_expect_events(vec![started.clone()]);
    let mut history = accepted_by_framtid();
    history.push(started.clone());
    Referrals::with(())
        .given(history.clone())
        .when(cmd(framtid_at(5), ReferralCommand::ReportInterventionStarted))
        .then_expect_error(ReferralError::InterventionStartAlreadyReported);
    Referrals::with(())
        .given(history.clone())
        .when(cmd(
            framtid_at(5),
            ReferralCommand::ReportInterventionEnded { outcome: InterventionOutcome::NeverStarted },
        ))
        .then_expect_error(ReferralError::OutcomeContradictsStart);
    Referrals::with(())
        .given(accepted_by_framtid())
        .when(cmd(
            framtid_at(5),
            ReferralCommand::ReportInterventionEnded { outcome: InterventionOutcome::CompletedAsPlanned },
        ))
        .then_expect_error(ReferralError::OutcomeContradictsStart);
    let ended = Stamped::new(
        &framtid_at(5),
        ReferralEvent::InterventionEndReported { outcome: InterventionOutcome::CompletedAsPlanned },
    );
    Referrals::with(())
        .given(history.clone())
        .when(cmd(
            framtid_at(5),
            ReferralCommand::ReportInterventionEnded { outcome: InterventionOutcome::CompletedAsPlanned },
        ))
        .then_expect_events(vec![ended.clone()]);
    history.push(ended);
    Referrals::with(())
        .given(history)
        .when(cmd(framtid_at(6), ReferralCommand::ReportInterventionEnded { outcome: InterventionOutcome::MovedAway }))
        .then_expect_error(ReferralError::InterventionEndAlreadyReported);
    Referrals::with(())
        .given(vec![report_sent(), report_received()])
        .when(cmd(social(4), ReferralCommand::ReportInterventionStarted))
        .then_expect_error(ReferralError::NotAllowedInStatus { status: ReferralStatus::Received });
}

#[test]
fn feedback_goes_from_the_receiver_to_the_sender_after_receipt() {
    let feedback = ReferralCommand::GiveFeedback { feedback: FeedbackKind::InvestigationOpened, message: None };
    Referrals::with(())
        .given(vec![report_sent(), report_received()])
        .when(cmd(social(3), feedback.clone()))
        .then_expect_events(vec![Stamped::new(
            &social(3),
            ReferralEvent::FeedbackGiven { feedback: FeedbackKind::InvestigationOpened, message: None },
        )]);
    Referrals::with(())
        .given(vec![report_sent()])
        .when(cmd(social(3), feedback.clone()))
        .then_expect_error(ReferralError::NotAllowedInStatus { status: ReferralStatus::Sent });
    Referrals::with(())
        .given(vec![report_sent(), report_received()])
        .when(cmd(school(3), feedback.clone()))
        .then_expect_error(ReferralError::Command(CommandRefused::OutsideActorsUnit));
    let application = application();
    Referrals::with(())
        .given(vec![event_for(social(1), application)])
        .when(cmd(social(3), feedback))
        .then_expect_error(ReferralError::NoSendingUnit);
}

/// A young person's application, registered by social services.
fn application() -> ReferralCommand {
    ReferralCommand::RegisterApplication {
        referral: referral_id(),
        subject: subject(),
        applicant: Applicant::YoungPerson,
        concerns: [ConcernCategory::SubstanceUse].into(),
        reason: sealed("wants help"),
    }
}

#[test]
fn an_application_is_decided_where_it_was_made_never_forwarded() {
    let application = application();
    let forward = ReferralCommand::ForwardReferral {
        to_unit: framtid(),
        to_unit_kind: UnitKind::FramtidStockholm,
        new_referral: ReferralId::from_ulid(ulid(777)),
        reason: sealed("better there"),
    };
    Referrals::with(())
        .given(vec![event_for(social(1), application)])
        .when(cmd(social(2), forward))
        .then_expect_error(ReferralError::ApplicationIsNotForwarded);
}

#[test]
fn an_application_is_received_when_registered_and_withdrawn_by_the_unit_that_registered_it() {
    let application = application();
    let registered = event_for(social(1), application);
    let mut referral = Referral::default();
    referral.apply(registered.clone());
    assert_eq!(referral.status, ReferralStatus::Received);
    assert_eq!(referral.received_on, Some(TODAY));
    Referrals::with(())
        .given(vec![registered])
        .when(cmd(social(2), ReferralCommand::WithdrawReferral { reason: sealed("no longer wanted") }))
        .then_expect_events(vec![Stamped::new(
            &social(2),
            ReferralEvent::ReferralWithdrawn { reason: sealed("no longer wanted") },
        )]);
}

#[test]
fn an_administrator_cannot_send_a_referral() {
    Referrals::with(())
        .given_no_previous_events()
        .when(cmd(context_at(1, Role::Administrator, school_team(), TODAY), report()))
        .then_expect_error(ReferralError::Command(CommandRefused::RoleNotPermitted { role: Role::Administrator }));
}

#[test]
fn a_command_on_a_referral_never_sent_is_refused() {
    Referrals::with(())
        .given_no_previous_events()
        .when(cmd(social(1), ReferralCommand::ResumeReferral))
        .then_expect_error(ReferralError::NotSent);
}

fn register_report(reporter: ReporterCategory, identity: Option<&str>, unit_kind: UnitKind) -> ReferralCommand {
    ReferralCommand::RegisterReport {
        referral: referral_id(),
        unit_kind,
        subject: subject(),
        reporter,
        reporter_identity: identity.map(sealed),
        concerns: [ConcernCategory::SchoolAbsence].into(),
        reason: sealed("the boy sleeps in the stairwell"),
        protection_assessment: assessment(TODAY, None),
    }
}

/// The police's notice of a suspect under 18, registered by social services in `context`: its events.
fn police_notice_registered(context: &CommandContext) -> Vec<ReferralEvent> {
    let notice = register_report(
        ReporterCategory::PoliceNoticeOfSuspect,
        Some("Polisen, region Stockholm"),
        UnitKind::SocialServices,
    );
    Referral::default().decide(context, notice).expect("registered")
}

/// Reports come from anyone (issue 12, #1): social services register one from outside the directory, received at
/// once with its protection assessment, the reporter's category and duty recorded and their identity sealed (none
/// for an anonymous caller).
#[test]
fn a_report_from_outside_the_directory_is_registered_and_received() {
    let context = social(1);
    let registered = police_notice_registered(&context);
    let [ReferralEvent::ReportRegistered { duty_to_report, to_unit, .. }] = registered.as_slice() else {
        panic!("{registered:?}")
    };
    assert_eq!((*duty_to_report, *to_unit), (true, social_services()));
    let mut referral = Referral::default();
    referral.apply(Stamped::new(&context, registered[0].clone()));
    assert_eq!(
        (referral.status, referral.kind, referral.from_unit),
        (ReferralStatus::Received, Some(ReferralKind::ReportOfConcern), None)
    );
    let anonymous = Referral::default()
        .decide(&context, register_report(ReporterCategory::Anonymous, None, UnitKind::SocialServices))
        .expect("registered");
    assert!(matches!(
        anonymous.as_slice(),
        [ReferralEvent::ReportRegistered { duty_to_report: false, reporter_identity: None, .. }]
    ));
    for (reporter, identity) in [(ReporterCategory::Anonymous, Some("a name")), (ReporterCategory::PrivatePerson, None)]
    {
        Referrals::with(())
            .given_no_previous_events()
            .when(cmd(context, register_report(reporter, identity, UnitKind::SocialServices)))
            .then_expect_error(ReferralError::ReporterIdentityMismatch);
    }
    Referrals::with(())
        .given_no_previous_events()
        .when(cmd(school(1), register_report(ReporterCategory::Child, Some("the child"), UnitKind::SchoolSocialTeam)))
        .then_expect_error(ReferralError::ReportsAreRegisteredBySocialServices);
    // Once registered, it is assessed like any report: never declined, handed over or accepted into a case.
    Referrals::with(())
        .given(vec![Stamped::new(&context, registered[0].clone())])
        .when(cmd(
            social(2),
            ReferralCommand::DeclineReferral { reason_code: DeclineReason::Other, reason: sealed("no") },
        ))
        .then_expect_error(ReferralError::ReportOfConcernCannotBeDeclined);
}

/// Feedback owed (issue 12, #10): a reporter from outside the directory is given feedback like a unit is, unless
/// anonymous; feedback to a report's reporter may instead be judged inappropriate, with why — once, and not after
/// it was given; and only for a report of concern.
#[test]
fn feedback_to_a_reporter_is_given_or_judged_inappropriate_once() {
    let context = social(1);
    let police = police_notice_registered(&context);
    let police = vec![Stamped::new(&context, police[0].clone())];
    let feedback = ReferralCommand::GiveFeedback { feedback: FeedbackKind::InvestigationOpened, message: None };
    Referrals::with(()).given(police.clone()).when(cmd(social(2), feedback.clone())).then_expect_events(vec![
        Stamped::new(
            &social(2),
            ReferralEvent::FeedbackGiven { feedback: FeedbackKind::InvestigationOpened, message: None },
        ),
    ]);
    let anonymous = Referral::default()
        .decide(&context, register_report(ReporterCategory::Anonymous, None, UnitKind::SocialServices))
        .expect("registered");
    let anonymous = vec![Stamped::new(&context, anonymous[0].clone())];
    Referrals::with(())
        .given(anonymous)
        .when(cmd(social(2), feedback.clone()))
        .then_expect_error(ReferralError::ReporterAnonymous);

    let judge = ReferralCommand::JudgeFeedbackInappropriate { reason: sealed("the reporter is the suspected parent") };
    Referrals::with(()).given(police.clone()).when(cmd(social(2), judge.clone())).then_expect_events(vec![
        Stamped::new(
            &social(2),
            ReferralEvent::FeedbackJudgedInappropriate { reason: sealed("the reporter is the suspected parent") },
        ),
    ]);
    let mut given = police.clone();
    given.push(Stamped::new(
        &social(2),
        ReferralEvent::FeedbackGiven { feedback: FeedbackKind::InvestigationOpened, message: None },
    ));
    Referrals::with(())
        .given(given)
        .when(cmd(social(3), judge.clone()))
        .then_expect_error(ReferralError::FeedbackAlreadySettled);
    let mut judged = police;
    judged.push(Stamped::new(
        &social(2),
        ReferralEvent::FeedbackJudgedInappropriate { reason: sealed("the reporter is the suspected parent") },
    ));
    let mut referral = Referral::default();
    for event in judged.clone() {
        referral.apply(event);
    }
    assert_eq!((referral.reporter_has_duty, referral.feedback_judged_inappropriate_on), (true, Some(TODAY)));
    Referrals::with(())
        .given(judged)
        .when(cmd(social(3), judge.clone()))
        .then_expect_error(ReferralError::FeedbackAlreadySettled);
    Referrals::with(())
        .given(vec![event_for(social(1), application())])
        .when(cmd(social(3), judge))
        .then_expect_error(ReferralError::OnlyReportsOweFeedback);
}
