//! Investigations: the four-month clock, extensions, and chained investigations.

use super::*;
use crate::calendar::investigation_due;

#[test]
fn starting_an_investigation_sets_its_four_month_deadline() {
    let story = Story::decided_to_investigate();
    let context = story.worker(date!(2026 - 06 - 05));
    let events = story
        .expect(context, vec![CaseEvent::InvestigationStarted { concerns: concerns(), due_on: date!(2026 - 10 - 05) }]);
    story.when(context, start_investigation()).then_expect_events(events);
}

#[test]
fn an_investigation_starts_only_after_a_decision_to_investigate() {
    let story = Story::assessed();
    story
        .when(story.worker(TODAY), start_investigation())
        .then_expect_error(CaseError::NotAllowedInPhase { phase: CasePhase::Intake });
    let not_investigated =
        Story::assessed().by_worker(RECEIVED, decide_preliminary(PreliminaryDecision::NoInvestigation, None));
    not_investigated
        .when(not_investigated.worker(TODAY), start_investigation())
        .then_expect_error(CaseError::NotAllowedInPhase { phase: CasePhase::NotInvestigated });
}

#[test]
fn an_investigation_past_its_last_day_is_completed_late_with_why() {
    let story = Story::investigating();
    let due = date!(2026 - 10 - 05);
    assert!(story
        .when(story.worker(due), complete(InvestigationResult::NoInterventionNeeded))
        .inspect_result()
        .is_ok());
    story
        .when(story.worker(date!(2026 - 10 - 06)), complete(InvestigationResult::NoInterventionNeeded))
        .then_expect_error(CaseError::InvestigationLateWithoutReason { due_on: due });
    let late = CaseCommand::CompleteInvestigation {
        result: InvestigationResult::NoInterventionNeeded,
        conclusion: sealed("conclusion"),
        late_reason: Some(sealed("waited for the child psychiatry's statement")),
    };
    let context = story.worker(date!(2026 - 10 - 06));
    story.when(context, late).then_expect_events(story.expect(
        context,
        vec![
            CaseEvent::InvestigationCompleted {
                result: InvestigationResult::NoInterventionNeeded,
                conclusion: sealed("conclusion"),
            },
            CaseEvent::InvestigationCompletedLate {
                due_on: due,
                late_reason: sealed("waited for the child psychiatry's statement"),
            },
        ],
    ));
    let extended = Story::investigating().by_manager(
        date!(2026 - 10 - 01),
        CaseCommand::ExtendInvestigation {
            new_due_on: date!(2026 - 11 - 05),
            reason: sealed("waiting for BUP"),
            delegated: crate::delegation::Delegated::by_default(
                crate::delegation::DecisionKind::InvestigationExtension,
            ),
        },
    );
    assert!(extended
        .when(extended.worker(date!(2026 - 10 - 20)), complete(InvestigationResult::NoInterventionNeeded))
        .inspect_result()
        .is_ok());
    extended
        .when(extended.worker(date!(2026 - 11 - 06)), complete(InvestigationResult::NoInterventionNeeded))
        .then_expect_error(CaseError::InvestigationLateWithoutReason { due_on: date!(2026 - 11 - 05) });
}

#[test]
fn only_a_unit_manager_extends_an_investigation_and_only_to_a_later_day() {
    let story = Story::investigating();
    let extend = |new_due_on| CaseCommand::ExtendInvestigation {
        new_due_on,
        reason: sealed("reason"),
        delegated: crate::delegation::Delegated::by_default(crate::delegation::DecisionKind::InvestigationExtension),
    };
    story
        .when(story.worker(date!(2026 - 10 - 01)), extend(date!(2026 - 11 - 05)))
        .then_expect_error(CaseError::NotDelegated { decision: DecisionKind::InvestigationExtension });
    story
        .when(story.manager(date!(2026 - 10 - 01)), extend(date!(2026 - 10 - 05)))
        .then_expect_error(CaseError::ExtensionNotLater { due_on: date!(2026 - 10 - 05) });
    story.when(story.manager(date!(2026 - 10 - 01)), extend(date!(2026 - 11 - 05))).then_expect_events(story.expect(
        story.manager(date!(2026 - 10 - 01)),
        vec![CaseEvent::InvestigationExtended {
            new_due_on: date!(2026 - 11 - 05),
            reason: sealed("reason"),
            decided_after_deadline: false,
        }],
    ));
}

#[test]
fn an_extension_is_decided_before_the_deadline_never_after() {
    let story = Story::investigating();
    let late = story.manager(date!(2026 - 10 - 10));
    let body = CaseCommand::ExtendInvestigation {
        new_due_on: date!(2026 - 11 - 10),
        reason: sealed("reason"),
        delegated: crate::delegation::Delegated::by_default(crate::delegation::DecisionKind::InvestigationExtension),
    };
    story.when(late, body).then_expect_error(CaseError::ExtensionAfterDeadline { due_on: date!(2026 - 10 - 05) });
}

/// An extension decided after the deadline under the rule of before 2026-12 stays in the log and replays.
#[test]
fn an_extension_decided_late_before_the_rule_changed_still_replays() {
    let mut story = Story::investigating();
    let context = story.manager(date!(2026 - 10 - 10));
    story.case.apply(Stamped::new(
        &context,
        CaseEvent::InvestigationExtended {
            new_due_on: date!(2026 - 11 - 10),
            reason: sealed("reason"),
            decided_after_deadline: true,
        },
    ));
    assert_eq!(
        story.case.investigation.as_ref().map(|investigation| investigation.due_on),
        Some(date!(2026 - 11 - 10))
    );
}

/// Closes the investigating case on `closed_on` and reopens it the same day, up to a new decision to investigate.
fn closed_and_reopened(closed_on: Date) -> Story {
    Story::investigating()
        .by_worker(closed_on, close(CloseReason::Other))
        .by_worker(closed_on, CaseCommand::ReopenCase { reason: sealed("new report") })
        .by_worker(closed_on, assess_protection(None))
        .by_worker(closed_on, decide_preliminary(PreliminaryDecision::OpenInvestigation, None))
}

#[test]
fn closing_and_reopening_to_restart_the_clock_is_flagged() {
    let story = closed_and_reopened(date!(2026 - 09 - 30));
    let context = story.worker(date!(2026 - 09 - 30));
    let events = story.expect(
        context,
        vec![
            CaseEvent::InvestigationStarted { concerns: concerns(), due_on: investigation_due(date!(2026 - 09 - 30)) },
            CaseEvent::ChainedInvestigationFlagged {
                previous_case: None,
                first_started_on: date!(2026 - 06 - 05),
                previous_ended_on: date!(2026 - 09 - 30),
            },
        ],
    );
    story.when(context, start_investigation()).then_expect_events(events);
}

#[test]
fn a_new_investigation_on_another_question_or_long_after_is_not_flagged() {
    let story = closed_and_reopened(date!(2026 - 07 - 01));
    let other_question = CaseCommand::StartInvestigation { concerns: [ConcernCategory::VictimOfCrime].into() };
    let events = story.when(story.worker(date!(2026 - 07 - 01)), other_question).inspect_result().unwrap();
    assert_eq!(events.len(), 1);
    let events = story.when(story.worker(date!(2026 - 10 - 01)), start_investigation()).inspect_result().unwrap();
    assert_eq!(events.len(), 1, "92 days after the last investigation ended is not chained");
}

#[test]
fn an_investigation_following_one_in_another_case_is_flagged() {
    let previous_case = CaseId::from_ulid(ulid(401));
    let prior = PriorInvestigation {
        case: previous_case,
        first_started_on: date!(2026 - 01 - 10),
        ended_on: date!(2026 - 05 - 10),
        concerns: [ConcernCategory::DrugOffence].into(),
    };
    let mut body = open(UnitKind::SocialServices, Some(RECEIVED));
    if let CaseCommand::OpenCase { prior_investigation, .. } = &mut body {
        *prior_investigation = Some(prior);
    }
    let story = Story::default()
        .step(worker_at(0, RECEIVED), body)
        .by_worker(RECEIVED, decide_preliminary(PreliminaryDecision::OpenInvestigation, None));
    let events = story.when(story.worker(RECEIVED), start_investigation()).inspect_result().unwrap();
    assert_eq!(
        events[1].event,
        CaseEvent::ChainedInvestigationFlagged {
            previous_case: Some(previous_case),
            first_started_on: date!(2026 - 01 - 10),
            previous_ended_on: date!(2026 - 05 - 10),
        }
    );
}

/// The four months run from the decision to open an investigation, not from the day its start is recorded
/// (issue 12, #2).
#[test]
fn the_investigation_is_due_four_months_after_the_decision_to_open_it() {
    let decided = Story::decided_to_investigate();
    let later = date!(2026 - 06 - 20);
    let context = decided.worker(later);
    let due_on = crate::calendar::investigation_due(date!(2026 - 06 - 05));
    decided.when(context, start_investigation()).then_expect_events(
        decided.expect(context, vec![CaseEvent::InvestigationStarted { concerns: concerns(), due_on }]),
    );
}
