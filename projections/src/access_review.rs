//! The access review: who read which case, when and why, and which reads stand out — outside the reader's
//! unit, of a subject with protected identity, or outside working hours in Stockholm. Read from the access log,
//! which the service writes before it answers a read.

use domain::calendar::outside_working_hours;
use serde::Serialize;

use crate::db::Db;
use crate::on_pool;

/// One read, with why it stands out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AccessRow {
    /// Its position in the access log.
    pub position: i64,
    /// When (microseconds since the Unix epoch).
    pub read_at_micros: i64,
    /// Who read.
    pub user_id: String,
    /// Their username (filled in by the service, which keeps the accounts; none when unknown).
    pub username: Option<String>,
    /// In which role.
    pub role: String,
    /// For which unit.
    pub unit_id: String,
    /// Which case.
    pub case_id: String,
    /// What was read.
    pub what: String,
    /// The stated reason, sealed (the service opens it for those who may see it).
    #[serde(skip)]
    pub reason: Option<Vec<u8>>,
    /// The stated reason, opened for the reviewer (none when none was stated, or the subject was erased).
    pub stated_reason: Option<String>,
    /// Read by someone outside the unit holding the case.
    pub outside_unit: bool,
    /// The subject had protected identity.
    pub protected_subject: bool,
    /// Outside working hours.
    pub outside_hours: bool,
}

impl AccessRow {
    /// Whether the read stands out for any reason.
    pub fn unusual(&self) -> bool {
        self.outside_unit || self.protected_subject || self.outside_hours
    }
}

type Entry = (i64, i64, String, String, String, String, String, String, i64, Option<Vec<u8>>);

/// Which reads a review asks for.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReviewFilter<'a> {
    /// Reads of this unit's cases or by its users; every unit's when `None`.
    pub unit: Option<&'a str>,
    /// Reads by this user.
    pub user: Option<&'a str>,
    /// Reads of these cases (a subject's, for "who has read this child").
    pub cases: Option<&'a [String]>,
    /// From (microseconds since the Unix epoch).
    pub from: i64,
    /// To.
    pub to: i64,
    /// Only the reads that stand out.
    pub unusual_only: bool,
    /// After this position in the access log (paging).
    pub after: i64,
    /// At most this many.
    pub limit: usize,
}

/// The reads of `unit`'s cases and by `unit`'s users recorded from `from` to `to` (microseconds since the
/// Unix epoch), oldest first; only the unusual ones with `unusual_only`.
pub async fn access_review(
    db: &Db,
    unit: &str,
    from: i64,
    to: i64,
    unusual_only: bool,
) -> Result<Vec<AccessRow>, sqlx::Error> {
    review(db, ReviewFilter { unit: Some(unit), from, to, unusual_only, limit: usize::MAX, ..ReviewFilter::default() })
        .await
}

/// The reads `filter` asks for, oldest first, after its position and at most its limit.
pub async fn review(db: &Db, filter: ReviewFilter<'_>) -> Result<Vec<AccessRow>, sqlx::Error> {
    let read_at = if db.is_postgres() { "(extract(epoch from a.read_at) * 1000000)::bigint" } else { "a.read_at" };
    let sql = format!(
        "select a.position, {read_at} as read_at_micros, a.user_id, a.role, a.unit_id, a.case_id, a.case_unit,
                a.what, a.subject_protected, a.reason
           from access_log a
          where ($1 = '' or a.case_unit = $1 or a.unit_id = $1) and ($2 = '' or a.user_id = $2)
            and {read_at} >= $3 and {read_at} <= $4 and a.position > $5
          order by a.position"
    );
    let entries: Vec<Entry> = on_pool!(db, |pool| sqlx::query_as(&sql)
        .bind(filter.unit.unwrap_or_default())
        .bind(filter.user.unwrap_or_default())
        .bind(filter.from)
        .bind(filter.to)
        .bind(filter.after)
        .fetch_all(pool)
        .await)?;
    Ok(entries
        .into_iter()
        .filter(|entry| filter.cases.is_none_or(|cases| cases.contains(&entry.5)))
        .map(|(position, read_at_micros, user_id, role, unit_id, case_id, case_unit, what, protected, reason)| {
            let moment = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(read_at_micros) * 1000)
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
            AccessRow {
                outside_unit: unit_id != case_unit,
                protected_subject: protected != 0,
                outside_hours: outside_working_hours(moment),
                position,
                read_at_micros,
                user_id,
                username: None,
                role,
                unit_id,
                case_id,
                what,
                reason,
                stated_reason: None,
            }
        })
        .filter(|row| !filter.unusual_only || row.unusual())
        .take(filter.limit)
        .collect())
}
