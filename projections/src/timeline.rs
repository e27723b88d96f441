//! The case timeline for auditors: every event of a case and of the referrals linked to it, in feed order, with
//! who acted and when it happened and was recorded; and a case's state as of any log position or moment,
//! replayed from the log itself.

use domain::case::{Case, CaseEvent, CaseOrigin};
use domain::event::Stamped;
use domain::referral::ReferralEvent;
use serde::Serialize;

use crate::db::Db;
use crate::feed::FeedEvent;
use crate::on_pool;
use crate::replay::AsOf;
use crate::runner::{status, Arg, Projection, ProjectionError, Write};

/// The timeline projection.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timeline;

const ENTRY_COLUMNS: &[&str] = &[
    "aggregate_type",
    "aggregate_id",
    "sequence",
    "global_position",
    "event_type",
    "occurred_on",
    "recorded_at_micros",
    "actor_user",
    "actor_role",
    "actor_unit",
];

impl Projection for Timeline {
    fn name(&self) -> &'static str {
        "timeline"
    }

    fn tables(&self) -> &'static [(&'static str, &'static [&'static str])] {
        &[("timeline_entries", ENTRY_COLUMNS), ("timeline_links", &["case_id", "referral_id"])]
    }

    fn apply(&self, event: &FeedEvent, generation: i64) -> Result<Vec<Write>, ProjectionError> {
        let link = match event.aggregate_type.as_str() {
            "case" => {
                let stamped: Stamped<CaseEvent> =
                    serde_json::from_str(&event.payload).map_err(|error| ProjectionError::unreadable(event, error))?;
                match stamped.event {
                    CaseEvent::CaseOpened {
                        origin: CaseOrigin::Referral(referral) | CaseOrigin::Application(referral),
                        ..
                    } => Some((event.aggregate_id.clone(), referral.to_string())),
                    _ => None,
                }
            }
            "referral" => {
                let stamped: Stamped<ReferralEvent> =
                    serde_json::from_str(&event.payload).map_err(|error| ProjectionError::unreadable(event, error))?;
                match stamped.event {
                    ReferralEvent::ReferralAccepted { case } => Some((case.to_string(), event.aggregate_id.clone())),
                    _ => None,
                }
            }
            _ => return Ok(Vec::new()),
        };
        let occurred_on = serde_json::from_str::<serde_json::Value>(&event.payload)
            .ok()
            .and_then(|payload| payload["occurred_on"].as_str().map(str::to_owned))
            .unwrap_or_default();
        let metadata: serde_json::Value = serde_json::from_str(&event.metadata).unwrap_or_default();
        let actor = |key: &str| Arg::from(metadata[key].as_str().map(str::to_owned));
        let mut writes = vec![Write::new(
            "insert into timeline_entries (generation, aggregate_type, aggregate_id, sequence, log_epoch, tx, global_position,
                                           event_type, occurred_on, recorded_at_micros, actor_user, actor_role, actor_unit)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            vec![
                Arg::Int(generation),
                event.aggregate_type.clone().into(),
                event.aggregate_id.clone().into(),
                event.sequence.into(),
                event.cursor.epoch.into(),
                event.cursor.tx.into(),
                event.cursor.position.into(),
                event.event_type.clone().into(),
                occurred_on.into(),
                event.recorded_at_micros.into(),
                actor("user"),
                actor("role"),
                actor("unit"),
            ],
        )];
        if let Some((case, referral)) = link {
            writes.push(Write::new(
                "insert into timeline_links (generation, case_id, referral_id) values ($1, $2, $3) on conflict do nothing",
                vec![Arg::Int(generation), case.into(), referral.into()],
            ));
        }
        Ok(writes)
    }
}

/// One line of a case's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct TimelineEntry {
    /// `case` or `referral`.
    pub aggregate_type: String,
    /// Which case or referral.
    pub aggregate_id: String,
    /// Its sequence there.
    pub sequence: i64,
    /// Its log position.
    pub position: i64,
    /// The event type.
    pub event_type: String,
    /// The date it happened.
    pub occurred_on: String,
    /// When it was recorded (microseconds since the Unix epoch).
    pub recorded_at_micros: i64,
    /// Who acted.
    pub actor_user: Option<String>,
    /// In which role.
    pub actor_role: Option<String>,
    /// For which unit.
    pub actor_unit: Option<String>,
}

type EntryRow = (String, String, i64, i64, String, String, i64, Option<String>, Option<String>, Option<String>);

/// Every event of `case` and of its referrals, in feed order.
pub async fn case_timeline(db: &Db, case: &str) -> Result<Vec<TimelineEntry>, sqlx::Error> {
    let generation = status(db, "timeline").await?.generation;
    let rows: Vec<EntryRow> = on_pool!(db, |pool| {
        sqlx::query_as(
            // Two lookups by the primary key, not one OR (which the planner can only answer by scanning).
            "select aggregate_type, aggregate_id, sequence, global_position, event_type, occurred_on, recorded_at_micros,
                    actor_user, actor_role, actor_unit
               from (select * from timeline_entries e
                      where e.generation = $1 and e.aggregate_type = 'case' and e.aggregate_id = $2
                     union all
                     select e.* from timeline_links l
                       join timeline_entries e
                         on e.generation = $1 and e.aggregate_type = 'referral' and e.aggregate_id = l.referral_id
                      where l.generation = $1 and l.case_id = $2) entries
              order by log_epoch, tx, global_position",
        )
        .bind(generation)
        .bind(case)
        .fetch_all(pool)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(
            |(
                aggregate_type,
                aggregate_id,
                sequence,
                position,
                event_type,
                occurred_on,
                recorded_at_micros,
                actor_user,
                actor_role,
                actor_unit,
            )| {
                TimelineEntry {
                    aggregate_type,
                    aggregate_id,
                    sequence,
                    position,
                    event_type,
                    occurred_on,
                    recorded_at_micros,
                    actor_user,
                    actor_role,
                    actor_unit,
                }
            },
        )
        .collect())
}

/// A case's state as of `as_of`, replayed from the log (not from a projection): exactly what the aggregate was.
pub async fn case_state_as_of(db: &Db, case: &str, as_of: AsOf) -> Result<Case, ProjectionError> {
    crate::replay::replay(db, "case", case, Some(as_of), |_| {}).await.map_err(|error| match error {
        crate::replay::ReplayError::Store(error) => ProjectionError::from(error),
        crate::replay::ReplayError::Payload { source, .. } => ProjectionError::Unreadable {
            aggregate_type: "case".to_owned(),
            aggregate_id: case.to_owned(),
            sequence: -1,
            reason: source.to_string(),
        },
    })
}

/// The case's own events straight from the log (not a projection), up to `as_of`: what `lots replay` prints.
pub async fn case_events_from_log(db: &Db, case: &str, as_of: AsOf) -> Result<Vec<TimelineEntry>, sqlx::Error> {
    let (position, recorded) = match as_of {
        AsOf::Position(position) => (position, i64::MAX),
        AsOf::RecordedAt(micros) => (i64::MAX, micros),
    };
    let rows: Vec<(i64, i64, String, String, String, i64)> = match db.backend() {
        crate::db::Backend::Postgres(pool) => {
            sqlx::query_as(
                "select sequence, global_position, event_type, payload::text, metadata::text,
                        (extract(epoch from recorded_at) * 1000000)::bigint
                   from events where aggregate_type = 'case' and aggregate_id = $1 and global_position <= $2
                    and (extract(epoch from recorded_at) * 1000000)::bigint <= $3
                  order by sequence",
            )
            .bind(case)
            .bind(position)
            .bind(recorded)
            .fetch_all(pool)
            .await?
        }
        crate::db::Backend::Sqlite(pool) => {
            sqlx::query_as(
                "select e.sequence, p.global_position, e.event_type, e.payload, e.metadata, e.recorded_at
                   from events e join event_positions p on p.aggregate_type = e.aggregate_type
                    and p.aggregate_id = e.aggregate_id and p.sequence = e.sequence
                  where e.aggregate_type = 'case' and e.aggregate_id = $1 and p.global_position <= $2 and e.recorded_at <= $3
                  order by e.sequence",
            )
            .bind(case)
            .bind(position)
            .bind(recorded)
            .fetch_all(pool)
            .await?
        }
    };
    Ok(rows
        .into_iter()
        .map(|(sequence, position, event_type, payload, metadata, recorded_at_micros)| {
            let payload: serde_json::Value = serde_json::from_str(&payload).unwrap_or_default();
            let metadata: serde_json::Value = serde_json::from_str(&metadata).unwrap_or_default();
            let actor = |key: &str| metadata[key].as_str().map(str::to_owned);
            TimelineEntry {
                aggregate_type: "case".to_owned(),
                aggregate_id: case.to_owned(),
                sequence,
                position,
                event_type,
                occurred_on: payload["occurred_on"].as_str().unwrap_or_default().to_owned(),
                recorded_at_micros,
                actor_user: actor("user"),
                actor_role: actor("role"),
                actor_unit: actor("unit"),
            }
        })
        .collect())
}
