//! The weekly pattern of a window: days of the week, hours of the day, and the presets.
//!
//! Hours may cross midnight (`20:00-04:00`); the minutes after midnight then belong to the
//! night that started the evening before, so `fri` + `20:00-04:00` is Friday 20:00 to
//! Saturday 04:00 and includes Saturday 01:30 but not Friday 01:30.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::local::MINUTES_PER_DAY;

/// Lower-case three-letter day names, Monday first, as `days` takes them.
pub const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const DAY_PLURALS: [&str; 7] = [
    "Mondays",
    "Tuesdays",
    "Wednesdays",
    "Thursdays",
    "Fridays",
    "Saturdays",
    "Sundays",
];

/// A non-empty set of days of the week (bit 0 = Monday … bit 6 = Sunday).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Days(u8);

impl Days {
    /// Every day.
    pub const ALL: Days = Days(0b111_1111);
    /// Friday and Saturday.
    pub const FRI_SAT: Days = Days(0b011_0000);

    /// Parses a comma list of `mon,tue,wed,thu,fri,sat,sun` (any case, spaces allowed).
    /// On failure, returns the first token that is not a day.
    pub fn parse(s: &str) -> Result<Days, String> {
        let mut bits = 0u8;
        for token in s.split(',') {
            let t = token.trim().to_ascii_lowercase();
            let i = DAY_NAMES
                .iter()
                .position(|d| *d == t)
                .ok_or_else(|| token.trim().to_owned())?;
            bits |= 1 << i;
        }
        Ok(Days(bits))
    }

    /// Whether the day with the given index (Monday = 0) is in the set.
    pub fn contains(self, weekday: usize) -> bool {
        weekday < 7 && self.0 & (1 << weekday) != 0
    }

    /// Whether every day is in the set.
    pub fn is_all(self) -> bool {
        self == Days::ALL
    }

    /// The day names in the set, Monday first.
    pub fn names(self) -> Vec<&'static str> {
        (0..7)
            .filter(|&i| self.contains(i))
            .map(|i| DAY_NAMES[i])
            .collect()
    }

    /// English: "every day", "Fridays and Saturdays", "Mondays, Tuesdays and Fridays".
    pub fn describe(self) -> String {
        if self.is_all() {
            return "every day".to_owned();
        }
        let words: Vec<&str> = (0..7)
            .filter(|&i| self.contains(i))
            .map(|i| DAY_PLURALS[i])
            .collect();
        match words.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => words.concat(),
        }
    }
}

impl fmt::Display for Days {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names().join(","))
    }
}

/// Hours of the day `[start, end)` in minutes after midnight; crosses midnight when
/// `end < start`; never empty (`start != end`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hours {
    start_min: u16,
    end_min: u16,
}

/// Why an `hours` text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoursProblem {
    /// Not `HH:MM-HH:MM` with HH 00–23 and MM 00–59.
    Syntax,
    /// Start and end are the same time.
    Empty,
}

impl Hours {
    /// Hours from minutes after midnight (each < 1440); `None` if out of range or equal.
    pub fn new(start_min: u16, end_min: u16) -> Option<Hours> {
        let day = MINUTES_PER_DAY as u16;
        (start_min < day && end_min < day && start_min != end_min)
            .then_some(Hours { start_min, end_min })
    }

    /// Parses `HH:MM-HH:MM` (end exclusive; `20:00-04:00` crosses midnight).
    pub fn parse(s: &str) -> Result<Hours, HoursProblem> {
        let (a, b) = s.trim().split_once('-').ok_or(HoursProblem::Syntax)?;
        let (start, end) = (clock(a.trim())?, clock(b.trim())?);
        Hours::new(start, end).ok_or(HoursProblem::Empty)
    }

    /// Start, in minutes after midnight.
    pub fn start_min(self) -> u16 {
        self.start_min
    }

    /// End (exclusive), in minutes after midnight.
    pub fn end_min(self) -> u16 {
        self.end_min
    }

    /// Whether the hours run past midnight into the next day.
    pub fn crosses_midnight(self) -> bool {
        self.end_min < self.start_min
    }

    /// Length in minutes.
    pub fn len_min(self) -> i64 {
        (i64::from(self.end_min) - i64::from(self.start_min)).rem_euclid(MINUTES_PER_DAY)
    }
}

fn clock(s: &str) -> Result<u16, HoursProblem> {
    let b = s.as_bytes();
    if b.len() != 5 || b[2] != b':' || ![0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit()) {
        return Err(HoursProblem::Syntax);
    }
    let h = u16::from(b[0] - b'0') * 10 + u16::from(b[1] - b'0');
    let m = u16::from(b[3] - b'0') * 10 + u16::from(b[4] - b'0');
    if h > 23 || m > 59 {
        return Err(HoursProblem::Syntax);
    }
    Ok(h * 60 + m)
}

impl fmt::Display for Hours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.start_min / 60,
            self.start_min % 60,
            self.end_min / 60,
            self.end_min % 60
        )
    }
}

/// The named windows practitioners use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    /// `nte`: Friday and Saturday nights 20:00–04:00, the night-time-economy peak.
    Nte,
    /// `evening`: every day 17:00–05:00, the Purple Flag evening and night-time economy span.
    Evening,
    /// `weekend-evening`: Friday and Saturday 17:00–05:00, the usual Purple Flag crime KPI.
    WeekendEvening,
    /// `daytime`: every day 07:00–19:00.
    Daytime,
}

impl Preset {
    /// Every preset.
    pub const ALL: [Preset; 4] = [
        Preset::Nte,
        Preset::Evening,
        Preset::WeekendEvening,
        Preset::Daytime,
    ];

    /// The name `preset` takes.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Nte => "nte",
            Preset::Evening => "evening",
            Preset::WeekendEvening => "weekend-evening",
            Preset::Daytime => "daytime",
        }
    }

    /// The preset with a name (any case).
    pub fn lookup(name: &str) -> Option<Preset> {
        let n = name.trim().to_ascii_lowercase();
        Preset::ALL.into_iter().find(|p| p.name() == n)
    }

    /// The preset's days.
    pub fn days(self) -> Days {
        match self {
            Preset::Nte | Preset::WeekendEvening => Days::FRI_SAT,
            Preset::Evening | Preset::Daytime => Days::ALL,
        }
    }

    /// The preset's hours.
    pub fn hours(self) -> Hours {
        let (start_h, end_h) = match self {
            Preset::Nte => (20, 4),
            Preset::Evening | Preset::WeekendEvening => (17, 5),
            Preset::Daytime => (7, 19),
        };
        Hours::new(start_h * 60, end_h * 60).expect("preset hours are valid and not empty")
    }

    /// A few words for reports.
    pub fn label(self) -> &'static str {
        match self {
            Preset::Nte => "night-time economy",
            Preset::Evening => "evening and night-time economy",
            Preset::WeekendEvening => "weekend evening and night",
            Preset::Daytime => "daytime",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_parse_and_print() {
        let d = Days::parse("Fri, sat,fri").unwrap();
        assert_eq!(d, Days::FRI_SAT);
        assert_eq!(d.to_string(), "fri,sat");
        assert_eq!(d.describe(), "Fridays and Saturdays");
        assert_eq!(
            Days::parse("mon,tue,fri").unwrap().describe(),
            "Mondays, Tuesdays and Fridays"
        );
        assert_eq!(Days::parse("sun").unwrap().describe(), "Sundays");
        assert_eq!(Days::parse("fri,xyz"), Err("xyz".to_owned()));
        assert_eq!(Days::parse(""), Err(String::new()));
    }

    #[test]
    fn hours_parse() {
        let h = Hours::parse("20:00-04:00").unwrap();
        assert!(h.crosses_midnight());
        assert_eq!((h.start_min(), h.end_min(), h.len_min()), (1200, 240, 480));
        assert_eq!(h.to_string(), "20:00-04:00");
        assert_eq!(Hours::parse("07:00-19:30").unwrap().len_min(), 750);
        for bad in [
            "25:00-04:00",
            "20:00",
            "8:00-04:00",
            "20:60-04:00",
            "a",
            "20:00-04:00-05:00",
        ] {
            assert_eq!(Hours::parse(bad), Err(HoursProblem::Syntax), "{bad}");
        }
        assert_eq!(Hours::parse("20:00-20:00"), Err(HoursProblem::Empty));
    }

    #[test]
    fn presets() {
        assert_eq!(
            Preset::lookup("Weekend-Evening"),
            Some(Preset::WeekendEvening)
        );
        assert_eq!(Preset::Nte.hours().to_string(), "20:00-04:00");
        assert_eq!(Preset::Evening.hours().to_string(), "17:00-05:00");
        assert_eq!(Preset::Daytime.hours().to_string(), "07:00-19:00");
        assert!(Preset::Evening.days().is_all());
    }
}
