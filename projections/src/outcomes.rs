//! Outcomes: facts per subject (the clear statistics attributes), case and intervention, aggregated when read
//! into one breakdown at a time, every count suppressed for small cells, and every cell traceable to the cases
//! and log positions behind it (for auditors).

use std::collections::BTreeMap;

use domain::calendar::{days_between, preliminary_assessment_due};
use domain::case::CaseEvent;
use domain::event::Stamped;
use domain::referral::{ReferralEvent, ReferralKind, ReferralStatus};
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
                        "insert into outcome_referrals (generation, referral_id, last_position, kind, subject_id, to_unit, concern, sent_on, status)
                         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                        vec![g.clone(), id.clone(), position.clone(), name_of(&kind).into(), subject.to_string().into(), to_unit.to_string().into(), concerns.iter().next().map(name_of).unwrap_or_default().into(), on.clone(), status(initial)],
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
                        "insert into outcome_cases (generation, case_id, last_position, subject_id, unit_id, concern, received_on)
                         values ($1, $2, $3, $4, $5, $6, $7)",
                        vec![g.clone(), id.clone(), position.clone(), subject.to_string().into(), unit.to_string().into(), concerns.iter().next().map(name_of).unwrap_or_default().into(), on],
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

/// What the outcome figures are broken down by (one at a time; boys and girls are always reported separately
/// by choosing `Sex`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Measure {
    /// What is counted.
    pub name: &'static str,
    /// The counts per group and the total, suppressed.
    pub counts: Published,
}

/// A duration in days over a group: median and 90th percentile (nearest rank), shown only for 5 or more cases.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DaysStatistic {
    /// The median.
    pub median: i64,
    /// The 90th percentile.
    pub p90: i64,
}

/// The outcome figures for a period.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct OutcomeReport {
    /// The breakdown.
    pub breakdown: Breakdown,
    /// The groups, in order.
    pub groups: Vec<String>,
    /// The counted measures.
    pub measures: Vec<Measure>,
    /// Share of preliminary assessments decided within 14 days, per group, where it gives no small count away.
    pub preliminary_within_14_days: Vec<Option<f64>>,
    /// Share of investigations completed within 4 months, per group, likewise.
    pub investigations_within_4_months: Vec<Option<f64>>,
    /// Days from receipt to the preliminary decision, per group.
    pub days_to_decision: Vec<Option<DaysStatistic>>,
    /// Days from receipt to the first intervention's start, per group.
    pub days_to_intervention_start: Vec<Option<DaysStatistic>>,
    /// Mean goal attainment (−2…+2) over follow-ups, per group, from 5 follow-ups up.
    pub goal_attainment: Vec<Option<f64>>,
    /// Declined referrals by reason (over all groups), suppressed.
    pub declined_by_reason: (Vec<String>, Published),
    /// For auditors: per measure and group, the cases or referrals and the log positions behind the cell.
    #[serde(skip)]
    pub trace: BTreeMap<(&'static str, String), Vec<(String, i64)>>,
}

fn age_band(birth_year: Option<i64>, at: Date) -> String {
    match birth_year.map(|year| i64::from(at.year()) - year) {
        None => "unknown".to_owned(),
        Some(age) if age <= 12 => "0-12".to_owned(),
        Some(age) if age <= 15 => "13-15".to_owned(),
        Some(age) if age <= 17 => "16-17".to_owned(),
        Some(age) if age <= 20 => "18-20".to_owned(),
        Some(_) => "21+".to_owned(),
    }
}

const MEASURES: [&str; 10] = [
    "cases received",
    "preliminary assessments decided",
    "preliminary assessments within 14 days",
    "investigations completed",
    "investigations within 4 months",
    "referrals sent",
    "referrals accepted",
    "referrals declined",
    "interventions ended",
    "interventions ended as planned",
];

/// Who a fact is about, for grouping: birth year, sex, district, unit, concern, and the date it counts from.
type Who = (Option<i64>, Option<String>, String, String, String, String);

#[derive(Default)]
struct Group {
    counts: [u64; MEASURES.len()],
    days_to_decision: Vec<i64>,
    days_to_start: Vec<i64>,
    scores: Vec<i64>,
}

fn parse(text: &str) -> Option<Date> {
    Date::parse(text, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

fn statistic(mut days: Vec<i64>) -> Option<DaysStatistic> {
    if (days.len() as u64) < THRESHOLD {
        return None;
    }
    days.sort_unstable();
    let rank = |p: f64| days[((p * days.len() as f64).ceil() as usize).clamp(1, days.len()) - 1];
    Some(DaysStatistic { median: rank(0.5), p90: rank(0.9) })
}

/// A share shown only where neither it nor its complement gives a small count away.
fn safe_share(part: u64, whole: u64) -> Option<f64> {
    let small = |count: u64| (1..THRESHOLD).contains(&count);
    (whole >= THRESHOLD && !small(part) && !small(whole - part)).then(|| part as f64 / whole as f64)
}

/// The outcome figures for cases received (and referrals sent) from `from` to `to`, inclusive, broken down by
/// `breakdown`.
pub async fn report(db: &Db, from: Date, to: Date, breakdown: Breakdown) -> Result<OutcomeReport, sqlx::Error> {
    let generation = status(db, "outcomes").await?.generation;
    let (from_text, to_text) = (from.to_string(), to.to_string());
    let who = "s.birth_year, s.sex, coalesce(s.district, 'unknown')";
    let subjects = "left join outcome_subjects s on s.generation = {t}.generation and s.subject_id = {t}.subject_id";
    let cases_sql = format!(
        "select c.case_id, {who}, c.unit_id, c.concern, c.received_on, c.preliminary_decided_on, c.investigation_completed_on,
                c.investigation_on_time, c.last_position,
                (select min(i.started_on) from outcome_interventions i where i.generation = c.generation and i.case_id = c.case_id)
           from outcome_cases c {} where c.generation = $1 and c.received_on >= $2 and c.received_on <= $3",
        subjects.replace("{t}", "c")
    );
    type CaseFact = (
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
        Option<String>,
    );
    let cases: Vec<CaseFact> = on_pool!(db, |pool| sqlx::query_as(&cases_sql)
        .bind(generation)
        .bind(&from_text)
        .bind(&to_text)
        .fetch_all(pool)
        .await)?;
    let referrals_sql = format!(
        "select r.referral_id, {who}, r.to_unit, r.concern, r.sent_on, r.status, r.decline_reason, r.last_position
           from outcome_referrals r {} where r.generation = $1 and r.sent_on >= $2 and r.sent_on <= $3",
        subjects.replace("{t}", "r")
    );
    type ReferralFact =
        (String, Option<i64>, Option<String>, String, String, String, String, String, Option<String>, i64);
    let referrals: Vec<ReferralFact> = on_pool!(db, |pool| sqlx::query_as(&referrals_sql)
        .bind(generation)
        .bind(&from_text)
        .bind(&to_text)
        .fetch_all(pool)
        .await)?;
    let interventions_sql = format!(
        "select i.case_id, {who}, c.unit_id, c.concern, c.received_on, i.outcome, i.last_position
           from outcome_interventions i join outcome_cases c on c.generation = i.generation and c.case_id = i.case_id
           {} where i.generation = $1 and c.received_on >= $2 and c.received_on <= $3",
        subjects.replace("{t}", "c")
    );
    type InterventionFact = (String, Option<i64>, Option<String>, String, String, String, String, Option<String>, i64);
    let interventions: Vec<InterventionFact> = on_pool!(db, |pool| sqlx::query_as(&interventions_sql)
        .bind(generation)
        .bind(&from_text)
        .bind(&to_text)
        .fetch_all(pool)
        .await)?;
    let followups_sql = format!(
        "select f.case_id, {who}, c.unit_id, c.concern, c.received_on, f.score
           from outcome_followups f join outcome_cases c on c.generation = f.generation and c.case_id = f.case_id
           {} where f.generation = $1 and c.received_on >= $2 and c.received_on <= $3",
        subjects.replace("{t}", "c")
    );
    type FollowUpFact = (String, Option<i64>, Option<String>, String, String, String, String, i64);
    let followups: Vec<FollowUpFact> = on_pool!(db, |pool| sqlx::query_as(&followups_sql)
        .bind(generation)
        .bind(&from_text)
        .bind(&to_text)
        .fetch_all(pool)
        .await)?;

    let group_of = |(birth_year, sex, district, unit, concern, at): Who| -> Option<String> {
        let at = parse(&at)?;
        Some(match breakdown {
            Breakdown::Sex => sex.unwrap_or_else(|| "unknown".to_owned()),
            Breakdown::AgeBand => age_band(birth_year, at),
            Breakdown::District => district,
            Breakdown::Concern => concern,
            Breakdown::Unit => unit,
        })
    };
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    let mut trace: BTreeMap<(&'static str, String), Vec<(String, i64)>> = BTreeMap::new();
    let mut count = |groups: &mut BTreeMap<String, Group>, group: &str, measure: usize, id: &str, position: i64| {
        groups.entry(group.to_owned()).or_default().counts[measure] += 1;
        trace.entry((MEASURES[measure], group.to_owned())).or_default().push((id.to_owned(), position));
    };
    for (
        case_id,
        birth_year,
        sex,
        district,
        unit,
        concern,
        received,
        decided,
        completed,
        on_time,
        position,
        first_start,
    ) in cases
    {
        let Some(group) = group_of((birth_year, sex, district, unit, concern, received.clone())) else { continue };
        let Some(received) = parse(&received) else { continue };
        let decided = decided.as_deref().and_then(parse);
        count(&mut groups, &group, 0, &case_id, position);
        if let Some(decided) = decided {
            count(&mut groups, &group, 1, &case_id, position);
            if decided <= preliminary_assessment_due(received) {
                count(&mut groups, &group, 2, &case_id, position);
            }
            groups.entry(group.clone()).or_default().days_to_decision.push(days_between(received, decided));
        }
        if completed.is_some() {
            count(&mut groups, &group, 3, &case_id, position);
            if on_time == Some(1) {
                count(&mut groups, &group, 4, &case_id, position);
            }
        }
        if let Some(started) = first_start.as_deref().and_then(parse) {
            groups.entry(group.clone()).or_default().days_to_start.push(days_between(received, started));
        }
    }
    let mut declined: BTreeMap<String, u64> = BTreeMap::new();
    for (referral_id, birth_year, sex, district, unit, concern, sent, status, reason, position) in referrals {
        let Some(group) = group_of((birth_year, sex, district, unit, concern, sent)) else { continue };
        count(&mut groups, &group, 5, &referral_id, position);
        if status == "accepted" {
            count(&mut groups, &group, 6, &referral_id, position);
        }
        if status == "declined" {
            count(&mut groups, &group, 7, &referral_id, position);
            *declined.entry(reason.unwrap_or_else(|| "unknown".to_owned())).or_default() += 1;
        }
    }
    for (case_id, birth_year, sex, district, unit, concern, received, outcome, position) in interventions {
        let Some(group) = group_of((birth_year, sex, district, unit, concern, received)) else { continue };
        if let Some(outcome) = outcome {
            count(&mut groups, &group, 8, &case_id, position);
            if outcome == "completed_as_planned" || outcome == "ended_early_goals_met" {
                count(&mut groups, &group, 9, &case_id, position);
            }
        }
    }
    for (_, birth_year, sex, district, unit, concern, received, score) in followups {
        let Some(group) = group_of((birth_year, sex, district, unit, concern, received)) else { continue };
        groups.entry(group).or_default().scores.push(score);
    }
    let column = |measure: usize| -> Vec<u64> { groups.values().map(|group| group.counts[measure]).collect() };
    Ok(OutcomeReport {
        breakdown,
        measures: MEASURES
            .iter()
            .enumerate()
            .map(|(index, name)| Measure { name, counts: suppress(&column(index)) })
            .collect(),
        preliminary_within_14_days: groups.values().map(|group| safe_share(group.counts[2], group.counts[1])).collect(),
        investigations_within_4_months: groups
            .values()
            .map(|group| safe_share(group.counts[4], group.counts[3]))
            .collect(),
        days_to_decision: groups.values().map(|group| statistic(group.days_to_decision.clone())).collect(),
        days_to_intervention_start: groups.values().map(|group| statistic(group.days_to_start.clone())).collect(),
        goal_attainment: groups
            .values()
            .map(|group| {
                ((group.scores.len() as u64) >= THRESHOLD)
                    .then(|| group.scores.iter().sum::<i64>() as f64 / group.scores.len() as f64)
            })
            .collect(),
        declined_by_reason: (
            declined.keys().cloned().collect(),
            suppress(&declined.values().copied().collect::<Vec<_>>()),
        ),
        groups: groups.keys().cloned().collect(),
        trace,
    })
}
