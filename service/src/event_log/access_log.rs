//! The access log: every read of case content is recorded (who, role, unit, when, which case, what, why) before
//! the response is sent, append-only and hash-chained so a removed or altered entry is detected, its head signed
//! with the log's signing key so that a chain rewritten from an altered entry onwards is detected too.

use domain::command::Role;
use domain::ids::{CaseId, UnitId, UserId};
use domain::sealed::Sealed;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use projections::db::Db;
use projections::on_pool;
use sha2::{Digest, Sha256};

/// One read of case content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    /// Who read.
    pub user: UserId,
    /// In which role.
    pub role: Role,
    /// For which unit.
    pub unit: UnitId,
    /// Which case.
    pub case: CaseId,
    /// The unit holding the case at the time.
    pub case_unit: UnitId,
    /// Whether the case's subject had protected identity at the time.
    pub subject_protected: bool,
    /// What was read ("case", "timeline", "identity", …). Never personal data.
    pub what: String,
    /// The stated reason, sealed under the subject's key.
    pub reason: Option<Sealed>,
    /// The client's address.
    pub client_address: Option<String>,
}

fn entry_hash(previous: &[u8], read: &Read, read_at_micros: i64) -> [u8; 32] {
    let fields: [Vec<u8>; 10] = [
        read.user.to_string().into_bytes(),
        read.role.as_str().as_bytes().to_vec(),
        read.unit.to_string().into_bytes(),
        read.case.to_string().into_bytes(),
        read.case_unit.to_string().into_bytes(),
        if read.subject_protected { b"1".to_vec() } else { b"0".to_vec() },
        read.what.as_bytes().to_vec(),
        read.reason.as_ref().map(|sealed| sealed.as_bytes().to_vec()).unwrap_or_default(),
        read.client_address.as_deref().unwrap_or_default().as_bytes().to_vec(),
        read_at_micros.to_string().into_bytes(),
    ];
    let mut hasher = Sha256::new();
    hasher.update(b"lots-access-v1");
    hasher.update(previous);
    for field in fields {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(&field);
    }
    hasher.finalize().into()
}

/// Records `read` and returns its position in the access log. Entries are written one at a time (an advisory
/// lock on PostgreSQL, an immediate transaction on SQLite) so the chain has one order.
pub async fn record_read(db: &Db, read: &Read) -> Result<i64, sqlx::Error> {
    let previous_sql = "select chain_hash from access_log order by position desc limit 1";
    let (now_sql, insert_sql) = if db.is_postgres() {
        (
            "select (extract(epoch from date_trunc('microseconds', clock_timestamp())) * 1000000)::bigint",
            "insert into access_log (user_id, role, unit_id, case_id, case_unit, subject_protected, what, reason,
                                     client_address, read_at, chain_hash)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, to_timestamp(0) + $10::bigint * interval '1 microsecond', $11)
             returning position",
        )
    } else {
        (
            "select cast(unixepoch('subsec') * 1000000 as integer)",
            "insert into access_log (user_id, role, unit_id, case_id, case_unit, subject_protected, what, reason,
                                     client_address, read_at, chain_hash)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             returning position",
        )
    };
    on_pool!(db, |pool| {
        let mut tx = if db.is_postgres() { pool.begin().await? } else { pool.begin_with("begin immediate").await? };
        if db.is_postgres() {
            sqlx::query("select pg_advisory_xact_lock(1819243361)").execute(&mut *tx).await?;
        }
        let previous: Option<Vec<u8>> = sqlx::query_scalar(previous_sql).fetch_optional(&mut *tx).await?;
        let read_at: i64 = sqlx::query_scalar(now_sql).fetch_one(&mut *tx).await?;
        let chain = entry_hash(&previous.unwrap_or_default(), read, read_at);
        let position: i64 = sqlx::query_scalar(insert_sql)
            .bind(read.user.to_string())
            .bind(read.role.as_str())
            .bind(read.unit.to_string())
            .bind(read.case.to_string())
            .bind(read.case_unit.to_string())
            .bind(i64::from(read.subject_protected))
            .bind(read.what.clone())
            .bind(read.reason.as_ref().map(|sealed| sealed.as_bytes().to_vec()))
            .bind(read.client_address.clone())
            .bind(read_at)
            .bind(chain.to_vec())
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(position)
    })
}

pub(crate) fn checkpoint_message(position: i64, chain: &[u8]) -> Vec<u8> {
    let mut message = b"lots-access-checkpoint-v1".to_vec();
    message.extend_from_slice(&position.to_be_bytes());
    message.extend_from_slice(chain);
    message
}

/// Signs the access log's head if entries came after the last signed one; returns the position signed. Two
/// processes signing at once sign the same head; one insert wins and the other is dropped.
pub async fn sign_access_log(db: &Db, key: &SigningKey) -> Result<Option<i64>, sqlx::Error> {
    Ok(sign_access_log_head(db, key).await?.map(|(position, _, _)| position))
}

/// Signs the access log's head as [`sign_access_log`] does, and answers the position, chain hash and signature
/// signed (to be kept outside the database too).
pub async fn sign_access_log_head(
    db: &Db,
    key: &SigningKey,
) -> Result<Option<(i64, [u8; 32], Signature)>, sqlx::Error> {
    let head: Option<(i64, Vec<u8>)> = on_pool!(db, |pool| {
        sqlx::query_as("select position, chain_hash from access_log order by position desc limit 1")
            .fetch_optional(pool)
            .await
    })?;
    let signed: i64 = on_pool!(db, |pool| {
        sqlx::query_scalar("select coalesce(max(position), 0) from access_log_checkpoints").fetch_one(pool).await
    })?;
    let Some((position, chain)) = head.filter(|(position, _)| *position > signed) else {
        return Ok(None);
    };
    let signed = key.sign(&checkpoint_message(position, &chain));
    let signature = signed.to_bytes();
    let public = *key.verifying_key().as_bytes();
    on_pool!(db, |pool| {
        sqlx::query(
            "insert into access_log_checkpoints (position, chain_hash, public_key, signature) values ($1, $2, $3, $4)
             on conflict do nothing",
        )
        .bind(position)
        .bind(&chain)
        .bind(public.as_slice())
        .bind(signature.as_slice())
        .execute(pool)
        .await
        .map(drop)
    })?;
    let chain: [u8; 32] =
        chain.try_into().map_err(|_| sqlx::Error::Decode("an access log chain hash is not 32 bytes".into()))?;
    Ok(Some((position, chain, signed)))
}

/// What a successful verification of the access log covered.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct AccessLogReport {
    /// Entries whose chain verified.
    pub entries: i64,
    /// Signed checkpoints that verified.
    pub checkpoints: i64,
    /// Entries after the last signed checkpoint (chained, not yet signed).
    pub unsigned: i64,
}

/// The first thing in the access log that does not match.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AccessLogMismatch {
    /// The entry at this position was altered, or the one before it was removed.
    #[error("access log position {position}: the entry was altered, or the one before it removed")]
    EntryAltered {
        /// The position.
        position: i64,
    },
    /// A signed checkpoint does not verify: the chain was rewritten up to it, or the signature was forged.
    #[error("access log position {position}: the signed checkpoint does not verify (the chain was rewritten)")]
    CheckpointInvalid {
        /// The checkpoint's position.
        position: i64,
    },
}

/// Recomputes the access log's chain and checks every signed checkpoint against it with `key`.
/// `Ok(Err(mismatch))` names the first entry or checkpoint that does not match; `Err` is a database failure.
pub async fn verify_access_log(
    db: &Db,
    key: &VerifyingKey,
) -> Result<Result<AccessLogReport, AccessLogMismatch>, sqlx::Error> {
    type Entry =
        (i64, i64, String, String, String, String, String, i64, String, Option<Vec<u8>>, Option<String>, Vec<u8>);
    // Read a batch at a time by position, so a city's years of reads are never in memory at once; the signed
    // checkpoints (one per hour at most) are.
    const BATCH: i64 = 1000;
    let sql_postgres =
        "select position, (extract(epoch from read_at) * 1000000)::bigint, user_id, role, unit_id, case_id, case_unit,
                               subject_protected, what, reason, client_address, chain_hash from access_log
                         where position > $1 order by position limit $2";
    let sql_sqlite =
        "select position, read_at, user_id, role, unit_id, case_id, case_unit, subject_protected, what, reason,
                             client_address, chain_hash from access_log where position > $1 order by position limit $2";
    let checkpoints: std::collections::BTreeMap<i64, (Vec<u8>, Vec<u8>)> = on_pool!(db, |pool| {
        sqlx::query_as::<_, (i64, Vec<u8>, Vec<u8>)>(
            "select position, chain_hash, signature from access_log_checkpoints order by position",
        )
        .fetch_all(pool)
        .await
    })?
    .into_iter()
    .map(|(position, chain, signature)| (position, (chain, signature)))
    .collect();
    let last_signed = checkpoints.keys().next_back().copied().unwrap_or(0);
    let (mut previous, mut after, mut entries, mut unsigned) = (Vec::new(), 0_i64, 0_i64, 0_i64);
    let mut reached = std::collections::BTreeSet::new();
    loop {
        let batch: Vec<Entry> = match db.backend() {
            projections::db::Backend::Postgres(pool) => {
                sqlx::query_as(sql_postgres).bind(after).bind(BATCH).fetch_all(pool).await?
            }
            projections::db::Backend::Sqlite(pool) => {
                sqlx::query_as(sql_sqlite).bind(after).bind(BATCH).fetch_all(pool).await?
            }
        };
        let Some(last) = batch.last() else { break };
        after = last.0;
        for (position, read_at, user, role, unit, case, case_unit, protected, what, reason, client_address, chain) in
            batch
        {
            let parsed = (|| {
                Some(Read {
                    user: UserId::parse(&user).ok()?,
                    role: [Role::SocialWorker, Role::UnitManager, Role::Auditor, Role::Administrator]
                        .into_iter()
                        .find(|r| r.as_str() == role)?,
                    unit: UnitId::parse(&unit).ok()?,
                    case: CaseId::parse(&case).ok()?,
                    case_unit: UnitId::parse(&case_unit).ok()?,
                    subject_protected: protected != 0,
                    what,
                    reason: reason.map(Sealed::from_bytes),
                    client_address,
                })
            })();
            let altered = AccessLogMismatch::EntryAltered { position };
            let Some(read) = parsed else { return Ok(Err(altered)) };
            if entry_hash(&previous, &read, read_at).as_slice() != chain.as_slice() {
                return Ok(Err(altered));
            }
            if let Some((signed_chain, signature)) = checkpoints.get(&position) {
                let signature = Signature::from_slice(signature).ok();
                let valid = *signed_chain == chain
                    && signature
                        .is_some_and(|signature| key.verify(&checkpoint_message(position, &chain), &signature).is_ok());
                if !valid {
                    return Ok(Err(AccessLogMismatch::CheckpointInvalid { position }));
                }
                reached.insert(position);
            }
            entries += 1;
            unsigned += i64::from(position > last_signed);
            previous = chain;
        }
    }
    // A checkpoint no entry stands at signs a chain that is not there (its entry was removed).
    if let Some(position) = checkpoints.keys().find(|position| !reached.contains(position)) {
        return Ok(Err(AccessLogMismatch::CheckpointInvalid { position: *position }));
    }
    Ok(Ok(AccessLogReport { entries, checkpoints: reached.len() as i64, unsigned }))
}

/// Whether `user` read `case` by a stated reason at or after `since` (microseconds since the Unix epoch): a reason
/// covers that case for the rest of the working day.
pub async fn read_by_reason_since(db: &Db, user: UserId, case: CaseId, since: i64) -> Result<bool, sqlx::Error> {
    let read_at = if db.is_postgres() { "(extract(epoch from read_at) * 1000000)::bigint" } else { "read_at" };
    let sql = format!(
        "select count(*) from access_log where user_id = $1 and case_id = $2 and reason is not null and {read_at} >= $3"
    );
    let count: i64 = projections::on_pool!(db, |pool| sqlx::query_scalar(&sql)
        .bind(user.to_string())
        .bind(case.to_string())
        .bind(since)
        .fetch_one(pool)
        .await)?;
    Ok(count > 0)
}
