//! Outcomes: facts per subject (the clear statistics attributes), case and intervention, aggregated when read
//! into one breakdown at a time, every count suppressed for small cells, and every cell traceable to the cases
//! and log positions behind it (for auditors).

use std::collections::BTreeMap;

use domain::calendar::{days_between, preliminary_assessment_due};
use domain::case::CaseEvent;
use domain::event::Stamped;
use domain::subject::SubjectEvent;
use serde::Serialize;
use time::Date;

use crate::caseload::name_of;
use crate::db::Db;
use crate::feed::FeedEvent;
use crate::on_pool;
use crate::runner::{status, Arg, Projection, ProjectionError, Write};
use crate::suppression::{suppress, Published, THRESHOLD};

/// The outcomes projection.
#[derive(Debug, Clone, Copy, Default)]
pub struct Outcomes;

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
                        "insert into outcome_cases (generation, case_id, last_position, subject_id, unit_id, concern, received_on)
                         values ($1, $2, $3, $4, $5, $6, $7)",
                        vec![g.clone(), id.clone(), position.clone(), subject.to_string().into(), unit.to_string().into(), concerns.iter().next().map(name_of).unwrap_or_default().into(), on],
                    )]),
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

/// What the outcome figures are broken down by (one at a time; boys and girls are always reported separately
/// by choosing `Sex`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Breakdown {
    /// Sex as registered.
    Sex,
    /// Age at receipt, in bands.
    AgeBand,
    /// Home district.
    District,
    /// The concern category.
    Concern,
    /// The unit that received the case.
    Unit,
}

/// One measure over the groups, suppressed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measure {
    /// What is counted.
    pub name: &'static str,
    /// The counts per group and the total, suppressed.
    pub counts: Published,
}

/// The outcome figures for cases received in a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeReport {
    /// The breakdown.
    pub breakdown: Breakdown,
    /// The groups, in order.
    pub groups: Vec<String>,
    /// The measures.
    pub measures: Vec<Measure>,
    /// Share of preliminary assessments decided within 14 days, per group, where it gives no small count away.
    pub preliminary_within_14_days: Vec<Option<f64>>,
    /// For auditors: per measure and group, the cases and the log positions behind the cell.
    #[serde(skip)]
    pub trace: BTreeMap<(&'static str, String), Vec<(String, i64)>>,
}

type Fact = (
    String,
    Option<i64>,
    Option<String>,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    i64,
);

fn age_band(birth_year: Option<i64>, received: Date) -> String {
    match birth_year.map(|year| i64::from(received.year()) - year) {
        None => "unknown".to_owned(),
        Some(age) if age <= 12 => "0-12".to_owned(),
        Some(age) if age <= 15 => "13-15".to_owned(),
        Some(age) if age <= 17 => "16-17".to_owned(),
        Some(age) if age <= 20 => "18-20".to_owned(),
        Some(_) => "21+".to_owned(),
    }
}

/// The outcome figures for cases received from `from` to `to` (inclusive), broken down by `breakdown`.
pub async fn report(db: &Db, from: Date, to: Date, breakdown: Breakdown) -> Result<OutcomeReport, sqlx::Error> {
    let generation = status(db, "outcomes").await?.generation;
    let facts: Vec<Fact> = on_pool!(db, |pool| {
        sqlx::query_as(
            "select c.case_id, s.birth_year, s.sex, coalesce(s.district, 'unknown'), c.unit_id, c.concern, c.received_on,
                    c.preliminary_decided_on, c.investigation_completed_on, c.investigation_on_time, c.last_position
               from outcome_cases c
               left join outcome_subjects s on s.generation = c.generation and s.subject_id = c.subject_id
              where c.generation = $1 and c.received_on >= $2 and c.received_on <= $3
              order by c.case_id",
        )
        .bind(generation)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(pool)
        .await
    })?;
    let mut per_group: BTreeMap<String, [u64; 5]> = BTreeMap::new();
    let mut trace: BTreeMap<(&'static str, String), Vec<(String, i64)>> = BTreeMap::new();
    const NAMES: [&str; 5] = [
        "cases received",
        "preliminary assessments decided",
        "preliminary assessments within 14 days",
        "investigations completed",
        "investigations within 4 months",
    ];
    let format = time::macros::format_description!("[year]-[month]-[day]");
    for (case_id, birth_year, sex, district, unit, concern, received, decided, completed, on_time, position) in facts {
        let Ok(received) = Date::parse(&received, format) else { continue };
        let group = match breakdown {
            Breakdown::Sex => sex.unwrap_or_else(|| "unknown".to_owned()),
            Breakdown::AgeBand => age_band(birth_year, received),
            Breakdown::District => district,
            Breakdown::Concern => concern,
            Breakdown::Unit => unit,
        };
        let decided = decided.and_then(|date| Date::parse(&date, format).ok());
        let within = decided.is_some_and(|decided| {
            decided <= preliminary_assessment_due(received) && days_between(received, decided) >= 0
        });
        let hits = [true, decided.is_some(), within, completed.is_some(), on_time == Some(1)];
        let counts = per_group.entry(group.clone()).or_default();
        for (measure, hit) in hits.into_iter().enumerate() {
            if hit {
                counts[measure] += 1;
                trace.entry((NAMES[measure], group.clone())).or_default().push((case_id.clone(), position));
            }
        }
    }
    let groups: Vec<String> = per_group.keys().cloned().collect();
    let column = |measure: usize| -> Vec<u64> { per_group.values().map(|counts| counts[measure]).collect() };
    let measures =
        NAMES.iter().enumerate().map(|(index, name)| Measure { name, counts: suppress(&column(index)) }).collect();
    let preliminary_within_14_days = per_group
        .values()
        .map(|counts| {
            let (within, decided) = (counts[2], counts[1]);
            let small = |count: u64| (1..THRESHOLD).contains(&count);
            (decided >= THRESHOLD && !small(within) && !small(decided - within)).then(|| within as f64 / decided as f64)
        })
        .collect();
    Ok(OutcomeReport { breakdown, groups, measures, preliminary_within_14_days, trace })
}
