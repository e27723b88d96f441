//! Projections on both stores: the views after each step of a scripted flow (exact rows), read-your-writes, a
//! projection that stops on an event it cannot read, runners stopped and resumed, two runners on one database,
//! and rebuilt digests equal to live ones after a random scenario.

use std::time::Duration;

use domain::case::{Case, CaseCommand, CaseOrigin, ChildHeard, InvestigationResult, PlannedGoal, PreliminaryDecision};
use domain::categories::ConcernCategory;
use domain::command::{Actor, Command, CommandContext, Role};
use domain::ids::*;
use domain::legal::LegalGroundCode;
use domain::outcomes::InterventionKind;
use domain::referral::{FeedbackKind, ProtectionAssessment, Referral, ReferralCommand, ReferralKind};
use domain::sealed::Sealed;
use domain::units::UnitKind;
use projections::db::Db;
use projections::feed::{self, FeedCursor};
use projections::queries::{self, DeadlineKind, DeadlineRow, ReferralRow};
use projections::runner;
use service::event_log::commands::{CommandBus, EventMetadata};
use time::macros::date;
use time::Date;
use ulid::Ulid;

/// Units, people and a command bus for a scripted flow.
struct Scene {
    bus: CommandBus,
    school: UnitId,
    social: UnitId,
    framtid: UnitId,
    counsellor: UserId,
    worker: UserId,
    manager: UserId,
}

impl Scene {
    fn new(db: &Db) -> Self {
        let id = || Ulid::new();
        Self {
            bus: CommandBus::new(db.clone()),
            school: UnitId::from_ulid(id()),
            social: UnitId::from_ulid(id()),
            framtid: UnitId::from_ulid(id()),
            counsellor: UserId::from_ulid(id()),
            worker: UserId::from_ulid(id()),
            manager: UserId::from_ulid(id()),
        }
    }

    fn context(&self, user: UserId, role: Role, unit: UnitId, on: Date) -> CommandContext {
        CommandContext {
            command_id: CommandId::from_ulid(Ulid::new()),
            actor: Actor { user, role, unit },
            today: on.max(date!(2026 - 11 - 25)),
            occurred_on: on,
        }
    }

    async fn referral(&self, id: ReferralId, context: CommandContext, body: ReferralCommand) {
        self.bus
            .execute::<Referral>(&id.to_string(), Command { context, body }, &EventMetadata::default())
            .await
            .expect("referral command");
    }

    async fn case(&self, id: CaseId, context: CommandContext, body: CaseCommand) {
        self.bus
            .execute::<Case>(&id.to_string(), Command { context, body }, &EventMetadata::default())
            .await
            .expect("case command");
    }

    /// The school reports a concern on `sent`; social services receive it with a protection assessment and open
    /// a case on `received`. Returns the report, the case and the subject.
    async fn report_received_and_opened(
        &self,
        sent: Date,
        received: Date,
        concern: ConcernCategory,
    ) -> (ReferralId, CaseId, SubjectId) {
        let (report, case, subject) =
            (ReferralId::from_ulid(Ulid::new()), CaseId::from_ulid(Ulid::new()), SubjectId::from_ulid(Ulid::new()));
        let school = self.context(self.counsellor, Role::SocialWorker, self.school, sent);
        self.referral(
            report,
            school,
            ReferralCommand::SendReferral {
                referral: report,
                kind: ReferralKind::ReportOfConcern,
                subject,
                to_unit: self.social,
                to_unit_kind: UnitKind::SocialServices,
                concerns: [concern].into(),
                reason: text("oro"),
                basis: None,
                information: Default::default(),
                forwarded_from: None,
            },
        )
        .await;
        let assessment = ProtectionAssessment {
            immediate_protection_needed: false,
            assessment: text("ok"),
            assessed_on: received,
            late_reason: None,
        };
        let social = self.context(self.worker, Role::SocialWorker, self.social, received);
        self.referral(report, social, ReferralCommand::ReceiveReferral { protection_assessment: Some(assessment) })
            .await;
        let social = self.context(self.worker, Role::SocialWorker, self.social, received);
        self.case(
            case,
            social,
            CaseCommand::OpenCase {
                case,
                subject,
                unit_kind: UnitKind::SocialServices,
                origin: CaseOrigin::Referral(report),
                concerns: [concern].into(),
                protection_assessed_on: Some(received),
                prior_investigation: None,
                received_on: None,
            },
        )
        .await;
        (report, case, subject)
    }
}

fn text(words: &str) -> Sealed {
    Sealed::from_bytes(words.as_bytes().to_vec())
}

/// Brings every projection up to the last event written to `aggregate`.
async fn catch_up(db: &Db, aggregate_type: &str, aggregate_id: &str) {
    let cursor = feed::cursor_of(db, aggregate_type, aggregate_id).await.expect("cursor").expect("written");
    for projection in projections::all() {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while runner::status(db, projection.name()).await.expect("status").checkpoint < cursor {
            assert!(tokio::time::Instant::now() < deadline, "{} did not catch up", projection.name());
            if runner::step(db, projection.as_ref()).await.expect("step") == 0 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
}

on_both_stores! {
    /// A report of concern through receipt, case, assessment, investigation and an intervention: inbox, outbox,
    /// caseload and deadlines show each step, row for row.
    async fn the_views_show_each_step_of_a_report_of_concern(store) {
        let scene = Scene::new(&store.db);
        let received = date!(2026 - 11 - 03);
        let (report, case, _) = scene.report_received_and_opened(date!(2026 - 11 - 02), received, ConcernCategory::SchoolAbsence).await;
        let social = |on| scene.context(scene.worker, Role::SocialWorker, scene.social, on);
        scene.case(case, social(received), CaseCommand::AssignResponsibleWorker { worker: scene.worker }).await;
        catch_up(&store.db, "case", &case.to_string()).await;

        let today = date!(2026 - 11 - 10);
        let inbox = queries::inbox(&store.db, &scene.social.to_string(), today).await.expect("inbox");
        let expected = ReferralRow {
            referral_id: report.to_string(),
            kind: "report_of_concern".to_owned(),
            from_unit: Some(scene.school.to_string()),
            to_unit: scene.social.to_string(),
            status: "received".to_owned(),
            sent_on: date!(2026 - 11 - 02),
            received_on: Some(received),
            days_since_sent: 8,
            days_since_received: Some(7),
            case_id: None,
            forwarded_from: None,
            forwarded_to: None,
            feedback_given: false,
            last_feedback: None,
            last_feedback_on: None,
            intervention_outcome: None,
            open_investigation_case_id: None,
        };
        assert_eq!(inbox, std::slice::from_ref(&expected));
        assert_eq!(queries::outbox(&store.db, &scene.school.to_string(), today).await.expect("outbox"), [expected]);
        assert!(queries::inbox(&store.db, &scene.school.to_string(), today).await.expect("inbox").is_empty());

        let caseload = queries::caseload(&store.db, &scene.social.to_string(), today).await.expect("caseload");
        assert_eq!(caseload.len(), 1);
        assert_eq!((caseload[0].phase.as_str(), caseload[0].worker_id.clone(), caseload[0].overdue), ("intake", Some(scene.worker.to_string()), false));
        let preliminary_due = date!(2026 - 11 - 17);
        assert_eq!(caseload[0].next_deadline.as_ref().map(|row| (row.kind, row.due_on, row.days_left)), Some((DeadlineKind::PreliminaryAssessment, preliminary_due, 7)));
        let late_caseload = queries::caseload(&store.db, &scene.social.to_string(), date!(2026 - 11 - 20)).await.expect("caseload");
        assert_eq!(queries::summarise(&late_caseload), [queries::CaseloadSummary { worker_id: Some(scene.worker.to_string()), phase: "intake".to_owned(), open: 1, overdue: 1 }]);
        let late = queries::deadlines(&store.db, &scene.social.to_string(), date!(2026 - 11 - 20)).await.expect("deadlines");
        assert_eq!(late.iter().map(|row| (row.kind, row.due_on, row.overdue, row.days_left)).collect::<Vec<_>>(), [(DeadlineKind::PreliminaryAssessment, preliminary_due, true, -3)]);
        assert!(queries::deadlines_due_within(&store.db, &scene.social.to_string(), date!(2026 - 11 - 05), 7).await.expect("due").is_empty());

        // Accepted with feedback; investigation decided and started; an intervention planned.
        let decided = date!(2026 - 11 - 16);
        scene.referral(report, social(received), ReferralCommand::AcceptReferral { case }).await;
        scene.referral(report, social(decided), ReferralCommand::GiveFeedback { feedback: FeedbackKind::InvestigationOpened, message: None }).await;
        scene.case(case, social(decided), CaseCommand::DecidePreliminaryAssessment {
            decision: PreliminaryDecision::OpenInvestigation,
            reasons: text("skäl"),
            child_heard: ChildHeard::Yes,
            exceptional_reason: None,
        }).await;
        scene.case(case, social(decided), CaseCommand::StartInvestigation { concerns: [ConcernCategory::SchoolAbsence].into() }).await;
        catch_up(&store.db, "case", &case.to_string()).await;
        catch_up(&store.db, "referral", &report.to_string()).await;
        let inbox = queries::inbox(&store.db, &scene.social.to_string(), date!(2026 - 11 - 25)).await.expect("inbox");
        assert_eq!((inbox[0].status.as_str(), inbox[0].case_id.clone(), inbox[0].feedback_given, inbox[0].days_since_sent), ("accepted", Some(case.to_string()), true, 1));
        // The school that reported sees only what feedback may say: received, and that an investigation was opened —
        // not the case that took it (issue 12, #10).
        let outbox = queries::outbox(&store.db, &scene.school.to_string(), date!(2026 - 11 - 25)).await.expect("outbox");
        assert_eq!(
            (outbox[0].status.as_str(), outbox[0].case_id.clone(), outbox[0].last_feedback.as_deref(), outbox[0].last_feedback_on),
            ("received", None, Some("investigation_opened"), Some(decided))
        );
        let deadlines = queries::deadlines(&store.db, &scene.social.to_string(), date!(2026 - 11 - 25)).await.expect("deadlines");
        let investigation_event = feed::cursor_of(&store.db, "case", &case.to_string()).await.expect("cursor").expect("written").position;
        assert_eq!(deadlines, [DeadlineRow {
            case_id: case.to_string(),
            worker_id: Some(scene.worker.to_string()),
            kind: DeadlineKind::Investigation,
            due_on: date!(2027 - 03 - 16),
            overdue: false,
            days_left: 111,
            position: investigation_event,
            referral_id: None,
        }]);

        let manager = scene.context(scene.manager, Role::UnitManager, scene.social, date!(2027 - 02 - 01));
        scene.case(case, social(date!(2027 - 02 - 01)), CaseCommand::CompleteInvestigation { result: InvestigationResult::InterventionNeeded, conclusion: text("x"), late_reason: None }).await;
        let intervention = InterventionId::from_ulid(Ulid::new());
        scene.case(case, manager, CaseCommand::DecideIntervention {
            intervention,
            kind: InterventionKind::YouthOutpatientSupport,
            legal_basis: LegalGroundCode::parse("sol-4-1").expect("a code"),
            reasons: text("x"),
            stage: domain::case::DecisionStage::AfterInvestigation,
            delegated: domain::delegation::Delegated::by_default(domain::delegation::DecisionKind::Intervention),
        }).await;
        scene.case(case, social(date!(2027 - 02 - 02)), CaseCommand::PlanIntervention {
            intervention,
            provider: Some(scene.framtid),
            referral: None,
            goals: vec![PlannedGoal { goal: GoalId::from_ulid(Ulid::new()), description: text("mål") }],
            planned_start: date!(2027 - 02 - 10),
            first_follow_up_on: date!(2027 - 03 - 10),
        }).await;
        catch_up(&store.db, "case", &case.to_string()).await;
        let today = date!(2027 - 03 - 05);
        let deadlines = queries::deadlines(&store.db, &scene.social.to_string(), today).await.expect("deadlines");
        assert_eq!(deadlines.iter().map(|row| (row.kind, row.due_on, row.overdue)).collect::<Vec<_>>(), [(DeadlineKind::FollowUp, date!(2027 - 03 - 10), false)]);
        let caseload = queries::caseload(&store.db, &scene.social.to_string(), today).await.expect("caseload");
        assert_eq!(caseload[0].phase, "investigated");
    }

    /// A caller waits for the projection to reach its own write, then reads it.
    async fn a_read_after_a_write_can_wait_for_the_write(store) {
        let scene = Scene::new(&store.db);
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let runner = tokio::spawn(runner::run(store.db.clone(), Box::new(projections::caseload::Caseload), tokio::sync::watch::channel(0).0, stopped));
        let case = CaseId::from_ulid(Ulid::new());
        let context = scene.context(scene.worker, Role::SocialWorker, scene.social, date!(2026 - 11 - 20));
        scene.case(case, context, CaseCommand::OpenCase {
            case,
            subject: SubjectId::from_ulid(Ulid::new()),
            unit_kind: UnitKind::SocialServices,
            origin: CaseOrigin::OwnInitiative,
            concerns: [ConcernCategory::ParentingConcerns].into(),
            protection_assessed_on: None,
            prior_investigation: None,
            received_on: None,
        }).await;
        let written = feed::cursor_of(&store.db, "case", &case.to_string()).await.expect("cursor").expect("written");
        assert!(runner::wait_for(&store.db, "caseload", written, Duration::from_secs(30)).await.expect("wait"));
        let caseload = queries::caseload(&store.db, &scene.social.to_string(), date!(2026 - 11 - 20)).await.expect("caseload");
        assert_eq!(caseload.len(), 1);
        assert_eq!(caseload[0].next_deadline.as_ref().map(|row| row.kind), Some(DeadlineKind::ProtectionAssessment));
        stop.send(true).expect("stop");
        runner.await.expect("the runner stops");
    }

    /// An event the projection cannot read stops it there: the error names the event, nothing after it is
    /// applied, and it is never skipped.
    async fn a_projection_stops_at_an_event_it_cannot_read_and_never_skips_it(store) {
        let scene = Scene::new(&store.db);
        let good = CaseId::from_ulid(Ulid::new());
        let open = |case| CaseCommand::OpenCase {
            case,
            subject: SubjectId::from_ulid(Ulid::new()),
            unit_kind: UnitKind::SocialServices,
            origin: CaseOrigin::OwnInitiative,
            concerns: [ConcernCategory::Other].into(),
            protection_assessed_on: None,
            prior_investigation: None,
            received_on: None,
        };
        scene.case(good, scene.context(scene.worker, Role::SocialWorker, scene.social, date!(2026 - 11 - 20)), open(good)).await;
        store
            .raw("insert into events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
                  values ('case', 'broken', 1, 'CaseOpened', '1', '{\"not\": \"a case event\"}', '{}')")
            .await
            .expect("a malformed event, written behind Lots' back");
        let after = CaseId::from_ulid(Ulid::new());
        scene.case(after, scene.context(scene.worker, Role::SocialWorker, scene.social, date!(2026 - 11 - 20)), open(after)).await;
        tests::settled(&store.db, FeedCursor::default(), 3).await;
        let caseload = projections::caseload::Caseload;
        let error = runner::step(&store.db, &caseload).await.expect_err("it stops");
        assert!(error.to_string().contains("case broken #1"), "{error}");
        let state = runner::status(&store.db, "caseload").await.expect("status");
        assert!(state.error.as_deref().is_some_and(|error| error.contains("case broken #1")), "{state:?}");
        assert!(matches!(runner::step(&store.db, &caseload).await, Err(runner::ProjectionError::Stopped { .. })));
        let rows = queries::caseload(&store.db, &scene.social.to_string(), date!(2026 - 11 - 20)).await.expect("caseload");
        assert_eq!(rows.iter().map(|row| row.case_id.clone()).collect::<Vec<_>>(), [good.to_string()], "nothing after the bad event");
    }
}

/// How many events the log holds (committed).
async fn event_count(db: &Db) -> usize {
    let count: i64 =
        projections::on_pool!(db, |pool| sqlx::query_scalar("select count(*) from events").fetch_one(pool).await)
            .expect("count");
    count as usize
}

/// Starts a runner for every projection on `db`; returns the switch that stops them and their tasks.
fn start_runners(db: &Db) -> (tokio::sync::watch::Sender<bool>, Vec<tokio::task::JoinHandle<()>>) {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let tasks = projections::all()
        .into_iter()
        .map(|projection| {
            tokio::spawn(runner::run(db.clone(), projection, tokio::sync::watch::channel(0).0, stopped.clone()))
        })
        .collect();
    (stop, tasks)
}

/// Waits until every projection has applied every event, then checks none stopped and each live digest equals
/// the digest of a rebuild from position zero.
async fn assert_live_equals_rebuilt(db: &Db) {
    let events = tests::settled(db, FeedCursor::default(), event_count(db).await).await;
    let last = events.last().expect("events").cursor;
    for projection in projections::all() {
        assert!(
            runner::wait_for(db, projection.name(), last, Duration::from_secs(120)).await.expect("wait"),
            "{} lags",
            projection.name()
        );
    }
    for projection in projections::all() {
        let state = runner::status(db, projection.name()).await.expect("status");
        assert_eq!(state.error, None);
        let live = runner::digest(db, projection.as_ref(), state.generation).await.expect("digest");
        let rebuilt = runner::rebuild(db, projection.as_ref(), |_| {}).await.expect("rebuild");
        assert_eq!(live, rebuilt, "{}: the rebuilt digest differs from the live one", projection.name());
        // `lots rebuild`'s way: applied in a scratch SQLite database, the rows copied over in large inserts.
        let scratch = service::event_log::store::scratch().expect("a scratch database");
        let batched = runner::rebuild_in(db, Some(&scratch), projection.as_ref(), |_| {}).await.expect("rebuild");
        assert_eq!(live, batched, "{}: rebuilt through the scratch database, the digest differs", projection.name());
    }
}

on_both_stores! {
    /// Live runners follow a random scenario of thousands of commands written by four writers at once; a rebuild
    /// from position zero then yields the same digest as the live projection.
    async fn a_rebuilt_projection_equals_the_live_one_after_thousands_of_commands(store) {
        let (stop, runners) = start_runners(&store.db);
        let bus = std::sync::Arc::new(CommandBus::new(store.db.clone()));
        let writers: Vec<_> = (0..4)
            .map(|seed| {
                let bus = std::sync::Arc::clone(&bus);
                tokio::spawn(async move { tests::random_flow(&bus, 7919 * (seed + 1), 80).await })
            })
            .collect();
        let mut written = 0;
        for writer in writers {
            written += writer.await.expect("a writer");
        }
        assert!(written > 2000, "only {written} commands");
        assert_live_equals_rebuilt(&store.db).await;
        stop.send(true).expect("stop");
        for runner in runners {
            runner.await.expect("a runner stops");
        }
        // The rebuilt views answer like the live ones did: a spot check on one unit's inbox.
        let unit = UnitId::from_ulid(Ulid::from_parts(1, 3)).to_string();
        assert!(!queries::inbox(&store.db, &unit, date!(2026 - 11 - 25)).await.expect("inbox").is_empty());
    }

    /// A runner stopped between two batches (its process gone) is resumed by another from the checkpoint: no
    /// event is missed or applied twice.
    async fn a_runner_stopped_between_batches_resumes_without_gaps_or_duplicates(store) {
        let bus = CommandBus::new(store.db.clone());
        tests::random_flow(&bus, 104729, 150).await;
        let total = event_count(&store.db).await;
        assert!(total > 1000, "only {total} events");
        let events = tests::settled(&store.db, FeedCursor::default(), total).await;
        let caseload = projections::caseload::Caseload;
        assert_eq!(runner::step(&store.db, &caseload).await.expect("one batch"), 500);
        let other_process = store.reopen().await;
        while runner::step(&other_process, &caseload).await.expect("resume") > 0 {}
        let state = runner::status(&other_process, "caseload").await.expect("status");
        assert_eq!(state.checkpoint, events.last().expect("events").cursor);
        let live = runner::digest(&other_process, &caseload, state.generation).await.expect("digest");
        assert_eq!(live, runner::rebuild(&other_process, &caseload, |_| {}).await.expect("rebuild"));
    }
}

/// Two `lots` processes on one PostgreSQL database each run every projection: each event is applied once (a
/// second application would break a primary key and stop the projection), and the views equal a rebuild.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_runners_on_one_postgres_apply_each_event_once() {
    let store = tests::TestStore::new(tests::Backend::Postgres).await;
    let second = store.reopen().await;
    let (stop_first, first) = start_runners(&store.db);
    let (stop_second, second_runners) = start_runners(&second);
    let bus = CommandBus::new(store.db.clone());
    tests::random_flow(&bus, 15485863, 60).await;
    assert_live_equals_rebuilt(&store.db).await;
    stop_first.send(true).expect("stop");
    stop_second.send(true).expect("stop");
    for runner in first.into_iter().chain(second_runners) {
        runner.await.expect("a runner stops");
    }
}

on_both_stores! {
    /// Outcome figures for a period, by sex: small counts masked, a second cell hidden where the total would
    /// give a small one away, shares withheld where they would, and every cell traced to its cases.
    async fn outcome_figures_suppress_small_cells_and_trace_their_cases(store) {
        use domain::identity_number::Sex;
        use domain::subject::{StatisticsAttributes, Subject, SubjectCommand};
        use projections::figures::Period;
        use projections::outcomes::{report, Breakdown};
        use projections::suppression::{Cell, Published};
        let scene = Scene::new(&store.db);
        let mut boys = Vec::new();
        for (index, (sex, decision_after_days)) in
            [(Sex::Female, 3), (Sex::Female, 5), (Sex::Female, 14), (Sex::Female, 1), (Sex::Female, 7), (Sex::Female, 20), (Sex::Male, 2), (Sex::Male, 4)].into_iter().enumerate()
        {
            let subject = SubjectId::from_ulid(Ulid::new());
            let received = date!(2026 - 03 - 01) + time::Duration::days(index as i64);
            let statistics = StatisticsAttributes { birth_year: Some(2011), sex: Some(sex), district: domain::units::District::parse("Farsta").expect("a district") };
            let context = scene.context(scene.worker, Role::SocialWorker, scene.social, received);
            scene.bus.execute::<Subject>(&subject.to_string(), Command { context, body: SubjectCommand::RegisterSubject { subject, identity: text("sealed"), statistics } }, &EventMetadata::default()).await.expect("register");
            let case = CaseId::from_ulid(Ulid::new());
            scene.case(case, scene.context(scene.worker, Role::SocialWorker, scene.social, received), CaseCommand::OpenCase {
                case,
                subject,
                unit_kind: UnitKind::SocialServices,
                origin: CaseOrigin::OwnInitiative,
                concerns: [ConcernCategory::SchoolAbsence].into(),
                protection_assessed_on: Some(received),
                prior_investigation: None,
                received_on: None,
            }).await;
            let decided = received + time::Duration::days(decision_after_days);
            scene.case(case, scene.context(scene.worker, Role::SocialWorker, scene.social, decided), CaseCommand::DecidePreliminaryAssessment {
                decision: PreliminaryDecision::NoInvestigation,
                reasons: text("skäl"),
                child_heard: ChildHeard::Yes,
                exceptional_reason: (decision_after_days > 14).then(|| text("synnerliga skäl")),
            }).await;
            if sex == Sex::Male {
                boys.push(case.to_string());
            }
            catch_up(&store.db, "case", &case.to_string()).await;
        }
        let figures = report(&store.db, Period::Year(2026), &[Breakdown::Sex], 5).await.expect("outcomes");
        assert_eq!(figures.groups, [["female"], ["male"]]);
        let by_name = |name: &str| figures.measures.iter().find(|measure| measure.name == name).expect(name).counts.clone();
        // Eight children: the total is shown; the two boys are masked, and so are the six girls (else 8 − 6 = 2).
        assert_eq!(by_name("children with a case received"), Published { cells: vec![Cell::Masked, Cell::Masked], total: Cell::Count(8) });
        // Seven decided within 14 days of eight decided would show the one late decision: one of them is masked.
        let decided = by_name("children with a preliminary assessment decided");
        let within = by_name("children with a preliminary assessment decided within 14 days");
        assert!(matches!((decided.total, within.total), (Cell::Masked, _) | (_, Cell::Masked)), "{decided:?} {within:?}");
        for measure in &figures.measures {
            assert_eq!(measure.counts.cells[1], Cell::Masked, "{}: the two boys", measure.name);
            for cell in measure.counts.cells.iter().chain([&measure.counts.total]) {
                assert!(!matches!(cell, Cell::Count(count) if (1..5).contains(count)), "{}: {cell:?}", measure.name);
            }
        }
        assert_eq!(figures.preliminary_within_14_days, [None, None]);
        // Six girls decided on: a median needs ten (the mean of the five around it is never one child's value).
        assert_eq!(figures.days_to_decision, [None, None]);
        assert_eq!(figures.goal_attainment, [None, None]);
        let mut traced: Vec<String> = figures.trace[&("children with a case received".to_owned(), "male".to_owned())].iter().map(|(case, _)| case.clone()).collect();
        traced.sort();
        boys.sort();
        assert_eq!(traced, boys);
        // The quarter they fell in is masked alike: its total is the year's.
        let quarter = report(&store.db, Period::Quarter(2026, 1), &[Breakdown::Sex], 5).await.expect("outcomes");
        assert_eq!(quarter.measures[0].counts, figures.measures[0].counts);
        let outside = report(&store.db, Period::Year(2025), &[Breakdown::Sex], 5).await.expect("outcomes");
        assert!(outside.groups.is_empty());
    }
}

/// The database's clock now, in microseconds since the Unix epoch.
async fn database_now(db: &Db) -> i64 {
    match db.backend() {
        projections::db::Backend::Postgres(pool) => {
            sqlx::query_scalar("select (extract(epoch from clock_timestamp()) * 1000000)::bigint").fetch_one(pool).await
        }
        projections::db::Backend::Sqlite(pool) => {
            sqlx::query_scalar("select cast(unixepoch('subsec') * 1000000 as integer)").fetch_one(pool).await
        }
    }
    .expect("the database's clock")
}

on_both_stores! {
    /// The auditor's timeline shows a case and its referral in order with who acted; the case's state as of a
    /// past position is what it was then; and a view built as of a past moment equals the live view as it stood.
    async fn the_timeline_and_views_as_of_a_past_moment_show_what_was(store) {
        let scene = Scene::new(&store.db);
        let received = date!(2026 - 04 - 02);
        let (report, case, _) = scene.report_received_and_opened(date!(2026 - 04 - 01), received, ConcernCategory::ViolenceInCloseRelationships).await;
        let social = |on| scene.context(scene.worker, Role::SocialWorker, scene.social, on);
        scene.referral(report, social(received), ReferralCommand::AcceptReferral { case }).await;
        catch_up(&store.db, "referral", &report.to_string()).await;
        catch_up(&store.db, "case", &case.to_string()).await;
        // The state of things now, as the auditor will later ask about it.
        let then_position = feed::cursor_of(&store.db, "referral", &report.to_string()).await.expect("cursor").expect("written").position;
        let then_time = database_now(&store.db).await;
        let caseload = projections::caseload::Caseload;
        let then_digest = runner::digest(&store.db, &caseload, runner::status(&store.db, "caseload").await.expect("status").generation).await.expect("digest");
        let then_rows = queries::caseload(&store.db, &scene.social.to_string(), date!(2026 - 04 - 10)).await.expect("caseload");

        // Later: the preliminary assessment, late, and an investigation.
        let later = date!(2026 - 04 - 20);
        scene.case(case, social(later), CaseCommand::DecidePreliminaryAssessment {
            decision: PreliminaryDecision::OpenInvestigation,
            reasons: text("skäl"),
            child_heard: ChildHeard::Yes,
            exceptional_reason: Some(text("synnerliga skäl")),
        }).await;
        scene.case(case, social(later), CaseCommand::StartInvestigation { concerns: [ConcernCategory::ViolenceInCloseRelationships].into() }).await;
        catch_up(&store.db, "case", &case.to_string()).await;

        let timeline = projections::timeline::case_timeline(&store.db, &case.to_string()).await.expect("timeline");
        let lines: Vec<(&str, &str)> = timeline.iter().map(|entry| (entry.aggregate_type.as_str(), entry.event_type.as_str())).collect();
        assert_eq!(lines, [
            ("referral", "ReferralSent"),
            ("referral", "ReferralReceived"),
            ("case", "CaseOpened"),
            ("referral", "ReferralAccepted"),
            ("case", "PreliminaryAssessmentDecided"),
            ("case", "InvestigationStarted"),
        ]);
        assert_eq!(timeline[0].actor_unit.as_deref(), Some(scene.school.to_string().as_str()));
        assert_eq!((timeline[4].actor_role.as_deref(), timeline[4].occurred_on.as_str()), (Some("social_worker"), "2026-04-20"));

        let before = projections::timeline::case_state_as_of(&store.db, &case.to_string(), projections::replay::AsOf::Position(then_position)).await.expect("as of");
        assert_eq!(before.phase, domain::case::CasePhase::Intake);
        let by_time = projections::timeline::case_state_as_of(&store.db, &case.to_string(), projections::replay::AsOf::RecordedAt(then_time)).await.expect("as of");
        assert_eq!(by_time, before);
        let now = projections::timeline::case_state_as_of(&store.db, &case.to_string(), projections::replay::AsOf::Position(i64::MAX)).await.expect("now");
        assert_eq!(now.phase, domain::case::CasePhase::Investigating);

        // The caseload built as of that moment equals the live caseload as it stood then, by digest and by rows.
        for as_of in [projections::replay::AsOf::Position(then_position), projections::replay::AsOf::RecordedAt(then_time)] {
            let (generation, digest) = runner::rebuild_as_of(&store.db, None, &caseload, as_of, |_| {}).await.expect("as of");
            assert_eq!(digest, then_digest, "{as_of:?}");
            let rows = queries::caseload_in(&store.db, generation, &scene.social.to_string(), date!(2026 - 04 - 10)).await.expect("rows");
            assert_eq!(rows, then_rows);
        }
        let live = queries::caseload(&store.db, &scene.social.to_string(), date!(2026 - 04 - 10)).await.expect("live");
        assert_eq!(live[0].phase, "investigating", "the live view moved on");
    }
}

on_both_stores! {
    /// A report forwarded to another district shows the chain in both inboxes and in the sender's outbox.
    async fn a_forwarded_referral_shows_its_chain(store) {
        let scene = Scene::new(&store.db);
        let other_district = UnitId::from_ulid(Ulid::new());
        let (first, second, subject) = (ReferralId::from_ulid(Ulid::new()), ReferralId::from_ulid(Ulid::new()), SubjectId::from_ulid(Ulid::new()));
        let send = |referral, to_unit, forwarded_from| ReferralCommand::SendReferral {
            referral,
            kind: ReferralKind::ReportOfConcern,
            subject,
            to_unit,
            to_unit_kind: UnitKind::SocialServices,
            concerns: [ConcernCategory::SchoolAbsence].into(),
            reason: text("oro"),
            basis: None,
            information: Default::default(),
            forwarded_from,
        };
        let day = date!(2026 - 10 - 01);
        scene.referral(first, scene.context(scene.counsellor, Role::SocialWorker, scene.school, day), send(first, scene.social, None)).await;
        let social = scene.context(scene.worker, Role::SocialWorker, scene.social, day);
        let assessment = ProtectionAssessment { immediate_protection_needed: false, assessment: text("ok"), assessed_on: day, late_reason: None };
        scene.referral(first, social, ReferralCommand::ReceiveReferral { protection_assessment: Some(assessment) }).await;
        let forward = ReferralCommand::ForwardReferral { to_unit: other_district, to_unit_kind: UnitKind::SocialServices, new_referral: second, reason: text("bor i annan stadsdel") };
        scene.referral(first, scene.context(scene.worker, Role::SocialWorker, scene.social, day), forward).await;
        scene.referral(second, scene.context(scene.worker, Role::SocialWorker, scene.social, day), send(second, other_district, Some(first))).await;
        catch_up(&store.db, "referral", &second.to_string()).await;
        let today = date!(2026 - 10 - 05);
        let forwarded = queries::inbox(&store.db, &scene.social.to_string(), today).await.expect("inbox");
        assert_eq!((forwarded[0].status.as_str(), forwarded[0].forwarded_to.clone(), forwarded[0].days_since_sent), ("forwarded", Some(second.to_string()), 0));
        let arrived = queries::inbox(&store.db, &other_district.to_string(), today).await.expect("inbox");
        assert_eq!((arrived[0].status.as_str(), arrived[0].forwarded_from.clone(), arrived[0].days_since_sent), ("sent", Some(first.to_string()), 4));
        let sent_on = queries::outbox(&store.db, &scene.social.to_string(), today).await.expect("outbox");
        assert_eq!(sent_on.iter().map(|row| row.referral_id.clone()).collect::<Vec<_>>(), [second.to_string()]);
    }
}

on_both_stores! {
    /// Every table with a `generation` column belongs to exactly one projection's tables, so its rows are in that
    /// projection's digest ("rebuild equals live" covers them) and a rebuild clears their old generations.
    async fn every_generation_table_belongs_to_exactly_one_projection(store) {
        let sql = if store.backend == tests::Backend::Postgres {
            "select table_name::text from information_schema.columns
              where table_schema = 'public' and column_name = 'generation' order by 1"
        } else {
            "select m.name from sqlite_master m, pragma_table_info(m.name) c
              where m.type = 'table' and c.name = 'generation' order by 1"
        };
        let with_generation: Vec<String> =
            projections::on_pool!(store.db, |pool| sqlx::query_scalar(sql).fetch_all(pool).await).expect("the schema");
        assert!(with_generation.len() >= 10, "{with_generation:?}");
        let mut owners: std::collections::BTreeMap<String, Vec<&str>> = std::collections::BTreeMap::new();
        let all = projections::all();
        for projection in &all {
            for (table, _) in projection.tables() {
                owners.entry((*table).to_owned()).or_default().push(projection.name());
            }
        }
        // The runner's own bookkeeping is not a projection's content.
        let bookkeeping = ["projection_state", "projection_snapshots"];
        for table in with_generation.iter().filter(|table| !bookkeeping.contains(&table.as_str())) {
            let found = owners.get(table).map(Vec::len).unwrap_or(0);
            assert_eq!(found, 1, "{table} belongs to {found} projections: {owners:?}");
        }
    }
}

on_both_stores! {
    /// The programme's named figures on a fixed scenario, exact: ten children in 2026's first quarter, five boys
    /// reported by the police for robbery and found in need of protection, five girls reported by a school for drug
    /// offences; every case decided on within 1 to 10 days and closed; all ten referred to Mini-Maria, which takes
    /// the boys (their interventions reported started and ended as planned) and declines the girls for want of
    /// capacity; the boys reported again after their cases closed. Every count is 0, 5 or 10, so nothing needs
    /// secondary masking and each figure can be worked out by hand. Then, as it stood: a snapshot at that log
    /// position answers exactly what was answered then, after the log has moved on.
    async fn the_programmes_named_figures_are_exact_on_a_fixed_scenario(store) {
        use domain::case::CloseReason;
        use domain::identity_number::Sex;
        use domain::referral::{DeclineReason, DisclosureBasis, ReporterCategory};
        use domain::subject::{StatisticsAttributes, Subject, SubjectCommand};
        use projections::figures::Period;
        use service::actions::figures::{named, Cache, FigureRow, Named, Source, Value};
        let scene = Scene::new(&store.db);
        let mini_maria = tests::register_unit(&store.db, UnitKind::MiniMaria).await;
        let social = |on| scene.context(scene.worker, Role::SocialWorker, scene.social, on);
        let clinic = |on| scene.context(scene.worker, Role::SocialWorker, mini_maria, on);
        let mut last = String::new();
        for child in 0..10_i64 {
            let boy = child < 5;
            let received = date!(2026 - 01 - 05) + time::Duration::days(child);
            let subject = SubjectId::from_ulid(Ulid::new());
            let statistics = StatisticsAttributes {
                birth_year: Some(2010),
                sex: Some(if boy { Sex::Male } else { Sex::Female }),
                district: domain::units::District::parse("Farsta").expect("a district"),
            };
            scene.bus.execute::<Subject>(&subject.to_string(), Command { context: social(received), body: SubjectCommand::RegisterSubject { subject, identity: text("sealed"), statistics } }, &EventMetadata::default()).await.expect("register");
            let concern = if boy { ConcernCategory::Robbery } else { ConcernCategory::DrugOffence };
            let report = |on: Date| ReferralCommand::RegisterReport {
                referral: ReferralId::from_ulid(Ulid::new()),
                unit_kind: UnitKind::SocialServices,
                subject,
                reporter: if boy { ReporterCategory::Police } else { ReporterCategory::School },
                reporter_identity: Some(text("anmälare")),
                concerns: [concern].into(),
                reason: text("oro"),
                protection_assessment: ProtectionAssessment { immediate_protection_needed: boy, assessment: text("bedömning"), assessed_on: on, late_reason: None },
            };
            let first = report(received);
            let ReferralCommand::RegisterReport { referral: first_id, .. } = &first else { unreachable!() };
            scene.referral(*first_id, social(received), first.clone()).await;
            let case = CaseId::from_ulid(Ulid::new());
            scene.case(case, social(received), CaseCommand::OpenCase {
                case, subject, unit_kind: UnitKind::SocialServices, origin: CaseOrigin::OwnInitiative,
                concerns: [concern].into(), protection_assessed_on: Some(received), prior_investigation: None, received_on: None,
            }).await;
            // Decided after 1 to 10 days: the median of ten is the mean of the middle five (3 … 7), 5 days.
            let decided = received + time::Duration::days(child + 1);
            scene.case(case, social(decided), CaseCommand::DecidePreliminaryAssessment {
                decision: PreliminaryDecision::NoInvestigation, reasons: text("skäl"), child_heard: ChildHeard::Yes, exceptional_reason: None,
            }).await;
            let referral = ReferralId::from_ulid(Ulid::new());
            let sent = date!(2026 - 01 - 20) + time::Duration::days(child);
            scene.referral(referral, social(sent), ReferralCommand::SendReferral {
                referral, kind: ReferralKind::Referral, subject, to_unit: mini_maria, to_unit_kind: UnitKind::MiniMaria,
                concerns: [concern].into(), reason: text("remiss"),
                basis: Some(DisclosureBasis::LegalGround(LegalGroundCode::parse("osl-10-18a").expect("a code"))),
                information: [domain::categories::InformationCategory::Identity].into(), forwarded_from: None,
            }).await;
            scene.referral(referral, clinic(sent), ReferralCommand::ReceiveReferral { protection_assessment: None }).await;
            if boy {
                scene.referral(referral, clinic(sent), ReferralCommand::AcceptReferral { case: CaseId::from_ulid(Ulid::new()) }).await;
                scene.referral(referral, clinic(date!(2026 - 02 - 02)), ReferralCommand::ReportInterventionStarted).await;
                scene.referral(referral, clinic(date!(2026 - 03 - 02)), ReferralCommand::ReportInterventionEnded { outcome: domain::outcomes::InterventionOutcome::CompletedAsPlanned }).await;
            } else {
                scene.referral(referral, clinic(sent), ReferralCommand::DeclineReferral { reason_code: DeclineReason::NoCapacity, reason: text("kö") }).await;
            }
            scene.case(case, social(date!(2026 - 02 - 10)), CaseCommand::CloseCase { reason: CloseReason::NoInvestigationOpened, notes: text("avslut") }).await;
            if boy {
                let again = report(date!(2026 - 03 - 09));
                let ReferralCommand::RegisterReport { referral: again_id, .. } = &again else { unreachable!() };
                scene.referral(*again_id, social(date!(2026 - 03 - 09)), again.clone()).await;
            }
            last = case.to_string();
        }
        // The last child is a girl: her case's closing is the last event written.
        catch_up(&store.db, "case", &last).await;
        catch_up(&store.db, "unit", &mini_maria.to_string()).await;
        let cache = Cache::default();
        let source = Source { db: &store.db, cache: &cache, minimum: 5 };
        let year = Period::Year(2026);
        let table = |named_figure| async move { named(source, named_figure, year, None).await.expect("a figure") };
        let rows = |table: &service::actions::figures::FigureTable| table.rows.iter().map(|FigureRow { group, values }| (group.join("/"), values.clone())).collect::<Vec<_>>();
        let (n, masked, withheld) = (Value::Count, Value::Masked, Value::Withheld);
        let strategic = table(Named::StrategicOffences).await;
        assert_eq!(rows(&strategic), [
            ("male/robbery".to_owned(), vec![n(5)]),
            ("male/vehicle_theft".to_owned(), vec![masked]),
            ("male/violence_or_threat_against_public_servant".to_owned(), vec![masked]),
            ("male/witness_intimidation".to_owned(), vec![masked]),
            ("male/any".to_owned(), vec![n(5)]),
            ("female/drug_offence".to_owned(), vec![n(5)]),
            ("female/any".to_owned(), vec![n(5)]),
        ]);
        let services = table(Named::CityWideServices).await;
        assert_eq!(services.value_columns, ["children referred", "accepted", "declined", "declined: no_capacity", "intervention started", "intervention ended", "ended: completed_as_planned"]);
        let clinic_row = services.rows.iter().find(|row| row.group[2] == mini_maria.to_string()).expect("Mini-Maria's row");
        assert_eq!(clinic_row.group[1], "mini_maria");
        assert_eq!(clinic_row.values, [n(10), n(5), n(5), n(5), n(5), n(5), n(5)]);
        let equal = table(Named::EqualTreatment).await;
        assert_eq!(rows(&equal), [("Farsta".to_owned(), vec![n(10), Value::Number(1.0), Value::Number(1.0), withheld, Value::Number(5.0), withheld])]);
        let again = table(Named::ReReferrals).await;
        assert_eq!(rows(&again), [
            ("total".to_owned(), vec![n(10), n(5), Value::Number(0.5)]),
            ("female".to_owned(), vec![n(5), masked, withheld]),
            ("male".to_owned(), vec![n(5), n(5), Value::Number(1.0)]),
        ]);
        let reports = table(Named::Reports).await;
        assert_eq!(rows(&reports), [
            ("police".to_owned(), vec![n(5), n(5), Value::Number(1.0), withheld]),
            ("school".to_owned(), vec![n(5), masked, withheld, withheld]),
            ("total".to_owned(), vec![n(10), n(5), Value::Number(0.5), Value::Number(1.0)]),
        ]);
        let goals = table(Named::GoalAttainment).await;
        assert_eq!(rows(&goals), [("total".to_owned(), vec![masked, withheld])]);
        // The first quarter holds it all; the second nothing.
        assert_eq!(named(source, Named::ReReferrals, Period::Quarter(2026, 1), None).await.expect("Q1").rows, again.rows);
        assert!(named(source, Named::Reports, Period::Quarter(2026, 2), None).await.expect("Q2").rows.iter().all(|row| row.values[0] == masked));
        let csv = service::actions::figures::csv(&again).expect("CSV");
        assert!(csv.starts_with("# figure: re-referrals\n"), "{csv}");
        assert!(csv.contains("\n# period: 2026\n") && csv.contains("\n# rule: Every count is of distinct children"), "{csv}");
        assert!(csv.contains(&format!("\n# computed at: the live outcome figures at {}\n", again.computed_at.as_of)), "{csv}");
        assert!(csv.ends_with("sex,children with a case closed,referred or reported again within 12 months,share referred or reported again\ntotal,10,5,0.5\nfemale,5,..,\nmale,5,5,1\n"), "{csv}");

        // As it stood: the log moves on (five more boys reported for robbery), then the snapshot at the old position
        // answers what was answered.
        let then: i64 = again.computed_at.as_of.trim_start_matches("log position ").parse().expect("a position");
        let mut newest = String::new();
        for child in 0..5_i64 {
            let subject = SubjectId::from_ulid(Ulid::new());
            let on = date!(2026 - 03 - 20) + time::Duration::days(child);
            let statistics = StatisticsAttributes { birth_year: Some(2010), sex: Some(Sex::Male), district: domain::units::District::parse("Farsta").expect("a district") };
            scene.bus.execute::<Subject>(&subject.to_string(), Command { context: social(on), body: SubjectCommand::RegisterSubject { subject, identity: text("sealed"), statistics } }, &EventMetadata::default()).await.expect("register");
            let case = CaseId::from_ulid(Ulid::new());
            scene.case(case, social(on), CaseCommand::OpenCase {
                case, subject, unit_kind: UnitKind::SocialServices, origin: CaseOrigin::OwnInitiative,
                concerns: [ConcernCategory::Robbery].into(), protection_assessed_on: Some(on), prior_investigation: None, received_on: None,
            }).await;
            newest = case.to_string();
        }
        catch_up(&store.db, "case", &newest).await;
        let now = table(Named::StrategicOffences).await;
        assert_eq!(now.rows[0].values, [n(10)], "the live figures moved on");
        let (snapshot, _) = runner::rebuild_as_of(&store.db, Some(&service::event_log::store::scratch().expect("a scratch database")), &projections::outcomes::Outcomes, projections::replay::AsOf::Position(then), |_| {}).await.expect("a snapshot");
        let stood = named(source, Named::StrategicOffences, year, Some(snapshot)).await.expect("as it stood");
        assert_eq!((stood.rows.clone(), stood.computed_at.snapshot), (strategic.rows.clone(), Some(snapshot)));
        let stood_again = named(source, Named::ReReferrals, year, Some(snapshot)).await.expect("as it stood");
        assert_eq!(stood_again.rows, again.rows);
        let unknown = named(source, Named::Reports, year, Some(snapshot + 1000)).await.expect_err("no such snapshot");
        assert!(matches!(unknown, service::actions::ActionError::Refused(service::actions::Refusal::Invalid { ref field, .. }) if field == "snapshot"), "{unknown:?}");
    }
}

on_both_stores! {
    /// Seven reports taken into seven cases: every list pages by its keyset — three, three and one — each row once,
    /// in the list's order, and the filters hold on the server.
    async fn the_views_page_by_keyset_in_order_each_row_once(store) {
        use projections::queries::{CaseloadFilter, CaseloadOrder, Page, Paging};
        let scene = Scene::new(&store.db);
        let mut last_case = String::new();
        for child in 0..7_i64 {
            // Received in reverse order of sending, so that the caseload's order (receipt) is not the inbox's (sending).
            let sent = date!(2026 - 11 - 01) + time::Duration::days(child);
            let received = date!(2026 - 11 - 20) - time::Duration::days(child);
            let (_, case, _) = scene.report_received_and_opened(sent, received.max(sent), ConcernCategory::SchoolAbsence).await;
            last_case = case.to_string();
        }
        catch_up(&store.db, "case", &last_case).await;
        let (social, school, today) = (scene.social.to_string(), scene.school.to_string(), date!(2026 - 11 - 25));
        async fn all_pages<T: Clone, F, Fut>(next: F) -> (Vec<T>, Vec<usize>)
        where
            F: Fn(Paging) -> Fut,
            Fut: std::future::Future<Output = Page<T>>,
        {
            let (mut rows, mut sizes, mut cursor) = (Vec::new(), Vec::new(), None);
            loop {
                let page = next(Paging { cursor: cursor.clone(), limit: 3 }).await;
                sizes.push(page.items.len());
                rows.extend(page.items);
                match page.next_cursor {
                    Some(next) => cursor = Some(next),
                    None => return (rows, sizes),
                }
            }
        }
        let whole_inbox = queries::inbox(&store.db, &social, today).await.expect("inbox");
        let (paged, sizes) = all_pages(|paging| { let (db, social) = (store.db.clone(), social.clone()); async move { queries::inbox_page(&db, &social, today, &paging, None).await.expect("a page") } }).await;
        assert_eq!((paged, sizes), (whole_inbox.clone(), vec![3, 3, 1]));
        let sent: Vec<Date> = whole_inbox.iter().map(|row| row.sent_on).collect();
        assert!(sent.windows(2).all(|pair| pair[0] <= pair[1]), "the longest waiting first: {sent:?}");
        let (outbox, sizes) = all_pages(|paging| { let (db, school) = (store.db.clone(), school.clone()); async move { queries::outbox_page(&db, &school, today, &paging, None).await.expect("a page") } }).await;
        assert_eq!((outbox, sizes), (queries::outbox(&store.db, &school, today).await.expect("outbox"), vec![3, 3, 1]));
        let none_accepted = queries::inbox_page(&store.db, &social, today, &Paging { cursor: None, limit: 10 }, Some("accepted")).await.expect("a page");
        assert!(none_accepted.items.is_empty() && none_accepted.next_cursor.is_none(), "all only received: {none_accepted:?}");
        let received = queries::inbox_page(&store.db, &social, today, &Paging { cursor: None, limit: 10 }, Some("received")).await.expect("a page");
        assert_eq!((received.items.len(), received.next_cursor), (7, None));

        let whole = queries::caseload(&store.db, &social, today).await.expect("caseload");
        for order in [CaseloadOrder::Received, CaseloadOrder::NextDeadline] {
            let filter = CaseloadFilter::default();
            let (cases, sizes) = all_pages(|paging| { let (db, social, filter) = (store.db.clone(), social.clone(), filter.clone()); async move { queries::caseload_page(&db, &social, today, (order, &filter), &paging).await.expect("a page").0 } }).await;
            assert_eq!(sizes, [3, 3, 1], "{order:?}");
            let mut ids: Vec<&str> = cases.iter().map(|row| row.case_id.as_str()).collect();
            let received: Vec<Date> = cases.iter().map(|row| row.received_on).collect();
            assert!(received.windows(2).all(|pair| pair[0] <= pair[1]), "{order:?}: {received:?}");
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), whole.len(), "each case once");
        }
        let filter = CaseloadFilter { phase: Some("investigating".to_owned()), ..CaseloadFilter::default() };
        let (page, summary) = queries::caseload_page(&store.db, &social, today, (CaseloadOrder::Received, &filter), &Paging { cursor: None, limit: 10 }).await.expect("a page");
        assert!(page.items.is_empty(), "no case is investigating");
        assert_eq!(summary.iter().map(|sum| sum.open).sum::<usize>(), 7, "the summary is over the whole caseload");
        let overdue = CaseloadFilter { overdue: true, ..CaseloadFilter::default() };
        // Received on the 14th to the 20th: by 1 December the 14 days have run out for those of the 14th, 15th and 16th.
        let later = date!(2026 - 12 - 01);
        let (page, _) = queries::caseload_page(&store.db, &social, later, (CaseloadOrder::NextDeadline, &overdue), &Paging { cursor: None, limit: 10 }).await.expect("a page");
        let received: Vec<Date> = page.items.iter().map(|row| row.received_on).collect();
        assert_eq!(received, [date!(2026 - 11 - 14), date!(2026 - 11 - 15), date!(2026 - 11 - 16)]);

        let (deadlines, sizes) = all_pages(|paging| { let (db, social) = (store.db.clone(), social.clone()); async move { queries::deadlines_page(&db, &social, today, (366, None), &paging).await.expect("a page") } }).await;
        assert_eq!((deadlines.clone(), sizes), (queries::deadlines(&store.db, &social, today).await.expect("deadlines"), vec![3, 3, 1]));
        let nobody = queries::deadlines_page(&store.db, &social, today, (366, Some("01JD0000000000000000000009")), &Paging { cursor: None, limit: 10 }).await.expect("a page");
        assert!(nobody.items.is_empty());
    }
}
