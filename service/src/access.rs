//! The access log: every read of case content is recorded (who, role, unit, when, which case, what, why) before
//! the response is sent, append-only and hash-chained so a removed or altered entry is detected.

use domain::command::Role;
use domain::ids::{CaseId, UnitId, UserId};
use domain::sealed::Sealed;
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

/// Recomputes the access log's chain; returns the number of entries when all match, or the position of the
/// first entry that does not (altered, or the one after a removed entry).
pub async fn verify_access_log(db: &Db) -> Result<Result<i64, i64>, sqlx::Error> {
    type Entry =
        (i64, i64, String, String, String, String, String, i64, String, Option<Vec<u8>>, Option<String>, Vec<u8>);
    let sql_postgres = "select position, (extract(epoch from read_at) * 1000000)::bigint, user_id, role, unit_id, case_id, case_unit,
                               subject_protected, what, reason, client_address, chain_hash from access_log order by position";
    let sql_sqlite =
        "select position, read_at, user_id, role, unit_id, case_id, case_unit, subject_protected, what, reason,
                             client_address, chain_hash from access_log order by position";
    let entries: Vec<Entry> = match db.backend() {
        projections::db::Backend::Postgres(pool) => sqlx::query_as(sql_postgres).fetch_all(pool).await?,
        projections::db::Backend::Sqlite(pool) => sqlx::query_as(sql_sqlite).fetch_all(pool).await?,
    };
    let mut previous = Vec::new();
    for (position, read_at, user, role, unit, case, case_unit, protected, what, reason, client_address, chain) in
        &entries
    {
        let parsed = (|| {
            Some(Read {
                user: UserId::parse(user).ok()?,
                role: [Role::SocialWorker, Role::UnitManager, Role::Auditor, Role::Administrator]
                    .into_iter()
                    .find(|r| r.as_str() == role)?,
                unit: UnitId::parse(unit).ok()?,
                case: CaseId::parse(case).ok()?,
                case_unit: UnitId::parse(case_unit).ok()?,
                subject_protected: *protected != 0,
                what: what.clone(),
                reason: reason.clone().map(Sealed::from_bytes),
                client_address: client_address.clone(),
            })
        })();
        let Some(read) = parsed else { return Ok(Err(*position)) };
        let expected = entry_hash(&previous, &read, *read_at);
        if expected.as_slice() != chain.as_slice() {
            return Ok(Err(*position));
        }
        previous = chain.clone();
    }
    Ok(Ok(entries.len() as i64))
}
