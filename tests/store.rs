//! The GeoPackage store: round trips, deduplication, ward reassignment, refusal of foreign
//! files, GDAL's view of the file (`ogrinfo`), and crash safety under a real SIGKILL.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use chrono::{DateTime, NaiveTime, TimeZone, Utc};
use geo::{Contains, MultiPolygon};
use hotspot::domain::{
    Camera, CameraKind, Category, CrimeType, Group, Incident, IncidentTime, Lsoa, Month, Source,
    Venue, VenueKind, Ward, WardAssignment, Wgs84,
};
use hotspot::store::{InsertOutcome, Provenance, Store, StoreError};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

// ---------------------------------------------------------------- fixtures

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn prov(files: &[&str]) -> Provenance {
    Provenance {
        at: at("2026-11-24T20:00:00Z"),
        files: files.iter().map(|s| s.to_string()).collect(),
    }
}

/// `n` incidents with ids `{prefix}{i}`, seeded, cycling through every variant of every field,
/// on a 0.001° grid offset by half a step (so no point lies near a whole-0.001° line).
fn incidents(n: usize, seed: u64, prefix: &str) -> Vec<Incident> {
    let mut rng = Pcg64::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            let lon = -1.110 + f64::from(rng.random_range(0..80u32)) * 0.001 + 0.0005;
            let lat = 50.770 + f64::from(rng.random_range(0..90u32)) * 0.001 + 0.0005;
            let crime_type = CrimeType::ALL[i % 14];
            let category = match i % 3 {
                0 => Category::of_type(crime_type),
                1 => Category {
                    group: Group::ALL[i % 7],
                    crime_type: None,
                    local: Some(format!("Local code {}", i % 5)),
                },
                _ => Category {
                    group: crime_type.group(),
                    crime_type: Some(crime_type),
                    local: Some("ASB - Rowdy".into()),
                },
            };
            let secs = rng.random_range(1_483_228_800i64..1_514_764_800);
            let time = match i % 4 {
                0 | 3 => IncidentTime::Month {
                    month: Month::new(2017, 1 + (i % 12) as u32).unwrap(),
                },
                1 => IncidentTime::At {
                    at: Utc.timestamp_opt(secs, 0).unwrap(),
                },
                _ => IncidentTime::Span {
                    from: Utc.timestamp_opt(secs, 250_000_000).unwrap(),
                    to: Utc.timestamp_opt(secs + 3600 * 9, 0).unwrap(),
                },
            };
            Incident {
                id: format!("{prefix}{i}"),
                source: [Source::PoliceUk, Source::Log, Source::Geojson][i % 3],
                category,
                time,
                location: Wgs84::new(lon, lat).unwrap(),
                lsoa: (i % 5 != 0).then(|| Lsoa {
                    code: format!("E0101{:04}", i % 125).into(),
                    name: format!("Portsmouth {:03}A", i % 30).into(),
                }),
                location_desc: (i % 6 != 0).then(|| format!("On or near Street {}", i % 40).into()),
                ward: match i % 3 {
                    0 => None,
                    1 => Some(WardAssignment {
                        code: format!("E050024{:02}", 41 + i % 14).into(),
                        by_tolerance: false,
                    }),
                    _ => Some(WardAssignment {
                        code: "E05002450".into(),
                        by_tolerance: true,
                    }),
                },
                alcohol: [None, Some(true), Some(false)][i % 3],
                victim_hash: (i % 4 == 1).then(|| format!("{:064x}", i * 7919)),
            }
        })
        .collect()
}

/// Portsmouth's 14 real wards (ONS 2013, coast-clipped), from the shared data.
fn real_wards() -> Vec<Ward> {
    let path = common::shared("realdata/boundaries/portsmouth-wards-2013.geojson");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let fc: geojson::FeatureCollection = text.parse().unwrap();
    fc.features
        .iter()
        .map(|f| {
            let g = geo::Geometry::<f64>::try_from(&f.geometry.as_ref().unwrap().value).unwrap();
            let boundary = match g {
                geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
                geo::Geometry::MultiPolygon(mp) => mp,
                other => panic!("unexpected {other:?}"),
            };
            let prop = |k: &str| f.property(k).unwrap().as_str().unwrap().to_owned();
            Ward {
                code: prop("WD13CD"),
                name: prop("WD13NM"),
                boundary,
                population: Some(
                    14_000 + f.property("WD13CD").unwrap().as_str().unwrap().len() as u32,
                ),
            }
        })
        .collect()
}

fn venues() -> Vec<Venue> {
    vec![
        Venue {
            id: "PL/0001".into(),
            name: "The Guildhall Tavern".into(),
            kind: VenueKind::Pub,
            location: Wgs84::new(-1.0915, 50.7985).unwrap(),
            opens: NaiveTime::from_hms_opt(11, 0, 0),
            closes: NaiveTime::from_hms_opt(1, 30, 0),
        },
        Venue {
            id: "PL/0002".into(),
            name: "Albert Road Club".into(),
            kind: VenueKind::Nightclub,
            location: Wgs84::new(-1.0765, 50.7875).unwrap(),
            opens: None,
            closes: NaiveTime::from_hms_milli_opt(3, 0, 0, 500),
        },
        Venue {
            id: "PL/0003".into(),
            name: "Kebab & Co".into(),
            kind: VenueKind::LateNightRefreshment,
            location: Wgs84::new(-1.0895, 50.7955).unwrap(),
            opens: NaiveTime::from_hms_opt(17, 0, 0),
            closes: None,
        },
    ]
}

fn cameras() -> Vec<Camera> {
    vec![
        Camera {
            id: "CAM-1".into(),
            location: Wgs84::new(-1.0905, 50.7975).unwrap(),
            radius_m: 100.0,
            kind: CameraKind::Fixed,
        },
        Camera {
            id: "CAM-2".into(),
            location: Wgs84::new(-1.0665, 50.8015).unwrap(),
            radius_m: 62.5,
            kind: CameraKind::Mobile,
        },
    ]
}

fn temp_store() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hotspot.gpkg");
    (dir, path)
}

// ---------------------------------------------------------------- round trips

#[test]
fn incidents_round_trip_every_field_and_reinsert_adds_nothing() {
    let (_dir, path) = temp_store();
    let batch = incidents(600, 1, "id-");
    let v0;
    {
        let mut store = Store::open(&path).unwrap();
        v0 = store.data_version().unwrap();
        let out = store.insert_incidents(&batch, &prov(&["a.csv"])).unwrap();
        assert_eq!(
            out,
            InsertOutcome {
                added: 600,
                duplicates: 0
            }
        );
        assert_eq!(store.incidents().unwrap(), batch);
        assert_eq!(store.data_version().unwrap(), v0 + 1);
    }
    // Reopened from disk.
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.incidents().unwrap(), batch);
    assert_eq!(store.incident_count().unwrap(), 600);

    // The same rows again, plus 100 new ones mixed in and one repeated within the batch.
    let mut again = batch.clone();
    let extra = incidents(100, 2, "new-");
    again.extend(extra.iter().cloned());
    again.push(extra[7].clone());
    let out = store
        .insert_incidents(&again, &prov(&["b.csv", "c.csv"]))
        .unwrap();
    assert_eq!(
        out,
        InsertOutcome {
            added: 100,
            duplicates: 601
        }
    );
    let mut expected = batch.clone();
    expected.extend(extra);
    assert_eq!(store.incidents().unwrap(), expected);
    assert_eq!(store.data_version().unwrap(), v0 + 2);

    let log = store.ingest_log().unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!((log[0].added, log[0].duplicates), (600, 0));
    assert_eq!((log[1].added, log[1].duplicates), (100, 601));
    assert_eq!(log[1].files, vec!["b.csv".to_string(), "c.csv".to_string()]);
    assert_eq!(log[1].at, at("2026-11-24T20:00:00Z"));
}

#[test]
fn exact_id_dedup_never_merges_ids_that_differ() {
    let (_dir, path) = temp_store();
    let mut store = Store::open(&path).unwrap();
    let base = incidents(3, 3, "x");
    // Ids that differ only in case, whitespace or a trailing character are different incidents.
    let mut variants = Vec::new();
    for (i, id) in ["ABC", "abc", "abc ", "abc\u{0}", "abcd"]
        .iter()
        .enumerate()
    {
        let mut inc = base[i % 3].clone();
        inc.id = (*id).to_owned();
        variants.push(inc);
    }
    let out = store.insert_incidents(&variants, &prov(&[])).unwrap();
    assert_eq!(out.added, 5);
    let out = store.insert_incidents(&variants, &prov(&[])).unwrap();
    assert_eq!((out.added, out.duplicates), (0, 5));
    let ids: Vec<String> = store
        .incidents()
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(ids, ["ABC", "abc", "abc ", "abc\u{0}", "abcd"]);
}

#[test]
fn wards_venues_cameras_round_trip_and_upsert_updates() {
    let (_dir, path) = temp_store();
    let mut store = Store::open(&path).unwrap();
    let wards = real_wards();
    assert_eq!(wards.len(), 14);
    let outcome = store.replace_wards(&wards, &[], &mut |_| None).unwrap();
    assert_eq!((outcome.wards, outcome.incidents), (14, 0));
    assert_eq!(store.wards().unwrap(), wards);

    assert_eq!(store.upsert_venues(&venues()).unwrap(), 3);
    assert_eq!(store.venues().unwrap(), venues());
    assert_eq!(store.upsert_cameras(&cameras()).unwrap(), 2);
    assert_eq!(store.cameras().unwrap(), cameras());

    // Upsert: one moved and renamed, one new; the others keep their place.
    let mut moved = venues()[1].clone();
    moved.name = "Albert Road Club (new owners)".into();
    moved.location = Wgs84::new(-1.0705, 50.7855).unwrap();
    let new = Venue {
        id: "PL/0004".into(),
        name: "Off Licence".into(),
        kind: VenueKind::OffLicence,
        location: Wgs84::new(-1.0605, 50.8105).unwrap(),
        opens: None,
        closes: None,
    };
    assert_eq!(
        store.upsert_venues(&[moved.clone(), new.clone()]).unwrap(),
        2
    );
    let mut expected = venues();
    expected[1] = moved;
    expected.push(new);
    assert_eq!(Store::open(&path).unwrap().venues().unwrap(), expected);

    let mut cam = cameras()[0].clone();
    cam.kind = CameraKind::Mobile;
    cam.radius_m = 150.0;
    store.upsert_cameras(std::slice::from_ref(&cam)).unwrap();
    assert_eq!(store.cameras().unwrap(), vec![cam, cameras()[1].clone()]);

    // Bad input is refused before anything is written.
    let err = store
        .upsert_venues(&[venues()[0].clone(), venues()[0].clone()])
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Duplicate { what: "venue", .. }),
        "{err}"
    );
    assert_eq!(store.venues().unwrap().len(), 4);
}

#[test]
fn replace_wards_reassigns_every_incident() {
    let (_dir, path) = temp_store();
    let mut store = Store::open(&path).unwrap();
    let batch = incidents(3000, 4, "w-");
    store.insert_incidents(&batch, &prov(&[])).unwrap();
    let wards = real_wards();

    // The real rule: the ward whose polygon contains the point, else none.
    let rule = |wards: &[Ward], inc: &Incident| -> Option<WardAssignment> {
        wards
            .iter()
            .find(|w| w.boundary.contains(&inc.location.point()))
            .map(|w| WardAssignment {
                code: w.code.as_str().into(),
                by_tolerance: false,
            })
    };
    let mut calls = 0;
    let outcome = store
        .replace_wards(&wards, &[], &mut |inc| {
            calls += 1;
            rule(&wards, inc)
        })
        .unwrap();
    assert_eq!(calls, 3000);
    let stored = store.incidents().unwrap();
    let expected_assigned = batch.iter().filter(|i| rule(&wards, i).is_some()).count();
    assert_eq!(outcome.incidents, 3000);
    assert_eq!(outcome.assigned, expected_assigned);
    assert!(
        expected_assigned > 1000 && expected_assigned < 3000,
        "{expected_assigned}"
    );
    assert_eq!(outcome.by_tolerance, 0);
    for (before, after) in batch.iter().zip(&stored) {
        assert_eq!(after.ward, rule(&wards, before), "{}", before.id);
        // Nothing else changed.
        let mut b = before.clone();
        b.ward = after.ward.clone();
        assert_eq!(&b, after);
    }

    // A second layer (two of the wards, renamed) replaces the first; every ward is recomputed,
    // here with the tolerance flag set, to check it is written too.
    let mut two = vec![wards[0].clone(), wards[7].clone()];
    two[0].code = "X1".into();
    two[1].code = "X2".into();
    let outcome = store
        .replace_wards(&two, &[], &mut |inc| {
            rule(&two, inc).map(|mut a| {
                a.by_tolerance = true;
                a
            })
        })
        .unwrap();
    assert_eq!(store.wards().unwrap(), two);
    let stored = store.incidents().unwrap();
    let n_two = stored.iter().filter(|i| i.ward.is_some()).count();
    assert_eq!((outcome.assigned, outcome.by_tolerance), (n_two, n_two));
    assert!(n_two > 0);
    for (before, after) in batch.iter().zip(&stored) {
        let want = rule(&two, before).map(|mut a| {
            a.by_tolerance = true;
            a
        });
        assert_eq!(after.ward, want);
    }
}

// ---------------------------------------------------------------- opening

#[test]
fn open_creates_and_refuses_foreign_files() {
    let dir = tempfile::tempdir().unwrap();

    // An empty file becomes a store; the salt survives reopening and differs between stores.
    let empty = dir.path().join("empty.gpkg");
    std::fs::write(&empty, b"").unwrap();
    let salt = Store::open(&empty).unwrap().salt();
    assert_eq!(Store::open(&empty).unwrap().salt(), salt);
    let other = dir.path().join("other.gpkg");
    assert_ne!(Store::open(&other).unwrap().salt(), salt);
    assert_ne!(salt, [0; 32]);

    let text = dir.path().join("notes.gpkg");
    std::fs::write(
        &text,
        "this is not a database, just some text that is long enough\n".repeat(20),
    )
    .unwrap();
    let err = Store::open(&text).unwrap_err();
    assert!(matches!(err, StoreError::NotSqlite { .. }), "{err}");
    assert!(err.to_string().contains("not a hotspot store"), "{err}");

    let plain = dir.path().join("plain.sqlite");
    rusqlite::Connection::open(&plain)
        .unwrap()
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    let err = Store::open(&plain).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotGeoPackage {
                application_id: 0,
                ..
            }
        ),
        "{err}"
    );

    let foreign = dir.path().join("foreign.gpkg");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch(
            "PRAGMA application_id = 1196444487; PRAGMA user_version = 10300;
             CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY);",
        )
        .unwrap();
    let err = Store::open(&foreign).unwrap_err();
    assert!(matches!(err, StoreError::NotHotspotStore { .. }), "{err}");

    let future = dir.path().join("future.gpkg");
    drop(Store::open(&future).unwrap());
    rusqlite::Connection::open(&future)
        .unwrap()
        .execute_batch("UPDATE hotspot_meta SET value = '99' WHERE key = 'schema_version'")
        .unwrap();
    let err = Store::open(&future).unwrap_err();
    assert!(
        matches!(err, StoreError::SchemaVersion { supported: 1, .. }),
        "{err}"
    );

    let err = Store::open(&dir.path().join("no/such/dir/x.gpkg")).unwrap_err();
    assert!(matches!(err, StoreError::Open { .. }), "{err}");
}

#[test]
fn mappings_are_stored_by_name() {
    let (_dir, path) = temp_store();
    let mut store = Store::open(&path).unwrap();
    let v = store.data_version().unwrap();
    let toml = "[columns]\nid = \"ref\"\n";
    store.put_mapping("council-asb", toml).unwrap();
    store.put_mapping("police.v2", "[columns]\n").unwrap();
    assert_eq!(store.mapping("council-asb").unwrap().as_deref(), Some(toml));
    store
        .put_mapping("council-asb", "[columns]\nid = \"ref2\"\n")
        .unwrap();
    let store = {
        drop(store);
        Store::open(&path).unwrap()
    };
    assert_eq!(
        store.mapping("council-asb").unwrap().as_deref(),
        Some("[columns]\nid = \"ref2\"\n")
    );
    assert_eq!(store.mapping("nope").unwrap(), None);
    assert_eq!(store.mapping_names().unwrap(), ["council-asb", "police.v2"]);
    assert_eq!(store.data_version().unwrap(), v + 3);
    let mut store = store;
    for bad in ["", "has space", "slash/name", &"x".repeat(65)] {
        let err = store.put_mapping(bad, toml).unwrap_err();
        assert!(
            matches!(err, StoreError::BadMappingName { .. }),
            "{bad:?}: {err}"
        );
    }
    let err = store.put_mapping("big", &"#".repeat(2 << 20)).unwrap_err();
    assert!(matches!(err, StoreError::TooLarge { .. }), "{err}");
}

// ---------------------------------------------------------------- GDAL

/// Runs `ogrinfo` read-only; fails (never skips) when GDAL's tools are missing.
fn ogrinfo(args: &[&str]) -> String {
    let out = Command::new("ogrinfo")
        .arg("-ro")
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run ogrinfo ({e}): install GDAL's command-line tools, e.g. `apt-get install -y gdal-bin`"
            )
        });
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "ogrinfo {args:?} failed: {stderr}");
    assert!(
        !stderr.contains("ERROR") && !stderr.contains("Warning"),
        "ogrinfo {args:?} complained: {stderr}"
    );
    stdout
}

/// The number after `key` on the first line that contains it.
fn number_after(text: &str, key: &str) -> f64 {
    let line = text
        .lines()
        .find(|l| l.contains(key))
        .unwrap_or_else(|| panic!("no {key:?} in\n{text}"));
    let rest = &line[line.find(key).unwrap() + key.len()..];
    rest.split_whitespace().next().unwrap().parse().unwrap()
}

/// `(minx, miny, maxx, maxy)` from ogrinfo's `Extent: (minx, miny) - (maxx, maxy)`.
fn extent(text: &str) -> [f64; 4] {
    let line = text.lines().find(|l| l.starts_with("Extent:")).unwrap();
    let nums: Vec<f64> = line
        .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .filter(|s| !s.is_empty() && *s != "-")
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(nums.len(), 4, "{line}");
    [nums[0], nums[1], nums[2], nums[3]]
}

#[test]
fn gdal_reads_the_store_as_a_valid_geopackage_with_consistent_rtrees() {
    let (_dir, path) = temp_store();
    let p = path.to_str().unwrap();
    let first = incidents(4000, 5, "g-");
    let second = incidents(2500, 6, "h-");
    {
        let mut store = Store::open(&path).unwrap();
        store.insert_incidents(&first, &prov(&["one"])).unwrap();
        // A second batch that overlaps the first: only the new ids go in.
        let mut mixed = first[..1000].to_vec();
        mixed.extend(second.iter().cloned());
        assert_eq!(
            store
                .insert_incidents(&mixed, &prov(&["two"]))
                .unwrap()
                .added,
            2500
        );
        let wards = real_wards();
        store.replace_wards(&wards, &[], &mut |_| None).unwrap();
        // Replace again so the delete trigger has run on the wards' R-tree.
        store
            .replace_wards(&wards[..10], &[], &mut |_| None)
            .unwrap();
        store.upsert_venues(&venues()).unwrap();
        let mut moved = venues();
        moved[0].location = Wgs84::new(-1.0505, 50.8305).unwrap();
        store.upsert_venues(&moved).unwrap();
        store.upsert_cameras(&cameras()).unwrap();
    }
    let all: Vec<Incident> = first.iter().chain(&second).cloned().collect();

    // All four layers, with their geometry types.
    let layers = ogrinfo(&[p]);
    for want in [
        "incidents (Point)",
        "wards (Multi Polygon)",
        "venues (Point)",
        "cameras (Point)",
    ] {
        assert!(layers.contains(want), "{want} missing in\n{layers}");
    }

    // Feature count and extent of the incidents layer.
    let info = ogrinfo(&["-so", p, "incidents"]);
    assert_eq!(number_after(&info, "Feature Count:"), 6500.0);
    let lons = all.iter().map(|i| i.location.lon());
    let lats = all.iter().map(|i| i.location.lat());
    let want = [
        lons.clone().fold(f64::MAX, f64::min),
        lats.clone().fold(f64::MAX, f64::min),
        lons.fold(f64::MIN, f64::max),
        lats.fold(f64::MIN, f64::max),
    ];
    let got = extent(&info);
    for k in 0..4 {
        assert!(
            (got[k] - want[k]).abs() < 1e-6,
            "extent {got:?} vs {want:?}"
        );
    }
    assert!(
        info.contains("EPSG\",4326") || info.contains("WGS 84"),
        "{info}"
    );
    assert!(info.contains("incident_id: String"), "{info}");

    // Every layer's R-tree holds exactly its rows, with the row's own bounds.
    for (layer, n) in [
        ("incidents", 6500),
        ("wards", 10),
        ("venues", 3),
        ("cameras", 2),
    ] {
        let out = ogrinfo(&[
            p,
            "-sql",
            &format!(
                "SELECT (SELECT COUNT(*) FROM rtree_{layer}_geom) AS n_rtree,
                        (SELECT COUNT(*) FROM {layer}) AS n_rows,
                        (SELECT COUNT(*) FROM {layer} t JOIN rtree_{layer}_geom r ON r.id = t.fid
                          WHERE r.minx <= ST_MinX(t.geom) AND r.maxx >= ST_MaxX(t.geom)
                            AND r.miny <= ST_MinY(t.geom) AND r.maxy >= ST_MaxY(t.geom)
                            AND r.maxx - r.minx < 1 AND r.maxy - r.miny < 1) AS n_match"
            ),
        ]);
        assert_eq!(
            number_after(&out, "n_rtree (Integer) ="),
            n as f64,
            "{layer}: {out}"
        );
        assert_eq!(
            number_after(&out, "n_rows (Integer) ="),
            n as f64,
            "{layer}: {out}"
        );
        assert_eq!(
            number_after(&out, "n_match (Integer) ="),
            n as f64,
            "{layer}: {out}"
        );
    }

    // A spatial filter (answered from the R-tree) returns the brute-force count.
    for (x0, y0, x1, y1) in [
        (-1.100, 50.780, -1.080, 50.800),
        (-1.060, 50.830, -1.040, 50.860),
        (-1.200, 50.700, -1.000, 50.900),
    ] {
        let brute = all
            .iter()
            .filter(|i| {
                let (x, y) = (i.location.lon(), i.location.lat());
                x >= x0 && x <= x1 && y >= y0 && y <= y1
            })
            .count();
        let spat = [x0, y0, x1, y1].map(|v| format!("{v:.3}"));
        let out = ogrinfo(&[
            "-so",
            "-spat",
            &spat[0],
            &spat[1],
            &spat[2],
            &spat[3],
            p,
            "incidents",
        ]);
        assert_eq!(
            number_after(&out, "Feature Count:"),
            brute as f64,
            "{spat:?}"
        );
    }

    // The moved venue is found at its new place and not at its old one.
    let near_new = ogrinfo(&[
        "-so", "-spat", "-1.051", "50.830", "-1.050", "50.831", p, "venues",
    ]);
    assert_eq!(number_after(&near_new, "Feature Count:"), 1.0);
    let near_old = ogrinfo(&[
        "-so", "-spat", "-1.092", "50.798", "-1.091", "50.799", p, "venues",
    ]);
    assert_eq!(number_after(&near_old, "Feature Count:"), 0.0);

    // Attributes as QGIS sees them.
    let row = ogrinfo(&[
        p,
        "-sql",
        "SELECT incident_id, crime_type, month FROM incidents WHERE fid = 1",
    ]);
    assert!(row.contains("incident_id (String) = g-0"), "{row}");
    assert!(
        row.contains("crime_type (String) = Anti-social behaviour"),
        "{row}"
    );
    assert!(row.contains("month (String) = 2017-01"), "{row}");
}

// ---------------------------------------------------------------- crash safety

const CRASH_ENV: &str = "HOTSPOT_CRASH_CHILD_STORE";
const CRASH_BATCH: usize = 20_000;

/// Batch `k` of the crash test: ids `b{k}-{i}`, seeded by `k`.
fn crash_batch(k: usize) -> Vec<Incident> {
    incidents(CRASH_BATCH, k as u64, &format!("b{k}-"))
}

/// The child: resumes after the batches already logged in the store named by
/// `HOTSPOT_CRASH_CHILD_STORE` and ingests batch after batch, printing `begin K` before and
/// `committed K` after each, until killed.
#[test]
#[ignore = "run by crash_safety_under_sigkill as its child process"]
fn crash_child_ingests_until_killed() {
    let Some(path) = std::env::var_os(CRASH_ENV) else {
        return;
    };
    let mut store = Store::open(Path::new(&path)).unwrap();
    let first = store.ingest_log().unwrap().len();
    for k in first..first + 1000 {
        let batch = crash_batch(k);
        println!("begin {k}");
        store
            .insert_incidents(&batch, &prov(&[&format!("batch-{k}")]))
            .unwrap();
        println!("committed {k}");
    }
}

/// Checks the store holds exactly batches `0..n` for some `n >= min_batches`, each whole, with
/// a sound file, a consistent R-tree and its triggers; returns `n`.
fn check_whole_batches(path: &Path, min_batches: usize) -> usize {
    let store = Store::open(path).unwrap();
    assert_eq!(store.integrity_check().unwrap(), ["ok"]);
    let stored = store.incidents().unwrap();
    assert_eq!(
        stored.len() % CRASH_BATCH,
        0,
        "{} rows: a partial batch",
        stored.len()
    );
    let batches = stored.len() / CRASH_BATCH;
    assert!(
        batches >= min_batches,
        "{batches} batches, {min_batches} were committed"
    );
    for k in 0..batches {
        let want = crash_batch(k);
        assert_eq!(
            &stored[k * CRASH_BATCH..(k + 1) * CRASH_BATCH],
            &want[..],
            "batch {k}"
        );
    }
    assert_eq!(store.ingest_log().unwrap().len(), batches);
    drop(store);
    let conn = rusqlite::Connection::open(path).unwrap();
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM rtree_incidents_geom", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(
        n as usize,
        stored.len(),
        "the R-tree was rolled back with the rows"
    );
    let triggers: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'rtree_incidents_geom_%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(triggers, 6, "all six R-tree triggers are in place");
    batches
}

/// Kills a writing child with SIGKILL three times, at different points of a batch, and checks
/// after each kill that the store holds whole committed batches only.
#[test]
fn crash_safety_under_sigkill() {
    let (dir, path) = temp_store();
    let exe = std::env::current_exe().unwrap();
    let journal = dir.path().join("hotspot.gpkg-journal");
    let mut committed_total = 0;
    let mut hot_journals = 0;
    // Delays after `begin`: early (deduplicating), middle (inserting rows), late (R-tree).
    for delay_ms in [30, 250, 500] {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "crash_child_ingests_until_killed",
                "--nocapture",
                "--ignored",
            ])
            .env(CRASH_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut committed_now = 0;
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            if line.starts_with("committed ") {
                committed_now += 1;
            }
            if committed_now == 2 && line.starts_with("begin ") {
                std::thread::sleep(std::time::Duration::from_millis(delay_ms));
                child.kill().unwrap(); // SIGKILL on unix
                break;
            }
        }
        let status = child.wait().unwrap();
        assert!(
            !status.success(),
            "the child must have been killed, not finished"
        );
        assert_eq!(committed_now, 2);
        committed_total += committed_now;
        hot_journals += usize::from(journal.exists());
        committed_total = check_whole_batches(&path, committed_total);
    }
    assert!(committed_total >= 6);
    eprintln!("kills that left a hot journal to roll back: {hot_journals} of 3");
}
