//! Errors that stop a whole file (as opposed to a [`Reject`](super::Reject), which stops a row).

use std::path::PathBuf;

/// A problem with an input as a whole, found before (or instead of) reading its rows.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The file could not be opened or read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path as given.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The file is larger than the cap for its kind.
    #[error("{file}: {bytes} bytes is more than the {max_bytes}-byte cap for this input")]
    TooLarge {
        /// The file.
        file: String,
        /// Its size (or the bytes read when the cap was hit).
        bytes: u64,
        /// The cap.
        max_bytes: u64,
    },
    /// The file holds more rows or features than the cap.
    #[error("{file}: more than {max_rows} rows; split the file")]
    TooManyRows {
        /// The file.
        file: String,
        /// The cap.
        max_rows: u64,
    },
    /// A police.uk file whose header is not the 12-column street-level header.
    #[error(
        "{file}: header is not police.uk's street-level header: expected {expected:?}, found {found:?}"
    )]
    Header {
        /// The file.
        file: String,
        /// The header expected.
        expected: String,
        /// The header found.
        found: String,
    },
    /// A column the input needs is missing from its header.
    #[error("{file}: no {column:?} column in the header (found {found:?})")]
    MissingColumn {
        /// The file.
        file: String,
        /// The column needed.
        column: String,
        /// The header found.
        found: String,
    },
    /// A bad incident-log mapping; nothing was read.
    #[error("{mapping}: {key}: {message}")]
    Mapping {
        /// The mapping file.
        mapping: String,
        /// The key at fault (`columns.lat`, `formats.date`, `categories."ASB - Rowdy"`).
        key: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// A CSV that cannot be read as CSV at all.
    #[error("{file}:{line}: {message}")]
    Csv {
        /// The file.
        file: String,
        /// 1-based line.
        line: u64,
        /// What the CSV reader said.
        message: String,
    },
    /// A GeoJSON file that is not valid JSON or not a FeatureCollection.
    #[error("{file}: {message}")]
    Json {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A reference file (wards, populations, postcodes) with a bad entry; reference data is
    /// all-or-nothing, so one bad entry stops the import.
    #[error("{file}: {at}: {message}")]
    Reference {
        /// The file.
        file: String,
        /// Where: `line 12` or `feature 3`.
        at: String,
        /// What is wrong.
        message: String,
    },
    /// A folder given to `ingest police-uk` holds no `*.csv` file.
    #[error("{}: no .csv files in this folder", path.display())]
    NoCsvFiles {
        /// The folder.
        path: PathBuf,
    },
}
