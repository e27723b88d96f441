//! The programme's whole flow through the domain and cqrs-es's command path: a school's report of concern, the
//! case at social services through investigation and decision, a referral to Framtid Stockholm under consent,
//! the intervention started, followed up and ended, and feedback back to the school.
//!
//! Its purpose beside the HTTP flow test (`api::the_whole_flow_runs_over_http`): it holds the domain alone to the
//! programme's rules across aggregates, on cqrs-es's own in-memory `CqrsFramework` rather than Lots' command bus,
//! so a failure here is the domain's (a rule, an event, an upcaster), never the store's, the sealing or the HTTP
//! edge's; and it runs in milliseconds, with no database.

use std::collections::BTreeSet;

use cqrs_es::mem_store::MemStore;
use cqrs_es::{Aggregate, AggregateError, CqrsFramework, EventStore};
use domain::case::{
    Case, CaseCommand, CaseError, CaseOrigin, ChildHeard, InvestigationResult, PlannedGoal, PreliminaryDecision,
};
use domain::categories::{ConcernCategory, InformationCategory};
use domain::command::{Actor, Command, CommandContext, CommandRefused, Role};
use domain::consent::{Consent, ConsentCommand, ConsentGiver};
use domain::ids::*;
use domain::legal::LegalGroundCode;
use domain::outcomes::{GoalAttainment, InterventionKind, InterventionOutcome};
use domain::referral::{
    DisclosureBasis, FeedbackKind, ProtectionAssessment, Referral, ReferralCommand, ReferralKind, ReferralStatus,
};
use domain::sealed::Sealed;
use domain::subject::{StatisticsAttributes, Subject, SubjectCommand};
use domain::units::{District, UnitKind};
use time::macros::date;
use time::Date;
use ulid::Ulid;

/// The command path of one aggregate type over cqrs-es's in-memory store, in event-store mode.
struct Desk<A: Aggregate> {
    cqrs: CqrsFramework<A, MemStore<A>>,
    store: MemStore<A>,
}

impl<A: Aggregate<Services = ()> + Clone> Desk<A> {
    fn new() -> Self {
        let store = MemStore::<A>::default();
        Self { cqrs: CqrsFramework::new(store.clone(), vec![], ()), store }
    }

    async fn run(&self, id: impl ToString, command: A::Command) -> Result<(), AggregateError<A::Error>> {
        self.cqrs.execute(&id.to_string(), command).await
    }

    async fn state(&self, id: impl ToString) -> A {
        let mut aggregate = A::default();
        for envelope in self.store.load_events(&id.to_string()).await.unwrap_or_default() {
            aggregate.apply(envelope.payload);
        }
        aggregate
    }

    async fn event_count(&self, id: impl ToString) -> usize {
        self.store.load_events(&id.to_string()).await.map(|events| events.len()).unwrap_or_default()
    }
}

/// Makes ids and contexts the way the service will: fresh ULIDs, the acting user, today and the date it happened.
struct Office {
    next: u128,
}

impl Office {
    fn id(&mut self) -> Ulid {
        self.next += 1;
        Ulid::from_parts(1_764_000_000_000, self.next)
    }

    fn context(&mut self, user: UserId, role: Role, unit: UnitId, on: Date) -> CommandContext {
        let command_id = CommandId::from_ulid(self.id());
        CommandContext { command_id, actor: Actor { user, role, unit }, today: date!(2026 - 11 - 25), occurred_on: on }
    }
}

fn text(words: &str) -> Sealed {
    Sealed::from_bytes(words.as_bytes().to_vec())
}

#[tokio::test]
async fn a_report_of_concern_runs_the_whole_programme_and_the_loop_closes() {
    let mut office = Office { next: 0 };
    let school = UnitId::from_ulid(office.id());
    let social = UnitId::from_ulid(office.id());
    let framtid = UnitId::from_ulid(office.id());
    let counsellor = UserId::from_ulid(office.id());
    let social_worker = UserId::from_ulid(office.id());
    let manager = UserId::from_ulid(office.id());
    let framtid_worker = UserId::from_ulid(office.id());
    let subjects = Desk::<Subject>::new();
    let referrals = Desk::<Referral>::new();
    let cases = Desk::<Case>::new();
    let consents = Desk::<Consent>::new();

    let young_person = SubjectId::from_ulid(office.id());
    let guardian = SubjectId::from_ulid(office.id());
    for subject in [young_person, guardian] {
        let context = office.context(counsellor, Role::SocialWorker, school, date!(2026 - 03 - 02));
        let statistics = StatisticsAttributes {
            birth_year: Some(if subject == young_person { 2011 } else { 1980 }),
            sex: None,
            district: District::parse("Rinkeby-Kista").unwrap(),
        };
        let body = SubjectCommand::RegisterSubject { subject, identity: text("sealed identity"), statistics };
        subjects.run(subject, Command { context, body }).await.unwrap();
    }

    // The school's team reports its concern; social services receive it and assess protection the same day.
    let report = ReferralId::from_ulid(office.id());
    let context = office.context(counsellor, Role::SocialWorker, school, date!(2026 - 03 - 02));
    let send = ReferralCommand::SendReferral {
        referral: report,
        kind: ReferralKind::ReportOfConcern,
        subject: young_person,
        to_unit: social,
        to_unit_kind: UnitKind::SocialServices,
        concerns: [ConcernCategory::SchoolAbsence, ConcernCategory::DrugOffence].into(),
        reason: text("absent for weeks, seen with older youths"),
        basis: None,
        information: Default::default(),
        forwarded_from: None,
    };
    referrals.run(report, Command { context, body: send.clone() }).await.unwrap();
    // The same command again (a retried request) is refused as a repeat and writes nothing.
    let repeat = referrals.run(report, Command { context, body: send }).await;
    assert!(matches!(
        repeat,
        Err(AggregateError::UserError(domain::referral::ReferralError::Command(CommandRefused::AlreadyApplied(id)))) if id == context.command_id
    ));
    assert_eq!(referrals.event_count(report).await, 1);

    let received_on = date!(2026 - 03 - 03);
    let context = office.context(social_worker, Role::SocialWorker, social, received_on);
    let assessment = ProtectionAssessment {
        immediate_protection_needed: false,
        assessment: text("no acute danger"),
        assessed_on: received_on,
        late_reason: None,
    };
    let receive = ReferralCommand::ReceiveReferral { protection_assessment: Some(assessment) };
    referrals.run(report, Command { context, body: receive }).await.unwrap();

    // A case is opened, the referral accepted; the preliminary assessment comes within 14 days.
    let case = CaseId::from_ulid(office.id());
    let steps: Vec<(UserId, Role, Date, CaseCommand)> = vec![
        (
            social_worker,
            Role::SocialWorker,
            received_on,
            CaseCommand::OpenCase {
                case,
                subject: young_person,
                unit_kind: UnitKind::SocialServices,
                origin: CaseOrigin::Referral(report),
                concerns: [ConcernCategory::SchoolAbsence, ConcernCategory::DrugOffence].into(),
                protection_assessed_on: Some(received_on),
                prior_investigation: None,
                received_on: None,
            },
        ),
        (
            social_worker,
            Role::SocialWorker,
            received_on,
            CaseCommand::AssignResponsibleWorker { worker: social_worker },
        ),
        (
            social_worker,
            Role::SocialWorker,
            date!(2026 - 03 - 16),
            CaseCommand::DecidePreliminaryAssessment {
                decision: PreliminaryDecision::OpenInvestigation,
                reasons: text("needs investigating"),
                child_heard: ChildHeard::Yes,
                exceptional_reason: None,
            },
        ),
        (
            social_worker,
            Role::SocialWorker,
            date!(2026 - 03 - 16),
            CaseCommand::StartInvestigation { concerns: [ConcernCategory::DrugOffence].into() },
        ),
    ];
    for (user, role, on, body) in steps {
        let context = office.context(user, role, social, on);
        cases.run(case, Command { context, body }).await.unwrap();
    }
    let context = office.context(social_worker, Role::SocialWorker, social, received_on);
    referrals.run(report, Command { context, body: ReferralCommand::AcceptReferral { case } }).await.unwrap();
    let context = office.context(social_worker, Role::SocialWorker, social, date!(2026 - 03 - 16));
    let feedback = ReferralCommand::GiveFeedback { feedback: FeedbackKind::InvestigationOpened, message: None };
    referrals.run(report, Command { context, body: feedback }).await.unwrap();

    // Completing after four months without saying why it is late is refused; nothing is written.
    let late = office.context(social_worker, Role::SocialWorker, social, date!(2026 - 07 - 17));
    let complete = CaseCommand::CompleteInvestigation {
        result: InvestigationResult::InterventionNeeded,
        conclusion: text("structured outpatient support"),
        late_reason: None,
    };
    let refused = cases.run(case, Command { context: late, body: complete.clone() }).await;
    assert!(matches!(refused, Err(AggregateError::UserError(CaseError::InvestigationLateWithoutReason { .. }))));
    let written = cases.event_count(case).await;
    let on_time = office.context(social_worker, Role::SocialWorker, social, date!(2026 - 07 - 10));
    cases.run(case, Command { context: on_time, body: complete }).await.unwrap();
    assert_eq!(cases.event_count(case).await, written + 1);

    // The manager decides the intervention; the guardian consents to sharing with Framtid Stockholm.
    let intervention = InterventionId::from_ulid(office.id());
    let context = office.context(manager, Role::UnitManager, social, date!(2026 - 07 - 13));
    let decide = CaseCommand::DecideIntervention {
        intervention,
        kind: InterventionKind::YouthOutpatientSupport,
        legal_basis: LegalGroundCode::parse("sol-4-1").unwrap(),
        reasons: text("support from Framtid Stockholm"),
        stage: domain::case::DecisionStage::AfterInvestigation,
        delegated: domain::delegation::Delegated::by_default(domain::delegation::DecisionKind::Intervention),
    };
    cases.run(case, Command { context, body: decide }).await.unwrap();
    let consent = ConsentId::from_ulid(office.id());
    let shared: BTreeSet<_> = [InformationCategory::Identity, InformationCategory::SocialServicesAssessment].into();
    let context = office.context(social_worker, Role::SocialWorker, social, date!(2026 - 07 - 14));
    let give = ConsentCommand::GiveConsent {
        consent,
        subject: young_person,
        subject_is_minor: true,
        given_by: [ConsentGiver::Guardian(guardian), ConsentGiver::YoungPerson].into(),
        parties: [social, framtid].into(),
        categories: shared.clone(),
        purpose: text("outpatient support"),
        valid_from: date!(2026 - 07 - 14),
        valid_to: date!(2027 - 07 - 13),
        custodians: [guardian].into(),
    };
    consents.run(consent, Command { context, body: give }).await.unwrap();

    // The service checks the consent before it sends the referral.
    let sent_on = date!(2026 - 07 - 14);
    assert_eq!(consents.state(consent).await.covers(young_person, framtid, sent_on, &shared), Ok(()));
    let to_framtid = ReferralId::from_ulid(office.id());
    let context = office.context(social_worker, Role::SocialWorker, social, sent_on);
    let send = ReferralCommand::SendReferral {
        referral: to_framtid,
        kind: ReferralKind::Referral,
        subject: young_person,
        to_unit: framtid,
        to_unit_kind: UnitKind::FramtidStockholm,
        concerns: [ConcernCategory::DrugOffence].into(),
        reason: text("assignment: outpatient support"),
        basis: Some(DisclosureBasis::Consent(consent)),
        information: shared.clone(),
        forwarded_from: None,
    };
    referrals.run(to_framtid, Command { context, body: send }).await.unwrap();

    // Framtid receives, accepts and reports the start; the case plans, starts and follows up.
    let framtid_case = CaseId::from_ulid(office.id());
    for (on, body) in [
        (date!(2026 - 07 - 15), ReferralCommand::ReceiveReferral { protection_assessment: None }),
        (date!(2026 - 07 - 15), ReferralCommand::AcceptReferral { case: framtid_case }),
        (date!(2026 - 08 - 03), ReferralCommand::ReportInterventionStarted),
    ] {
        let context = office.context(framtid_worker, Role::SocialWorker, framtid, on);
        referrals.run(to_framtid, Command { context, body }).await.unwrap();
    }
    let goal = GoalId::from_ulid(office.id());
    for (on, body) in [
        (
            date!(2026 - 07 - 15),
            CaseCommand::PlanIntervention {
                intervention,
                provider: Some(framtid),
                referral: Some(to_framtid),
                goals: vec![PlannedGoal { goal, description: text("no drug use, back in school") }],
                planned_start: date!(2026 - 08 - 03),
                first_follow_up_on: date!(2026 - 10 - 01),
            },
        ),
        (date!(2026 - 08 - 03), CaseCommand::StartIntervention { intervention }),
        (
            date!(2026 - 10 - 01),
            CaseCommand::FollowUpIntervention {
                intervention,
                attainments: [(goal, GoalAttainment::new(1).unwrap())].into(),
                notes: text("attending school again"),
                next_follow_up_on: None,
            },
        ),
        (
            date!(2026 - 11 - 20),
            CaseCommand::EndIntervention {
                intervention,
                outcome: InterventionOutcome::CompletedAsPlanned,
                summary: text("goals met"),
            },
        ),
    ] {
        let context = office.context(social_worker, Role::SocialWorker, social, on);
        cases.run(case, Command { context, body }).await.unwrap();
    }
    let context = office.context(framtid_worker, Role::SocialWorker, framtid, date!(2026 - 11 - 20));
    let ended = ReferralCommand::ReportInterventionEnded { outcome: InterventionOutcome::CompletedAsPlanned };
    referrals.run(to_framtid, Command { context, body: ended }).await.unwrap();

    let school_report = referrals.state(report).await;
    assert_eq!(
        (school_report.status, school_report.case, school_report.feedback_given),
        (ReferralStatus::Accepted, Some(case), 1)
    );
    let assignment = referrals.state(to_framtid).await;
    assert_eq!(assignment.intervention_outcome, Some(InterventionOutcome::CompletedAsPlanned));
    let final_case = cases.state(case).await;
    assert!(!final_case.has_active_interventions());
    assert_eq!(final_case.responsible, Some(social_worker));
}
