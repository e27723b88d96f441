//! `lots seed-demo`: a demo district to try Lots with — units, users with passwords printed once, and young
//! people with cases at every phase. Everything is synthetic: names are "Demo …", and no demo person has an
//! identity number (a made-up number could be someone's real one).

use domain::case::{
    Case, CaseCommand, CaseOrigin, ChildHeard, CloseReason, InvestigationResult, PlannedGoal, PreliminaryDecision,
};
use domain::categories::ConcernCategory;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use domain::categories::InformationCategory;
use domain::command::{Actor, Command, CommandContext, Role};
use domain::consent::{Consent, ConsentCommand, ConsentGiver};
use domain::directory::{Unit, UnitCommand};
use domain::identity_number::Sex;
use domain::ids::{CaseId, CommandId, ConsentId, GoalId, InterventionId, ReferralId, SubjectId, UnitId, UserId};
use domain::legal::LegalGroundCode;
use domain::outcomes::{GoalAttainment, InterventionKind, InterventionOutcome};
use domain::referral::{
    DeclineReason, DisclosureBasis, FeedbackKind, ProtectionAssessment, Referral, ReferralCommand, ReferralKind,
    ReporterCategory,
};
use domain::sealed::Sealed;
use domain::subject::{StatisticsAttributes, Subject, SubjectCommand};
use domain::units::{District, OfferedService, UnitKind};
use time::{Date, Duration};
use ulid::Ulid;

use crate::event_log::commands::{CommandBus, EventMetadata};
use crate::personal::{Identity, Vault};

pub mod city;

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
    /// The users with passwords of their own.
    pub users: Vec<DemoUser>,
    /// The workers who share one password (the city's), if any.
    pub shared: Option<SharedPassword>,
    /// How many young people.
    pub subjects: usize,
    /// How many commands were written.
    pub commands: usize,
}

/// Many demo users with one password between them (the city's workers): printing each would bury the rest.
#[derive(Debug, Clone)]
pub struct SharedPassword {
    /// Their usernames, as a pattern.
    pub usernames: String,
    /// How many.
    pub count: usize,
    /// The password, shown once.
    pub password: String,
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

/// How big a demo: a district of `300 × N` young people, or a Stockholm-like city.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// One demo district with `300 × N` young people.
    District(usize),
    /// The demo city: thirteen districts, the city-wide services, a worker per 30 open cases (see [`city`]).
    City,
}

impl std::str::FromStr for Scale {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "city" => Ok(Scale::City),
            number => match number.parse::<usize>() {
                Ok(n) if n >= 1 => Ok(Scale::District(n)),
                _ => Err(format!("the scale is `city` or a whole number from 1, not `{text}`")),
            },
        }
    }
}

/// Seeds a demo district with `300 × scale` young people, ending `today`; `progress` counts the commands written.
pub async fn seed(
    bus: &CommandBus,
    vault: &Vault,
    scale: usize,
    today: Date,
    progress: &AtomicUsize,
) -> Result<Demo, DemoError> {
    let directory = [
        ("Demo skolsocialt team", UnitKind::SchoolSocialTeam, OfferedService::SchoolSupport),
        ("Demo socialtjänst, barn och unga", UnitKind::SocialServices, OfferedService::ChildProtection),
        ("Demo Framtid Stockholm", UnitKind::FramtidStockholm, OfferedService::YouthCounselling),
        ("Demo internkontroll", UnitKind::Administration, OfferedService::Oversight),
    ];
    let units: Vec<(String, UnitId)> =
        directory.iter().map(|(name, ..)| ((*name).to_owned(), UnitId::from_ulid(Ulid::new()))).collect();
    let (school, social, framtid) = (units[0].1, units[1].1, units[2].1);
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
        let user = DemoUser { username: username.to_owned(), role, unit: unit.clone(), password: password()? };
        ids.push(add_user(bus, &user, today).await?);
        users.push(user);
    }
    // The demo's cases are the demo users' own: the school's counsellor reports, the social worker holds them.
    let (counsellor, worker, manager, framtid_worker, administrator) = (ids[0], ids[1], ids[2], ids[3], ids[5]);
    let mut commands = 0;
    for ((name, kind, service), (_, unit)) in directory.iter().zip(&units) {
        register_unit(bus, administrator, units[3].1, (*unit, *kind, name, "Demo", *service), today).await?;
        commands += 1;
    }
    // Scale 0 (never from the command line): the directory and its users alone.
    let subjects = 300 * scale;
    let provider = Provider { unit: framtid, kind: UnitKind::FramtidStockholm, worker: framtid_worker };
    for index in 0..subjects {
        let (mut rng, young) = YoungPerson::draw(index, today);
        let district = ["Rinkeby-Kista", "Spånga-Tensta", "Skärholmen", "Farsta"][index % 4];
        let cast = Cast {
            school,
            social,
            counsellor,
            worker,
            manager,
            richer: Some(Richer { provider, guardian: SubjectId::from_ulid(Ulid::new()) }),
        };
        commands += young.write(bus, vault, &mut rng, cast, district, today, progress).await?;
    }
    Ok(Demo { units, users, shared: None, subjects, commands })
}

/// Records a demo user (as the command line does: accounts are in the log like everything else) and returns
/// their id. Nobody is made to change a demo password.
async fn add_user(bus: &CommandBus, user: &DemoUser, today: Date) -> Result<UserId, DemoError> {
    let context = CommandContext {
        command_id: CommandId::from_ulid(Ulid::new()),
        actor: Actor { user: UserId::from_ulid(Ulid::nil()), role: Role::Administrator, unit: user.unit.1 },
        today,
        occurred_on: today,
    };
    let credentials = crate::accounts::Credentials {
        username: &user.username,
        password: &user.password,
        role: user.role,
        unit: user.unit.1,
        must_change_password: false,
    };
    let (id, _) = crate::accounts::create_user(bus, context, &metadata(), credentials).await.map_err(failed)?;
    Ok(id)
}

/// Registers a unit in the directory, as the demo administrator.
async fn register_unit(
    bus: &CommandBus,
    administrator: UserId,
    administration: UnitId,
    (unit, kind, name, district, service): (UnitId, UnitKind, &str, &str, OfferedService),
    today: Date,
) -> Result<(), DemoError> {
    let body = UnitCommand::RegisterUnit {
        unit,
        kind,
        name: name.to_owned(),
        district: District::parse(district).map_err(failed)?,
        services: [service].into(),
    };
    let context = CommandContext {
        command_id: CommandId::from_ulid(Ulid::new()),
        actor: Actor { user: administrator, role: Role::Administrator, unit: administration },
        today,
        occurred_on: today,
    };
    bus.execute::<Unit>(&unit.to_string(), Command { context, body }, &metadata()).await.map_err(failed)
}

fn metadata() -> EventMetadata {
    EventMetadata { client_address: Some("lots seed-demo".to_owned()), ..EventMetadata::default() }
}

/// One demo young person, drawn from their own seeded generator (so the same index is the same person however
/// the work is spread over writers): birth year, sex, the day their path starts (up to 400 days ago).
#[derive(Debug, Clone, Copy)]
pub struct YoungPerson {
    index: usize,
    birth_year: i32,
    female: bool,
    started: Date,
}

impl YoungPerson {
    /// The person at `index`, and the generator their path goes on drawing from.
    pub fn draw(index: usize, today: Date) -> (Generator, Self) {
        let mut rng = Generator::seeded(0x5eed_0000_0000_0001 ^ (index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let birth_year = today.year() - 8 - rng.below(10) as i32;
        let female = rng.below(2) == 0;
        let started = today - Duration::days(1 + rng.below(400) as i64);
        (rng, Self { index, birth_year, female, started })
    }

    /// Their path with placeholder texts (for planning: it draws exactly what [`YoungPerson::write`] draws).
    pub fn plan(self, rng: &mut Generator, cast: Cast) -> Vec<PathStep> {
        let text = async |_: &str| Ok::<_, std::convert::Infallible>(Sealed::from_bytes(Vec::new()));
        let subject = SubjectId::from_ulid(Ulid::nil());
        let Ok(steps) = poll_ready(path(rng, cast, subject, self.started, text));
        steps
    }

    /// Writes them: a guardian registered and linked when the cast has one, then each step of their path as it was
    /// given on its day. A path stops at the first step after today, or at one a legal clock refuses (a demo case
    /// whose dates ran past one stops there: realistic enough). Returns the commands written.
    #[allow(clippy::too_many_arguments)]
    pub async fn write(
        self,
        bus: &CommandBus,
        vault: &Vault,
        rng: &mut Generator,
        cast: Cast,
        district: &str,
        today: Date,
        progress: &AtomicUsize,
    ) -> Result<usize, DemoError> {
        let metadata = metadata();
        let subject = SubjectId::from_ulid(Ulid::new());
        let context = |user: UserId, role: Role, unit: UnitId, on: Date| CommandContext {
            command_id: CommandId::from_ulid(Ulid::new()),
            actor: Actor { user, role, unit },
            today,
            occurred_on: on.min(today),
        };
        let register = async |subject: SubjectId, family_name: String, statistics: StatisticsAttributes| {
            let identity = Identity { number: None, given_name: "Demo".to_owned(), family_name, ..Identity::default() };
            let sealed = vault.seal_identity(subject, &identity).await.map_err(failed)?;
            let body = SubjectCommand::RegisterSubject { subject, identity: sealed, statistics };
            let context = context(cast.worker, Role::SocialWorker, cast.social, self.started);
            bus.execute::<Subject>(&subject.to_string(), Command { context, body }, &metadata).await.map_err(failed)
        };
        let district = District::parse(district).map_err(failed)?;
        let sex = if self.female { Sex::Female } else { Sex::Male };
        let statistics = StatisticsAttributes { birth_year: Some(self.birth_year), sex: Some(sex), district };
        register(subject, format!("Person {:05}", self.index + 1), statistics.clone()).await?;
        let mut commands = 1;
        if let Some(richer) = cast.richer {
            let guardian = StatisticsAttributes { birth_year: Some(self.birth_year - 30), sex: None, ..statistics };
            register(richer.guardian, format!("Vårdnadshavare {:05}", self.index + 1), guardian).await?;
            let body = SubjectCommand::LinkGuardian { guardian: richer.guardian };
            let context = context(cast.worker, Role::SocialWorker, cast.social, self.started);
            bus.execute::<Subject>(&subject.to_string(), Command { context, body }, &metadata).await.map_err(failed)?;
            commands += 2;
        }
        progress.fetch_add(commands, Ordering::Relaxed);
        let text = async |words: &str| vault.seal_text(subject, words).await;
        for step in path(rng, cast, subject, self.started, text).await.map_err(failed)? {
            if step.on > today {
                break;
            }
            let context = context(step.user, step.role, step.unit, step.on);
            if step.command.execute(bus, context, &metadata).await.is_err() {
                tracing::debug!("demo path stopped early");
                break;
            }
            commands += 1;
            progress.fetch_add(1, Ordering::Relaxed);
        }
        Ok(commands)
    }
}

/// Runs a future that never waits (a path with placeholder texts) to its end.
fn poll_ready<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut context) {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => unreachable!("a path with placeholder texts never waits"),
    }
}

/// How many cases a path leaves open once its steps up to `today` are written.
pub fn open_cases(steps: &[PathStep], today: Date) -> usize {
    let mut open = std::collections::BTreeMap::new();
    for step in steps.iter().take_while(|step| step.on <= today) {
        if let PathCommand::Case(case, command) = &step.command {
            match command {
                CaseCommand::OpenCase { .. } | CaseCommand::ReopenCase { .. } => open.insert(*case, true),
                CaseCommand::CloseCase { .. } => open.insert(*case, false),
                _ => None,
            };
        }
    }
    open.values().filter(|open| **open).count()
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
    /// A guardian and a city-wide service, for paths that refer to one under consent and see reports again.
    pub richer: Option<Richer>,
}

/// What a richer path has: the young person's guardian, who consents, and the city-wide service an
/// intervention may be referred to.
#[derive(Debug, Clone, Copy)]
pub struct Richer {
    /// The city-wide service.
    pub provider: Provider,
    /// The guardian (registered and linked before the path).
    pub guardian: SubjectId,
}

/// A city-wide service and its worker.
#[derive(Debug, Clone, Copy)]
pub struct Provider {
    /// The unit.
    pub unit: UnitId,
    /// Its kind.
    pub kind: UnitKind,
    /// Who works its referrals.
    pub worker: UserId,
}

/// A command on a path: the referral's or the case's, with its aggregate's id.
#[derive(Debug, Clone)]
pub enum PathCommand {
    /// A step of the report of concern.
    Referral(ReferralId, ReferralCommand),
    /// A step of the case.
    Case(CaseId, CaseCommand),
    /// A consent given.
    Consent(ConsentId, ConsentCommand),
}

impl PathCommand {
    /// Gives the command on the bus.
    pub async fn execute(
        self,
        bus: &CommandBus,
        context: CommandContext,
        metadata: &EventMetadata,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        match self {
            PathCommand::Referral(referral, body) => {
                bus.execute::<Referral>(&referral.to_string(), Command { context, body }, metadata).await?
            }
            PathCommand::Case(case, body) => {
                bus.execute::<Case>(&case.to_string(), Command { context, body }, metadata).await?
            }
            PathCommand::Consent(consent, body) => {
                bus.execute::<Consent>(&consent.to_string(), Command { context, body }, metadata).await?
            }
        }
        Ok(())
    }
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
    let Cast { school, social, counsellor, worker, manager, richer } = cast;
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
                // Half of a richer path's interventions are given by a city-wide service, referred to under the
                // guardian's consent; now and then the service has no room and the district gives it itself.
                let mut provided = None;
                if let Some(Richer { provider, guardian }) = richer.filter(|_| rng.below(2) == 0) {
                    let (consent, to_provider) =
                        (ConsentId::from_ulid(Ulid::new()), ReferralId::from_ulid(Ulid::new()));
                    let shared: BTreeSet<_> =
                        [InformationCategory::Identity, InformationCategory::SocialServicesAssessment].into();
                    let give = ConsentCommand::GiveConsent {
                        consent,
                        subject,
                        subject_is_minor: true,
                        given_by: [ConsentGiver::Guardian(guardian)].into(),
                        parties: [social, provider.unit].into(),
                        categories: shared.clone(),
                        purpose: text("Demo: insats hos stadsövergripande verksamhet").await?,
                        valid_from: day,
                        valid_to: day + Duration::days(365),
                        custodians: [guardian].into(),
                    };
                    step(worker, Role::SocialWorker, social, day, PathCommand::Consent(consent, give));
                    let send = ReferralCommand::SendReferral {
                        referral: to_provider,
                        kind: ReferralKind::Referral,
                        subject,
                        to_unit: provider.unit,
                        to_unit_kind: provider.kind,
                        concerns: [concern].into(),
                        reason: text("Demo: uppdrag").await?,
                        basis: Some(DisclosureBasis::Consent(consent)),
                        information: shared,
                        forwarded_from: None,
                    };
                    let at_provider = |body| PathCommand::Referral(to_provider, body);
                    step(worker, Role::SocialWorker, social, day, at_provider(send));
                    let there = |step: &mut dyn FnMut(UserId, Role, UnitId, Date, PathCommand), on, body| {
                        step(provider.worker, Role::SocialWorker, provider.unit, on, at_provider(body))
                    };
                    day += Duration::days(1 + rng.below(5) as i64);
                    there(&mut step, day, ReferralCommand::ReceiveReferral { protection_assessment: None });
                    if rng.below(8) == 0 {
                        let decline = ReferralCommand::DeclineReferral {
                            reason_code: DeclineReason::NoCapacity,
                            reason: text("Demo: kö").await?,
                        };
                        there(&mut step, day, decline);
                    } else {
                        let accept = ReferralCommand::AcceptReferral { case: CaseId::from_ulid(Ulid::new()) };
                        there(&mut step, day, accept);
                        provided = Some((provider, to_provider));
                    }
                }
                let plan = CaseCommand::PlanIntervention {
                    intervention,
                    provider: provided.map(|(provider, _)| provider.unit),
                    referral: provided.map(|(_, referral)| referral),
                    goals: vec![PlannedGoal { goal, description: text("Demo: mål").await? }],
                    planned_start: day,
                    first_follow_up_on: day + Duration::days(30),
                };
                step(worker, Role::SocialWorker, social, day, in_case(plan));
                step(worker, Role::SocialWorker, social, day, in_case(CaseCommand::StartIntervention { intervention }));
                if let Some((provider, referral)) = provided {
                    let started = ReferralCommand::ReportInterventionStarted;
                    step(
                        provider.worker,
                        Role::SocialWorker,
                        provider.unit,
                        day,
                        PathCommand::Referral(referral, started),
                    );
                }
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
                    if let Some((provider, referral)) = provided {
                        for body in [
                            ReferralCommand::ReportInterventionEnded {
                                outcome: InterventionOutcome::CompletedAsPlanned,
                            },
                            ReferralCommand::GiveFeedback { feedback: FeedbackKind::ReferralHandled, message: None },
                        ] {
                            step(
                                provider.worker,
                                Role::SocialWorker,
                                provider.unit,
                                day,
                                PathCommand::Referral(referral, body),
                            );
                        }
                    }
                    closable = true;
                }
            }
        }
    }
    let mut closed = false;
    if closable && rng.below(10) < 8 {
        let close = CaseCommand::CloseCase { reason: CloseReason::Other, notes: text("Demo: avslut").await? };
        step(worker, Role::SocialWorker, social, day, in_case(close));
        closed = true;
        if rng.below(10) == 0 {
            closed = false;
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
    // A richer path whose case was closed is now and then reported again, by the police, months later: a new case
    // at its start (the figure of re-referrals counts these).
    if richer.is_some() && closed && rng.below(6) == 0 {
        day += Duration::days(30 + rng.below(170) as i64);
        let (again, case) = (ReferralId::from_ulid(Ulid::new()), CaseId::from_ulid(Ulid::new()));
        let register = ReferralCommand::RegisterReport {
            referral: again,
            unit_kind: UnitKind::SocialServices,
            subject,
            reporter: ReporterCategory::Police,
            reporter_identity: Some(text("Demo: polisen").await?),
            concerns: [concern].into(),
            reason: text("Demo: ny oro").await?,
            protection_assessment: assessment(day, false, text("Demo: inget akut").await?),
        };
        let open = CaseCommand::OpenCase {
            case,
            subject,
            unit_kind: UnitKind::SocialServices,
            origin: CaseOrigin::Referral(again),
            concerns: [concern].into(),
            protection_assessed_on: Some(day),
            prior_investigation: None,
            received_on: Some(day),
        };
        for command in [
            PathCommand::Referral(again, register),
            PathCommand::Referral(again, ReferralCommand::AcceptReferral { case }),
            PathCommand::Case(case, open),
            PathCommand::Case(case, CaseCommand::AssignResponsibleWorker { worker }),
        ] {
            step(worker, Role::SocialWorker, social, day, command);
        }
    }
    Ok(steps)
}
