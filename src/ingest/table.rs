//! Small CSV tables with named columns (venues, cameras, postcodes, populations).

use std::path::Path;

use csv::StringRecord;

use super::input::{CrlfToLf, cap_or_io, display_name, read_capped};
use super::{IngestError, Limits};

/// A CSV read whole: its header and records with their 1-based start lines.
pub(crate) struct Table {
    pub file: String,
    pub header: Vec<String>,
    pub rows: Vec<(u64, Result<StringRecord, String>)>,
}

impl Table {
    /// Reads a file (size- and row-capped).
    pub(crate) fn from_path(
        path: &Path,
        max_bytes: u64,
        limits: &Limits,
    ) -> Result<Table, IngestError> {
        let bytes = read_capped(path, max_bytes)?;
        Table::from_bytes(&display_name(path), &bytes, limits)
    }

    /// Reads CSV bytes; a record that is not UTF-8 is kept as an error for its line.
    pub(crate) fn from_bytes(
        file: &str,
        bytes: &[u8],
        limits: &Limits,
    ) -> Result<Table, IngestError> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(CrlfToLf::new(bytes));
        let mut records = rdr.byte_records();
        let header = match records.next() {
            Some(Ok(h)) => h
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let f = if i == 0 {
                        f.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(f)
                    } else {
                        f
                    };
                    String::from_utf8_lossy(f).trim().to_owned()
                })
                .collect(),
            Some(Err(e)) => return Err(csv_error(e, file)),
            None => {
                return Err(IngestError::Csv {
                    file: file.to_owned(),
                    line: 1,
                    message: "the file is empty: a header row is needed".into(),
                });
            }
        };
        let mut rows = Vec::new();
        for r in records {
            let r = r.map_err(|e| csv_error(e, file))?;
            if rows.len() as u64 >= limits.max_rows {
                return Err(IngestError::TooManyRows {
                    file: file.to_owned(),
                    max_rows: limits.max_rows,
                });
            }
            let line = r.position().map_or(0, csv::Position::line);
            let rec = StringRecord::from_byte_record(r).map_err(|e| {
                let field = e.utf8_error().field();
                format!("field {} is not valid UTF-8", field + 1)
            });
            rows.push((line, rec));
        }
        Ok(Table {
            file: file.to_owned(),
            header,
            rows,
        })
    }

    /// The index of the first column whose name is one of `names` (ASCII case-insensitive).
    pub(crate) fn column(&self, names: &[&str]) -> Option<usize> {
        names
            .iter()
            .find_map(|n| self.header.iter().position(|h| h.eq_ignore_ascii_case(n)))
    }

    /// Like [`Table::column`], but a missing column is an error naming the first name.
    pub(crate) fn require(&self, names: &[&str]) -> Result<usize, IngestError> {
        self.column(names)
            .ok_or_else(|| IngestError::MissingColumn {
                file: self.file.clone(),
                column: names.first().copied().unwrap_or_default().to_owned(),
                found: self.header.join(","),
            })
    }
}

fn csv_error(e: csv::Error, file: &str) -> IngestError {
    let line = e.position().map_or(0, csv::Position::line);
    match e.into_kind() {
        csv::ErrorKind::Io(io) => cap_or_io(io, Path::new(file), file, 0),
        other => IngestError::Csv {
            file: file.to_owned(),
            line,
            message: format!("{other:?}"),
        },
    }
}

/// A trimmed, non-empty field of a record.
pub(crate) fn field(rec: &StringRecord, i: Option<usize>) -> Option<&str> {
    i.and_then(|i| rec.get(i))
        .map(str::trim)
        .filter(|s| !s.is_empty())
}
