//! The read benchmark at city scale: N concurrent users of a real `lots serve` — its own process, so its peak
//! resident memory is its own — each paging their caseload by next deadline, their unit's deadlines due within
//! 14 days, inbox and outbox, and a case's journal; an auditor replays case timelines and states as of a log
//! position. In the same run the same queries are run directly on the database at the same concurrency. Prints
//! p50, p99 and max for each, the ratio of the p99s, and the server's peak resident memory.
//!
//! The city is seeded once into the database `--database` (through the real command path, as
//! `lots seed-demo --scale city` does) and rebuilt into its views; later runs reuse it.
//!
//! `cargo run --release -p tests --bin bench-read -- --users 50 --rounds 20 [--think-ms 1000] [--people 86000]`

use std::sync::atomic::AtomicUsize;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use domain::case::{Case, CaseCommand};
use domain::command::{Actor, Command, CommandContext, Role};
use domain::ids::{CommandId, UnitId, UserId};
use projections::db::Db;
use projections::queries::{self, CaseloadFilter, CaseloadOrder, Paging};
use service::event_log::commands::{CommandBus, EventMetadata};
use ulid::Ulid;

/// Measures the page endpoints and the auditor's replay against the same queries run directly.
#[derive(Debug, Parser)]
struct Args {
    /// How many users at once.
    #[arg(long, default_value_t = 50)]
    users: usize,
    /// How many rounds of the day's reads each user makes.
    #[arg(long, default_value_t = 20)]
    rounds: usize,
    /// How many young people the city has when it is seeded.
    #[arg(long, default_value_t = service::actions::demo::city::YOUNG_PEOPLE)]
    people: usize,
    /// How long a user looks at an answer before the next request, in milliseconds (0: back to back, a stress
    /// test rather than a working day). The users start spread over this time.
    #[arg(long, default_value_t = 0)]
    think_ms: u64,
    /// The PostgreSQL database the city lives in (seeded when missing or empty).
    #[arg(long, default_value = "lots_bench_city")]
    database: String,
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// The reads measured, in the order printed.
const READS: [&str; 10] = [
    "caseload, mine, by next deadline",
    "caseload, next page (unit)",
    "deadlines within 14 days",
    "inbox",
    "outbox",
    "journal of a case",
    "auditor: timeline + state as of",
    "web page / (what needs action)",
    "web page /caseload",
    "web page /cases/{id}",
];

fn main() -> Result<(), Failure> {
    // Started as `bench-read serve`, it is `lots serve` (the server runs in a process of its own).
    if std::env::args().nth(1).as_deref() == Some("serve") {
        std::process::exit(match service::cli::main() {
            code if code == std::process::ExitCode::SUCCESS => 0,
            _ => 1,
        });
    }
    let args = Args::parse();
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run(args))
}

async fn run(args: Args) -> Result<(), Failure> {
    let folder = std::env::temp_dir().join(format!("lots-bench-read-{}", args.database));
    std::fs::create_dir_all(&folder)?;
    let mut config = service::config::Config::embedded(folder.join("data"));
    config.database_url = Some(tests::database_url(&args.database));
    service::personal::load_master_key(&config.master_key_path(), true)?;
    service::event_log::seal::load_signing_key(&config.signing_key_path(), true)?;
    let admin = sqlx::PgPool::connect(&tests::postgres_admin_url()).await?;
    let exists: bool = sqlx::query_scalar("select exists (select 1 from pg_database where datname = $1)")
        .bind(&args.database)
        .fetch_one(&admin)
        .await?;
    if !exists {
        sqlx::query(&format!("create database {}", args.database)).execute(&admin).await?;
    }
    let db = service::event_log::store::connect(&config).await?;
    service::event_log::store::migrate(&db).await?;
    let today = domain::calendar::stockholm_date(time::OffsetDateTime::now_utc());
    let events: i64 =
        projections::on_pool!(db, |pool| sqlx::query_scalar("select count(*) from events").fetch_one(pool).await)?;
    let mut report = String::new();
    if events == 0 {
        let started = Instant::now();
        let plan = Arc::new(service::actions::demo::city::Plan::new(args.people, today));
        let vault = service::personal::Vault::new(
            db.clone(),
            service::personal::load_master_key(&config.master_key_path(), false)?,
        );
        let progress = Arc::new(AtomicUsize::new(0));
        service::actions::demo::city::seed(&db, &vault, plan, 16, progress).await?;
        let events: i64 =
            projections::on_pool!(db, |pool| sqlx::query_scalar("select count(*) from events").fetch_one(pool).await)?;
        let seconds = started.elapsed().as_secs_f64();
        report +=
            &format!("seeded the city: {events} events in {seconds:.0} s ({:.0} events/s)\n", events as f64 / seconds);
    }
    // The views caught up: rebuilt (in batches) when behind.
    let scratch = service::event_log::store::scratch()?;
    for projection in projections::all() {
        if projections::runner::lag(&db, projection.name(), 1).await? > 0 {
            let started = Instant::now();
            projections::runner::rebuild_in(&db, Some(&scratch), projection.as_ref(), |_| {}).await?;
            let seconds = started.elapsed().as_secs_f64();
            report += &format!("rebuilt {}: {seconds:.1} s\n", projection.name());
        }
    }
    let events: i64 =
        projections::on_pool!(db, |pool| sqlx::query_scalar("select count(*) from events").fetch_one(pool).await)?;
    report += &format!(
        "city: {events} events; users: {}, rounds: {}, think time: {} ms\n",
        args.users, args.rounds, args.think_ms
    );

    let cast = Cast::hire(&db, args.users, today).await?;
    let (mut server, base) = serve(&config).await?;
    let result = measure(&db, &cast, &base, &args, today).await;
    let peak = peak_memory(server.id());
    let _ = server.kill();
    let _ = server.wait();
    let (api, direct) = result?;
    report += &format!(
        "{:<34} {:>7} {:>8} {:>8} {:>8}   {:>8} {:>8} {:>8}   {:>6}\n",
        "read", "n", "p50 ms", "p99 ms", "max ms", "SQL p50", "SQL p99", "SQL max", "p99 ×"
    );
    for (name, (api, direct)) in READS.iter().zip(api.iter().zip(&direct)) {
        let (a, d) = (Stats::of(api), Stats::of(direct));
        report += &format!(
            "{name:<34} {:>7} {:>8.1} {:>8.1} {:>8.1}   {:>8.1} {:>8.1} {:>8.1}   {:>6.2}\n",
            a.count,
            a.p50,
            a.p99,
            a.max,
            d.p50,
            d.p99,
            d.max,
            a.p99 / d.p99.max(0.001)
        );
    }
    report += &format!("lots serve: peak resident memory {peak}\n");
    std::io::Write::write_all(&mut std::io::stdout(), report.as_bytes())?;
    Ok(())
}

/// The users measured: social workers each holding a caseload, unit managers, and one auditor.
struct Cast {
    password: String,
    users: Vec<User>,
    auditor: String,
    /// Cases for the auditor to replay.
    cases: Vec<String>,
}

struct User {
    username: String,
    user: UserId,
    unit: UnitId,
}

impl Cast {
    /// Adds the benchmark's users (new each run): one in five a unit manager, the others social workers who take
    /// over 30 open cases each from the district's workers (through the command path, as a manager reassigns).
    async fn hire(db: &Db, users: usize, today: time::Date) -> Result<Self, Failure> {
        let password = "a benchmark passphrase".to_owned();
        let run = Ulid::new().to_string().to_lowercase();
        let run = &run[run.len() - 6..];
        let units: Vec<(String, String)> = projections::on_pool!(db, |pool| sqlx::query_as(
            "select unit_id, kind from unit_directory where generation = \
             (select live_generation from projection_state where name = 'directory') order by name"
        )
        .fetch_all(pool)
        .await)?;
        let socials: Vec<UnitId> = units
            .iter()
            .filter(|(_, kind)| kind == "social_services")
            .map(|(id, _)| id.parse())
            .collect::<Result<_, _>>()?;
        let office: UnitId =
            units.iter().find(|(_, kind)| kind == "administration").ok_or("no administration unit")?.0.parse()?;
        if socials.is_empty() {
            return Err("the city has no social services".into());
        }
        let bus = CommandBus::new(db.clone());
        let mut hired = Vec::new();
        for index in 0..users {
            let unit = socials[index % socials.len()];
            let (username, role) = if index % 5 == 4 {
                (format!("bench-{run}-chef-{index}"), Role::UnitManager)
            } else {
                (format!("bench-{run}-{index}"), Role::SocialWorker)
            };
            let user = tests::add_user(db, &username, &password, role, unit).await?;
            if role == Role::SocialWorker {
                let open: Vec<String> = projections::on_pool!(db, |pool| sqlx::query_scalar(
                    "select case_id from caseload_cases where generation = \
                     (select live_generation from projection_state where name = 'caseload') \
                     and unit_id = $1 and phase <> 'closed' and worker_id not like 'bench%' order by case_id \
                     limit 30 offset $2"
                )
                .bind(unit.to_string())
                .bind((index / socials.len() * 30) as i64)
                .fetch_all(pool)
                .await)?;
                for case in open {
                    let context = CommandContext {
                        command_id: CommandId::from_ulid(Ulid::new()),
                        actor: Actor { user: UserId::from_ulid(Ulid::new()), role: Role::UnitManager, unit },
                        today,
                        occurred_on: today,
                    };
                    let body = CaseCommand::AssignResponsibleWorker { worker: user };
                    bus.execute::<Case>(&case, Command { context, body }, &EventMetadata::default()).await?;
                }
            }
            hired.push(User { username, user, unit });
        }
        let auditor = format!("bench-{run}-granskare");
        tests::add_user(db, &auditor, &password, Role::Auditor, office).await?;
        let cases: Vec<String> = projections::on_pool!(db, |pool| sqlx::query_scalar(
            "select case_id from caseload_cases where generation = \
             (select live_generation from projection_state where name = 'caseload') order by case_id limit 200"
        )
        .fetch_all(pool)
        .await)?;
        Ok(Self { password, users: hired, auditor, cases })
    }
}

/// Starts this program as `lots serve` on a free port, and waits until it is ready.
async fn serve(config: &service::config::Config) -> Result<(std::process::Child, String), Failure> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let child = std::process::Command::new(std::env::current_exe()?)
        .arg("serve")
        .env("LOTS_DATABASE_URL", config.database_url.as_deref().unwrap_or_default())
        .env("LOTS_DATA_DIR", &config.data_dir)
        .env("LOTS_BIND", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()?;
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        if let Ok(response) = reqwest::get(format!("{base}/readyz")).await {
            if response.status().is_success() {
                return Ok((child, base));
            }
        }
        if Instant::now() > deadline {
            return Err("lots serve did not become ready in ten minutes".into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The peak resident memory of process `pid` (Linux: VmHWM).
fn peak_memory(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status.lines().find(|line| line.starts_with("VmHWM:")).map(|line| line[6..].trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

type Latencies = [Vec<f64>; READS.len()];

/// Every user's rounds through the API, then the same reads directly, at the same concurrency.
async fn measure(
    db: &Db,
    cast: &Cast,
    base: &str,
    args: &Args,
    today: time::Date,
) -> Result<(Latencies, Latencies), Failure> {
    let client = reqwest::Client::new();
    let login = async |username: &str| -> Result<String, Failure> {
        let answer: serde_json::Value = client
            .post(format!("{base}/api/login"))
            .body(serde_json::json!({ "username": username, "password": cast.password }).to_string())
            .send()
            .await?
            .json()
            .await?;
        Ok(answer["token"].as_str().ok_or_else(|| format!("{username} could not sign in: {answer}"))?.to_owned())
    };
    let mut tokens = Vec::new();
    for user in &cast.users {
        tokens.push(login(&user.username).await?);
    }
    let auditor = login(&cast.auditor).await?;
    let think = Duration::from_millis(args.think_ms);
    let get = async |path: String, token: &str, reason: bool| -> Result<(f64, serde_json::Value), Failure> {
        tokio::time::sleep(think).await;
        let started = Instant::now();
        let mut request = client.get(format!("{base}{path}")).bearer_auth(token);
        if reason {
            request = request.header("X-Lots-Reason", "granskning: stickprov av handläggningen");
        }
        let response = request.send().await?;
        let status = response.status();
        let body: serde_json::Value = response.json().await?;
        if !status.is_success() {
            return Err(format!("GET {path} answered {status}: {body}").into());
        }
        Ok((started.elapsed().as_secs_f64() * 1000.0, body))
    };
    let api_rounds = cast.users.iter().zip(&tokens).enumerate().map(|(index, (user, token))| {
        let get = &get;
        let client = &client;
        let auditor = &auditor;
        async move {
            let mut seen: Latencies = Default::default();
            tokio::time::sleep(think * index as u32 / cast.users.len().max(1) as u32).await;
            for round in 0..args.rounds {
                let (ms, page) =
                    get(format!("/api/caseload?sort=next_deadline&worker={}&limit=50", user.user), token, false)
                        .await?;
                seen[0].push(ms);
                let cursor = get("/api/caseload?limit=100".to_owned(), token, false).await?.1["next_cursor"].clone();
                let after = cursor.as_str().map(|cursor| format!("&cursor={}", encode(cursor))).unwrap_or_default();
                seen[1].push(get(format!("/api/caseload?limit=100{after}"), token, false).await?.0);
                seen[2].push(get("/api/deadlines?within=14&limit=100".to_owned(), token, false).await?.0);
                seen[3].push(get("/api/inbox?limit=100".to_owned(), token, false).await?.0);
                seen[4].push(get("/api/outbox?limit=100".to_owned(), token, false).await?.0);
                let case = page["cases"]
                    .as_array()
                    .and_then(|cases| cases.get(round % cases.len().max(1)))
                    .and_then(|case| case["case_id"].as_str())
                    .map(str::to_owned);
                if let Some(case) = &case {
                    seen[5].push(get(format!("/api/cases/{case}/journal"), token, false).await?.0);
                }
                let case_page = case.map(|case| format!("/cases/{case}"));
                let pages = [(7, Some("/".to_owned())), (8, Some("/caseload".to_owned())), (9, case_page)];
                for (slot, path) in pages.into_iter().filter_map(|(slot, path)| Some((slot, path?))) {
                    tokio::time::sleep(think).await;
                    let started = Instant::now();
                    let response = client
                        .get(format!("{base}{path}"))
                        .header("Cookie", format!("__Host-lots_session={token}"))
                        .send()
                        .await?;
                    let status = response.status();
                    let page = response.text().await?;
                    if !status.is_success() || !page.contains("<h1>") {
                        return Err(format!("GET {path} answered {status}").into());
                    }
                    seen[slot].push(since(started));
                }
                if index == 0 {
                    let case = &cast.cases[round % cast.cases.len()];
                    let (timeline, _) = get(format!("/api/cases/{case}/timeline"), auditor, true).await?;
                    let (state, _) = get(format!("/api/cases/{case}/state?position=1000000"), auditor, true).await?;
                    seen[6].push(timeline + state);
                }
            }
            Ok::<_, Failure>(seen)
        }
    });
    let api = merge(futures_util::future::try_join_all(api_rounds).await?);
    let direct_rounds = cast.users.iter().enumerate().map(|(index, user)| async move {
        let mut seen: Latencies = Default::default();
        tokio::time::sleep(think * index as u32 / cast.users.len().max(1) as u32).await;
        let unit = user.unit.to_string();
        let mine = CaseloadFilter { phase: None, worker: Some(Some(user.user.to_string())), overdue: false };
        let all = CaseloadFilter { phase: None, worker: None, overdue: false };
        let page = |limit, cursor| Paging { cursor, limit };
        for round in 0..args.rounds {
            tokio::time::sleep(think).await;
            let started = Instant::now();
            let (first, _) =
                queries::caseload_page(db, &unit, today, (CaseloadOrder::NextDeadline, &mine), &page(50, None)).await?;
            serde_json::to_vec(&first.items)?;
            seen[0].push(since(started));
            let (whole, _) =
                queries::caseload_page(db, &unit, today, (CaseloadOrder::Received, &all), &page(100, None)).await?;
            let started = Instant::now();
            let (next, summary) = queries::caseload_page(
                db,
                &unit,
                today,
                (CaseloadOrder::Received, &all),
                &page(100, whole.next_cursor),
            )
            .await?;
            serde_json::to_vec(&(next.items, summary))?;
            seen[1].push(since(started));
            tokio::time::sleep(think).await;
            let started = Instant::now();
            serde_json::to_vec(&queries::deadlines_page(db, &unit, today, (14, None), &page(100, None)).await?.items)?;
            seen[2].push(since(started));
            tokio::time::sleep(think).await;
            let started = Instant::now();
            serde_json::to_vec(&queries::inbox_page(db, &unit, today, &page(100, None), None).await?.items)?;
            seen[3].push(since(started));
            tokio::time::sleep(think).await;
            let started = Instant::now();
            serde_json::to_vec(&queries::outbox_page(db, &unit, today, &page(100, None), None).await?.items)?;
            seen[4].push(since(started));
            if let Some(case) = first.items.get(round % first.items.len().max(1)) {
                tokio::time::sleep(think).await;
                let started = Instant::now();
                journal_sql(db, &case.case_id).await?;
                seen[5].push(since(started));
                // The case page's own reads, raw: the case's row, its journal.
                tokio::time::sleep(think).await;
                let started = Instant::now();
                queries::case_summary(db, &case.case_id).await?;
                journal_sql(db, &case.case_id).await?;
                seen[9].push(since(started));
            }
            // What the pages read: the reader's deadlines within a week and the inbox's new referrals; the
            // caseload's first page by next deadline.
            tokio::time::sleep(think).await;
            let started = Instant::now();
            let me = user.user.to_string();
            queries::deadlines_page(db, &unit, today, (7, Some(me.as_str())), &page(500, None)).await?;
            queries::inbox_page(db, &unit, today, &page(500, None), Some("sent")).await?;
            seen[7].push(since(started));
            tokio::time::sleep(think).await;
            let started = Instant::now();
            queries::caseload_page(db, &unit, today, (CaseloadOrder::NextDeadline, &all), &page(50, None)).await?;
            seen[8].push(since(started));
            if index == 0 {
                let case = &cast.cases[round % cast.cases.len()];
                tokio::time::sleep(think).await;
                let started = Instant::now();
                serde_json::to_vec(&projections::timeline::case_timeline(db, case).await?)?;
                let position = projections::replay::AsOf::Position(1_000_000);
                projections::timeline::case_state_as_of(db, case, position).await?;
                seen[6].push(since(started));
            }
        }
        Ok::<_, Failure>(seen)
    });
    let direct = merge(futures_util::future::try_join_all(direct_rounds).await?);
    Ok((api, direct))
}

/// The SQL the journal runs: the case's timeline, then each of its aggregates' events (the texts are opened in
/// memory).
async fn journal_sql(db: &Db, case: &str) -> Result<(), Failure> {
    let timeline = projections::timeline::case_timeline(db, case).await?;
    let mut seen = std::collections::BTreeSet::new();
    for entry in &timeline {
        if seen.insert((entry.aggregate_type.clone(), entry.aggregate_id.clone())) {
            let sql = "select sequence, payload::text from events where aggregate_type = $1 and aggregate_id = $2";
            let _: Vec<(i64, String)> = projections::on_pool!(db, |pool| sqlx::query_as(sql)
                .bind(&entry.aggregate_type)
                .bind(&entry.aggregate_id)
                .fetch_all(pool)
                .await)?;
        }
    }
    serde_json::to_vec(&timeline)?;
    Ok(())
}

fn since(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

fn merge(all: Vec<Latencies>) -> Latencies {
    let mut merged: Latencies = Default::default();
    for seen in all {
        for (into, from) in merged.iter_mut().zip(seen) {
            into.extend(from);
        }
    }
    merged
}

/// A cursor in a query string (it holds spaces).
fn encode(cursor: &str) -> String {
    cursor.replace(' ', "%20")
}

struct Stats {
    count: usize,
    p50: f64,
    p99: f64,
    max: f64,
}

impl Stats {
    fn of(samples: &[f64]) -> Self {
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let at = |share: f64| {
            sorted.get(((sorted.len() as f64 * share).ceil() as usize).saturating_sub(1)).copied().unwrap_or(0.0)
        };
        Self { count: sorted.len(), p50: at(0.50), p99: at(0.99), max: sorted.last().copied().unwrap_or(0.0) }
    }
}
