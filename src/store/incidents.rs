//! The `incidents` layer: durable, deduplicated batch inserts and the full load.

use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, Row, TransactionBehavior, params};

use super::{Store, StoreError, geometry, hilbert, meta, rtree_bulk, schema};
use crate::domain::{
    Category, CrimeType, Group, Incident, IncidentTime, Lsoa, Month, Source, WardAssignment,
};

/// Most incidents one [`Store::insert_incidents`] call accepts.
pub const MAX_INCIDENTS_PER_INSERT: usize = 20_000_000;
/// Batches of at least this many new rows, and at least as many as the store holds, rebuild
/// the id index and the R-tree whole instead of inserting into them row by row.
const BULK_MIN_ROWS: usize = 10_000;
/// Most file names one ingest records.
const MAX_FILES: usize = 100_000;
/// Longest file name recorded, bytes.
const MAX_FILE_NAME_BYTES: usize = 4096;

/// Where a batch of incidents came from, for the ingest log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// When the ingest ran.
    pub at: DateTime<Utc>,
    /// The files (or `POST /api/incidents`) the rows came from.
    pub files: Vec<String>,
}

impl Provenance {
    /// Provenance stamped with the current time.
    pub fn now(files: Vec<String>) -> Provenance {
        Provenance {
            at: Utc::now(),
            files,
        }
    }
}

/// What an insert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InsertOutcome {
    /// Incidents stored.
    pub added: usize,
    /// Incidents skipped: their id was already stored, or came earlier in the same batch.
    pub duplicates: usize,
}

/// The dedup key of an incident id: the 64-bit FNV-1a hash of its UTF-8 bytes, as `i64`.
///
/// Citation: Fowler, Noll & Vo, "FNV hash" (IETF draft-eastlake-fnv). Offset basis
/// 0xcbf29ce484222325, prime 0x100000001b3. The key only narrows the search: equal keys are
/// confirmed by comparing the ids themselves. It is stored, so it must never change.
pub fn id_key(id: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    i64::from_ne_bytes(h.to_ne_bytes())
}

const INSERT_SQL: &str = "INSERT INTO incidents (geom, incident_id, id_key, source, crime_type,
 category_group, local_category, time_kind, month, time_from, time_to, lsoa_code, lsoa_name,
 location, ward_code, ward_by_tolerance, alcohol, victim_hash)
 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";

const SELECT_SQL: &str = "SELECT fid, geom, incident_id, source, crime_type, category_group,
 local_category, time_kind, month, time_from, time_to, lsoa_code, lsoa_name, location,
 ward_code, ward_by_tolerance, alcohol, victim_hash FROM incidents ORDER BY fid";

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

impl Store {
    /// Stores a batch of incidents in ONE transaction, skipping those whose id is already
    /// stored (or repeated earlier in the batch), and records the ingest in the ingest log.
    ///
    /// Parameters: `incidents`, at most [`MAX_INCIDENTS_PER_INSERT`]; `provenance`, the time
    /// and files for the ingest log.
    ///
    /// Returns how many were added and how many were duplicates.
    ///
    /// Algorithm:
    /// 1. Key every id with [`id_key`]; sort the batch by (key, id, position).
    /// 2. Walk it in that order: an id equal to the previous one is a duplicate within the
    ///    batch; otherwise, if the table is not empty, fetch the stored ids with the same key
    ///    (one index probe per distinct key, in key order) and compare the text exactly.
    /// 3. Drop the R-tree insert trigger and insert the new rows in input order. A batch of at
    ///    least `BULK_MIN_ROWS` (10,000) rows and at least as many as the store holds is a bulk load:
    ///    the id index is dropped before and created after (one sort instead of a random
    ///    B-tree insert per row), and the R-tree is rebuilt whole with the stored entries plus
    ///    the new ones, Hilbert-packed (`rtree_bulk`). Smaller batches go into the R-tree one
    ///    by one in Hilbert order. Then recreate the trigger (all inside the transaction, so a
    ///    failure or a kill restores everything).
    /// 4. Widen the layer's extent in `gpkg_contents`, append to the ingest log, bump the data
    ///    version, commit.
    ///
    /// Notes: O(n log n) for the sort plus O(n log N) SQLite work for n new rows in a store of
    /// N. A million new rows into an empty store take about 3.5 s on a 2-core machine (see
    /// `benches/ingest.rs`).
    pub fn insert_incidents(
        &mut self,
        incidents: &[Incident],
        provenance: &Provenance,
    ) -> Result<InsertOutcome, StoreError> {
        self.insert_incidents_keyed(incidents, provenance, id_key)
    }

    /// [`Store::insert_incidents`] with the dedup key function as a parameter, so tests can
    /// force hash collisions.
    pub(super) fn insert_incidents_keyed(
        &mut self,
        incidents: &[Incident],
        provenance: &Provenance,
        key: fn(&str) -> i64,
    ) -> Result<InsertOutcome, StoreError> {
        if incidents.len() > MAX_INCIDENTS_PER_INSERT {
            return Err(StoreError::TooMany {
                what: "incidents",
                n: incidents.len(),
                max: MAX_INCIDENTS_PER_INSERT,
            });
        }
        if provenance.files.len() > MAX_FILES {
            return Err(StoreError::TooMany {
                what: "file names",
                n: provenance.files.len(),
                max: MAX_FILES,
            });
        }
        if let Some(f) = provenance
            .files
            .iter()
            .find(|f| f.len() > MAX_FILE_NAME_BYTES)
        {
            return Err(StoreError::TooLarge {
                what: "a file name",
                len: f.len(),
                max: MAX_FILE_NAME_BYTES,
            });
        }
        let files_json = serde_json::Value::from(provenance.files.clone()).to_string();

        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let keys: Vec<i64> = incidents.iter().map(|i| key(&i.id)).collect();
        let keep = new_ids(&tx, incidents, &keys)?;

        let adding = keep.iter().filter(|&&k| k).count();
        let stored = if adding >= BULK_MIN_ROWS {
            tx.query_row("SELECT count(*) FROM incidents", [], |r| r.get::<_, i64>(0))?
        } else {
            i64::MAX
        };
        // A batch at least as large as the store: rebuild the id index and the R-tree whole.
        let bulk = usize::try_from(stored).is_ok_and(|stored| adding >= stored);

        tx.execute_batch("DROP TRIGGER rtree_incidents_geom_insert")?;
        if bulk {
            tx.execute_batch("DROP INDEX incidents_id_key")?;
        }
        let mut points: Vec<(i64, f64, f64)> = Vec::with_capacity(adding);
        {
            let mut stmt = tx.prepare(INSERT_SQL)?;
            for (i, inc) in incidents.iter().enumerate() {
                if !keep[i] {
                    continue;
                }
                insert_row(&mut stmt, inc, keys[i])?;
                points.push((
                    tx.last_insert_rowid(),
                    inc.location.lon(),
                    inc.location.lat(),
                ));
            }
        }
        if bulk {
            // SQLite may sort an index build on helper threads.
            tx.pragma_update(None, "threads", 2)?;
            tx.execute_batch(schema::ID_KEY_INDEX)?;
        }
        let added = points.len();
        if added > 0 {
            let (mut min_x, mut max_x, mut min_y, mut max_y) =
                (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
            for &(_, x, y) in &points {
                min_x = min_x.min(x);
                max_x = max_x.max(x);
                min_y = min_y.min(y);
                max_y = max_y.max(y);
            }
            if bulk {
                let mut entries: Vec<rtree_bulk::Entry> = tx
                    .prepare("SELECT id, minx, maxx, miny, maxy FROM rtree_incidents_geom")?
                    .query_map([], |r| {
                        // Stored as f32: the f64 SQLite hands back converts exactly.
                        let v = |i| r.get::<_, f64>(i).map(|v| v as f32);
                        Ok(rtree_bulk::Entry {
                            id: r.get(0)?,
                            bounds: [v(1)?, v(2)?, v(3)?, v(4)?],
                        })
                    })?
                    .collect::<Result<_, _>>()?;
                entries.extend(
                    points
                        .iter()
                        .map(|&(fid, x, y)| rtree_bulk::Entry::point(fid, x, y)),
                );
                rtree_bulk::rebuild(&tx, "rtree_incidents_geom", &mut entries)?;
            } else {
                hilbert::sort(&mut points);
                let mut stmt =
                    tx.prepare("INSERT INTO rtree_incidents_geom VALUES (?1, ?2, ?2, ?3, ?3)")?;
                for (fid, x, y) in points {
                    stmt.execute(params![fid, x, y])?;
                }
            }
            tx.execute(
                "UPDATE gpkg_contents SET
                   min_x = min(coalesce(min_x, ?1), ?1), max_x = max(coalesce(max_x, ?2), ?2),
                   min_y = min(coalesce(min_y, ?3), ?3), max_y = max(coalesce(max_y, ?4), ?4),
                   last_change = ?5
                 WHERE table_name = 'incidents'",
                params![
                    min_x,
                    max_x,
                    min_y,
                    max_y,
                    provenance.at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
                ],
            )?;
        }
        tx.execute_batch(&schema::rtree_insert_trigger("incidents"))?;

        let duplicates = incidents.len() - added;
        tx.execute(
            "INSERT INTO hotspot_ingest_log (at, files, rows_added, rows_duplicate)
             VALUES (?1, ?2, ?3, ?4)",
            params![
                iso(provenance.at),
                files_json,
                added as i64,
                duplicates as i64
            ],
        )?;
        meta::bump_data_version(&tx)?;
        tx.commit()?;
        Ok(InsertOutcome { added, duplicates })
    }

    /// Every stored incident, in the order they were stored; for building the in-memory
    /// snapshot. A million rows load in about a second.
    pub fn incidents(&self) -> Result<Vec<Incident>, StoreError> {
        Ok(incidents_with_fid(&self.conn)?
            .into_iter()
            .map(|(_, i)| i)
            .collect())
    }

    /// How many incidents are stored.
    pub fn incident_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM incidents", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

/// Which incidents of the batch are new: steps 1–2 of [`Store::insert_incidents`].
fn new_ids(
    conn: &Connection,
    incidents: &[Incident],
    keys: &[i64],
) -> Result<Vec<bool>, StoreError> {
    let mut order: Vec<usize> = (0..incidents.len()).collect();
    order.sort_unstable_by(|&a, &b| {
        keys[a]
            .cmp(&keys[b])
            .then_with(|| incidents[a].id.cmp(&incidents[b].id))
            .then(a.cmp(&b))
    });
    let stored_any: bool =
        conn.query_row("SELECT EXISTS (SELECT 1 FROM incidents)", [], |r| r.get(0))?;
    let mut probe = conn.prepare("SELECT incident_id FROM incidents WHERE id_key = ?1")?;
    let mut keep = vec![false; incidents.len()];
    let mut stored_ids: Vec<String> = Vec::new();
    let mut stored_for: Option<i64> = None;
    let mut prev: Option<usize> = None;
    for i in order {
        if let Some(p) = prev
            && keys[p] == keys[i]
            && incidents[p].id == incidents[i].id
        {
            continue;
        }
        prev = Some(i);
        if stored_any {
            if stored_for != Some(keys[i]) {
                stored_ids = probe
                    .query_map([keys[i]], |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                stored_for = Some(keys[i]);
            }
            if stored_ids.iter().any(|s| *s == incidents[i].id) {
                continue;
            }
        }
        keep[i] = true;
    }
    Ok(keep)
}

fn insert_row(
    stmt: &mut rusqlite::Statement<'_>,
    inc: &Incident,
    key: i64,
) -> Result<(), StoreError> {
    let (kind, from, to) = match inc.time {
        IncidentTime::Month { .. } => ("month", None, None),
        IncidentTime::At { at } => ("at", Some(iso(at)), Some(iso(at))),
        IncidentTime::Span { from, to } => ("span", Some(iso(from)), Some(iso(to))),
    };
    stmt.execute(params![
        geometry::encode_point(inc.location),
        inc.id,
        key,
        inc.source.name(),
        inc.category.crime_type.map(CrimeType::name),
        inc.category.group.slug(),
        inc.category.local,
        kind,
        inc.time.month().to_string(),
        from,
        to,
        inc.lsoa.as_ref().map(|l| &*l.code),
        inc.lsoa.as_ref().map(|l| &*l.name),
        inc.location_desc,
        inc.ward.as_ref().map(|w| &*w.code),
        inc.ward.as_ref().map(|w| w.by_tolerance),
        inc.alcohol,
        inc.victim_hash,
    ])?;
    Ok(())
}

/// Every stored incident with its fid, in fid order.
pub(super) fn incidents_with_fid(conn: &Connection) -> Result<Vec<(i64, Incident)>, StoreError> {
    let count: i64 = conn.query_row("SELECT count(*) FROM incidents", [], |r| r.get(0))?;
    let mut out = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    let mut stmt = conn.prepare(SELECT_SQL)?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        out.push(read_row(row)?);
    }
    Ok(out)
}

/// One row as an incident; every malformed value is a [`StoreError::BadRow`] naming the column.
fn read_row(row: &Row<'_>) -> Result<(i64, Incident), StoreError> {
    let fid: i64 = row.get(0)?;
    let bad = |column: &'static str, reason: String| StoreError::BadRow {
        table: "incidents",
        fid,
        column,
        reason,
    };
    let text = |i: usize, column: &'static str| -> Result<Option<&str>, StoreError> {
        match row.get_ref(i)? {
            ValueRef::Null => Ok(None),
            ValueRef::Text(t) => std::str::from_utf8(t)
                .map(Some)
                .map_err(|e| bad(column, e.to_string())),
            other => Err(bad(
                column,
                format!("expected text, found {:?}", other.data_type()),
            )),
        }
    };
    let required = |i: usize, column: &'static str| -> Result<&str, StoreError> {
        text(i, column)?.ok_or_else(|| bad(column, "is NULL".to_owned()))
    };
    let flag = |i: usize, column: &'static str| -> Result<Option<bool>, StoreError> {
        match row.get_ref(i)? {
            ValueRef::Null => Ok(None),
            ValueRef::Integer(0) => Ok(Some(false)),
            ValueRef::Integer(1) => Ok(Some(true)),
            other => Err(bad(column, format!("expected 0 or 1, found {other:?}"))),
        }
    };
    let instant = |i: usize, column: &'static str| -> Result<DateTime<Utc>, StoreError> {
        let t = required(i, column)?;
        DateTime::parse_from_rfc3339(t)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| bad(column, format!("{t:?}: {e}")))
    };

    let location = match row.get_ref(1)? {
        ValueRef::Blob(b) => geometry::decode_point(b).map_err(|e| bad("geom", e.to_string()))?,
        other => {
            return Err(bad(
                "geom",
                format!("expected a blob, found {:?}", other.data_type()),
            ));
        }
    };
    let id = required(2, "incident_id")?.to_owned();
    let source = required(3, "source")?;
    let source =
        Source::lookup(source).ok_or_else(|| bad("source", format!("unknown {source:?}")))?;
    let crime_type = match text(4, "crime_type")? {
        None => None,
        Some(t) => Some(
            CrimeType::ALL
                .into_iter()
                .find(|c| c.name() == t)
                .ok_or_else(|| bad("crime_type", format!("unknown {t:?}")))?,
        ),
    };
    let group = required(5, "category_group")?;
    let group = Group::ALL
        .into_iter()
        .find(|g| g.slug() == group)
        .ok_or_else(|| bad("category_group", format!("unknown {group:?}")))?;
    let local = text(6, "local_category")?.map(str::to_owned);
    let time = match required(7, "time_kind")? {
        "month" => {
            let m = required(8, "month")?;
            IncidentTime::Month {
                month: m
                    .parse::<Month>()
                    .map_err(|e| bad("month", e.to_string()))?,
            }
        }
        "at" => IncidentTime::At {
            at: instant(9, "time_from")?,
        },
        "span" => IncidentTime::Span {
            from: instant(9, "time_from")?,
            to: instant(10, "time_to")?,
        },
        other => return Err(bad("time_kind", format!("unknown {other:?}"))),
    };
    let lsoa = match (text(11, "lsoa_code")?, text(12, "lsoa_name")?) {
        (Some(code), Some(name)) => Some(Lsoa {
            code: code.into(),
            name: name.into(),
        }),
        (None, None) => None,
        _ => {
            return Err(bad(
                "lsoa_name",
                "LSOA code and name must be both set or both NULL".to_owned(),
            ));
        }
    };
    let location_desc = text(13, "location")?.map(Arc::from);
    let ward = match (text(14, "ward_code")?, flag(15, "ward_by_tolerance")?) {
        (Some(code), Some(by_tolerance)) => Some(WardAssignment {
            code: code.into(),
            by_tolerance,
        }),
        (Some(code), None) => Some(WardAssignment {
            code: code.into(),
            by_tolerance: false,
        }),
        (None, _) => None,
    };
    let alcohol = flag(16, "alcohol")?;
    let victim_hash = text(17, "victim_hash")?.map(str::to_owned);
    Ok((
        fid,
        Incident {
            id,
            source,
            category: Category {
                group,
                crime_type,
                local,
            },
            time,
            location,
            lsoa,
            location_desc,
            ward,
            alcohol,
            victim_hash,
        },
    ))
}
