//! A case's subject as the protected-identity policy (`domain::protection::visible_identity`) lets a reader see
//! them — the responsible worker and the unit manager more than a colleague, auditors name and number. The read
//! behind `GET /api/cases/{id}/subject` and the case page; the caller has checked the read and logged it.

use domain::event::Stamped;
use domain::ids::SubjectId;
use domain::protection::{visible_identity, Viewer};
use domain::sealed::Sealed;
use domain::subject::{ProtectionLevel, Subject, SubjectEvent};
use schemars::JsonSchema;
use serde::Serialize;

use super::reads::CaseRead;
use super::{ActionError, Handles};
use crate::accounts::Account;
use crate::personal::Opened;

/// A subject's identity as this reader may see it; what the policy hides is left out.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SubjectRead {
    /// The subject.
    pub subject_id: String,
    /// The protected-identity level, if any.
    pub protection: Option<ProtectionLevel>,
    /// What the reader must keep in mind, for protected subjects.
    pub warning: Option<String>,
    /// Whether the subject was erased (nothing of the identity is left).
    pub erased: bool,
    /// Year of birth.
    pub birth_year: Option<i32>,
    /// Home district.
    pub district: Option<String>,
    /// Given name.
    pub given_name: Option<String>,
    /// Family name.
    pub family_name: Option<String>,
    /// Twelve digits, `YYYYMMDDNNNC`.
    pub identity_number: Option<String>,
    /// How to reach them.
    pub contact: Option<String>,
    /// Where they live.
    pub address: Option<String>,
    /// Their school.
    pub school: Option<String>,
}

/// The subject as its events make it, and its latest sealed identity.
async fn subject_and_identity(
    handles: Handles<'_>,
    subject: SubjectId,
) -> Result<(Subject, Option<Sealed>), ActionError> {
    let mut identity = None;
    let aggregate: Subject = projections::replay::replay(
        handles.db(),
        "subject",
        &subject.to_string(),
        None,
        |stamped: &Stamped<SubjectEvent>| {
            if let SubjectEvent::SubjectRegistered { identity: sealed, .. }
            | SubjectEvent::SubjectIdentityCorrected { identity: sealed, .. } = &stamped.event
            {
                identity = Some(sealed.clone());
            }
        },
    )
    .await?;
    Ok((aggregate, identity))
}

/// The subject of the case `read` as `account` may see them.
pub async fn case_subject(
    handles: Handles<'_>,
    read: &CaseRead,
    account: &Account,
) -> Result<SubjectRead, ActionError> {
    let subject = read.subject;
    let (aggregate, sealed) = subject_and_identity(handles, subject).await?;
    let viewer = Viewer {
        role: account.role,
        is_responsible: read.summary.worker_id.as_deref() == Some(account.user.to_string().as_str()),
    };
    let visible = visible_identity(viewer, aggregate.protection);
    let opened = match &sealed {
        Some(sealed) if !aggregate.erased => handles.vault.open_identity(subject, sealed).await?,
        _ => Opened::Erased,
    };
    let statistics = aggregate.statistics.as_ref();
    let mut answer = SubjectRead {
        subject_id: subject.to_string(),
        protection: aggregate.protection,
        warning: visible
            .warn
            .then(|| "protected identity: do not disclose what is shown here, and check before any contact".to_owned()),
        erased: matches!(opened, Opened::Erased),
        birth_year: statistics.and_then(|statistics| statistics.birth_year),
        district: statistics.map(|statistics| statistics.district.to_string()),
        given_name: None,
        family_name: None,
        identity_number: None,
        contact: None,
        address: None,
        school: None,
    };
    if let Opened::Value(identity) = opened {
        let shown = identity.redacted(visible);
        let text = |value: String| Some(value).filter(|value| !value.is_empty());
        answer.given_name = text(shown.given_name);
        answer.family_name = text(shown.family_name);
        answer.identity_number = shown.number.map(|number| number.long());
        answer.contact = shown.contact;
        answer.address = shown.address;
        answer.school = shown.school;
    }
    Ok(answer)
}
