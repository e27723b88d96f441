//! The one clock of the service: "today" is the date in Stockholm, where every legal deadline is counted. The
//! domain reads no clock; what it needs of the time comes in with the command, from here.

/// Today's date in Stockholm.
pub fn today_in_stockholm() -> time::Date {
    domain::calendar::stockholm_date(time::OffsetDateTime::now_utc())
}
