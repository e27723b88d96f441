//! The legal clocks. Deadlines count calendar days (or months) from the dates events record, never from the
//! time something was typed in, and "today" is always passed in.

use time::{Date, Duration, Month};

/// Days after receipt within which the preliminary assessment must be decided (förhandsbedömning, 14 days).
pub const PRELIMINARY_ASSESSMENT_DAYS: i64 = 14;
/// Days after receipt within which the protection assessment must be made: the same or the next day.
pub const PROTECTION_ASSESSMENT_DAYS: i64 = 1;
/// Months after its start within which an investigation must be completed (SoL 11:2, four months).
pub const INVESTIGATION_MONTHS: u8 = 4;
/// A new investigation on the same question within this many days of the last one ending is flagged as
/// chained: closing and reopening to restart the four-month clock is misconduct.
pub const CHAINED_INVESTIGATION_WINDOW_DAYS: i64 = 90;

/// The last day the protection assessment may be made.
pub fn protection_assessment_due(received_on: Date) -> Date {
    received_on.saturating_add(Duration::days(PROTECTION_ASSESSMENT_DAYS))
}

/// The last day the preliminary assessment may be decided without an exceptional reason.
pub fn preliminary_assessment_due(received_on: Date) -> Date {
    received_on.saturating_add(Duration::days(PRELIMINARY_ASSESSMENT_DAYS))
}

/// The last day of an investigation started on `started_on`, before any extension.
pub fn investigation_due(started_on: Date) -> Date {
    add_months(started_on, INVESTIGATION_MONTHS)
}

/// Adds calendar months; a day that does not exist in the target month becomes that month's last day
/// (31 October + 4 months = 28 or 29 February).
pub fn add_months(from: Date, months: u8) -> Date {
    let zero_based = i32::from(from.month() as u8 - 1) + i32::from(months);
    let year = from.year() + zero_based / 12;
    let month = Month::try_from((zero_based % 12 + 1) as u8).unwrap_or(Month::December);
    let day = from.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(Date::MAX)
}

/// Whole calendar days from `earlier` to `later` (negative when `later` is before).
pub fn days_between(earlier: Date, later: Date) -> i64 {
    (later - earlier).whole_days()
}

/// A deadline as the views show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    /// The last day on which the step is on time.
    pub due_on: Date,
}

impl Deadline {
    /// Overdue on `today` when today is after the last day.
    pub fn is_overdue(self, today: Date) -> bool {
        today > self.due_on
    }

    /// Days left until the last day (0 on the day itself, negative when overdue).
    pub fn days_left(self, today: Date) -> i64 {
        days_between(today, self.due_on)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn the_preliminary_assessment_is_due_fourteen_calendar_days_after_receipt() {
        assert_eq!(preliminary_assessment_due(date!(2026 - 03 - 01)), date!(2026 - 03 - 15));
        assert_eq!(preliminary_assessment_due(date!(2026 - 12 - 25)), date!(2027 - 01 - 08));
    }

    #[test]
    fn the_protection_assessment_is_due_the_next_day() {
        assert_eq!(protection_assessment_due(date!(2026 - 12 - 31)), date!(2027 - 01 - 01));
    }

    #[test]
    fn an_investigation_is_due_four_calendar_months_after_it_started() {
        assert_eq!(investigation_due(date!(2026 - 01 - 15)), date!(2026 - 05 - 15));
        assert_eq!(investigation_due(date!(2026 - 10 - 31)), date!(2027 - 02 - 28));
        assert_eq!(investigation_due(date!(2027 - 10 - 31)), date!(2028 - 02 - 29));
        assert_eq!(investigation_due(date!(2026 - 09 - 30)), date!(2027 - 01 - 30));
    }

    #[test]
    fn a_deadline_is_overdue_only_after_its_last_day() {
        let deadline = Deadline { due_on: date!(2026 - 03 - 15) };
        assert!(!deadline.is_overdue(date!(2026 - 03 - 15)));
        assert!(deadline.is_overdue(date!(2026 - 03 - 16)));
        assert_eq!(deadline.days_left(date!(2026 - 03 - 10)), 5);
        assert_eq!(deadline.days_left(date!(2026 - 03 - 17)), -2);
    }
}
