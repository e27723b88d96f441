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
pub use crate::figures::{Breakdown, ComputedAt, DaysStatistic, Measure, OutcomeReport};
use crate::figures::{Child, Fact, FactKind, Period, YearFigures, MIN_CHILDREN};
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
    "reporter",
    "protection_needed",
    "protection_late",
    "started_on",
    "ended_outcome",
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
    "closed_on",
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
                              initial: ReferralStatus,
                              report: Option<(
                    &domain::referral::ReporterCategory,
                    &domain::referral::ProtectionAssessment,
                )>| {
                    Ok(vec![Write::new(
                        "insert into outcome_referrals (generation, referral_id, last_position, kind, subject_id, to_unit, concern, sent_on, status, concerns, reporter, protection_needed, protection_late)
                         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                        vec![g.clone(), id.clone(), position.clone(), name_of(&kind).into(), subject.to_string().into(), to_unit.to_string().into(), concerns.iter().next().map(name_of).unwrap_or_default().into(), on.clone(), status(initial), all_concerns(concerns),
                             report.map(|(reporter, _)| name_of(reporter)).into(), report.map(|(_, assessment)| i64::from(assessment.immediate_protection_needed)).into(),
                             report.map(|(_, assessment)| i64::from(assessment.late_reason.is_some())).into()],
                    )])
                };
                match stamped.event {
                    ReferralEvent::ReferralSent { kind, subject, to_unit, concerns, .. } => {
                        insert(kind, subject, to_unit, &concerns, ReferralStatus::Sent, None)
                    }
                    ReferralEvent::ReportRegistered {
                        subject, to_unit, concerns, reporter, protection_assessment, ..
                    } => insert(
                        ReferralKind::ReportOfConcern,
                        subject,
                        to_unit,
                        &concerns,
                        ReferralStatus::Received,
                        Some((&reporter, &protection_assessment)),
                    ),
                    ReferralEvent::ApplicationRegistered { subject, to_unit, concerns, .. } => {
                        insert(ReferralKind::Application, subject, to_unit, &concerns, ReferralStatus::Received, None)
                    }
                    // A report of concern sent within the directory is assessed when received.
                    ReferralEvent::ReferralReceived { protection_assessment: Some(assessment) } => Ok(vec![Write::new(
                        "update outcome_referrals set last_position = $3, protection_needed = $4, protection_late = $5
                          where generation = $1 and referral_id = $2",
                        vec![g.clone(), id.clone(), position.clone(), i64::from(assessment.immediate_protection_needed).into(), i64::from(assessment.late_reason.is_some()).into()],
                    )]),
                    ReferralEvent::ReferralAccepted { .. } => decided(status(ReferralStatus::Accepted), Arg::Null),
                    ReferralEvent::ReferralDeclined { reason_code, .. } => {
                        decided(status(ReferralStatus::Declined), name_of(&reason_code).into())
                    }
                    ReferralEvent::ReferralForwarded { .. } => decided(status(ReferralStatus::Forwarded), Arg::Null),
                    ReferralEvent::InterventionStartReported => Ok(vec![Write::new(
                        "update outcome_referrals set last_position = $3, started_on = coalesce(started_on, $4)
                          where generation = $1 and referral_id = $2",
                        vec![g.clone(), id.clone(), position.clone(), on.clone()],
                    )]),
                    ReferralEvent::InterventionEndReported { outcome } => Ok(vec![Write::new(
                        "update outcome_referrals set last_position = $3, ended_outcome = $4
                          where generation = $1 and referral_id = $2",
                        vec![g.clone(), id.clone(), position.clone(), name_of(&outcome).into()],
                    )]),
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
                    CaseEvent::CaseClosed { .. } => update(
                        "update outcome_cases set last_position = $3, closed_on = $4 where generation = $1 and case_id = $2",
                        vec![on],
                    ),
                    CaseEvent::CaseReopened { .. } => update(
                        "update outcome_cases set last_position = $3, closed_on = null where generation = $1 and case_id = $2",
                        Vec::new(),
                    ),
                    _ => Ok(Vec::new()),
                }
            }
            _ => Ok(Vec::new()),
        }
    }
}

/// The concerns of a comma-separated list.
fn concern_list(text: Option<String>) -> Vec<String> {
    text.map(|text| text.split(',').filter(|concern| !concern.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// The facts of `year` and the children they are about, read from the outcomes view.
pub async fn facts(db: &Db, generation: i64, year: i32) -> Result<(Vec<Fact>, BTreeMap<String, Child>), sqlx::Error> {
    let (first, last) = (Period::Year(year).first_day().to_string(), Period::Year(year).last_day().to_string());
    let concerns = concern_list;
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
    type ReferralRow = (
        String,
        String,
        String,
        Option<String>,
        String,
        String,
        Option<String>,
        i64,
        String,
        Option<String>,
        Option<i64>,
        Option<i64>,
        Option<String>,
        Option<String>,
    );
    let referrals: Vec<ReferralRow> = on_pool!(db, |pool| {
        sqlx::query_as(
            "select referral_id, subject_id, to_unit, coalesce(concerns, concern), sent_on, status, decline_reason, last_position,
                    kind, reporter, protection_needed, protection_late, started_on, ended_outcome
               from outcome_referrals where generation = $1 and sent_on >= $2 and sent_on <= $3",
        )
        .bind(generation)
        .bind(&first)
        .bind(&last)
        .fetch_all(pool)
        .await
    })?;
    type InterventionRow = (String, String, String, Option<String>, String, Option<String>, i64, Option<String>);
    let interventions: Vec<InterventionRow> = on_pool!(db, |pool| {
        sqlx::query_as(
            "select i.case_id, c.subject_id, c.unit_id, coalesce(c.concerns, c.concern), c.received_on, i.outcome, i.last_position,
                    i.started_on
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
    for (
        id,
        subject,
        unit,
        concern_list,
        sent,
        status,
        decline_reason,
        position,
        kind,
        reporter,
        needed,
        late,
        started,
        ended,
    ) in referrals
    {
        let Some(on) = day(&sent) else { continue };
        let kind = FactKind::Referral {
            kind,
            status,
            decline_reason,
            reporter,
            protection_needed: needed.map(|needed| needed == 1),
            protection_late: late.map(|late| late == 1),
            started: started.is_some(),
            ended,
        };
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
    for (id, subject, unit, concern_list, received, outcome, position, started) in interventions {
        let kind = FactKind::Intervention { started: started.is_some(), outcome };
        facts.extend(fact((id, subject, unit, concern_list, received, position), kind));
    }
    facts.extend(closures(db, generation, (&first, &last)).await?);
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
                    select subject_id from outcome_cases where generation = $1 and closed_on >= $2 and closed_on <= $3
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

/// The cases last closed within `first..=last` (YYYY-MM-DD), each a fact on its closing day, re-referred when the
/// child was referred or reported again, or a new case received, after that day and within 12 months of it.
async fn closures(db: &Db, generation: i64, (first, last): (&str, &str)) -> Result<Vec<Fact>, sqlx::Error> {
    let day = |text: &str| Date::parse(text, time::macros::format_description!("[year]-[month]-[day]")).ok();
    type ClosedRow = (String, String, String, Option<String>, String, i64);
    let closed: Vec<ClosedRow> = on_pool!(db, |pool| {
        sqlx::query_as(
            "select case_id, subject_id, unit_id, coalesce(concerns, concern), closed_on, last_position
               from outcome_cases where generation = $1 and closed_on >= $2 and closed_on <= $3",
        )
        .bind(generation)
        .bind(first)
        .bind(last)
        .fetch_all(pool)
        .await
    })?;
    // Every later contact of those children: referrals and reports sent, cases received.
    let later: Vec<(String, String)> = on_pool!(db, |pool| {
        sqlx::query_as(
            "select subject_id, sent_on from outcome_referrals
              where generation = $1 and sent_on > $2 and subject_id in
                    (select subject_id from outcome_cases where generation = $1 and closed_on >= $2 and closed_on <= $3)
             union all
             select subject_id, received_on from outcome_cases
              where generation = $1 and received_on > $2 and subject_id in
                    (select subject_id from outcome_cases where generation = $1 and closed_on >= $2 and closed_on <= $3)",
        )
        .bind(generation)
        .bind(first)
        .bind(last)
        .fetch_all(pool)
        .await
    })?;
    let mut contacts: BTreeMap<String, Vec<Date>> = BTreeMap::new();
    for (subject, on) in later {
        if let Some(on) = day(&on) {
            contacts.entry(subject).or_default().push(on);
        }
    }
    Ok(closed
        .into_iter()
        .filter_map(|(id, subject, unit, concern_list_text, closed_on, position)| {
            let on = day(&closed_on)?;
            let within = domain::calendar::add_months(on, 12);
            let re_referred =
                contacts.get(&subject).is_some_and(|days| days.iter().any(|day| *day > on && *day <= within));
            Some(Fact {
                id,
                subject,
                unit,
                concerns: concern_list(concern_list_text),
                on,
                position,
                kind: FactKind::Closure { re_referred },
            })
        })
        .collect())
}

/// The live outcomes view, or the snapshot numbered `snapshot` (none if there is no such snapshot).
pub async fn source(db: &Db, snapshot: Option<i64>) -> Result<Option<ComputedAt>, sqlx::Error> {
    match snapshot {
        None => {
            let status = status(db, "outcomes").await?;
            Ok(Some(ComputedAt {
                generation: status.generation,
                snapshot: None,
                as_of: format!("log position {}", status.checkpoint.position),
            }))
        }
        Some(generation) => {
            let label: Option<String> = on_pool!(db, |pool| {
                sqlx::query_scalar("select as_of from projection_snapshots where name = 'outcomes' and generation = $1")
                    .bind(generation)
                    .fetch_optional(pool)
                    .await
            })?;
            Ok(label.map(|as_of| ComputedAt { generation, snapshot: Some(generation), as_of }))
        }
    }
}

/// The snapshots of the outcomes view: (generation, the moment it was built as of, its digest), newest first.
pub async fn snapshots(db: &Db) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    on_pool!(db, |pool| {
        sqlx::query_as(
            "select generation, as_of, digest from projection_snapshots where name = 'outcomes' order by generation desc",
        )
        .fetch_all(pool)
        .await
    })
}

/// The figures of `year` as `at` holds them, no figure standing on fewer than `minimum` children (never fewer than
/// [`MIN_CHILDREN`]).
pub async fn year_figures(db: &Db, at: &ComputedAt, year: i32, minimum: u64) -> Result<YearFigures, sqlx::Error> {
    let (facts, children) = facts(db, at.generation, year).await?;
    Ok(YearFigures::new(facts, children, year, minimum.max(MIN_CHILDREN)))
}

/// The outcome figures for `period` on the live view, broken down by `breakdown` (one attribute, or two that may be
/// crossed), no figure standing on fewer than `minimum` children (never fewer than [`MIN_CHILDREN`]).
pub async fn report(
    db: &Db,
    period: Period,
    breakdown: &[Breakdown],
    minimum: u64,
) -> Result<OutcomeReport, sqlx::Error> {
    Ok(live_year(db, period, minimum).await?.answer(period, breakdown))
}

async fn live_year(db: &Db, period: Period, minimum: u64) -> Result<YearFigures, sqlx::Error> {
    let at = source(db, None).await?.ok_or(sqlx::Error::RowNotFound)?;
    year_figures(db, &at, period.year(), minimum).await
}
