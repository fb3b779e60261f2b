//! Windows: a date range intersected with an optional weekly pattern and calendar filter.
//!
//! # Parameters (the same in the CLI and in query strings)
//! - `from`, `to`: a month `YYYY-MM` or a date `YYYY-MM-DD`; `to` is inclusive (`from=2017-02`
//!   `to=2017-07` is six months). Either may be left out (open end).
//! - `days`: comma list of `mon,tue,wed,thu,fri,sat,sun`.
//! - `hours`: `HH:MM-HH:MM`, end exclusive, may cross midnight; start and end must differ.
//! - `preset`: `nte` (fri,sat 20:00-04:00), `evening` (every day 17:00-05:00),
//!   `weekend-evening` (fri,sat 17:00-05:00), `daytime` (every day 07:00-19:00); explicit
//!   `days` and `hours` override the preset's.
//! - `calendar`: `bank-holidays` (nights whose evening date is an England & Wales bank holiday
//!   or the day before one: with `fri,sat`, "bank-holiday weekends") or `events` (nights whose
//!   evening date is in the loaded [`EventCalendar`], e.g. match nights).
//!
//! An empty value counts as left out (HTML forms send empty fields).
//!
//! # Nights
//! When the hours cross midnight, the minutes after midnight belong to the night that started
//! the evening before: its *night date* is the evening's date. Every test — date range, day of
//! the week, calendar — is made on the night date, so `fri` + `20:00-04:00` includes Saturday
//! 01:30 and `to=2017-07-31` includes the small hours of 1 August. Without hours, or with hours
//! that do not cross midnight, the night date is the calendar date.

use std::fmt::Write as _;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize, Serializer};

use super::calendar::{BANK_HOLIDAY_YEARS, EventCalendar, bank_holidays, parse_date};
use super::dst::{self, Change};
use super::local::{MINUTES_PER_DAY, MINUTES_PER_WEEK, date_of_day, day_number, weekday_of_day};
use super::pattern::{Days, Hours, HoursProblem, Preset};
use crate::domain::Month;

/// Longest value accepted for any window parameter, in characters.
pub const MAX_PARAM_CHARS: usize = 100;

/// Minutes beyond ±2^40 (about two million years) are clamped in [`Window::weight`].
const MINUTE_LIMIT: i64 = 1 << 40;
/// Longest span [`Window::hour_shares`] spreads over hours (31 days, in minutes); longer ones
/// count at their start.
pub const MAX_SPREAD_MIN: i64 = 31 * 24 * 60;

/// Window parameters as given (CLI flags or a query string), not yet checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WindowParams {
    /// First month or date.
    pub from: Option<String>,
    /// Last month or date (inclusive).
    pub to: Option<String>,
    /// Comma list of days.
    pub days: Option<String>,
    /// `HH:MM-HH:MM`.
    pub hours: Option<String>,
    /// A preset name.
    pub preset: Option<String>,
    /// `bank-holidays` or `events`.
    pub calendar: Option<String>,
}

/// A window parameter that cannot be used; [`WindowError::parameter`] names it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    /// `from` or `to` is neither a month nor a date.
    #[error("{parameter}: {value:?} is not a month (YYYY-MM) or a date (YYYY-MM-DD)")]
    BadDate {
        /// `from` or `to`.
        parameter: &'static str,
        /// The text given.
        value: String,
    },
    /// `to` is before `from`.
    #[error("to: {to} is before from: {from}")]
    Reversed {
        /// First day.
        from: NaiveDate,
        /// Last day.
        to: NaiveDate,
    },
    /// A token of `days` is not a day.
    #[error(
        "days: {token:?} in {value:?} is not a day; write a comma list of mon,tue,wed,thu,fri,sat,sun"
    )]
    BadDays {
        /// The whole text.
        value: String,
        /// The first bad token.
        token: String,
    },
    /// `hours` is not `HH:MM-HH:MM`.
    #[error("hours: {value:?} is not HH:MM-HH:MM")]
    BadHours {
        /// The text given.
        value: String,
    },
    /// `hours` starts and ends at the same time.
    #[error("hours: {value:?} starts and ends at the same time, so the window would be empty")]
    EmptyHours {
        /// The text given.
        value: String,
    },
    /// Unknown preset.
    #[error("preset: {value:?} is not a preset; use nte, evening, weekend-evening or daytime")]
    UnknownPreset {
        /// The text given.
        value: String,
    },
    /// Unknown calendar filter.
    #[error("calendar: {value:?} is not a calendar; use bank-holidays or events")]
    UnknownCalendar {
        /// The text given.
        value: String,
    },
    /// `calendar=events` without an event calendar.
    #[error("calendar: events needs an event calendar (a CSV date,name), and none is loaded")]
    NoEventCalendar,
    /// A value longer than [`MAX_PARAM_CHARS`].
    #[error("{parameter}: the value has {chars} characters; at most {max} are accepted")]
    TooLong {
        /// The parameter.
        parameter: &'static str,
        /// Its length.
        chars: usize,
        /// The cap.
        max: usize,
    },
}

impl WindowError {
    /// The parameter at fault (for the HTTP error body).
    pub fn parameter(&self) -> &'static str {
        match self {
            WindowError::BadDate { parameter, .. } | WindowError::TooLong { parameter, .. } => {
                parameter
            }
            WindowError::Reversed { .. } => "to",
            WindowError::BadDays { .. } => "days",
            WindowError::BadHours { .. } | WindowError::EmptyHours { .. } => "hours",
            WindowError::UnknownPreset { .. } => "preset",
            WindowError::UnknownCalendar { .. } | WindowError::NoEventCalendar => "calendar",
        }
    }
}

/// Which special nights a window keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CalendarFilter {
    /// Nights whose evening date is a bank holiday or the day before one.
    BankHolidays,
    /// Nights whose evening date is an event day.
    Events,
}

impl CalendarFilter {
    /// The name `calendar` takes.
    pub fn name(self) -> &'static str {
        match self {
            CalendarFilter::BankHolidays => "bank-holidays",
            CalendarFilter::Events => "events",
        }
    }
}

/// What a window does with a month-only row (police.uk).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MonthInclusion {
    /// Counted whole: the window has no days, hours or calendar filter and the month lies
    /// wholly inside its date range.
    Included,
    /// Not counted, and not worth a mention: the month lies wholly outside the date range.
    Excluded,
    /// Not counted, and to be reported as left out: deciding would need the day or time
    /// (the window has days, hours or a calendar filter, or its range cuts the month).
    LeftOutNeedsTime,
}

/// Day numbers (days since 1970-01-01) as a bitset for lookups and a sorted list for ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
struct DaySet {
    base: i64,
    bits: Vec<u64>,
    sorted: Vec<i64>,
}

impl DaySet {
    fn new(mut days: Vec<i64>) -> DaySet {
        days.sort_unstable();
        days.dedup();
        let base = days.first().copied().unwrap_or(0);
        let span = days.last().map_or(0, |l| l - base + 1);
        let mut bits = vec![0u64; usize::try_from(span).unwrap_or(0).div_ceil(64)];
        for d in &days {
            // 0 <= d - base < span, which sized the vector.
            let i = (d - base) as usize;
            bits[i / 64] |= 1 << (i % 64);
        }
        DaySet {
            base,
            bits,
            sorted: days,
        }
    }

    #[inline]
    fn contains(&self, day: i64) -> bool {
        let Ok(i) = usize::try_from(day.wrapping_sub(self.base)) else {
            return false;
        };
        self.bits
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// The members in `[a, b]`.
    fn in_range(&self, a: i64, b: i64) -> &[i64] {
        let lo = self.sorted.partition_point(|&d| d < a);
        let hi = self.sorted.partition_point(|&d| d <= b);
        &self.sorted[lo..hi.max(lo)]
    }
}

/// Bank holidays 1990–2100 and the days before them, as day numbers.
fn bank_holiday_nights() -> &'static [i64] {
    static NIGHTS: OnceLock<Vec<i64>> = OnceLock::new();
    NIGHTS.get_or_init(|| {
        BANK_HOLIDAY_YEARS
            .flat_map(|y| bank_holidays(y).unwrap_or_default())
            .flat_map(|h| {
                let d = day_number(h.date);
                [d - 1, d]
            })
            .collect()
    })
}

/// A checked window. Build it with [`Window::parse`] or `TryFrom<&WindowParams>`.
///
/// Matching works on local minutes ([`super::local`]); a per-minute-of-week table
/// holds the days and hours, so [`Window::contains`] is a table lookup, a division and
/// two comparisons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    days: Days,
    hours: Option<Hours>,
    preset: Option<Preset>,
    calendar: Option<CalendarFilter>,
    event_days: usize,
    first_night: i64,
    last_night: i64,
    /// Per minute of the week (Monday 00:00 = 0): 0 = outside; 1 = inside, night date is
    /// today; 2 = inside, night date is yesterday.
    mask: Box<[u8]>,
    special: Option<DaySet>,
}

impl Default for Window {
    /// The window that keeps everything.
    fn default() -> Window {
        Window::build(None, None, Days::ALL, None, None, None, None)
    }
}

fn checked<'a>(
    parameter: &'static str,
    v: Option<&'a String>,
) -> Result<Option<&'a str>, WindowError> {
    let Some(v) = v.map(|s| s.trim()).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let chars = v.chars().count();
    if chars > MAX_PARAM_CHARS {
        return Err(WindowError::TooLong {
            parameter,
            chars,
            max: MAX_PARAM_CHARS,
        });
    }
    Ok(Some(v))
}

/// A month (first or last day) or a date.
fn parse_bound(parameter: &'static str, v: &str, last: bool) -> Result<NaiveDate, WindowError> {
    if let Some(d) = parse_date(v) {
        return Ok(d);
    }
    match v.parse::<Month>() {
        Ok(m) if last => Ok(m.last_day()),
        Ok(m) => Ok(m.first_day()),
        Err(_) => Err(WindowError::BadDate {
            parameter,
            value: v.to_owned(),
        }),
    }
}

impl Window {
    /// Checks window parameters; `events` is the calendar `calendar=events` uses.
    ///
    /// # Errors
    /// A [`WindowError`] naming the parameter at fault.
    ///
    /// # Example
    /// ```
    /// use hotspot::time::{Window, WindowParams};
    /// let p = WindowParams { preset: Some("nte".into()), from: Some("2017-02".into()),
    ///                        to: Some("2017-07".into()), ..Default::default() };
    /// let w = Window::parse(&p, None).unwrap();
    /// assert_eq!(w.to().unwrap().to_string(), "2017-07-31");
    /// assert_eq!(w.hours().unwrap().to_string(), "20:00-04:00");
    /// ```
    pub fn parse(
        params: &WindowParams,
        events: Option<&EventCalendar>,
    ) -> Result<Window, WindowError> {
        let from = checked("from", params.from.as_ref())?
            .map(|v| parse_bound("from", v, false))
            .transpose()?;
        let to = checked("to", params.to.as_ref())?
            .map(|v| parse_bound("to", v, true))
            .transpose()?;
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            return Err(WindowError::Reversed { from, to });
        }
        let preset = checked("preset", params.preset.as_ref())?
            .map(|v| {
                Preset::lookup(v).ok_or_else(|| WindowError::UnknownPreset {
                    value: v.to_owned(),
                })
            })
            .transpose()?;
        let days = match checked("days", params.days.as_ref())? {
            Some(v) => Days::parse(v).map_err(|token| WindowError::BadDays {
                value: v.to_owned(),
                token,
            })?,
            None => preset.map_or(Days::ALL, Preset::days),
        };
        let hours = match checked("hours", params.hours.as_ref())? {
            Some(v) => Some(Hours::parse(v).map_err(|p| match p {
                HoursProblem::Syntax => WindowError::BadHours {
                    value: v.to_owned(),
                },
                HoursProblem::Empty => WindowError::EmptyHours {
                    value: v.to_owned(),
                },
            })?),
            None => preset.map(Preset::hours),
        };
        let calendar = match checked("calendar", params.calendar.as_ref())? {
            None => None,
            Some(v) => match v.to_ascii_lowercase().as_str() {
                "bank-holidays" => Some(CalendarFilter::BankHolidays),
                "events" => Some(CalendarFilter::Events),
                _ => {
                    return Err(WindowError::UnknownCalendar {
                        value: v.to_owned(),
                    });
                }
            },
        };
        if calendar == Some(CalendarFilter::Events) && events.is_none() {
            return Err(WindowError::NoEventCalendar);
        }
        Ok(Window::build(
            from, to, days, hours, preset, calendar, events,
        ))
    }

    fn build(
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        days: Days,
        hours: Option<Hours>,
        preset: Option<Preset>,
        calendar: Option<CalendarFilter>,
        events: Option<&EventCalendar>,
    ) -> Window {
        let mut mask = vec![0u8; MINUTES_PER_WEEK as usize].into_boxed_slice();
        for (w, slot) in mask.iter_mut().enumerate() {
            let (weekday, minute) = (w / 1440, (w % 1440) as u16);
            let yesterday = (weekday + 6) % 7;
            *slot = match hours {
                None => u8::from(days.contains(weekday)),
                Some(h) if !h.crosses_midnight() => u8::from(
                    days.contains(weekday) && (h.start_min()..h.end_min()).contains(&minute),
                ),
                Some(h) if minute >= h.start_min() => u8::from(days.contains(weekday)),
                Some(h) if minute < h.end_min() => 2 * u8::from(days.contains(yesterday)),
                Some(_) => 0,
            };
        }
        let (special, event_days) = match (calendar, events) {
            (Some(CalendarFilter::BankHolidays), _) => {
                (Some(DaySet::new(bank_holiday_nights().to_vec())), 0)
            }
            (Some(CalendarFilter::Events), Some(ev)) => (
                Some(DaySet::new(ev.dates().map(day_number).collect())),
                ev.len(),
            ),
            // Unreachable through `parse`; an events filter without events keeps nothing.
            (Some(CalendarFilter::Events), None) => (Some(DaySet::new(Vec::new())), 0),
            (None, _) => (None, 0),
        };
        Window {
            from,
            to,
            days,
            hours,
            preset,
            calendar,
            event_days,
            first_night: from.map_or(i64::MIN, day_number),
            last_night: to.map_or(i64::MAX, day_number),
            mask,
            special,
        }
    }

    /// The same window with open ends of the date range closed at the data's first and last
    /// days (for the `parameters` object, which reports the range actually used).
    pub fn with_data_extent(&self, first: NaiveDate, last: NaiveDate) -> Window {
        let mut w = self.clone();
        if w.from.is_none() {
            w.from = Some(first);
            w.first_night = day_number(first);
        }
        if w.to.is_none() {
            w.to = Some(last);
            w.last_night = day_number(last);
        }
        w
    }

    /// First day of the range (a night date), if bounded.
    pub fn from(&self) -> Option<NaiveDate> {
        self.from
    }

    /// Last day of the range (a night date, inclusive), if bounded.
    pub fn to(&self) -> Option<NaiveDate> {
        self.to
    }

    /// The days of the week (of the night date).
    pub fn days(&self) -> Days {
        self.days
    }

    /// The hours of the day, if any.
    pub fn hours(&self) -> Option<Hours> {
        self.hours
    }

    /// The preset asked for, if any.
    pub fn preset(&self) -> Option<Preset> {
        self.preset
    }

    /// The calendar filter, if any.
    pub fn calendar(&self) -> Option<CalendarFilter> {
        self.calendar
    }

    /// Whether spans get aoristic weights (the window has hours).
    pub fn is_hourly(&self) -> bool {
        self.hours.is_some()
    }

    /// Whether deciding needs more than the month: the window has hours, a day filter or a
    /// calendar filter. Month-only rows are then left out.
    pub fn needs_time_of_day(&self) -> bool {
        self.hours.is_some() || !self.days.is_all() || self.calendar.is_some()
    }

    /// The night (evening) day number of a local minute: the day before for minutes after
    /// midnight and before the end of hours that cross midnight, else the minute's own day.
    #[inline]
    pub fn night_day(&self, minute: i64) -> i64 {
        let day = minute.div_euclid(MINUTES_PER_DAY);
        match self.hours {
            Some(h)
                if h.crosses_midnight()
                    && minute.rem_euclid(MINUTES_PER_DAY) < i64::from(h.end_min()) =>
            {
                day - 1
            }
            _ => day,
        }
    }

    /// The night (evening) date of a local minute (see [`Window::night_day`]); `None` only
    /// beyond chrono's range of dates.
    pub fn night_date(&self, minute: i64) -> Option<NaiveDate> {
        date_of_day(self.night_day(minute))
    }

    #[inline]
    fn night_ok(&self, night: i64) -> bool {
        night >= self.first_night
            && night <= self.last_night
            && self.special.as_ref().is_none_or(|s| s.contains(night))
    }

    /// Whether an instant (a local minute) lies in the window.
    ///
    /// Notes: O(1), no allocation and no time-zone work: one lookup in a 10,080-byte table of
    /// the minutes of the week, then the night's date against the range and calendar.
    #[inline]
    pub fn contains(&self, minute: i64) -> bool {
        let mut w = minute.rem_euclid(MINUTES_PER_WEEK) + 3 * MINUTES_PER_DAY;
        if w >= MINUTES_PER_WEEK {
            w -= MINUTES_PER_WEEK;
        }
        // 0 <= w < MINUTES_PER_WEEK, the table's length.
        let code = self.mask[w as usize];
        code != 0 && self.night_ok(minute.div_euclid(MINUTES_PER_DAY) - i64::from(code - 1))
    }

    /// The weight an incident gets in the window: 1.0 or 0.0 for an instant, an aoristic share
    /// for a span.
    ///
    /// Citation: aoristic analysis, Ratcliffe (2000), "Aoristic analysis: the spatial
    /// interpretation of unspecific temporal events", IJGIS 14(7); methods.md §8.4 (spans
    /// spread uniformly; Ashby & Bowers 2013 found this accurate).
    ///
    /// Parameters: `start_min`, `end_min`, local minutes ([`super::local`]), the span
    /// `[start_min, end_min)`.
    ///
    /// Returns: in `[0, 1]`.
    ///
    /// Algorithm:
    /// 1. An instant (`end_min <= start_min`; an end before the start counts as an instant at
    ///    the start) weighs 1.0 if [`Window::contains`] it, else 0.0.
    /// 2. Without hours, a span is counted whole by its start, as an instant at `start_min`.
    /// 3. With hours, the window is a set of night intervals (one per night whose date is in
    ///    range, on a chosen day and kept by the calendar); count the span's minutes inside
    ///    them, night by night (whole nights in the middle of a long span counted at once).
    /// 4. Correct both counts for clock changes inside the span: minutes of the hour skipped
    ///    in March are removed, the hour repeated in October is counted twice when the span
    ///    runs through both passes. Wall-clock minutes cannot tell the passes apart, so an
    ///    end or start inside that hour is read as its first pass (BST), as
    ///    [`crate::domain::london_to_utc`] reads wall times; a span that truly starts in the
    ///    second pass is thus read one hour longer.
    /// 5. Return inside ÷ duration, the share of elapsed time that falls in the window (a
    ///    span inside the skipped hour has no duration and counts as an instant).
    ///
    /// Notes: O(1) for spans of a few days; long spans cost O(calendar days in the span)
    /// with a calendar filter, O(1) without. No time-zone work (a binary search in a table of
    /// clock changes).
    ///
    /// Example:
    /// ```
    /// use hotspot::time::{local_minutes, Window, WindowParams};
    /// use chrono::NaiveDate;
    /// let nte = Window::parse(&WindowParams { preset: Some("nte".into()), ..Default::default() }, None).unwrap();
    /// let at = |d, h| local_minutes(NaiveDate::from_ymd_opt(2017, 6, d).unwrap().and_hms_opt(h, 0, 0).unwrap());
    /// // Friday 22:00 to Saturday 07:00: 6 of its 9 hours are in 20:00-04:00.
    /// assert_eq!(nte.weight(at(9, 22), at(10, 7)), 6.0 / 9.0);
    /// ```
    pub fn weight(&self, start_min: i64, end_min: i64) -> f64 {
        if end_min <= start_min || self.hours.is_none() {
            return if self.contains(start_min) { 1.0 } else { 0.0 };
        }
        let (s, e) = (
            start_min.clamp(-MINUTE_LIMIT, MINUTE_LIMIT),
            end_min.clamp(-MINUTE_LIMIT, MINUTE_LIMIT),
        );
        let mut inside = self.count_inside(s, e);
        let mut duration = e - s;
        for t in dst::near(s, e) {
            match t.change {
                Change::Skipped => {
                    let (a, b) = (s.max(t.start), e.min(t.end));
                    if a < b {
                        inside -= self.count_inside(a, b);
                        duration -= b - a;
                    }
                }
                Change::Repeated => {
                    if s < t.end && t.end <= e {
                        inside += self.count_inside(t.start, t.end);
                        duration += t.end - t.start;
                    }
                }
            }
        }
        if duration <= 0 {
            return if self.contains(start_min) { 1.0 } else { 0.0 };
        }
        // Both counts are far below 2^53, so the division is exact to f64 rounding.
        (inside as f64 / duration as f64).clamp(0.0, 1.0)
    }

    /// How a span's weight spreads over the clock hours it covers inside the window
    /// (aoristic): the start minute of each hour with the share of the span's in-window time
    /// in it; the shares sum to 1. An instant, a span of more than [`MAX_SPREAD_MIN`], or a
    /// span with no time in the window gives `[(start_min, 1.0)]`.
    ///
    /// Notes: O(hours in the span), each a [`Window::weight`] call.
    pub fn hour_shares(&self, start_min: i64, end_min: i64) -> Vec<(i64, f64)> {
        if end_min <= start_min || end_min - start_min > MAX_SPREAD_MIN {
            return vec![(start_min, 1.0)];
        }
        let mut parts = Vec::new();
        let mut a = start_min;
        while a < end_min {
            let b = ((a.div_euclid(60) + 1) * 60).min(end_min);
            let inside = self.weight(a, b) * (b - a) as f64;
            if inside > 0.0 {
                parts.push((a, inside));
            }
            a = b;
        }
        let sum: f64 = parts.iter().map(|p| p.1).sum();
        if sum <= 0.0 {
            return vec![(start_min, 1.0)];
        }
        parts.into_iter().map(|(m, x)| (m, x / sum)).collect()
    }

    /// The window's wall-clock interval for night `night`: `[start, end)` local minutes.
    fn night_interval(&self, night: i64) -> (i64, i64) {
        let base = night * MINUTES_PER_DAY;
        match self.hours {
            None => (base, base + MINUTES_PER_DAY),
            Some(h) => {
                let start = base + i64::from(h.start_min());
                (start, start + h.len_min())
            }
        }
    }

    /// Whether night `night` is kept (range, day, calendar).
    fn night_kept(&self, night: i64) -> bool {
        self.days.contains(weekday_of_day(night)) && self.night_ok(night)
    }

    /// Wall-clock minutes of `[s, e)` inside the window.
    fn count_inside(&self, s: i64, e: i64) -> i64 {
        if e <= s {
            return 0;
        }
        // Night d's interval lies within [d, d + 2) days, so nights before
        // day(s) - 1 or after day(e - 1) cannot overlap.
        let lo = (s.div_euclid(MINUTES_PER_DAY) - 1).max(self.first_night);
        let hi = (e - 1).div_euclid(MINUTES_PER_DAY).min(self.last_night);
        if hi < lo {
            return 0;
        }
        let overlap = |d: i64| {
            if !self.night_kept(d) {
                return 0;
            }
            let (a, b) = self.night_interval(d);
            (b.min(e) - a.max(s)).max(0)
        };
        if hi - lo < 6 {
            return (lo..=hi).map(overlap).sum();
        }
        // Nights lo+2 ..= hi-2 lie wholly inside [s, e).
        let ends: i64 = [lo, lo + 1, hi - 1, hi].into_iter().map(overlap).sum();
        let per_night = self.hours.map_or(MINUTES_PER_DAY, Hours::len_min);
        ends + per_night * self.count_nights(lo + 2, hi - 2)
    }

    /// Kept nights in `[a, b]` (already within the date range).
    fn count_nights(&self, a: i64, b: i64) -> i64 {
        if b < a {
            return 0;
        }
        if let Some(special) = &self.special {
            return special
                .in_range(a, b)
                .iter()
                .filter(|&&d| self.days.contains(weekday_of_day(d)))
                .count() as i64;
        }
        let n = b - a + 1;
        let per_week = (0..7).filter(|&i| self.days.contains(i)).count() as i64;
        let rest: i64 = (a + n / 7 * 7..=b)
            .map(|d| i64::from(self.days.contains(weekday_of_day(d))))
            .sum();
        n / 7 * per_week + rest
    }

    /// What the window does with a month-only row.
    ///
    /// Rule: with days, hours or a calendar filter the row is left out (it needs a time); else
    /// it is included when the month lies wholly in the date range; a month wholly outside is
    /// excluded; a month only partly inside is left out (it needs a day) rather than counted
    /// whole or dropped silently.
    pub fn month_inclusion(&self, month: Month) -> MonthInclusion {
        let (first, last) = (day_number(month.first_day()), day_number(month.last_day()));
        if last < self.first_night || first > self.last_night {
            MonthInclusion::Excluded
        } else if self.needs_time_of_day() || first < self.first_night || last > self.last_night {
            MonthInclusion::LeftOutNeedsTime
        } else {
            MonthInclusion::Included
        }
    }

    /// The resolved parameters, in the input syntax (dates as `YYYY-MM-DD`), such that
    /// `Window::parse(&w.to_params(), events)` gives `w` back. `days` is left out when every
    /// day is kept and the preset (if any) keeps every day.
    pub fn to_params(&self) -> WindowParams {
        let days_implied = self.preset.map_or(Days::ALL, Preset::days);
        WindowParams {
            from: self.from.map(|d| d.to_string()),
            to: self.to.map(|d| d.to_string()),
            days: (!(self.days.is_all() && days_implied.is_all())).then(|| self.days.to_string()),
            hours: self.hours.map(|h| h.to_string()),
            preset: self.preset.map(|p| p.name().to_owned()),
            calendar: self.calendar.map(|c| c.name().to_owned()),
        }
    }

    /// One English line for printable reports, e.g. "Fridays and Saturdays, 20:00 to 04:00
    /// the next morning (preset nte: night-time economy), 1 February 2017 to 31 July 2017."
    pub fn describe(&self) -> String {
        let mut s = String::new();
        let mut days = self.days.describe();
        if let Some(first) = days.get(..1) {
            days = first.to_uppercase() + &days[1..];
        }
        match self.hours {
            None if self.days.is_all() => s.push_str("All days and times"),
            None => {
                let _ = write!(s, "{days}, all day");
            }
            Some(h) => {
                let clock = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
                let _ = write!(
                    s,
                    "{days}, {} to {}",
                    clock(h.start_min()),
                    clock(h.end_min())
                );
                if h.crosses_midnight() {
                    s.push_str(" the next morning");
                }
            }
        }
        if let Some(p) = self.preset {
            let _ = write!(s, " (preset {}: {})", p.name(), p.label());
        }
        let long = |d: NaiveDate| format!("{} {}", d.day(), d.format("%B %Y"));
        match (self.from, self.to) {
            (Some(a), Some(b)) => {
                let _ = write!(s, ", {} to {}", long(a), long(b));
            }
            (Some(a), None) => {
                let _ = write!(s, ", from {}", long(a));
            }
            (None, Some(b)) => {
                let _ = write!(s, ", up to {}", long(b));
            }
            (None, None) => s.push_str(", all dates"),
        }
        let unit = if self.hours.is_some_and(Hours::crosses_midnight) {
            "nights"
        } else {
            "days"
        };
        match self.calendar {
            Some(CalendarFilter::BankHolidays) => {
                let _ = write!(
                    s,
                    ", only {unit} that fall on a bank holiday or the day before one"
                );
            }
            Some(CalendarFilter::Events) => {
                let _ = write!(
                    s,
                    ", only {unit} that fall on an event day ({} in the calendar)",
                    self.event_days
                );
            }
            None => {}
        }
        s.push('.');
        s
    }
}

impl TryFrom<&WindowParams> for Window {
    type Error = WindowError;
    /// [`Window::parse`] without an event calendar.
    fn try_from(params: &WindowParams) -> Result<Window, WindowError> {
        Window::parse(params, None)
    }
}

impl TryFrom<WindowParams> for Window {
    type Error = WindowError;
    /// [`Window::parse`] without an event calendar.
    fn try_from(params: WindowParams) -> Result<Window, WindowError> {
        Window::parse(&params, None)
    }
}

impl Serialize for Window {
    /// The `parameters` entries of the window: [`Window::to_params`].
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_params().serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::local::local_minutes;

    fn params(pairs: &[(&str, &str)]) -> WindowParams {
        let mut p = WindowParams::default();
        for (k, v) in pairs {
            let slot = match *k {
                "from" => &mut p.from,
                "to" => &mut p.to,
                "days" => &mut p.days,
                "hours" => &mut p.hours,
                "preset" => &mut p.preset,
                "calendar" => &mut p.calendar,
                _ => panic!("{k}"),
            };
            *slot = Some((*v).to_owned());
        }
        p
    }

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
        local_minutes(
            NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(h, min, 0)
                .unwrap(),
        )
    }

    #[test]
    fn hour_shares_split_the_in_window_time_by_clock_hour() {
        let w = Window::try_from(params(&[("days", "fri"), ("hours", "20:00-04:00")])).unwrap();
        // Friday 19:30 to Saturday 01:00: 19:30-20:00 is outside, 20:00-01:00 (300 min) inside.
        let (s, e) = (at(2017, 6, 9, 19, 30), at(2017, 6, 10, 1, 0));
        let shares = w.hour_shares(s, e);
        let want: Vec<(i64, f64)> = [(20, 60.0), (21, 60.0), (22, 60.0), (23, 60.0)]
            .into_iter()
            .map(|(h, m)| (at(2017, 6, 9, h, 0), m / 300.0))
            .chain([(at(2017, 6, 10, 0, 0), 60.0 / 300.0)])
            .collect();
        assert_eq!(shares, want);
        // Instants, spans wholly outside and spans over 31 days count at their start.
        assert_eq!(w.hour_shares(s, s), vec![(s, 1.0)]);
        let noon = at(2017, 6, 9, 12, 0);
        assert_eq!(w.hour_shares(noon, noon + 120), vec![(noon, 1.0)]);
        assert_eq!(w.hour_shares(s, s + MAX_SPREAD_MIN + 1), vec![(s, 1.0)]);
    }

    #[test]
    fn mask_matches_the_definition() {
        let w = Window::try_from(params(&[("days", "fri"), ("hours", "20:00-04:00")])).unwrap();
        // 2017-06-09 is a Friday.
        assert!(w.contains(at(2017, 6, 9, 20, 0)));
        assert!(w.contains(at(2017, 6, 10, 3, 59)));
        assert!(!w.contains(at(2017, 6, 10, 4, 0)));
        assert!(!w.contains(at(2017, 6, 9, 19, 59)));
        assert!(!w.contains(at(2017, 6, 9, 1, 30)));
        assert_eq!(
            w.night_date(at(2017, 6, 10, 1, 30)),
            NaiveDate::from_ymd_opt(2017, 6, 9)
        );
        assert_eq!(
            w.night_date(at(2017, 6, 10, 12, 0)),
            NaiveDate::from_ymd_opt(2017, 6, 10)
        );
    }

    #[test]
    fn long_spans_agree_with_night_by_night() {
        let w = Window::try_from(params(&[
            ("preset", "nte"),
            ("from", "2017-01"),
            ("to", "2017-03"),
        ]))
        .unwrap();
        let (s, e) = (at(2016, 12, 20, 13, 7), at(2017, 4, 9, 2, 11));
        let lo = s.div_euclid(1440) - 1;
        let hi = (e - 1).div_euclid(1440);
        let brute: i64 = (lo..=hi)
            .filter(|&d| w.night_kept(d))
            .map(|d| {
                let (a, b) = w.night_interval(d);
                (b.min(e) - a.max(s)).max(0)
            })
            .sum();
        assert_eq!(w.count_inside(s, e), brute);
        // 13 Fridays and 12 Saturdays in January–March 2017, 8 hours each.
        assert_eq!(brute, 25 * 8 * 60);
        let bh = Window::try_from(params(&[
            ("calendar", "bank-holidays"),
            ("hours", "20:00-04:00"),
        ]))
        .unwrap();
        // 2017: 8 bank holidays, each with the night before; none adjacent except Christmas
        // and Boxing Day (24, 25, 26 December): 15 nights.
        assert_eq!(
            bh.count_inside(at(2017, 1, 1, 4, 0), at(2017, 12, 31, 4, 0)),
            15 * 8 * 60
        );
    }
}
