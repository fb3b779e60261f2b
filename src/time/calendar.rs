//! Special days: England & Wales bank holidays by rule, and user event days from a CSV.
//!
//! Bank holidays follow the Banking and Financial Dealings Act 1971 and the royal
//! proclamations that moved or added days, as GOV.UK publishes them:
//! 1. New Year's Day, 1 January; on a weekend, the following Monday (substitute day).
//! 2. Good Friday and Easter Monday, from the Gregorian computus (`computus` crate).
//! 3. Early May: the first Monday of May; moved to 8 May in 1995 (Monday) and 2020 (Friday)
//!    for the VE Day anniversaries.
//! 4. Spring: the last Monday of May; moved to 4 June in 2002 (with 3 June, Golden Jubilee),
//!    to 4 June in 2012 (with 5 June, Diamond Jubilee), to 2 June in 2022 (with 3 June,
//!    Platinum Jubilee).
//! 5. Summer: the last Monday of August.
//! 6. Christmas Day and Boxing Day; a day falling on a weekend moves to the next weekday not
//!    already a holiday (Christmas on Saturday: Monday 27 and Tuesday 28; on Sunday: Boxing
//!    Day Monday 26 and Christmas Tuesday 27; Boxing Day on Saturday: Monday 28).
//! 7. One-offs: 31 December 1999 (millennium), 29 April 2011 (royal wedding), 19 September
//!    2022 (state funeral of Queen Elizabeth II), 8 May 2023 (coronation of King Charles III).
//!
//! Computed for 1990–2100 ([`BANK_HOLIDAY_YEARS`]); future proclamations are not known.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use chrono::{Datelike, NaiveDate, Weekday};

/// The years for which [`bank_holidays`] knows the dates.
pub const BANK_HOLIDAY_YEARS: std::ops::RangeInclusive<i32> = 1990..=2100;

/// Most event days an event calendar may hold.
pub const MAX_EVENT_ROWS: usize = 100_000;
/// Longest event name kept, in characters.
pub const MAX_EVENT_NAME_CHARS: usize = 200;
/// Largest event calendar file read, in bytes.
pub const MAX_EVENT_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// One bank holiday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankHoliday {
    /// The day off.
    pub date: NaiveDate,
    /// Its name as GOV.UK writes it.
    pub name: &'static str,
}

/// A year outside [`BANK_HOLIDAY_YEARS`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bank holidays are known for {min}–{max}, not {year}", min = BANK_HOLIDAY_YEARS.start(), max = BANK_HOLIDAY_YEARS.end())]
pub struct YearOutOfRange {
    /// The year asked for.
    pub year: i32,
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("the rules only name real dates")
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The first `weekday` on or after `date`.
fn on_or_after(date: NaiveDate, weekday: Weekday) -> NaiveDate {
    let ahead = (7 + weekday.num_days_from_monday() - date.weekday().num_days_from_monday()) % 7;
    date + chrono::Days::new(u64::from(ahead))
}

/// The last `weekday` on or before `date`.
fn on_or_before(date: NaiveDate, weekday: Weekday) -> NaiveDate {
    let back = (7 + date.weekday().num_days_from_monday() - weekday.num_days_from_monday()) % 7;
    date - chrono::Days::new(u64::from(back))
}

/// The England & Wales bank holidays of a year, in date order.
///
/// # Errors
/// [`YearOutOfRange`] outside [`BANK_HOLIDAY_YEARS`].
///
/// # Example
/// ```
/// use hotspot::time::bank_holidays;
/// let days: Vec<String> = bank_holidays(2020).unwrap().iter().map(|h| h.date.to_string()).collect();
/// assert_eq!(days[3], "2020-05-08"); // VE Day, a Friday
/// ```
pub fn bank_holidays(year: i32) -> Result<Vec<BankHoliday>, YearOutOfRange> {
    if !BANK_HOLIDAY_YEARS.contains(&year) {
        return Err(YearOutOfRange { year });
    }
    let mut out = Vec::with_capacity(10);
    let mut push = |date, name| out.push(BankHoliday { date, name });

    // 1. New Year's Day.
    let new_year = ymd(year, 1, 1);
    if is_weekend(new_year) {
        push(
            on_or_after(new_year, Weekday::Mon),
            "New Year's Day (substitute day)",
        );
    } else {
        push(new_year, "New Year's Day");
    }

    // 2. Easter.
    let e = computus::gregorian(year).map_err(|_| YearOutOfRange { year })?;
    let easter = ymd(e.year, e.month, e.day);
    push(easter - chrono::Days::new(2), "Good Friday");
    push(easter + chrono::Days::new(1), "Easter Monday");

    // 3. Early May.
    match year {
        1995 | 2020 => push(ymd(year, 5, 8), "Early May bank holiday (VE day)"),
        _ => push(
            on_or_after(ymd(year, 5, 1), Weekday::Mon),
            "Early May bank holiday",
        ),
    }

    // 4. Spring.
    match year {
        2002 => {
            push(ymd(2002, 6, 3), "Queen's Golden Jubilee");
            push(ymd(2002, 6, 4), "Spring bank holiday");
        }
        2012 => {
            push(ymd(2012, 6, 4), "Spring bank holiday");
            push(ymd(2012, 6, 5), "Queen's Diamond Jubilee");
        }
        2022 => {
            push(ymd(2022, 6, 2), "Spring bank holiday");
            push(ymd(2022, 6, 3), "Platinum Jubilee bank holiday");
        }
        _ => push(
            on_or_before(ymd(year, 5, 31), Weekday::Mon),
            "Spring bank holiday",
        ),
    }

    // 5. Summer.
    push(
        on_or_before(ymd(year, 8, 31), Weekday::Mon),
        "Summer bank holiday",
    );

    // 6. Christmas and Boxing Day: weekdays stay; weekend days move, in order, to the next
    //    weekday not already taken.
    let christmas = [
        (
            ymd(year, 12, 25),
            "Christmas Day",
            "Christmas Day (substitute day)",
        ),
        (
            ymd(year, 12, 26),
            "Boxing Day",
            "Boxing Day (substitute day)",
        ),
    ];
    let mut taken: Vec<NaiveDate> = christmas
        .iter()
        .map(|c| c.0)
        .filter(|d| !is_weekend(*d))
        .collect();
    for (date, name, substitute) in christmas {
        if is_weekend(date) {
            let mut d = date;
            while is_weekend(d) || taken.contains(&d) {
                d = d.succ_opt().expect("late December has a next day");
            }
            taken.push(d);
            push(d, substitute);
        } else {
            push(date, name);
        }
    }

    // 7. One-offs.
    match year {
        1999 => push(ymd(1999, 12, 31), "Millennium celebrations"),
        2011 => push(ymd(2011, 4, 29), "Royal wedding"),
        2022 => push(
            ymd(2022, 9, 19),
            "Bank Holiday for the State Funeral of Queen Elizabeth II",
        ),
        2023 => push(
            ymd(2023, 5, 8),
            "Bank holiday for the coronation of King Charles III",
        ),
        _ => {}
    }
    out.sort_by_key(|h| h.date);
    Ok(out)
}

/// Whether a date is an England & Wales bank holiday (`false` outside [`BANK_HOLIDAY_YEARS`]).
pub fn is_bank_holiday(date: NaiveDate) -> bool {
    bank_holidays(date.year()).is_ok_and(|h| h.iter().any(|h| h.date == date))
}

/// A problem in an event calendar CSV; lines count from 1 (the header).
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    /// The file could not be read.
    #[error("cannot read the event calendar: {0}")]
    Io(#[from] std::io::Error),
    /// The file is larger than [`MAX_EVENT_FILE_BYTES`].
    #[error("the event calendar is {bytes} bytes; the most read is {max}")]
    TooLarge {
        /// Its size.
        bytes: u64,
        /// The cap.
        max: u64,
    },
    /// The CSV is malformed.
    #[error("event calendar line {line}: {message}")]
    Csv {
        /// Line number.
        line: u64,
        /// What the CSV reader said.
        message: String,
    },
    /// The header is not `date,name`.
    #[error("event calendar header is {found:?}; write `date,name`")]
    Header {
        /// The header as found.
        found: String,
    },
    /// A row without a valid date.
    #[error("event calendar line {line}, field date: {value:?} is not a date (YYYY-MM-DD)")]
    BadDate {
        /// Line number.
        line: u64,
        /// The text found.
        value: String,
    },
    /// A row without a name.
    #[error("event calendar line {line}, field name: the name is empty")]
    EmptyName {
        /// Line number.
        line: u64,
    },
    /// More rows than [`MAX_EVENT_ROWS`].
    #[error("the event calendar has more than {max} rows")]
    TooManyRows {
        /// The cap.
        max: usize,
    },
}

/// User event days (match days, festivals…) loaded from a CSV `date,name`.
///
/// A date may carry several events; names are trimmed and cut to [`MAX_EVENT_NAME_CHARS`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventCalendar {
    days: BTreeMap<NaiveDate, Vec<String>>,
}

impl EventCalendar {
    /// An event calendar from `(date, name)` pairs.
    pub fn from_days<I, S>(days: I) -> EventCalendar
    where
        I: IntoIterator<Item = (NaiveDate, S)>,
        S: Into<String>,
    {
        let mut cal = EventCalendar::default();
        for (date, name) in days {
            cal.days.entry(date).or_default().push(name.into());
        }
        cal
    }

    /// Reads a CSV whose header is `date,name` (`YYYY-MM-DD` dates; more columns are ignored).
    ///
    /// # Errors
    /// [`EventError`] with the line and field of the first bad row, or a cap exceeded.
    pub fn from_reader<R: Read>(reader: R) -> Result<EventCalendar, EventError> {
        let mut csv = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(reader.take(MAX_EVENT_FILE_BYTES));
        let csv_err = |e: csv::Error| EventError::Csv {
            line: e.position().map_or(0, csv::Position::line),
            message: e.to_string(),
        };
        let header = csv.headers().map_err(csv_err)?.clone();
        let lower: Vec<String> = header.iter().map(str::to_ascii_lowercase).collect();
        if lower.len() < 2 || lower[0] != "date" || lower[1] != "name" {
            return Err(EventError::Header {
                found: header.iter().collect::<Vec<_>>().join(","),
            });
        }
        let mut cal = EventCalendar::default();
        let mut rows = 0usize;
        for record in csv.records() {
            let record = record.map_err(csv_err)?;
            let line = record.position().map_or(0, csv::Position::line);
            if record.iter().all(str::is_empty) {
                continue;
            }
            rows += 1;
            if rows > MAX_EVENT_ROWS {
                return Err(EventError::TooManyRows {
                    max: MAX_EVENT_ROWS,
                });
            }
            let value = record.get(0).unwrap_or_default();
            let date = parse_date(value).ok_or_else(|| EventError::BadDate {
                line,
                value: value.to_owned(),
            })?;
            let name: String = record
                .get(1)
                .unwrap_or_default()
                .chars()
                .take(MAX_EVENT_NAME_CHARS)
                .collect();
            if name.is_empty() {
                return Err(EventError::EmptyName { line });
            }
            cal.days.entry(date).or_default().push(name);
        }
        Ok(cal)
    }

    /// Reads an event calendar CSV file (see [`EventCalendar::from_reader`]).
    ///
    /// # Errors
    /// As [`EventCalendar::from_reader`], plus I/O errors and [`EventError::TooLarge`].
    pub fn from_path(path: &Path) -> Result<EventCalendar, EventError> {
        let bytes = std::fs::metadata(path)?.len();
        if bytes > MAX_EVENT_FILE_BYTES {
            return Err(EventError::TooLarge {
                bytes,
                max: MAX_EVENT_FILE_BYTES,
            });
        }
        EventCalendar::from_reader(std::fs::File::open(path)?)
    }

    /// Whether a date is an event day.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.days.contains_key(&date)
    }

    /// The events on a date (empty when none).
    pub fn events_on(&self, date: NaiveDate) -> &[String] {
        self.days.get(&date).map_or(&[], Vec::as_slice)
    }

    /// The event days, in order.
    pub fn dates(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.days.keys().copied()
    }

    /// Number of distinct event days.
    pub fn len(&self) -> usize {
        self.days.len()
    }

    /// Whether there are no event days.
    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }
}

/// A strict `YYYY-MM-DD` date with a year in 1900–2200.
pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) || !digits(5..7) {
        return None;
    }
    if !digits(8..10) {
        return None;
    }
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    (1900..=2200).contains(&date.year()).then_some(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitutes_and_one_offs() {
        let dates = |y| -> Vec<NaiveDate> {
            bank_holidays(y)
                .unwrap()
                .into_iter()
                .map(|h| h.date)
                .collect()
        };
        // Christmas on Saturday (2010): 27 and 28 December.
        assert!(dates(2010).ends_with(&[ymd(2010, 12, 27), ymd(2010, 12, 28)]));
        // 1999: the millennium day after Christmas and Boxing Day (Monday 27 substitute).
        assert!(dates(1999).ends_with(&[ymd(1999, 12, 27), ymd(1999, 12, 28), ymd(1999, 12, 31)]));
        assert!(dates(2011).contains(&ymd(2011, 4, 29)));
        assert!(dates(1995).contains(&ymd(1995, 5, 8)));
        assert!(!dates(1995).contains(&ymd(1995, 5, 1)));
        assert_eq!(dates(2002)[4..6], [ymd(2002, 6, 3), ymd(2002, 6, 4)]);
        assert!(is_bank_holiday(ymd(2000, 1, 3)));
        assert!(!is_bank_holiday(ymd(2000, 1, 1)));
        assert!(bank_holidays(1989).is_err() && bank_holidays(2101).is_err());
        assert!(!is_bank_holiday(ymd(1989, 12, 25)));
        for y in BANK_HOLIDAY_YEARS {
            let n = dates(y).len();
            let expected = match y {
                1999 | 2002 | 2011 | 2012 | 2023 => 9,
                2022 => 10,
                _ => 8,
            };
            assert_eq!(n, expected, "{y}");
        }
    }

    #[test]
    fn event_csv() {
        let cal = EventCalendar::from_reader(
            "date,name\n2017-08-12,Pompey v Bristol\n2017-08-12,Concert\n\n2017-09-02, Pompey v Blackpool \n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(cal.len(), 2);
        assert_eq!(cal.events_on(ymd(2017, 8, 12)).len(), 2);
        assert_eq!(cal.events_on(ymd(2017, 9, 2)), ["Pompey v Blackpool"]);
        assert!(!cal.contains(ymd(2017, 9, 3)));

        let err = EventCalendar::from_reader("date,name\n2017-08-12,a\n12/08/2017,b\n".as_bytes())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "event calendar line 3, field date: \"12/08/2017\" is not a date (YYYY-MM-DD)"
        );
        let err = EventCalendar::from_reader("day,event\n".as_bytes()).unwrap_err();
        assert!(matches!(err, EventError::Header { .. }), "{err}");
        let err = EventCalendar::from_reader("date,name\n2017-08-12,\n".as_bytes()).unwrap_err();
        assert!(matches!(err, EventError::EmptyName { line: 2 }), "{err}");
    }

    #[test]
    fn strict_dates() {
        assert_eq!(parse_date("2017-02-28"), Some(ymd(2017, 2, 28)));
        for bad in [
            "2017-02-29",
            "2017-2-28",
            "17-02-28",
            "2017/02/28",
            "1899-12-31",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
