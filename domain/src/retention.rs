//! Retention (gallring): when a subject's personal file is cleared, and what keeps it. Pure: the facts and
//! "today" come in; the service gathers the facts from the log and carries the decision out.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::calendar::add_months;

/// The retention policy: a file is cleared `years` after its last entry, at the latest by the end of the
/// following calendar year. Five years in the Social Services Act; a table so municipalities can set theirs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionPolicy {
    /// Years after the last entry.
    pub years: u8,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        Self { years: 5 }
    }
}

impl RetentionPolicy {
    /// The policy's name in the erasure record.
    pub fn rule(&self) -> String {
        format!("retention-{}y-after-last-entry", self.years)
    }
}

/// A recorded legal hold on a subject's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum LegalHold {
    /// An adoption investigation: the file is kept.
    AdoptionInvestigation,
    /// A paternity investigation: the file is kept.
    PaternityInvestigation,
}

/// What the log says about one subject's file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RetentionFacts {
    /// The date of the last entry about the subject (the date it happened, not the date it was recorded).
    pub last_entry_on: Option<Date>,
    /// Whether any of the subject's cases is open.
    pub open_case: bool,
    /// Whether the subject was placed (foster family or residential placement) as a child.
    pub placed: bool,
    /// Recorded legal holds.
    pub holds: BTreeSet<LegalHold>,
    /// The day of the month of birth, when known (from the identity number): the research sample is everyone
    /// born on the 5th, 15th or 25th.
    pub birth_day: Option<u8>,
}

/// Why a file is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeepReason {
    /// A case is open.
    OpenCase,
    /// The child was placed.
    Placement,
    /// A legal hold.
    Hold(LegalHold),
    /// Born on the 5th, 15th or 25th: part of the research sample.
    ResearchSample,
    /// Nothing has been recorded about the subject yet.
    NoEntries,
}

/// What to do with a file today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetentionDecision {
    /// Keep it for good (or for as long as the reason holds).
    Keep(KeepReason),
    /// Keep it until `clearable_from`.
    NotYetDue {
        /// The first day it may be cleared.
        clearable_from: Date,
    },
    /// Clear it: it has been clearable since `clearable_from` and must be cleared by `clear_by`.
    Clear {
        /// The first day it could be cleared.
        clearable_from: Date,
        /// The last day of the following calendar year.
        clear_by: Date,
    },
}

/// Decides what to do with one file on `today`.
pub fn decide_retention(facts: &RetentionFacts, policy: RetentionPolicy, today: Date) -> RetentionDecision {
    if facts.open_case {
        return RetentionDecision::Keep(KeepReason::OpenCase);
    }
    if facts.placed {
        return RetentionDecision::Keep(KeepReason::Placement);
    }
    if let Some(hold) = facts.holds.iter().next() {
        return RetentionDecision::Keep(KeepReason::Hold(*hold));
    }
    if matches!(facts.birth_day, Some(5 | 15 | 25)) {
        return RetentionDecision::Keep(KeepReason::ResearchSample);
    }
    let Some(last_entry_on) = facts.last_entry_on else {
        return RetentionDecision::Keep(KeepReason::NoEntries);
    };
    let clearable_from = add_months(last_entry_on, policy.years.saturating_mul(12)).next_day().unwrap_or(Date::MAX);
    if today < clearable_from {
        return RetentionDecision::NotYetDue { clearable_from };
    }
    let clear_by = Date::from_calendar_date(clearable_from.year() + 1, Month::December, 31).unwrap_or(Date::MAX);
    RetentionDecision::Clear { clearable_from, clear_by }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn facts(last: Date) -> RetentionFacts {
        RetentionFacts { last_entry_on: Some(last), birth_day: Some(3), ..RetentionFacts::default() }
    }

    #[test]
    fn a_file_is_clearable_five_years_after_its_last_entry_and_cleared_by_the_end_of_the_next_year() {
        let policy = RetentionPolicy::default();
        let cases = [
            // last entry, today => decision
            (
                date!(2020 - 03 - 10),
                date!(2025 - 03 - 10),
                RetentionDecision::NotYetDue { clearable_from: date!(2025 - 03 - 11) },
            ),
            (
                date!(2020 - 03 - 10),
                date!(2025 - 03 - 11),
                RetentionDecision::Clear { clearable_from: date!(2025 - 03 - 11), clear_by: date!(2026 - 12 - 31) },
            ),
            (
                date!(2020 - 12 - 31),
                date!(2026 - 11 - 25),
                RetentionDecision::Clear { clearable_from: date!(2026 - 01 - 01), clear_by: date!(2027 - 12 - 31) },
            ),
            (
                date!(2020 - 02 - 29),
                date!(2025 - 03 - 01),
                RetentionDecision::Clear { clearable_from: date!(2025 - 03 - 01), clear_by: date!(2026 - 12 - 31) },
            ),
            (
                date!(2024 - 06 - 01),
                date!(2026 - 11 - 25),
                RetentionDecision::NotYetDue { clearable_from: date!(2029 - 06 - 02) },
            ),
        ];
        for (last, today, expected) in cases {
            assert_eq!(decide_retention(&facts(last), policy, today), expected, "last entry {last}, today {today}");
        }
    }

    #[test]
    fn holds_keep_a_file_whatever_its_age() {
        let old = date!(2001 - 01 - 01);
        let today = date!(2026 - 11 - 25);
        let policy = RetentionPolicy::default();
        let cases = [
            (RetentionFacts { open_case: true, ..facts(old) }, KeepReason::OpenCase),
            (RetentionFacts { placed: true, ..facts(old) }, KeepReason::Placement),
            (
                RetentionFacts { holds: [LegalHold::AdoptionInvestigation].into(), ..facts(old) },
                KeepReason::Hold(LegalHold::AdoptionInvestigation),
            ),
            (
                RetentionFacts { holds: [LegalHold::PaternityInvestigation].into(), ..facts(old) },
                KeepReason::Hold(LegalHold::PaternityInvestigation),
            ),
            (RetentionFacts { birth_day: Some(5), ..facts(old) }, KeepReason::ResearchSample),
            (RetentionFacts { birth_day: Some(15), ..facts(old) }, KeepReason::ResearchSample),
            (RetentionFacts { birth_day: Some(25), ..facts(old) }, KeepReason::ResearchSample),
            (RetentionFacts::default(), KeepReason::NoEntries),
        ];
        for (facts, reason) in cases {
            assert_eq!(decide_retention(&facts, policy, today), RetentionDecision::Keep(reason), "{facts:?}");
        }
        for day in [None, Some(4), Some(6), Some(14), Some(26), Some(31)] {
            let decision = decide_retention(&RetentionFacts { birth_day: day, ..facts(old) }, policy, today);
            assert!(matches!(decision, RetentionDecision::Clear { .. }), "born on day {day:?}: {decision:?}");
        }
    }

    #[test]
    fn a_municipality_may_set_another_period() {
        let decision =
            decide_retention(&facts(date!(2020 - 01 - 15)), RetentionPolicy { years: 10 }, date!(2026 - 11 - 25));
        assert_eq!(decision, RetentionDecision::NotYetDue { clearable_from: date!(2030 - 01 - 16) });
    }
}
