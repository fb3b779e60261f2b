//! Store metadata, stored incident-log mappings and the ingest log.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{Store, StoreError};

/// Longest mapping name, characters.
pub const MAX_MAPPING_NAME_LEN: usize = 64;
/// Largest mapping TOML, bytes (a real mapping is a few hundred bytes).
pub const MAX_MAPPING_BYTES: usize = 1 << 20;

/// One committed ingest, as recorded in `hotspot_ingest_log`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestLogEntry {
    /// When the ingest ran (as the caller stated it in its [`Provenance`](super::Provenance)).
    pub at: DateTime<Utc>,
    /// The files (or other sources) the rows came from.
    pub files: Vec<String>,
    /// Rows added.
    pub added: u64,
    /// Rows skipped because their id was already stored (or repeated in the batch).
    pub duplicates: u64,
}

/// Lower-case hex of some bytes.
pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads the store's salt.
pub(super) fn read_salt(conn: &Connection) -> Result<[u8; 32], StoreError> {
    let text: Option<String> = conn
        .query_row(
            "SELECT value FROM hotspot_meta WHERE key = 'salt'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let bad = |found: Option<String>| StoreError::BadMeta { key: "salt", found };
    let text = text.ok_or_else(|| bad(None))?;
    let mut salt = [0u8; 32];
    if text.len() != 64 || !text.is_ascii() {
        return Err(bad(Some(text)));
    }
    for (i, b) in salt.iter_mut().enumerate() {
        *b =
            u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|_| bad(Some(text.clone())))?;
    }
    Ok(salt)
}

/// Reads the data version.
pub(super) fn data_version(conn: &Connection) -> Result<u64, StoreError> {
    let text: Option<String> = conn
        .query_row(
            "SELECT value FROM hotspot_meta WHERE key = 'data_version'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    text.as_deref()
        .and_then(|t| t.parse().ok())
        .ok_or(StoreError::BadMeta {
            key: "data_version",
            found: text,
        })
}

/// Sets a free-form setting (`key` must not be one of the store's own keys).
pub(super) fn set(conn: &Connection, key: &str, value: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO hotspot_meta (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [format!("setting.{key}"), value.to_owned()],
    )?;
    Ok(())
}

/// Reads a free-form setting written by [`set`].
pub(super) fn get(conn: &Connection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT value FROM hotspot_meta WHERE key = ?1",
            [format!("setting.{key}")],
            |r| r.get(0),
        )
        .optional()?)
}

/// Increases the data version by one (call inside every write transaction).
pub(super) fn bump_data_version(conn: &Connection) -> Result<(), StoreError> {
    let next = data_version(conn)?.saturating_add(1);
    conn.execute(
        "UPDATE hotspot_meta SET value = ?1 WHERE key = 'data_version'",
        [next.to_string()],
    )?;
    Ok(())
}

/// Checks a mapping name: 1–64 ASCII letters, digits, `-`, `_` or `.`.
fn check_mapping_name(name: &str) -> Result<(), StoreError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_MAPPING_NAME_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(StoreError::BadMappingName {
            name: name.chars().take(2 * MAX_MAPPING_NAME_LEN).collect(),
            max_len: MAX_MAPPING_NAME_LEN,
        })
    }
}

impl Store {
    /// Stores (or replaces) an incident-log mapping under a name, for
    /// `POST /api/incidents?mapping=NAME`. The TOML is stored as given; parsing it is the
    /// ingest module's job.
    pub fn put_mapping(&mut self, name: &str, toml: &str) -> Result<(), StoreError> {
        check_mapping_name(name)?;
        if toml.len() > MAX_MAPPING_BYTES {
            return Err(StoreError::TooLarge {
                what: "mapping",
                len: toml.len(),
                max: MAX_MAPPING_BYTES,
            });
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO hotspot_mappings (name, toml) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET toml = excluded.toml",
            params![name, toml],
        )?;
        bump_data_version(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// The mapping stored under `name`, if any.
    pub fn mapping(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT toml FROM hotspot_mappings WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The names of all stored mappings, sorted.
    pub fn mapping_names(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT name FROM hotspot_mappings ORDER BY name")?;
        let names = stmt.query_map([], |r| r.get(0))?;
        Ok(names.collect::<Result<_, _>>()?)
    }

    /// Every committed ingest, oldest first.
    pub fn ingest_log(&self) -> Result<Vec<IngestLogEntry>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, at, files, rows_added, rows_duplicate FROM hotspot_ingest_log ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            let bad = |column: &'static str, reason: String| StoreError::BadRow {
                table: "hotspot_ingest_log",
                fid: id,
                column,
                reason,
            };
            let at: String = row.get(1)?;
            let at = DateTime::parse_from_rfc3339(&at)
                .map_err(|e| bad("at", format!("{at:?}: {e}")))?
                .with_timezone(&Utc);
            let files: String = row.get(2)?;
            let files: Vec<String> =
                serde_json::from_str(&files).map_err(|e| bad("files", e.to_string()))?;
            let added: i64 = row.get(3)?;
            let duplicates: i64 = row.get(4)?;
            out.push(IngestLogEntry {
                at,
                files,
                added: u64::try_from(added).map_err(|e| bad("rows_added", e.to_string()))?,
                duplicates: u64::try_from(duplicates)
                    .map_err(|e| bad("rows_duplicate", e.to_string()))?,
            });
        }
        Ok(out)
    }
}
