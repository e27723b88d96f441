//! Verification for auditors: the same checks as `lots verify` — the log against its seals and signed
//! checkpoints, the access log against its chain and signed heads — run in the background every hour (at start
//! when the latest recorded run is older), and on an auditor's request (`POST /api/verify`). A city's log takes
//! longer to verify than a request may last, so a request starts a run and `GET /api/verify` shows the latest
//! finished one. Every run's report stays in `verification_runs`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ed25519_dalek::VerifyingKey;
use projections::db::Db;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::event_log::access_log::{AccessLogMismatch, AccessLogReport};

/// How often the background verification runs.
pub const VERIFY_EVERY: Duration = Duration::from_secs(60 * 60);
/// A verification an auditor asks for starts at most this often (a run reads the whole of both logs).
pub const REQUESTED_AT_MOST_EVERY: Duration = Duration::from_secs(5 * 60);

/// The log's verification.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct LogVerification {
    /// Whether every sealed event and signed checkpoint matched.
    pub ok: bool,
    /// Events verified (the last verified log index).
    pub verified: i64,
    /// The chain hash there, hex.
    pub head: Option<String>,
    /// Signed checkpoints verified.
    pub checkpoints: i64,
    /// Events written after the last seal (sealed within seconds; verified next time).
    pub unsealed: i64,
    /// The first mismatch, naming the log index and the event.
    pub mismatch: Option<String>,
}

/// The access log's verification.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct AccessLogVerification {
    /// Whether every entry and signed checkpoint matched.
    pub ok: bool,
    /// What verified.
    pub report: Option<AccessLogReport>,
    /// The first mismatch.
    pub mismatch: Option<AccessLogMismatch>,
}

/// One verification run.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Verification {
    /// Whether both logs verified.
    pub ok: bool,
    /// When it started (RFC 3339, UTC).
    pub started_at: String,
    /// When it finished.
    pub finished_at: String,
    /// The auditor who asked for it; none for the background runs.
    pub requested_by: Option<String>,
    /// The log of events.
    pub log: LogVerification,
    /// The access log.
    pub access_log: AccessLogVerification,
}

fn now() -> String {
    time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// Verifies both logs now — and that they still reach the last heads kept in `head_file`, when there is one —
/// and records the run.
pub async fn run(
    db: &Db,
    key: &VerifyingKey,
    requested_by: Option<String>,
    head_file: Option<&std::path::Path>,
) -> Result<Verification, sqlx::Error> {
    let started_at = now();
    let rolled_back = match head_file.filter(|file| file.exists()) {
        Some(file) => kept_heads_not_reached(db, key, file).await?,
        None => None,
    };
    let log = match crate::event_log::seal::verify(db, key, |_, _| {}).await? {
        Ok(_) if rolled_back.is_some() => {
            LogVerification { ok: false, verified: 0, head: None, checkpoints: 0, unsealed: 0, mismatch: rolled_back }
        }
        Ok(report) => LogVerification {
            ok: true,
            verified: report.verified,
            head: Some(hex::encode(report.head)),
            checkpoints: report.checkpoints,
            unsealed: report.unsealed,
            mismatch: None,
        },
        Err(mismatch) => LogVerification {
            ok: false,
            verified: 0,
            head: None,
            checkpoints: 0,
            unsealed: 0,
            mismatch: Some(mismatch.to_string()),
        },
    };
    let access_log = match crate::event_log::access_log::verify_access_log(db, key).await? {
        Ok(report) => AccessLogVerification { ok: true, report: Some(report), mismatch: None },
        Err(mismatch) => AccessLogVerification { ok: false, report: None, mismatch: Some(mismatch) },
    };
    let verification =
        Verification { ok: log.ok && access_log.ok, started_at, finished_at: now(), requested_by, log, access_log };
    if !verification.ok {
        tracing::error!(log = ?verification.log.mismatch, access_log = ?verification.access_log.mismatch, "verification FAILED");
    }
    let report = serde_json::to_string(&verification).unwrap_or_default();
    projections::on_pool!(db, |pool| {
        sqlx::query(
            "insert into verification_runs (started_at, finished_at, requested_by, ok, report) values ($1, $2, $3, $4, $5)",
        )
        .bind(&verification.started_at)
        .bind(&verification.finished_at)
        .bind(verification.requested_by.clone())
        .bind(verification.ok)
        .bind(&report)
        .execute(pool)
        .await
        .map(drop)
    })?;
    Ok(verification)
}

/// The first kept head (the last of each log in `file`) the logs no longer reach, in words.
async fn kept_heads_not_reached(
    db: &Db,
    key: &VerifyingKey,
    file: &std::path::Path,
) -> Result<Option<String>, sqlx::Error> {
    let heads = match crate::event_log::seal::heads::last_kept(file, key) {
        Ok(heads) => heads,
        Err(mismatch) => return Ok(Some(mismatch.to_string())),
    };
    for head in &heads {
        if let Err(mismatch) = crate::event_log::seal::heads::reaches(db, head).await? {
            return Ok(Some(mismatch.to_string()));
        }
    }
    Ok(None)
}

/// The latest recorded run.
pub async fn latest(db: &Db) -> Result<Option<Verification>, sqlx::Error> {
    let report: Option<String> = projections::on_pool!(db, |pool| {
        sqlx::query_scalar("select report from verification_runs order by run_id desc limit 1")
            .fetch_optional(pool)
            .await
    })?;
    Ok(report.and_then(|report| serde_json::from_str(&report).ok()))
}

/// The `n` latest recorded runs, newest first.
pub async fn recent(db: &Db, n: i64) -> Result<Vec<Verification>, sqlx::Error> {
    let reports: Vec<String> = projections::on_pool!(db, |pool| {
        sqlx::query_scalar("select report from verification_runs order by run_id desc limit $1")
            .bind(n)
            .fetch_all(pool)
            .await
    })?;
    Ok(reports.iter().filter_map(|report| serde_json::from_str(report).ok()).collect())
}

/// How long until the next background run is due: [`VERIFY_EVERY`] after the latest recorded run (by any
/// process, so replicas and restarts do not verify a large log again and again), at once when there is none.
async fn next_run_in(db: &Db) -> Duration {
    let finished = latest(db).await.ok().flatten().and_then(|run| {
        time::OffsetDateTime::parse(&run.finished_at, &time::format_description::well_known::Rfc3339).ok()
    });
    let Some(finished) = finished else { return Duration::ZERO };
    let age = time::OffsetDateTime::now_utc() - finished;
    VERIFY_EVERY.saturating_sub(Duration::try_from(age).unwrap_or(Duration::ZERO))
}

/// Runs verification for this process: at most one run at a time, in the background.
#[derive(Debug)]
pub struct Verifier {
    db: Db,
    key: VerifyingKey,
    /// Whether this process is verifying the logs now: a second request while one runs starts nothing.
    running: AtomicBool,
    /// The file of heads kept outside the database, checked by every run.
    head_file: Option<std::path::PathBuf>,
    /// When a run an auditor asked for last started.
    last_requested: std::sync::Mutex<Option<std::time::Instant>>,
}

impl Verifier {
    /// A verifier of the logs in `db` against the public key `key`.
    pub fn new(db: Db, key: VerifyingKey) -> Self {
        Self { db, key, running: AtomicBool::new(false), head_file: None, last_requested: std::sync::Mutex::new(None) }
    }

    /// Also checks that the logs still reach the last heads kept in the head file in `dir`.
    pub fn checking_heads_in(mut self, dir: &std::path::Path) -> Self {
        self.head_file = Some(crate::event_log::seal::heads::head_file(dir));
        self
    }

    /// Starts a run an auditor asked for, at most once per [`REQUESTED_AT_MOST_EVERY`]: `Ok(false)` when one is
    /// running already (its result counts), `Err(wait)` when the last requested run started too recently.
    pub fn request(self: &Arc<Self>, requested_by: String) -> Result<bool, Duration> {
        let mut last = self.last_requested.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(wait) = last.and_then(|at| REQUESTED_AT_MOST_EVERY.checked_sub(at.elapsed())) {
            return Err(wait);
        }
        let started = self.start(Some(requested_by));
        if started {
            *last = Some(std::time::Instant::now());
        }
        Ok(started)
    }

    /// The public key signatures are checked against.
    pub fn key(&self) -> &VerifyingKey {
        &self.key
    }

    /// Whether this process is running a verification now.
    pub fn running(&self) -> bool {
        self.running.load(Ordering::SeqCst)
    }

    /// Starts a verification unless this process is already running one; `false` when it was.
    pub fn start(self: &Arc<Self>, requested_by: Option<String>) -> bool {
        if self.running.swap(true, Ordering::SeqCst) {
            return false;
        }
        let verifier = Arc::clone(self);
        tokio::spawn(async move {
            if let Err(error) = run(&verifier.db, &verifier.key, requested_by, verifier.head_file.as_deref()).await {
                tracing::error!(%error, "verification could not run");
            }
            verifier.running.store(false, Ordering::SeqCst);
        });
        true
    }

    /// Runs verification when one is due (see [`next_run_in`]) until `stop` turns true.
    pub async fn follow(self: Arc<Self>, mut stop: tokio::sync::watch::Receiver<bool>) {
        while !*stop.borrow() {
            let wait = next_run_in(&self.db).await;
            if wait.is_zero() {
                self.start(None);
            }
            tokio::select! {
                _ = stop.changed() => {}
                () = tokio::time::sleep(if wait.is_zero() { VERIFY_EVERY } else { wait }) => {}
            }
        }
    }
}
