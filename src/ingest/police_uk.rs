//! police.uk street-level crime CSVs (`YYYY-MM-FORCE-street.csv`).
//!
//! 1. Check the header is the 12-column street-level header (a UTF-8 BOM is allowed).
//! 2. For each record (CRLF or LF; the csv crate's `ByteRecord`, reused, no per-field
//!    allocation until a row is accepted): check field count, field lengths and UTF-8; parse
//!    `Month`, `Crime type`, `Longitude`/`Latitude`; check the point has a British National Grid
//!    position (OSTN15), cached per distinct point since police.uk snap points repeat heavily
//!    (the nine real Hampshire files: 154,732 rows on 20,172 points).
//! 3. Give the row its identity ([`identity`](super::identity)): the Crime ID, or a content id
//!    with occurrence number.
//!
//! Blank coordinates are rejected as "no location" (police.uk blanks them when no map point lies
//! within 20 km of the crime); a blank `Context` and, on ASB rows, a blank `Crime ID` and
//! `Last outcome category` are normal.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use csv::ByteRecord;

use super::identity::{ContentIds, SeenIds};
use super::input::{CappedReader, CrlfToLf, cap_or_io, display_name, open_capped};
use super::report::{IngestReport, Position, Reject, RejectReason};
use super::{IngestError, Limits, Parsed};
use crate::domain::{
    Category, CoordError, CrimeType, Incident, IncidentTime, Lsoa, Month, Source, Wgs84,
};

/// police.uk's street-level header, in order.
pub const POLICE_UK_HEADER: [&str; 12] = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
];

const CRIME_ID: usize = 0;
const MONTH: usize = 1;
const LONGITUDE: usize = 4;
const LATITUDE: usize = 5;
const LOCATION: usize = 6;
const LSOA_CODE: usize = 7;
const LSOA_NAME: usize = 8;
const CRIME_TYPE: usize = 9;

/// Source tag hashed into content ids, so equal rows of different sources never share one.
const ID_TAG: &str = "police-uk";

/// Distinct points whose grid check is cached before the cache is cleared (bounds memory).
const MAX_CACHED_POINTS: usize = 1 << 20;

/// Expands `ingest police-uk PATH...`: files as given, folders to their `*.csv` files sorted
/// by name. A folder with no CSV file is an error (a mistyped path should not ingest nothing).
pub fn expand_police_uk_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, IngestError> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let io_err = |source| IngestError::Io {
                path: path.clone(),
                source,
            };
            let mut files = Vec::new();
            for entry in std::fs::read_dir(path).map_err(io_err)? {
                let p = entry.map_err(io_err)?.path();
                let is_csv = p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
                if is_csv && p.is_file() {
                    files.push(p);
                }
            }
            if files.is_empty() {
                return Err(IngestError::NoCsvFiles { path: path.clone() });
            }
            files.sort();
            out.extend(files);
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

/// Reads one police.uk file with default caches (see [`PoliceUkReader`] to share the grid
/// cache across files).
pub fn read_police_uk_file(path: &Path, limits: &Limits) -> Result<Parsed<Incident>, IngestError> {
    PoliceUkReader::new(*limits).read_file(path)
}

/// A police.uk reader that keeps its per-point grid-check cache across files.
#[derive(Debug)]
pub struct PoliceUkReader {
    limits: Limits,
    grid: HashMap<(u64, u64), Result<Wgs84, CoordError>>,
}

impl PoliceUkReader {
    /// A reader with these caps.
    pub fn new(limits: Limits) -> Self {
        PoliceUkReader {
            limits,
            grid: HashMap::new(),
        }
    }

    /// Reads one file (size-capped by [`Limits::max_csv_bytes`]).
    pub fn read_file(&mut self, path: &Path) -> Result<Parsed<Incident>, IngestError> {
        let reader = open_capped(path, self.limits.max_csv_bytes)?;
        self.read_capped(&display_name(path), path, reader)
    }

    /// Reads a stream (e.g. an HTTP body) reported under the name `file`.
    pub fn read<R: Read>(
        &mut self,
        file: &str,
        reader: R,
    ) -> Result<Parsed<Incident>, IngestError> {
        let capped = CappedReader::new(reader, self.limits.max_csv_bytes);
        self.read_capped(file, Path::new(file), capped)
    }

    fn read_capped<R: Read>(
        &mut self,
        file: &str,
        path: &Path,
        reader: CappedReader<R>,
    ) -> Result<Parsed<Incident>, IngestError> {
        let max_bytes = self.limits.max_csv_bytes;
        let csv_err = |e: csv::Error| {
            let line = e.position().map_or(0, csv::Position::line);
            match e.into_kind() {
                csv::ErrorKind::Io(io) => cap_or_io(io, path, file, max_bytes),
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
            return Err(header_error(file, &record));
        }
        let header_ok = record.len() == POLICE_UK_HEADER.len()
            && record
                .iter()
                .zip(POLICE_UK_HEADER)
                .enumerate()
                .all(|(i, (got, want))| {
                    let got = if i == 0 { strip_bom(got) } else { got };
                    got == want.as_bytes()
                });
        if !header_ok {
            return Err(header_error(file, &record));
        }

        let mut report = IngestReport::new(file, self.limits.max_rejects_kept);
        let mut items = Vec::new();
        let mut row = RowState::default();
        while rdr.read_byte_record(&mut record).map_err(csv_err)? {
            report.rows_read += 1;
            if report.rows_read > self.limits.max_rows {
                return Err(IngestError::TooManyRows {
                    file: file.to_owned(),
                    max_rows: self.limits.max_rows,
                });
            }
            let line = record.position().map_or(0, csv::Position::line);
            match self.row(&record, line, &mut row) {
                Ok(incident) => {
                    report.accept();
                    items.push(incident);
                }
                Err((field, reason, message)) => report.reject(Reject {
                    file: file.to_owned(),
                    position: Position::Line(line),
                    field: field.map(str::to_owned),
                    reason,
                    message,
                }),
            }
        }
        Ok(Parsed { items, report })
    }

    /// Validates one record; on failure returns the field, reason and message.
    fn row(
        &mut self,
        record: &ByteRecord,
        line: u64,
        state: &mut RowState,
    ) -> Result<Incident, (Option<&'static str>, RejectReason, String)> {
        if record.len() != POLICE_UK_HEADER.len() {
            return Err((
                None,
                RejectReason::FieldCount,
                format!("expected 12 fields, found {}", record.len()),
            ));
        }
        let mut text: [&str; 12] = [""; 12];
        for (i, raw) in record.iter().enumerate() {
            let name = POLICE_UK_HEADER[i];
            if raw.len() > self.limits.max_field_bytes {
                return Err((
                    Some(name),
                    RejectReason::FieldTooLong,
                    format!(
                        "{name} is {} bytes long (at most {})",
                        raw.len(),
                        self.limits.max_field_bytes
                    ),
                ));
            }
            text[i] = std::str::from_utf8(raw).map_err(|_| {
                (
                    Some(name),
                    RejectReason::NotUtf8,
                    format!("{name} is not valid UTF-8"),
                )
            })?;
        }

        let month = state.month(text[MONTH]).ok_or_else(|| {
            (
                Some("Month"),
                RejectReason::BadMonth,
                format!("Month {:?} is not a month (YYYY-MM)", text[MONTH]),
            )
        })?;
        let crime_type = crime_type(text[CRIME_TYPE]).ok_or_else(|| {
            (
                Some("Crime type"),
                RejectReason::UnknownCategory,
                format!(
                    "Crime type {:?} is not a police.uk crime type",
                    text[CRIME_TYPE]
                ),
            )
        })?;
        let location = self.location(text[LONGITUDE], text[LATITUDE])?;

        let crime_id = text[CRIME_ID].trim();
        let id = if crime_id.is_empty() {
            state.content_ids.next(ID_TAG, record.iter())
        } else {
            state.seen.first_use(crime_id, line).map_err(|first| {
                (
                    Some("Crime ID"),
                    RejectReason::DuplicateId,
                    format!("Crime ID {crime_id:?} already appeared on line {first}"),
                )
            })?;
            crime_id.to_owned()
        };
        let non_empty = |s: &str| {
            let s = s.trim();
            (!s.is_empty()).then(|| s.to_owned())
        };
        let lsoa = match (non_empty(text[LSOA_CODE]), non_empty(text[LSOA_NAME])) {
            (Some(code), Some(name)) => Some(Lsoa { code, name }),
            _ => None,
        };
        Ok(Incident {
            id,
            source: Source::PoliceUk,
            category: Category::of_type(crime_type),
            time: IncidentTime::Month { month },
            location,
            lsoa,
            location_desc: non_empty(text[LOCATION]),
            ward: None,
            alcohol: None,
            victim_hash: None,
        })
    }

    fn location(
        &mut self,
        lon: &str,
        lat: &str,
    ) -> Result<Wgs84, (Option<&'static str>, RejectReason, String)> {
        let (lon_t, lat_t) = (lon.trim(), lat.trim());
        match (lon_t.is_empty(), lat_t.is_empty()) {
            (true, true) => {
                return Err((
                    None,
                    RejectReason::NoLocation,
                    "no location: Longitude and Latitude are blank (police.uk gives no point when none lies within 20 km)".to_owned(),
                ));
            }
            (true, false) | (false, true) => {
                let name = if lon_t.is_empty() {
                    "Longitude"
                } else {
                    "Latitude"
                };
                return Err((
                    Some(name),
                    RejectReason::NoLocation,
                    format!("no location: {name} is blank"),
                ));
            }
            (false, false) => {}
        }
        let number = |name: &'static str, t: &str| {
            t.parse::<f64>().map_err(|_| {
                (
                    Some(name),
                    RejectReason::BadCoordinate,
                    format!("{name} {t:?} is not a number"),
                )
            })
        };
        let lon = number("Longitude", lon_t)?;
        let lat = number("Latitude", lat_t)?;
        if self.grid.len() >= MAX_CACHED_POINTS {
            self.grid.clear();
        }
        let checked = *self
            .grid
            .entry((lon.to_bits(), lat.to_bits()))
            .or_insert_with(|| {
                let p = Wgs84::new(lon, lat)?;
                p.to_bng()?;
                Ok(p)
            });
        checked.map_err(|e| match e {
            CoordError::OutsideGrid { .. } => (None, RejectReason::OutsideGrid, e.to_string()),
            _ => (None, RejectReason::BadCoordinate, e.to_string()),
        })
    }
}

/// Per-file state: month cache, content ids, Crime IDs seen.
#[derive(Debug, Default)]
struct RowState {
    last_month: Option<(String, Month)>,
    content_ids: ContentIds,
    seen: SeenIds,
}

impl RowState {
    /// Parses a month, reusing the last result (every row of a file has the same month).
    fn month(&mut self, text: &str) -> Option<Month> {
        if let Some((raw, m)) = &self.last_month
            && raw == text
        {
            return Some(*m);
        }
        let m: Month = text.parse().ok()?;
        self.last_month = Some((text.to_owned(), m));
        Some(m)
    }
}

/// A crime type by its exact police.uk name (the fast path), else by [`CrimeType::lookup`].
fn crime_type(text: &str) -> Option<CrimeType> {
    CrimeType::ALL
        .into_iter()
        .find(|t| t.name() == text)
        .or_else(|| CrimeType::lookup(text))
}

fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b)
}

fn header_error(file: &str, record: &ByteRecord) -> IngestError {
    IngestError::Header {
        file: file.to_owned(),
        expected: POLICE_UK_HEADER.join(","),
        found: record
            .iter()
            .map(String::from_utf8_lossy)
            .collect::<Vec<_>>()
            .join(","),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n";

    fn read(body: &str) -> Parsed<Incident> {
        PoliceUkReader::new(Limits::default())
            .read("t.csv", format!("{HEADER}{body}").as_bytes())
            .unwrap()
    }

    #[test]
    fn accepts_a_crime_and_an_asb_row() {
        let p = read(
            "abc123,2017-05,Hampshire Constabulary,Hampshire Constabulary,-1.091,50.797,On or near Guildhall Walk,E01017013,Portsmouth 012A,Violence and sexual offences,Under investigation,\n\
             ,2017-05,Hampshire Constabulary,Hampshire Constabulary,-1.091,50.797,On or near Guildhall Walk,,,Anti-social behaviour,,\n",
        );
        assert_eq!((p.report.rows_read, p.report.accepted), (2, 2));
        let a = &p.items[0];
        assert_eq!(a.id, "abc123");
        assert_eq!(
            a.category.crime_type,
            Some(CrimeType::ViolenceAndSexualOffences)
        );
        assert_eq!(
            a.time,
            IncidentTime::Month {
                month: Month::new(2017, 5).unwrap()
            }
        );
        assert_eq!(a.lsoa.as_ref().unwrap().authority(), "Portsmouth");
        assert_eq!(
            a.location_desc.as_deref(),
            Some("On or near Guildhall Walk")
        );
        assert_eq!((a.location.lon(), a.location.lat()), (-1.091, 50.797));
        let b = &p.items[1];
        assert!(b.id.ends_with("-1") && b.id.len() == 34, "{}", b.id);
        assert_eq!(b.lsoa, None);
    }

    #[test]
    fn a_wrong_header_is_an_error() {
        let e = PoliceUkReader::new(Limits::default())
            .read("t.csv", "Crime ID,Month\n".as_bytes())
            .unwrap_err();
        assert!(matches!(e, IngestError::Header { .. }), "{e}");
        let bom = format!("\u{feff}{HEADER}");
        assert!(
            PoliceUkReader::new(Limits::default())
                .read("t.csv", bom.as_bytes())
                .is_ok()
        );
    }

    #[test]
    fn caps_rows_and_bytes() {
        let row = ",2017-05,H,H,-1.09,50.79,X,,,Drugs,,\n";
        let limits = Limits {
            max_rows: 2,
            ..Limits::default()
        };
        let body = format!("{HEADER}{row}{row}{row}");
        let e = PoliceUkReader::new(limits)
            .read("t.csv", body.as_bytes())
            .unwrap_err();
        assert!(
            matches!(e, IngestError::TooManyRows { max_rows: 2, .. }),
            "{e}"
        );
        let limits = Limits {
            max_csv_bytes: 200,
            ..Limits::default()
        };
        let e = PoliceUkReader::new(limits)
            .read("t.csv", body.as_bytes())
            .unwrap_err();
        assert!(
            matches!(e, IngestError::TooLarge { max_bytes: 200, .. }),
            "{e}"
        );
    }
}
