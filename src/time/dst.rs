//! Europe/London clock changes as intervals of local (wall-clock) minutes.
//!
//! When clocks go forward, an hour of wall-clock minutes never happens (skipped); when they go
//! back, an hour happens twice (repeated). Aoristic weights are shares of *elapsed* time, so a
//! span measured in wall-clock minutes is corrected by these intervals. The table is derived
//! once per process from `chrono-tz` (the IANA database) for 1970–2100, not hand-written;
//! `chrono-tz`'s tables end with 2099, so 2100 has no clock changes here or in
//! [`crate::domain::utc_to_london`] alike.

use std::sync::OnceLock;

use chrono::{DateTime, Offset, TimeZone, Utc};
use chrono_tz::Europe::London;

use super::local::MINUTES_PER_DAY;

/// Whether a clock change skips or repeats its wall-clock minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Clocks went forward: these wall-clock minutes have no instant.
    Skipped,
    /// Clocks went back: these wall-clock minutes happened twice.
    Repeated,
}

/// One clock change: wall-clock minutes `[start, end)` skipped or repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// First affected local minute.
    pub start: i64,
    /// One past the last affected local minute.
    pub end: i64,
    /// Skipped or repeated.
    pub change: Change,
}

/// First and last year of the table.
const YEARS: (i32, i32) = (1970, 2100);

/// The UTC offset of Europe/London, in minutes, at a UTC minute since the epoch.
fn offset_min(utc_min: i64) -> Option<i64> {
    let at = DateTime::<Utc>::from_timestamp(utc_min.checked_mul(60)?, 0)?;
    Some(i64::from(
        London
            .offset_from_utc_datetime(&at.naive_utc())
            .fix()
            .local_minus_utc()
            / 60,
    ))
}

/// Builds the table: scans UTC days for a change of offset, then bisects the minute.
fn build() -> Vec<Transition> {
    let first = super::local::day_number(
        chrono::NaiveDate::from_ymd_opt(YEARS.0, 1, 1).expect("1 January exists"),
    );
    let last = super::local::day_number(
        chrono::NaiveDate::from_ymd_opt(YEARS.1, 12, 31).expect("31 December exists"),
    );
    let mut out = Vec::new();
    let Some(mut prev) = offset_min(first * MINUTES_PER_DAY) else {
        return out;
    };
    for day in first..=last {
        let Some(next) = offset_min((day + 1) * MINUTES_PER_DAY) else {
            break;
        };
        if next != prev {
            // The change happens in (lo, hi]: the first minute with the new offset is hi.
            let (mut lo, mut hi) = (day * MINUTES_PER_DAY, (day + 1) * MINUTES_PER_DAY);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if offset_min(mid) == Some(prev) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            out.push(if next > prev {
                Transition {
                    start: hi + prev,
                    end: hi + next,
                    change: Change::Skipped,
                }
            } else {
                Transition {
                    start: hi + next,
                    end: hi + prev,
                    change: Change::Repeated,
                }
            });
        }
        prev = next;
    }
    out
}

/// All clock changes 1970–2099, in order.
pub fn transitions() -> &'static [Transition] {
    static TABLE: OnceLock<Vec<Transition>> = OnceLock::new();
    TABLE.get_or_init(build)
}

/// The clock changes whose minutes lie within or touch `[start, end]`, in order.
pub fn near(start: i64, end: i64) -> &'static [Transition] {
    let t = transitions();
    let lo = t.partition_point(|x| x.end <= start);
    let hi = lo + t[lo..].partition_point(|x| x.start <= end);
    &t[lo..hi]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::local::local_minutes;
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32, h: u32) -> i64 {
        local_minutes(
            NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(h, 0, 0)
                .unwrap(),
        )
    }

    #[test]
    fn known_changes() {
        let t = transitions();
        // 26 March 2017: 01:00–02:00 skipped; 29 October 2017: 01:00–02:00 repeated.
        assert!(t.contains(&Transition {
            start: at(2017, 3, 26, 1),
            end: at(2017, 3, 26, 2),
            change: Change::Skipped
        }));
        assert!(t.contains(&Transition {
            start: at(2017, 10, 29, 1),
            end: at(2017, 10, 29, 2),
            change: Change::Repeated
        }));
        // Two changes a year 1972–2099, each one hour, alternating.
        let since_1972: Vec<_> = t.iter().filter(|x| x.start >= at(1972, 1, 1, 0)).collect();
        assert_eq!(since_1972.len(), 2 * (2099 - 1972 + 1));
        assert!(since_1972.iter().all(|x| x.end - x.start == 60));
        assert!(since_1972.windows(2).all(|w| w[0].change != w[1].change));
        assert_eq!(near(at(2017, 3, 25, 22), at(2017, 3, 26, 7)).len(), 1);
        assert!(near(at(2017, 6, 1, 0), at(2017, 6, 30, 0)).is_empty());
    }
}
