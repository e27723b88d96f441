//! Replay of one aggregate from the log: its events in order, applied to its default state, now or as it stood
//! at a moment. The one replay outside the command bus (which cqrs-es does itself): the service's use cases, its
//! reads of case content and the auditors' as-of views all come here.

use cqrs_es::Aggregate;

use crate::db::{Backend, Db};

/// A moment in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOf {
    /// Everything up to and including this global position.
    Position(i64),
    /// Everything the database recorded at or before this moment (microseconds since the Unix epoch).
    RecordedAt(i64),
}

/// Why an aggregate could not be replayed. Never the reader's fault.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The store could not be read.
    #[error("the log could not be read: {0}")]
    Store(#[from] sqlx::Error),
    /// An event's payload did not read as its type (a shape the code no longer knows, with no upcaster).
    #[error("an event of {aggregate_type} {id} could not be read: {source}")]
    Payload {
        /// The aggregate's type.
        aggregate_type: String,
        /// Its id.
        id: String,
        /// Why.
        source: serde_json::Error,
    },
}

/// Replays an aggregate from the whole log (the default state when it has no events).
pub async fn load<A: Aggregate>(db: &Db, aggregate_type: &str, id: &str) -> Result<A, ReplayError> {
    replay(db, aggregate_type, id, None, |_| {}).await
}

/// Replays an aggregate from the log up to `as_of` (all of it when `None`), showing `each` every event before
/// it is applied (for what the state does not keep, such as a sealed text).
pub async fn replay<A: Aggregate>(
    db: &Db,
    aggregate_type: &str,
    id: &str,
    as_of: Option<AsOf>,
    mut each: impl FnMut(&A::Event),
) -> Result<A, ReplayError> {
    let (position, recorded) = match as_of {
        None => (i64::MAX, i64::MAX),
        Some(AsOf::Position(position)) => (position, i64::MAX),
        Some(AsOf::RecordedAt(micros)) => (i64::MAX, micros),
    };
    let payloads: Vec<String> = match db.backend() {
        Backend::Postgres(pool) => {
            sqlx::query_scalar(
                "select payload::text from events
                  where aggregate_type = $1 and aggregate_id = $2 and global_position <= $3
                    and (extract(epoch from recorded_at) * 1000000)::bigint <= $4
                  order by sequence",
            )
            .bind(aggregate_type)
            .bind(id)
            .bind(position)
            .bind(recorded)
            .fetch_all(pool)
            .await?
        }
        Backend::Sqlite(pool) => {
            sqlx::query_scalar(
                "select e.payload from events e
                   join event_positions p
                     on p.aggregate_type = e.aggregate_type and p.aggregate_id = e.aggregate_id and p.sequence = e.sequence
                  where e.aggregate_type = $1 and e.aggregate_id = $2 and p.global_position <= $3 and e.recorded_at <= $4
                  order by e.sequence",
            )
            .bind(aggregate_type)
            .bind(id)
            .bind(position)
            .bind(recorded)
            .fetch_all(pool)
            .await?
        }
    };
    let mut aggregate = A::default();
    for payload in payloads {
        let event = serde_json::from_str(&payload).map_err(|source| ReplayError::Payload {
            aggregate_type: aggregate_type.to_owned(),
            id: id.to_owned(),
            source,
        })?;
        each(&event);
        aggregate.apply(event);
    }
    Ok(aggregate)
}
