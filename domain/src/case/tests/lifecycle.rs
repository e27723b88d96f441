//! Journal notes, the responsible worker, transfer, closing and reopening.

use super::*;
use crate::ids::{NoteId, UserId};

fn note(n: u64) -> NoteId {
    NoteId::from_ulid(ulid(700 + n))
}

fn append(n: u64, corrects: Option<u64>) -> CaseCommand {
    CaseCommand::AppendNote { note: note(n), text: sealed("met the family"), corrects: corrects.map(note) }
}

fn assign(worker: UserId) -> CaseCommand {
    CaseCommand::AssignResponsibleWorker { worker }
}

#[test]
fn notes_are_appended_and_corrected_by_reference() {
    let story = Story::opened().by_worker(RECEIVED, append(1, None));
    let context = story.worker(TODAY);
    story.when(context, append(2, Some(1))).then_expect_events(story.expect(
        context,
        vec![CaseEvent::NoteAppended { note: note(2), text: sealed("met the family"), corrects: Some(note(1)) }],
    ));
    story.when(story.worker(TODAY), append(1, None)).then_expect_error(CaseError::NoteIdAlreadyUsed);
    story.when(story.worker(TODAY), append(3, Some(9))).then_expect_error(CaseError::UnknownNote);
}

#[test]
fn a_closed_case_takes_corrections_of_notes_only() {
    let story = Story::assessed()
        .by_worker(RECEIVED, append(1, None))
        .by_worker(RECEIVED, decide_preliminary(PreliminaryDecision::NoInvestigation, None))
        .by_worker(RECEIVED, close(CloseReason::NoInvestigationOpened));
    story.when(story.worker(TODAY), append(2, None)).then_expect_error(CaseError::OnlyCorrectionsWhenClosed);
    assert!(story.when(story.worker(TODAY), append(2, Some(1))).inspect_result().is_ok());
    story.when(story.worker(TODAY), assess_protection(None)).then_expect_error(CaseError::Closed);
}

#[test]
fn a_social_worker_takes_an_unassigned_case_but_only_a_manager_reassigns() {
    let story = Story::opened();
    let context = story.worker(TODAY);
    story.when(context, assign(worker())).then_expect_events(
        story.expect(context, vec![CaseEvent::ResponsibleWorkerAssigned { worker: worker(), previous: None }]),
    );
    story.when(story.worker(TODAY), assign(other_worker())).then_expect_error(CaseError::MayOnlyAssignThemselves);
    let assigned = Story::opened().by_worker(RECEIVED, assign(worker()));
    assigned.when(assigned.worker(TODAY), assign(worker())).then_expect_error(CaseError::AlreadyResponsible);
    assigned
        .when(assigned.worker(TODAY), assign(other_worker()))
        .then_expect_error(CaseError::Command(CommandRefused::RoleNotPermitted { role: Role::SocialWorker }));
    let context = assigned.manager(TODAY);
    assigned.when(context, assign(other_worker())).then_expect_events(assigned.expect(
        context,
        vec![CaseEvent::ResponsibleWorkerAssigned { worker: other_worker(), previous: Some(worker()) }],
    ));
}

#[test]
fn a_unit_manager_transfers_a_case_to_another_unit_of_the_same_kind() {
    let story = Story::opened().by_worker(RECEIVED, assign(worker()));
    let transfer = |to_unit, to_unit_kind| CaseCommand::TransferCase { to_unit, to_unit_kind, reason: sealed("moved") };
    story
        .when(story.worker(TODAY), transfer(other_district(), UnitKind::SocialServices))
        .then_expect_error(CaseError::Command(CommandRefused::RoleNotPermitted { role: Role::SocialWorker }));
    story
        .when(story.manager(TODAY), transfer(social_services(), UnitKind::SocialServices))
        .then_expect_error(CaseError::TransferToSameUnit);
    story
        .when(story.manager(TODAY), transfer(framtid(), UnitKind::FramtidStockholm))
        .then_expect_error(CaseError::TransferToOtherKindOfUnit);
    let moved = story.by_manager(TODAY, transfer(other_district(), UnitKind::SocialServices));
    assert_eq!(moved.case.unit, Some(other_district()));
    assert_eq!(moved.case.responsible, None);
    moved
        .when(moved.worker(TODAY), assign(worker()))
        .then_expect_error(CaseError::Command(CommandRefused::OutsideActorsUnit));
}

#[test]
fn a_case_is_closed_only_after_its_preliminary_assessment_and_its_interventions() {
    let story = Story::assessed();
    story
        .when(story.worker(TODAY), close(CloseReason::Other))
        .then_expect_error(CaseError::PreliminaryAssessmentPending);
    let intervening = Story::investigated().by_manager(
        date!(2026 - 09 - 02),
        CaseCommand::DecideIntervention {
            intervention: crate::ids::InterventionId::from_ulid(ulid(500)),
            kind: crate::outcomes::InterventionKind::ContactPerson,
            legal_basis: crate::legal::LegalGroundCode::parse("sol-4-1").unwrap(),
            reasons: sealed("reasons"),
            stage: DecisionStage::AfterInvestigation,
            delegated: crate::delegation::Delegated::by_default(crate::delegation::DecisionKind::Intervention),
        },
    );
    intervening
        .when(intervening.worker(TODAY), close(CloseReason::InterventionsEnded))
        .then_expect_error(CaseError::InterventionsStillActive);
}

#[test]
fn closing_during_an_investigation_discontinues_it() {
    let story = Story::investigating();
    let context = story.worker(TODAY);
    story.when(context, close(CloseReason::MovedAway)).then_expect_events(story.expect(
        context,
        vec![
            CaseEvent::InvestigationDiscontinued,
            CaseEvent::CaseClosed { reason: CloseReason::MovedAway, notes: sealed("closing notes") },
        ],
    ));
}

#[test]
fn only_a_closed_case_is_reopened_and_reopening_starts_a_new_intake() {
    let open_story = Story::opened();
    open_story
        .when(open_story.worker(TODAY), CaseCommand::ReopenCase { reason: sealed("new report") })
        .then_expect_error(CaseError::NotClosed);
    let reopened = Story::assessed()
        .by_worker(RECEIVED, decide_preliminary(PreliminaryDecision::NoInvestigation, None))
        .by_worker(RECEIVED, close(CloseReason::NoInvestigationOpened))
        .by_worker(TODAY, CaseCommand::ReopenCase { reason: sealed("new report") });
    assert_eq!(reopened.case.phase, CasePhase::Intake);
    assert_eq!(reopened.case.received_on, Some(TODAY));
    reopened
        .when(reopened.worker(TODAY), decide_preliminary(PreliminaryDecision::OpenInvestigation, None))
        .then_expect_error(CaseError::ProtectionAssessmentMissing);
}
