//! Reading the views: caseload, deadlines, inbox and outbox of a unit, with deadlines and waiting times worked
//! out against a "today" the caller passes in (never the clock), so every reader on any day gets the same rows.

use domain::calendar::{days_between, preliminary_assessment_due, protection_assessment_due, Deadline};
use serde::Serialize;
use time::Date;

use std::sync::Arc;

use crate::db::Db;
use crate::on_pool;
use crate::runner::status;

/// Which clock a deadline belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// Protection assessment: the day of receipt or the next.
    ProtectionAssessment,
    /// Preliminary assessment: 14 days from receipt.
    PreliminaryAssessment,
    /// Investigation: four months from its start, or the extended date.
    Investigation,
    /// An intervention's next follow-up.
    FollowUp,
    /// An immediate care order's submission to the administrative court: a week from the decision (LVU 7 §).
    CourtSubmission,
    /// The application for care after an immediate care order: four weeks from its being carried out (LVU 8 §).
    CareApplication,
    /// Feedback owed to a report's reporter with a duty to report: whether an investigation was opened, not
    /// opened, or is under way (SoL 14 kap. 1 b §). The act sets no number of days: it is owed from the
    /// preliminary decision (or from the report's receipt, when it joined a case already decided), until it is
    /// given or judged inappropriate.
    Feedback,
}

/// One deadline of one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DeadlineRow {
    /// The case.
    pub case_id: String,
    /// The responsible worker.
    pub worker_id: Option<String>,
    /// Which clock.
    pub kind: DeadlineKind,
    /// The last day on time.
    #[schemars(with = "domain::calendar::IsoDate")]
    pub due_on: Date,
    /// Whether today is past it.
    pub overdue: bool,
    /// Days left (negative when overdue).
    pub days_left: i64,
    /// The log position of the event the deadline counts from (the trace behind the figure).
    pub position: i64,
    /// For feedback owed: the report it is owed for.
    pub referral_id: Option<String>,
}

/// One open case in a unit's caseload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CaseloadRow {
    /// The case.
    pub case_id: String,
    /// The subject.
    pub subject_id: String,
    /// The responsible worker.
    pub worker_id: Option<String>,
    /// The phase.
    pub phase: String,
    /// The date of receipt.
    #[schemars(with = "domain::calendar::IsoDate")]
    pub received_on: Date,
    /// The nearest deadline.
    pub next_deadline: Option<DeadlineRow>,
    /// Whether any deadline is overdue.
    pub overdue: bool,
    /// Whether the current investigation was flagged as chained.
    pub chained: bool,
}

/// One referral in an inbox or outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ReferralRow {
    /// The referral.
    pub referral_id: String,
    /// Its kind.
    pub kind: String,
    /// The sending unit (none for an application).
    pub from_unit: Option<String>,
    /// The receiving unit.
    pub to_unit: String,
    /// Its status.
    pub status: String,
    /// Sent on.
    #[schemars(with = "domain::calendar::IsoDate")]
    pub sent_on: Date,
    /// Received on.
    #[schemars(with = "Option<domain::calendar::IsoDate>")]
    pub received_on: Option<Date>,
    /// Days since it was sent (until decided, else until today).
    pub days_since_sent: i64,
    /// Days since it was received (until decided, else until today).
    pub days_since_received: Option<i64>,
    /// The case that took it.
    pub case_id: Option<String>,
    /// Forwarded from / to.
    pub forwarded_from: Option<String>,
    /// The referral it was forwarded to.
    pub forwarded_to: Option<String>,
    /// Whether feedback was given to the sender.
    pub feedback_given: bool,
    /// What the last feedback said (investigation opened, not opened, under way, …).
    pub last_feedback: Option<String>,
    /// The day it was given.
    #[schemars(with = "Option<domain::calendar::IsoDate>")]
    pub last_feedback_on: Option<Date>,
    /// The reported outcome of the intervention.
    pub intervention_outcome: Option<String>,
    /// In the receiver's inbox, for a report not yet taken: the receiving unit's case about the same child whose
    /// investigation is open — the report is attached to it (accepted into it), not made a new case.
    pub open_investigation_case_id: Option<String>,
}

impl ReferralRow {
    /// The row as a report's sender may see it: that it was received, and what feedback said — never which case
    /// took it, where it went on, or how an intervention went (OSL 26 kap. 1 §; feedback to a reporter is only
    /// what SoL 14 kap. 1 b § allows).
    fn seen_by_reporter(mut self) -> Self {
        if self.kind == "report_of_concern" {
            if self.status != "sent" {
                self.status = "received".to_owned();
            }
            self.case_id = None;
            self.forwarded_to = None;
            self.intervention_outcome = None;
            self.open_investigation_case_id = None;
        }
        self
    }
}

/// One open case as the deadlines need it: id, subject, worker, unit kind, phase, received, protection assessed,
/// investigation due, chained, last position, court submission due, care application due.
type CaseRecord = (
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
    i64,
    Option<String>,
    Option<String>,
);

fn date(text: &str) -> Option<Date> {
    Date::parse(text, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

fn deadline_row(
    case_id: &str,
    worker: &Option<String>,
    kind: DeadlineKind,
    due_on: Date,
    today: Date,
    position: i64,
) -> DeadlineRow {
    let deadline = Deadline { due_on };
    DeadlineRow {
        case_id: case_id.to_owned(),
        worker_id: worker.clone(),
        kind,
        due_on,
        overdue: deadline.is_overdue(today),
        days_left: deadline.days_left(today),
        position,
        referral_id: None,
    }
}

/// Feedback owed for a report that a case of the unit took: case, worker, report, the day the case's preliminary
/// decision was made, the day the report was received, and the report's last position.
type FeedbackOwed = (String, Option<String>, String, String, Option<String>, i64);

/// The reports to `unit` whose reporter is owed feedback: taken by a case of the unit (open or closed) whose
/// preliminary decision is made, no feedback given and none judged inappropriate.
async fn feedback_owed(db: &Db, generation: i64, unit: &str) -> Result<Vec<FeedbackOwed>, sqlx::Error> {
    let referrals = status(db, "referrals").await?.generation;
    on_pool!(db, |pool| {
        sqlx::query_as(
            "select c.case_id, c.worker_id, r.referral_id, c.preliminary_decided_on, r.received_on, r.last_position
               from referral_views r
               join caseload_cases c on c.generation = $1 and c.case_id = r.case_id
              where r.generation = $3 and r.to_unit = $2 and c.unit_id = $2 and r.kind = 'report_of_concern'
                and r.reporter_has_duty = 1 and r.feedback_count = 0 and r.feedback_judged_inappropriate_on is null
                and c.preliminary_decided_on is not null",
        )
        .bind(generation)
        .bind(unit)
        .bind(referrals)
        .fetch_all(pool)
        .await
    })
}

/// The open cases of `unit` in `generation`, oldest first, and the follow-ups due on their interventions.
async fn open_cases(
    db: &Db,
    generation: i64,
    unit: &str,
) -> Result<(Vec<CaseRecord>, Vec<(String, String, i64)>), sqlx::Error> {
    let cases: Vec<CaseRecord> = on_pool!(db, |pool| {
        sqlx::query_as(
            "select case_id, subject_id, worker_id, unit_kind, phase, received_on, protection_assessed_on,
                    investigation_due_on, chained, last_position, court_submission_due_on, care_application_due_on
               from caseload_cases where generation = $1 and unit_id = $2 and phase <> 'closed'
              order by received_on, case_id",
        )
        .bind(generation)
        .bind(unit)
        .fetch_all(pool)
        .await
    })?;
    let follow_ups: Vec<(String, String, i64)> = on_pool!(db, |pool| {
        sqlx::query_as(
            "select i.case_id, i.next_follow_up_on, i.last_position
               from caseload_interventions i
               join caseload_cases c on c.generation = i.generation and c.case_id = i.case_id
              where i.generation = $1 and c.unit_id = $2 and c.phase <> 'closed'
                and i.status in ('planned', 'started') and i.next_follow_up_on is not null",
        )
        .bind(generation)
        .bind(unit)
        .fetch_all(pool)
        .await
    })?;
    Ok((cases, follow_ups))
}

/// The deadlines of `cases` and their follow-ups as of `today`, nearest first. Pure: the clocks' rules are the
/// domain's, "today" is passed in.
fn deadlines_of(
    cases: &[CaseRecord],
    follow_ups: &[(String, String, i64)],
    feedback: &[FeedbackOwed],
    today: Date,
) -> Vec<DeadlineRow> {
    let mut rows = Vec::new();
    for (case_id, worker, referral, decided_on, received_on, position) in feedback {
        let received_on = received_on.as_deref().and_then(date);
        let Some(owed_from) =
            date(decided_on).map(|decided| received_on.map_or(decided, |received| decided.max(received)))
        else {
            continue;
        };
        let mut row = deadline_row(case_id, worker, DeadlineKind::Feedback, owed_from, today, *position);
        row.referral_id = Some(referral.clone());
        rows.push(row);
    }
    for (case_id, _, worker, unit_kind, phase, received_on, protection, investigation_due, _, position, court, care) in
        cases
    {
        let Some(received_on) = date(received_on) else { continue };
        if unit_kind == "social_services" && phase == "intake" {
            if protection.is_none() {
                let due = protection_assessment_due(received_on);
                rows.push(deadline_row(case_id, worker, DeadlineKind::ProtectionAssessment, due, today, *position));
            }
            let due = preliminary_assessment_due(received_on);
            rows.push(deadline_row(case_id, worker, DeadlineKind::PreliminaryAssessment, due, today, *position));
        }
        if let Some(due) = investigation_due.as_deref().and_then(date) {
            rows.push(deadline_row(case_id, worker, DeadlineKind::Investigation, due, today, *position));
        }
        if let Some(due) = court.as_deref().and_then(date) {
            rows.push(deadline_row(case_id, worker, DeadlineKind::CourtSubmission, due, today, *position));
        }
        if let Some(due) = care.as_deref().and_then(date) {
            rows.push(deadline_row(case_id, worker, DeadlineKind::CareApplication, due, today, *position));
        }
    }
    let workers: std::collections::HashMap<&str, &Option<String>> =
        cases.iter().map(|case| (case.0.as_str(), &case.2)).collect();
    for (case_id, next, position) in follow_ups {
        let worker = workers.get(case_id.as_str()).and_then(|worker| (*worker).clone());
        if let Some(due) = date(next) {
            rows.push(deadline_row(case_id, &worker, DeadlineKind::FollowUp, due, today, *position));
        }
    }
    rows.sort_by(|a, b| (a.due_on, a.kind, &a.case_id).cmp(&(b.due_on, b.kind, &b.case_id)));
    rows
}

/// Every deadline of the open cases of `unit`, nearest first.
pub async fn deadlines(db: &Db, unit: &str, today: Date) -> Result<Vec<DeadlineRow>, sqlx::Error> {
    Ok(unit_work(db, unit, today).await?.deadlines.clone())
}

/// A unit's open cases with their deadlines, its deadlines, and the summary by worker and phase, as the live views
/// stand today.
struct UnitWork {
    rows: Vec<CaseloadRow>,
    deadlines: Vec<DeadlineRow>,
    summary: Vec<CaseloadSummary>,
}

/// [`UnitWork`], computed once per position of the caseload and referrals views (and day): every reader of the
/// unit until the next event shares it.
async fn unit_work(db: &Db, unit: &str, today: Date) -> Result<Arc<UnitWork>, sqlx::Error> {
    let (caseload, referrals) = (status(db, "caseload").await?, status(db, "referrals").await?);
    let key = format!(
        "unit-work {unit} {today} {} {:?} {} {:?}",
        caseload.generation, caseload.checkpoint, referrals.generation, referrals.checkpoint
    );
    db.memoized(key, async {
        let (cases, follow_ups) = open_cases(db, caseload.generation, unit).await?;
        let feedback = feedback_owed(db, caseload.generation, unit).await?;
        let deadlines = deadlines_of(&cases, &follow_ups, &feedback, today);
        let rows = caseload_rows(cases, &deadlines);
        let summary = summarise(&rows);
        Ok(UnitWork { rows, deadlines, summary })
    })
    .await
}

/// [`deadlines`] in a given generation of the caseload (a view built as of a past moment).
pub async fn deadlines_in(db: &Db, generation: i64, unit: &str, today: Date) -> Result<Vec<DeadlineRow>, sqlx::Error> {
    let (cases, follow_ups) = open_cases(db, generation, unit).await?;
    let feedback = feedback_owed(db, generation, unit).await?;
    Ok(deadlines_of(&cases, &follow_ups, &feedback, today))
}

/// How a caseload page is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseloadOrder {
    /// The oldest received first.
    #[default]
    Received,
    /// The nearest deadline first (overdue ones first of all); cases without one last.
    NextDeadline,
}

/// Which of a unit's open cases a caseload page holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseloadFilter {
    /// Only this phase.
    pub phase: Option<String>,
    /// Only this worker's (`Some(None)`: only those without a responsible worker).
    pub worker: Option<Option<String>>,
    /// Only those with a deadline overdue.
    pub overdue: bool,
}

/// A page of the open cases of `unit`, ordered and filtered, and the summary by worker and phase over all of them.
pub async fn caseload_page(
    db: &Db,
    unit: &str,
    today: Date,
    (order, filter): (CaseloadOrder, &CaseloadFilter),
    paging: &Paging,
) -> Result<(Page<CaseloadRow>, Vec<CaseloadSummary>), sqlx::Error> {
    let work = unit_work(db, unit, today).await?;
    let summary = work.summary.clone();
    let rows: Vec<CaseloadRow> = work
        .rows
        .iter()
        .filter(|row| filter.phase.as_ref().is_none_or(|phase| *phase == row.phase))
        .filter(|row| filter.worker.as_ref().is_none_or(|worker| *worker == row.worker_id))
        .filter(|row| !filter.overdue || row.overdue)
        .cloned()
        .collect();
    let key = move |row: &CaseloadRow| match order {
        CaseloadOrder::Received => format!("{} {}", row.received_on, row.case_id),
        CaseloadOrder::NextDeadline => {
            let due =
                row.next_deadline.as_ref().map_or_else(|| "9999-12-31".to_owned(), |next| next.due_on.to_string());
            format!("{due} {}", row.case_id)
        }
    };
    Ok((Page::of(rows, key, paging), summary))
}

/// A page of the deadlines of `unit` due within `days` of today (overdue ones included), nearest first, only
/// `worker`'s when given.
pub async fn deadlines_page(
    db: &Db,
    unit: &str,
    today: Date,
    (days, worker): (i64, Option<&str>),
    paging: &Paging,
) -> Result<Page<DeadlineRow>, sqlx::Error> {
    let work = unit_work(db, unit, today).await?;
    let rows: Vec<DeadlineRow> = work
        .deadlines
        .iter()
        .filter(|row| row.days_left <= days)
        .filter(|row| worker.is_none_or(|worker| row.worker_id.as_deref() == Some(worker)))
        .cloned()
        .collect();
    let key = |row: &DeadlineRow| {
        let referral = row.referral_id.as_deref().unwrap_or("_");
        format!("{} {:02} {} {referral}", row.due_on, row.kind as u8, row.case_id)
    };
    Ok(Page::of(rows, key, paging))
}

/// Deadlines of `unit` due within `days` of today, overdue ones included.
pub async fn deadlines_due_within(
    db: &Db,
    unit: &str,
    today: Date,
    days: i64,
) -> Result<Vec<DeadlineRow>, sqlx::Error> {
    Ok(deadlines(db, unit, today).await?.into_iter().filter(|row| row.days_left <= days).collect())
}

/// The open cases of `unit`, each with its nearest deadline.
pub async fn caseload(db: &Db, unit: &str, today: Date) -> Result<Vec<CaseloadRow>, sqlx::Error> {
    Ok(unit_work(db, unit, today).await?.rows.clone())
}

/// [`caseload`] in a given generation (a view built as of a past moment).
pub async fn caseload_in(db: &Db, generation: i64, unit: &str, today: Date) -> Result<Vec<CaseloadRow>, sqlx::Error> {
    let (cases, follow_ups) = open_cases(db, generation, unit).await?;
    let feedback = feedback_owed(db, generation, unit).await?;
    let deadlines = deadlines_of(&cases, &follow_ups, &feedback, today);
    Ok(caseload_rows(cases, &deadlines))
}

/// The open cases, each with its nearest deadline and whether one is overdue.
fn caseload_rows(cases: Vec<CaseRecord>, deadlines: &[DeadlineRow]) -> Vec<CaseloadRow> {
    // Each case's deadlines, nearest first (as `deadlines_of` orders them).
    let mut by_case: std::collections::HashMap<&str, Vec<&DeadlineRow>> = std::collections::HashMap::new();
    for row in deadlines {
        by_case.entry(row.case_id.as_str()).or_default().push(row);
    }
    cases
        .into_iter()
        .filter_map(|(case_id, subject_id, worker_id, _, phase, received_on, _, _, chained, _, _, _)| {
            let mine = by_case.get(case_id.as_str()).map(Vec::as_slice).unwrap_or_default();
            Some(CaseloadRow {
                overdue: mine.iter().any(|row| row.overdue),
                next_deadline: mine.first().map(|row| (*row).clone()),
                case_id,
                subject_id,
                worker_id,
                phase,
                received_on: date(&received_on)?,
                chained: chained != 0,
            })
        })
        .collect()
}

type ReferralRecord = (
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Which rows of a list a reader asks for: those after `cursor` (a key of the list's order, as the last page's
/// `next_cursor` gave it), at most `limit`, and only those with `status` when it is given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Paging {
    /// The key after which the page starts; none: from the first row.
    pub cursor: Option<String>,
    /// The most rows the page holds, 1 to [`PAGE_MAX`].
    pub limit: usize,
}

/// The most rows a page holds.
pub const PAGE_MAX: usize = 500;
/// The rows a page holds when the reader does not say.
pub const PAGE_DEFAULT: usize = 100;

/// Whether `cursor` is a key of the lists' form: a day (`YYYY-MM-DD`), a space, and the rest of the key.
pub fn valid_cursor(cursor: &str) -> bool {
    cursor.get(..10).and_then(date).is_some()
        && cursor.get(10..11) == Some(" ")
        && cursor.len() > 11
        && cursor[11..].chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '_')
}

/// One page of a list: its rows in the list's order, and the cursor of the next page (none: this is the last).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Page<T> {
    /// The rows.
    pub items: Vec<T>,
    /// Give it as `cursor` for the rows after these; none when there are no more.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// The page of `rows` that `paging` asks for, the rows ordered by `key` (unique per row).
    pub fn of(mut rows: Vec<T>, key: impl Fn(&T) -> String, paging: &Paging) -> Self {
        rows.sort_by_cached_key(|row| key(row));
        let start = match &paging.cursor {
            Some(cursor) => rows.partition_point(|row| key(row).as_str() <= cursor.as_str()),
            None => 0,
        };
        let mut items: Vec<T> = rows.into_iter().skip(start).take(paging.limit + 1).collect();
        Self::cut(&mut items, paging.limit, key)
    }

    /// `items` (one more than `limit` if there are more) cut to `limit`, with the next cursor.
    fn cut(items: &mut Vec<T>, limit: usize, key: impl Fn(&T) -> String) -> Self {
        let more = items.len() > limit;
        items.truncate(limit);
        let next_cursor = if more { items.last().map(key) } else { None };
        Page { items: std::mem::take(items), next_cursor }
    }
}

/// A referral's key in an inbox or outbox: sent on, then id (the oldest waiting first).
fn referral_key(row: &ReferralRow) -> String {
    format!("{} {}", row.sent_on, row.referral_id)
}

async fn referrals(db: &Db, column: &str, unit: &str, today: Date) -> Result<Vec<ReferralRow>, sqlx::Error> {
    referral_rows(db, column, unit, today, None, None).await
}

/// The referrals of `unit` by `column`, oldest first; from `paging` on and at most one more than its limit when
/// given, only with `status` when given.
async fn referral_rows(
    db: &Db,
    column: &str,
    unit: &str,
    today: Date,
    paging: Option<&Paging>,
    wanted: Option<&str>,
) -> Result<Vec<ReferralRow>, sqlx::Error> {
    let generation = status(db, "referrals").await?.generation;
    let (after_day, after_id) = paging
        .and_then(|paging| paging.cursor.as_deref())
        .and_then(|cursor| cursor.split_once(' '))
        .map(|(day, id)| (day.to_owned(), id.to_owned()))
        .unwrap_or_default();
    let limit = paging.map_or(i64::MAX, |paging| paging.limit as i64 + 1);
    let sql = format!(
        "select referral_id, kind, from_unit, to_unit, status, sent_on, received_on, decided_on, case_id,
                forwarded_from, forwarded_to, feedback_count, intervention_outcome, last_feedback, last_feedback_on
           from referral_views where generation = $1 and {column} = $2
            and (sent_on > $3 or (sent_on = $3 and referral_id > $4)) and ($5 = '' or status = $5)
          order by sent_on, referral_id limit $6"
    );
    let records: Vec<ReferralRecord> = on_pool!(db, |pool| {
        sqlx::query_as(&sql)
            .bind(generation)
            .bind(unit)
            .bind(&after_day)
            .bind(&after_id)
            .bind(wanted.unwrap_or_default())
            .bind(limit)
            .fetch_all(pool)
            .await
    })?;
    Ok(records
        .into_iter()
        .filter_map(
            |(
                referral_id,
                kind,
                from_unit,
                to_unit,
                status,
                sent_on,
                received_on,
                decided_on,
                case_id,
                forwarded_from,
                forwarded_to,
                feedback,
                outcome,
                last_feedback,
                last_feedback_on,
            )| {
                let sent_on = date(&sent_on)?;
                let received_on = received_on.as_deref().and_then(date);
                let until = decided_on.as_deref().and_then(date).unwrap_or(today);
                Some(ReferralRow {
                    referral_id,
                    kind,
                    from_unit,
                    to_unit,
                    status,
                    days_since_sent: days_between(sent_on, until),
                    days_since_received: received_on.map(|received| days_between(received, until)),
                    sent_on,
                    received_on,
                    case_id,
                    forwarded_from,
                    forwarded_to,
                    feedback_given: feedback > 0,
                    last_feedback,
                    last_feedback_on: last_feedback_on.as_deref().and_then(date),
                    intervention_outcome: outcome,
                    open_investigation_case_id: None,
                })
            },
        )
        .collect())
}

/// The case of `unit` about `subject` whose investigation is open (decided or under way), if there is one.
pub async fn open_investigation(db: &Db, unit: &str, subject: &str) -> Result<Option<String>, sqlx::Error> {
    let generation = status(db, "caseload").await?.generation;
    on_pool!(db, |pool| {
        sqlx::query_scalar(
            "select case_id from caseload_cases
              where generation = $1 and unit_id = $2 and subject_id = $3
                and phase in ('investigation_decided', 'investigating')
              order by received_on desc, case_id limit 1",
        )
        .bind(generation)
        .bind(unit)
        .bind(subject)
        .fetch_optional(pool)
        .await
    })
}

/// The open cases of `unit` about `subject` (case, phase), the newest first: what a referral about them may be
/// accepted into.
pub async fn open_cases_about(db: &Db, unit: &str, subject: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
    let generation = status(db, "caseload").await?.generation;
    on_pool!(db, |pool| {
        sqlx::query_as(
            "select case_id, phase from caseload_cases
              where generation = $1 and unit_id = $2 and subject_id = $3 and phase not in ('closed', 'not_opened')
              order by received_on desc, case_id desc limit 20",
        )
        .bind(generation)
        .bind(unit)
        .bind(subject)
        .fetch_all(pool)
        .await
    })
}

/// The referrals `unit` sent about `subject` that the receiver has not declined or that were not withdrawn:
/// (referral, receiving unit, status), the newest first — what a plan names as the provider's referral.
pub async fn sent_about(db: &Db, unit: &str, subject: &str) -> Result<Vec<(String, String, String)>, sqlx::Error> {
    let generation = status(db, "referrals").await?.generation;
    on_pool!(db, |pool| {
        sqlx::query_as(
            "select referral_id, to_unit, status from referral_views
              where generation = $1 and from_unit = $2 and subject_id = $3
                and status not in ('declined', 'withdrawn')
              order by sent_on desc, referral_id desc limit 50",
        )
        .bind(generation)
        .bind(unit)
        .bind(subject)
        .fetch_all(pool)
        .await
    })
}

/// A page of the referrals sent to `unit`, the longest waiting first, only those with `wanted` status if given.
pub async fn inbox_page(
    db: &Db,
    unit: &str,
    today: Date,
    paging: &Paging,
    wanted: Option<&str>,
) -> Result<Page<ReferralRow>, sqlx::Error> {
    let mut rows = referral_rows(db, "to_unit", unit, today, Some(paging), wanted).await?;
    let page = Page::cut(&mut rows, paging.limit, referral_key);
    Ok(Page { items: with_open_investigations(db, unit, page.items).await?, next_cursor: page.next_cursor })
}

/// A page of the referrals sent by `unit`, oldest first, its reports of concern as their sender may see them.
pub async fn outbox_page(
    db: &Db,
    unit: &str,
    today: Date,
    paging: &Paging,
    wanted: Option<&str>,
) -> Result<Page<ReferralRow>, sqlx::Error> {
    let mut rows = referral_rows(db, "from_unit", unit, today, Some(paging), wanted).await?;
    let page = Page::cut(&mut rows, paging.limit, referral_key);
    Ok(Page {
        items: page.items.into_iter().map(ReferralRow::seen_by_reporter).collect(),
        next_cursor: page.next_cursor,
    })
}

/// The referrals sent to `unit`; a report not yet taken names the unit's open investigation about the same child.
pub async fn inbox(db: &Db, unit: &str, today: Date) -> Result<Vec<ReferralRow>, sqlx::Error> {
    let rows = referrals(db, "to_unit", unit, today).await?;
    with_open_investigations(db, unit, rows).await
}

/// `rows` of `unit`'s inbox, each report not yet taken naming the unit's open investigation about the same child.
async fn with_open_investigations(
    db: &Db,
    unit: &str,
    mut rows: Vec<ReferralRow>,
) -> Result<Vec<ReferralRow>, sqlx::Error> {
    let waiting: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, row)| {
            row.kind == "report_of_concern" && matches!(row.status.as_str(), "sent" | "received" | "on_hold")
        })
        .map(|(index, _)| index)
        .collect();
    if waiting.is_empty() {
        return Ok(rows);
    }
    let generation = status(db, "caseload").await?.generation;
    let referrals = status(db, "referrals").await?.generation;
    let open: Vec<(String, String)> = on_pool!(db, |pool| {
        sqlx::query_as(
            "select r.referral_id, c.case_id
               from referral_views r
               join caseload_cases c on c.generation = $1 and c.unit_id = $2 and c.subject_id = r.subject_id
              where r.generation = $3 and r.to_unit = $2 and r.kind = 'report_of_concern'
                and r.status in ('sent', 'received', 'on_hold')
                and c.phase in ('investigation_decided', 'investigating')",
        )
        .bind(generation)
        .bind(unit)
        .bind(referrals)
        .fetch_all(pool)
        .await
    })?;
    for index in waiting {
        let row = &mut rows[index];
        row.open_investigation_case_id =
            open.iter().find(|(referral, _)| *referral == row.referral_id).map(|(_, case)| case.clone());
    }
    Ok(rows)
}

/// The referrals sent by `unit`; its reports of concern as their sender may see them.
pub async fn outbox(db: &Db, unit: &str, today: Date) -> Result<Vec<ReferralRow>, sqlx::Error> {
    Ok(referrals(db, "from_unit", unit, today).await?.into_iter().map(ReferralRow::seen_by_reporter).collect())
}

/// Open cases by worker and phase, with how many are overdue: the manager's overview of a caseload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CaseloadSummary {
    /// The responsible worker (none: not yet assigned).
    pub worker_id: Option<String>,
    /// The phase.
    pub phase: String,
    /// Open cases.
    pub open: usize,
    /// Of which overdue.
    pub overdue: usize,
}

/// Sums a unit's caseload by worker and phase.
pub fn summarise(rows: &[CaseloadRow]) -> Vec<CaseloadSummary> {
    let mut sums: std::collections::BTreeMap<(Option<String>, String), (usize, usize)> =
        std::collections::BTreeMap::new();
    for row in rows {
        let sum = sums.entry((row.worker_id.clone(), row.phase.clone())).or_default();
        sum.0 += 1;
        sum.1 += usize::from(row.overdue);
    }
    sums.into_iter()
        .map(|((worker_id, phase), (open, overdue))| CaseloadSummary { worker_id, phase, open, overdue })
        .collect()
}

/// What access control needs to know about a case: the unit holding it and its subject's protection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CaseSummary {
    /// The case.
    pub case_id: String,
    /// The subject.
    pub subject_id: String,
    /// The unit holding it.
    pub unit_id: String,
    /// The responsible worker.
    pub worker_id: Option<String>,
    /// The phase.
    pub phase: String,
    /// The date of receipt.
    pub received_on: String,
    /// The subject's protected-identity level, if any.
    pub protection: Option<String>,
}

/// One case, from the live caseload.
pub async fn case_summary(db: &Db, case: &str) -> Result<Option<CaseSummary>, sqlx::Error> {
    let generation = status(db, "caseload").await?.generation;
    type SummaryRow = (String, String, String, Option<String>, String, String, Option<String>);
    let row: Option<SummaryRow> = on_pool!(db, |pool| {
        sqlx::query_as(
            "select c.case_id, c.subject_id, c.unit_id, c.worker_id, c.phase, c.received_on, s.protection
               from caseload_cases c
               left join caseload_subjects s on s.generation = c.generation and s.subject_id = c.subject_id
              where c.generation = $1 and c.case_id = $2",
        )
        .bind(generation)
        .bind(case)
        .fetch_optional(pool)
        .await
    })?;
    Ok(row.map(|(case_id, subject_id, unit_id, worker_id, phase, received_on, protection)| CaseSummary {
        case_id,
        subject_id,
        unit_id,
        worker_id,
        phase,
        received_on,
        protection,
    }))
}
