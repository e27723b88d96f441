//! Retention (gallring) over the log: gather each subject's facts from the feed, decide with the domain's
//! policy, and clear (erase) the files that are due, recording each clearing.

use std::collections::{BTreeMap, BTreeSet};

use domain::case::CaseEvent;
use domain::consent::ConsentEvent;
use domain::event::Stamped;
use domain::ids::SubjectId;
use domain::referral::ReferralEvent;
use domain::retention::{decide_retention, RetentionDecision, RetentionFacts, RetentionPolicy};
use domain::sealed::Sealed;
use domain::subject::{ErasureGround, SubjectEvent};
use projections::db::Db;
use projections::feed::{self, FeedCursor, FeedEvent};
use time::Date;

use super::{erase_subject, operator_context, ErasureError, Opened, Vault, VaultError};
use crate::event_log::commands::{CommandBus, EventMetadata};

/// Why retention could not run.
#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    /// The store failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// An event in the log could not be read as its type.
    #[error("event {aggregate_type} {aggregate_id} #{sequence} cannot be read: {reason}")]
    UnreadableEvent {
        /// Its aggregate type.
        aggregate_type: String,
        /// Its aggregate.
        aggregate_id: String,
        /// Its sequence.
        sequence: i64,
        /// Why.
        reason: String,
    },
    /// A sealed identity could not be opened.
    #[error("{0}")]
    Vault(#[from] VaultError),
    /// A clearing failed.
    #[error("{0}")]
    Erasure(#[from] ErasureError),
}

/// One subject's file and what to do with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionEntry {
    /// The subject.
    pub subject: SubjectId,
    /// The facts the decision rests on.
    pub facts: RetentionFacts,
    /// The decision.
    pub decision: RetentionDecision,
}

#[derive(Default)]
struct Gathered {
    facts: BTreeMap<SubjectId, RetentionFacts>,
    identities: BTreeMap<SubjectId, Sealed>,
    erased: BTreeSet<SubjectId>,
    owners: BTreeMap<String, SubjectId>,
    open_cases: BTreeMap<String, bool>,
}

impl Gathered {
    fn touch(&mut self, subject: SubjectId, on: Date) -> &mut RetentionFacts {
        let facts = self.facts.entry(subject).or_default();
        facts.last_entry_on = Some(facts.last_entry_on.map_or(on, |last| last.max(on)));
        facts
    }

    fn read(&mut self, event: &FeedEvent) -> Result<(), RetentionError> {
        let unreadable = |reason: serde_json::Error| RetentionError::UnreadableEvent {
            aggregate_type: event.aggregate_type.clone(),
            aggregate_id: event.aggregate_id.clone(),
            sequence: event.sequence,
            reason: reason.to_string(),
        };
        let owner = self.owners.get(&event.aggregate_id).copied();
        match event.aggregate_type.as_str() {
            "subject" => {
                let stamped: Stamped<SubjectEvent> = serde_json::from_str(&event.payload).map_err(unreadable)?;
                let Ok(subject) = SubjectId::parse(&event.aggregate_id) else { return Ok(()) };
                let on = stamped.occurred_on;
                match stamped.event {
                    SubjectEvent::SubjectRegistered { identity, .. }
                    | SubjectEvent::SubjectIdentityCorrected { identity, .. } => {
                        self.identities.insert(subject, identity);
                    }
                    SubjectEvent::LegalHoldPlaced { hold } => {
                        self.touch(subject, on).holds.insert(hold);
                    }
                    SubjectEvent::LegalHoldReleased { hold } => {
                        self.touch(subject, on).holds.remove(&hold);
                    }
                    SubjectEvent::SubjectErased { .. } => {
                        self.erased.insert(subject);
                    }
                    _ => {}
                }
                self.touch(subject, on);
            }
            "referral" => {
                let stamped: Stamped<ReferralEvent> = serde_json::from_str(&event.payload).map_err(unreadable)?;
                let subject = match &stamped.event {
                    ReferralEvent::ReferralSent { subject, .. }
                    | ReferralEvent::ReportRegistered { subject, .. }
                    | ReferralEvent::ApplicationRegistered { subject, .. } => {
                        self.owners.insert(event.aggregate_id.clone(), *subject);
                        Some(*subject)
                    }
                    _ => owner,
                };
                if let Some(subject) = subject {
                    self.touch(subject, stamped.occurred_on);
                }
            }
            "case" => {
                let stamped: Stamped<CaseEvent> = serde_json::from_str(&event.payload).map_err(unreadable)?;
                let subject = match &stamped.event {
                    CaseEvent::CaseOpened { subject, .. } => {
                        self.owners.insert(event.aggregate_id.clone(), *subject);
                        Some(*subject)
                    }
                    _ => owner,
                };
                match &stamped.event {
                    CaseEvent::CaseOpened { .. } | CaseEvent::CaseReopened { .. } => {
                        self.open_cases.insert(event.aggregate_id.clone(), true);
                    }
                    CaseEvent::CaseClosed { .. } => {
                        self.open_cases.insert(event.aggregate_id.clone(), false);
                    }
                    _ => {}
                }
                if let Some(subject) = subject {
                    let facts = self.touch(subject, stamped.occurred_on);
                    if matches!(stamped.event, CaseEvent::InterventionDecided { kind, .. } if kind.is_placement()) {
                        facts.placed = true;
                    }
                }
            }
            "consent" => {
                let stamped: Stamped<ConsentEvent> = serde_json::from_str(&event.payload).map_err(unreadable)?;
                let subject = match &stamped.event {
                    ConsentEvent::ConsentGiven { subject, .. } => {
                        self.owners.insert(event.aggregate_id.clone(), *subject);
                        Some(*subject)
                    }
                    _ => owner,
                };
                if let Some(subject) = subject {
                    self.touch(subject, stamped.occurred_on);
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Decides, for every subject not yet erased, what retention does with their file on `today`.
pub async fn plan(
    db: &Db,
    vault: &Vault,
    policy: RetentionPolicy,
    today: Date,
) -> Result<Vec<RetentionEntry>, RetentionError> {
    let mut gathered = Gathered::default();
    let mut cursor = FeedCursor::default();
    loop {
        let batch = feed::read(db, cursor, 1000).await?;
        let Some(last) = batch.last() else { break };
        cursor = last.cursor;
        for event in &batch {
            gathered.read(event)?;
        }
    }
    for (case, open) in &gathered.open_cases {
        if let (true, Some(subject)) = (*open, gathered.owners.get(case).copied()) {
            gathered.facts.entry(subject).or_default().open_case = true;
        }
    }
    let mut entries = Vec::new();
    for (subject, mut facts) in std::mem::take(&mut gathered.facts) {
        if gathered.erased.contains(&subject) {
            continue;
        }
        if let Some(sealed) = gathered.identities.get(&subject) {
            if let Opened::Value(identity) = vault.open_identity(subject, sealed).await? {
                facts.birth_day = identity.number.map(|number| number.date_part().day());
            }
        }
        let decision = decide_retention(&facts, policy, today);
        entries.push(RetentionEntry { subject, facts, decision });
    }
    Ok(entries)
}

/// Clears every file the plan says to clear, each recorded as an erasure on the ground of the policy's rule.
/// Returns how many were cleared.
pub async fn apply(
    bus: &CommandBus,
    vault: &Vault,
    entries: &[RetentionEntry],
    policy: RetentionPolicy,
    today: Date,
) -> Result<usize, RetentionError> {
    let mut cleared = 0;
    for entry in entries.iter().filter(|entry| matches!(entry.decision, RetentionDecision::Clear { .. })) {
        let ground = ErasureGround::Retention { rule: policy.rule() };
        erase_subject(bus, vault, entry.subject, ground, operator_context(today), &EventMetadata::default()).await?;
        cleared += 1;
    }
    Ok(cleared)
}
