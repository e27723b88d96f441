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

/// Days from the day an immediate care order was decided within which it is submitted to the administrative
/// court (LVU 7 §: "inom en vecka från dagen för beslutet").
pub const CARE_ORDER_SUBMISSION_DAYS: i64 = 7;
/// Days from the day an immediate care order was carried out within which care under LVU is applied for
/// (LVU 8 §: four weeks).
pub const CARE_APPLICATION_DAYS: i64 = 28;

/// The last day an immediate care order decided on `decided_on` may be submitted to the court (LVU 7 §). The
/// rule for time limits that end on a holiday (lagen 1930:173) is not applied: the view shows the earlier day.
pub fn court_submission_due(decided_on: Date) -> Date {
    decided_on.saturating_add(Duration::days(CARE_ORDER_SUBMISSION_DAYS))
}

/// The last day care may be applied for after an immediate care order carried out on `enforced_on` (LVU 8 §).
pub fn care_application_due(enforced_on: Date) -> Date {
    enforced_on.saturating_add(Duration::days(CARE_APPLICATION_DAYS))
}

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
    fn an_immediate_care_order_goes_to_court_within_a_week_and_care_is_applied_for_within_four_weeks() {
        // Decided on a Friday: submitted by the Friday after; carried out on the Saturday: care applied for by the
        // Saturday four weeks on.
        assert_eq!(court_submission_due(date!(2026 - 11 - 27)), date!(2026 - 12 - 04));
        assert_eq!(care_application_due(date!(2026 - 11 - 28)), date!(2026 - 12 - 26));
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

/// Stockholm's offset from UTC at `moment`: +2 from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
/// last Sunday of October (the EU rule since 1996), +1 otherwise.
pub fn stockholm_offset(moment: time::OffsetDateTime) -> time::UtcOffset {
    let utc = moment.to_offset(time::UtcOffset::UTC);
    let last_sunday = |month: Month| {
        let last = Date::from_calendar_date(utc.year(), month, month.length(utc.year())).unwrap_or(Date::MIN);
        last.saturating_sub(Duration::days(i64::from(last.weekday().number_days_from_sunday())))
    };
    let starts = last_sunday(Month::March).with_hms(1, 0, 0).map(|at| at.assume_utc());
    let ends = last_sunday(Month::October).with_hms(1, 0, 0).map(|at| at.assume_utc());
    let summer = matches!((starts, ends), (Ok(starts), Ok(ends)) if utc >= starts && utc < ends);
    time::UtcOffset::from_hms(if summer { 2 } else { 1 }, 0, 0).unwrap_or(time::UtcOffset::UTC)
}

/// The calendar date in Stockholm at `moment`: the "today" commands and views use.
pub fn stockholm_date(moment: time::OffsetDateTime) -> Date {
    moment.to_offset(stockholm_offset(moment)).date()
}

/// Whether `moment` falls outside working hours in Stockholm: before 07:00, from 18:00, or on a weekend.
pub fn outside_working_hours(moment: time::OffsetDateTime) -> bool {
    let local = moment.to_offset(stockholm_offset(moment));
    let weekend = matches!(local.weekday(), time::Weekday::Saturday | time::Weekday::Sunday);
    weekend || local.hour() < 7 || local.hour() >= 18
}

#[cfg(test)]
mod stockholm_tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn stockholm_keeps_summer_time_between_the_last_sundays_of_march_and_october() {
        let hours = |moment| stockholm_offset(moment).whole_hours();
        assert_eq!(hours(datetime!(2026-03-29 00:59 UTC)), 1);
        assert_eq!(hours(datetime!(2026-03-29 01:00 UTC)), 2);
        assert_eq!(hours(datetime!(2026-10-25 00:59 UTC)), 2);
        assert_eq!(hours(datetime!(2026-10-25 01:00 UTC)), 1);
        assert_eq!(hours(datetime!(2026-07-01 12:00 UTC)), 2);
        assert_eq!(hours(datetime!(2026-12-01 12:00 UTC)), 1);
    }

    #[test]
    fn the_stockholm_date_turns_at_local_midnight() {
        assert_eq!(stockholm_date(datetime!(2026-11-25 23:30 UTC)), time::macros::date!(2026 - 11 - 26));
        assert_eq!(stockholm_date(datetime!(2026-06-30 21:59 UTC)), time::macros::date!(2026 - 06 - 30));
        assert_eq!(stockholm_date(datetime!(2026-06-30 22:00 UTC)), time::macros::date!(2026 - 07 - 01));
    }

    #[test]
    fn working_hours_are_weekdays_from_seven_to_six_local_time() {
        assert!(!outside_working_hours(datetime!(2026-11-25 06:00 UTC)), "07:00 in Stockholm");
        assert!(outside_working_hours(datetime!(2026-11-25 05:59 UTC)));
        assert!(outside_working_hours(datetime!(2026-11-25 17:00 UTC)), "18:00 in Stockholm");
        assert!(!outside_working_hours(datetime!(2026-06-10 15:59 UTC)), "17:59 in summer");
        assert!(outside_working_hours(datetime!(2026-11-28 10:00 UTC)), "a Saturday");
    }
}

/// The JSON Schema of a calendar date as Lots writes it (`2026-11-26`), for `#[schemars(with = …)]` on `Date`
/// fields.
#[cfg(feature = "schema")]
#[derive(Debug)]
pub struct IsoDate;

#[cfg(feature = "schema")]
impl schemars::JsonSchema for IsoDate {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "date", "examples": ["2026-11-26"] })
    }
}
