//! Reads of case content: access control (`crate::accounts::policy`) and the access log, in one place, before
//! anything is shown. A read that is refused answers exactly as a case that does not exist; an allowed one is
//! recorded (who, role, unit, what, the stated reason sealed under the subject's key, the client's address)
//! before the content is read.

use domain::ids::{CaseId, ReferralId, SubjectId, UnitId};
use projections::queries::CaseSummary;
use projections::replay::load;

use super::{ActionError, Handles, Refusal};
use crate::accounts::policy::{case_access, referral_access, CaseAccess, UnitOf};
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

/// A unit as access control sees it: its kind from the directory in the log (none when it is not there).
async fn unit_of(handles: Handles<'_>, unit: UnitId) -> Result<UnitOf, ActionError> {
    let entry: domain::directory::Unit = load(handles.db(), "unit", &unit.to_string()).await?;
    Ok(UnitOf { id: unit, kind: entry.entry.map(|entry| entry.kind) })
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
    let (reading, holding) = (unit_of(handles, reader.account.unit).await?, unit_of(handles, holder).await?);
    let access = case_access(reader.account, reading, holding, reader.reason.is_some());
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
    let access = referral_access(reader.account, reading, loaded.from_unit, receiving, reader.reason.is_some());
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
