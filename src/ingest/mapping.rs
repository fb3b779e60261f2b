//! The incident-log mapping (TOML): which CSV column holds what, how dates are written, and
//! what local category codes mean (interface.md, "Incident-log mapping").
//!
//! Parse, then validate once: the TOML deserialises into raw structs (unknown keys refused),
//! which [`Mapping::from_toml`] checks into a [`Mapping`] the row reader trusts. Every mistake is
//! an [`IngestError::Mapping`] naming the mapping file and key, before any row is read.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;

use super::IngestError;
use super::input::{display_name, read_capped};
use crate::domain::{Category, CrimeType, Group};

/// Largest mapping file read, bytes.
pub const MAX_MAPPING_BYTES: u64 = 1 << 20;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    columns: RawColumns,
    #[serde(default)]
    formats: RawFormats,
    #[serde(default)]
    categories: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawColumns {
    id: Option<String>,
    timestamp: Option<String>,
    date: Option<String>,
    time: Option<String>,
    from: Option<String>,
    to: Option<String>,
    lat: Option<String>,
    lon: Option<String>,
    easting: Option<String>,
    northing: Option<String>,
    category: Option<String>,
    alcohol: Option<String>,
    location: Option<String>,
    victim: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFormats {
    date: Option<String>,
    time: Option<String>,
}

/// Where a log row's time comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeColumns {
    /// One column with date and time (or a date alone: the whole day).
    Timestamp(String),
    /// A date column and, optionally, a time column (without it: the whole day).
    DateTime {
        /// The date column.
        date: String,
        /// The time column.
        time: Option<String>,
    },
    /// Only a span: `from` and `to` columns.
    SpanOnly,
}

/// Where a log row's position comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlaceColumns {
    /// WGS84 latitude and longitude, degrees.
    LatLon {
        /// Latitude column.
        lat: String,
        /// Longitude column.
        lon: String,
    },
    /// British National Grid easting and northing, metres.
    EastingNorthing {
        /// Easting column.
        easting: String,
        /// Northing column.
        northing: String,
    },
}

/// What a local category code stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CategoryTarget {
    /// A police.uk crime type (and so its group).
    Type(CrimeType),
    /// A group only.
    Group(Group),
}

impl CategoryTarget {
    /// Parses a group slug, police.uk type name or API slug.
    pub fn parse(text: &str) -> Option<CategoryTarget> {
        Group::lookup(text)
            .map(CategoryTarget::Group)
            .or_else(|| CrimeType::lookup(text).map(CategoryTarget::Type))
    }

    /// The category of a row whose source wrote `local`.
    pub fn category(self, local: &str) -> Category {
        match self {
            CategoryTarget::Type(t) => Category {
                group: t.group(),
                crime_type: Some(t),
                local: Some(local.to_owned()),
            },
            CategoryTarget::Group(g) => Category {
                group: g,
                crime_type: None,
                local: Some(local.to_owned()),
            },
        }
    }
}

/// How row values are read: date/time formats and the local category table. Shared by logs
/// (from their mapping) and GeoJSON incidents (defaults).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    /// chrono format of dates, when the mapping gives one; else the defaults are tried.
    pub date_format: Option<String>,
    /// chrono format of times of day, when the mapping gives one; else the defaults are tried.
    pub time_format: Option<String>,
    /// Local category code (trimmed, lowercased) → target.
    pub categories: HashMap<String, CategoryTarget>,
}

/// A checked incident-log mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// The mapping file's name, for messages.
    pub name: String,
    /// Column with the log's own reference; `None` = content ids.
    pub id: Option<String>,
    /// Where the time comes from.
    pub time: TimeColumns,
    /// Optional span columns `(from, to)`.
    pub span: Option<(String, String)>,
    /// Where the position comes from.
    pub place: PlaceColumns,
    /// Category column.
    pub category: String,
    /// Alcohol flag column.
    pub alcohol: Option<String>,
    /// Location description column.
    pub location: Option<String>,
    /// Victim or caller reference column (hashed at ingest).
    pub victim: Option<String>,
    /// Formats and categories.
    pub rules: Rules,
}

impl Mapping {
    /// Reads and checks a mapping file.
    pub fn from_path(path: &Path) -> Result<Mapping, IngestError> {
        let bytes = read_capped(path, MAX_MAPPING_BYTES)?;
        let name = display_name(path);
        let text = String::from_utf8(bytes).map_err(|_| IngestError::Mapping {
            mapping: name.clone(),
            key: "(file)".into(),
            message: "the mapping is not UTF-8 text".into(),
        })?;
        Mapping::from_toml(&name, &text)
    }

    /// Checks a mapping given as TOML text; `name` is used in messages.
    pub fn from_toml(name: &str, text: &str) -> Result<Mapping, IngestError> {
        let err = |key: &str, message: String| IngestError::Mapping {
            mapping: name.to_owned(),
            key: key.to_owned(),
            message,
        };
        let raw: RawMapping = toml::from_str(text).map_err(|e| {
            let key = e
                .span()
                .and_then(|s| text.get(s))
                .map_or_else(|| "(toml)".to_owned(), |s| s.trim().to_owned());
            err(&key, e.message().to_owned())
        })?;
        let c = raw.columns;
        let nonblank = |key: &str, v: Option<String>| -> Result<Option<String>, IngestError> {
            match v {
                Some(s) if s.trim().is_empty() => Err(err(
                    key,
                    "names no column (blank); leave the key out instead".into(),
                )),
                other => Ok(other),
            }
        };
        let id = nonblank("columns.id", c.id)?;
        let timestamp = nonblank("columns.timestamp", c.timestamp)?;
        let date = nonblank("columns.date", c.date)?;
        let time_col = nonblank("columns.time", c.time)?;
        let from = nonblank("columns.from", c.from)?;
        let to = nonblank("columns.to", c.to)?;
        let span = match (from, to) {
            (Some(f), Some(t)) => Some((f, t)),
            (None, None) => None,
            (Some(_), None) => return Err(err("columns.from", "`from` needs `to` as well".into())),
            (None, Some(_)) => return Err(err("columns.to", "`to` needs `from` as well".into())),
        };
        let time = match (timestamp, date, time_col) {
            (Some(_), Some(_), _) => {
                return Err(err(
                    "columns.date",
                    "give either `timestamp` or `date` (+ `time`), not both".into(),
                ));
            }
            (Some(_), None, Some(_)) => {
                return Err(err(
                    "columns.time",
                    "`time` goes with `date`, not with `timestamp`".into(),
                ));
            }
            (Some(ts), None, None) => TimeColumns::Timestamp(ts),
            (None, Some(date), time) => TimeColumns::DateTime { date, time },
            (None, None, Some(_)) => {
                return Err(err("columns.time", "`time` needs a `date` column".into()));
            }
            (None, None, None) if span.is_some() => TimeColumns::SpanOnly,
            (None, None, None) => {
                return Err(err(
                    "columns",
                    "no time: give `timestamp`, or `date` (+ `time`), or `from` and `to`".into(),
                ));
            }
        };
        let lat = nonblank("columns.lat", c.lat)?;
        let lon = nonblank("columns.lon", c.lon)?;
        let easting = nonblank("columns.easting", c.easting)?;
        let northing = nonblank("columns.northing", c.northing)?;
        let place = match (lat, lon, easting, northing) {
            (Some(lat), Some(lon), None, None) => PlaceColumns::LatLon { lat, lon },
            (None, None, Some(easting), Some(northing)) => {
                PlaceColumns::EastingNorthing { easting, northing }
            }
            (Some(_), Some(_), Some(_), Some(_)) => {
                return Err(err(
                    "columns.easting",
                    "give either `lat`/`lon` or `easting`/`northing`, not both".into(),
                ));
            }
            (Some(_), None, _, _) => {
                return Err(err("columns.lat", "`lat` needs `lon` as well".into()));
            }
            (None, Some(_), _, _) => {
                return Err(err("columns.lon", "`lon` needs `lat` as well".into()));
            }
            (_, _, Some(_), None) => {
                return Err(err(
                    "columns.easting",
                    "`easting` needs `northing` as well".into(),
                ));
            }
            (_, _, None, Some(_)) => {
                return Err(err(
                    "columns.northing",
                    "`northing` needs `easting` as well".into(),
                ));
            }
            (None, None, None, None) => {
                return Err(err(
                    "columns",
                    "no position: give `lat` and `lon`, or `easting` and `northing`".into(),
                ));
            }
        };
        let category = nonblank("columns.category", c.category)?
            .ok_or_else(|| err("columns.category", "a `category` column is required".into()))?;

        let formats = raw.formats;
        for (key, f) in [
            ("formats.date", &formats.date),
            ("formats.time", &formats.time),
        ] {
            if let Some(f) = f {
                check_format(f).map_err(|m| err(key, m))?;
            }
        }
        let mut categories = HashMap::new();
        for (code, target) in &raw.categories {
            let key = format!("categories.{code:?}");
            let t = CategoryTarget::parse(target).ok_or_else(|| {
                err(
                    &key,
                    format!(
                        "{target:?} is no group slug (asb, violence, public-order, criminal-damage, drugs, acquisitive, other), police.uk crime type or API slug"
                    ),
                )
            })?;
            let folded = code.trim().to_lowercase();
            if let Some(prev) = categories.insert(folded, t)
                && prev != t
            {
                return Err(err(
                    &key,
                    "another code differing only in case or spaces maps elsewhere".into(),
                ));
            }
        }
        Ok(Mapping {
            name: name.to_owned(),
            id,
            time,
            span,
            place,
            category,
            alcohol: nonblank("columns.alcohol", c.alcohol)?,
            location: nonblank("columns.location", c.location)?,
            victim: nonblank("columns.victim", c.victim)?,
            rules: Rules {
                date_format: formats.date,
                time_format: formats.time,
                categories,
            },
        })
    }

    /// Every mapped column with its key, in a fixed order (for header checks).
    pub fn columns(&self) -> Vec<(&'static str, &str)> {
        let mut out = Vec::new();
        if let Some(c) = &self.id {
            out.push(("columns.id", c.as_str()));
        }
        match &self.time {
            TimeColumns::Timestamp(c) => out.push(("columns.timestamp", c.as_str())),
            TimeColumns::DateTime { date, time } => {
                out.push(("columns.date", date.as_str()));
                if let Some(t) = time {
                    out.push(("columns.time", t.as_str()));
                }
            }
            TimeColumns::SpanOnly => {}
        }
        if let Some((f, t)) = &self.span {
            out.push(("columns.from", f.as_str()));
            out.push(("columns.to", t.as_str()));
        }
        match &self.place {
            PlaceColumns::LatLon { lat, lon } => {
                out.push(("columns.lat", lat.as_str()));
                out.push(("columns.lon", lon.as_str()));
            }
            PlaceColumns::EastingNorthing { easting, northing } => {
                out.push(("columns.easting", easting.as_str()));
                out.push(("columns.northing", northing.as_str()));
            }
        }
        out.push(("columns.category", self.category.as_str()));
        for (key, c) in [
            ("columns.alcohol", &self.alcohol),
            ("columns.location", &self.location),
            ("columns.victim", &self.victim),
        ] {
            if let Some(c) = c {
                out.push((key, c.as_str()));
            }
        }
        out
    }
}

/// Refuses chrono formats with unknown or dangling specifiers.
fn check_format(f: &str) -> Result<(), String> {
    use chrono::format::{Item, StrftimeItems};
    if f.trim().is_empty() {
        return Err("is blank".into());
    }
    if StrftimeItems::new(f).any(|i| matches!(i, Item::Error)) {
        return Err(format!(
            "{f:?} is not a valid chrono format (e.g. \"%d/%m/%Y\", \"%H:%M\")"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"
[columns]
id = "ref"
timestamp = "reported_at"
from = "from"
to = "to"
lat = "lat"
lon = "lon"
category = "category"
alcohol = "alcohol"
location = "street"
victim = "caller_ref"

[formats]
date = "%d/%m/%Y"
time = "%H:%M"

[categories]
"ASB - Rowdy" = "asb"
"Assault" = "violence"
"PO" = "Public order"
"#;

    fn error(toml: &str) -> (String, String) {
        match Mapping::from_toml("m.toml", toml).unwrap_err() {
            IngestError::Mapping {
                mapping,
                key,
                message,
            } => {
                assert_eq!(mapping, "m.toml");
                (key, message)
            }
            other => panic!("{other}"),
        }
    }

    #[test]
    fn reads_the_interface_example() {
        let m = Mapping::from_toml("m.toml", FULL).unwrap();
        assert_eq!(m.time, TimeColumns::Timestamp("reported_at".into()));
        assert_eq!(m.span, Some(("from".into(), "to".into())));
        assert_eq!(
            m.rules.categories["asb - rowdy"],
            CategoryTarget::Group(Group::Asb)
        );
        assert_eq!(
            m.rules.categories["po"],
            CategoryTarget::Type(CrimeType::PublicOrder)
        );
        assert_eq!(m.columns().len(), 10);
    }

    #[test]
    fn mapping_errors_name_the_key() {
        let base = "[columns]\ncategory = \"c\"\nlat = \"y\"\nlon = \"x\"\n";
        assert_eq!(
            error(&format!("{base}timestamp = \"t\"\ndate = \"d\"\n")).0,
            "columns.date"
        );
        assert_eq!(
            error("[columns]\ncategory = \"c\"\nlat = \"y\"\ntimestamp = \"t\"\n").0,
            "columns.lat"
        );
        assert_eq!(error(&format!("{base}from = \"f\"\n")).0, "columns.from");
        assert_eq!(error(base).0, "columns");
        let (key, msg) = error(&format!("{base}timestamp = \"t\"\nwhen = \"w\"\n"));
        assert!(
            key.contains("when") && msg.contains("unknown field"),
            "{key}: {msg}"
        );
        let (key, msg) = error(&format!(
            "{base}timestamp = \"t\"\n[categories]\n\"X\" = \"nonsense\"\n"
        ));
        assert_eq!(key, "categories.\"X\"", "{msg}");
        assert_eq!(
            error(&format!(
                "{base}timestamp = \"t\"\n[formats]\ndate = \"%Q\"\n"
            ))
            .0,
            "formats.date"
        );
        assert_eq!(
            error("[columns]\ncategory = \"c\"\nlat = \"y\"\nlon = \"x\"\neasting = \"e\"\nnorthing = \"n\"\ntimestamp = \"t\"\n").0,
            "columns.easting"
        );
    }
}
