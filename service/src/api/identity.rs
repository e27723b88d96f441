//! `GET /api/cases/{id}/subject`: the identity of a case's subject, as much of it as the protected-identity
//! policy (`domain::protection::visible_identity`) lets this reader see — the responsible worker and the unit
//! manager more than a colleague, auditors name and number — read through the case's access control and
//! recorded in the access log as "identity" before it is answered.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use domain::event::Stamped;
use domain::ids::SubjectId;
use domain::protection::{visible_identity, Viewer};
use domain::sealed::Sealed;
use domain::subject::{ProtectionLevel, Subject, SubjectEvent};
use schemars::JsonSchema;
use serde::Serialize;

use crate::actions::reads::CaseRead;
use crate::api::problem::Problem;
use crate::api::views::{CaseContent, ReadsIdentity};
use crate::personal::Opened;
use crate::state::AppState;

/// A subject's identity as this reader may see it; what the policy hides is left out.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SubjectRead {
    subject_id: String,
    /// The protected-identity level, if any.
    protection: Option<ProtectionLevel>,
    /// What the reader must keep in mind, for protected subjects.
    warning: Option<String>,
    /// Whether the subject was erased (nothing of the identity is left).
    erased: bool,
    birth_year: Option<i32>,
    district: Option<String>,
    given_name: Option<String>,
    family_name: Option<String>,
    /// Twelve digits, `YYYYMMDDNNNC`.
    identity_number: Option<String>,
    contact: Option<String>,
    address: Option<String>,
    school: Option<String>,
}

/// The subject as its events make it, and its latest sealed identity.
async fn subject_and_identity(state: &AppState, subject: SubjectId) -> Result<(Subject, Option<Sealed>), Problem> {
    let mut identity = None;
    let aggregate: Subject = projections::replay::replay(
        &state.db,
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

/// `GET /api/cases/{id}/subject`.
pub(crate) async fn case_subject(
    State(state): State<Arc<AppState>>,
    content: CaseContent<ReadsIdentity>,
) -> Result<Json<SubjectRead>, Problem> {
    let CaseContent { read: CaseRead { subject, summary, .. }, signed_in, .. } = content;
    let (aggregate, sealed) = subject_and_identity(&state, subject).await?;
    let viewer = Viewer {
        role: signed_in.account.role,
        is_responsible: summary.worker_id.as_deref() == Some(signed_in.account.user.to_string().as_str()),
    };
    let visible = visible_identity(viewer, aggregate.protection);
    let opened = match &sealed {
        Some(sealed) if !aggregate.erased => state.vault.open_identity(subject, sealed).await?,
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
    Ok(Json(answer))
}
