//! `GET /api/cases/{id}/journal`: the case file as a social worker reads it — every event of the case and of its
//! referrals in order, who did it and when, with its details and the texts written into it (assessments,
//! reasons, notes, summaries) opened under the subject's key. Read through the case's access control and
//! recorded in the access log as "journal" before it is answered.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use schemars::JsonSchema;
use serde::Serialize;

use crate::accounts::policy::CaseAccess;
pub use crate::actions::journal::{ConsentRead, JournalEntry};
use crate::actions::reads::{CaseRead, Reader};
use crate::api::problem::Problem;
use crate::api::session::SignedIn;
use crate::api::views::{stated_reason, CaseContent, ReadAfter, ReadsCase, ReadsConsents, ReadsJournal};
use crate::state::AppState;

/// The answer of `GET /api/cases/{id}/journal`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Journal {
    case_id: String,
    /// Whether the subject was erased: the texts are gone, the record of what happened stays.
    erased: bool,
    entries: Vec<JournalEntry>,
}

/// `GET /api/cases/{id}/journal`.
pub(crate) async fn journal(
    State(state): State<Arc<AppState>>,
    content: CaseContent<ReadsJournal>,
) -> Result<Json<Journal>, Problem> {
    let CaseRead { case, subject, .. } = content.read;
    let journal = crate::actions::journal::case_journal(state.handles(), case, subject).await?;
    Ok(Json(Journal { case_id: case.to_string(), erased: journal.erased, entries: journal.entries }))
}

/// A referral as either end reads it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ReferralRead {
    referral_id: String,
    kind: Option<domain::referral::ReferralKind>,
    status: domain::referral::ReferralStatus,
    subject_id: Option<String>,
    from_unit: Option<String>,
    to_unit: Option<String>,
    /// The case that took it.
    case_id: Option<String>,
    /// What it was sent under: the consent or the legal ground, with the paragraph the ground stands for.
    basis: Option<BasisRead>,
    /// The kinds of information it discloses under that basis: what the receiver was given and may use (empty
    /// for reports of concern, and for referrals sent before Lots recorded them).
    information: Vec<domain::categories::InformationCategory>,
    /// Whether the subject has protected identity.
    protected_identity: bool,
    /// Whether it was read by a stated reason from outside both units (flagged in the access review).
    read_with_reason: bool,
    /// Whether the subject was erased (the texts are gone).
    erased: bool,
    /// Every event of the referral, with its texts (reason, assessment, feedback) opened.
    entries: Vec<JournalEntry>,
}

/// The consent or legal ground a referral was sent under.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BasisRead {
    /// A recorded consent.
    Consent {
        /// The consent.
        consent_id: String,
    },
    /// A legal ground for disclosure.
    LegalGround {
        /// Its code, e.g. `osl-10-18a`.
        code: String,
        /// The paragraph it stands for.
        paragraph: Option<String>,
    },
}

impl From<domain::referral::DisclosureBasis> for BasisRead {
    fn from(basis: domain::referral::DisclosureBasis) -> Self {
        match basis {
            domain::referral::DisclosureBasis::Consent(consent) => Self::Consent { consent_id: consent.to_string() },
            domain::referral::DisclosureBasis::LegalGround(code) => {
                let paragraph = crate::actions::referrals::LEGAL_GROUNDS
                    .iter()
                    .chain(crate::actions::referrals::RETIRED_GROUNDS)
                    .find(|(known, _)| *known == code.as_str())
                    .map(|(_, paragraph)| (*paragraph).to_owned());
                Self::LegalGround { code: code.as_str().to_owned(), paragraph }
            }
        }
    }
}

/// `GET /api/referrals/{id}`: a referral with its texts, for the sending and the receiving unit (anyone else
/// with a stated reason, flagged; administrators never); recorded in the access log as "referral", the
/// referral's id where a case's would stand.
pub(crate) async fn referral(
    State(state): State<Arc<AppState>>,
    signed_in: SignedIn,
    _after: ReadAfter,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<ReferralRead>, Problem> {
    let id = domain::ids::ReferralId::parse(&id).map_err(|_| Problem::not_found("referral"))?;
    let client = client.ip().to_string();
    let reader =
        Reader { account: &signed_in.account, reason: stated_reason(&headers)?, client_address: Some(client.as_str()) };
    let opened = crate::actions::reads::open_referral(state.handles(), reader, id).await?;
    let (loaded, access) = (opened.referral, opened.access);
    let (Some(subject), Some(to_unit)) = (loaded.subject, loaded.to_unit) else {
        return Err(Problem::not_found("referral"));
    };
    let from_unit = loaded.from_unit.map(|unit| unit.to_string());
    let crate::actions::journal::CaseJournal { erased, entries } =
        crate::actions::journal::referral_entries(state.handles(), id, subject).await?;
    Ok(Json(ReferralRead {
        referral_id: id.to_string(),
        kind: loaded.kind,
        status: loaded.status,
        subject_id: Some(subject.to_string()),
        from_unit,
        to_unit: Some(to_unit.to_string()),
        case_id: loaded.case.map(|case| case.to_string()),
        basis: loaded.basis.map(BasisRead::from),
        information: loaded.information.into_iter().collect(),
        protected_identity: opened.subject_protected,
        read_with_reason: access == CaseAccess::WithReason,
        erased,
        entries,
    }))
}

/// `GET /api/cases/{id}/consents`: every consent recorded about the case's subject, newest first, with its
/// purpose opened — what a worker names when sending a referral. Read through the case's access control and
/// recorded in the access log as "consents".
pub(crate) async fn consents(
    State(state): State<Arc<AppState>>,
    content: CaseContent<ReadsConsents>,
) -> Result<Json<Vec<ConsentRead>>, Problem> {
    Ok(Json(crate::actions::journal::consents_about(state.handles(), content.read.subject).await?))
}

/// A case as `GET /api/cases/{id}` answers.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "CaseRead")]
pub(crate) struct CaseAnswer {
    case_id: String,
    subject_id: String,
    unit_id: String,
    worker_id: Option<String>,
    phase: String,
    received_on: String,
    protected_identity: bool,
    read_with_reason: bool,
}

/// `GET /api/cases/{id}`: a case, if the account may read it; recorded in the access log before answering.
pub(crate) async fn case(content: CaseContent<ReadsCase>) -> Result<Response, Problem> {
    let CaseRead { summary, access, .. } = content.read;
    Ok(Json(CaseAnswer {
        case_id: summary.case_id,
        subject_id: summary.subject_id,
        unit_id: summary.unit_id,
        worker_id: summary.worker_id,
        phase: summary.phase,
        received_on: summary.received_on,
        protected_identity: summary.protection.is_some(),
        read_with_reason: access == CaseAccess::WithReason,
    })
    .into_response())
}
