//! `verify`: recompute every event's hash and the chain in feed order, compare with the seals, and check every
//! signed checkpoint with the key kept outside the database.

use std::collections::BTreeMap;
use std::fmt;

use ed25519_dalek::{Signature, Verifier as _, VerifyingKey};
use projections::db::Db;
use projections::feed::{self, FeedCursor, FeedEvent};
use projections::on_pool;
use sqlx::Row;

use super::{chain_hash, checkpoint_message, event_hash, CHAIN_START};

const BATCH: i64 = 1000;

/// Which event: aggregate type, id and sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventKey {
    /// The aggregate's type.
    pub aggregate_type: String,
    /// The aggregate's id.
    pub aggregate_id: String,
    /// The event's sequence in it.
    pub sequence: i64,
}

impl fmt::Display for EventKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} #{}", self.aggregate_type, self.aggregate_id, self.sequence)
    }
}

impl EventKey {
    fn of(event: &FeedEvent) -> Self {
        Self {
            aggregate_type: event.aggregate_type.clone(),
            aggregate_id: event.aggregate_id.clone(),
            sequence: event.sequence,
        }
    }
}

/// The first thing that does not match. Each names the log index and the event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Mismatch {
    /// The event is in its place but its content differs from what was sealed.
    #[error("log index {index}: event {event} was altered after it was sealed")]
    EventAltered {
        /// The log index.
        index: i64,
        /// The event.
        event: EventKey,
    },
    /// The feed does not hold the sealed event at this place: it was deleted or moved.
    #[error("log index {index}: event {sealed} is missing or out of place{}", found.as_ref().map(|found| format!(" (found {found} there)")).unwrap_or_default())]
    EventNotWhereSealed {
        /// The log index.
        index: i64,
        /// The event sealed there.
        sealed: EventKey,
        /// The event the feed holds there, if any.
        found: Option<EventKey>,
    },
    /// The seal's chain hash is not the chain recomputed from the events.
    #[error("log index {index}: the seal of event {event} was altered")]
    SealAltered {
        /// The log index.
        index: i64,
        /// The event.
        event: EventKey,
    },
    /// The seals skip a log index: a seal was removed.
    #[error("log index {index}: the seal is missing")]
    SealMissing {
        /// The missing index.
        index: i64,
    },
    /// A checkpoint's signature or chain hash does not verify with the signing key.
    #[error("log index {index}: the signed checkpoint does not verify with this signing key")]
    CheckpointInvalid {
        /// The checkpoint's log index.
        index: i64,
    },
}

/// What a successful verification covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// The last verified log index (the number of events verified).
    pub verified: i64,
    /// The chain hash at that index.
    pub head: [u8; 32],
    /// How many signed checkpoints verified.
    pub checkpoints: i64,
    /// Events in the feed after the last seal (not yet sealed, so not yet verifiable).
    pub unsealed: i64,
}

struct SealRow {
    index: i64,
    key: EventKey,
    event_hash: Vec<u8>,
    chain_hash: Vec<u8>,
}

/// Verifies the whole log against its seals and checkpoints. `progress` is called with (verified, total).
/// Returns `Ok(Err(mismatch))` when the log does not match; `Err` only when the database fails.
pub async fn verify(
    db: &Db,
    key: &VerifyingKey,
    mut progress: impl FnMut(i64, i64),
) -> Result<Result<VerifyReport, Mismatch>, sqlx::Error> {
    let total = count(db, "select count(*) from seals").await?;
    let checkpoints = load_checkpoints(db).await?;
    let mut chain = CHAIN_START;
    let mut cursor = FeedCursor::default();
    let mut verified = 0;
    let mut checkpoints_verified = 0;
    loop {
        let seals = load_seals(db, verified, BATCH).await?;
        if seals.is_empty() {
            break;
        }
        let events = feed::read(db, cursor, seals.len() as i64).await?;
        for (offset, seal) in seals.iter().enumerate() {
            if seal.index != verified + 1 {
                return Ok(Err(Mismatch::SealMissing { index: verified + 1 }));
            }
            let Some(event) = events.get(offset) else {
                return Ok(Err(Mismatch::EventNotWhereSealed {
                    index: seal.index,
                    sealed: seal.key.clone(),
                    found: None,
                }));
            };
            let found = EventKey::of(event);
            if found != seal.key {
                return Ok(Err(Mismatch::EventNotWhereSealed {
                    index: seal.index,
                    sealed: seal.key.clone(),
                    found: Some(found),
                }));
            }
            let hash = event_hash(event);
            if hash.as_slice() != seal.event_hash.as_slice() {
                return Ok(Err(Mismatch::EventAltered { index: seal.index, event: found }));
            }
            chain = chain_hash(&chain, seal.index, &hash);
            if chain.as_slice() != seal.chain_hash.as_slice() {
                return Ok(Err(Mismatch::SealAltered { index: seal.index, event: found }));
            }
            if let Some((signed_chain, public, signature)) = checkpoints.get(&seal.index) {
                let valid = public.as_slice() == key.as_bytes().as_slice()
                    && signed_chain.as_slice() == chain.as_slice()
                    && Signature::from_slice(signature)
                        .is_ok_and(|signature| key.verify(&checkpoint_message(seal.index, &chain), &signature).is_ok());
                if !valid {
                    return Ok(Err(Mismatch::CheckpointInvalid { index: seal.index }));
                }
                checkpoints_verified += 1;
            }
            cursor = event.cursor;
            verified = seal.index;
        }
        progress(verified, total);
    }
    let mut unsealed = 0;
    loop {
        let rest = feed::read(db, cursor, BATCH).await?;
        let Some(last) = rest.last() else { break };
        cursor = last.cursor;
        unsealed += rest.len() as i64;
    }
    Ok(Ok(VerifyReport { verified, head: chain, checkpoints: checkpoints_verified, unsealed }))
}

async fn count(db: &Db, sql: &str) -> Result<i64, sqlx::Error> {
    on_pool!(db, |pool| sqlx::query_scalar(sql).fetch_one(pool).await)
}

/// A signed checkpoint as stored: chain hash, public key, signature.
type Checkpoint = (Vec<u8>, Vec<u8>, Vec<u8>);
type Checkpoints = BTreeMap<i64, Checkpoint>;
type CheckpointRow = (i64, Vec<u8>, Vec<u8>, Vec<u8>);

async fn load_checkpoints(db: &Db) -> Result<Checkpoints, sqlx::Error> {
    let sql = "select log_index, chain_hash, public_key, signature from seal_checkpoints order by log_index";
    let rows: Vec<CheckpointRow> = on_pool!(db, |pool| sqlx::query_as(sql).fetch_all(pool).await)?;
    Ok(rows.into_iter().map(|(index, chain, public, signature)| (index, (chain, public, signature))).collect())
}

async fn load_seals(db: &Db, after: i64, limit: i64) -> Result<Vec<SealRow>, sqlx::Error> {
    let sql = "select log_index, aggregate_type, aggregate_id, sequence, event_hash, chain_hash
                 from seals where log_index > $1 order by log_index limit $2";
    on_pool!(db, |pool| sqlx::query(sql)
        .bind(after)
        .bind(limit)
        .fetch_all(pool)
        .await?
        .iter()
        .map(seal_from_row)
        .collect())
}

fn seal_from_row<R: Row>(row: &R) -> Result<SealRow, sqlx::Error>
where
    for<'r> &'r str: sqlx::ColumnIndex<R>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Vec<u8>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(SealRow {
        index: row.try_get("log_index")?,
        key: EventKey {
            aggregate_type: row.try_get("aggregate_type")?,
            aggregate_id: row.try_get("aggregate_id")?,
            sequence: row.try_get("sequence")?,
        },
        event_hash: row.try_get("event_hash")?,
        chain_hash: row.try_get("chain_hash")?,
    })
}
