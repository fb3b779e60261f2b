//! Incident logs: a council's or force's CSV export read through a [`Mapping`].
//!
//! 1. Read the header; find every column the mapping names (a missing one is an
//!    [`IngestError::Mapping`] naming the key, before any row is used).
//! 2. For each record: check lengths and UTF-8 of the mapped fields, then the category (local
//!    table, else a police.uk type or group), time (Europe/London; spans; a date alone is the
//!    whole day; a time skipped by the clocks going forward is rejected), position (lat/lon or
//!    British National Grid), alcohol flag and victim reference (salted SHA-256, never kept in
//!    clear).
//! 3. Identity: the id column when mapped (a repeat in the same file is rejected naming the
//!    first line), else a content id over every field (the victim reference replaced by its
//!    salted hash) plus occurrence number ([`identity`](super::identity)).

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use csv::ByteRecord;

use super::identity::{ContentIds, SeenIds};
use super::input::{CappedReader, CrlfToLf, cap_or_io, display_name, open_capped};
use super::mapping::{Mapping, PlaceColumns, TimeColumns};
use super::report::{IngestReport, Position, RejectReason};
use super::row::{Cell, RowCells, RowError, interpret};
use super::{IngestError, Limits, Parsed};
use crate::domain::{Incident, Source};

/// Source tag hashed into content ids.
const ID_TAG: &str = "log";

/// Reads an incident-log CSV file through `mapping`; `salt` salts victim hashes.
pub fn read_log_file(
    path: &Path,
    mapping: &Mapping,
    salt: &[u8],
    limits: &Limits,
) -> Result<Parsed<Incident>, IngestError> {
    let reader = open_capped(path, limits.max_csv_bytes)?;
    read_capped(&display_name(path), path, reader, mapping, salt, limits)
}

/// Reads an incident-log CSV stream (e.g. an HTTP body) reported under the name `file`.
pub fn read_log<R: Read>(
    file: &str,
    reader: R,
    mapping: &Mapping,
    salt: &[u8],
    limits: &Limits,
) -> Result<Parsed<Incident>, IngestError> {
    let capped = CappedReader::new(reader, limits.max_csv_bytes);
    read_capped(file, Path::new(file), capped, mapping, salt, limits)
}

/// Column indexes of the mapped fields.
#[derive(Debug, Default)]
struct Indexes {
    id: Option<usize>,
    timestamp: Option<usize>,
    date: Option<usize>,
    time: Option<usize>,
    from: Option<usize>,
    to: Option<usize>,
    lat: Option<usize>,
    lon: Option<usize>,
    easting: Option<usize>,
    northing: Option<usize>,
    category: Option<usize>,
    alcohol: Option<usize>,
    location: Option<usize>,
    victim: Option<usize>,
}

fn find_columns(header: &[String], mapping: &Mapping, file: &str) -> Result<Indexes, IngestError> {
    let mut ix = Indexes::default();
    for (key, column) in mapping.columns() {
        let found = header
            .iter()
            .position(|h| h == column)
            .or_else(|| {
                header
                    .iter()
                    .position(|h| h.trim().eq_ignore_ascii_case(column.trim()))
            })
            .ok_or_else(|| IngestError::Mapping {
                mapping: mapping.name.clone(),
                key: key.to_owned(),
                message: format!(
                    "column {column:?} is not in the header of {file} (it has {})",
                    header.join(", ")
                ),
            })?;
        let slot = match key {
            "columns.id" => &mut ix.id,
            "columns.timestamp" => &mut ix.timestamp,
            "columns.date" => &mut ix.date,
            "columns.time" => &mut ix.time,
            "columns.from" => &mut ix.from,
            "columns.to" => &mut ix.to,
            "columns.lat" => &mut ix.lat,
            "columns.lon" => &mut ix.lon,
            "columns.easting" => &mut ix.easting,
            "columns.northing" => &mut ix.northing,
            "columns.category" => &mut ix.category,
            "columns.alcohol" => &mut ix.alcohol,
            "columns.location" => &mut ix.location,
            _ => &mut ix.victim,
        };
        *slot = Some(found);
    }
    // The enums say which keys exist; keep them consistent with the indexes found.
    debug_assert!(matches!(mapping.time, TimeColumns::Timestamp(_)) == ix.timestamp.is_some());
    debug_assert!(matches!(mapping.place, PlaceColumns::LatLon { .. }) == ix.lat.is_some());
    Ok(ix)
}

fn read_capped<R: Read>(
    file: &str,
    path: &Path,
    reader: CappedReader<R>,
    mapping: &Mapping,
    salt: &[u8],
    limits: &Limits,
) -> Result<Parsed<Incident>, IngestError> {
    let csv_err = |e: csv::Error| {
        let line = e.position().map_or(0, csv::Position::line);
        match e.into_kind() {
            csv::ErrorKind::Io(io) => cap_or_io(io, path, file, limits.max_csv_bytes),
            other => IngestError::Csv {
                file: file.to_owned(),
                line,
                message: format!("{other:?}"),
            },
        }
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(CrlfToLf::new(reader));
    let mut record = ByteRecord::new();
    if !rdr.read_byte_record(&mut record).map_err(csv_err)? {
        return Err(IngestError::Csv {
            file: file.to_owned(),
            line: 1,
            message: "the file is empty: a header row is needed".into(),
        });
    }
    let header: Vec<String> = record
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = if i == 0 {
                h.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(h)
            } else {
                h
            };
            String::from_utf8_lossy(h).into_owned()
        })
        .collect();
    let ix = find_columns(&header, mapping, file)?;

    let mut report = IngestReport::new(file, limits.max_rejects_kept);
    let mut items = Vec::new();
    let mut content_ids = ContentIds::new();
    let mut seen = SeenIds::new();
    while rdr.read_byte_record(&mut record).map_err(csv_err)? {
        report.rows_read += 1;
        if report.rows_read > limits.max_rows {
            return Err(IngestError::TooManyRows {
                file: file.to_owned(),
                max_rows: limits.max_rows,
            });
        }
        let line = record.position().map_or(0, csv::Position::line);
        let result = row(&record, &header, &ix, mapping, salt, limits).and_then(|(id, values)| {
            let id = match id {
                Some((name, id)) => {
                    seen.first_use(&id, line).map_err(|first| RowError {
                        field: Some(name.to_owned()),
                        reason: RejectReason::DuplicateId,
                        message: format!("{name} {id:?} already appeared on line {first}"),
                    })?;
                    id
                }
                None => {
                    // Every field, with the victim reference replaced by its salted hash so
                    // the clear reference goes into no id.
                    let victim = values.victim_hash.as_deref().unwrap_or_default().as_bytes();
                    let fields = record
                        .iter()
                        .enumerate()
                        .map(|(i, f)| if Some(i) == ix.victim { victim } else { f });
                    content_ids.next(ID_TAG, fields)
                }
            };
            Ok(Incident {
                id,
                source: Source::Log,
                category: values.category,
                time: values.time,
                location: values.location,
                lsoa: None,
                location_desc: values.location_desc.map(Arc::from),
                ward: None,
                alcohol: values.alcohol,
                victim_hash: values.victim_hash,
            })
        });
        report.take(&mut items, Position::Line(line), result);
    }
    Ok(Parsed { items, report })
}

type IdAndValues<'h> = (Option<(&'h str, String)>, super::row::RowValues);

fn row<'h>(
    record: &ByteRecord,
    header: &'h [String],
    ix: &Indexes,
    mapping: &Mapping,
    salt: &[u8],
    limits: &Limits,
) -> Result<IdAndValues<'h>, RowError> {
    if record.len() != header.len() {
        return Err(RowError {
            field: None,
            reason: RejectReason::FieldCount,
            message: format!("expected {} fields, found {}", header.len(), record.len()),
        });
    }
    let cell = |i: Option<usize>| -> Result<Option<Cell<'_>>, RowError> {
        let Some(i) = i else { return Ok(None) };
        let name = header[i].as_str();
        let raw = &record[i];
        if raw.len() > limits.max_field_bytes {
            return Err(RowError {
                field: Some(name.to_owned()),
                reason: RejectReason::FieldTooLong,
                message: format!(
                    "{name} is {} bytes long (at most {})",
                    raw.len(),
                    limits.max_field_bytes
                ),
            });
        }
        let text = std::str::from_utf8(raw).map_err(|_| RowError {
            field: Some(name.to_owned()),
            reason: RejectReason::NotUtf8,
            message: format!("{name} is not valid UTF-8"),
        })?;
        Ok(Some(Cell { name, text }))
    };
    let cells = RowCells {
        timestamp: cell(ix.timestamp)?,
        date: cell(ix.date)?,
        time: cell(ix.time)?,
        from: cell(ix.from)?,
        to: cell(ix.to)?,
        lat: cell(ix.lat)?,
        lon: cell(ix.lon)?,
        easting: cell(ix.easting)?,
        northing: cell(ix.northing)?,
        category: cell(ix.category)?,
        alcohol: cell(ix.alcohol)?,
        location: cell(ix.location)?,
        victim: cell(ix.victim)?,
    };
    let id = match ix.id {
        None => None,
        Some(i) => {
            let name: &'h str = header[i].as_str();
            let v = cell(Some(i))?.map_or("", |c| c.text.trim());
            if v.is_empty() {
                return Err(RowError {
                    field: Some(name.to_owned()),
                    reason: RejectReason::MissingValue,
                    message: format!("{name} is blank"),
                });
            }
            Some((name, v.to_owned()))
        }
    };
    let values = interpret(&cells, &mapping.rules, salt)?;
    Ok((id, values))
}
