//! The `datetime` parameter: an RFC 3339 instant, or an interval `start/end` whose open ends
//! are written `..` or left empty, and how it matches an incident's time.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Timelike, Utc};

use crate::domain::{Month, london_to_utc, utc_to_london};
use crate::index::{IncidentTable, NO_TIME};
use crate::server::error::ApiError;

/// A checked instant or interval; `None` ends are open. `start <= end` when both are given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    /// Earliest instant, included.
    pub start: Option<DateTime<Utc>>,
    /// Latest instant, included.
    pub end: Option<DateTime<Utc>>,
}

impl Interval {
    /// Parses `2017-06-10T22:30:00Z`, `2017-06-01T00:00:00Z/2017-07-01T00:00:00+01:00`,
    /// `../2017-07-01T00:00:00Z`, `2017-06-01T00:00:00Z/..` (or with an empty end).
    pub fn parse(text: &str) -> Result<Interval, ApiError> {
        let bad = |why: String| {
            ApiError::bad(
                "datetime",
                format!(
                    "datetime {text:?} {why}: write an RFC 3339 instant (2017-06-10T22:30:00Z) or an interval start/end, with .. for an open end"
                ),
            )
        };
        let instant = |part: &str| -> Result<Option<DateTime<Utc>>, ApiError> {
            let part = part.trim();
            if part.is_empty() || part == ".." {
                return Ok(None);
            }
            DateTime::parse_from_rfc3339(part)
                .map(|t| Some(t.with_timezone(&Utc)))
                .map_err(|e| {
                    bad(format!(
                        "has {part:?}, which is not an RFC 3339 date-time ({e})"
                    ))
                })
        };
        let (start, end) = match text.split_once('/') {
            None => {
                let t = instant(text)?.ok_or_else(|| bad("is empty".to_owned()))?;
                (Some(t), Some(t))
            }
            Some((a, b)) => {
                if b.contains('/') {
                    return Err(bad("has more than one '/'".to_owned()));
                }
                let (start, end) = (instant(a)?, instant(b)?);
                if start.is_none() && end.is_none() {
                    return Err(bad("is open at both ends".to_owned()));
                }
                (start, end)
            }
        };
        if let (Some(s), Some(e)) = (start, end)
            && s > e
        {
            return Err(bad("ends before it starts".to_owned()));
        }
        Ok(Interval { start, end })
    }

    /// The interval as a query value (RFC 3339, UTC, `..` for open ends).
    pub fn to_query(&self) -> String {
        let show = |t: Option<DateTime<Utc>>| {
            t.map_or_else(
                || "..".to_owned(),
                |t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            )
        };
        if self.start.is_some() && self.start == self.end {
            show(self.start)
        } else {
            format!("{}/{}", show(self.start), show(self.end))
        }
    }

    /// A matcher over a snapshot's incident columns.
    pub fn matcher(&self) -> IncidentMatcher {
        // Incident times are stored as local wall-clock minutes; compare in local wall-clock
        // seconds. Row times are whole minutes, so "row >= start" is "row >= ceil(start)".
        let start_s = self.start.map_or(i64::MIN, |t| {
            let s = local_seconds(t);
            if t.nanosecond() > 0 { s + 1 } else { s }
        });
        let end_s = self.end.map_or(i64::MAX, local_seconds);
        IncidentMatcher {
            interval: *self,
            start_s,
            end_s,
            months: HashMap::new(),
        }
    }
}

/// Matches incidents against an interval; caches the answer per month for month-only rows.
#[derive(Debug, Clone)]
pub struct IncidentMatcher {
    interval: Interval,
    start_s: i64,
    end_s: i64,
    months: HashMap<Month, bool>,
}

impl IncidentMatcher {
    /// Whether incident `i` overlaps the interval: an instant or span when its (local,
    /// minute-precision) time range meets it; a month-only row when its month (local midnight
    /// of the 1st to local midnight of the next 1st) does.
    pub fn matches(&mut self, t: &IncidentTable, i: usize) -> bool {
        let start_min = t.start_min[i];
        if start_min == NO_TIME {
            let month = t.month[i];
            let interval = self.interval;
            return *self
                .months
                .entry(month)
                .or_insert_with(|| month_overlaps(month, interval));
        }
        let (s, e) = (
            start_min.saturating_mul(60),
            t.end_min[i].saturating_mul(60),
        );
        s <= self.end_s && e >= self.start_s
    }
}

/// Local wall-clock seconds since 1970-01-01T00:00 (floored).
fn local_seconds(t: DateTime<Utc>) -> i64 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("1970-01-01T00:00 is a valid date-time");
    (utc_to_london(t) - epoch).num_seconds()
}

/// Whether the month's span `[first local midnight, next first local midnight)` meets the
/// interval. (UK clocks change at 01:00, so local midnight always exists.)
fn month_overlaps(month: Month, interval: Interval) -> bool {
    let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).and_then(|n| london_to_utc(n).ok());
    let start = midnight(month.first_day());
    let next = month.last_day().succ_opt().and_then(midnight);
    let (Some(start), Some(next)) = (start, next) else {
        return false;
    };
    interval.end.is_none_or(|e| start <= e) && interval.start.is_none_or(|s| next > s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_instants_and_intervals() {
        let i = Interval::parse("2017-06-10T22:30:00Z").unwrap();
        assert_eq!(i.start, i.end);
        assert_eq!(i.to_query(), "2017-06-10T22:30:00Z");
        let i = Interval::parse("2017-06-01T00:00:00+01:00/..").unwrap();
        assert_eq!(i.to_query(), "2017-05-31T23:00:00Z/..");
        let i = Interval::parse("/2017-07-01T00:00:00Z").unwrap();
        assert_eq!(i.start, None);
        for bad in [
            "",
            "2017-06",
            "2017-06-10",
            "2017-06-10 22:30",
            "../..",
            "/",
            "2017-07-01T00:00:00Z/2017-06-01T00:00:00Z",
            "a/b/c",
        ] {
            assert_eq!(
                Interval::parse(bad).unwrap_err().parameter(),
                Some("datetime"),
                "{bad}"
            );
        }
    }

    #[test]
    fn month_rows_match_by_local_month() {
        let june = Month::new(2017, 6).unwrap();
        // 31 May 23:30 UTC is 1 June 00:30 BST: inside June.
        let i = Interval::parse("2017-05-31T23:30:00Z").unwrap();
        assert!(month_overlaps(june, i));
        // 31 May 22:59 UTC is 23:59 BST on 31 May: not June.
        let i = Interval::parse("2017-05-31T22:59:00Z").unwrap();
        assert!(!month_overlaps(june, i));
        // 30 June 22:59:30 UTC is 23:59:30 BST, last minute of June.
        let i = Interval::parse("2017-06-30T22:59:30Z").unwrap();
        assert!(month_overlaps(june, i));
        let i = Interval::parse("2017-06-30T23:00:00Z/..").unwrap();
        assert!(!month_overlaps(june, i));
    }
}
