//! Analysis parameters: raw text as it arrives from CLI flags or a query string, checked once
//! into the request types analyses trust (STYLE §6).
//!
//! The value syntax is interface.md's: `from`/`to` (month or date, `to` inclusive), `days`,
//! `hours`, `preset`, `calendar`, `ward` (code or name, repeatable or comma list), `category`
//! (group slug, police.uk type or API slug, or local label; repeatable or comma list),
//! `resolution` (7–11 or `auto`), `k` (1–3), `permutations` (0–9999), `seed`, `fdr`,
//! `inference` (`analytic` | `permutation`).

use h3o::Resolution;
use serde::{Deserialize, Serialize};

use super::ParamBag;
use super::Selection;
use crate::domain::CategorySelector;
use crate::index::{Snapshot, resolution_from_number};
use crate::time::{EventCalendar, Window, WindowError, WindowParams};

/// A parameter that cannot be used; names the parameter as the user wrote it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{parameter}: {message}")]
pub struct ParamError {
    /// The parameter's name (`ward`, `resolution`, `hours` ...), without leading dashes.
    pub parameter: String,
    /// What is wrong and what would be right.
    pub message: String,
}

impl ParamError {
    /// An error about `parameter`.
    pub fn new(parameter: &str, message: impl Into<String>) -> ParamError {
        ParamError {
            parameter: parameter.to_owned(),
            message: message.into(),
        }
    }
}

/// Upper bound on repeated values (wards, categories) in one request.
pub const MAX_LIST_VALUES: usize = 64;

/// Raw selection parameters (window, wards, categories), as text.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct RawSelection {
    /// `from`: month or date.
    pub from: Option<String>,
    /// `to`: month or date, inclusive.
    pub to: Option<String>,
    /// `days`: comma list of mon..sun.
    pub days: Option<String>,
    /// `hours`: `HH:MM-HH:MM`.
    pub hours: Option<String>,
    /// `preset`: nte, evening, weekend-evening, daytime.
    pub preset: Option<String>,
    /// `calendar`: bank-holidays or events.
    pub calendar: Option<String>,
    /// `ward`: codes or names (each may be a comma list).
    #[serde(default)]
    pub ward: Vec<String>,
    /// `category`: selectors (each may be a comma list).
    #[serde(default)]
    pub category: Vec<String>,
}

/// Names of the selection parameters.
pub const SELECTION_PARAMS: &[&str] = &[
    "from", "to", "days", "hours", "preset", "calendar", "ward", "category",
];

impl From<WindowError> for ParamError {
    fn from(e: WindowError) -> ParamError {
        let parameter = e.parameter();
        let text = e.to_string();
        let message = text
            .strip_prefix(&format!("{parameter}: "))
            .map_or(text.clone(), str::to_owned);
        ParamError::new(parameter, message)
    }
}

impl RawSelection {
    /// Takes the selection parameters out of a bag.
    pub fn take(bag: &mut ParamBag) -> Result<RawSelection, ParamError> {
        Ok(RawSelection {
            from: bag.one("from")?,
            to: bag.one("to")?,
            days: bag.one("days")?,
            hours: bag.one("hours")?,
            preset: bag.one("preset")?,
            calendar: bag.one("calendar")?,
            ward: bag.all("ward"),
            category: bag.all("category"),
        })
    }

    /// The window parameters alone.
    pub fn window_params(&self) -> WindowParams {
        WindowParams {
            from: self.from.clone(),
            to: self.to.clone(),
            days: self.days.clone(),
            hours: self.hours.clone(),
            preset: self.preset.clone(),
            calendar: self.calendar.clone(),
        }
    }

    /// Checks the parameters against the snapshot (ward names must exist) and the event
    /// calendar (for `calendar=events`).
    pub fn check(
        &self,
        snap: &Snapshot,
        events: Option<&EventCalendar>,
    ) -> Result<Selection, ParamError> {
        let window = Window::parse(&self.window_params(), events)?;
        let wards = split_list(&self.ward, "ward")?
            .into_iter()
            .map(|key| ward_by_key(snap, &key, "ward"))
            .collect::<Result<Vec<_>, _>>()?;
        let mut wards = wards;
        wards.sort_unstable();
        wards.dedup();
        let mut categories: Vec<CategorySelector> = Vec::new();
        for text in split_list(&self.category, "category")? {
            for c in CategorySelector::parse(&text) {
                if !categories.contains(&c) {
                    categories.push(c);
                }
            }
        }
        Ok(Selection {
            window,
            wards,
            categories,
        })
    }
}

/// The ward with this code or name (any case), or an error for `parameter` listing the known
/// wards.
pub fn ward_by_key(snap: &Snapshot, key: &str, parameter: &str) -> Result<usize, ParamError> {
    snap.ward_by_key(key).ok_or_else(|| {
        let known: Vec<String> = snap
            .wards
            .iter()
            .map(|w| format!("{} ({})", w.name, w.code))
            .collect();
        ParamError::new(
            parameter,
            format!(
                "unknown ward {key:?}; known wards: {}",
                if known.is_empty() {
                    "none (import wards first)".to_owned()
                } else {
                    known.join(", ")
                }
            ),
        )
    })
}

/// Splits repeatable, comma-separated values; trims; drops empties; caps the count.
pub fn split_list(values: &[String], parameter: &str) -> Result<Vec<String>, ParamError> {
    let out: Vec<String> = values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect();
    if out.len() > MAX_LIST_VALUES {
        return Err(ParamError::new(
            parameter,
            format!("{} values given; at most {MAX_LIST_VALUES}", out.len()),
        ));
    }
    Ok(out)
}

/// `resolution`: a number 7–11, or `auto`; `None` = `auto`.
pub fn parse_resolution(text: Option<&str>) -> Result<Option<Resolution>, ParamError> {
    match text.map(str::trim) {
        None | Some("") => Ok(Some(Resolution::Nine)),
        Some(t) if t.eq_ignore_ascii_case("auto") => Ok(None),
        Some(t) => t
            .parse::<u8>()
            .ok()
            .and_then(resolution_from_number)
            .map(Some)
            .ok_or_else(|| ParamError::new("resolution", format!("{t:?} is not 7–11 or auto"))),
    }
}

/// Parses a finite decimal parameter within `min..=max`; `None` when not given (or blank).
/// `what` names the quantity in the error: `"a number of metres"` gives
/// `"12x" is not a number of metres from 10 to 1000`.
pub fn parse_number(
    text: Option<&str>,
    parameter: &str,
    what: &str,
    min: f64,
    max: f64,
) -> Result<Option<f64>, ParamError> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => t
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && (min..=max).contains(v))
            .map(Some)
            .ok_or_else(|| {
                ParamError::new(
                    parameter,
                    format!("{t:?} is not {what} from {min} to {max}"),
                )
            }),
    }
}

/// Parses an integer parameter within an inclusive range.
pub fn parse_in_range<T>(
    text: Option<&str>,
    parameter: &str,
    default: T,
    min: T,
    max: T,
) -> Result<T, ParamError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    match text.map(str::trim) {
        None | Some("") => Ok(default),
        Some(t) => t
            .parse::<T>()
            .ok()
            .filter(|v| *v >= min && *v <= max)
            .ok_or_else(|| {
                ParamError::new(
                    parameter,
                    format!("{t:?} is not a whole number from {min} to {max}"),
                )
            }),
    }
}

/// Parses `true`/`false`.
pub fn parse_bool(text: Option<&str>, parameter: &str, default: bool) -> Result<bool, ParamError> {
    match text.map(|t| t.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") => Ok(default),
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(t) => Err(ParamError::new(
            parameter,
            format!("{t:?} is not true or false"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_finite_and_in_range() {
        let p = |t| parse_number(t, "radius-m", "a number of metres", 10.0, 1000.0);
        assert_eq!(p(None), Ok(None));
        assert_eq!(p(Some("  ")), Ok(None));
        assert_eq!(p(Some(" 10 ")), Ok(Some(10.0)));
        assert_eq!(p(Some("1000")), Ok(Some(1000.0)));
        assert_eq!(p(Some("250.5")), Ok(Some(250.5)));
        for bad in ["9.99", "1000.01", "NaN", "inf", "12x", "-50"] {
            let e = p(Some(bad)).unwrap_err();
            assert_eq!(e.parameter, "radius-m");
            assert_eq!(
                e.message,
                format!("{bad:?} is not a number of metres from 10 to 1000")
            );
        }
    }
}
