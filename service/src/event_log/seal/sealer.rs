//! The sealer: follows the feed, appends a seal per event and signs the chain head.

use std::time::{Duration, Instant};

use ed25519_dalek::{Signer as _, SigningKey};
use projections::db::{Backend, Db};
use projections::feed::{self, FeedCursor, FeedEvent};
use projections::on_pool;
use sqlx::Row;

use super::{chain_hash, checkpoint_message, event_hash, CHAIN_START};

/// How many events one sealing transaction takes at most.
const BATCH: i64 = 500;
/// The advisory lock that makes one sealer at a time write seals on PostgreSQL ("lots" "seal").
const SEALER_LOCK: i64 = 1_819_243_365;

/// The last seal: where the sealer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealHead {
    /// The dense log index of the last sealed event.
    pub index: i64,
    /// Its place in the feed.
    pub cursor: FeedCursor,
    /// The chain hash after it.
    pub chain: [u8; 32],
}

impl SealHead {
    /// Before the first seal.
    pub const START: SealHead =
        SealHead { index: 0, cursor: FeedCursor { epoch: 0, tx: 0, position: 0 }, chain: CHAIN_START };
}

/// Reads the last seal.
pub async fn seal_head(db: &Db) -> Result<SealHead, sqlx::Error> {
    const SQL: &str = "select log_index, log_epoch, tx, global_position, chain_hash from seals_head";
    let head = match db.backend() {
        Backend::Postgres(pool) => sqlx::query(&SQL.replace(
            "seals_head",
            "(select log_index, log_epoch, tx_id::text::bigint as tx, global_position, chain_hash from seals order by log_index desc limit 1) h",
        ))
        .fetch_optional(pool)
        .await?
        .map(|row| head_from_row(&row))
        .transpose()?,
        Backend::Sqlite(pool) => sqlx::query(&SQL.replace(
            "seals_head",
            "(select log_index, log_epoch, tx_id as tx, global_position, chain_hash from seals order by log_index desc limit 1)",
        ))
        .fetch_optional(pool)
        .await?
        .map(|row| head_from_row(&row))
        .transpose()?,
    };
    Ok(head.unwrap_or(SealHead::START))
}

fn head_from_row<R: Row>(row: &R) -> Result<SealHead, sqlx::Error>
where
    for<'r> &'r str: sqlx::ColumnIndex<R>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Vec<u8>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let chain: Vec<u8> = row.try_get("chain_hash")?;
    Ok(SealHead {
        index: row.try_get("log_index")?,
        cursor: FeedCursor {
            epoch: row.try_get("log_epoch")?,
            tx: row.try_get("tx")?,
            position: row.try_get("global_position")?,
        },
        chain: chain.try_into().map_err(|_| sqlx::Error::Decode("a chain hash is not 32 bytes".into()))?,
    })
}

/// Seals the feed and signs its head every `every_events` events or `every` time, whichever comes first.
#[derive(Debug)]
pub struct Sealer {
    db: Db,
    key: SigningKey,
    every_events: i64,
    every: Duration,
    last_signed: Option<Instant>,
    heads: Option<std::path::PathBuf>,
}

/// What one round of sealing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealRound {
    /// Events sealed in this round.
    pub sealed: i64,
    /// The head after the round.
    pub head: SealHead,
    /// The index signed in this round, if one was.
    pub signed: Option<i64>,
}

impl Sealer {
    /// A sealer that signs every `every_events` events or `every`.
    pub fn new(db: Db, key: SigningKey, every_events: i64, every: Duration) -> Self {
        Self { db, key, every_events: every_events.max(1), every, last_signed: None, heads: None }
    }

    /// Also appends every head it signs to the head file in `dir`, outside the database (see [`super::heads`]).
    pub fn keeping_heads_in(mut self, dir: std::path::PathBuf) -> Self {
        self.heads = Some(dir);
        self
    }

    /// Keeps a signed head outside the database. A head that cannot be written there is an error the operator
    /// must see, but not a reason to stop sealing: the checkpoint in the database stands.
    fn keep(&self, head: super::heads::Head, signature: &ed25519_dalek::Signature) {
        if let Some(dir) = &self.heads {
            if let Err(error) = super::heads::append(dir, &head, signature) {
                tracing::error!(%error, dir = %dir.display(), "could not keep a signed head outside the database");
            }
        }
    }

    /// Signs the access log's head when entries came after the last signed one, keeping it outside the database.
    pub async fn sign_access_log(&self) -> Result<Option<i64>, sqlx::Error> {
        let signed = crate::event_log::access_log::sign_access_log_head(&self.db, &self.key).await?;
        Ok(signed.map(|(position, chain, signature)| {
            self.keep(super::heads::Head { log: super::heads::HeadLog::Access, index: position, chain }, &signature);
            position
        }))
    }

    /// Seals every event the feed holds now; signs the head when the policy says so, or always with `sign_head`.
    pub async fn seal_available(&mut self, sign_head: bool) -> Result<SealRound, sqlx::Error> {
        let mut sealed = 0;
        let mut signed = None;
        loop {
            let head = seal_head(&self.db).await?;
            // A batch ends where the next checkpoint is due, so heads are signed every `every_events` events.
            let unsigned = head.index - last_checkpoint(&self.db).await?;
            let limit = (self.every_events - unsigned).clamp(1, BATCH);
            let batch = feed::read(&self.db, head.cursor, limit).await?;
            if batch.is_empty() {
                if sign_head && head.index > 0 && last_checkpoint(&self.db).await? < head.index {
                    signed = Some(self.sign(head).await?);
                }
                return Ok(SealRound { sealed, head, signed });
            }
            let (count, new_signed) = self.seal_batch(head, &batch).await?;
            sealed += count;
            signed = new_signed.or(signed);
        }
    }

    /// Seals one batch in one transaction, signing at its end when due. Returns how many were sealed (0 when
    /// another sealer moved the head first) and the index signed.
    async fn seal_batch(&mut self, head: SealHead, batch: &[FeedEvent]) -> Result<(i64, Option<i64>), sqlx::Error> {
        let mut rows = Vec::with_capacity(batch.len());
        let mut chain = head.chain;
        for (offset, event) in batch.iter().enumerate() {
            let index = head.index + 1 + offset as i64;
            let hash = event_hash(event);
            chain = chain_hash(&chain, index, &hash);
            rows.push((index, event, hash, chain));
        }
        let last_index = head.index + batch.len() as i64;
        let since_signed = last_index - last_checkpoint(&self.db).await?;
        let time_due = self.last_signed.is_none_or(|at| at.elapsed() >= self.every);
        let sign = since_signed >= self.every_events || time_due;
        let checkpoint = sign.then(|| {
            let signature = self.key.sign(&checkpoint_message(last_index, &chain));
            (last_index, chain, signature)
        });
        let public = *self.key.verifying_key().as_bytes();
        let sealed = on_pool!(self.db, |pool| {
            let mut tx = pool.begin().await?;
            if self.db.is_postgres() {
                sqlx::query("select pg_advisory_xact_lock($1)").bind(SEALER_LOCK).execute(&mut *tx).await?;
            }
            // Another sealer may have moved the head since it was read: then this batch is not ours to write.
            let current: Option<i64> =
                sqlx::query_scalar("select max(log_index) from seals").fetch_one(&mut *tx).await?;
            if current.unwrap_or(0) != head.index {
                return Ok((0, None));
            }
            for (index, event, hash, chain) in &rows {
                sqlx::query(insert_seal_sql(&self.db))
                    .bind(index)
                    .bind(&event.aggregate_type)
                    .bind(&event.aggregate_id)
                    .bind(event.sequence)
                    .bind(event.cursor.epoch)
                    .bind(event.cursor.tx.to_string())
                    .bind(event.cursor.position)
                    .bind(hash.as_slice())
                    .bind(chain.as_slice())
                    .execute(&mut *tx)
                    .await?;
            }
            if let Some((index, chain, signature)) = &checkpoint {
                sqlx::query(INSERT_CHECKPOINT)
                    .bind(index)
                    .bind(chain.as_slice())
                    .bind(public.as_slice())
                    .bind(signature.to_bytes().as_slice())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(())
        });
        sealed?;
        if let Some((index, chain, signature)) = &checkpoint {
            self.last_signed = Some(Instant::now());
            self.keep(
                super::heads::Head { log: super::heads::HeadLog::Events, index: *index, chain: *chain },
                signature,
            );
        }
        Ok((rows.len() as i64, checkpoint.map(|(index, _, _)| index)))
    }

    async fn sign(&mut self, head: SealHead) -> Result<i64, sqlx::Error> {
        let signed = self.key.sign(&checkpoint_message(head.index, &head.chain));
        let signature = signed.to_bytes();
        let public = *self.key.verifying_key().as_bytes();
        on_pool!(self.db, |pool| {
            sqlx::query(INSERT_CHECKPOINT)
                .bind(head.index)
                .bind(head.chain.as_slice())
                .bind(public.as_slice())
                .bind(signature.as_slice())
                .execute(pool)
                .await
                .map(drop)
        })?;
        self.last_signed = Some(Instant::now());
        self.keep(
            super::heads::Head { log: super::heads::HeadLog::Events, index: head.index, chain: head.chain },
            &signed,
        );
        Ok(head.index)
    }
}

pub(crate) async fn last_checkpoint(db: &Db) -> Result<i64, sqlx::Error> {
    on_pool!(db, |pool| sqlx::query_scalar("select coalesce(max(log_index), 0) from seal_checkpoints")
        .fetch_one(pool)
        .await)
}

const INSERT_CHECKPOINT: &str =
    "insert into seal_checkpoints (log_index, chain_hash, public_key, signature) values ($1, $2, $3, $4)";

/// The seal insert; the transaction id is bound as text, cast to `xid8` on PostgreSQL and taken as an integer
/// by SQLite's strict integer column.
fn insert_seal_sql(db: &Db) -> &'static str {
    if db.is_postgres() {
        "insert into seals (log_index, aggregate_type, aggregate_id, sequence, log_epoch, tx_id, global_position,
                            event_hash, chain_hash)
         values ($1, $2, $3, $4, $5, $6::text::xid8, $7, $8, $9)"
    } else {
        "insert into seals (log_index, aggregate_type, aggregate_id, sequence, log_epoch, tx_id, global_position,
                            event_hash, chain_hash)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    }
}

/// How many sealing failures in a row are logged as warnings before they are errors.
const PERSISTENT_FAILURES: u32 = 50;

impl Sealer {
    /// Follows the feed until `stop` turns true: seals what arrives, signing every `every_events` events or
    /// `every`, whichever comes first, and signs the access log's head every `every`. Errors are logged and
    /// retried; sealing never skips an event.
    pub async fn follow(mut self, mut stop: tokio::sync::watch::Receiver<bool>) {
        // Failures in a row: a few are expected (on SQLite a projection catching up holds the write lock and a
        // sealing transaction meets "database is locked"), so they are warnings until they persist.
        let mut failures = 0_u32;
        while !*stop.borrow() {
            let signed_long_ago = self.last_signed.is_none_or(|at| at.elapsed() >= self.every);
            match self.seal_available(signed_long_ago).await {
                Ok(_) => failures = 0,
                Err(error) if failures < PERSISTENT_FAILURES => {
                    failures += 1;
                    tracing::warn!(%error, failures, "sealing failed; retrying");
                }
                Err(error) => {
                    failures = failures.saturating_add(1);
                    tracing::error!(%error, failures, "sealing keeps failing; retrying");
                }
            }
            if signed_long_ago {
                if let Err(error) = self.sign_access_log().await {
                    tracing::error!(%error, "signing the access log failed; retrying");
                }
            }
            let head = seal_head(&self.db).await.map(|head| head.cursor).unwrap_or_default();
            tokio::select! {
                _ = stop.changed() => {}
                _ = feed::read_or_wait(&self.db, head, 1, self.every) => {}
            }
        }
    }
}
