//! The feed: every event of the log in one total order that every reader follows, read in batches after a
//! cursor, never skipping or repeating an event.
//!
//! On PostgreSQL a cursor on `global_position` alone loses events under concurrent writers (positions are taken
//! at insert and committed out of order), so the order is `(log_epoch, tx_id, global_position)` and a reader sees
//! only transactions older than every transaction still running (`pg_snapshot_xmin`). A long open transaction
//! delays the feed but loses nothing. On SQLite the single writer's order is the order.

use std::time::Duration;

use sqlx::Row;

use crate::db::{Backend, Db};

/// Where a reader stands: the last event it has read. The default is the start of the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FeedCursor {
    /// The log epoch (a new one after each restore of the database; always 1 on SQLite).
    pub epoch: i64,
    /// The writing transaction's id (PostgreSQL; 0 on SQLite).
    pub tx: i64,
    /// The event's global position.
    pub position: i64,
}

/// A cursor as text, `epoch.tx.position`: what a client is given after a write and sends back to read after it.
impl std::fmt::Display for FeedCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.epoch, self.tx, self.position)
    }
}

/// Text that is not `epoch.tx.position`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a log position is three numbers, epoch.tx.position, as a command's answer gives it")]
pub struct InvalidCursor;

impl std::str::FromStr for FeedCursor {
    type Err = InvalidCursor;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut parts = text.trim().splitn(3, '.').map(|part| part.parse::<i64>().map_err(|_| InvalidCursor));
        let cursor = FeedCursor {
            epoch: parts.next().ok_or(InvalidCursor)??,
            tx: parts.next().ok_or(InvalidCursor)??,
            position: parts.next().ok_or(InvalidCursor)??,
        };
        if cursor.epoch < 0 || cursor.tx < 0 || cursor.position < 0 {
            return Err(InvalidCursor);
        }
        Ok(cursor)
    }
}

/// One event as the feed delivers it: its place in the feed and the row exactly as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEvent {
    /// Its place in the feed.
    pub cursor: FeedCursor,
    /// The aggregate's type (`case`, `referral`, …).
    pub aggregate_type: String,
    /// The aggregate's id.
    pub aggregate_id: String,
    /// Its sequence number within the aggregate.
    pub sequence: i64,
    /// The event's type name.
    pub event_type: String,
    /// The event's version.
    pub event_version: String,
    /// The payload, as the JSON text stored.
    pub payload: String,
    /// The metadata, as the JSON text stored.
    pub metadata: String,
    /// When the database recorded it, in microseconds since the Unix epoch.
    pub recorded_at_micros: i64,
}

const POSTGRES_FEED: &str = "
select global_position, log_epoch, tx_id::text::bigint as tx, aggregate_type, aggregate_id, sequence,
       event_type, event_version, payload::text as payload, metadata::text as metadata,
       (extract(epoch from recorded_at) * 1000000)::bigint as recorded_at_micros
  from events
 where (log_epoch, tx_id, global_position) > ($1, $2::text::xid8, $3)
   and (log_epoch < lots_current_epoch() or tx_id < pg_snapshot_xmin(pg_current_snapshot()))
 order by log_epoch, tx_id, global_position
 limit $4";

const SQLITE_FEED: &str = "
select p.global_position, e.log_epoch, 0 as tx, e.aggregate_type, e.aggregate_id, e.sequence,
       e.event_type, e.event_version, e.payload, e.metadata, e.recorded_at as recorded_at_micros
  from event_positions p
  join events e on e.aggregate_type = p.aggregate_type and e.aggregate_id = p.aggregate_id
                and e.sequence = p.sequence
 where p.global_position > ?
 order by p.global_position
 limit ?";

/// How long a waiting reader sleeps before it looks again without a wake-up.
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// Reads up to `limit` events after `after`, in feed order.
pub async fn read(db: &Db, after: FeedCursor, limit: i64) -> Result<Vec<FeedEvent>, sqlx::Error> {
    match db.backend() {
        Backend::Postgres(pool) => {
            let rows = sqlx::query(POSTGRES_FEED)
                .bind(after.epoch)
                .bind(after.tx.to_string())
                .bind(after.position)
                .bind(limit)
                .fetch_all(pool)
                .await?;
            rows.iter().map(event_from_row).collect()
        }
        Backend::Sqlite(pool) => {
            let rows = sqlx::query(SQLITE_FEED).bind(after.position).bind(limit).fetch_all(pool).await?;
            rows.iter().map(event_from_row).collect()
        }
    }
}

/// Reads up to `limit` events after `after`; when there are none, waits for a write (or [`POLL_INTERVAL`]) and
/// reads again, until `patience` has passed. Returns an empty batch only when nothing arrived in that time.
pub async fn read_or_wait(
    db: &Db,
    after: FeedCursor,
    limit: i64,
    patience: Duration,
) -> Result<Vec<FeedEvent>, sqlx::Error> {
    let deadline = tokio::time::Instant::now() + patience;
    let mut written = db.written();
    loop {
        written.borrow_and_update();
        let batch = read(db, after, limit).await?;
        let now = tokio::time::Instant::now();
        if !batch.is_empty() || now >= deadline {
            return Ok(batch);
        }
        let nap = POLL_INTERVAL.min(deadline - now);
        // Either a write was signalled or the nap ended: read again.
        let _ = tokio::time::timeout(nap, written.changed()).await;
    }
}

fn event_from_row<R: Row>(row: &R) -> Result<FeedEvent, sqlx::Error>
where
    for<'r> &'r str: sqlx::ColumnIndex<R>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(FeedEvent {
        cursor: FeedCursor {
            epoch: row.try_get("log_epoch")?,
            tx: row.try_get("tx")?,
            position: row.try_get("global_position")?,
        },
        aggregate_type: row.try_get("aggregate_type")?,
        aggregate_id: row.try_get("aggregate_id")?,
        sequence: row.try_get("sequence")?,
        event_type: row.try_get("event_type")?,
        event_version: row.try_get("event_version")?,
        payload: row.try_get("payload")?,
        metadata: row.try_get("metadata")?,
        recorded_at_micros: row.try_get("recorded_at_micros")?,
    })
}

/// The feed cursor of the latest event of an aggregate: what a caller waits for to read its own write.
pub async fn cursor_of(db: &Db, aggregate_type: &str, aggregate_id: &str) -> Result<Option<FeedCursor>, sqlx::Error> {
    let row: Option<(i64, i64, i64)> = match db.backend() {
        Backend::Postgres(pool) => {
            sqlx::query_as(
                "select log_epoch, tx_id::text::bigint, global_position from events
                  where aggregate_type = $1 and aggregate_id = $2 order by sequence desc limit 1",
            )
            .bind(aggregate_type)
            .bind(aggregate_id)
            .fetch_optional(pool)
            .await?
        }
        Backend::Sqlite(pool) => {
            sqlx::query_as(
                "select e.log_epoch, 0, p.global_position from events e
                   join event_positions p on p.aggregate_type = e.aggregate_type and p.aggregate_id = e.aggregate_id
                                         and p.sequence = e.sequence
                  where e.aggregate_type = $1 and e.aggregate_id = $2 order by e.sequence desc limit 1",
            )
            .bind(aggregate_type)
            .bind(aggregate_id)
            .fetch_optional(pool)
            .await?
        }
    };
    Ok(row.map(|(epoch, tx, position)| FeedCursor { epoch, tx, position }))
}

/// The log's head: its latest epoch and global position (1 and 0 for an empty log). No cursor a write answered
/// with lies beyond it.
pub async fn head(db: &Db) -> Result<(i64, i64), sqlx::Error> {
    match db.backend() {
        Backend::Postgres(pool) => {
            sqlx::query_as(
                "select coalesce(max(log_epoch), 1)::bigint, coalesce(max(global_position), 0)::bigint from events",
            )
            .fetch_one(pool)
            .await
        }
        Backend::Sqlite(pool) => {
            sqlx::query_as("select 1, coalesce(max(global_position), 0) from event_positions").fetch_one(pool).await
        }
    }
}

#[cfg(test)]
mod cursor_text {
    use super::*;

    #[test]
    fn a_cursor_reads_back_from_its_text_and_nothing_else_does() {
        let cursor = FeedCursor { epoch: 2, tx: 7_123_456, position: 42 };
        assert_eq!(cursor.to_string().parse::<FeedCursor>(), Ok(cursor));
        for bad in ["", "1.2", "1.2.x", "-1.0.0", "1.2.3.4", "a.b.c"] {
            assert_eq!(bad.parse::<FeedCursor>(), Err(InvalidCursor), "{bad}");
        }
    }
}
