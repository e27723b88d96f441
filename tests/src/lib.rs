//! Shared helpers for the end-to-end tests and benchmarks: a fresh store per test on PostgreSQL or SQLite, and
//! synthetic commands to fill the log.

pub mod contract;

use std::path::PathBuf;

use domain::command::{Actor, Command, CommandContext, Role};
use domain::ids::{CommandId, SubjectId, UnitId, UserId};
use domain::sealed::Sealed;
use domain::subject::{StatisticsAttributes, SubjectCommand};
use domain::units::District;
use projections::db::Db;
use service::config::Config;
use time::macros::date;
use ulid::Ulid;

/// The PostgreSQL server the tests create their databases on (`LOTS_TEST_POSTGRES_URL`, default: the local
/// server with trust authentication).
pub fn postgres_admin_url() -> String {
    std::env::var("LOTS_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A fresh PostgreSQL database.
    Postgres,
    /// A fresh SQLite file in a temporary folder.
    Sqlite,
}

/// A fresh, migrated store for one test, removed when dropped.
#[derive(Debug)]
pub struct TestStore {
    /// The handle.
    pub db: Db,
    /// The backend.
    pub backend: Backend,
    /// The configuration that opens this store (for the `lots` command).
    pub config: Config,
    /// The PostgreSQL database's name.
    pub database: Option<String>,
    folder: tempfile::TempDir,
}

impl TestStore {
    /// Creates and migrates a fresh store.
    pub async fn new(backend: Backend) -> Self {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let mut config = Config::embedded(folder.path().join("data"));
        config.signing_key_file = Some(folder.path().join("signing.key"));
        config.master_key_file = Some(folder.path().join("master.key"));
        let mut database = None;
        if backend == Backend::Postgres {
            let name = format!("lots_test_{}", Ulid::new().to_string().to_lowercase());
            let admin = sqlx::PgPool::connect(&postgres_admin_url()).await.expect("the test PostgreSQL server");
            sqlx::query(&format!("create database {name}")).execute(&admin).await.expect("create a test database");
            admin.close().await;
            config.database_url = Some(database_url(&name));
            database = Some(name);
        }
        let db = service::event_log::store::connect(&config).await.expect("open the test store");
        service::event_log::store::migrate(&db).await.expect("migrate the test store");
        Self { db, backend, config, database, folder }
    }

    /// Opens another handle on the same store, as a second process would.
    pub async fn reopen(&self) -> Db {
        service::event_log::store::connect(&self.config).await.expect("reopen the test store")
    }

    /// The vault over this store (its master key created on first use).
    pub fn vault(&self) -> service::personal::Vault {
        let master = service::personal::load_master_key(&self.config.master_key_path(), true).expect("the master key");
        service::personal::Vault::new(self.db.clone(), master)
    }

    /// A folder that lives as long as the store.
    pub fn folder(&self) -> PathBuf {
        self.folder.path().to_path_buf()
    }

    /// Runs raw SQL through a plain connection, as an operator with a database client would.
    pub async fn raw(&self, sql: &str) -> Result<(), sqlx::Error> {
        match self.db.backend() {
            projections::db::Backend::Postgres(pool) => sqlx::raw_sql(sql).execute(pool).await.map(drop),
            // Another pooled connection may still hold the schema as it was before an earlier `raw` changed it, and
            // SQLite's parser trusts that copy ("trigger … already exists"); reading the schema table first makes
            // this connection notice the change and reload it before the statements are prepared.
            projections::db::Backend::Sqlite(pool) => {
                sqlx::raw_sql(&format!("select count(*) from sqlite_master; {sql}")).execute(pool).await.map(drop)
            }
        }
    }
}

impl Drop for TestStore {
    fn drop(&mut self) {
        let Some(name) = self.database.take() else { return };
        // Dropping a database needs a connection of its own, outside the test's runtime.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(async {
                let admin = sqlx::PgPool::connect(&postgres_admin_url()).await.ok()?;
                sqlx::query(&format!("drop database if exists {name} with (force)")).execute(&admin).await.ok()
            })
        })
        .join();
    }
}

/// The URL of database `name` on the test server.
pub fn database_url(name: &str) -> String {
    let admin = postgres_admin_url();
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(base, _)| base);
    format!("{base}/{name}")
}

/// Makes ids and contexts the way the service does.
#[derive(Debug, Clone, Copy)]
pub struct Desk {
    /// The acting user.
    pub user: UserId,
    /// Their unit.
    pub unit: UnitId,
}

impl Default for Desk {
    fn default() -> Self {
        Self { user: UserId::from_ulid(Ulid::new()), unit: UnitId::from_ulid(Ulid::new()) }
    }
}

impl Desk {
    /// A fresh context for a social worker's command that happened today.
    pub fn context(&self) -> CommandContext {
        CommandContext {
            command_id: CommandId::from_ulid(Ulid::new()),
            actor: Actor { user: self.user, role: Role::SocialWorker, unit: self.unit },
            today: date!(2026 - 11 - 25),
            occurred_on: date!(2026 - 11 - 25),
        }
    }

    /// Registers a synthetic subject.
    pub fn register(&self, subject: SubjectId) -> Command<SubjectCommand> {
        Command {
            context: self.context(),
            body: SubjectCommand::RegisterSubject { subject, identity: sealed(), statistics: statistics() },
        }
    }

    /// Corrects a subject's (synthetic) identity: one more event on the same aggregate.
    pub fn correct(&self) -> Command<SubjectCommand> {
        Command {
            context: self.context(),
            body: SubjectCommand::CorrectIdentity { identity: sealed(), statistics: statistics() },
        }
    }
}

fn sealed() -> Sealed {
    Sealed::from_bytes(b"synthetic sealed identity, 64 bytes of it to look like a real one....".to_vec())
}

fn statistics() -> StatisticsAttributes {
    StatisticsAttributes {
        birth_year: Some(2011),
        sex: None,
        district: District::parse("Skarpnäck").expect("a district"),
    }
}

/// Waits until the feed shows `count` events after `from`, and returns them (all it read, in feed order).
///
/// On PostgreSQL the feed shows a transaction only when every older one has ended, in any database of the
/// cluster, since transaction ids are cluster-wide; the tests run in parallel on one cluster, so a test reads
/// what it just wrote through this rather than at once.
pub async fn settled(db: &Db, from: projections::feed::FeedCursor, count: usize) -> Vec<projections::feed::FeedEvent> {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut cursor = from;
    let mut seen = Vec::new();
    while seen.len() < count && tokio::time::Instant::now() < deadline {
        let batch = projections::feed::read_or_wait(db, cursor, 1000, std::time::Duration::from_secs(5))
            .await
            .expect("read the feed");
        if let Some(last) = batch.last() {
            cursor = last.cursor;
        }
        seen.extend(batch);
    }
    assert!(seen.len() >= count, "the feed showed {} of {count} events within a minute", seen.len());
    seen
}

/// A random but valid flow of work for `subjects` young people: the demo district's paths
/// (`service::actions::demo::path`: reports of concern from schools, receipt, declines, cases, assessments — some
/// late, with reasons — investigations, interventions, closing and reopening, feedback) through two schools and two
/// social services units, with the texts as plain bytes. Deterministic for a seed. Returns how many commands were
/// written.
pub async fn random_flow(bus: &service::event_log::commands::CommandBus, seed: u64, subjects: usize) -> usize {
    use service::actions::demo::{path, Cast, Generator};
    use service::event_log::commands::EventMetadata;

    let mut rng = Generator::seeded(seed);
    let schools = [UnitId::from_ulid(Ulid::from_parts(1, 1)), UnitId::from_ulid(Ulid::from_parts(1, 2))];
    let socials = [UnitId::from_ulid(Ulid::from_parts(1, 3)), UnitId::from_ulid(Ulid::from_parts(1, 4))];
    let workers = [UserId::from_ulid(Ulid::from_parts(2, 1)), UserId::from_ulid(Ulid::from_parts(2, 2))];
    let manager = UserId::from_ulid(Ulid::from_parts(2, 3));
    let text = async |words: &str| Ok::<_, std::convert::Infallible>(Sealed::from_bytes(words.as_bytes().to_vec()));
    let meta = EventMetadata::default();
    let mut written = 0;
    for _ in 0..subjects {
        let cast = Cast {
            school: schools[rng.below(2) as usize],
            social: socials[rng.below(2) as usize],
            counsellor: workers[rng.below(2) as usize],
            worker: workers[rng.below(2) as usize],
            manager,
            richer: None,
        };
        let started = date!(2026 - 01 - 01) + time::Duration::days(rng.below(240) as i64);
        let subject = SubjectId::from_ulid(Ulid::new());
        let Ok(steps) = path(&mut rng, cast, subject, started, text).await;
        for step in steps {
            let context = CommandContext {
                command_id: CommandId::from_ulid(Ulid::new()),
                actor: Actor { user: step.user, role: step.role, unit: step.unit },
                today: step.on.max(date!(2026 - 11 - 25)),
                occurred_on: step.on,
            };
            step.command.execute(bus, context, &meta).await.expect("a step of the path");
            written += 1;
        }
    }
    written
}

/// Registers a unit of `kind` in the directory (as an administrator would) and returns its id.
pub async fn register_unit(db: &Db, kind: domain::units::UnitKind) -> UnitId {
    let unit = UnitId::from_ulid(Ulid::new());
    let today = domain::calendar::stockholm_date(time::OffsetDateTime::now_utc());
    let context = CommandContext {
        command_id: CommandId::from_ulid(Ulid::new()),
        actor: Actor {
            user: UserId::from_ulid(Ulid::new()),
            role: Role::Administrator,
            unit: UnitId::from_ulid(Ulid::new()),
        },
        today,
        occurred_on: today,
    };
    let body = domain::directory::UnitCommand::RegisterUnit {
        unit,
        kind,
        name: format!("Testenhet {kind:?}"),
        district: District::parse("Testdistrikt").expect("a district"),
        services: Default::default(),
    };
    service::event_log::commands::CommandBus::new(db.clone())
        .execute::<domain::directory::Unit>(&unit.to_string(), Command { context, body }, &Default::default())
        .await
        .expect("the unit is registered");
    unit
}

/// Runs `total` operations on `concurrency` tasks (each takes the next number until all are taken); returns
/// operations per second. The benchmarks time their measured path and its raw baseline with it.
pub async fn rate<F, Fut>(total: usize, concurrency: usize, operation: F) -> Result<f64, String>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(), String>> + Send,
{
    use std::sync::atomic::{AtomicUsize, Ordering};
    let operation = std::sync::Arc::new(operation);
    let next = std::sync::Arc::new(AtomicUsize::new(0));
    let started = std::time::Instant::now();
    let workers: Vec<_> = (0..concurrency.max(1))
        .map(|_| {
            let (operation, next) = (std::sync::Arc::clone(&operation), std::sync::Arc::clone(&next));
            tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= total {
                        return Ok::<(), String>(());
                    }
                    operation(n).await?;
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.map_err(|error| error.to_string())??;
    }
    let elapsed = started.elapsed().max(std::time::Duration::from_micros(1));
    Ok(total as f64 / elapsed.as_secs_f64())
}

/// Creates the documented least-privilege role on `store`'s PostgreSQL database with the script operators run
/// (`service/sql/postgres-service-role.sql`); returns its name and a URL that connects as it.
pub fn service_role(store: &TestStore) -> (String, String) {
    let role = format!("lots_service_{}", Ulid::new().to_string().to_lowercase());
    let owner_url = store.config.database_url.clone().expect("a PostgreSQL store");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../service/sql/postgres-service-role.sql");
    let output = std::process::Command::new("psql")
        .args(["-v", "ON_ERROR_STOP=1", "-v", &format!("role={role}"), "-d", &owner_url, "-f", script])
        .output()
        .expect("psql");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let url = owner_url.replacen("postgres@", &format!("{role}@"), 1);
    (role, url)
}

/// Adds a user the way production does (`service::accounts::create_user`: `UserAdded` in the log first, then the
/// credentials), acting as the command line acts: the nil user with the administrator's role. Returns the id.
pub async fn add_user(
    db: &Db,
    username: &str,
    password: &str,
    role: Role,
    unit: UnitId,
) -> Result<UserId, service::accounts::UserChangeError> {
    let bus = service::event_log::commands::CommandBus::new(db.clone());
    let context = service::personal::operator_context(service::clock::today_in_stockholm());
    let metadata = service::event_log::commands::EventMetadata::default();
    let credentials = service::accounts::Credentials { username, password, role, unit, must_change_password: false };
    service::accounts::create_user(&bus, context, &metadata, credentials).await.map(|(user, _)| user)
}

/// Registers a subject with a synthetic identity through the command bus (as a unit of the test would) and
/// returns its id as text: a case is opened only about a registered subject.
pub async fn registered_subject(db: &Db) -> String {
    let subject = SubjectId::from_ulid(Ulid::new());
    service::event_log::commands::CommandBus::new(db.clone())
        .execute::<domain::subject::Subject>(
            &subject.to_string(),
            Desk::default().register(subject),
            &service::event_log::commands::EventMetadata::default(),
        )
        .await
        .expect("register a subject");
    subject.to_string()
}

/// The password an administrator gives a new user in the tests; it opens nothing until the user has set their own.
pub const GIVEN_PASSWORD: &str = "a password the administrator chose";

/// Signs `username` in with `password` and returns the login's answer (its `token`, `must_change_password`, …).
pub async fn login(base: &str, username: &str, password: &str) -> serde_json::Value {
    reqwest::Client::new()
        .post(format!("{base}/api/login"))
        .body(serde_json::json!({ "username": username, "password": password }).to_string())
        .send()
        .await
        .expect("login answers")
        .json()
        .await
        .expect("JSON")
}

/// Signs `username` in with `password` and returns the bearer token.
pub async fn sign_in(base: &str, username: &str, password: &str) -> String {
    let answer = login(base, username, password).await;
    answer["token"].as_str().unwrap_or_else(|| panic!("{username} signs in: {answer}")).to_owned()
}

/// A user an administrator added with [`GIVEN_PASSWORD`] signs in and sets `own` as their password, as they must
/// before anything else.
pub async fn take_over_account(base: &str, username: &str, own: &str) {
    let login = login(base, username, GIVEN_PASSWORD).await;
    assert_eq!(login["must_change_password"], true, "{login}");
    let token = login["token"].as_str().expect("a token");
    let changed = reqwest::Client::new()
        .post(format!("{base}/api/password"))
        .bearer_auth(token)
        .body(serde_json::json!({ "current_password": GIVEN_PASSWORD, "new_password": own }).to_string())
        .send()
        .await
        .expect("password answers");
    assert_eq!(changed.status().as_u16(), 204, "{username} sets their own password");
}

/// Users signed in to a running Lots, by name: sends requests as one of them, each with its own Idempotency-Key.
#[derive(Debug, Clone)]
pub struct Staff {
    /// Where Lots listens (`http://127.0.0.1:…`).
    pub base: String,
    /// Each user's bearer token, by name.
    pub tokens: std::collections::BTreeMap<&'static str, String>,
}

impl Staff {
    /// Sends `body` to `path` as `who`; the status and the answer (`Null` when it is not JSON).
    pub async fn call(
        &self,
        who: &str,
        method: reqwest::Method,
        path: &str,
        body: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let response = reqwest::Client::new()
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.tokens[who])
            .header("Idempotency-Key", Ulid::new().to_string())
            .body(body.to_string())
            .send()
            .await
            .expect("answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or_default())
    }

    /// `POST`s `body` to `path` as `who`.
    pub async fn post(&self, who: &str, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        self.call(who, reqwest::Method::POST, path, body).await
    }

    /// `GET`s `path` as `who`, after the write `after` (a command answer's `written`) when given; the JSON answer.
    pub async fn get(&self, who: &str, path: &str, after: Option<&serde_json::Value>) -> serde_json::Value {
        let mut request = reqwest::Client::new().get(format!("{}{path}", self.base)).bearer_auth(&self.tokens[who]);
        if let Some(written) = after.and_then(|answer| answer["written"].as_str()) {
            request = request.header("X-Lots-After", written);
        }
        request.send().await.expect("answers").json().await.expect("JSON")
    }

    /// `POST`s a command that must be applied (201); its answer.
    pub async fn created(&self, who: &str, path: &str, body: serde_json::Value) -> serde_json::Value {
        let (status, answer) = self.post(who, path, body).await;
        assert_eq!(status, 201, "{who} {path}: {answer}");
        answer
    }

    /// [`Staff::created`], answering the id of what it made.
    pub async fn made(&self, who: &str, path: &str, body: serde_json::Value) -> String {
        let answer = self.created(who, path, body).await;
        let id = ["case_id", "subject_id", "referral_id", "consent_id"].iter().find_map(|key| answer[key].as_str());
        id.expect("an id").to_owned()
    }
}

/// Writes an event no code can read behind Lots' back (as the database's owner could), so that the views stop
/// at it.
pub async fn write_unreadable_event(store: &TestStore) {
    store
        .raw(
            "insert into events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
              values ('case', 'unreadable', 1, 'CaseOpened', '1', '{}', '{}')",
        )
        .await
        .expect("a malformed event behind Lots' back");
}
