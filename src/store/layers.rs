//! The `wards`, `venues` and `cameras` layers.

use chrono::NaiveTime;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, Row, TransactionBehavior, params};

use super::incidents::incidents_with_fid;
use super::{Store, StoreError, geometry, meta};
use crate::domain::{Camera, CameraKind, Incident, Venue, VenueKind, Ward, WardAssignment};

/// Most wards one [`Store::replace_wards`] accepts (England has about 7,000).
pub const MAX_WARDS: usize = 20_000;
/// Most venues one [`Store::upsert_venues`] accepts.
pub const MAX_VENUES: usize = 1_000_000;
/// Most cameras one [`Store::upsert_cameras`] accepts.
pub const MAX_CAMERAS: usize = 1_000_000;

/// What [`Store::replace_wards`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReassignOutcome {
    /// Wards now stored.
    pub wards: usize,
    /// Incidents whose ward was recomputed (every stored incident).
    pub incidents: usize,
    /// Incidents now in a ward.
    pub assigned: usize,
    /// Of those, incidents assigned by the tolerance fallback.
    pub by_tolerance: usize,
    /// Incidents whose ward (or how it was decided) changed.
    pub changed: usize,
}

/// Fails with [`StoreError::Duplicate`] when an id appears twice.
fn check_unique<'a>(
    what: &'static str,
    ids: impl Iterator<Item = &'a str>,
) -> Result<(), StoreError> {
    let mut seen = std::collections::HashSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(StoreError::Duplicate {
                what,
                id: id.to_owned(),
            });
        }
    }
    Ok(())
}

/// Sets a layer's extent in `gpkg_contents` to the bounds of its rows (NULL when empty).
fn refresh_extent(conn: &Connection, table: &'static str) -> Result<(), StoreError> {
    conn.execute(
        &format!(
            "UPDATE gpkg_contents SET
               min_x = (SELECT min(ST_MinX(geom)) FROM {table}),
               max_x = (SELECT max(ST_MaxX(geom)) FROM {table}),
               min_y = (SELECT min(ST_MinY(geom)) FROM {table}),
               max_y = (SELECT max(ST_MaxY(geom)) FROM {table}),
               last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
             WHERE table_name = ?1"
        ),
        [table],
    )?;
    Ok(())
}

/// Reads a point geometry column, naming the row on failure.
fn point_at(
    row: &Row<'_>,
    table: &'static str,
    fid: i64,
) -> Result<crate::domain::Wgs84, StoreError> {
    let bad = |reason: String| StoreError::BadRow {
        table,
        fid,
        column: "geom",
        reason,
    };
    match row.get_ref(1)? {
        ValueRef::Blob(b) => geometry::decode_point(b).map_err(|e| bad(e.to_string())),
        other => Err(bad(format!(
            "expected a blob, found {:?}",
            other.data_type()
        ))),
    }
}

impl Store {
    /// Replaces the ward layer and recomputes the ward of EVERY stored incident, in one
    /// transaction.
    ///
    /// Parameters: `wards`, at most [`MAX_WARDS`], codes unique; `assign`, called once per
    /// stored incident (with its current fields) to give its new ward (`None` = outside every
    /// ward); the caller builds it from the same wards (e.g. point-in-polygon with a tolerance).
    ///
    /// Algorithm:
    /// 1. Encode every boundary (fails before touching the store on a bad geometry).
    /// 2. Delete the old wards (the R-tree delete trigger removes their index entries) and
    ///    insert the new ones; set the layer extent.
    /// 3. Load every incident, call `assign`, and update the rows whose assignment changed.
    /// 4. Bump the data version and commit.
    ///
    /// `settings` are metadata written in the same transaction (the ward rules the
    /// assignment used), so the store never holds wards and rules that disagree.
    pub fn replace_wards(
        &mut self,
        wards: &[Ward],
        settings: &[(&str, &str)],
        assign: &mut dyn FnMut(&Incident) -> Option<WardAssignment>,
    ) -> Result<ReassignOutcome, StoreError> {
        if wards.len() > MAX_WARDS {
            return Err(StoreError::TooMany {
                what: "wards",
                n: wards.len(),
                max: MAX_WARDS,
            });
        }
        check_unique("ward", wards.iter().map(|w| w.code.as_str()))?;
        let blobs = wards
            .iter()
            .map(|w| {
                geometry::encode_multi_polygon(&w.boundary).map_err(|source| {
                    StoreError::BadGeometry {
                        what: "ward",
                        id: w.code.clone(),
                        source,
                    }
                })
            })
            .collect::<Result<Vec<_>, _>>()?;

        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM wards", [])?;
        {
            let mut stmt = tx.prepare(
                "INSERT INTO wards (geom, ward_code, ward_name, population) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (w, blob) in wards.iter().zip(blobs) {
                stmt.execute(params![blob, w.code, w.name, w.population])?;
            }
        }
        refresh_extent(&tx, "wards")?;

        let mut outcome = ReassignOutcome {
            wards: wards.len(),
            ..ReassignOutcome::default()
        };
        let all = incidents_with_fid(&tx)?;
        outcome.incidents = all.len();
        {
            let mut update = tx.prepare(
                "UPDATE incidents SET ward_code = ?1, ward_by_tolerance = ?2 WHERE fid = ?3",
            )?;
            for (fid, incident) in &all {
                let new = assign(incident);
                if let Some(w) = &new {
                    outcome.assigned += 1;
                    outcome.by_tolerance += usize::from(w.by_tolerance);
                }
                if new != incident.ward {
                    outcome.changed += 1;
                    update.execute(params![
                        new.as_ref().map(|w| &*w.code),
                        new.as_ref().map(|w| w.by_tolerance),
                        fid
                    ])?;
                }
            }
        }
        for (key, value) in settings {
            meta::set(&tx, key, value)?;
        }
        meta::bump_data_version(&tx)?;
        tx.commit()?;
        Ok(outcome)
    }

    /// The stored wards, in the order they were given.
    pub fn wards(&self) -> Result<Vec<Ward>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT fid, geom, ward_code, ward_name, population FROM wards ORDER BY fid",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let fid: i64 = row.get(0)?;
            let boundary = match row.get_ref(1)? {
                ValueRef::Blob(b) => geometry::decode_multi_polygon(b),
                _ => Err(geometry::GeometryError::TooShort { len: 0, needed: 8 }),
            }
            .map_err(|e| StoreError::BadRow {
                table: "wards",
                fid,
                column: "geom",
                reason: e.to_string(),
            })?;
            out.push(Ward {
                code: row.get(2)?,
                name: row.get(3)?,
                boundary,
                population: row.get(4)?,
            });
        }
        Ok(out)
    }

    /// Inserts venues, or updates those whose id is already stored; one transaction.
    /// Returns how many venues were written. At most [`MAX_VENUES`]; ids unique.
    pub fn upsert_venues(&mut self, venues: &[Venue]) -> Result<usize, StoreError> {
        if venues.len() > MAX_VENUES {
            return Err(StoreError::TooMany {
                what: "venues",
                n: venues.len(),
                max: MAX_VENUES,
            });
        }
        check_unique("venue", venues.iter().map(|v| v.id.as_str()))?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            // UPDATE, then INSERT when nothing matched, rather than INSERT … ON CONFLICT: an
            // upsert's conflict policy overrides the `INSERT OR REPLACE` inside the GeoPackage
            // R-tree trigger, which then fails on the row's existing index entry.
            let mut update = tx.prepare(
                "UPDATE venues SET geom = ?1, name = ?3, kind = ?4, opens = ?5, closes = ?6
                 WHERE venue_id = ?2",
            )?;
            let mut insert = tx.prepare(
                "INSERT INTO venues (geom, venue_id, name, kind, opens, closes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for v in venues {
                let values = params![
                    geometry::encode_point(v.location),
                    v.id,
                    v.name,
                    v.kind.name(),
                    v.opens.map(|t| t.to_string()),
                    v.closes.map(|t| t.to_string()),
                ];
                if update.execute(values)? == 0 {
                    insert.execute(values)?;
                }
            }
        }
        refresh_extent(&tx, "venues")?;
        meta::bump_data_version(&tx)?;
        tx.commit()?;
        Ok(venues.len())
    }

    /// The stored venues, in the order they were first stored.
    pub fn venues(&self) -> Result<Vec<Venue>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT fid, geom, venue_id, name, kind, opens, closes FROM venues ORDER BY fid",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let fid: i64 = row.get(0)?;
            let bad = |column: &'static str, reason: String| StoreError::BadRow {
                table: "venues",
                fid,
                column,
                reason,
            };
            let kind: String = row.get(4)?;
            let time = |i: usize, column: &'static str| -> Result<Option<NaiveTime>, StoreError> {
                let t: Option<String> = row.get(i)?;
                t.map(|t| t.parse().map_err(|e| bad(column, format!("{t:?}: {e}"))))
                    .transpose()
            };
            out.push(Venue {
                location: point_at(row, "venues", fid)?,
                id: row.get(2)?,
                name: row.get(3)?,
                kind: VenueKind::lookup(&kind)
                    .ok_or_else(|| bad("kind", format!("unknown {kind:?}")))?,
                opens: time(5, "opens")?,
                closes: time(6, "closes")?,
            });
        }
        Ok(out)
    }

    /// Inserts cameras, or updates those whose id is already stored; one transaction.
    /// Returns how many cameras were written. At most [`MAX_CAMERAS`]; ids unique.
    pub fn upsert_cameras(&mut self, cameras: &[Camera]) -> Result<usize, StoreError> {
        if cameras.len() > MAX_CAMERAS {
            return Err(StoreError::TooMany {
                what: "cameras",
                n: cameras.len(),
                max: MAX_CAMERAS,
            });
        }
        check_unique("camera", cameras.iter().map(|c| c.id.as_str()))?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            // UPDATE-then-INSERT for the reason given in `upsert_venues`.
            let mut update = tx.prepare(
                "UPDATE cameras SET geom = ?1, radius_m = ?3, kind = ?4 WHERE camera_id = ?2",
            )?;
            let mut insert = tx.prepare(
                "INSERT INTO cameras (geom, camera_id, radius_m, kind) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for c in cameras {
                let values = params![
                    geometry::encode_point(c.location),
                    c.id,
                    c.radius_m,
                    c.kind.name(),
                ];
                if update.execute(values)? == 0 {
                    insert.execute(values)?;
                }
            }
        }
        refresh_extent(&tx, "cameras")?;
        meta::bump_data_version(&tx)?;
        tx.commit()?;
        Ok(cameras.len())
    }

    /// The stored cameras, in the order they were first stored.
    pub fn cameras(&self) -> Result<Vec<Camera>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT fid, geom, camera_id, radius_m, kind FROM cameras ORDER BY fid")?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let fid: i64 = row.get(0)?;
            let kind: String = row.get(4)?;
            out.push(Camera {
                location: point_at(row, "cameras", fid)?,
                id: row.get(2)?,
                radius_m: row.get(3)?,
                kind: CameraKind::lookup(&kind).ok_or_else(|| StoreError::BadRow {
                    table: "cameras",
                    fid,
                    column: "kind",
                    reason: format!("unknown {kind:?}"),
                })?,
            });
        }
        Ok(out)
    }
}
