//! The durable store: one SQLite file laid out as an OGC GeoPackage 1.3 that QGIS and GDAL
//! open directly.
//!
//! ## Layout
//! - Feature layers, all EPSG:4326, each with a GeoPackage R-tree index
//!   (`rtree_<table>_geom`, its `gpkg_extensions` row and the six standard triggers):
//!   `incidents` (Point), `wards` (MultiPolygon), `venues` (Point), `cameras` (Point).
//! - Attribute tables: `hotspot_meta` (schema version, the per-store salt for victim
//!   references, the data version), `hotspot_mappings` (incident-log mappings by name) and
//!   `hotspot_ingest_log` (one row per committed ingest).
//! - `gpkg_spatial_ref_sys` also carries EPSG:27700 (British National Grid).
//! - `PRAGMA application_id` = `GPKG`, `user_version` = 10300.
//!
//! ## Durability
//! Every write is one `BEGIN IMMEDIATE` … `COMMIT` transaction, with SQLite's rollback journal
//! and `synchronous = FULL`: a process killed (even with SIGKILL) or a power cut mid-write leaves
//! the store as it was before that write, and a write that returned `Ok` is on disk. The
//! `store` integration tests kill a writer with SIGKILL and check this.
//!
//! ## Incident identity
//! An incident is a duplicate when an incident with exactly the same [`Incident::id`] is
//! stored. To keep that check cheap, each row also holds `id_key`, a 64-bit FNV-1a hash of the id
//! with a (non-unique) index; a hash match is only a candidate, confirmed by comparing the
//! stored id text. Hash collisions therefore never merge two incidents.
//!
//! [`Incident::id`]: crate::domain::Incident::id

mod error;
pub mod geometry;
mod hilbert;
mod incidents;
mod layers;
mod meta;
mod rtree_bulk;
mod schema;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior};

pub use error::StoreError;
pub use incidents::{InsertOutcome, MAX_INCIDENTS_PER_INSERT, Provenance, id_key};
pub use layers::{MAX_CAMERAS, MAX_VENUES, MAX_WARDS, ReassignOutcome};
pub use meta::{IngestLogEntry, MAX_MAPPING_BYTES, MAX_MAPPING_NAME_LEN};
pub use schema::SCHEMA_VERSION;

/// How long a write waits for another process's write to finish before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// Page cache per connection, KiB (SQLite's `cache_size` takes negative KiB). Large enough
/// that the id-key index and the R-tree of a million incidents stay in memory during an
/// ingest, instead of being spilled and re-read.
const CACHE_KIB: i64 = 256 * 1024;

/// An open store. Reads and writes go through one SQLite connection; every write method is
/// one transaction.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    salt: [u8; 32],
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens the store at `path`, creating a valid empty GeoPackage when the file is missing
    /// or empty.
    ///
    /// Refuses, with an error that says so, a file that is not SQLite, an SQLite file that is
    /// not a GeoPackage, a GeoPackage that hotspot did not create, and a store of another
    /// schema version.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_owned(),
            source,
        })?;
        let not_sqlite = |e: rusqlite::Error| match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase) => StoreError::NotSqlite {
                path: path.to_owned(),
            },
            _ => StoreError::Sqlite(e),
        };
        conn.busy_timeout(BUSY_TIMEOUT)?;
        schema::register_functions(&conn)?;
        // DELETE is SQLite's default rollback journal; set it explicitly so a file someone
        // switched to WAL is not silently kept there (GeoPackage readers expect a plain file).
        conn.pragma_update(None, "journal_mode", "DELETE")
            .map_err(not_sqlite)?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        conn.pragma_update(None, "cache_size", -CACHE_KIB)?;

        let mut store = Store {
            conn,
            path: path.to_owned(),
            salt: [0; 32],
        };
        store.create_or_check()?;
        store.salt = meta::read_salt(&store.conn)?;
        Ok(store)
    }

    /// Creates the layout in an empty database, or checks an existing one is a hotspot store.
    fn create_or_check(&mut self) -> Result<(), StoreError> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| match e.sqlite_error_code() {
                Some(ErrorCode::NotADatabase) => StoreError::NotSqlite { path: path.clone() },
                _ => StoreError::Sqlite(e),
            })?;
        let objects: i64 = tx.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
        if objects == 0 {
            let mut salt = [0u8; 32];
            getrandom::fill(&mut salt).map_err(|e| StoreError::Random(e.to_string()))?;
            schema::create(&tx, &meta::hex(&salt))?;
            tx.commit()?;
            return Ok(());
        }
        let application_id: i32 = tx.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        if application_id != schema::GPKG_APPLICATION_ID {
            return Err(StoreError::NotGeoPackage {
                path,
                application_id,
            });
        }
        let has_meta: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'hotspot_meta')",
            [],
            |r| r.get(0),
        )?;
        if !has_meta {
            return Err(StoreError::NotHotspotStore { path });
        }
        let version: Option<String> = tx
            .query_row(
                "SELECT value FROM hotspot_meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        match version {
            Some(v) if v == SCHEMA_VERSION.to_string() => Ok(()),
            Some(found) => Err(StoreError::SchemaVersion {
                path,
                found,
                supported: SCHEMA_VERSION,
            }),
            None => Err(StoreError::BadMeta {
                key: "schema_version",
                found: None,
            }),
        }
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The store's random 32-byte salt, drawn from the operating system when the store was
    /// created; ingest hashes victim and caller references with it (salted SHA-256).
    pub fn salt(&self) -> [u8; 32] {
        self.salt
    }

    /// A counter that every committed write (ingest, import, mapping) increases by one; the
    /// server compares it to decide whether its snapshot is stale. Read from the file, so it
    /// sees writes by other processes too.
    pub fn data_version(&self) -> Result<u64, StoreError> {
        meta::data_version(&self.conn)
    }

    /// A setting stored with [`Store::replace_wards`] (e.g. the ward rules), if any.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        meta::get(&self.conn, key)
    }

    /// Runs `PRAGMA integrity_check` and returns its messages (`["ok"]` for a sound file).
    pub fn integrity_check(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests;
