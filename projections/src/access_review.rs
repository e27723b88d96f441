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

/// The reads of `unit`'s cases and by `unit`'s users recorded from `from` to `to` (microseconds since the
/// Unix epoch), oldest first; only the unusual ones with `unusual_only`.
pub async fn access_review(
    db: &Db,
    unit: &str,
    from: i64,
    to: i64,
    unusual_only: bool,
) -> Result<Vec<AccessRow>, sqlx::Error> {
    let read_at = if db.is_postgres() { "(extract(epoch from read_at) * 1000000)::bigint" } else { "read_at" };
    let sql = format!(
        "select position, {read_at} as read_at_micros, user_id, role, unit_id, case_id, case_unit, what, subject_protected, reason
           from access_log
          where (case_unit = $1 or unit_id = $1) and {read_at} >= $2 and {read_at} <= $3
          order by position"
    );
    let entries: Vec<Entry> =
        on_pool!(db, |pool| sqlx::query_as(&sql).bind(unit).bind(from).bind(to).fetch_all(pool).await)?;
    Ok(entries
        .into_iter()
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
                role,
                unit_id,
                case_id,
                what,
                reason,
            }
        })
        .filter(|row| !unusual_only || row.unusual())
        .collect())
}
