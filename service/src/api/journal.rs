//! `GET /api/cases/{id}/journal`: the case file as a social worker reads it — every event of the case and of its
//! referrals in order, who did it and when, with its details and the texts written into it (assessments,
//! reasons, notes, summaries) opened under the subject's key. Read through the case's access control and
//! recorded in the access log as "journal" before it is answered.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use domain::event::Stamped;
use domain::ids::SubjectId;
use domain::sealed::Sealed;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use crate::accounts::policy::CaseAccess;
use crate::actions::reads::{CaseRead, Reader};
use crate::api::problem::Problem;
use crate::api::session::SignedIn;
use crate::api::views::{stated_reason, CaseContent, ReadAfter, ReadsCase, ReadsConsents, ReadsJournal};
use crate::personal::{Opened, Vault, VaultError};
use crate::state::AppState;

/// One entry of a case's journal.
#[derive(Debug, Serialize, JsonSchema)]
pub struct JournalEntry {
    /// `case` or `referral`.
    aggregate_type: String,
    /// Which case or referral.
    aggregate_id: String,
    /// The event's position in the log.
    position: i64,
    /// What happened (`NoteAppended`, `InvestigationCompleted`, …).
    event_type: String,
    /// The date it happened.
    occurred_on: String,
    /// When it was recorded (microseconds since the Unix epoch).
    recorded_at_micros: i64,
    /// Who acted, in which role, for which unit.
    actor_user: Option<String>,
    actor_role: Option<String>,
    actor_unit: Option<String>,
    /// The event's fields, with its texts opened (`null` where the subject was erased).
    details: Value,
}

/// The answer of `GET /api/cases/{id}/journal`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Journal {
    case_id: String,
    /// Whether the subject was erased: the texts are gone, the record of what happened stays.
    erased: bool,
    entries: Vec<JournalEntry>,
}

/// Replaces every sealed text inside `value` by its opened text (or `null` when erased); returns whether any
/// was erased. A string is tried only when it decodes to the layout of a sealed value, and it opens only if the
/// subject's key and id authenticate it, so ids, codes and dates are never mistaken for texts.
async fn open_texts(vault: &Vault, subject: SubjectId, value: &mut Value) -> Result<bool, VaultError> {
    let mut erased = false;
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        match value {
            Value::String(text) => {
                let Some(bytes) = STANDARD.decode(text.as_bytes()).ok().filter(|bytes| Vault::looks_sealed(bytes))
                else {
                    continue;
                };
                match vault.open_text(subject, &Sealed::from_bytes(bytes)).await {
                    Ok(Opened::Value(opened)) => *value = Value::String(opened),
                    Ok(Opened::Erased) => {
                        *value = Value::Null;
                        erased = true;
                    }
                    Err(VaultError::Tampered) => {}
                    Err(other) => return Err(other),
                }
            }
            Value::Array(items) => pending.extend(items.iter_mut()),
            Value::Object(fields) => pending.extend(fields.values_mut()),
            _ => {}
        }
    }
    Ok(erased)
}

/// The event's own fields: the payload without its envelope (`command_id`, `occurred_on`).
fn details_of(payload: &str) -> Value {
    let mut value: Value = serde_json::from_str(payload).unwrap_or(Value::Null);
    let Some(fields) = value.as_object_mut() else { return Value::Null };
    fields.remove("command_id");
    fields.remove("occurred_on");
    match fields.len() {
        1 => fields.values().next().cloned().unwrap_or(Value::Null),
        _ => Value::Object(fields.clone()),
    }
}

/// `GET /api/cases/{id}/journal`.
pub(crate) async fn journal(
    State(state): State<Arc<AppState>>,
    content: CaseContent<ReadsJournal>,
) -> Result<Json<Journal>, Problem> {
    let CaseRead { case, subject, .. } = content.read;
    let timeline = projections::timeline::case_timeline(&state.db, &case.to_string()).await?;
    let mut payloads: BTreeMap<(String, String), BTreeMap<i64, String>> = BTreeMap::new();
    for entry in &timeline {
        let key = (entry.aggregate_type.clone(), entry.aggregate_id.clone());
        if payloads.contains_key(&key) {
            continue;
        }
        let sql = if state.db.is_postgres() {
            "select sequence, payload::text from events where aggregate_type = $1 and aggregate_id = $2"
        } else {
            "select sequence, payload from events where aggregate_type = $1 and aggregate_id = $2"
        };
        let rows: Vec<(i64, String)> = projections::on_pool!(state.db, |pool| {
            sqlx::query_as(sql).bind(&key.0).bind(&key.1).fetch_all(pool).await
        })?;
        payloads.insert(key, rows.into_iter().collect());
    }
    let mut erased = false;
    let mut entries = Vec::with_capacity(timeline.len());
    for entry in timeline {
        let payload = payloads
            .get(&(entry.aggregate_type.clone(), entry.aggregate_id.clone()))
            .and_then(|events| events.get(&entry.sequence))
            .ok_or_else(|| Problem::internal(&"a timeline entry without its event"))?;
        let mut details = details_of(payload);
        erased |= open_texts(&state.vault, subject, &mut details).await?;
        entries.push(JournalEntry {
            aggregate_type: entry.aggregate_type,
            aggregate_id: entry.aggregate_id,
            position: entry.position,
            event_type: entry.event_type,
            occurred_on: entry.occurred_on,
            recorded_at_micros: entry.recorded_at_micros,
            actor_user: entry.actor_user,
            actor_role: entry.actor_role,
            actor_unit: entry.actor_unit,
            details,
        });
    }
    Ok(Json(Journal { case_id: case.to_string(), erased, entries }))
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
    let sql = if state.db.is_postgres() {
        "select global_position, event_type, payload::text, metadata::text,
                (extract(epoch from recorded_at) * 1000000)::bigint
           from events where aggregate_type = 'referral' and aggregate_id = $1 order by sequence"
    } else {
        "select p.global_position, e.event_type, e.payload, e.metadata, e.recorded_at
           from events e join event_positions p
             on p.aggregate_type = e.aggregate_type and p.aggregate_id = e.aggregate_id and p.sequence = e.sequence
          where e.aggregate_type = 'referral' and e.aggregate_id = $1 order by e.sequence"
    };
    let rows: Vec<(i64, String, String, String, i64)> =
        projections::on_pool!(state.db, |pool| sqlx::query_as(sql).bind(id.to_string()).fetch_all(pool).await)?;
    let mut erased = false;
    let mut entries = Vec::with_capacity(rows.len());
    for (position, event_type, payload, metadata, recorded_at_micros) in rows {
        let mut details = details_of(&payload);
        erased |= open_texts(&state.vault, subject, &mut details).await?;
        let envelope: Value = serde_json::from_str(&payload).unwrap_or(Value::Null);
        let metadata: Value = serde_json::from_str(&metadata).unwrap_or(Value::Null);
        let text = |value: &Value, key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
        entries.push(JournalEntry {
            aggregate_type: "referral".to_owned(),
            aggregate_id: id.to_string(),
            position,
            event_type,
            occurred_on: text(&envelope, "occurred_on").unwrap_or_default(),
            recorded_at_micros,
            actor_user: text(&metadata, "user"),
            actor_role: text(&metadata, "role"),
            actor_unit: text(&metadata, "unit"),
            details,
        });
    }
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

/// A consent about a case's subject, as the case's unit reads it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ConsentRead {
    consent_id: String,
    /// Who gave it.
    given_by: Vec<domain::consent::ConsentGiver>,
    /// The units that may share information under it.
    parties: Vec<String>,
    /// The kinds of information it covers.
    categories: Vec<domain::categories::InformationCategory>,
    /// What it is for (null after erasure).
    purpose: Option<String>,
    #[schemars(with = "domain::calendar::IsoDate")]
    valid_from: time::Date,
    #[schemars(with = "domain::calendar::IsoDate")]
    valid_to: time::Date,
    /// The date it was revoked, if it was.
    #[schemars(with = "Option<domain::calendar::IsoDate>")]
    revoked_on: Option<time::Date>,
}

/// `GET /api/cases/{id}/consents`: every consent recorded about the case's subject, newest first, with its
/// purpose opened — what a worker names when sending a referral. Read through the case's access control and
/// recorded in the access log as "consents".
pub(crate) async fn consents(
    State(state): State<Arc<AppState>>,
    content: CaseContent<ReadsConsents>,
) -> Result<Json<Vec<ConsentRead>>, Problem> {
    use domain::consent::{Consent, ConsentEvent};
    let subject = content.read.subject;
    let sql = if state.db.is_postgres() {
        "select aggregate_id from events where aggregate_type = 'consent' and event_type = 'ConsentGiven'
            and payload -> 'ConsentGiven' ->> 'subject' = $1"
    } else {
        "select aggregate_id from events where aggregate_type = 'consent' and event_type = 'ConsentGiven'
            and json_extract(payload, '$.ConsentGiven.subject') = $1"
    };
    let ids: Vec<String> = projections::on_pool!(state.db, |pool| sqlx::query_scalar(sql)
        .bind(subject.to_string())
        .fetch_all(pool)
        .await)?;
    let mut read = Vec::with_capacity(ids.len());
    for consent_id in ids {
        let mut purpose = None;
        let consent: Consent =
            projections::replay::replay(&state.db, "consent", &consent_id, None, |stamped: &Stamped<ConsentEvent>| {
                if let ConsentEvent::ConsentGiven { purpose: sealed, .. } = &stamped.event {
                    purpose = Some(sealed.clone());
                }
            })
            .await?;
        let (Some(terms), Some(sealed)) = (consent.terms, purpose) else { continue };
        let purpose = match state.vault.open_text(subject, &sealed).await? {
            Opened::Value(text) => Some(text),
            Opened::Erased => None,
        };
        read.push(ConsentRead {
            consent_id,
            given_by: terms.given_by.into_iter().collect(),
            parties: terms.parties.iter().map(ToString::to_string).collect(),
            categories: terms.categories.into_iter().collect(),
            purpose,
            valid_from: terms.valid_from,
            valid_to: terms.valid_to,
            revoked_on: consent.revoked_on,
        });
    }
    read.sort_by(|a, b| b.valid_from.cmp(&a.valid_from).then_with(|| b.consent_id.cmp(&a.consent_id)));
    Ok(Json(read))
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
