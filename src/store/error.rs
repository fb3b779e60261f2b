//! What can go wrong with a store.

use std::path::PathBuf;

use super::geometry::GeometryError;

/// An error opening, reading or writing a store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store file cannot be opened or created.
    #[error("{path}: cannot open or create the store: {source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        source: rusqlite::Error,
    },
    /// The file exists but is not an SQLite database.
    #[error(
        "{path}: not a hotspot store (not an SQLite/GeoPackage file); give --store a new file name or an existing hotspot store"
    )]
    NotSqlite {
        /// The file.
        path: PathBuf,
    },
    /// An SQLite database that is not a GeoPackage.
    #[error(
        "{path}: an SQLite database but not a GeoPackage (application_id {application_id:#010x}, expected 0x47504b47 \"GPKG\"); give --store a new file name or an existing hotspot store"
    )]
    NotGeoPackage {
        /// The file.
        path: PathBuf,
        /// The `application_id` found.
        application_id: i32,
    },
    /// A GeoPackage that hotspot did not create.
    #[error(
        "{path}: a GeoPackage, but not a hotspot store (it has no hotspot_meta table); hotspot keeps its data in its own store, so give --store a new file name"
    )]
    NotHotspotStore {
        /// The file.
        path: PathBuf,
    },
    /// A store written by another version of hotspot.
    #[error(
        "{path}: store schema version {found}, but this hotspot reads version {supported}; use the hotspot that wrote it, or re-ingest into a new store"
    )]
    SchemaVersion {
        /// The file.
        path: PathBuf,
        /// Version found in the store.
        found: String,
        /// Version this build reads.
        supported: i64,
    },
    /// A metadata entry that every store has is missing or malformed.
    #[error("store metadata {key:?} is missing or malformed ({found:?}); the store is damaged")]
    BadMeta {
        /// The metadata key.
        key: &'static str,
        /// What was found, if anything.
        found: Option<String>,
    },
    /// A stored row that cannot be turned back into a domain value.
    #[error("{table} row fid {fid}, column {column}: {reason}")]
    BadRow {
        /// The table.
        table: &'static str,
        /// The row's fid.
        fid: i64,
        /// The column.
        column: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A geometry that cannot be written.
    #[error("{what} {id:?}: {source}")]
    BadGeometry {
        /// The kind of object (`ward`, ...).
        what: &'static str,
        /// Its id or code.
        id: String,
        /// What is wrong with its geometry.
        source: GeometryError,
    },
    /// More items in one call than a store accepts.
    #[error("{n} {what} in one call; the cap is {max}: split the input")]
    TooMany {
        /// What was counted.
        what: &'static str,
        /// How many were given.
        n: usize,
        /// The cap.
        max: usize,
    },
    /// Two items with the same id or code in one call.
    #[error("{what} {id:?} appears twice in the input")]
    Duplicate {
        /// The kind of object.
        what: &'static str,
        /// The repeated id.
        id: String,
    },
    /// A mapping name outside the allowed form.
    #[error(
        "mapping name {name:?} is not allowed: use 1–{max_len} letters, digits, '-', '_' or '.'"
    )]
    BadMappingName {
        /// The name given.
        name: String,
        /// Longest name allowed.
        max_len: usize,
    },
    /// A text larger than its cap (mappings, file names).
    #[error("{what} is {len} bytes; the cap is {max} bytes")]
    TooLarge {
        /// What was too large.
        what: &'static str,
        /// Its size in bytes.
        len: usize,
        /// The cap in bytes.
        max: usize,
    },
    /// The operating system could not supply random bytes for a new store's salt.
    #[error("cannot draw a random salt for the new store: {0}")]
    Random(String),
    /// An SQLite error.
    #[error("store database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}
