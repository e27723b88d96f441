//! Reads of case content: access control (`crate::accounts::policy`) and the access log, in one place, before
//! anything is shown. A read that is refused answers exactly as a case that does not exist; an allowed one is
//! recorded (who, role, unit, what, the stated reason sealed under the subject's key, the client's address)
//! before the content is read.

use domain::ids::{CaseId, ReferralId, SubjectId, UnitId};
use projections::queries::CaseSummary;
use projections::replay::load;

use super::{ActionError, Handles, Refusal};
use crate::accounts::policy::{case_access, referral_access, CaseAccess, ReasonCode, UnitOf};
use crate::accounts::Account;
use crate::event_log::access_log::{record_read, Read};

/// Who reads, and from where.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    /// The signed-in account.
    pub account: &'a Account,
    /// Why, when the content is not their unit's (plain text; sealed into the access log).
    pub reason: Option<&'a str>,
    /// The client's address.
    pub client_address: Option<&'a str>,
}

/// A case whose content may be read, the read recorded.
#[derive(Debug, Clone)]
pub struct CaseRead {
    /// The case.
    pub case: CaseId,
    /// What the caseload view knows of it.
    pub summary: CaseSummary,
    /// Whom it is about.
    pub subject: SubjectId,
    /// How the read was allowed.
    pub access: CaseAccess,
}

/// What a read of content was: the record (a case, or a referral's id for `what = referral`), the unit holding
/// it, whose it is, and what was read.
struct ContentRead<'a> {
    record: CaseId,
    holder: UnitId,
    subject: SubjectId,
    protected: bool,
    what: &'a str,
}

/// Records an allowed read in the access log, the stated reason sealed under the subject's key.
async fn record(handles: Handles<'_>, reader: Reader<'_>, content: ContentRead<'_>) -> Result<(), ActionError> {
    let reason = match reader.reason {
        Some(reason) => Some(handles.vault.seal_text(content.subject, reason).await?),
        None => None,
    };
    let read = Read {
        user: reader.account.user,
        role: reader.account.role,
        unit: reader.account.unit,
        case: content.record,
        case_unit: content.holder,
        subject_protected: content.protected,
        what: content.what.to_owned(),
        reason,
        client_address: reader.client_address.map(str::to_owned),
    };
    record_read(handles.db(), &read).await?;
    Ok(())
}

/// The code a stated reason opens with; a reason that names none of the list is refused, naming the header.
fn reason_code(reader: Reader<'_>) -> Result<Option<ReasonCode>, ActionError> {
    let Some(reason) = reader.reason else { return Ok(None) };
    match ReasonCode::of(reason) {
        Some(code) => Ok(Some(code)),
        None => Err(Refusal::invalid(
            "X-Lots-Reason",
            format!("open the reason with one of {}, then a colon and what happened", ReasonCode::listed()),
        )
        .into()),
    }
}

/// Microseconds since the Unix epoch at the start of today in Stockholm: a stated reason covers a case until then.
fn start_of_today_micros() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    let midnight =
        domain::calendar::stockholm_date(now).midnight().assume_offset(domain::calendar::stockholm_offset(now));
    (midnight.unix_timestamp_nanos() / 1000) as i64
}

/// A unit as access control sees it: its kind from the directory in the log (none when it is not there).
async fn unit_of(handles: Handles<'_>, unit: UnitId) -> Result<UnitOf, ActionError> {
    let entry: domain::directory::Unit = load(handles.db(), "unit", &unit.to_string()).await?;
    Ok(UnitOf { id: unit, kind: entry.entry.map(|entry| entry.kind), authority: entry.authority })
}

/// Opens case `case` for `reader` to read `what` ("journal", "identity", …): refused as "no case here" unless
/// the policy allows it; recorded in the access log before anything is returned.
pub async fn open_case(
    handles: Handles<'_>,
    reader: Reader<'_>,
    case: CaseId,
    what: &str,
) -> Result<CaseRead, ActionError> {
    let db = handles.db();
    // Who holds the case and whom it is about come from the log itself, never from a view that may lag behind a
    // transfer or have stopped: the decision fails closed.
    let held: domain::case::Case = load(db, "case", &case.to_string()).await?;
    let (Some(holder), Some(subject)) = (held.unit, held.subject) else {
        return Err(Refusal::NotFound("case").into());
    };
    let code = reason_code(reader)?;
    let (reading, holding) = (unit_of(handles, reader.account.unit).await?, unit_of(handles, holder).await?);
    let mut access = case_access(reader.account, &reading, &holding, code);
    // A reason stated today covers the case for the rest of the working day: read again without restating it,
    // flagged all the same.
    // Only where a stated reason would open it now (the directory or the reader's role may have changed since).
    let by_reason =
        if reader.account.role == domain::command::Role::Auditor { ReasonCode::Audit } else { ReasonCode::OnCall };
    if access == CaseAccess::Refused
        && code.is_none()
        && case_access(reader.account, &reading, &holding, Some(by_reason)) == CaseAccess::WithReason
        && crate::event_log::access_log::read_by_reason_since(db, reader.account.user, case, start_of_today_micros())
            .await?
    {
        access = CaseAccess::WithReason;
    }
    if access == CaseAccess::Refused {
        return Err(Refusal::NotFound("case").into());
    }
    // What is shown comes from the caseload view, so it must be running: while it has stopped on an error, reads
    // wait rather than answer from it.
    if let Some(error) = projections::runner::status(db, "caseload").await?.error {
        tracing::warn!(%error, "a read of case content refused: the caseload view has stopped");
        let detail = "the caseload view has stopped; case content is read again once it is mended".to_owned();
        return Err(Refusal::Unavailable(detail).into());
    }
    let summary = projections::queries::case_summary(db, &case.to_string()).await?.ok_or(Refusal::NotFound("case"))?;
    let protected = load::<domain::subject::Subject>(db, "subject", &subject.to_string()).await?.protection.is_some();
    let content = ContentRead { record: case, holder, subject, protected, what };
    record(handles, reader, content).await?;
    Ok(CaseRead { case, summary, subject, access })
}

/// Opens referral `referral` for `reader`: both ends read it as their own, anyone else by a stated reason
/// (flagged), administrators never; recorded in the access log as "referral", its id where a case's would stand.
pub async fn open_referral(
    handles: Handles<'_>,
    reader: Reader<'_>,
    referral: ReferralId,
) -> Result<ReferralOpened, ActionError> {
    let loaded: domain::referral::Referral = load(handles.db(), "referral", &referral.to_string()).await?;
    let (Some(subject), Some(to_unit)) = (loaded.subject, loaded.to_unit) else {
        return Err(Refusal::NotFound("referral").into());
    };
    let (reading, receiving) = (unit_of(handles, reader.account.unit).await?, unit_of(handles, to_unit).await?);
    let access = referral_access(reader.account, &reading, loaded.from_unit, &receiving, reason_code(reader)?);
    if access == CaseAccess::Refused {
        return Err(Refusal::NotFound("referral").into());
    }
    let holder: domain::subject::Subject = load(handles.db(), "subject", &subject.to_string()).await?;
    let content = ContentRead {
        record: CaseId::from_ulid(referral.ulid()),
        holder: to_unit,
        subject,
        protected: holder.protection.is_some(),
        what: "referral",
    };
    let subject_protected = content.protected;
    record(handles, reader, content).await?;
    Ok(ReferralOpened { referral: loaded, subject_protected, access })
}

/// A referral whose content may be read, the read recorded.
#[derive(Debug, Clone)]
pub struct ReferralOpened {
    /// The referral as replayed from the log.
    pub referral: domain::referral::Referral,
    /// Whether its subject has protected identity.
    pub subject_protected: bool,
    /// How the read was allowed.
    pub access: CaseAccess,
}

/// The cases opened about `subject`, found in the log itself (`CaseOpened` names the subject), not in a view.
pub async fn cases_about(handles: Handles<'_>, subject: SubjectId) -> Result<Vec<String>, ActionError> {
    let db = handles.db();
    let sql = if db.is_postgres() {
        "select aggregate_id from events where aggregate_type = 'case' and event_type = 'CaseOpened'
            and payload -> 'CaseOpened' ->> 'subject' = $1"
    } else {
        "select aggregate_id from events where aggregate_type = 'case' and event_type = 'CaseOpened'
            and json_extract(payload, '$.CaseOpened.subject') = $1"
    };
    Ok(projections::on_pool!(db, |pool| sqlx::query_scalar(sql).bind(subject.to_string()).fetch_all(pool).await)?)
}

/// What a reviewer asks of the access log.
#[derive(Debug, Clone, Default)]
pub struct ReviewQuery {
    /// One unit's cases and users; every unit the reviewer may review when `None`.
    pub unit: Option<UnitId>,
    /// One reader.
    pub user: Option<domain::ids::UserId>,
    /// "Who has read this child": the reads of every case about this subject.
    pub subject: Option<SubjectId>,
    /// From (microseconds since the Unix epoch).
    pub from: Option<i64>,
    /// To.
    pub to: Option<i64>,
    /// Only the reads that stand out.
    pub unusual: bool,
    /// After this position of the access log (the previous page's `next_after`).
    pub after: Option<i64>,
    /// At most this many (1 to 500; 100 when not given).
    pub limit: Option<usize>,
}

/// One page of the access review.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct ReviewPage {
    /// The reads, oldest first, with the reader's name and the stated reason opened.
    pub entries: Vec<projections::access_review::AccessRow>,
    /// Send as `after` for the next page; none on the last.
    pub next_after: Option<i64>,
}

/// The longest page of the access review.
pub const MAX_REVIEW_PAGE: usize = 500;

/// The access review for `reviewer`: a unit manager sees their own unit's; an auditor any unit's, or every unit's
/// when none is named. Each entry names the reader and shows the stated reason, opened under the subject's key.
pub async fn review(handles: Handles<'_>, reviewer: &Account, query: ReviewQuery) -> Result<ReviewPage, ActionError> {
    let db = handles.db();
    let unit = match reviewer.role {
        domain::command::Role::Auditor => query.unit,
        _ => Some(reviewer.unit),
    };
    let limit = query.limit.unwrap_or(100);
    if !(1..=MAX_REVIEW_PAGE).contains(&limit) {
        return Err(Refusal::invalid("limit", format!("limit must be 1 to {MAX_REVIEW_PAGE}")).into());
    }
    let cases = match query.subject {
        Some(subject) => Some(cases_about(handles, subject).await?),
        None => None,
    };
    let (unit, user) = (unit.map(|unit| unit.to_string()), query.user.map(|user| user.to_string()));
    let filter = projections::access_review::ReviewFilter {
        unit: unit.as_deref(),
        user: user.as_deref(),
        cases: cases.as_deref(),
        from: query.from.unwrap_or(0),
        to: query.to.unwrap_or(i64::MAX),
        unusual_only: query.unusual,
        after: query.after.unwrap_or(0),
        // One more than the page, to know whether another follows.
        limit: limit + 1,
    };
    let mut entries = projections::access_review::review(db, filter).await?;
    let next_after = (entries.len() > limit).then(|| entries[limit - 1].position);
    entries.truncate(limit);
    let names: std::collections::HashMap<String, String> = crate::accounts::users(db)
        .await
        .map_err(|error| ActionError::Internal(Box::new(error)))?
        .into_iter()
        .map(|user| (user.user_id, user.username))
        .collect();
    let mut subjects: std::collections::HashMap<String, Option<SubjectId>> = std::collections::HashMap::new();
    for entry in &mut entries {
        entry.username = names.get(&entry.user_id).cloned();
        let Some(sealed) = entry.reason.clone() else { continue };
        if !subjects.contains_key(&entry.case_id) {
            // A referral's read names the referral where a case's would stand.
            let case: domain::case::Case = load(db, "case", &entry.case_id).await?;
            let subject = match case.subject {
                Some(subject) => Some(subject),
                None => load::<domain::referral::Referral>(db, "referral", &entry.case_id).await?.subject,
            };
            subjects.insert(entry.case_id.clone(), subject);
        }
        if let Some(subject) = subjects[&entry.case_id] {
            let sealed = domain::sealed::Sealed::from_bytes(sealed);
            if let crate::personal::Opened::Value(text) = handles.vault.open_text(subject, &sealed).await? {
                entry.stated_reason = Some(text);
            }
        }
    }
    Ok(ReviewPage { entries, next_after })
}

/// A page of the access review as CSV (RFC 4180, UTF-8, a header row): one line a read, the stated reason opened,
/// each unusual mark a column. A cell that a spreadsheet would take for a formula (starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return) is written with a leading `'`, so an exported reason never runs as one.
pub fn review_csv(page: &ReviewPage) -> Result<String, ActionError> {
    let internal = |error: csv::Error| ActionError::Internal(Box::new(error));
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record([
            "position",
            "read_at_micros",
            "user_id",
            "username",
            "role",
            "unit_id",
            "case_id",
            "what",
            "stated_reason",
            "outside_unit",
            "protected_subject",
            "outside_hours",
        ])
        .map_err(internal)?;
    for entry in &page.entries {
        let record = [
            entry.position.to_string(),
            entry.read_at_micros.to_string(),
            entry.user_id.clone(),
            entry.username.clone().unwrap_or_default(),
            entry.role.clone(),
            entry.unit_id.clone(),
            entry.case_id.clone(),
            entry.what.clone(),
            entry.stated_reason.clone().unwrap_or_default(),
            entry.outside_unit.to_string(),
            entry.protected_subject.to_string(),
            entry.outside_hours.to_string(),
        ];
        writer.write_record(record.iter().map(|cell| no_formula(cell).into_owned())).map_err(internal)?;
    }
    let body = writer.into_inner().map_err(|error| ActionError::Internal(Box::new(error.into_error())))?;
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// A cell as text a spreadsheet shows as text: a leading `'` where it would start a formula.
fn no_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => std::borrow::Cow::Owned(format!("'{cell}")),
        _ => std::borrow::Cow::Borrowed(cell),
    }
}

#[cfg(test)]
mod csv_tests {
    #[test]
    fn a_cell_that_would_be_a_formula_is_written_as_text() {
        for (cell, written) in
            [("=HYPERLINK(1)", "'=HYPERLINK(1)"), ("+1", "'+1"), ("-2", "'-2"), ("@x", "'@x"), ("ok", "ok")]
        {
            assert_eq!(super::no_formula(cell), written);
        }
    }
}
