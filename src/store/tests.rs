//! Unit tests that need the store's private parts.

use super::*;
use crate::domain::{Category, CrimeType, Incident, IncidentTime, Month, Source, Wgs84};

fn incident(id: &str) -> Incident {
    Incident {
        id: id.to_owned(),
        source: Source::PoliceUk,
        category: Category::of_type(CrimeType::AntiSocialBehaviour),
        time: IncidentTime::Month {
            month: Month::new(2017, 6).expect("valid month"),
        },
        location: Wgs84::new(-1.09, 50.79).expect("valid position"),
        lsoa: None,
        location_desc: None,
        ward: None,
        alcohol: None,
        victim_hash: None,
    }
}

fn provenance() -> Provenance {
    Provenance {
        at: chrono::DateTime::UNIX_EPOCH,
        files: vec![],
    }
}

/// Every id hashes to the same key: dedup must fall back on the exact text every time.
fn colliding_key(_: &str) -> i64 {
    42
}

/// Ids sharing the first byte share a key: a "hash prefix" collision.
fn prefix_key(id: &str) -> i64 {
    i64::from(id.as_bytes().first().copied().unwrap_or(0))
}

#[test]
fn forced_hash_collisions_never_merge_different_ids() {
    for key in [colliding_key as fn(&str) -> i64, prefix_key] {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.gpkg")).unwrap();
        let ids = ["a1", "a2", "b1", "a1", "b2", "a10"];
        let batch: Vec<Incident> = ids.iter().map(|id| incident(id)).collect();
        let out = store
            .insert_incidents_keyed(&batch, &provenance(), key)
            .unwrap();
        assert_eq!((out.added, out.duplicates), (5, 1));
        let second: Vec<Incident> = ["a2", "a3", "b1", "c1", "a3"]
            .iter()
            .map(|id| incident(id))
            .collect();
        let out = store
            .insert_incidents_keyed(&second, &provenance(), key)
            .unwrap();
        assert_eq!((out.added, out.duplicates), (2, 3));
        let stored: Vec<String> = store
            .incidents()
            .unwrap()
            .into_iter()
            .map(|i| i.id)
            .collect();
        assert_eq!(stored, ["a1", "a2", "b1", "b2", "a10", "a3", "c1"]);
        let keys: Vec<i64> = store
            .conn
            .prepare("SELECT id_key FROM incidents ORDER BY fid")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(keys, stored.iter().map(|id| key(id)).collect::<Vec<_>>());
    }
}

#[test]
fn id_key_is_fnv1a_64() {
    // Published FNV-1a 64 test vectors (draft-eastlake-fnv): "" and "a" and "foobar".
    let as_u64 = |s: &str| u64::from_ne_bytes(id_key(s).to_ne_bytes());
    assert_eq!(as_u64(""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(as_u64("a"), 0xaf63_dc4c_8601_ec8c);
    assert_eq!(as_u64("foobar"), 0x8594_4171_f739_67e8);
}

#[test]
fn every_write_bumps_the_data_version_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.gpkg")).unwrap();
    assert_eq!(store.data_version().unwrap(), 0);
    store
        .insert_incidents(&[incident("x")], &provenance())
        .unwrap();
    store.put_mapping("m", "").unwrap();
    store.upsert_venues(&[]).unwrap();
    store.upsert_cameras(&[]).unwrap();
    store.replace_wards(&[], &[], &mut |_| None).unwrap();
    assert_eq!(store.data_version().unwrap(), 5);
    // Failed writes change nothing.
    let err = store.put_mapping("bad name", "").unwrap_err();
    assert!(matches!(err, StoreError::BadMappingName { .. }));
    assert_eq!(store.data_version().unwrap(), 5);
}

#[test]
fn new_store_is_a_geopackage_1_3() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.gpkg")).unwrap();
    let pragma = |name: &str| -> i64 {
        store
            .conn
            .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(pragma("application_id"), 0x4750_4B47);
    assert_eq!(pragma("user_version"), 10300);
    let srs: Vec<i64> = store
        .conn
        .prepare("SELECT srs_id FROM gpkg_spatial_ref_sys ORDER BY srs_id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(srs, [-1, 0, 4326, 27700]);
    let contents: Vec<(String, String)> = store
        .conn
        .prepare("SELECT table_name, data_type FROM gpkg_contents ORDER BY table_name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let want = [
        ("cameras", "features"),
        ("hotspot_ingest_log", "attributes"),
        ("hotspot_mappings", "attributes"),
        ("hotspot_meta", "attributes"),
        ("incidents", "features"),
        ("venues", "features"),
        ("wards", "features"),
    ];
    assert_eq!(
        contents,
        want.map(|(a, b)| (a.to_owned(), b.to_owned())).to_vec()
    );
    let rtree_extensions: i64 = store
        .conn
        .query_row(
            "SELECT COUNT(*) FROM gpkg_extensions WHERE extension_name = 'gpkg_rtree_index'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rtree_extensions, 4);
    assert_eq!(store.integrity_check().unwrap(), ["ok"]);
    let foreign_keys: Vec<String> = store
        .conn
        .prepare("PRAGMA foreign_key_check")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(foreign_keys.is_empty(), "{foreign_keys:?}");
}
