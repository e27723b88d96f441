//! The database handle every part of Lots shares: a pool on one of the two backends, and the signal that wakes
//! feed readers when events are written.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgListener, PgPool};
use sqlx::sqlite::SqlitePool;
use tokio::sync::watch;

/// The PostgreSQL channel a writing process notifies on once its writes have committed (off the writers' commit
/// path: PostgreSQL serialises the commits of notifying transactions on one lock, which cost the command path a
/// fifth of its throughput when every writing transaction notified through a trigger).
pub const EVENTS_CHANNEL: &str = "lots_events";

/// Which database holds the log.
#[derive(Debug, Clone)]
pub enum Backend {
    /// PostgreSQL, for production.
    Postgres(PgPool),
    /// SQLite, the embedded default.
    Sqlite(SqlitePool),
}

/// What the views answer, computed once per position of the views rather than once per reader: a few entries
/// keyed by what they were computed from (the projections' generations and checkpoints among it), so a key goes
/// stale by itself when the views move on, and the oldest entry goes when a new one comes.
#[derive(Default)]
struct Memo {
    entries: std::sync::Mutex<std::collections::VecDeque<(String, MemoCell)>>,
}

type MemoCell = Arc<tokio::sync::OnceCell<Arc<dyn std::any::Any + Send + Sync>>>;

/// How many answers the memo keeps (a unit's caseload of a few thousand cases is a megabyte or two).
const MEMO_ENTRIES: usize = 24;

impl std::fmt::Debug for Memo {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Memo")
    }
}

/// A database handle: the pool and the wake-up signal. Cheap to clone; clones share both.
#[derive(Debug, Clone)]
pub struct Db {
    backend: Backend,
    memo: Arc<Memo>,
    /// Bumped whenever events may have been written; readers wait for it to change. A counter in a watch channel
    /// rather than a `Notify`, so a wake-up between a reader's read and its wait is never lost.
    written: Arc<watch::Sender<u64>>,
    /// Bumped only by this process's own writes: what it tells other processes of (on PostgreSQL).
    own_writes: Arc<watch::Sender<u64>>,
}

impl Db {
    /// Wraps a pool. On PostgreSQL, call [`Db::listen_for_writes`] to be woken by other processes' writes.
    pub fn new(backend: Backend) -> Self {
        Self {
            backend,
            memo: Arc::default(),
            written: Arc::new(watch::Sender::new(0)),
            own_writes: Arc::new(watch::Sender::new(0)),
        }
    }

    /// The value computed for `key`, computing it with `compute` the first time (readers asking at once wait for
    /// one computation). `key` must name everything the value depends on.
    pub(crate) async fn memoized<T, E>(
        &self,
        key: String,
        compute: impl std::future::Future<Output = Result<T, E>>,
    ) -> Result<Arc<T>, E>
    where
        T: std::any::Any + Send + Sync,
    {
        let cell = {
            let mut entries = self.memo.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            match entries.iter().find(|(held, _)| *held == key) {
                Some((_, cell)) => Arc::clone(cell),
                None => {
                    let cell = MemoCell::default();
                    entries.push_back((key, Arc::clone(&cell)));
                    if entries.len() > MEMO_ENTRIES {
                        entries.pop_front();
                    }
                    cell
                }
            }
        };
        let value = cell
            .get_or_try_init(|| async {
                compute.await.map(|value| Arc::new(value) as Arc<dyn std::any::Any + Send + Sync>)
            })
            .await?;
        Ok(Arc::clone(value).downcast::<T>().unwrap_or_else(|_| unreachable!("a memo key names one type of value")))
    }

    /// The pool.
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// Whether the log is on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
    }

    /// Tells this process's readers that it wrote events (and, once [`Db::listen_for_writes`] runs, other
    /// processes too).
    pub fn signal_written(&self) {
        self.written.send_modify(|count| *count = count.wrapping_add(1));
        self.own_writes.send_modify(|count| *count = count.wrapping_add(1));
    }

    /// A receiver that changes whenever events may have been written.
    pub fn written(&self) -> watch::Receiver<u64> {
        self.written.subscribe()
    }

    /// On PostgreSQL, starts a task that turns the events table's notifications (from any process) into this
    /// handle's signal. It reconnects after errors; readers poll as well, so a gap costs latency, not events.
    pub fn listen_for_writes(&self) {
        let Backend::Postgres(pool) = &self.backend else {
            return;
        };
        let pool = pool.clone();
        let written = Arc::clone(&self.written);
        // Tell other processes of this one's writes: one NOTIFY at a time, of its own, after the writes committed;
        // writes while one is sent fold into the next.
        let mut own_writes = self.own_writes.subscribe();
        let notifier = pool.clone();
        tokio::spawn(async move {
            while own_writes.changed().await.is_ok() {
                if let Err(error) =
                    sqlx::query("select pg_notify($1, '')").bind(EVENTS_CHANNEL).execute(&notifier).await
                {
                    tracing::warn!(%error, "could not tell other processes of a write; they poll");
                }
            }
        });
        tokio::spawn(async move {
            loop {
                match listen(&pool, &written).await {
                    Ok(()) => return,
                    Err(error) => {
                        tracing::warn!(%error, "feed listener lost its connection; reconnecting");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        });
    }
}

async fn listen(pool: &PgPool, written: &watch::Sender<u64>) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(EVENTS_CHANNEL).await?;
    loop {
        listener.recv().await?;
        written.send_modify(|count| *count = count.wrapping_add(1));
        if written.is_closed() {
            return Ok(());
        }
    }
}

/// Runs the same expression on whichever pool `db` holds: `on_pool!(db, |pool| sqlx::query(SQL).fetch_all(pool))`.
/// The expression is compiled once per backend, so it may use each driver's own types; both arms must yield
/// the same type. SQL written for both uses `$1`-style parameters, which SQLite accepts as well.
#[macro_export]
macro_rules! on_pool {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db.backend() {
            $crate::db::Backend::Postgres($pool) => $body,
            $crate::db::Backend::Sqlite($pool) => $body,
        }
    };
}
