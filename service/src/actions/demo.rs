//! `lots seed-demo`: a demo district to try Lots with — units, users with passwords printed once, and young
//! people with cases at every phase. Everything is synthetic: names are "Demo …", and no demo person has an
//! identity number (a made-up number could be someone's real one).

use domain::case::{
    Case, CaseCommand, CaseOrigin, ChildHeard, CloseReason, InvestigationResult, PlannedGoal, PreliminaryDecision,
};
use domain::categories::ConcernCategory;
use domain::command::{Actor, Command, CommandContext, Role};
use domain::directory::{Unit, UnitCommand};
use domain::ids::{CaseId, CommandId, GoalId, InterventionId, ReferralId, SubjectId, UnitId, UserId};
use domain::legal::LegalGroundCode;
use domain::outcomes::{GoalAttainment, InterventionKind, InterventionOutcome};
use domain::referral::{FeedbackKind, ProtectionAssessment, Referral, ReferralCommand, ReferralKind, ReporterCategory};
use domain::sealed::Sealed;
use domain::subject::{StatisticsAttributes, Subject, SubjectCommand};
use domain::units::{District, OfferedService, UnitKind};
use time::{Date, Duration};
use ulid::Ulid;

use crate::event_log::commands::{CommandBus, EventMetadata};
use crate::personal::{Identity, Vault};

/// A demo user: name, role, unit, and the password printed once.
#[derive(Debug, Clone)]
pub struct DemoUser {
    /// The username.
    pub username: String,
    /// The role.
    pub role: Role,
    /// The unit.
    pub unit: (String, UnitId),
    /// The password, shown once.
    pub password: String,
}

/// What the demo created.
#[derive(Debug, Clone)]
pub struct Demo {
    /// The units, by name.
    pub units: Vec<(String, UnitId)>,
    /// The users.
    pub users: Vec<DemoUser>,
    /// How many young people.
    pub subjects: usize,
    /// How many commands were written.
    pub commands: usize,
}

/// Why the demo could not be seeded.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// A command was refused or the store failed: the cause, with its own causes.
    #[error("the demo could not be seeded: {0}")]
    Failed(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// The seeded generator behind the demo district, and behind the tests' random flow of work: the same seed
/// gives the same district.
#[derive(Debug, Clone)]
pub struct Generator(fastrand::Rng);

impl Generator {
    /// A generator that always draws the same numbers for `seed`.
    pub fn seeded(seed: u64) -> Self {
        Self(fastrand::Rng::with_seed(seed))
    }

    /// A number from 0 to `n - 1` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.0.u64(0..n.max(1))
    }
}

fn failed(error: impl std::error::Error + Send + Sync + 'static) -> DemoError {
    DemoError::Failed(Box::new(error))
}

fn password() -> Result<String, DemoError> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(failed)?;
    Ok(hex::encode(bytes))
}

/// Seeds a demo district with `300 × scale` young people, ending `today`.
pub async fn seed(bus: &CommandBus, vault: &Vault, scale: usize, today: Date) -> Result<Demo, DemoError> {
    let directory = [
        ("Demo skolsocialt team", UnitKind::SchoolSocialTeam, OfferedService::SchoolSupport),
        ("Demo socialtjänst, barn och unga", UnitKind::SocialServices, OfferedService::ChildProtection),
        ("Demo Framtid Stockholm", UnitKind::FramtidStockholm, OfferedService::YouthCounselling),
        ("Demo internkontroll", UnitKind::Administration, OfferedService::Oversight),
    ];
    let units: Vec<(String, UnitId)> =
        directory.iter().map(|(name, ..)| ((*name).to_owned(), UnitId::from_ulid(Ulid::new()))).collect();
    let (school, social) = (units[0].1, units[1].1);
    let mut users = Vec::new();
    let mut ids = Vec::new();
    for (username, role, unit) in [
        ("demo-skola", Role::SocialWorker, &units[0]),
        ("demo-handlaggare", Role::SocialWorker, &units[1]),
        ("demo-enhetschef", Role::UnitManager, &units[1]),
        ("demo-framtid", Role::SocialWorker, &units[2]),
        ("demo-granskare", Role::Auditor, &units[3]),
        ("demo-admin", Role::Administrator, &units[3]),
    ] {
        let password = password()?;
        // Accounts are recorded in the log like everything else; the seeding acts as the command line does.
        let context = CommandContext {
            command_id: CommandId::from_ulid(Ulid::new()),
            actor: Actor { user: UserId::from_ulid(Ulid::nil()), role: Role::Administrator, unit: unit.1 },
            today,
            occurred_on: today,
        };
        let metadata = EventMetadata { client_address: Some("lots seed-demo".to_owned()), ..EventMetadata::default() };
        // The demo prints its passwords for whoever tries it; nobody is made to change them.
        let credentials = crate::accounts::Credentials {
            username,
            password: &password,
            role,
            unit: unit.1,
            must_change_password: false,
        };
        let (user, _) = crate::accounts::create_user(bus, context, &metadata, credentials).await.map_err(failed)?;
        ids.push(user);
        users.push(DemoUser { username: username.to_owned(), role, unit: unit.clone(), password });
    }
    // The demo's cases are the demo users' own: the school's counsellor reports, the social worker holds them.
    let (counsellor, worker, manager) = (ids[0], ids[1], ids[2]);
    let metadata = EventMetadata { client_address: Some("lots seed-demo".to_owned()), ..EventMetadata::default() };
    let mut rng = Generator::seeded(0x5eed_0000_0000_0001);
    let mut commands = 0;
    let subjects = 300 * scale.max(1);
    let context = |user: UserId, role: Role, unit: UnitId, on: Date| CommandContext {
        command_id: CommandId::from_ulid(Ulid::new()),
        actor: Actor { user, role, unit },
        today,
        occurred_on: on.min(today),
    };
    // The directory, kept by the demo administrator.
    let administrator = ids[5];
    for ((name, kind, service), (_, unit)) in directory.iter().zip(&units) {
        let body = UnitCommand::RegisterUnit {
            unit: *unit,
            kind: *kind,
            name: (*name).to_owned(),
            district: District::parse("Demo").map_err(failed)?,
            services: [*service].into(),
        };
        let context = context(administrator, Role::Administrator, units[3].1, today);
        bus.execute::<Unit>(&unit.to_string(), Command { context, body }, &metadata).await.map_err(failed)?;
        commands += 1;
    }
    for index in 0..subjects {
        let subject = SubjectId::from_ulid(Ulid::new());
        let identity = Identity {
            number: None,
            given_name: "Demo".to_owned(),
            family_name: format!("Person {:04}", index + 1),
            ..Identity::default()
        };
        let sealed = vault.seal_identity(subject, &identity).await.map_err(failed)?;
        let statistics = StatisticsAttributes {
            birth_year: Some(today.year() - 8 - rng.below(10) as i32),
            sex: Some(if rng.below(2) == 0 {
                domain::identity_number::Sex::Female
            } else {
                domain::identity_number::Sex::Male
            }),
            district: District::parse(
                ["Rinkeby-Kista", "Spånga-Tensta", "Skärholmen", "Farsta"][rng.below(4) as usize],
            )
            .map_err(failed)?,
        };
        let started = today - Duration::days(1 + rng.below(300) as i64);
        let register = SubjectCommand::RegisterSubject { subject, identity: sealed, statistics };
        bus.execute::<Subject>(
            &subject.to_string(),
            Command { context: context(worker, Role::SocialWorker, social, started), body: register },
            &metadata,
        )
        .await
        .map_err(failed)?;
        commands += 1;
        let text = async |words: &str| vault.seal_text(subject, words).await;
        let cast = Cast { school, social, counsellor, worker, manager };
        // Each step as it was given on its day; a path stops at the first step after today, or one a legal clock
        // refuses (a demo case whose dates ran past one stops there: realistic enough).
        for step in path(&mut rng, cast, subject, started, text).await.map_err(failed)? {
            if step.on > today {
                break;
            }
            let context = context(step.user, step.role, step.unit, step.on);
            let given = match step.command {
                PathCommand::Referral(referral, body) => bus
                    .execute::<Referral>(&referral.to_string(), Command { context, body }, &metadata)
                    .await
                    .map_err(drop),
                PathCommand::Case(case, body) => {
                    bus.execute::<Case>(&case.to_string(), Command { context, body }, &metadata).await.map_err(drop)
                }
            };
            if given.is_err() {
                tracing::debug!("demo path stopped early");
                break;
            }
            commands += 1;
        }
    }
    Ok(Demo { units, users, subjects, commands })
}

/// Who works on a young person's path: the school's counsellor, and at social services a worker and the unit
/// manager.
#[derive(Debug, Clone, Copy)]
pub struct Cast {
    /// The school-social team.
    pub school: UnitId,
    /// Social services.
    pub social: UnitId,
    /// The school's counsellor, who reports.
    pub counsellor: UserId,
    /// The social worker, who holds the case.
    pub worker: UserId,
    /// The unit manager, who decides interventions.
    pub manager: UserId,
}

/// A command on a path: the referral's or the case's, with its aggregate's id.
#[derive(Debug, Clone)]
pub enum PathCommand {
    /// A step of the report of concern.
    Referral(ReferralId, ReferralCommand),
    /// A step of the case.
    Case(CaseId, CaseCommand),
}

/// A step on a path: who gives the command, in which unit, on which day.
#[derive(Debug, Clone)]
pub struct PathStep {
    /// Who.
    pub user: UserId,
    /// In which role.
    pub role: Role,
    /// For which unit.
    pub unit: UnitId,
    /// The day it happened.
    pub on: Date,
    /// What.
    pub command: PathCommand,
}

/// One young person's path through the programme from `started`, drawn from `rng`: a school's report of concern,
/// received with a protection assessment; now and then declined, otherwise accepted into a case — assigned, a
/// preliminary assessment (late now and then, with its exceptional reason), an investigation, completed or still
/// running, an intervention decided, planned, started, followed up and ended, the case closed and now and then
/// reopened — and feedback to the school. `text` seals each text for the subject. The demo district and the tests'
/// random flow of work both walk these paths.
pub async fn path<E>(
    rng: &mut Generator,
    cast: Cast,
    subject: SubjectId,
    started: Date,
    text: impl AsyncFn(&str) -> Result<Sealed, E>,
) -> Result<Vec<PathStep>, E> {
    let Cast { school, social, counsellor, worker, manager } = cast;
    let (report, case) = (ReferralId::from_ulid(Ulid::new()), CaseId::from_ulid(Ulid::new()));
    let concern = [
        ConcernCategory::SchoolAbsence,
        ConcernCategory::DrugOffence,
        ConcernCategory::ParentingConcerns,
        ConcernCategory::Robbery,
    ][rng.below(4) as usize];
    let mut day = started;
    let mut steps = Vec::new();
    let mut step = |user, role, unit, on, command| steps.push(PathStep { user, role, unit, on, command });
    let referral = |body| PathCommand::Referral(report, body);
    let in_case = |body| PathCommand::Case(case, body);
    // A third of the reports come from outside the directory (the police, health care, a preschool, another
    // authority) and are registered by social services; the rest are sent by the school team.
    let registered = rng.below(3) == 0;
    let assessment = |assessed_on, immediate_protection_needed, assessment| ProtectionAssessment {
        immediate_protection_needed,
        assessment,
        assessed_on,
        late_reason: None,
    };
    if registered {
        let reporter = [
            ReporterCategory::Police,
            ReporterCategory::HealthCare,
            ReporterCategory::Preschool,
            ReporterCategory::OtherAuthority,
        ][rng.below(4) as usize];
        let protection_assessment = assessment(day, rng.below(10) == 0, text("Demo: inget akut").await?);
        let register = ReferralCommand::RegisterReport {
            referral: report,
            unit_kind: UnitKind::SocialServices,
            subject,
            reporter,
            reporter_identity: Some(text("Demo: anmälare").await?),
            concerns: [concern].into(),
            reason: text("Demo: oro").await?,
            protection_assessment,
        };
        step(worker, Role::SocialWorker, social, day, referral(register));
    } else {
        let send = ReferralCommand::SendReferral {
            referral: report,
            kind: ReferralKind::ReportOfConcern,
            subject,
            to_unit: social,
            to_unit_kind: UnitKind::SocialServices,
            concerns: [concern].into(),
            reason: text("Demo: oro från skolan").await?,
            basis: None,
            information: Default::default(),
            forwarded_from: None,
        };
        step(counsellor, Role::SocialWorker, school, day, referral(send));
        day += Duration::days(rng.below(2) as i64);
        let protection_assessment = assessment(day, rng.below(10) == 0, text("Demo: inget akut").await?);
        let receive = ReferralCommand::ReceiveReferral { protection_assessment: Some(protection_assessment) };
        step(worker, Role::SocialWorker, social, day, referral(receive));
    }
    if rng.below(10) == 0 {
        // A report is never declined: one about a family living elsewhere goes to its municipality.
        let reason = text("Demo: familjen bor i Solna").await?;
        let hand_over = ReferralCommand::HandOverReport { municipality: "Solna kommun".to_owned(), reason };
        step(worker, Role::SocialWorker, social, day, referral(hand_over));
        return Ok(steps);
    }
    step(worker, Role::SocialWorker, social, day, referral(ReferralCommand::AcceptReferral { case }));
    let received = day;
    let open = CaseCommand::OpenCase {
        case,
        subject,
        unit_kind: UnitKind::SocialServices,
        origin: CaseOrigin::Referral(report),
        concerns: [concern].into(),
        protection_assessed_on: Some(day),
        prior_investigation: None,
        received_on: Some(day),
    };
    step(worker, Role::SocialWorker, social, day, in_case(open));
    step(worker, Role::SocialWorker, social, day, in_case(CaseCommand::AssignResponsibleWorker { worker }));
    day += Duration::days(rng.below(18) as i64);
    let investigate = rng.below(10) < 7;
    let exceptional_reason =
        if day > received + Duration::days(14) { Some(text("Demo: synnerliga skäl").await?) } else { None };
    let preliminary = CaseCommand::DecidePreliminaryAssessment {
        decision: if investigate {
            PreliminaryDecision::OpenInvestigation
        } else {
            PreliminaryDecision::NoInvestigation
        },
        reasons: text("Demo: skäl").await?,
        child_heard: ChildHeard::Yes,
        exceptional_reason,
    };
    step(worker, Role::SocialWorker, social, day, in_case(preliminary));
    let mut closable = !investigate;
    if investigate {
        let start = CaseCommand::StartInvestigation { concerns: [concern].into() };
        step(worker, Role::SocialWorker, social, day, in_case(start));
        if rng.below(2) == 0 {
            day += Duration::days(30 + rng.below(80) as i64);
            let needed = rng.below(10) < 7;
            let result = if needed {
                InvestigationResult::InterventionNeeded
            } else {
                InvestigationResult::NoInterventionNeeded
            };
            let conclusion = text("Demo: slutsats").await?;
            let complete = CaseCommand::CompleteInvestigation { result, conclusion, late_reason: None };
            step(worker, Role::SocialWorker, social, day, in_case(complete));
            closable = !needed;
            if needed {
                let intervention = InterventionId::from_ulid(Ulid::new());
                let goal = GoalId::from_ulid(Ulid::new());
                let decide = CaseCommand::DecideIntervention {
                    intervention,
                    kind: InterventionKind::FamilyTreatment,
                    legal_basis: LegalGroundCode::parse("sol-4-1").unwrap_or_else(|_| unreachable!("a known code")),
                    reasons: text("Demo: beslut").await?,
                    stage: domain::case::DecisionStage::AfterInvestigation,
                    delegated: domain::delegation::Delegated::by_default(
                        domain::delegation::DecisionKind::Intervention,
                    ),
                };
                step(manager, Role::UnitManager, social, day, in_case(decide));
                let plan = CaseCommand::PlanIntervention {
                    intervention,
                    provider: None,
                    referral: None,
                    goals: vec![PlannedGoal { goal, description: text("Demo: mål").await? }],
                    planned_start: day,
                    first_follow_up_on: day + Duration::days(30),
                };
                step(worker, Role::SocialWorker, social, day, in_case(plan));
                step(worker, Role::SocialWorker, social, day, in_case(CaseCommand::StartIntervention { intervention }));
                if rng.below(2) == 0 {
                    day += Duration::days(30);
                    let attainment = GoalAttainment::new(rng.below(5) as i8 - 2)
                        .unwrap_or_else(|_| unreachable!("-2 to 2 is on the scale"));
                    let follow_up = CaseCommand::FollowUpIntervention {
                        intervention,
                        attainments: [(goal, attainment)].into(),
                        notes: text("Demo: uppföljning").await?,
                        next_follow_up_on: None,
                    };
                    step(worker, Role::SocialWorker, social, day, in_case(follow_up));
                    let end = CaseCommand::EndIntervention {
                        intervention,
                        outcome: InterventionOutcome::CompletedAsPlanned,
                        summary: text("Demo: avslutad").await?,
                    };
                    step(worker, Role::SocialWorker, social, day, in_case(end));
                    closable = true;
                }
            }
        }
    }
    if closable && rng.below(10) < 8 {
        let close = CaseCommand::CloseCase { reason: CloseReason::Other, notes: text("Demo: avslut").await? };
        step(worker, Role::SocialWorker, social, day, in_case(close));
        if rng.below(10) == 0 {
            day += Duration::days(20);
            step(
                worker,
                Role::SocialWorker,
                social,
                day,
                in_case(CaseCommand::ReopenCase { reason: text("Demo: ny anmälan").await? }),
            );
        }
    }
    let feedback = ReferralCommand::GiveFeedback { feedback: FeedbackKind::InvestigationOpened, message: None };
    step(worker, Role::SocialWorker, social, day, referral(feedback));
    Ok(steps)
}
