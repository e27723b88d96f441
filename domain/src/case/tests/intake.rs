//! Opening a case, the protection assessment and the preliminary assessment.

use super::*;
use crate::event::Stamped;

#[test]
fn opening_a_case_records_its_unit_subject_and_origin() {
    let context = worker_at(1, RECEIVED);
    Cases::with(())
        .given_no_previous_events()
        .when(cmd(context, open(UnitKind::SocialServices, None)))
        .then_expect_events(vec![Stamped::new(
            &context,
            CaseEvent::CaseOpened {
                case: case_id(),
                subject: subject(),
                unit: social_services(),
                unit_kind: UnitKind::SocialServices,
                origin: CaseOrigin::OwnInitiative,
                concerns: concerns(),
                protection_assessed_on: None,
                prior_investigation: None,
            },
        )]);
}

#[test]
fn a_case_is_opened_once_and_about_something() {
    let story = Story::opened();
    story.when(story.worker(TODAY), open(UnitKind::SocialServices, None)).then_expect_error(CaseError::AlreadyOpened);
    let mut body = open(UnitKind::SocialServices, None);
    if let CaseCommand::OpenCase { concerns, .. } = &mut body {
        concerns.clear();
    }
    Cases::with(())
        .given_no_previous_events()
        .when(cmd(worker_at(1, TODAY), body))
        .then_expect_error(CaseError::NoConcernCategory);
}

#[test]
fn a_command_on_a_case_that_was_never_opened_is_refused() {
    Cases::with(())
        .given_no_previous_events()
        .when(cmd(worker_at(1, TODAY), assess_protection(None)))
        .then_expect_error(CaseError::NotOpened);
}

#[test]
fn a_worker_of_another_unit_cannot_act_on_the_case() {
    let story = Story::opened();
    let outsider = context_at(50, Role::SocialWorker, other_district(), TODAY);
    story
        .when(outsider, assess_protection(None))
        .then_expect_error(CaseError::Command(CommandRefused::OutsideActorsUnit));
}

#[test]
fn the_protection_assessment_after_the_next_day_needs_a_reason() {
    let story = Story::opened();
    let late = date!(2026 - 06 - 03);
    story
        .when(story.worker(late), assess_protection(None))
        .then_expect_error(CaseError::ProtectionAssessmentLateWithoutReason { due_on: date!(2026 - 06 - 02) });
    let on_time = story.worker(date!(2026 - 06 - 02));
    let events = story.expect(
        on_time,
        vec![CaseEvent::ProtectionAssessed {
            immediate_protection_needed: false,
            assessment: sealed("safe at home"),
            late_reason: None,
        }],
    );
    story.when(on_time, assess_protection(None)).then_expect_events(events);
    assert!(story.when(story.worker(late), assess_protection(Some(sealed("no answer")))).inspect_result().is_ok());
}

#[test]
fn the_preliminary_assessment_needs_a_protection_assessment_first() {
    let story = Story::opened();
    story
        .when(story.worker(RECEIVED), decide_preliminary(PreliminaryDecision::NoInvestigation, None))
        .then_expect_error(CaseError::ProtectionAssessmentMissing);
    let from_referral = Story::default().step(worker_at(0, RECEIVED), open(UnitKind::SocialServices, Some(RECEIVED)));
    assert!(from_referral
        .when(from_referral.worker(RECEIVED), decide_preliminary(PreliminaryDecision::NoInvestigation, None))
        .inspect_result()
        .is_ok());
}

#[test]
fn the_preliminary_assessment_after_fourteen_days_needs_an_exceptional_reason() {
    let story = Story::assessed();
    let last_day = date!(2026 - 06 - 15);
    let day_after = date!(2026 - 06 - 16);
    assert!(story
        .when(story.worker(last_day), decide_preliminary(PreliminaryDecision::OpenInvestigation, None))
        .inspect_result()
        .is_ok());
    story
        .when(story.worker(day_after), decide_preliminary(PreliminaryDecision::OpenInvestigation, None))
        .then_expect_error(CaseError::DeadlinePassedWithoutReason { due_on: last_day });
    let explained = decide_preliminary(PreliminaryDecision::OpenInvestigation, Some(sealed("child abroad")));
    assert!(story.when(story.worker(day_after), explained).inspect_result().is_ok());
}

#[test]
fn a_child_not_heard_needs_the_reason_why() {
    let story = Story::assessed();
    let body = CaseCommand::DecidePreliminaryAssessment {
        decision: PreliminaryDecision::NoInvestigation,
        reasons: sealed("reasons"),
        child_heard: ChildHeard::No(sealed("")),
        exceptional_reason: None,
    };
    story
        .when(story.worker(RECEIVED), body)
        .then_expect_error(CaseError::Command(CommandRefused::SealedFieldEmpty { field: "child_heard.why_not" }));
}

#[test]
fn the_preliminary_assessment_is_decided_once() {
    let story = Story::decided_to_investigate();
    story
        .when(story.worker(TODAY), decide_preliminary(PreliminaryDecision::NoInvestigation, Some(sealed("x"))))
        .then_expect_error(CaseError::NotAllowedInPhase { phase: CasePhase::InvestigationDecided });
}

#[test]
fn a_providers_case_has_no_preliminary_assessment_or_investigation() {
    let framtid_worker = context_at(1, Role::SocialWorker, framtid(), RECEIVED);
    let story = Story::default().step(framtid_worker, open(UnitKind::FramtidStockholm, None));
    let mut context = framtid_worker;
    context.command_id = crate::ids::CommandId::from_ulid(ulid(2));
    story.when(context, assess_protection(None)).then_expect_error(CaseError::NotASocialServicesCase);
}

#[test]
fn a_date_before_receipt_is_refused() {
    let story = Story::opened();
    story.when(story.worker(date!(2026 - 05 - 31)), assess_protection(None)).then_expect_error(CaseError::Command(
        CommandRefused::OccurredBeforePrecedingStep { occurred_on: date!(2026 - 05 - 31), preceding_on: RECEIVED },
    ));
}

/// A case opened after the report was received: the opening records the day of receipt, and the clocks run from
/// it — the preliminary assessment is due 14 days after receipt, not after opening (issue 12, #2).
#[test]
fn the_clocks_run_from_the_day_the_report_was_received() {
    let received = date!(2026 - 06 - 01);
    let opened_on = date!(2026 - 06 - 04);
    let mut body = open(UnitKind::SocialServices, None);
    if let CaseCommand::OpenCase { received_on, .. } = &mut body {
        *received_on = Some(received);
    }
    let context = worker_at(1, opened_on);
    let opened = Story::default().step(context, body.clone());
    assert_eq!(opened.events.len(), 2);
    assert_eq!(opened.events[1].event, CaseEvent::ReceivedBeforeOpening { received_on: received });
    assert_eq!(opened.case.received_on, Some(received));
    let assessed = opened.by_worker(date!(2026 - 06 - 04), assess_protection(Some(sealed("opened late"))));
    // 2026-06-15 is 14 days after receipt: on time. 2026-06-16 is late, though only 12 days after opening.
    let decide = decide_preliminary(PreliminaryDecision::OpenInvestigation, None);
    assessed.when(assessed.worker(date!(2026 - 06 - 16)), decide.clone()).then_expect_error(
        CaseError::DeadlinePassedWithoutReason { due_on: crate::calendar::preliminary_assessment_due(received) },
    );
    // Received the day it is opened: nothing more to record.
    let mut same_day = body.clone();
    if let CaseCommand::OpenCase { received_on, .. } = &mut same_day {
        *received_on = Some(opened_on);
    }
    assert_eq!(Story::default().step(context, same_day).events.len(), 1);
    // Opened before it was received: refused.
    let mut before = body;
    if let CaseCommand::OpenCase { received_on, .. } = &mut before {
        *received_on = Some(date!(2026 - 06 - 05));
    }
    Cases::with(())
        .given_no_previous_events()
        .when(cmd(context, before))
        .then_expect_error(CaseError::OpenedBeforeReceipt);
}

/// A case whose opening predates this rule — no `ReceivedBeforeOpening` in its log — runs from its opening, as
/// it did.
#[test]
fn a_case_opened_before_the_day_of_receipt_was_recorded_runs_from_its_opening() {
    let story = Story::opened();
    assert_eq!(story.case.received_on, Some(RECEIVED));
}

/// An application opens the investigation (issue 12, #3): no protection or preliminary assessment is asked for,
/// and the four months run from the day the application was received.
#[test]
fn an_application_goes_straight_to_investigation() {
    let application = crate::ids::ReferralId::from_ulid(ulid(300));
    let received = date!(2026 - 06 - 01);
    let mut body = open(UnitKind::SocialServices, None);
    if let CaseCommand::OpenCase { origin, received_on, .. } = &mut body {
        *origin = CaseOrigin::Application(application);
        *received_on = Some(received);
    }
    let opened = Story::default().step(worker_at(1, date!(2026 - 06 - 03)), body);
    let kinds: Vec<_> = opened.events.iter().map(|event| crate::event::EventKind::kind(&event.event)).collect();
    assert_eq!(kinds, ["CaseOpened", "ReceivedBeforeOpening", "InvestigationOpenedOnApplication"]);
    assert_eq!(opened.case.phase, CasePhase::InvestigationDecided);
    let context = opened.worker(date!(2026 - 06 - 10));
    let due_on = crate::calendar::investigation_due(received);
    opened.when(context, start_investigation()).then_expect_events(
        opened.expect(context, vec![CaseEvent::InvestigationStarted { concerns: concerns(), due_on }]),
    );
    opened
        .when(opened.worker(date!(2026 - 06 - 10)), decide_preliminary(PreliminaryDecision::OpenInvestigation, None))
        .then_expect_error(CaseError::NotAllowedInPhase { phase: CasePhase::InvestigationDecided });
}
