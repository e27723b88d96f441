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
use domain::outcomes::{GoalAttainment, InterventionKind, InterventionOutcome};
use domain::referral::{FeedbackKind, ProtectionAssessment, Referral, ReferralCommand, ReferralKind};
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
        let (user, _) = crate::accounts::create_user(bus, context, &metadata, username, &password, role, unit.1)
            .await
            .map_err(failed)?;
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
        let text = |words: &str| {
            let vault = vault.clone();
            let words = words.to_owned();
            async move { vault.seal_text(subject, &words).await }
        };
        let (report, case) = (ReferralId::from_ulid(Ulid::new()), CaseId::from_ulid(Ulid::new()));
        let concern = [
            ConcernCategory::SchoolAbsence,
            ConcernCategory::DrugOffence,
            ConcernCategory::ParentingConcerns,
            ConcernCategory::Robbery,
        ][rng.below(4) as usize];
        let send = ReferralCommand::SendReferral {
            referral: report,
            kind: ReferralKind::ReportOfConcern,
            subject,
            to_unit: social,
            to_unit_kind: UnitKind::SocialServices,
            concerns: [concern].into(),
            reason: text("Demo: oro från skolan").await.map_err(failed)?,
            basis: None,
            forwarded_from: None,
        };
        let assessment = ProtectionAssessment {
            immediate_protection_needed: false,
            assessment: text("Demo: inget akut").await.map_err(failed)?,
            assessed_on: started,
            late_reason: None,
        };
        for (user, unit, body) in [
            (counsellor, school, send),
            (worker, social, ReferralCommand::ReceiveReferral { protection_assessment: Some(assessment) }),
            (worker, social, ReferralCommand::AcceptReferral { case }),
        ] {
            bus.execute::<Referral>(
                &report.to_string(),
                Command { context: context(user, Role::SocialWorker, unit, started), body },
                &metadata,
            )
            .await
            .map_err(failed)?;
            commands += 1;
        }
        // How far this case got: 0 intake, 1 not investigated, 2 investigating, 3 investigated, 4 intervening, 5 closed.
        let depth = rng.below(6);
        let mut day = started;
        let mut steps = vec![
            (
                worker,
                Role::SocialWorker,
                CaseCommand::OpenCase {
                    case,
                    subject,
                    unit_kind: UnitKind::SocialServices,
                    origin: CaseOrigin::Referral(report),
                    concerns: [concern].into(),
                    protection_assessed_on: Some(started),
                    prior_investigation: None,
                },
                day,
            ),
            (worker, Role::SocialWorker, CaseCommand::AssignResponsibleWorker { worker }, day),
        ];
        if depth >= 1 {
            day += Duration::days(rng.below(14) as i64);
            let decision =
                if depth == 1 { PreliminaryDecision::NoInvestigation } else { PreliminaryDecision::OpenInvestigation };
            steps.push((
                worker,
                Role::SocialWorker,
                CaseCommand::DecidePreliminaryAssessment {
                    decision,
                    reasons: text("Demo: skäl").await.map_err(failed)?,
                    child_heard: ChildHeard::Yes,
                    exceptional_reason: None,
                },
                day,
            ));
        }
        if depth >= 2 {
            steps.push((
                worker,
                Role::SocialWorker,
                CaseCommand::StartInvestigation { concerns: [concern].into() },
                day,
            ));
        }
        if depth >= 3 {
            day += Duration::days(20 + rng.below(60) as i64);
            steps.push((
                worker,
                Role::SocialWorker,
                CaseCommand::CompleteInvestigation {
                    result: InvestigationResult::InterventionNeeded,
                    conclusion: text("Demo: insats behövs").await.map_err(failed)?,
                },
                day,
            ));
        }
        if depth >= 4 {
            let intervention = InterventionId::from_ulid(Ulid::new());
            let goal = GoalId::from_ulid(Ulid::new());
            steps.push((
                manager,
                Role::UnitManager,
                CaseCommand::DecideIntervention {
                    intervention,
                    kind: InterventionKind::FamilyTreatment,
                    legal_basis: domain::legal::LegalGroundCode::parse("sol-4-1").map_err(failed)?,
                    reasons: text("Demo: beslut").await.map_err(failed)?,
                },
                day,
            ));
            steps.push((
                worker,
                Role::SocialWorker,
                CaseCommand::PlanIntervention {
                    intervention,
                    provider: None,
                    referral: None,
                    goals: vec![PlannedGoal { goal, description: text("Demo: mål").await.map_err(failed)? }],
                    planned_start: day,
                    first_follow_up_on: day + Duration::days(30),
                },
                day,
            ));
            steps.push((worker, Role::SocialWorker, CaseCommand::StartIntervention { intervention }, day));
            if depth == 5 {
                day += Duration::days(30);
                steps.push((
                    worker,
                    Role::SocialWorker,
                    CaseCommand::FollowUpIntervention {
                        intervention,
                        attainments: [(goal, GoalAttainment::new(rng.below(5) as i8 - 2).map_err(failed)?)].into(),
                        notes: text("Demo: uppföljning").await.map_err(failed)?,
                        next_follow_up_on: None,
                    },
                    day,
                ));
                steps.push((
                    worker,
                    Role::SocialWorker,
                    CaseCommand::EndIntervention {
                        intervention,
                        outcome: InterventionOutcome::CompletedAsPlanned,
                        summary: text("Demo: avslutad").await.map_err(failed)?,
                    },
                    day,
                ));
                steps.push((
                    worker,
                    Role::SocialWorker,
                    CaseCommand::CloseCase {
                        reason: CloseReason::InterventionsEnded,
                        notes: text("Demo: avslut").await.map_err(failed)?,
                    },
                    day,
                ));
            }
        }
        for (user, role, body, on) in steps {
            if on > today {
                break;
            }
            let outcome = bus
                .execute::<Case>(
                    &case.to_string(),
                    Command { context: context(user, role, social, on), body },
                    &metadata,
                )
                .await;
            if let Err(error) = outcome {
                // A demo case whose dates ran past a legal clock stops there; that is realistic enough.
                tracing::debug!(%error, "demo case stopped early");
                break;
            }
            commands += 1;
        }
        let feedback = ReferralCommand::GiveFeedback { feedback: FeedbackKind::InvestigationOpened, message: None };
        if bus
            .execute::<Referral>(
                &report.to_string(),
                Command { context: context(worker, Role::SocialWorker, social, day), body: feedback },
                &metadata,
            )
            .await
            .is_ok()
        {
            commands += 1;
        }
    }
    Ok(Demo { units, users, subjects, commands })
}
