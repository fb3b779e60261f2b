//! Calendar months (`YYYY-MM`), the only time police.uk publishes.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar month, checked at construction (month 1–12, year 1900–2200).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month {
    year: i32,
    month: u32,
}

/// A text that is not a `YYYY-MM` month.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a month: write YYYY-MM, e.g. 2017-06")]
pub struct BadMonth(pub String);

impl Month {
    /// A month from its year and number (1–12); `None` when out of range.
    pub fn new(year: i32, month: u32) -> Option<Month> {
        ((1900..=2200).contains(&year) && (1..=12).contains(&month))
            .then_some(Month { year, month })
    }

    /// The month holding a date.
    pub fn of(date: NaiveDate) -> Month {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month number, 1–12.
    pub fn number(self) -> u32 {
        self.month
    }

    /// Months since January 1900 (a dense index for time steps).
    pub fn index(self) -> i32 {
        (self.year - 1900) * 12 + self.month as i32 - 1
    }

    /// The month with the given [`Month::index`], if in range.
    pub fn from_index(index: i32) -> Option<Month> {
        Month::new(1900 + index.div_euclid(12), index.rem_euclid(12) as u32 + 1)
    }

    /// The month `n` months later (earlier when negative).
    pub fn plus(self, n: i32) -> Option<Month> {
        Month::from_index(self.index() + n)
    }

    /// The first day of the month.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("a checked month has a first day")
    }

    /// The last day of the month.
    pub fn last_day(self) -> NaiveDate {
        match self.plus(1) {
            Some(next) => next
                .first_day()
                .pred_opt()
                .expect("a month has a day before it"),
            None => NaiveDate::from_ymd_opt(self.year, 12, 31).expect("31 December exists"),
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = BadMonth;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadMonth(s.to_owned());
        let t = s.trim();
        let (y, m) = t.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year = y.parse().map_err(|_| bad())?;
        let month = m.parse().map_err(|_| bad())?;
        Month::new(year, month).ok_or_else(bad)
    }
}

impl Serialize for Month {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let m: Month = "2017-06".parse().unwrap();
        assert_eq!((m.year(), m.number()), (2017, 6));
        assert_eq!(m.to_string(), "2017-06");
        assert_eq!(m.last_day(), NaiveDate::from_ymd_opt(2017, 6, 30).unwrap());
        assert_eq!(Month::new(2016, 2).unwrap().last_day().day(), 29);
        for bad in [
            "2017-13", "2017-6", "17-06", "2017/06", "", "2017-00", "abcd-ef",
        ] {
            assert!(bad.parse::<Month>().is_err(), "{bad}");
        }
    }

    #[test]
    fn index_round_trips() {
        let m = Month::new(2017, 12).unwrap();
        assert_eq!(Month::from_index(m.index()), Some(m));
        assert_eq!(m.plus(1), Month::new(2018, 1));
        assert_eq!(m.plus(-12), Month::new(2016, 12));
    }
}
