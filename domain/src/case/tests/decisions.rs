//! Decisions that do not wait for the investigation (interim ones, those without a needs assessment, an immediate
//! care order with its court clocks), who may take them (the delegation order), and a refused application.

use super::*;
use crate::ids::{InterventionId, ReferralId};
use crate::legal::LegalGroundCode;
use crate::outcomes::InterventionKind;

fn decide(kind: InterventionKind, stage: DecisionStage) -> CaseCommand {
    CaseCommand::DecideIntervention {
        intervention: InterventionId::from_ulid(ulid(500)),
        kind,
        legal_basis: LegalGroundCode::parse("sol-4-1").unwrap(),
        reasons: sealed("cannot wait"),
        stage,
        delegated: Delegated::by_default(DecisionKind::Intervention),
    }
}

fn care_order(roles: &[Role]) -> CaseCommand {
    CaseCommand::DecideImmediateCareOrder {
        reasons: sealed("the child's health is at risk"),
        delegated: Delegated { decision: DecisionKind::ImmediateCareOrder, roles: roles.iter().copied().collect() },
    }
}

fn step(step: CareOrderStep) -> CaseCommand {
    CaseCommand::RecordCareOrderStep { step }
}

#[test]
fn an_interim_decision_is_taken_while_the_investigation_runs_and_recorded_as_such() {
    let story = Story::investigating();
    let context = story.manager(date!(2026 - 06 - 10));
    story.when(context, decide(InterventionKind::ResidentialPlacement, DecisionStage::Interim)).then_expect_events(
        story.expect(
            context,
            vec![
                CaseEvent::InterventionDecided {
                    intervention: InterventionId::from_ulid(ulid(500)),
                    kind: InterventionKind::ResidentialPlacement,
                    legal_basis: LegalGroundCode::parse("sol-4-1").unwrap(),
                    reasons: sealed("cannot wait"),
                },
                CaseEvent::InterventionDecidedEarly {
                    intervention: InterventionId::from_ulid(ulid(500)),
                    stage: DecisionStage::Interim,
                },
            ],
        ),
    );
    // Decided for investigation but not yet started: an investigation is open, so an interim decision may be taken.
    let decided = Story::decided_to_investigate();
    assert!(decided
        .when(decided.manager(date!(2026 - 06 - 05)), decide(InterventionKind::ContactPerson, DecisionStage::Interim))
        .inspect_result()
        .is_ok());
    for story in [Story::assessed(), Story::investigated()] {
        story
            .when(story.manager(date!(2026 - 09 - 02)), decide(InterventionKind::ContactPerson, DecisionStage::Interim))
            .then_expect_error(CaseError::NoInvestigationOpen);
    }
}

#[test]
fn an_open_intervention_is_given_without_a_needs_assessment_but_never_a_placement() {
    let story = Story::assessed();
    let context = story.manager(date!(2026 - 06 - 02));
    let events = story
        .when(context, decide(InterventionKind::ParentProgramme, DecisionStage::WithoutNeedsAssessment))
        .inspect_result()
        .expect("given without an assessment");
    assert_eq!(events.len(), 2);
    assert!(matches!(
        events[1].event,
        CaseEvent::InterventionDecidedEarly { stage: DecisionStage::WithoutNeedsAssessment, .. }
    ));
    for kind in [
        InterventionKind::FosterFamilyPlacement,
        InterventionKind::ResidentialPlacement,
        InterventionKind::ContactFamily,
        InterventionKind::ContactPerson,
        InterventionKind::YouthServiceSentence,
    ] {
        story
            .when(context, decide(kind, DecisionStage::WithoutNeedsAssessment))
            .then_expect_error(CaseError::NeedsAssessmentRequired { kind });
    }
    // The rule of old still holds for a decision after an investigation.
    story
        .when(context, decide(InterventionKind::ParentProgramme, DecisionStage::AfterInvestigation))
        .then_expect_error(CaseError::NoInvestigationSupportsIntervention);
}

#[test]
fn the_delegation_order_says_who_decides_and_a_social_worker_may_when_it_names_them() {
    let story = Story::investigated();
    let worker = story.worker(date!(2026 - 09 - 02));
    story
        .when(worker, decide(InterventionKind::ContactPerson, DecisionStage::AfterInvestigation))
        .then_expect_error(CaseError::NotDelegated { decision: DecisionKind::Intervention });
    let CaseCommand::DecideIntervention { intervention, kind, legal_basis, reasons, stage, .. } =
        decide(InterventionKind::ContactPerson, DecisionStage::AfterInvestigation)
    else {
        unreachable!()
    };
    let delegated_to_workers = CaseCommand::DecideIntervention {
        intervention,
        kind,
        legal_basis: legal_basis.clone(),
        reasons: reasons.clone(),
        stage,
        delegated: Delegated { decision: DecisionKind::Intervention, roles: [Role::SocialWorker].into() },
    };
    story.when(worker, delegated_to_workers).then_expect_events(
        story.expect(worker, vec![CaseEvent::InterventionDecided { intervention, kind, legal_basis, reasons }]),
    );
    // An order read for another decision does not stand in for this one.
    let wrong_order = CaseCommand::DecideIntervention {
        intervention,
        kind,
        legal_basis: LegalGroundCode::parse("sol-4-1").unwrap(),
        reasons: sealed("reasons"),
        stage,
        delegated: Delegated::by_default(DecisionKind::ImmediateCareOrder),
    };
    story
        .when(story.manager(date!(2026 - 09 - 02)), wrong_order)
        .then_expect_error(CaseError::NotDelegated { decision: DecisionKind::Intervention });
}

#[test]
fn an_immediate_care_order_starts_its_court_clocks_and_holds_the_case_open_until_it_ends() {
    let story = Story::assessed();
    let friday = date!(2026 - 06 - 05);
    story
        .when(story.worker(friday), care_order(&[Role::UnitManager]))
        .then_expect_error(CaseError::NotDelegated { decision: DecisionKind::ImmediateCareOrder });
    let context = story.manager(friday);
    story.when(context, care_order(&[Role::UnitManager])).then_expect_events(story.expect(
        context,
        vec![CaseEvent::ImmediateCareOrderDecided {
            reasons: sealed("the child's health is at risk"),
            submit_to_court_by: date!(2026 - 06 - 12),
        }],
    ));
    story.when(story.worker(friday), step(CareOrderStep::Enforced)).then_expect_error(CaseError::NoCareOrder);

    let ordered = Story::assessed().by_manager(friday, care_order(&[Role::UnitManager]));
    assert_eq!(ordered.case.care_order.as_ref().map(|order| order.submit_to_court_by), Some(date!(2026 - 06 - 12)));
    ordered
        .when(ordered.manager(friday), care_order(&[Role::UnitManager]))
        .then_expect_error(CaseError::CareOrderInForce);
    let saturday = date!(2026 - 06 - 06);
    let enforced_context = ordered.worker(saturday);
    ordered.when(enforced_context, step(CareOrderStep::Enforced)).then_expect_events(ordered.expect(
        enforced_context,
        vec![CaseEvent::CareOrderStepRecorded {
            step: CareOrderStep::Enforced,
            apply_for_care_by: Some(date!(2026 - 07 - 04)),
        }],
    ));
    let enforced = ordered.by_worker(saturday, step(CareOrderStep::Enforced));
    enforced
        .when(enforced.worker(saturday), step(CareOrderStep::Enforced))
        .then_expect_error(CaseError::CareOrderStepRecorded { step: CareOrderStep::Enforced });
    let submitted = enforced
        .by_worker(date!(2026 - 06 - 08), step(CareOrderStep::SubmittedToCourt))
        .by_worker(date!(2026 - 06 - 08), decide_preliminary(PreliminaryDecision::NoInvestigation, None));
    submitted
        .when(submitted.worker(date!(2026 - 06 - 09)), close(CloseReason::Other))
        .then_expect_error(CaseError::CareOrderInForce);
    let ended = submitted.by_worker(date!(2026 - 06 - 20), step(CareOrderStep::Ended));
    assert_eq!(ended.case.care_order, None);
    assert!(ended.when(ended.worker(date!(2026 - 06 - 21)), close(CloseReason::Other)).inspect_result().is_ok());
}

#[test]
fn a_refused_application_records_the_notice_of_how_to_appeal() {
    let application = ReferralId::from_ulid(ulid(310));
    let opened = Story::default().step(
        worker_at(0, RECEIVED),
        CaseCommand::OpenCase {
            case: case_id(),
            subject: subject(),
            unit_kind: UnitKind::SocialServices,
            origin: CaseOrigin::Application(application),
            concerns: concerns(),
            protection_assessed_on: None,
            prior_investigation: None,
            received_on: None,
        },
    );
    let investigated = opened
        .by_worker(RECEIVED, start_investigation())
        .by_worker(date!(2026 - 07 - 01), complete(InvestigationResult::NoInterventionNeeded));
    let refuse = |appeal_notice_given_on| CaseCommand::RefuseApplication {
        legal_basis: LegalGroundCode::parse("sol-4-1").unwrap(),
        reasons: sealed("the need is met otherwise"),
        partly: false,
        appeal_notice_given_on,
        delegated: Delegated::by_default(DecisionKind::ApplicationRefusal),
    };
    let on = date!(2026 - 07 - 02);
    let manager = investigated.manager(on);
    investigated.when(manager, refuse(None)).then_expect_error(CaseError::AppealNoticeMissing);
    investigated
        .when(manager, refuse(Some(date!(2026 - 07 - 01))))
        .then_expect_error(CaseError::AppealNoticeOutOfOrder);
    investigated.when(manager, refuse(Some(on))).then_expect_events(investigated.expect(
        manager,
        vec![CaseEvent::ApplicationRefused {
            legal_basis: LegalGroundCode::parse("sol-4-1").unwrap(),
            reasons: sealed("the need is met otherwise"),
            partly: false,
            appeal_notice_given_on: on,
        }],
    ));
    investigated
        .when(investigated.worker(on), refuse(Some(on)))
        .then_expect_error(CaseError::NotDelegated { decision: DecisionKind::ApplicationRefusal });
    let report = Story::investigated();
    report
        .when(report.manager(date!(2026 - 09 - 02)), refuse(Some(date!(2026 - 09 - 02))))
        .then_expect_error(CaseError::NotAnApplication);
}
