//! Outcomes: facts per subject (the clear statistics attributes), case and intervention, aggregated when read
//! into one breakdown at a time, every count suppressed for small cells, and every cell traceable to the cases
//! and log positions behind it (for auditors).

use std::collections::{BTreeMap, BTreeSet};

use domain::case::CaseEvent;
use domain::event::Stamped;
use domain::referral::{ReferralEvent, ReferralKind, ReferralStatus};
use domain::subject::SubjectEvent;
use time::Date;

use crate::caseload::name_of;
use crate::db::Db;
use crate::feed::FeedEvent;
pub use crate::figures::{Breakdown, DaysStatistic, Measure, OutcomeReport};
use crate::figures::{Child, Fact, FactKind, Period, MIN_CHILDREN};
use crate::on_pool;
use crate::runner::{status, Arg, Projection, ProjectionError, Write};

/// Every concern, comma-separated, as the figures count them.
fn all_concerns(concerns: &std::collections::BTreeSet<domain::categories::ConcernCategory>) -> Arg {
    Arg::Text(concerns.iter().map(name_of).collect::<Vec<_>>().join(","))
}

/// The outcomes projection.
#[derive(Debug, Clone, Copy, Default)]
pub struct Outcomes;

const REFERRAL_COLUMNS: &[&str] = &[
    "referral_id",
    "subject_id",
    "kind",
    "to_unit",
    "concern",
    "sent_on",
    "status",
    "decided_on",
    "decline_reason",
    "last_position",
    "concerns",
];
const FOLLOWUP_COLUMNS: &[&str] =
    &["case_id", "intervention_id", "goal_id", "followed_up_on", "score", "last_position"];
const SUBJECT_COLUMNS: &[&str] = &["subject_id", "birth_year", "sex", "district", "last_position"];
const CASE_COLUMNS: &[&str] = &[
    "case_id",
    "subject_id",
    "unit_id",
    "concern",
    "received_on",
    "preliminary_decided_on",
    "investigation_started_on",
    "investigation_due_on",
    "investigation_completed_on",
    "investigation_on_time",
    "last_position",
    "concerns",
];
const INTERVENTION_COLUMNS: &[&str] =
    &["case_id", "intervention_id", "kind", "decided_on", "started_on", "outcome", "last_position"];

impl Projection for Outcomes {
    fn name(&self) -> &'static str {
        "outcomes"
    }

    fn tables(&self) -> &'static [(&'static str, &'static [&'static str])] {
        &[
            ("outcome_subjects", SUBJECT_COLUMNS),
            ("outcome_cases", CASE_COLUMNS),
            ("outcome_interventions", INTERVENTION_COLUMNS),
            ("outcome_referrals", REFERRAL_COLUMNS),
            ("outcome_followups", FOLLOWUP_COLUMNS),
        ]
    }

    fn apply(&self, event: &FeedEvent, generation: i64) -> Result<Vec<Write>, ProjectionError> {
        let g = Arg::Int(generation);
        let id = Arg::Text(event.aggregate_id.clone());
        let position = Arg::Int(event.cursor.position);
        match event.aggregate_type.as_str() {
            "subject" => {
                let stamped: Stamped<SubjectEvent> =
                    serde_json::from_str(&event.payload).map_err(|error| ProjectionError::unreadable(event, error))?;
                let (SubjectEvent::SubjectRegistered { statistics, .. }
                | SubjectEvent::SubjectIdentityCorrected { statistics, .. }) = stamped.event
                else {
                    return Ok(Vec::new());
                };
                // The statistics attributes stay after erasure: outcome counts must not change when a person is erased.
                Ok(vec![Write::new(
                    "insert into outcome_subjects (generation, subject_id, last_position, birth_year, sex, district)
                     values ($1, $2, $3, $4, $5, $6)
                     on conflict (generation, subject_id) do update
                        set last_position = $3, birth_year = $4, sex = $5, district = $6",
                    vec![
                        g,
                        id,
                        position,
                        statistics.birth_year.map(i64::from).into(),
                        statistics.sex.map(|sex| name_of(&sex)).into(),
                        statistics.district.to_string().into(),
                    ],
                )])
            }
            "referral" => {
                let stamped: Stamped<ReferralEvent> =
                    serde_json::from_str(&event.payload).map_err(|error| ProjectionError::unreadable(event, error))?;
                let on = Arg::Text(stamped.occurred_on.to_string());
                let status = |status: ReferralStatus| Arg::Text(name_of(&status));
                let decided = |status_arg: Arg, reason: Arg| {
                    Ok(vec![Write::new(
                        "update outcome_referrals set last_position = $3, status = $4, decided_on = $5, decline_reason = $6
                          where generation = $1 and referral_id = $2",
                        vec![g.clone(), id.clone(), position.clone(), status_arg, on.clone(), reason],
                    )])
                };
                let insert = |kind: ReferralKind,
                              subject: domain::ids::SubjectId,
                              to_unit: domain::ids::UnitId,
                              concerns: &std::collections::BTreeSet<domain::categories::ConcernCategory>,
                              initial: ReferralStatus| {
                    Ok(vec![Write::new(
                        "insert into outcome_referrals (generation, referral_id, last_position, kind, subject_id, to_unit, concern, sent_on, status, concerns)
                         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                        vec![g.clone(), id.clone(), position.clone(), name_of(&kind).into(), subject.to_string().into(), to_unit.to_string().into(), concerns.iter().next().map(name_of).unwrap_or_default().into(), on.clone(), status(initial), all_concerns(concerns)],
                    )])
                };
                match stamped.event {
                    ReferralEvent::ReferralSent { kind, subject, to_unit, concerns, .. } => {
                        insert(kind, subject, to_unit, &concerns, ReferralStatus::Sent)
                    }
                    ReferralEvent::ReportRegistered { subject, to_unit, concerns, .. } => {
                        insert(ReferralKind::ReportOfConcern, subject, to_unit, &concerns, ReferralStatus::Received)
                    }
                    ReferralEvent::ApplicationRegistered { subject, to_unit, concerns, .. } => {
                        insert(ReferralKind::Application, subject, to_unit, &concerns, ReferralStatus::Received)
                    }
                    ReferralEvent::ReferralAccepted { .. } => decided(status(ReferralStatus::Accepted), Arg::Null),
                    ReferralEvent::ReferralDeclined { reason_code, .. } => {
                        decided(status(ReferralStatus::Declined), name_of(&reason_code).into())
                    }
                    ReferralEvent::ReferralForwarded { .. } => decided(status(ReferralStatus::Forwarded), Arg::Null),
                    ReferralEvent::ReferralWithdrawn { .. } => decided(status(ReferralStatus::Withdrawn), Arg::Null),
                    ReferralEvent::ReportHandedOver { .. } => decided(status(ReferralStatus::HandedOver), Arg::Null),
                    _ => Ok(Vec::new()),
                }
            }
            "case" => {
                let stamped: Stamped<CaseEvent> =
                    serde_json::from_str(&event.payload).map_err(|error| ProjectionError::unreadable(event, error))?;
                let on = Arg::Text(stamped.occurred_on.to_string());
                let update = |sql: &'static str, mut args: Vec<Arg>| {
                    let mut all = vec![g.clone(), id.clone(), position.clone()];
                    all.append(&mut args);
                    Ok(vec![Write::new(sql, all)])
                };
                match stamped.event {
                    CaseEvent::CaseOpened { subject, unit, concerns, .. } => Ok(vec![Write::new(
                        "insert into outcome_cases (generation, case_id, last_position, subject_id, unit_id, concern, received_on, concerns)
                         values ($1, $2, $3, $4, $5, $6, $7, $8)",
                        vec![g.clone(), id.clone(), position.clone(), subject.to_string().into(), unit.to_string().into(), concerns.iter().next().map(name_of).unwrap_or_default().into(), on, all_concerns(&concerns)],
                    )]),
                    // The 14 days count from receipt.
                    CaseEvent::ReceivedBeforeOpening { received_on } => update(
                        "update outcome_cases set last_position = $3, received_on = $4 where generation = $1 and case_id = $2",
                        vec![received_on.to_string().into()],
                    ),
                    CaseEvent::PreliminaryAssessmentDecided { .. } => update(
                        "update outcome_cases set last_position = $3, preliminary_decided_on = coalesce(preliminary_decided_on, $4)
                          where generation = $1 and case_id = $2",
                        vec![on],
                    ),
                    CaseEvent::InvestigationStarted { due_on, .. } => update(
                        "update outcome_cases set last_position = $3, investigation_started_on = coalesce(investigation_started_on, $4),
                                investigation_due_on = coalesce(investigation_due_on, $5)
                          where generation = $1 and case_id = $2",
                        vec![on, due_on.to_string().into()],
                    ),
                    CaseEvent::InvestigationCompleted { .. } => update(
                        "update outcome_cases set last_position = $3, investigation_completed_on = $4,
                                investigation_on_time = case when $4 <= investigation_due_on then 1 else 0 end
                          where generation = $1 and case_id = $2 and investigation_completed_on is null",
                        vec![on],
                    ),
                    CaseEvent::InterventionDecided { intervention, kind, .. } => update(
                        "insert into outcome_interventions (generation, case_id, last_position, intervention_id, kind, decided_on)
                         values ($1, $2, $3, $4, $5, $6)",
                        vec![intervention.to_string().into(), name_of(&kind).into(), on],
                    ),
                    CaseEvent::InterventionStarted { intervention } => update(
                        "update outcome_interventions set last_position = $3, started_on = $5
                          where generation = $1 and case_id = $2 and intervention_id = $4",
                        vec![intervention.to_string().into(), on],
                    ),
                    CaseEvent::InterventionFollowedUp { intervention, attainments, .. } => Ok(attainments
                        .into_iter()
                        .map(|(goal, attainment)| {
                            Write::new(
                                "insert into outcome_followups (generation, case_id, last_position, intervention_id, goal_id, followed_up_on, score)
                                 values ($1, $2, $3, $4, $5, $6, $7)",
                                vec![g.clone(), id.clone(), position.clone(), intervention.to_string().into(), goal.to_string().into(), on.clone(), i64::from(attainment.score()).into()],
                            )
                        })
                        .collect()),
                    CaseEvent::InterventionEnded { intervention, outcome, .. } => update(
                        "update outcome_interventions set last_position = $3, outcome = $5
                          where generation = $1 and case_id = $2 and intervention_id = $4",
                        vec![intervention.to_string().into(), name_of(&outcome).into()],
                    ),
                    _ => Ok(Vec::new()),
                }
            }
            _ => Ok(Vec::new()),
        }
    }
}

/// The facts of `year` and the children they are about, read from the outcomes view.
pub async fn facts(db: &Db, generation: i64, year: i32) -> Result<(Vec<Fact>, BTreeMap<String, Child>), sqlx::Error> {
    let (first, last) = (Period::Year(year).first_day().to_string(), Period::Year(year).last_day().to_string());
    let concerns = |text: Option<String>| -> Vec<String> {
        text.map(|text| text.split(',').filter(|concern| !concern.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default()
    };
    let day = |text: &str| Date::parse(text, time::macros::format_description!("[year]-[month]-[day]")).ok();
    type CaseRow = (
        String,
        String,
        String,
        Option<String>,
        String,
        Option<String>,
        Option<String>,
        Option<i64>,
        i64,
        Option<String>,
    );
    let cases: Vec<CaseRow> = on_pool!(db, |pool| {
        sqlx::query_as(
            "select c.case_id, c.subject_id, c.unit_id, coalesce(c.concerns, c.concern), c.received_on, c.preliminary_decided_on,
                    c.investigation_completed_on, c.investigation_on_time, c.last_position,
                    (select min(i.started_on) from outcome_interventions i where i.generation = c.generation and i.case_id = c.case_id)
               from outcome_cases c where c.generation = $1 and c.received_on >= $2 and c.received_on <= $3",
        )
        .bind(generation)
        .bind(&first)
        .bind(&last)
        .fetch_all(pool)
        .await
    })?;
    type ReferralRow = (String, String, String, Option<String>, String, String, Option<String>, i64);
    let referrals: Vec<ReferralRow> = on_pool!(db, |pool| {
        sqlx::query_as(
            "select referral_id, subject_id, to_unit, coalesce(concerns, concern), sent_on, status, decline_reason, last_position
               from outcome_referrals where generation = $1 and sent_on >= $2 and sent_on <= $3",
        )
        .bind(generation)
        .bind(&first)
        .bind(&last)
        .fetch_all(pool)
        .await
    })?;
    type InterventionRow = (String, String, String, Option<String>, String, Option<String>, i64);
    let interventions: Vec<InterventionRow> = on_pool!(db, |pool| {
        sqlx::query_as(
            "select i.case_id, c.subject_id, c.unit_id, coalesce(c.concerns, c.concern), c.received_on, i.outcome, i.last_position
               from outcome_interventions i join outcome_cases c on c.generation = i.generation and c.case_id = i.case_id
              where i.generation = $1 and c.received_on >= $2 and c.received_on <= $3",
        )
        .bind(generation)
        .bind(&first)
        .bind(&last)
        .fetch_all(pool)
        .await
    })?;
    type FollowUpRow = (String, String, String, Option<String>, String, i64, i64, Option<String>);
    let followups: Vec<FollowUpRow> = on_pool!(db, |pool| {
        sqlx::query_as(
            "select f.case_id, c.subject_id, c.unit_id, coalesce(c.concerns, c.concern), c.received_on, f.score, f.last_position,
                    (select i.kind from outcome_interventions i
                      where i.generation = f.generation and i.case_id = f.case_id and i.intervention_id = f.intervention_id)
               from outcome_followups f join outcome_cases c on c.generation = f.generation and c.case_id = f.case_id
              where f.generation = $1 and c.received_on >= $2 and c.received_on <= $3",
        )
        .bind(generation)
        .bind(&first)
        .bind(&last)
        .fetch_all(pool)
        .await
    })?;
    let mut facts = Vec::new();
    for (id, subject, unit, concern_list, received, decided, completed, on_time, position, first_start) in cases {
        let Some(on) = day(&received) else { continue };
        let kind = FactKind::Case {
            decided: decided.as_deref().and_then(day),
            completed: completed.as_deref().and_then(day),
            on_time: on_time == Some(1),
            first_start: first_start.as_deref().and_then(day),
        };
        facts.push(Fact { id, subject, unit, concerns: concerns(concern_list), on, position, kind });
    }
    for (id, subject, unit, concern_list, sent, status, decline_reason, position) in referrals {
        let Some(on) = day(&sent) else { continue };
        let kind = FactKind::Referral { status, decline_reason };
        facts.push(Fact { id, subject, unit, concerns: concerns(concern_list), on, position, kind });
    }
    let fact = |(id, subject, unit, concern_list, received, position): (
        String,
        String,
        String,
        Option<String>,
        String,
        i64,
    ),
                kind: FactKind| {
        day(&received).map(|on| Fact { id, subject, unit, concerns: concerns(concern_list), on, position, kind })
    };
    for (id, subject, unit, concern_list, received, outcome, position) in interventions {
        facts.extend(fact((id, subject, unit, concern_list, received, position), FactKind::Intervention { outcome }));
    }
    for (id, subject, unit, concern_list, received, score, position, kind) in followups {
        let intervention_kind = kind.unwrap_or_else(|| "unknown".to_owned());
        facts.extend(fact(
            (id, subject, unit, concern_list, received, position),
            FactKind::FollowUp { score, intervention_kind },
        ));
    }
    let subjects: BTreeSet<&str> = facts.iter().map(|fact| fact.subject.as_str()).collect();
    type SubjectRow = (String, Option<i64>, Option<String>, Option<String>);
    let rows: Vec<SubjectRow> = on_pool!(db, |pool| {
        sqlx::query_as(
            "select subject_id, birth_year, sex, district from outcome_subjects
              where generation = $1 and subject_id in (
                    select subject_id from outcome_cases where generation = $1 and received_on >= $2 and received_on <= $3
                    union
                    select subject_id from outcome_referrals where generation = $1 and sent_on >= $2 and sent_on <= $3)",
        )
        .bind(generation)
        .bind(&first)
        .bind(&last)
        .fetch_all(pool)
        .await
    })?;
    let unknown = || "unknown".to_owned();
    let mut children: BTreeMap<String, Child> = rows
        .into_iter()
        .filter(|(subject, ..)| subjects.contains(subject.as_str()))
        .map(|(subject, birth_year, sex, district)| {
            (
                subject,
                Child { sex: sex.unwrap_or_else(unknown), birth_year, district: district.unwrap_or_else(unknown) },
            )
        })
        .collect();
    for subject in subjects {
        children.entry(subject.to_owned()).or_insert_with(|| Child {
            sex: unknown(),
            birth_year: None,
            district: unknown(),
        });
    }
    Ok((facts, children))
}

/// The strategic offences of `period`, boys and girls apart, no figure standing on fewer than `minimum` children.
pub async fn strategic_offences(
    db: &Db,
    period: Period,
    minimum: u64,
) -> Result<crate::figures::StrategicOffences, sqlx::Error> {
    let generation = status(db, "outcomes").await?.generation;
    let (facts, children) = facts(db, generation, period.year()).await?;
    Ok(crate::figures::strategic_offences(&facts, &children, period, minimum.max(MIN_CHILDREN)))
}

/// The outcome figures for `period`, broken down by `breakdown` (one attribute, or two that may be crossed), no
/// figure standing on fewer than `minimum` children (never fewer than [`MIN_CHILDREN`]).
pub async fn report(
    db: &Db,
    period: Period,
    breakdown: &[Breakdown],
    minimum: u64,
) -> Result<OutcomeReport, sqlx::Error> {
    let generation = status(db, "outcomes").await?.generation;
    let (facts, children) = facts(db, generation, period.year()).await?;
    Ok(crate::figures::answer(&facts, &children, period, breakdown, minimum.max(MIN_CHILDREN)))
}
