//! One incident's fields, as text, turned into checked values. Shared by incident logs (CSV
//! columns) and GeoJSON incidents (properties); messages name the column or property.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};

use super::identity::victim_hash;
use super::mapping::{CategoryTarget, Rules};
use super::report::RejectReason;
use crate::domain::{
    Bng, Category, CoordError, CrimeType, Group, IncidentTime, TimeError, Wgs84, london_to_utc,
};

/// A field's name (column or property) and its text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cell<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

impl<'a> Cell<'a> {
    fn value(self) -> Option<&'a str> {
        let t = self.text.trim();
        (!t.is_empty()).then_some(t)
    }
}

/// The cells of one row that a mapping points at; `None` = the source has no such field.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct RowCells<'a> {
    pub timestamp: Option<Cell<'a>>,
    pub date: Option<Cell<'a>>,
    pub time: Option<Cell<'a>>,
    pub from: Option<Cell<'a>>,
    pub to: Option<Cell<'a>>,
    pub lat: Option<Cell<'a>>,
    pub lon: Option<Cell<'a>>,
    pub easting: Option<Cell<'a>>,
    pub northing: Option<Cell<'a>>,
    pub category: Option<Cell<'a>>,
    pub alcohol: Option<Cell<'a>>,
    pub location: Option<Cell<'a>>,
    pub victim: Option<Cell<'a>>,
}

/// Why a row cannot be used: the field at fault, the reason and a message naming both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RowError {
    pub field: Option<String>,
    pub reason: RejectReason,
    pub message: String,
}

fn fail(field: &str, reason: RejectReason, message: String) -> RowError {
    RowError {
        field: Some(field.to_owned()),
        reason,
        message,
    }
}

/// The checked values of a row (everything of an `Incident` but its id and source).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RowValues {
    pub category: Category,
    pub time: IncidentTime,
    pub location: Wgs84,
    pub alcohol: Option<bool>,
    pub location_desc: Option<String>,
    pub victim_hash: Option<String>,
}

/// Checks one row's cells.
pub(crate) fn interpret(
    cells: &RowCells<'_>,
    rules: &Rules,
    salt: &[u8],
) -> Result<RowValues, RowError> {
    let category = category(cells.category, rules)?;
    let time = time(cells, rules)?;
    let location = location(cells)?;
    let alcohol = match cells.alcohol {
        Some(cell) => match cell.value() {
            None => None,
            Some(v) => Some(flag(v).ok_or_else(|| {
                fail(
                    cell.name,
                    RejectReason::BadValue,
                    format!("{} {v:?} is not Y/N, yes/no, true/false or 1/0", cell.name),
                )
            })?),
        },
        None => None,
    };
    Ok(RowValues {
        category,
        time,
        location,
        alcohol,
        location_desc: cells.location.and_then(Cell::value).map(str::to_owned),
        victim_hash: cells
            .victim
            .and_then(Cell::value)
            .map(|v| victim_hash(salt, v)),
    })
}

fn flag(v: &str) -> Option<bool> {
    const YES: [&str; 4] = ["y", "yes", "true", "1"];
    const NO: [&str; 4] = ["n", "no", "false", "0"];
    if YES.iter().any(|y| y.eq_ignore_ascii_case(v)) {
        Some(true)
    } else if NO.iter().any(|n| n.eq_ignore_ascii_case(v)) {
        Some(false)
    } else {
        None
    }
}

fn category(cell: Option<Cell<'_>>, rules: &Rules) -> Result<Category, RowError> {
    let Some(cell) = cell else {
        return Err(RowError {
            field: None,
            reason: RejectReason::MissingValue,
            message: "no category field".into(),
        });
    };
    let Some(v) = cell.value() else {
        return Err(fail(
            cell.name,
            RejectReason::MissingValue,
            format!("{} is blank", cell.name),
        ));
    };
    if let Some(t) = rules.categories.get(&v.to_lowercase()) {
        return Ok(t.category(v));
    }
    if let Some(t) = Group::lookup(v).map(CategoryTarget::Group) {
        return Ok(t.category(v));
    }
    if let Some(t) = CrimeType::lookup(v).map(CategoryTarget::Type) {
        return Ok(t.category(v));
    }
    Err(fail(
        cell.name,
        RejectReason::UnknownCategory,
        format!(
            "unknown category: {} {v:?} is not in the mapping's [categories] and is no group slug or police.uk crime type",
            cell.name
        ),
    ))
}

/// A parsed date/time text.
enum When {
    /// A wall-clock time (Europe/London).
    Local(NaiveDateTime),
    /// An instant with its own offset (RFC 3339).
    Instant(DateTime<Utc>),
    /// A date only: the whole day.
    Day(NaiveDate),
}

const DATETIME_FORMATS: [&str; 8] = [
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
];
const DATE_FORMATS: [&str; 3] = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"];
const TIME_FORMATS: [&str; 3] = ["%H:%M:%S%.f", "%H:%M", "%H%M"];

fn parse_date(v: &str, rules: &Rules) -> Option<NaiveDate> {
    match &rules.date_format {
        Some(f) => NaiveDate::parse_from_str(v, f).ok(),
        None => DATE_FORMATS
            .iter()
            .find_map(|f| NaiveDate::parse_from_str(v, f).ok()),
    }
}

fn parse_time(v: &str, rules: &Rules) -> Option<NaiveTime> {
    match &rules.time_format {
        Some(f) => NaiveTime::parse_from_str(v, f).ok(),
        None => TIME_FORMATS
            .iter()
            .find_map(|f| NaiveTime::parse_from_str(v, f).ok()),
    }
}

/// A timestamp: the mapping's date format joined to its time format (or the default time
/// forms) first, then RFC 3339, ISO 8601 and UK
/// day-first forms; a date alone means the whole day.
fn parse_when(v: &str, rules: &Rules) -> Option<When> {
    if let Some(d) = &rules.date_format {
        let times: Vec<&str> = match &rules.time_format {
            Some(t) => vec![t.as_str()],
            None => TIME_FORMATS.to_vec(),
        };
        for t in times {
            for sep in [" ", "T"] {
                if let Ok(x) = NaiveDateTime::parse_from_str(v, &format!("{d}{sep}{t}")) {
                    return Some(When::Local(x));
                }
            }
        }
    }
    if let Ok(x) = DateTime::parse_from_rfc3339(v) {
        return Some(When::Instant(x.with_timezone(&Utc)));
    }
    if let Some(x) = DATETIME_FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(v, f).ok())
    {
        return Some(When::Local(x));
    }
    parse_date(v, rules)
        .or_else(|| {
            DATE_FORMATS
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(v, f).ok())
        })
        .map(When::Day)
}

/// The first and last instants of a Europe/London day (local midnight may be skipped in
/// principle, so each end goes through [`london_to_utc`]).
fn day_bounds(d: NaiveDate) -> Result<(DateTime<Utc>, DateTime<Utc>), TimeError> {
    let start = d.and_time(NaiveTime::MIN);
    let end = start + TimeDelta::days(1) - TimeDelta::seconds(1);
    Ok((london_to_utc(start)?, london_to_utc(end)?))
}

fn skipped(cell: Cell<'_>, e: &TimeError) -> RowError {
    fail(
        cell.name,
        RejectReason::SkippedTime,
        format!("{} {:?}: {e}", cell.name, cell.text.trim()),
    )
}

fn bad_time(cell: Cell<'_>) -> RowError {
    fail(
        cell.name,
        RejectReason::BadTime,
        format!("{} {:?} is not a date or time", cell.name, cell.text.trim()),
    )
}

/// The earliest and latest instant a cell can mean.
fn bounds(
    cell: Cell<'_>,
    v: &str,
    rules: &Rules,
) -> Result<(DateTime<Utc>, DateTime<Utc>), RowError> {
    match parse_when(v, rules).ok_or_else(|| bad_time(cell))? {
        When::Local(x) => {
            let t = london_to_utc(x).map_err(|e| skipped(cell, &e))?;
            Ok((t, t))
        }
        When::Instant(t) => Ok((t, t)),
        When::Day(d) => day_bounds(d).map_err(|e| skipped(cell, &e)),
    }
}

fn instant_or_span(from: DateTime<Utc>, to: DateTime<Utc>) -> IncidentTime {
    if from == to {
        IncidentTime::At { at: from }
    } else {
        IncidentTime::Span { from, to }
    }
}

fn time(cells: &RowCells<'_>, rules: &Rules) -> Result<IncidentTime, RowError> {
    let from = cells.from.and_then(|c| c.value().map(|v| (c, v)));
    let to = cells.to.and_then(|c| c.value().map(|v| (c, v)));
    match (from, to) {
        (Some((fc, fv)), Some((tc, tv))) => {
            let (start, _) = bounds(fc, fv, rules)?;
            let (_, end) = bounds(tc, tv, rules)?;
            if end < start {
                return Err(fail(
                    tc.name,
                    RejectReason::BadTime,
                    format!("{} {tv:?} is before {} {fv:?}", tc.name, fc.name),
                ));
            }
            return Ok(instant_or_span(start, end));
        }
        (Some(_), None) | (None, Some(_))
            if cells.timestamp.and_then(Cell::value).is_none()
                && cells.date.and_then(Cell::value).is_none() =>
        {
            let missing = if from.is_none() { cells.from } else { cells.to };
            let name = missing.map_or("from/to", |c| c.name);
            return Err(fail(
                name,
                RejectReason::MissingValue,
                format!("{name} is blank: a span needs both ends"),
            ));
        }
        _ => {}
    }
    if let Some(cell) = cells.timestamp {
        let v = cell.value().ok_or_else(|| {
            fail(
                cell.name,
                RejectReason::MissingValue,
                format!("{} is blank", cell.name),
            )
        })?;
        let (a, b) = bounds(cell, v, rules)?;
        return Ok(instant_or_span(a, b));
    }
    if let Some(dc) = cells.date {
        let dv = dc.value().ok_or_else(|| {
            fail(
                dc.name,
                RejectReason::MissingValue,
                format!("{} is blank", dc.name),
            )
        })?;
        let date = parse_date(dv, rules).ok_or_else(|| {
            fail(
                dc.name,
                RejectReason::BadTime,
                format!("{} {dv:?} is not a date", dc.name),
            )
        })?;
        return match cells.time.and_then(|c| c.value().map(|v| (c, v))) {
            None => {
                let (a, b) = day_bounds(date).map_err(|e| skipped(dc, &e))?;
                Ok(instant_or_span(a, b))
            }
            Some((tc, tv)) => {
                let t = parse_time(tv, rules).ok_or_else(|| {
                    fail(
                        tc.name,
                        RejectReason::BadTime,
                        format!("{} {tv:?} is not a time of day", tc.name),
                    )
                })?;
                let local = date.and_time(t);
                let at = london_to_utc(local).map_err(|e| skipped(tc, &e))?;
                Ok(IncidentTime::At { at })
            }
        };
    }
    let name = cells.from.map_or("time", |c| c.name);
    Err(fail(
        name,
        RejectReason::MissingValue,
        format!("{name} is blank and the row has no other time"),
    ))
}

fn number(cell: Cell<'_>) -> Result<f64, RowError> {
    let v = cell.value().ok_or_else(|| {
        fail(
            cell.name,
            RejectReason::NoLocation,
            format!("no location: {} is blank", cell.name),
        )
    })?;
    v.parse::<f64>().map_err(|_| {
        fail(
            cell.name,
            RejectReason::BadCoordinate,
            format!("{} {v:?} is not a number", cell.name),
        )
    })
}

fn coord_error(e: CoordError) -> RowError {
    let reason = match e {
        CoordError::OutOfRange { .. } => RejectReason::BadCoordinate,
        CoordError::OutsideGrid { .. } | CoordError::OutsideBng { .. } => RejectReason::OutsideGrid,
    };
    RowError {
        field: None,
        reason,
        message: e.to_string(),
    }
}

fn location(cells: &RowCells<'_>) -> Result<Wgs84, RowError> {
    let pair = match (cells.lat, cells.lon, cells.easting, cells.northing) {
        (Some(lat), Some(lon), _, _) => Some((lat, lon, false)),
        (_, _, Some(e), Some(n)) => Some((n, e, true)),
        _ => None,
    };
    let Some((y, x, grid)) = pair else {
        return Err(RowError {
            field: None,
            reason: RejectReason::NoLocation,
            message: "no location fields".into(),
        });
    };
    if y.value().is_none() && x.value().is_none() {
        return Err(RowError {
            field: None,
            reason: RejectReason::NoLocation,
            message: format!("no location: {} and {} are blank", y.name, x.name),
        });
    }
    let (yv, xv) = (number(y)?, number(x)?);
    if grid {
        Bng::new(xv, yv)
            .and_then(Bng::to_wgs84)
            .map_err(coord_error)
    } else {
        let p = Wgs84::new(xv, yv).map_err(coord_error)?;
        p.to_bng().map_err(coord_error)?;
        Ok(p)
    }
}
