//! Property tests over random command sequences: no command ever panics, every refusal writes nothing, a repeat
//! of an applied command is refused as a repeat, and replaying the events written (through their JSON form, as
//! the store keeps them) gives the same state as the live aggregate.

use std::collections::{BTreeMap, BTreeSet};

use cqrs_es::Aggregate;
use proptest::prelude::*;
use time::macros::date;
use time::{Date, Duration};

use crate::case::{
    Case, CaseCommand, CaseOrigin, ChildHeard, CloseReason, InvestigationResult, PlannedGoal, PreliminaryDecision,
};
use crate::categories::{ConcernCategory, InformationCategory};
use crate::command::{Actor, CommandContext, CommandRefused, Role};
use crate::consent::{Consent, ConsentCommand, ConsentGiver};
use crate::event::Stamped;
use crate::ids::*;
use crate::legal::LegalGroundCode;
use crate::outcomes::{GoalAttainment, InterventionKind, InterventionOutcome};
use crate::referral::{
    Applicant, DeclineReason, DisclosureBasis, FeedbackKind, ProtectionAssessment, Referral, ReferralCommand,
    ReferralKind, ReporterCategory,
};
use crate::subject::{ErasureGround, ProtectionLevel, StatisticsAttributes, Subject, SubjectCommand};
use crate::testing::{sealed, ulid};
use crate::units::{District, UnitKind};

const START: Date = date!(2026 - 06 - 01);

/// One raw step: which command, by whom, where, how many days later, and two small parameters.
type RawStep = (u8, u8, u8, u8, u8, u8);

fn raw_steps() -> impl Strategy<Value = Vec<RawStep>> {
    prop::collection::vec((any::<u8>(), 0u8..8, 0u8..4, 0u8..5, 0u8..4, 0u8..4), 1..80)
}

fn unit(n: u8) -> UnitId {
    UnitId::from_ulid(ulid(9000 + u64::from(n % 4)))
}

fn unit_kind(n: u8) -> UnitKind {
    [UnitKind::SocialServices, UnitKind::SocialServices, UnitKind::SchoolSocialTeam, UnitKind::FramtidStockholm]
        [usize::from(n % 4)]
}

fn role(n: u8) -> Role {
    match n {
        0..=3 => Role::SocialWorker,
        4..=5 => Role::UnitManager,
        6 => Role::Auditor,
        _ => Role::Administrator,
    }
}

fn user(n: u8) -> UserId {
    UserId::from_ulid(ulid(8000 + u64::from(n % 3)))
}

fn concerns(n: u8) -> BTreeSet<ConcernCategory> {
    match n % 4 {
        0 => BTreeSet::from([ConcernCategory::SchoolAbsence]),
        1 => BTreeSet::from([ConcernCategory::DrugOffence]),
        2 => BTreeSet::new(),
        _ => BTreeSet::from([ConcernCategory::Robbery, ConcernCategory::SchoolAbsence]),
    }
}

fn text(n: u8) -> crate::sealed::Sealed {
    if n == 3 {
        sealed("")
    } else {
        sealed("text")
    }
}

/// Turns raw steps into commands with contexts; dates move forward a few days at a time, repeats of earlier
/// command ids happen now and then.
fn contexts(steps: &[RawStep]) -> Vec<(CommandContext, RawStep)> {
    let mut day = START;
    steps
        .iter()
        .enumerate()
        .map(|(index, step)| {
            let (_, who, place, days, a, _) = *step;
            day = day.saturating_add(Duration::days(i64::from(days)));
            let repeat = a == 3 && index > 0;
            let command_id = CommandId::from_ulid(ulid(if repeat { index as u64 - 1 } else { index as u64 }));
            let actor = Actor { user: user(who), role: role(who), unit: unit(place / 3) };
            (CommandContext { command_id, actor, today: date!(2026 - 11 - 25), occurred_on: day }, *step)
        })
        .collect()
}

/// Runs the commands through `decide`, applying what is accepted, and checks the properties.
fn check<A, C, E, Err>(
    steps: &[RawStep],
    to_command: impl Fn(&A, &CommandContext, RawStep) -> C,
    decide: impl Fn(&A, &CommandContext, C) -> Result<Vec<E>, Err>,
    repeat_refusal: impl Fn(&Err) -> Option<&CommandRefused>,
) -> Result<(), TestCaseError>
where
    A: Aggregate<Event = Stamped<E>> + Clone + PartialEq + std::fmt::Debug,
    C: Clone,
    E: Clone + serde::Serialize + serde::de::DeserializeOwned,
    Stamped<E>: serde::Serialize + serde::de::DeserializeOwned,
{
    let mut live = A::default();
    let mut log: Vec<Stamped<E>> = Vec::new();
    for (context, raw) in contexts(steps) {
        let command = to_command(&live, &context, raw);
        let before = live.clone();
        match decide(&live, &context, command.clone()) {
            Ok(events) => {
                for event in events {
                    let stamped = Stamped::new(&context, event);
                    live.apply(stamped.clone());
                    log.push(stamped);
                }
                let repeat = decide(&live, &context, command);
                let refused_as_repeat = repeat.as_ref().err().and_then(&repeat_refusal)
                    == Some(&CommandRefused::AlreadyApplied(context.command_id));
                prop_assert!(refused_as_repeat, "a repeat of an applied command was not refused as a repeat");
            }
            Err(_) => prop_assert_eq!(&live, &before),
        }
    }
    let mut replayed = A::default();
    for stamped in &log {
        let json = serde_json::to_string(stamped).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let read: Stamped<E> = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        replayed.apply(read);
    }
    prop_assert_eq!(replayed, live);
    Ok(())
}

fn subject_command(_: &Subject, context: &CommandContext, (kind, _, _, _, a, b): RawStep) -> SubjectCommand {
    let subject = SubjectId::from_ulid(ulid(100 + u64::from(b % 2)));
    let statistics = StatisticsAttributes {
        birth_year: Some([2010, 2012, 2030, 1850][usize::from(a)]),
        sex: None,
        district: District::parse("Bromma").unwrap_or_else(|_| unreachable!()),
    };
    let _ = context;
    match kind % 7 {
        0 => SubjectCommand::RegisterSubject { subject, identity: text(b), statistics },
        1 => SubjectCommand::CorrectIdentity { identity: text(b), statistics },
        2 => SubjectCommand::SetProtectedIdentity {
            level: [ProtectionLevel::ConfidentialityMarking, ProtectionLevel::FictitiousIdentity][usize::from(a % 2)],
        },
        3 if a == 0 => SubjectCommand::PlaceLegalHold { hold: crate::retention::LegalHold::PaternityInvestigation },
        3 if a == 1 => SubjectCommand::ReleaseLegalHold { hold: crate::retention::LegalHold::PaternityInvestigation },
        3 => SubjectCommand::ClearProtectedIdentity,
        4 => SubjectCommand::LinkGuardian { guardian: subject },
        5 => SubjectCommand::UnlinkGuardian { guardian: subject },
        _ => SubjectCommand::EraseSubject {
            ground: ErasureGround::Retention { rule: ["sol-5y", ""][usize::from(a % 2)].into() },
        },
    }
}

fn consent_command(_: &Consent, context: &CommandContext, (kind, _, _, _, a, b): RawStep) -> ConsentCommand {
    let guardian = ConsentGiver::Guardian(SubjectId::from_ulid(ulid(101 + u64::from(b % 2))));
    match kind % 2 {
        0 => ConsentCommand::GiveConsent {
            consent: ConsentId::from_ulid(ulid(200)),
            subject: SubjectId::from_ulid(ulid(100)),
            subject_is_minor: a % 2 == 0,
            given_by: match b {
                0 => BTreeSet::from([guardian]),
                1 => BTreeSet::from([ConsentGiver::YoungPerson]),
                2 => BTreeSet::new(),
                _ => BTreeSet::from([guardian, ConsentGiver::YoungPerson]),
            },
            parties: [context.actor.unit, unit(2)].into(),
            categories: [InformationCategory::Offending].into(),
            purpose: text(a),
            valid_from: context.occurred_on,
            valid_to: context.occurred_on.saturating_add(Duration::days(i64::from(a) * 100 - 50)),
            custodians: BTreeSet::new(),
        },
        _ => {
            ConsentCommand::RevokeConsent { revoked_by: if a % 2 == 0 { ConsentGiver::YoungPerson } else { guardian } }
        }
    }
}

fn referral_command(_: &Referral, context: &CommandContext, (kind, _, place, _, a, b): RawStep) -> ReferralCommand {
    let referral = ReferralId::from_ulid(ulid(300));
    let assessment = ProtectionAssessment {
        immediate_protection_needed: a == 0,
        assessment: text(b),
        assessed_on: context.occurred_on.saturating_add(Duration::days(i64::from(a))),
        late_reason: (b == 1).then(|| sealed("late")),
    };
    match kind % 13 {
        0 => ReferralCommand::SendReferral {
            referral,
            kind: [
                ReferralKind::ReportOfConcern,
                ReferralKind::Referral,
                ReferralKind::Application,
                ReferralKind::Referral,
            ][usize::from(a)],
            subject: SubjectId::from_ulid(ulid(100)),
            to_unit: unit(place),
            to_unit_kind: unit_kind(place),
            concerns: concerns(b),
            reason: text(b),
            basis: (b % 2 == 0).then(|| DisclosureBasis::Consent(ConsentId::from_ulid(ulid(200)))),
            information: if b == 0 { BTreeSet::new() } else { [InformationCategory::School].into() },
            forwarded_from: None,
        },
        1 => ReferralCommand::RegisterApplication {
            referral,
            subject: SubjectId::from_ulid(ulid(100)),
            applicant: Applicant::YoungPerson,
            concerns: concerns(a),
            reason: text(b),
        },
        2 if b == 3 => ReferralCommand::RegisterReport {
            referral,
            unit_kind: unit_kind(place / 3),
            subject: SubjectId::from_ulid(ulid(100)),
            reporter: [ReporterCategory::Police, ReporterCategory::Anonymous][usize::from(a % 2)],
            reporter_identity: (a % 2 == 0).then(|| sealed("Polisen")),
            concerns: concerns(a),
            reason: sealed("oro"),
            protection_assessment: ProtectionAssessment { assessment: sealed("inget akut"), ..assessment },
        },
        2 => ReferralCommand::ReceiveReferral { protection_assessment: (a != 2).then_some(assessment) },
        3 => ReferralCommand::PutReferralOnHold { reason: text(b) },
        4 => ReferralCommand::ResumeReferral,
        5 => ReferralCommand::AcceptReferral { case: CaseId::from_ulid(ulid(400)) },
        6 if a % 2 == 0 => ReferralCommand::DeclineReferral { reason_code: DeclineReason::NoCapacity, reason: text(b) },
        6 => ReferralCommand::HandOverReport { municipality: "Solna kommun".to_owned(), reason: text(b) },
        // Half the time to the other social services unit than the actor's (0 and 1 are social services), where a
        // received report may go; else anywhere.
        7 => ReferralCommand::ForwardReferral {
            to_unit: unit(if a % 2 == 0 { (place / 3 + 1) % 2 } else { place + a }),
            to_unit_kind: unit_kind(if a % 2 == 0 { (place / 3 + 1) % 2 } else { place + a }),
            new_referral: ReferralId::from_ulid(ulid(300 + u64::from(b % 2))),
            reason: text(b),
        },
        8 => ReferralCommand::WithdrawReferral { reason: text(b) },
        9 => ReferralCommand::ReportInterventionStarted,
        10 => ReferralCommand::ReportInterventionEnded {
            outcome: [InterventionOutcome::CompletedAsPlanned, InterventionOutcome::NeverStarted][usize::from(a % 2)],
        },
        12 => ReferralCommand::JudgeFeedbackInappropriate { reason: text(b) },
        _ => ReferralCommand::GiveFeedback { feedback: FeedbackKind::InvestigationOpened, message: None },
    }
}

/// Half of the steps (kind ≥ 128) take a step that fits the case's phase, so that sequences reach deep states
/// (chained investigations, extensions, follow-ups); the other half are any command at all.
fn case_command(case: &Case, context: &CommandContext, (kind, _, place, _, a, b): RawStep) -> CaseCommand {
    use crate::case::CasePhase;
    let kind = if kind < 128 {
        kind
    } else {
        match case.phase {
            CasePhase::NotOpened => 0,
            CasePhase::Intake if case.protection_assessed_on.is_none() => 1,
            CasePhase::Intake => [2, 2, 6, 17, 18][usize::from(kind % 5)],
            CasePhase::InvestigationDecided => 3,
            CasePhase::Investigating => [4, 5, 14, 6, 18][usize::from(kind % 5)],
            CasePhase::NotInvestigated | CasePhase::Investigated => {
                use crate::case::InterventionStatus;
                match case.interventions.values().next().map(|intervention| intervention.status) {
                    Some(InterventionStatus::Decided) => 7,
                    Some(InterventionStatus::Planned) => 8,
                    Some(InterventionStatus::Started) => [9, 9, 10][usize::from(kind % 3)],
                    _ => [6, 6, 14, 18, 19][usize::from(kind % 5)],
                }
            }
            CasePhase::Closed => 16,
        }
    };
    let intervention = InterventionId::from_ulid(ulid(500 + u64::from(a == 1 && b == 1)));
    let goal = |n: u8| GoalId::from_ulid(ulid(600 + u64::from(n)));
    let on = context.occurred_on;
    match kind % 20 {
        0 => CaseCommand::OpenCase {
            case: CaseId::from_ulid(ulid(400)),
            subject: SubjectId::from_ulid(ulid(100)),
            unit_kind: unit_kind(place),
            origin: if b == 3 {
                CaseOrigin::Application(ReferralId::from_ulid(ulid(300)))
            } else {
                CaseOrigin::OwnInitiative
            },
            concerns: concerns(a),
            protection_assessed_on: (b == 0).then_some(on),
            prior_investigation: None,
            received_on: (a == 1).then(|| on.saturating_sub(Duration::days(i64::from(b)))),
        },
        1 => {
            CaseCommand::AssessProtection { immediate_protection_needed: false, assessment: text(b), late_reason: None }
        }
        2 => CaseCommand::DecidePreliminaryAssessment {
            decision: [PreliminaryDecision::OpenInvestigation, PreliminaryDecision::NoInvestigation]
                [usize::from(a % 2)],
            reasons: text(b),
            child_heard: if b == 2 { ChildHeard::No(sealed("too young")) } else { ChildHeard::Yes },
            exceptional_reason: (a == 2).then(|| sealed("abroad")),
        },
        3 => CaseCommand::StartInvestigation { concerns: concerns(a) },
        4 => CaseCommand::ExtendInvestigation {
            new_due_on: on.saturating_add(Duration::days(i64::from(a) * 60)),
            reason: text(b),
            delegated: crate::delegation::Delegated::by_default(
                crate::delegation::DecisionKind::InvestigationExtension,
            ),
        },
        5 => CaseCommand::CompleteInvestigation {
            result: [InvestigationResult::InterventionNeeded, InvestigationResult::NoInterventionNeeded]
                [usize::from(a % 2)],
            conclusion: text(b),
            late_reason: (b >= 2).then(|| sealed("late")),
        },
        6 => CaseCommand::DecideIntervention {
            intervention,
            kind: [InterventionKind::FamilyTreatment, InterventionKind::ParentProgramme][usize::from(b % 2)],
            legal_basis: LegalGroundCode::parse("sol-4-1").unwrap_or_else(|_| unreachable!()),
            reasons: text(b),
            stage: [
                crate::case::DecisionStage::AfterInvestigation,
                crate::case::DecisionStage::Interim,
                crate::case::DecisionStage::WithoutNeedsAssessment,
            ][usize::from(a % 3)],
            delegated: crate::delegation::Delegated::by_default(crate::delegation::DecisionKind::Intervention),
        },
        7 => CaseCommand::PlanIntervention {
            intervention,
            provider: None,
            referral: None,
            goals: (0..b.min(2)).map(|n| PlannedGoal { goal: goal(n), description: sealed("goal") }).collect(),
            planned_start: on,
            first_follow_up_on: on.saturating_add(Duration::days(if b == 3 { -5 } else { 10 })),
        },
        8 => CaseCommand::StartIntervention { intervention },
        9 => CaseCommand::FollowUpIntervention {
            intervention,
            attainments: (0..b)
                .map(|n| (goal(n), GoalAttainment::new(a as i8 - 2).unwrap_or_else(|_| unreachable!())))
                .collect::<BTreeMap<_, _>>(),
            notes: sealed("notes"),
            next_follow_up_on: Some(on.saturating_add(Duration::days(i64::from(a) * 10 + 1))),
        },
        10 => CaseCommand::EndIntervention {
            intervention,
            outcome: [InterventionOutcome::CompletedAsPlanned, InterventionOutcome::NeverStarted][usize::from(b % 2)],
            summary: sealed("summary"),
        },
        11 => CaseCommand::AppendNote {
            note: NoteId::from_ulid(ulid(700 + u64::from(a))),
            text: text(b),
            corrects: (b % 2 == 1).then(|| NoteId::from_ulid(ulid(700 + u64::from(b)))),
        },
        12 => CaseCommand::AssignResponsibleWorker { worker: user(a) },
        13 => {
            CaseCommand::TransferCase { to_unit: unit(place + a), to_unit_kind: unit_kind(place + a), reason: text(b) }
        }
        14 | 15 => CaseCommand::CloseCase { reason: CloseReason::Other, notes: text(b) },
        17 => CaseCommand::DecideImmediateCareOrder {
            reasons: text(b),
            delegated: crate::delegation::Delegated::by_default(crate::delegation::DecisionKind::ImmediateCareOrder),
        },
        18 => CaseCommand::RecordCareOrderStep {
            step: [
                crate::case::CareOrderStep::Enforced,
                crate::case::CareOrderStep::SubmittedToCourt,
                crate::case::CareOrderStep::CareApplied,
                crate::case::CareOrderStep::Ended,
            ][usize::from(a % 4)],
        },
        19 => CaseCommand::RefuseApplication {
            legal_basis: LegalGroundCode::parse("sol-4-1").unwrap_or_else(|_| unreachable!()),
            reasons: text(b),
            partly: a % 2 == 0,
            appeal_notice_given_on: (b != 3).then_some(on),
            delegated: crate::delegation::Delegated::by_default(crate::delegation::DecisionKind::ApplicationRefusal),
        },
        _ => CaseCommand::ReopenCase { reason: text(b) },
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_subject_commands_never_panic_and_replay_to_the_same_state(steps in raw_steps()) {
        check::<Subject, _, _, _>(&steps, subject_command, Subject::decide, |error| match error {
            crate::subject::SubjectError::Command(refused) => Some(refused),
            _ => None,
        })?;
    }

    #[test]
    fn random_consent_commands_never_panic_and_replay_to_the_same_state(steps in raw_steps()) {
        check::<Consent, _, _, _>(&steps, consent_command, Consent::decide, |error| match error {
            crate::consent::ConsentError::Command(refused) => Some(refused),
            _ => None,
        })?;
    }

    #[test]
    fn random_referral_commands_never_panic_and_replay_to_the_same_state(steps in raw_steps()) {
        check::<Referral, _, _, _>(&steps, referral_command, Referral::decide, |error| match error {
            crate::referral::ReferralError::Command(refused) => Some(refused),
            _ => None,
        })?;
    }

    #[test]
    fn random_case_commands_never_panic_and_replay_to_the_same_state(steps in raw_steps()) {
        check::<Case, _, _, _>(&steps, case_command, Case::decide, |error| match error {
            crate::case::CaseError::Command(refused) => Some(refused),
            _ => None,
        })?;
    }
}

/// The random sequences must reach deep into each aggregate, or the properties above prove little: this runs
/// many sequences and counts the kinds of event written.
#[test]
fn random_sequences_reach_every_kind_of_case_and_referral_event() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut case_kinds = std::collections::BTreeMap::<&str, usize>::new();
    let mut referral_kinds = std::collections::BTreeSet::new();
    for _ in 0..3000 {
        let steps = raw_steps().new_tree(&mut runner).map(|tree| tree.current()).unwrap_or_default();
        let mut case = Case::default();
        let mut referral = Referral::default();
        for (context, raw) in contexts(&steps) {
            if let Ok(events) = case.decide(&context, case_command(&case, &context, raw)) {
                for event in events {
                    *case_kinds.entry(crate::event::EventKind::kind(&event)).or_default() += 1;
                    case.apply(Stamped::new(&context, event));
                }
            }
            if let Ok(events) = referral.decide(&context, referral_command(&referral, &context, raw)) {
                for event in events {
                    referral_kinds.insert(crate::event::EventKind::kind(&event));
                    referral.apply(Stamped::new(&context, event));
                }
            }
        }
    }
    // Random sequences span weeks, not the four months after which an investigation is late: one scripted
    // sequence, through the same rules, completes one late.
    let mut case = Case::default();
    let late = date!(2026 - 11 - 20);
    let script = [
        (START, case_command(&case, &contexts(&[(0, 0, 0, 0, 0, 0)])[0].0, (0, 0, 0, 0, 0, 0))),
        (
            START,
            CaseCommand::AssessProtection {
                immediate_protection_needed: false,
                assessment: text(1),
                late_reason: None,
            },
        ),
        (
            START,
            CaseCommand::DecidePreliminaryAssessment {
                decision: PreliminaryDecision::OpenInvestigation,
                reasons: text(1),
                child_heard: ChildHeard::Yes,
                exceptional_reason: None,
            },
        ),
        (START, CaseCommand::StartInvestigation { concerns: concerns(0) }),
        (
            late,
            CaseCommand::CompleteInvestigation {
                result: InvestigationResult::NoInterventionNeeded,
                conclusion: text(1),
                late_reason: Some(sealed("late")),
            },
        ),
    ];
    for (index, (on, body)) in script.into_iter().enumerate() {
        let actor = Actor { user: user(0), role: Role::SocialWorker, unit: unit(0) };
        let context = CommandContext {
            command_id: CommandId::from_ulid(ulid(70_000 + index as u64)),
            actor,
            today: date!(2026 - 11 - 25),
            occurred_on: on,
        };
        for event in case.decide(&context, body).unwrap_or_else(|error| panic!("the script: {error}")) {
            *case_kinds.entry(crate::event::EventKind::kind(&event)).or_default() += 1;
            case.apply(Stamped::new(&context, event));
        }
    }
    let missing_case: Vec<_> =
        crate::case::CaseEvent::KINDS.iter().filter(|kind| !case_kinds.contains_key(*kind)).collect();
    let missing_referral: Vec<_> =
        crate::referral::ReferralEvent::KINDS.iter().filter(|kind| !referral_kinds.contains(*kind)).collect();
    assert!(
        missing_case.is_empty() && missing_referral.is_empty(),
        "never reached: {missing_case:?} {missing_referral:?} (reached {case_kinds:?})"
    );
}
