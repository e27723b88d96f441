//! Reading a case file with its texts: the journal (every event of the case and of its referrals, texts opened
//! under the subject's key), a referral's own events, and the consents about a subject. The reads behind
//! `GET /api/cases/{id}/journal`, `/consents`, `GET /api/referrals/{id}` and the case and referral pages; the
//! caller has checked the read and recorded it in the access log (`super::reads`).

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use domain::event::Stamped;
use domain::ids::{CaseId, ReferralId, SubjectId};
use domain::sealed::Sealed;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use super::{ActionError, Handles};
use crate::personal::{Opened, Vault, VaultError};

/// One entry of a case's journal.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct JournalEntry {
    /// `case` or `referral`.
    pub aggregate_type: String,
    /// Which case or referral.
    pub aggregate_id: String,
    /// The event's position in the log.
    pub position: i64,
    /// What happened (`NoteAppended`, `InvestigationCompleted`, …).
    pub event_type: String,
    /// The date it happened.
    pub occurred_on: String,
    /// When it was recorded (microseconds since the Unix epoch).
    pub recorded_at_micros: i64,
    /// Who acted, in which role, for which unit.
    pub actor_user: Option<String>,
    pub actor_role: Option<String>,
    pub actor_unit: Option<String>,
    /// The event's fields, with its texts opened (`null` where the subject was erased).
    pub details: Value,
    /// The texts written into it, opened, in the order of its fields (none when erased).
    #[serde(skip)]
    pub texts: Vec<String>,
}

/// A case's journal.
#[derive(Debug, Clone)]
pub struct CaseJournal {
    /// Whether the subject was erased: the texts are gone, the record of what happened stays.
    pub erased: bool,
    /// Its entries, oldest first.
    pub entries: Vec<JournalEntry>,
}

/// Replaces every sealed text inside `value` by its opened text (or `null` when erased); answers whether any was
/// erased and the opened texts. A string is tried only when it decodes to the layout of a sealed value, and it
/// opens only if the subject's key and id authenticate it, so ids, codes and dates are never mistaken for texts.
async fn open_texts(vault: &Vault, subject: SubjectId, value: &mut Value) -> Result<(bool, Vec<String>), VaultError> {
    let mut erased = false;
    let mut texts = Vec::new();
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        match value {
            Value::String(text) => {
                let Some(bytes) = STANDARD.decode(text.as_bytes()).ok().filter(|bytes| Vault::looks_sealed(bytes))
                else {
                    continue;
                };
                match vault.open_text(subject, &Sealed::from_bytes(bytes)).await {
                    Ok(Opened::Value(opened)) => {
                        texts.push(opened.clone());
                        *value = Value::String(opened);
                    }
                    Ok(Opened::Erased) => {
                        *value = Value::Null;
                        erased = true;
                    }
                    Err(VaultError::Tampered) => {}
                    Err(other) => return Err(other),
                }
            }
            // Kept in the fields' order: the stack takes the last first.
            Value::Array(items) => pending.extend(items.iter_mut().rev()),
            Value::Object(fields) => pending.extend(fields.values_mut().rev()),
            _ => {}
        }
    }
    Ok((erased, texts))
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

/// The journal of `case` about `subject`: every event of the case and of its referrals in the log's order.
pub async fn case_journal(handles: Handles<'_>, case: CaseId, subject: SubjectId) -> Result<CaseJournal, ActionError> {
    let db = handles.db();
    let timeline = projections::timeline::case_timeline(db, &case.to_string()).await?;
    let mut payloads: BTreeMap<(String, String), BTreeMap<i64, String>> = BTreeMap::new();
    for entry in &timeline {
        let key = (entry.aggregate_type.clone(), entry.aggregate_id.clone());
        if payloads.contains_key(&key) {
            continue;
        }
        let sql = if db.is_postgres() {
            "select sequence, payload::text from events where aggregate_type = $1 and aggregate_id = $2"
        } else {
            "select sequence, payload from events where aggregate_type = $1 and aggregate_id = $2"
        };
        let rows: Vec<(i64, String)> =
            projections::on_pool!(db, |pool| { sqlx::query_as(sql).bind(&key.0).bind(&key.1).fetch_all(pool).await })?;
        payloads.insert(key, rows.into_iter().collect());
    }
    let mut erased = false;
    let mut entries = Vec::with_capacity(timeline.len());
    for entry in timeline {
        let payload = payloads
            .get(&(entry.aggregate_type.clone(), entry.aggregate_id.clone()))
            .and_then(|events| events.get(&entry.sequence))
            .ok_or_else(|| ActionError::Internal("a timeline entry without its event".into()))?;
        let mut details = details_of(payload);
        let (gone, texts) = open_texts(handles.vault, subject, &mut details).await?;
        erased |= gone;
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
            texts,
        });
    }
    Ok(CaseJournal { erased, entries })
}

/// The events of referral `referral` about `subject`, with their texts opened; and whether the subject was erased.
pub async fn referral_entries(
    handles: Handles<'_>,
    referral: ReferralId,
    subject: SubjectId,
) -> Result<CaseJournal, ActionError> {
    let db = handles.db();
    let sql = if db.is_postgres() {
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
        projections::on_pool!(db, |pool| sqlx::query_as(sql).bind(referral.to_string()).fetch_all(pool).await)?;
    let mut erased = false;
    let mut entries = Vec::with_capacity(rows.len());
    for (position, event_type, payload, metadata, recorded_at_micros) in rows {
        let mut details = details_of(&payload);
        let (gone, texts) = open_texts(handles.vault, subject, &mut details).await?;
        erased |= gone;
        let envelope: Value = serde_json::from_str(&payload).unwrap_or(Value::Null);
        let metadata: Value = serde_json::from_str(&metadata).unwrap_or(Value::Null);
        let text = |value: &Value, key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
        entries.push(JournalEntry {
            aggregate_type: "referral".to_owned(),
            aggregate_id: referral.to_string(),
            position,
            event_type,
            occurred_on: text(&envelope, "occurred_on").unwrap_or_default(),
            recorded_at_micros,
            actor_user: text(&metadata, "user"),
            actor_role: text(&metadata, "role"),
            actor_unit: text(&metadata, "unit"),
            details,
            texts,
        });
    }
    Ok(CaseJournal { erased, entries })
}

/// A consent about a subject, as a unit holding their case reads it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ConsentRead {
    /// The consent.
    pub consent_id: String,
    /// Who gave it.
    pub given_by: Vec<domain::consent::ConsentGiver>,
    /// The units that may share information under it.
    pub parties: Vec<String>,
    /// The kinds of information it covers.
    pub categories: Vec<domain::categories::InformationCategory>,
    /// What it is for (null after erasure).
    pub purpose: Option<String>,
    /// From.
    #[schemars(with = "domain::calendar::IsoDate")]
    pub valid_from: time::Date,
    /// To.
    #[schemars(with = "domain::calendar::IsoDate")]
    pub valid_to: time::Date,
    /// The date it was revoked, if it was.
    #[schemars(with = "Option<domain::calendar::IsoDate>")]
    pub revoked_on: Option<time::Date>,
}

/// Every consent recorded about `subject`, newest first, its purpose opened.
pub async fn consents_about(handles: Handles<'_>, subject: SubjectId) -> Result<Vec<ConsentRead>, ActionError> {
    use domain::consent::{Consent, ConsentEvent};
    let db = handles.db();
    let sql = if db.is_postgres() {
        "select aggregate_id from events where aggregate_type = 'consent' and event_type = 'ConsentGiven'
            and payload -> 'ConsentGiven' ->> 'subject' = $1"
    } else {
        "select aggregate_id from events where aggregate_type = 'consent' and event_type = 'ConsentGiven'
            and json_extract(payload, '$.ConsentGiven.subject') = $1"
    };
    let ids: Vec<String> =
        projections::on_pool!(db, |pool| sqlx::query_scalar(sql).bind(subject.to_string()).fetch_all(pool).await)?;
    let mut read = Vec::with_capacity(ids.len());
    for consent_id in ids {
        let mut purpose = None;
        let consent: Consent =
            projections::replay::replay(db, "consent", &consent_id, None, |stamped: &Stamped<ConsentEvent>| {
                if let ConsentEvent::ConsentGiven { purpose: sealed, .. } = &stamped.event {
                    purpose = Some(sealed.clone());
                }
            })
            .await?;
        let (Some(terms), Some(sealed)) = (consent.terms, purpose) else { continue };
        let purpose = match handles.vault.open_text(subject, &sealed).await? {
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
    Ok(read)
}
