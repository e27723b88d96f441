//! The projection runner: one task per projection reads a batch from the feed after the projection's
//! checkpoint, applies it to the projection's tables and stores the new checkpoint in the same transaction.
//! A projection that fails on an event stops there, records the event and the error, and never skips it.
//!
//! Projections are dumb: `apply` turns one event into SQL writes (no reads, no clock, no rules), so replaying
//! the log from position zero rebuilds the same rows. Every projection row carries a `generation`; a rebuild
//! fills a new generation from zero and then makes it live in one transaction.

use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::sync::watch;

use crate::db::{Backend, Db};
use crate::feed::{self, FeedCursor, FeedEvent};
use crate::on_pool;

/// A value bound to a projection's SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Text.
    Text(String),
    /// An integer.
    Int(i64),
    /// SQL NULL, as text.
    Null,
    /// SQL NULL, as an integer (PostgreSQL will not take a text NULL into a `bigint` column).
    NullInt,
}

impl From<&str> for Arg {
    fn from(text: &str) -> Self {
        Arg::Text(text.to_owned())
    }
}

impl From<String> for Arg {
    fn from(text: String) -> Self {
        Arg::Text(text)
    }
}

impl From<i64> for Arg {
    fn from(number: i64) -> Self {
        Arg::Int(number)
    }
}

impl From<Option<String>> for Arg {
    fn from(value: Option<String>) -> Self {
        value.map_or(Arg::Null, Arg::Text)
    }
}

impl From<Option<&str>> for Arg {
    fn from(value: Option<&str>) -> Self {
        value.map_or(Arg::Null, Into::into)
    }
}

impl From<Option<i64>> for Arg {
    fn from(value: Option<i64>) -> Self {
        value.map_or(Arg::NullInt, Arg::Int)
    }
}

/// One SQL statement a projection wants run, with `$1`-style parameters (both stores accept them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Write {
    /// The statement.
    pub sql: &'static str,
    /// Its arguments, in order.
    pub args: Vec<Arg>,
}

impl Write {
    /// A statement with its arguments.
    pub fn new(sql: &'static str, args: Vec<Arg>) -> Self {
        Self { sql, args }
    }
}

/// Why a projection could not apply an event.
#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    /// The event's payload is not what its type says.
    #[error("event {aggregate_type} {aggregate_id} #{sequence} cannot be read: {reason}")]
    Unreadable {
        /// Its aggregate type.
        aggregate_type: String,
        /// Its aggregate.
        aggregate_id: String,
        /// Its sequence.
        sequence: i64,
        /// Why.
        reason: String,
    },
    /// The store failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A rebuild's scratch database failed.
    #[error("scratch database error: {0}")]
    Scratch(#[from] rusqlite::Error),
    /// The projection stopped at an event earlier and must be repaired and rebuilt.
    #[error("projection {name} stopped at {at:?}: {error}")]
    Stopped {
        /// The projection.
        name: String,
        /// Where.
        at: FeedCursor,
        /// The recorded error.
        error: String,
    },
}

impl ProjectionError {
    /// An unreadable payload of `event`.
    pub fn unreadable(event: &FeedEvent, reason: impl ToString) -> Self {
        Self::Unreadable {
            aggregate_type: event.aggregate_type.clone(),
            aggregate_id: event.aggregate_id.clone(),
            sequence: event.sequence,
            reason: reason.to_string(),
        }
    }
}

/// A read model built from the feed.
pub trait Projection: Send + Sync + 'static {
    /// Its name, as `lots rebuild NAME` and `/readyz` call it.
    fn name(&self) -> &'static str;
    /// Its tables; each has a `generation` column. For each, the columns that make up its content (for the
    /// digest), in a fixed order.
    fn tables(&self) -> &'static [(&'static str, &'static [&'static str])];
    /// The writes one event leads to in `generation`. Pure: no reads, no clock.
    fn apply(&self, event: &FeedEvent, generation: i64) -> Result<Vec<Write>, ProjectionError>;
}

/// Where a projection stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectionStatus {
    /// The projection.
    pub name: String,
    /// The generation users read.
    pub generation: i64,
    /// The last event applied to it.
    pub checkpoint: FeedCursor,
    /// The error it stopped on, if it did.
    pub error: Option<String>,
}

/// A write's statement with its arguments bound, for whichever driver the surrounding `on_pool!` arm uses.
macro_rules! bound {
    ($sql:expr, $args:expr) => {{
        let mut query = sqlx::query($sql);
        for arg in $args {
            query = match arg {
                Arg::Text(text) => query.bind(text.clone()),
                Arg::Int(number) => query.bind(*number),
                Arg::Null => query.bind(Option::<String>::None),
                Arg::NullInt => query.bind(Option::<i64>::None),
            };
        }
        query
    }};
}

/// How many events one projection transaction takes at most.
const BATCH: i64 = 500;

/// Reads a projection's status, creating its state row (generation 1, at the start) the first time.
pub async fn status(db: &Db, name: &str) -> Result<ProjectionStatus, sqlx::Error> {
    type Row = (i64, i64, i64, i64, Option<String>);
    const SELECT: &str = "select live_generation, checkpoint_epoch, checkpoint_tx, checkpoint_position, error
                            from projection_state where name = $1";
    let row: Option<Row> = on_pool!(db, |pool| sqlx::query_as(SELECT).bind(name).fetch_optional(pool).await)?;
    let (generation, epoch, tx, position, error) = match row {
        Some(row) => row,
        // Reading is the common case and must not take SQLite's write lock; only a projection's first status writes.
        None => on_pool!(db, |pool| {
            sqlx::query("insert into projection_state (name) values ($1) on conflict do nothing")
                .bind(name)
                .execute(pool)
                .await?;
            sqlx::query_as::<_, Row>(SELECT).bind(name).fetch_one(pool).await
        })?,
    };
    Ok(ProjectionStatus { name: name.to_owned(), generation, checkpoint: FeedCursor { epoch, tx, position }, error })
}

/// Applies the next batch of events to the live generation. Returns how many were applied (0: caught up, or
/// another runner moved the checkpoint first). An event the projection cannot apply stops it: the error and
/// the event are recorded and every later call returns [`ProjectionError::Stopped`].
pub async fn step(db: &Db, projection: &dyn Projection) -> Result<usize, ProjectionError> {
    let span = tracing::debug_span!("projection_batch", projection = projection.name());
    tracing::Instrument::instrument(step_in_span(db, projection), span).await
}

async fn step_in_span(db: &Db, projection: &dyn Projection) -> Result<usize, ProjectionError> {
    let state = status(db, projection.name()).await?;
    if let Some(error) = state.error {
        return Err(ProjectionError::Stopped { name: state.name, at: state.checkpoint, error });
    }
    let batch = feed::read(db, state.checkpoint, BATCH).await?;
    if batch.is_empty() {
        return Ok(0);
    }
    let mut writes = Vec::new();
    let mut last = state.checkpoint;
    for event in &batch {
        match projection.apply(event, state.generation) {
            Ok(more) => {
                writes.extend(more);
                last = event.cursor;
            }
            Err(error) => {
                tracing::error!(projection = projection.name(), %error, "projection stopped at an event it cannot apply");
                // Apply what came before the failing event, then record the failure at it.
                commit(
                    db,
                    projection.name(),
                    state.generation,
                    state.checkpoint,
                    last,
                    &writes,
                    Some(&error.to_string()),
                )
                .await?;
                return Err(error);
            }
        }
    }
    let applied = commit(db, projection.name(), state.generation, state.checkpoint, last, &writes, None).await?;
    Ok(if applied { batch.len() } else { 0 })
}

/// Runs `writes` and moves the checkpoint from `from` to `to` in one transaction, unless another runner moved
/// it first (then nothing is written and `false` is returned).
async fn commit(
    db: &Db,
    name: &str,
    generation: i64,
    from: FeedCursor,
    to: FeedCursor,
    writes: &[Write],
    error: Option<&str>,
) -> Result<bool, sqlx::Error> {
    on_pool!(db, |pool| {
        let mut tx = pool.begin().await?;
        // Taking the row first makes this transaction the writer at once (SQLite) and serialises runners
        // and rebuilds of one projection (PostgreSQL); the checkpoint check then makes sure nobody else applied
        // this batch meanwhile.
        let moved = sqlx::query(
            "update projection_state
                set checkpoint_epoch = $2, checkpoint_tx = $3, checkpoint_position = $4, error = $5
              where name = $1 and live_generation = $6
                and checkpoint_epoch = $7 and checkpoint_tx = $8 and checkpoint_position = $9",
        )
        .bind(name)
        .bind(to.epoch)
        .bind(to.tx)
        .bind(to.position)
        .bind(error)
        .bind(generation)
        .bind(from.epoch)
        .bind(from.tx)
        .bind(from.position)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if moved != 1 {
            return Ok(false);
        }
        for write in writes {
            bound!(write.sql, &write.args).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(true)
    })
}

/// Keeps `projection` in step with the feed until `stop` turns true. On PostgreSQL only the process holding the
/// projection's advisory lock runs it (the others wait to take over); the checkpoint check keeps every event
/// applied once in any case. Signals `progress` after every batch.
pub async fn run(
    db: Db,
    projection: Box<dyn Projection>,
    progress: watch::Sender<u64>,
    mut stop: watch::Receiver<bool>,
) {
    let _leadership = loop {
        if *stop.borrow() {
            return;
        }
        match lead(&db, projection.name()).await {
            Ok(Some(connection)) => break Some(connection),
            Ok(None) => {}
            Err(error) => tracing::warn!(projection = projection.name(), %error, "cannot take the projection's lead"),
        }
        if !db.is_postgres() {
            break None;
        }
        tokio::select! {
            _ = stop.changed() => {}
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    };
    while !*stop.borrow() {
        match step(&db, projection.as_ref()).await {
            Ok(0) => {
                let at = status(&db, projection.name()).await.map(|state| state.checkpoint).unwrap_or_default();
                tokio::select! {
                    _ = stop.changed() => {}
                    _ = feed::read_or_wait(&db, at, 1, Duration::from_secs(5)) => {}
                }
            }
            Ok(_) => {
                progress.send_modify(|count| *count = count.wrapping_add(1));
            }
            Err(ProjectionError::Stopped { .. }) => return,
            Err(ProjectionError::Unreadable { .. }) => {
                progress.send_modify(|count| *count = count.wrapping_add(1));
                return;
            }
            Err(error) => {
                tracing::warn!(projection = projection.name(), %error, "projection batch failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// On PostgreSQL, tries to take the projection's session advisory lock on a connection of its own, kept for as
/// long as the runner leads.
async fn lead(db: &Db, name: &str) -> Result<Option<sqlx::pool::PoolConnection<sqlx::Postgres>>, sqlx::Error> {
    let Backend::Postgres(pool) = db.backend() else { return Ok(None) };
    let mut connection = pool.acquire().await?;
    let key = lock_key(name);
    let taken: bool =
        sqlx::query_scalar("select pg_try_advisory_lock($1)").bind(key).fetch_one(&mut *connection).await?;
    Ok(taken.then_some(connection))
}

fn lock_key(name: &str) -> i64 {
    let digest = Sha256::digest(format!("lots-projection-{name}").as_bytes());
    i64::from_be_bytes([digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7]])
}

/// Waits until `name` has applied the event at `cursor` (read-your-writes), or `timeout` passes. Returns whether
/// it got there.
pub async fn wait_for(db: &Db, name: &str, cursor: FeedCursor, timeout: Duration) -> Result<bool, sqlx::Error> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut written = db.written();
    loop {
        written.borrow_and_update();
        if status(db, name).await?.checkpoint >= cursor {
            return Ok(true);
        }
        let now = tokio::time::Instant::now();
        if now >= deadline {
            return Ok(false);
        }
        let nap = Duration::from_millis(50).min(deadline - now);
        let _ = tokio::time::timeout(nap, written.changed()).await;
    }
}

/// The digest of a projection's content in `generation`: SHA-256 over its rows rendered as text, sorted, so it
/// depends neither on row order nor on the backend.
pub async fn digest(db: &Db, projection: &dyn Projection, generation: i64) -> Result<String, sqlx::Error> {
    let mut rows = Vec::new();
    for (table, columns) in projection.tables() {
        let rendered: Vec<String> =
            columns.iter().map(|column| format!("coalesce(cast({column} as text), '~')")).collect();
        let sql = format!("select {} from {table} where generation = $1", rendered.join(" || '|' || "));
        let table_rows: Vec<String> =
            on_pool!(db, |pool| sqlx::query_scalar(&sql).bind(generation).fetch_all(pool).await)?;
        rows.extend(table_rows.into_iter().map(|row| format!("{table}|{row}")));
    }
    rows.sort();
    let mut hasher = Sha256::new();
    for row in &rows {
        hasher.update((row.len() as u64).to_be_bytes());
        hasher.update(row.as_bytes());
    }
    Ok(hex::encode(hasher.finalize()))
}

/// How many events a rebuild reads at a time.
const REBUILD_BATCH: i64 = 5_000;

/// Replays the feed into `generation` of `projection`, the events `include` accepts, through `scratch` when given
/// (see [`rebuild_in`]); returns the last cursor.
async fn build(
    db: &Db,
    scratch: Option<&Scratch>,
    projection: &dyn Projection,
    generation: i64,
    include: impl Fn(&FeedEvent) -> bool,
    progress: &mut impl FnMut(u64),
) -> Result<FeedCursor, ProjectionError> {
    clear_generation(db, projection, generation).await?;
    if let Some(scratch) = scratch {
        scratch.clear(projection, generation)?;
    }
    let mut cursor = FeedCursor::default();
    let mut read = 0u64;
    let (mut reading, mut applying) = (Duration::ZERO, Duration::ZERO);
    // The next batch is read while this one is applied (on another thread when the runtime has one).
    let read_after = |cursor: FeedCursor| {
        let db = db.clone();
        tokio::spawn(async move { feed::read(&db, cursor, REBUILD_BATCH).await })
    };
    let mut next = read_after(cursor);
    loop {
        let started = std::time::Instant::now();
        let batch = next.await.map_err(|_| ProjectionError::Database(sqlx::Error::WorkerCrashed))??;
        reading += started.elapsed();
        let Some(last) = batch.last() else { break };
        next = read_after(last.cursor);
        let started = std::time::Instant::now();
        let mut writes = Vec::new();
        for event in batch.iter().filter(|event| include(event)) {
            writes.extend(projection.apply(event, generation)?);
        }
        match scratch {
            Some(scratch) => scratch.execute(&writes)?,
            None => execute(db, &writes).await?,
        }
        applying += started.elapsed();
        cursor = last.cursor;
        read += batch.len() as u64;
        progress(read);
    }
    let started = std::time::Instant::now();
    if let Some(scratch) = scratch {
        for (table, _) in projection.tables() {
            copy_table(scratch, db, table, generation).await?;
        }
        scratch.clear(projection, generation)?;
    }
    tracing::info!(
        projection = projection.name(),
        events = read,
        waiting_for_reads_ms = reading.as_millis() as u64,
        applying_ms = applying.as_millis() as u64,
        copying_ms = started.elapsed().as_millis() as u64,
        "rebuilt"
    );
    Ok(cursor)
}

/// A private, in-memory SQLite database a rebuild applies a projection's writes to: the same SQL as on either
/// store, each statement prepared once and run in microseconds, with no round trip. It lives as long as this
/// value; its work is synchronous (a rebuild is a batch job of its own).
pub struct Scratch(std::sync::Mutex<rusqlite::Connection>);

impl std::fmt::Debug for Scratch {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Scratch")
    }
}

impl Scratch {
    /// An in-memory database with `schema` applied, statement list by statement list (the store's SQLite
    /// migrations, in order).
    pub fn in_memory<'a>(schema: impl IntoIterator<Item = &'a str>) -> Result<Self, rusqlite::Error> {
        let connection = rusqlite::Connection::open_in_memory()?;
        connection.execute_batch("pragma journal_mode = off; pragma synchronous = off;")?;
        for sql in schema {
            connection.execute_batch(sql)?;
        }
        connection.set_prepared_statement_cache_capacity(256);
        Ok(Self(std::sync::Mutex::new(connection)))
    }

    fn connection(&self) -> std::sync::MutexGuard<'_, rusqlite::Connection> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs `writes` in one transaction. A parameter `$N` takes the Nth argument wherever it stands in the
    /// statement, as sqlx binds it.
    fn execute(&self, writes: &[Write]) -> Result<(), rusqlite::Error> {
        let mut connection = self.connection();
        let tx = connection.transaction()?;
        for write in writes {
            let mut statement = tx.prepare_cached(write.sql)?;
            for index in 1..=statement.parameter_count() {
                let number = statement
                    .parameter_name(index)
                    .and_then(|name| name.trim_start_matches(['$', '?']).parse::<usize>().ok())
                    .unwrap_or(index);
                let value = match write.args.get(number - 1) {
                    Some(Arg::Text(text)) => rusqlite::types::Value::Text(text.clone()),
                    Some(Arg::Int(number)) => rusqlite::types::Value::Integer(*number),
                    Some(Arg::Null | Arg::NullInt) | None => rusqlite::types::Value::Null,
                };
                statement.raw_bind_parameter(index, value)?;
            }
            statement.raw_execute()?;
        }
        tx.commit()
    }

    fn clear(&self, projection: &dyn Projection, generation: i64) -> Result<(), rusqlite::Error> {
        let connection = self.connection();
        for (table, _) in projection.tables() {
            connection.execute(&format!("delete from {table} where generation = ?1"), [generation])?;
        }
        Ok(())
    }

    /// `table`'s columns, and whether each holds integers (projection tables hold integers and text, nothing
    /// else).
    fn describe(&self, table: &str) -> Result<Vec<(String, bool)>, rusqlite::Error> {
        self.connection()
            .prepare("select name, lower(type) from pragma_table_info(?1)")?
            .query_map([table], |row| Ok((row.get(0)?, row.get::<_, String>(1)?.contains("int"))))?
            .collect()
    }

    /// Up to `limit` rows of `table` in `generation` after row `after` (by rowid): their values, row after row (a
    /// NULL in an integer column an integer NULL), and the last row's rowid.
    fn chunk(
        &self,
        table: &str,
        columns: &[(String, bool)],
        generation: i64,
        after: i64,
        limit: i64,
    ) -> Result<(Vec<Arg>, i64), rusqlite::Error> {
        let connection = self.connection();
        let names: Vec<&str> = columns.iter().map(|(name, _)| name.as_str()).collect();
        let sql = format!(
            "select rowid, {} from {table} where generation = ?1 and rowid > ?2 order by rowid limit ?3",
            names.join(", ")
        );
        let mut statement = connection.prepare_cached(&sql)?;
        let mut rows = statement.query([generation, after, limit])?;
        let (mut values, mut last) = (Vec::new(), after);
        while let Some(row) = rows.next()? {
            last = row.get(0)?;
            for (index, (name, integer)) in columns.iter().enumerate() {
                values.push(match row.get_ref(index + 1)? {
                    rusqlite::types::ValueRef::Integer(number) => Arg::Int(number),
                    rusqlite::types::ValueRef::Text(text) => Arg::Text(String::from_utf8_lossy(text).into_owned()),
                    rusqlite::types::ValueRef::Null if *integer => Arg::NullInt,
                    rusqlite::types::ValueRef::Null => Arg::Null,
                    other => return Err(rusqlite::Error::InvalidColumnType(index, name.clone(), other.data_type())),
                });
            }
        }
        Ok((values, last))
    }
}

/// How many rows a rebuild copies at a time.
const COPY_CHUNK: i64 = 10_000;

/// Copies `table`'s rows of `generation` from `scratch` into `db`, a chunk at a time, in one transaction: with
/// `COPY … FROM STDIN` on PostgreSQL, in inserts of many rows each on SQLite.
async fn copy_table(scratch: &Scratch, db: &Db, table: &str, generation: i64) -> Result<(), ProjectionError> {
    let columns = scratch.describe(table)?;
    let names: Vec<&str> = columns.iter().map(|(name, _)| name.as_str()).collect();
    let mut after = 0;
    match db.backend() {
        Backend::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            let mut copy = tx.copy_in_raw(&format!("copy {table} ({}) from stdin", names.join(", "))).await?;
            loop {
                let (values, last) = scratch.chunk(table, &columns, generation, after, COPY_CHUNK)?;
                if values.is_empty() {
                    break;
                }
                copy.send(copy_text(&values, columns.len())).await?;
                after = last;
            }
            copy.finish().await?;
            tx.commit().await?;
            // A generation copied in at once is new to the planner: without fresh statistics it guesses one row
            // and joins by nested loops over thousands.
            sqlx::query(&format!("analyze {table}")).execute(pool).await?;
        }
        Backend::Sqlite(pool) => {
            let mut tx = pool.begin().await?;
            loop {
                let (values, last) = scratch.chunk(table, &columns, generation, after, COPY_CHUNK)?;
                if values.is_empty() {
                    break;
                }
                for (sql, args) in inserts(table, &names, &values) {
                    bound!(&sql, args).execute(&mut *tx).await?;
                }
                after = last;
            }
            tx.commit().await?;
            sqlx::query(&format!("analyze {table}")).execute(pool).await?;
        }
    }
    Ok(())
}

/// Rows in PostgreSQL's COPY text format: tab between values, a line a row, `\N` for NULL, backslash escapes.
fn copy_text(values: &[Arg], width: usize) -> Vec<u8> {
    let mut text = String::with_capacity(values.len() * 16);
    for (index, value) in values.iter().enumerate() {
        match value {
            Arg::Int(number) => text.push_str(&number.to_string()),
            Arg::Null | Arg::NullInt => text.push_str("\\N"),
            Arg::Text(value) => {
                for character in value.chars() {
                    match character {
                        '\\' => text.push_str("\\\\"),
                        '\n' => text.push_str("\\n"),
                        '\r' => text.push_str("\\r"),
                        '\t' => text.push_str("\\t"),
                        other => text.push(other),
                    }
                }
            }
        }
        text.push(if (index + 1) % width == 0 { '\n' } else { '\t' });
    }
    text.into_bytes()
}

/// Multi-row inserts of `values` (row after row of `names`) into `table`, well under SQLite's limit on bound
/// parameters (32 766).
fn inserts<'a>(table: &str, names: &[&str], values: &'a [Arg]) -> Vec<(String, &'a [Arg])> {
    let width = names.len().max(1);
    let per_insert = (30_000 / width).max(1);
    values
        .chunks(per_insert * width)
        .map(|chunk| {
            let placeholders: Vec<String> = (0..chunk.len() / width)
                .map(|row| {
                    let row: Vec<String> = (1..=width).map(|column| format!("${}", row * width + column)).collect();
                    format!("({})", row.join(", "))
                })
                .collect();
            (format!("insert into {table} ({}) values {}", names.join(", "), placeholders.join(", ")), chunk)
        })
        .collect()
}

/// Rebuilds `projection` from position zero into a new generation, then makes it live in one transaction with
/// its checkpoint, and removes the old generation's rows. `progress` is called with the events read so far.
/// Returns the new generation's digest.
pub async fn rebuild(
    db: &Db,
    projection: &dyn Projection,
    progress: impl FnMut(u64),
) -> Result<String, ProjectionError> {
    rebuild_in(db, None, projection, progress).await
}

/// [`rebuild`], applying the projection's writes to `scratch` when given — a private SQLite database with the
/// projection's tables, where a statement costs microseconds rather than a round trip — and copying the rows it
/// ends with into `db` in large inserts. The projection's SQL is the same on both stores, so the rows, and the
/// digest, are the same either way.
pub async fn rebuild_in(
    db: &Db,
    scratch: Option<&Scratch>,
    projection: &dyn Projection,
    mut progress: impl FnMut(u64),
) -> Result<String, ProjectionError> {
    let live = status(db, projection.name()).await?;
    let generation: i64 = on_pool!(db, |pool| {
        sqlx::query_scalar("update projection_state set building_generation = live_generation + 1 where name = $1 returning building_generation")
            .bind(projection.name())
            .fetch_one(pool)
            .await
    })?;
    let cursor = build(db, scratch, projection, generation, |_| true, &mut progress).await?;
    // Make it live at the cursor it reached; a runner continues from there.
    on_pool!(db, |pool| {
        sqlx::query(
            "update projection_state
                set live_generation = $2, building_generation = null, error = null,
                    checkpoint_epoch = $3, checkpoint_tx = $4, checkpoint_position = $5
              where name = $1",
        )
        .bind(projection.name())
        .bind(generation)
        .bind(cursor.epoch)
        .bind(cursor.tx)
        .bind(cursor.position)
        .execute(pool)
        .await
        .map(drop)
    })?;
    clear_generation(db, projection, live.generation).await?;
    Ok(digest(db, projection, generation).await?)
}

/// Builds `projection` as it stood at `as_of` into a generation of its own beside the live one (snapshots are
/// numbered from 1 000 001), records it, and returns the generation and its digest.
pub async fn rebuild_as_of(
    db: &Db,
    scratch: Option<&Scratch>,
    projection: &dyn Projection,
    as_of: crate::replay::AsOf,
    mut progress: impl FnMut(u64),
) -> Result<(i64, String), ProjectionError> {
    use crate::replay::AsOf;
    let generation: i64 = on_pool!(db, |pool| {
        sqlx::query_scalar("select coalesce(max(generation), 1000000) + 1 from projection_snapshots where name = $1")
            .bind(projection.name())
            .fetch_one(pool)
            .await
    })?;
    let include = |event: &FeedEvent| match as_of {
        AsOf::Position(position) => event.cursor.position <= position,
        AsOf::RecordedAt(micros) => event.recorded_at_micros <= micros,
    };
    build(db, scratch, projection, generation, include, &mut progress).await?;
    let digest = digest(db, projection, generation).await?;
    let label = match as_of {
        AsOf::Position(position) => format!("position {position}"),
        AsOf::RecordedAt(micros) => format!("recorded at or before {micros} µs"),
    };
    on_pool!(db, |pool| {
        sqlx::query("insert into projection_snapshots (name, generation, as_of, digest) values ($1, $2, $3, $4)")
            .bind(projection.name())
            .bind(generation)
            .bind(&label)
            .bind(&digest)
            .execute(pool)
            .await
            .map(drop)
    })?;
    Ok((generation, digest))
}

async fn execute(db: &Db, writes: &[Write]) -> Result<(), sqlx::Error> {
    on_pool!(db, |pool| {
        let mut tx = pool.begin().await?;
        for write in writes {
            bound!(write.sql, &write.args).execute(&mut *tx).await?;
        }
        tx.commit().await
    })
}

async fn clear_generation(db: &Db, projection: &dyn Projection, generation: i64) -> Result<(), sqlx::Error> {
    for (table, _) in projection.tables() {
        let sql = format!("delete from {table} where generation = $1");
        on_pool!(db, |pool| sqlx::query(&sql).bind(generation).execute(pool).await.map(drop))?;
    }
    Ok(())
}

/// How many events `name` is behind the feed, counting at most `cap`.
pub async fn lag(db: &Db, name: &str, cap: i64) -> Result<i64, sqlx::Error> {
    let checkpoint = status(db, name).await?.checkpoint;
    Ok(feed::read(db, checkpoint, cap).await?.len() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// COPY's text format: tabs between values, newlines between rows, `\N` for NULL, and a tab, newline,
    /// carriage return or backslash inside a text escaped, so a unit named with any of them copies as it is.
    #[test]
    fn copy_text_escapes_what_copy_would_misread() {
        let values = [
            Arg::Text("a\tb\nc\\d\re".to_owned()),
            Arg::Int(-7),
            Arg::Null,
            Arg::NullInt,
            Arg::Text("Å".to_owned()),
            Arg::Int(0),
        ];
        let text = String::from_utf8(copy_text(&values, 3)).expect("UTF-8");
        assert_eq!(text, "a\\tb\\nc\\\\d\\re\t-7\t\\N\n\\N\tÅ\t0\n");
    }
}
