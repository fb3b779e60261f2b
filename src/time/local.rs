//! Local minutes: Europe/London wall-clock time as a plain integer.
//!
//! The snapshot stores every incident time as whole minutes since 1970-01-01T00:00 of naive
//! Europe/London wall-clock time, so that windows can filter a million incidents in a tight
//! loop with no time-zone work: the day is `minutes.div_euclid(1440)`, the minute of the day
//! `minutes.rem_euclid(1440)`, and day 0 was a Thursday. Seconds are dropped (rounded down).
//!
//! Wall-clock minutes are not elapsed minutes across a clocks change: the hour skipped in
//! March has no instant, and the hour repeated in October maps both instants to the same
//! minutes. [`crate::time::Window::weight`] corrects spans for that from a table of
//! transitions (the private `dst` module, derived from `chrono-tz`); instants need no
//! correction.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Timelike, Utc};

use crate::domain::{IncidentTime, utc_to_london};

/// Minutes in a day.
pub const MINUTES_PER_DAY: i64 = 1440;
/// Minutes in a week.
pub const MINUTES_PER_WEEK: i64 = 7 * MINUTES_PER_DAY;

/// The epoch of local minutes and days.
fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("1970-01-01 is a date")
}

/// Local minutes of a naive Europe/London wall-clock time (seconds dropped).
pub fn local_minutes(local: NaiveDateTime) -> i64 {
    day_number(local.date()) * MINUTES_PER_DAY
        + i64::from(local.hour()) * 60
        + i64::from(local.minute())
}

/// Local minutes of a UTC instant, through Europe/London wall-clock time.
pub fn local_minutes_of_utc(at: DateTime<Utc>) -> i64 {
    local_minutes(utc_to_london(at))
}

/// The start and end of an incident in local minutes (`start == end` for an instant);
/// `None` for a month-only row.
pub fn incident_minutes(time: &IncidentTime) -> Option<(i64, i64)> {
    match *time {
        IncidentTime::Month { .. } => None,
        IncidentTime::At { at } => {
            let m = local_minutes_of_utc(at);
            Some((m, m))
        }
        IncidentTime::Span { from, to } => {
            Some((local_minutes_of_utc(from), local_minutes_of_utc(to)))
        }
    }
}

/// Days since 1970-01-01 of a date.
pub fn day_number(date: NaiveDate) -> i64 {
    date.signed_duration_since(epoch()).num_days()
}

/// The date of a day number; `None` beyond chrono's range (about ±262,000 years).
pub fn date_of_day(day: i64) -> Option<NaiveDate> {
    epoch().checked_add_signed(chrono::TimeDelta::try_days(day)?)
}

/// The naive wall-clock time of local minutes; `None` beyond chrono's range.
pub fn naive_of_minutes(minutes: i64) -> Option<NaiveDateTime> {
    let day = date_of_day(minutes.div_euclid(MINUTES_PER_DAY))?;
    let m = minutes.rem_euclid(MINUTES_PER_DAY);
    // Both parts are in range: 0 <= m < 1440.
    let (h, min) = (u32::try_from(m / 60).ok()?, u32::try_from(m % 60).ok()?);
    day.and_hms_opt(h, min, 0)
}

/// Day of the week of a day number, Monday = 0 … Sunday = 6 (day 0 was a Thursday).
pub fn weekday_of_day(day: i64) -> usize {
    // rem_euclid(7) is in 0..7, so the cast cannot truncate.
    (day + 3).rem_euclid(7) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::london_to_utc;
    use chrono::{Datelike, Weekday};

    fn naive(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    #[test]
    fn minutes_round_trip_and_weekdays() {
        assert_eq!(local_minutes(naive(1970, 1, 1, 0, 0)), 0);
        assert_eq!(local_minutes(naive(1969, 12, 31, 23, 59)), -1);
        assert_eq!(local_minutes(naive(1970, 1, 2, 1, 30)), 1440 + 90);
        for t in [naive(2017, 6, 10, 1, 30), naive(1960, 2, 29, 23, 59)] {
            let m = local_minutes(t);
            assert_eq!(naive_of_minutes(m), Some(t));
            let day = m.div_euclid(MINUTES_PER_DAY);
            assert_eq!(date_of_day(day), Some(t.date()));
            assert_eq!(
                weekday_of_day(day),
                t.date().weekday().num_days_from_monday() as usize
            );
        }
        assert_eq!(
            weekday_of_day(0),
            Weekday::Thu.num_days_from_monday() as usize
        );
    }

    #[test]
    fn incidents_in_bst_use_wall_clock() {
        // 23:30 BST on 10 June 2017 is 22:30 UTC; the stored minutes are the wall clock's.
        let at = london_to_utc(naive(2017, 6, 10, 23, 30)).unwrap();
        let t = IncidentTime::At { at };
        let m = local_minutes(naive(2017, 6, 10, 23, 30));
        assert_eq!(incident_minutes(&t), Some((m, m)));
        let month = IncidentTime::Month {
            month: crate::domain::Month::new(2017, 6).unwrap(),
        };
        assert_eq!(incident_minutes(&month), None);
    }
}
