//! The GeoPackage 1.3 layout of a store: core tables, feature and attribute tables, R-tree
//! spatial indexes with their triggers, and the `ST_*` SQL functions the triggers call.

use rusqlite::functions::FunctionFlags;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, params};

use super::geometry;

/// `PRAGMA application_id` of a GeoPackage: the ASCII bytes `GPKG`.
pub const GPKG_APPLICATION_ID: i32 = 0x4750_4B47;
/// `PRAGMA user_version` of a GeoPackage 1.3 file.
pub const GPKG_USER_VERSION: i32 = 10300;
/// Version of hotspot's own tables in this layout.
pub const SCHEMA_VERSION: i64 = 1;

/// The feature layers: table name, geometry type name, description.
pub const LAYERS: [(&str, &str, &str); 4] = [
    (
        "incidents",
        "POINT",
        "Incidents (crime and ASB) from police.uk, incident logs and GeoJSON",
    ),
    (
        "wards",
        "MULTIPOLYGON",
        "Electoral wards with resident population",
    ),
    ("venues", "POINT", "Licensed premises"),
    ("cameras", "POINT", "CCTV cameras, fixed and mobile"),
];

/// The attribute (non-spatial) tables: name and description.
pub const ATTRIBUTE_TABLES: [(&str, &str); 3] = [
    (
        "hotspot_meta",
        "hotspot store metadata: schema version, hashing salt, data version",
    ),
    (
        "hotspot_mappings",
        "Incident-log column mappings (TOML) stored by name",
    ),
    ("hotspot_ingest_log", "One row per committed ingest"),
];

/// The GeoPackage core tables (GeoPackage 1.3, Annex C) and the SRS rows.
const CORE: &str = "
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL PRIMARY KEY,
  organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL,
  definition TEXT NOT NULL,
  description TEXT
);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY,
  data_type TEXT NOT NULL,
  identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE,
  min_y DOUBLE,
  max_x DOUBLE,
  max_y DOUBLE,
  srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL,
  column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL,
  z TINYINT NOT NULL,
  m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id)
);
CREATE TABLE gpkg_extensions (
  table_name TEXT,
  column_name TEXT,
  extension_name TEXT NOT NULL,
  definition TEXT NOT NULL,
  scope TEXT NOT NULL,
  CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name)
);
INSERT INTO gpkg_spatial_ref_sys VALUES
 ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
 ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
 ('WGS 84 geodetic', 4326, 'EPSG', 4326,
  'GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563,AUTHORITY[\"EPSG\",\"7030\"]],AUTHORITY[\"EPSG\",\"6326\"]],PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],AXIS[\"Latitude\",NORTH],AXIS[\"Longitude\",EAST],AUTHORITY[\"EPSG\",\"4326\"]]',
  'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid'),
 ('OSGB36 / British National Grid', 27700, 'EPSG', 27700,
  'PROJCS[\"OSGB36 / British National Grid\",GEOGCS[\"OSGB36\",DATUM[\"Ordnance_Survey_of_Great_Britain_1936\",SPHEROID[\"Airy 1830\",6377563.396,299.3249646,AUTHORITY[\"EPSG\",\"7001\"]],AUTHORITY[\"EPSG\",\"6277\"]],PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],AUTHORITY[\"EPSG\",\"4277\"]],PROJECTION[\"Transverse_Mercator\"],PARAMETER[\"latitude_of_origin\",49],PARAMETER[\"central_meridian\",-2],PARAMETER[\"scale_factor\",0.9996012717],PARAMETER[\"false_easting\",400000],PARAMETER[\"false_northing\",-100000],UNIT[\"metre\",1,AUTHORITY[\"EPSG\",\"9001\"]],AXIS[\"Easting\",EAST],AXIS[\"Northing\",NORTH],AUTHORITY[\"EPSG\",\"27700\"]]',
  'British National Grid, metres (OSGB36; OSTN15 for the datum shift)');
";

/// The index behind incident dedup (dropped and rebuilt around bulk inserts).
pub const ID_KEY_INDEX: &str = "CREATE INDEX incidents_id_key ON incidents(id_key);";

/// hotspot's feature and attribute tables.
const TABLES: &str = "
CREATE TABLE incidents (
  fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  geom POINT NOT NULL,
  incident_id TEXT NOT NULL,
  id_key INTEGER NOT NULL,
  source TEXT NOT NULL,
  crime_type TEXT,
  category_group TEXT NOT NULL,
  local_category TEXT,
  time_kind TEXT NOT NULL,
  month TEXT NOT NULL,
  time_from TEXT,
  time_to TEXT,
  lsoa_code TEXT,
  lsoa_name TEXT,
  location TEXT,
  ward_code TEXT,
  ward_by_tolerance BOOLEAN,
  alcohol BOOLEAN,
  victim_hash TEXT
);
CREATE TABLE wards (
  fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  geom MULTIPOLYGON NOT NULL,
  ward_code TEXT NOT NULL UNIQUE,
  ward_name TEXT NOT NULL,
  population INTEGER
);
CREATE TABLE venues (
  fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  geom POINT NOT NULL,
  venue_id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  opens TEXT,
  closes TEXT
);
CREATE TABLE cameras (
  fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  geom POINT NOT NULL,
  camera_id TEXT NOT NULL UNIQUE,
  radius_m DOUBLE NOT NULL,
  kind TEXT NOT NULL
);
CREATE TABLE hotspot_meta (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  key TEXT NOT NULL UNIQUE,
  value TEXT NOT NULL
);
CREATE TABLE hotspot_mappings (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  name TEXT NOT NULL UNIQUE,
  toml TEXT NOT NULL
);
CREATE TABLE hotspot_ingest_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  at TEXT NOT NULL,
  files TEXT NOT NULL,
  rows_added INTEGER NOT NULL,
  rows_duplicate INTEGER NOT NULL
);
";

/// Creates the whole layout in an empty database (call inside a transaction).
pub fn create(conn: &Connection, salt_hex: &str) -> rusqlite::Result<()> {
    conn.execute_batch(CORE)?;
    conn.execute_batch(TABLES)?;
    conn.execute_batch(ID_KEY_INDEX)?;
    for (table, geometry_type, description) in LAYERS {
        conn.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)
             VALUES (?1, 'features', ?1, ?2, ?3)",
            params![table, description, geometry::SRS_WGS84],
        )?;
        conn.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', ?2, ?3, 0, 0)",
            params![table, geometry_type, geometry::SRS_WGS84],
        )?;
        conn.execute_batch(&format!(
            "CREATE VIRTUAL TABLE rtree_{table}_geom USING rtree(id, minx, maxx, miny, maxy);"
        ))?;
        conn.execute(
            "INSERT INTO gpkg_extensions VALUES
             (?1, 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
            params![table],
        )?;
        conn.execute_batch(&rtree_triggers(table))?;
    }
    for (table, description) in ATTRIBUTE_TABLES {
        conn.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description)
             VALUES (?1, 'attributes', ?1, ?2)",
            params![table, description],
        )?;
    }
    conn.execute(
        "INSERT INTO hotspot_meta (key, value) VALUES
         ('schema_version', ?1), ('salt', ?2), ('data_version', '0')",
        params![SCHEMA_VERSION.to_string(), salt_hex],
    )?;
    conn.pragma_update(None, "application_id", GPKG_APPLICATION_ID)?;
    conn.pragma_update(None, "user_version", GPKG_USER_VERSION)?;
    Ok(())
}

/// The trigger that indexes inserted rows (GeoPackage 1.3, Annex F.3).
pub fn rtree_insert_trigger(table: &str) -> String {
    format!(
        "CREATE TRIGGER rtree_{table}_geom_insert AFTER INSERT ON {table}
  WHEN (new.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom))
BEGIN
  INSERT OR REPLACE INTO rtree_{table}_geom VALUES (
    NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom));
END;"
    )
}

/// The six R-tree maintenance triggers of GeoPackage 1.3 (Annex F.3), for column `geom` and
/// primary key `fid`.
fn rtree_triggers(table: &str) -> String {
    let insert = rtree_insert_trigger(table);
    format!(
        "{insert}
CREATE TRIGGER rtree_{table}_geom_update1 AFTER UPDATE OF geom ON {table}
  WHEN OLD.fid = NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
BEGIN
  INSERT OR REPLACE INTO rtree_{table}_geom VALUES (
    NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom));
END;
CREATE TRIGGER rtree_{table}_geom_update2 AFTER UPDATE OF geom ON {table}
  WHEN OLD.fid = NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
BEGIN
  DELETE FROM rtree_{table}_geom WHERE id = OLD.fid;
END;
CREATE TRIGGER rtree_{table}_geom_update3 AFTER UPDATE ON {table}
  WHEN OLD.fid != NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
BEGIN
  DELETE FROM rtree_{table}_geom WHERE id = OLD.fid;
  INSERT OR REPLACE INTO rtree_{table}_geom VALUES (
    NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom));
END;
CREATE TRIGGER rtree_{table}_geom_update4 AFTER UPDATE ON {table}
  WHEN OLD.fid != NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
BEGIN
  DELETE FROM rtree_{table}_geom WHERE id IN (OLD.fid, NEW.fid);
END;
CREATE TRIGGER rtree_{table}_geom_delete AFTER DELETE ON {table}
  WHEN old.geom NOT NULL
BEGIN
  DELETE FROM rtree_{table}_geom WHERE id = OLD.fid;
END;"
    )
}

/// Registers `ST_MinX`, `ST_MaxX`, `ST_MinY`, `ST_MaxY` and `ST_IsEmpty` on a connection, as
/// GDAL does on its own, so the GeoPackage R-tree triggers run on ours.
///
/// Each takes a GeoPackageBinary blob and returns NULL for NULL, for a blob it cannot read and
/// (the bounds) for an empty geometry.
pub fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_DETERMINISTIC
        | FunctionFlags::SQLITE_INNOCUOUS;
    for (name, index) in [
        ("ST_MinX", 0),
        ("ST_MaxX", 1),
        ("ST_MinY", 2),
        ("ST_MaxY", 3),
    ] {
        conn.create_scalar_function(name, 1, flags, move |ctx| {
            Ok(match ctx.get_raw(0) {
                ValueRef::Blob(b) => geometry::envelope(b).ok().flatten().map(|e| e[index]),
                _ => None,
            })
        })?;
    }
    conn.create_scalar_function("ST_IsEmpty", 1, flags, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Blob(b) => geometry::is_empty(b).ok(),
            _ => None,
        })
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Wgs84;

    #[test]
    fn functions_and_triggers_index_inserted_updated_and_deleted_rows() {
        let conn = Connection::open_in_memory().unwrap();
        register_functions(&conn).unwrap();
        create(&conn, "00").unwrap();
        let blob = |lon, lat| geometry::encode_point(Wgs84::new(lon, lat).unwrap());
        conn.execute(
            "INSERT INTO venues (geom, venue_id, name, kind) VALUES (?1, 'a', 'A', 'pub')",
            params![blob(-1.09, 50.79)],
        )
        .unwrap();
        let bounds = |id: i64| -> Option<(f64, f64, f64, f64)> {
            conn.query_row(
                "SELECT minx, maxx, miny, maxy FROM rtree_venues_geom WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .ok()
        };
        // The R*Tree stores 32-bit floats, rounded outwards.
        let (minx, maxx, miny, maxy) = bounds(1).unwrap();
        assert!(minx <= -1.09 && maxx >= -1.09 && (maxx - minx) < 1e-5);
        assert!(miny <= 50.79 && maxy >= 50.79 && (maxy - miny) < 1e-5);
        conn.execute(
            "UPDATE venues SET geom = ?1 WHERE fid = 1",
            params![blob(-1.0, 50.0)],
        )
        .unwrap();
        let (minx, _, miny, _) = bounds(1).unwrap();
        assert!((minx + 1.0).abs() < 1e-6 && (miny - 50.0).abs() < 1e-6);
        conn.execute("DELETE FROM venues WHERE fid = 1", [])
            .unwrap();
        assert_eq!(bounds(1), None);
        let v: Option<f64> = conn
            .query_row("SELECT ST_MinX(x'00')", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, None);
    }
}
