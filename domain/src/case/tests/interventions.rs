//! Decisions on interventions, their plans, follow-ups and ends.

use super::*;
use crate::ids::{GoalId, InterventionId, ReferralId};
use crate::legal::LegalGroundCode;
use crate::outcomes::{GoalAttainment, InterventionKind, InterventionOutcome};

fn intervention() -> InterventionId {
    InterventionId::from_ulid(ulid(500))
}

fn goal(n: u64) -> GoalId {
    GoalId::from_ulid(ulid(600 + n))
}

fn decide() -> CaseCommand {
    CaseCommand::DecideIntervention {
        intervention: intervention(),
        kind: InterventionKind::YouthOutpatientSupport,
        legal_basis: LegalGroundCode::parse("sol-4-1").unwrap(),
        reasons: sealed("needs structured support"),
        stage: DecisionStage::AfterInvestigation,
        delegated: crate::delegation::Delegated::by_default(crate::delegation::DecisionKind::Intervention),
    }
}

fn plan(goals: Vec<PlannedGoal>) -> CaseCommand {
    CaseCommand::PlanIntervention {
        intervention: intervention(),
        provider: Some(framtid()),
        referral: Some(ReferralId::from_ulid(ulid(301))),
        goals,
        planned_start: date!(2026 - 09 - 15),
        first_follow_up_on: date!(2026 - 10 - 15),
    }
}

fn goals(n: u64) -> Vec<PlannedGoal> {
    (1..=n).map(|i| PlannedGoal { goal: goal(i), description: sealed("attend school") }).collect()
}

fn started() -> Story {
    Story::investigated()
        .by_manager(date!(2026 - 09 - 02), decide())
        .by_worker(date!(2026 - 09 - 03), plan(goals(2)))
        .by_worker(date!(2026 - 09 - 15), CaseCommand::StartIntervention { intervention: intervention() })
}

fn follow_up(attainments: &[(u64, i8)], next: Option<Date>) -> CaseCommand {
    CaseCommand::FollowUpIntervention {
        intervention: intervention(),
        attainments: attainments.iter().map(|(g, score)| (goal(*g), GoalAttainment::new(*score).unwrap())).collect(),
        notes: sealed("going well"),
        next_follow_up_on: next,
    }
}

fn end(outcome: InterventionOutcome) -> CaseCommand {
    CaseCommand::EndIntervention { intervention: intervention(), outcome, summary: sealed("summary") }
}

#[test]
fn a_unit_manager_decides_an_intervention_after_an_investigation_that_found_it_needed() {
    let story = Story::investigated();
    story
        .when(story.worker(TODAY), decide())
        .then_expect_error(CaseError::NotDelegated { decision: DecisionKind::Intervention });
    let context = story.manager(TODAY);
    let CaseCommand::DecideIntervention { intervention, kind, legal_basis, reasons, .. } = decide() else {
        unreachable!()
    };
    story.when(context, decide()).then_expect_events(
        story.expect(context, vec![CaseEvent::InterventionDecided { intervention, kind, legal_basis, reasons }]),
    );
    let investigating = Story::investigating();
    investigating
        .when(investigating.manager(TODAY), decide())
        .then_expect_error(CaseError::NoInvestigationSupportsIntervention);
    let no_need =
        Story::investigating().by_worker(date!(2026 - 09 - 01), complete(InvestigationResult::NoInterventionNeeded));
    no_need.when(no_need.manager(TODAY), decide()).then_expect_error(CaseError::NoInvestigationSupportsIntervention);
}

#[test]
fn an_intervention_id_is_used_once() {
    let story = Story::investigated().by_manager(date!(2026 - 09 - 02), decide());
    story.when(story.manager(TODAY), decide()).then_expect_error(CaseError::InterventionIdAlreadyUsed);
}

#[test]
fn a_providers_case_decides_interventions_without_an_investigation() {
    let framtid_manager = context_at(1, Role::UnitManager, framtid(), RECEIVED);
    let story = Story::default().step(framtid_manager, open(UnitKind::FramtidStockholm, None));
    let mut context = framtid_manager;
    context.command_id = crate::ids::CommandId::from_ulid(ulid(2));
    assert!(story.when(context, decide()).inspect_result().is_ok());
}

#[test]
fn a_plan_needs_distinct_goals_and_follow_up_after_the_start() {
    let story = Story::investigated().by_manager(date!(2026 - 09 - 02), decide());
    let on = date!(2026 - 09 - 03);
    story.when(story.worker(on), plan(vec![])).then_expect_error(CaseError::NoGoals);
    story.when(story.worker(on), plan(goals(11))).then_expect_error(CaseError::TooManyGoals { max: MAX_GOALS });
    let mut duplicated = goals(2);
    duplicated[1].goal = goal(1);
    story.when(story.worker(on), plan(duplicated)).then_expect_error(CaseError::DuplicateGoal);
    let mut early = plan(goals(1));
    if let CaseCommand::PlanIntervention { first_follow_up_on, .. } = &mut early {
        *first_follow_up_on = date!(2026 - 09 - 01);
    }
    story.when(story.worker(on), early).then_expect_error(CaseError::FollowUpBeforeStart);
    assert!(story.when(story.worker(on), plan(goals(2))).inspect_result().is_ok());
}

#[test]
fn an_intervention_starts_only_when_planned() {
    let story = Story::investigated().by_manager(date!(2026 - 09 - 02), decide());
    story
        .when(story.worker(TODAY), CaseCommand::StartIntervention { intervention: intervention() })
        .then_expect_error(CaseError::InterventionNotInStatus { status: InterventionStatus::Decided });
    story
        .when(
            story.worker(TODAY),
            CaseCommand::StartIntervention { intervention: InterventionId::from_ulid(ulid(999)) },
        )
        .then_expect_error(CaseError::UnknownIntervention);
}

#[test]
fn a_follow_up_scores_the_plans_goals_and_looks_ahead() {
    let story = started();
    let on = date!(2026 - 10 - 15);
    let context = story.worker(on);
    let body = follow_up(&[(1, 1), (2, -1)], Some(date!(2026 - 11 - 15)));
    let CaseCommand::FollowUpIntervention { intervention, attainments, notes, next_follow_up_on } = body.clone() else {
        unreachable!()
    };
    story.when(context, body).then_expect_events(story.expect(
        context,
        vec![CaseEvent::InterventionFollowedUp { intervention, attainments, notes, next_follow_up_on }],
    ));
    story.when(story.worker(on), follow_up(&[(3, 0)], None)).then_expect_error(CaseError::UnknownGoal);
    story.when(story.worker(on), follow_up(&[], None)).then_expect_error(CaseError::NoAttainments);
    story.when(story.worker(on), follow_up(&[(1, 0)], Some(on))).then_expect_error(CaseError::NextFollowUpNotLater);
}

#[test]
fn an_intervention_ends_with_an_outcome_that_fits_whether_it_started() {
    let story = started();
    story
        .when(story.worker(TODAY), end(InterventionOutcome::NeverStarted))
        .then_expect_error(CaseError::OutcomeContradictsStart);
    assert!(story.when(story.worker(TODAY), end(InterventionOutcome::CompletedAsPlanned)).inspect_result().is_ok());
    let decided = Story::investigated().by_manager(date!(2026 - 09 - 02), decide());
    decided
        .when(decided.worker(TODAY), end(InterventionOutcome::CompletedAsPlanned))
        .then_expect_error(CaseError::OutcomeContradictsStart);
    assert!(decided.when(decided.worker(TODAY), end(InterventionOutcome::NeverStarted)).inspect_result().is_ok());
    let ended = started().by_worker(TODAY, end(InterventionOutcome::CompletedAsPlanned));
    ended
        .when(ended.worker(TODAY), follow_up(&[(1, 2)], None))
        .then_expect_error(CaseError::InterventionNotInStatus { status: InterventionStatus::Ended });
}
