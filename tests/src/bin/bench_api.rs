//! The API's benchmark on PostgreSQL, through a real `lots serve` on a free port: N `POST /api/cases` (sign-in
//! check, unit from the directory, the subject's earlier investigations, the command, the wait for the caseload
//! view) and N `GET /api/caseload` with C concurrent clients, each against its raw baseline measured in the same
//! run: the same `OpenCase` command given to the command bus directly, and the same caseload query called
//! directly.
//!
//! `cargo run --release -p tests --bin bench-api -- --requests 2000 --clients 16`

use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use domain::case::{Case, CaseCommand, CaseOrigin};
use domain::categories::ConcernCategory;
use domain::command::{Actor, Command, CommandContext, Role};
use domain::ids::{CaseId, CommandId, SubjectId};
use domain::units::UnitKind;
use service::event_log::commands::{CommandBus, EventMetadata};
use ulid::Ulid;

/// Measures the API against the command bus and the read model it serves.
#[derive(Debug, Parser)]
struct Args {
    /// How many requests of each kind (and baseline operations).
    #[arg(long, default_value_t = 2000)]
    requests: usize,
    /// How many concurrent clients.
    #[arg(long, default_value_t = 16)]
    clients: usize,
}

type Failure = Box<dyn std::error::Error>;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let args = Args::parse();
    let name = format!("lots_bench_{}", Ulid::new().to_string().to_lowercase());
    let admin = sqlx::PgPool::connect(&tests::postgres_admin_url()).await?;
    sqlx::query(&format!("create database {name}")).execute(&admin).await?;
    let result = run(&args, &name).await;
    sqlx::query(&format!("drop database if exists {name} with (force)")).execute(&admin).await?;
    let [api_writes, raw_writes, api_reads, raw_reads] = result?;
    let report = format!(
        "requests: {}, clients: {}\n\
         POST /api/cases:   {api_writes:>9.1} /s   command bus directly: {raw_writes:>9.1} /s   ratio (API / raw): {:.3}\n\
         GET /api/caseload: {api_reads:>9.1} /s   query directly:       {raw_reads:>9.1} /s   ratio (API / raw): {:.3}\n",
        args.requests,
        args.clients,
        api_writes / raw_writes,
        api_reads / raw_reads,
    );
    std::io::Write::write_all(&mut std::io::stdout(), report.as_bytes())?;
    Ok(())
}

async fn run(args: &Args, name: &str) -> Result<[f64; 4], Failure> {
    let folder = tempfile::tempdir()?;
    let mut config = service::config::Config::embedded(folder.path().to_owned());
    config.database_url = Some(tests::database_url(name));
    config.bind = "127.0.0.1:0".to_owned();
    service::personal::load_master_key(&config.master_key_path(), true)?;
    service::event_log::seal::load_signing_key(&config.signing_key_path(), true)?;
    let application = service::app::Application::build(&config).await?;
    let base = format!("http://127.0.0.1:{}", application.port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(application.run_until(async {
        let _ = stopped.await;
    }));
    let db = service::event_log::store::connect(&config).await?;
    let unit = tests::register_unit(&db, UnitKind::SocialServices).await;
    let password = "a benchmark passphrase";
    let user = tests::add_user(&db, "loadtest", password, Role::SocialWorker, unit).await?;
    let client = reqwest::Client::new();
    let login: serde_json::Value = client
        .post(format!("{base}/api/login"))
        .body(serde_json::json!({ "username": "loadtest", "password": password }).to_string())
        .send()
        .await?
        .json()
        .await?;
    let token = Arc::new(login["token"].as_str().ok_or("no token")?.to_owned());

    // A case is opened only about a registered subject: register them before the clock starts.
    let mut subjects = Vec::with_capacity(args.requests);
    for _ in 0..args.requests {
        subjects.push(tests::registered_subject(&db).await);
    }
    let subjects = Arc::new(subjects);
    let (writes_client, writes_base, writes_token) = (client.clone(), base.clone(), Arc::clone(&token));
    let api_writes = tests::rate(args.requests, args.clients, move |index| {
        let (client, base, token) = (writes_client.clone(), writes_base.clone(), Arc::clone(&writes_token));
        let subject = subjects[index % subjects.len()].clone();
        async move {
            let body = serde_json::json!({
                "subject_id": subject, "origin": { "kind": "own_initiative" }, "concerns": ["school_absence"]
            });
            let response = client
                .post(format!("{base}/api/cases"))
                .bearer_auth(token.as_str())
                .header("Idempotency-Key", Ulid::new().to_string())
                .body(body.to_string())
                .send()
                .await
                .map_err(|error| error.to_string())?;
            if response.status().as_u16() == 201 {
                Ok(())
            } else {
                Err(format!("POST /api/cases answered {}", response.status()))
            }
        }
    })
    .await?;

    let bus = Arc::new(CommandBus::new(db.clone()));
    let raw_writes = tests::rate(args.requests, args.clients, move |_| {
        let bus = Arc::clone(&bus);
        async move {
            let today = domain::calendar::stockholm_date(time::OffsetDateTime::now_utc());
            let case = CaseId::from_ulid(Ulid::new());
            let context = CommandContext {
                command_id: CommandId::from_ulid(Ulid::new()),
                actor: Actor { user, role: Role::SocialWorker, unit },
                today,
                occurred_on: today,
            };
            let body = CaseCommand::OpenCase {
                case,
                subject: SubjectId::from_ulid(Ulid::new()),
                unit_kind: UnitKind::SocialServices,
                origin: CaseOrigin::OwnInitiative,
                concerns: [ConcernCategory::SchoolAbsence].into(),
                protection_assessed_on: None,
                prior_investigation: None,
                received_on: None,
            };
            bus.execute::<Case>(&case.to_string(), Command { context, body }, &EventMetadata::default())
                .await
                .map_err(|error| error.to_string())
        }
    })
    .await?;

    // Reads of a caseload of the same size both ways (the last writes settled first).
    projections::runner::wait_for(&db, "caseload", latest(&db).await?, Duration::from_secs(60)).await?;
    let reads = args.requests / 4;
    let (reads_client, reads_base, reads_token) = (client.clone(), base.clone(), Arc::clone(&token));
    let api_reads = tests::rate(reads, args.clients, move |_| {
        let (client, base, token) = (reads_client.clone(), reads_base.clone(), Arc::clone(&reads_token));
        async move {
            let response = client
                .get(format!("{base}/api/caseload"))
                .bearer_auth(token.as_str())
                .send()
                .await
                .map_err(|error| error.to_string())?;
            response.bytes().await.map(drop).map_err(|error| error.to_string())
        }
    })
    .await?;
    let read_db = db.clone();
    let unit_text = Arc::new(unit.to_string());
    let raw_reads = tests::rate(reads, args.clients, move |_| {
        let (db, unit) = (read_db.clone(), Arc::clone(&unit_text));
        async move {
            let today = domain::calendar::stockholm_date(time::OffsetDateTime::now_utc());
            let rows = projections::queries::caseload(&db, &unit, today).await.map_err(|error| error.to_string())?;
            serde_json::to_vec(&rows).map(drop).map_err(|error| error.to_string())
        }
    })
    .await?;
    stop.send(()).map_err(|()| "the server stopped early")?;
    server.await??;
    Ok([api_writes, raw_writes, api_reads, raw_reads])
}

/// Where the log ends now.
async fn latest(db: &projections::db::Db) -> Result<projections::feed::FeedCursor, sqlx::Error> {
    let mut cursor = projections::feed::FeedCursor::default();
    loop {
        let events = projections::feed::read(db, cursor, 1000).await?;
        match events.last() {
            Some(last) => cursor = last.cursor,
            None => return Ok(cursor),
        }
    }
}
