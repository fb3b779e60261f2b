//! When an incident happened: a month only, an instant, or an uncertain span.
//!
//! Local times are Europe/London wall-clock times; they are converted to UTC instants once,
//! at ingest, with DST handled by `chrono-tz`: a wall time that occurs twice (the last Sunday
//! of October, 01:00–02:00) takes the earlier, BST, instant; a wall time that does not exist
//! (the last Sunday of March, 01:00–02:00) is an error the ingest report names.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::London;
use serde::{Deserialize, Serialize};

use super::Month;

/// When an incident happened, as precisely as the source says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum IncidentTime {
    /// Only the month is known (police.uk).
    Month {
        /// The month.
        month: Month,
    },
    /// A single instant.
    At {
        /// The instant, in UTC.
        at: DateTime<Utc>,
    },
    /// Somewhere between two instants (e.g. damage found in the morning); `from <= to`.
    Span {
        /// Earliest possible instant.
        from: DateTime<Utc>,
        /// Latest possible instant.
        to: DateTime<Utc>,
    },
}

/// A local wall-clock time that cannot be turned into an instant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// The wall time falls in the hour skipped when clocks go forward.
    #[error("{0} does not exist in Europe/London (clocks go forward that night)")]
    Skipped(NaiveDateTime),
    /// A span whose end is before its start.
    #[error("span ends ({to}) before it starts ({from})")]
    Reversed {
        /// Start as written.
        from: NaiveDateTime,
        /// End as written.
        to: NaiveDateTime,
    },
}

/// Converts a Europe/London wall-clock time to UTC (the earlier instant when ambiguous).
pub fn london_to_utc(local: NaiveDateTime) -> Result<DateTime<Utc>, TimeError> {
    match London.from_local_datetime(&local) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(earlier, _) => Ok(earlier.with_timezone(&Utc)),
        LocalResult::None => Err(TimeError::Skipped(local)),
    }
}

/// Converts a UTC instant to Europe/London wall-clock time.
pub fn utc_to_london(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&London).naive_local()
}

impl IncidentTime {
    /// An instant from a Europe/London wall-clock time.
    pub fn at_local(local: NaiveDateTime) -> Result<IncidentTime, TimeError> {
        Ok(IncidentTime::At {
            at: london_to_utc(local)?,
        })
    }

    /// A span from two Europe/London wall-clock times; equal ends give an instant.
    pub fn span_local(from: NaiveDateTime, to: NaiveDateTime) -> Result<IncidentTime, TimeError> {
        if to < from {
            return Err(TimeError::Reversed { from, to });
        }
        let (a, b) = (london_to_utc(from)?, london_to_utc(to)?);
        Ok(if a == b {
            IncidentTime::At { at: a }
        } else {
            IncidentTime::Span { from: a, to: b }
        })
    }

    /// The (local) month the incident started in.
    pub fn month(&self) -> Month {
        match *self {
            IncidentTime::Month { month } => month,
            IncidentTime::At { at } | IncidentTime::Span { from: at, .. } => {
                Month::of(utc_to_london(at).date())
            }
        }
    }

    /// Whether a time of day is known (instant or span).
    pub fn has_time_of_day(&self) -> bool {
        !matches!(self, IncidentTime::Month { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    #[test]
    fn bst_and_gmt_offsets() {
        let summer = london_to_utc(local(2017, 6, 10, 23, 30)).unwrap();
        assert_eq!(summer.to_rfc3339(), "2017-06-10T22:30:00+00:00");
        let winter = london_to_utc(local(2017, 1, 10, 23, 30)).unwrap();
        assert_eq!(winter.to_rfc3339(), "2017-01-10T23:30:00+00:00");
        assert_eq!(utc_to_london(summer), local(2017, 6, 10, 23, 30));
    }

    #[test]
    fn dst_edges() {
        // 26 March 2017: 01:30 does not exist.
        assert!(matches!(
            london_to_utc(local(2017, 3, 26, 1, 30)),
            Err(TimeError::Skipped(_))
        ));
        // 29 October 2017: 01:30 happens twice; the earlier (BST) one is taken.
        let t = london_to_utc(local(2017, 10, 29, 1, 30)).unwrap();
        assert_eq!(t.to_rfc3339(), "2017-10-29T00:30:00+00:00");
    }

    #[test]
    fn spans() {
        let s =
            IncidentTime::span_local(local(2017, 6, 9, 22, 0), local(2017, 6, 10, 7, 0)).unwrap();
        assert!(matches!(s, IncidentTime::Span { .. }));
        assert_eq!(s.month(), Month::new(2017, 6).unwrap());
        assert!(
            IncidentTime::span_local(local(2017, 6, 10, 7, 0), local(2017, 6, 9, 22, 0)).is_err()
        );
    }
}
