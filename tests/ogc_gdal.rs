//! GDAL's OGC API – Features client (`OAPIF:`) against the real server on an ephemeral
//! loopback port, serving real data: Portsmouth's 14 wards and the 700 Portsmouth ASB rows of
//! police.uk's June 2017 Hampshire file (from the shared folder).
//!
//! Needs GDAL's command-line tools (`apt-get install gdal-bin`); the test FAILS when `ogrinfo`
//! is missing, so a CI without GDAL cannot pass silently.

mod common;

use std::process::Command;

use hotspot::domain::{
    Camera, CameraKind, Category, CrimeType, Incident, IncidentTime, Lsoa, Month, Source, Venue,
    VenueKind, Ward, Wgs84,
};
use hotspot::index::{Snapshot, SnapshotInput, WardIndex, WardRules};
use hotspot::server::{AppState, ServerConfig, serve_on};
use tokio::net::TcpListener;

fn real_wards() -> Vec<Ward> {
    let path = common::shared("realdata/boundaries/portsmouth-wards-2013.geojson");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let fc: geojson::FeatureCollection = text.parse().unwrap();
    fc.features
        .iter()
        .map(|f| {
            let prop = |k: &str| f.property(k).and_then(|v| v.as_str()).unwrap().to_owned();
            let geometry = f.geometry.as_ref().unwrap();
            let boundary = match geo::Geometry::<f64>::try_from(geometry).unwrap() {
                geo::Geometry::Polygon(p) => geo::MultiPolygon(vec![p]),
                geo::Geometry::MultiPolygon(m) => m,
                other => panic!("ward geometry {other:?}"),
            };
            Ward {
                code: prop("WD13CD"),
                name: prop("WD13NM"),
                boundary,
                population: None,
            }
        })
        .collect()
}

/// Portsmouth ASB rows of June 2017 (LSOA name starting `Portsmouth `), wards assigned.
fn real_asb_june(wards: &WardIndex) -> Vec<Incident> {
    let path = common::shared("realdata/police-uk/hampshire/2017-06-hampshire-street.csv");
    let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let mut out = Vec::new();
    for (line, record) in reader.records().enumerate() {
        let r = record.unwrap();
        let (crime_type, lsoa_name) = (&r[9], &r[8]);
        if crime_type != "Anti-social behaviour" || !lsoa_name.starts_with("Portsmouth ") {
            continue;
        }
        let location = Wgs84::new(r[4].parse().unwrap(), r[5].parse().unwrap()).unwrap();
        let lsoa = Lsoa {
            code: r[7].into(),
            name: lsoa_name.into(),
        };
        out.push(Incident {
            id: format!("2017-06:{}", line + 2),
            source: Source::PoliceUk,
            category: Category::of_type(CrimeType::AntiSocialBehaviour),
            time: IncidentTime::Month {
                month: r[1].parse::<Month>().unwrap(),
            },
            location,
            ward: wards.assign(location, Some(&lsoa)),
            lsoa: Some(lsoa),
            location_desc: Some(r[6].into()),
            alcohol: None,
            victim_hash: None,
        });
    }
    out
}

fn snapshot() -> Snapshot {
    let wards = real_wards();
    let rules = WardRules {
        authority: Some("Portsmouth".into()),
        ..WardRules::default()
    };
    let index = WardIndex::new(&wards, rules.clone()).unwrap();
    let incidents = real_asb_june(&index);
    Snapshot::build(SnapshotInput {
        version: 1,
        incidents,
        wards,
        ward_rules: rules,
        venues: vec![Venue {
            id: "V1".into(),
            name: "The Anchor".into(),
            kind: VenueKind::Pub,
            location: Wgs84::new(-1.0905, 50.7985).unwrap(),
            opens: None,
            closes: None,
        }],
        cameras: vec![Camera {
            id: "C1".into(),
            location: Wgs84::new(-1.0911, 50.7981).unwrap(),
            radius_m: 100.0,
            kind: CameraKind::Fixed,
        }],
    })
    .unwrap()
}

/// Runs a GDAL tool and returns its standard output; panics (fails the test) when the tool is
/// missing or fails.
fn gdal(tool: &str, args: &[String]) -> String {
    let out = Command::new(tool)
        .args(args)
        .env("GDAL_HTTP_TIMEOUT", "60")
        .env("CPL_CURL_VERBOSE", "NO")
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run {tool} ({e}): install GDAL's tools (apt-get install gdal-bin)")
        });
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn count(text: &str, needle: &str) -> usize {
    text.matches(needle).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gdal_lists_collections_and_reads_features() {
    let snap = snapshot();
    let n_incidents = snap.incidents.len();
    assert_eq!(
        n_incidents, 700,
        "the README's count of June 2017 Portsmouth ASB"
    );
    let [min_lon, min_lat, max_lon, max_lat] = [-1.10, 50.79, -1.08, 50.80];
    let in_box = snap
        .incidents
        .lonlat
        .iter()
        .filter(|p| p[0] >= min_lon && p[0] <= max_lon && p[1] >= min_lat && p[1] <= max_lat)
        .count();
    assert!(
        in_box > 20,
        "the test box should hold some incidents, holds {in_box}"
    );
    let state = AppState::new(snap, ServerConfig::default());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("OAPIF:http://{}/ogc", listener.local_addr().unwrap());
    let server = tokio::spawn(serve_on(listener, state, std::future::pending()));

    let checks = tokio::task::spawn_blocking(move || {
        let s = |x: &str| x.to_owned();
        // 1. The layer list.
        let list = gdal("ogrinfo", &[s("-ro"), s("-q"), url.clone()]);
        for layer in ["incidents", "wards", "venues", "cameras"] {
            assert!(
                list.contains(&format!(": {layer}")),
                "{layer} not listed:\n{list}"
            );
        }
        // 2. The feature count GDAL reports.
        let summary = gdal(
            "ogrinfo",
            &[s("-ro"), s("-al"), s("-so"), url.clone(), s("incidents")],
        );
        assert!(
            summary.contains(&format!("Feature Count: {n_incidents}")),
            "{summary}"
        );
        // 3. Every feature, read page by page through the `next` links.
        let all = gdal(
            "ogrinfo",
            &[s("-ro"), s("-al"), s("-q"), url.clone(), s("incidents")],
        );
        assert_eq!(count(&all, "OGRFeature(incidents)"), n_incidents);
        assert!(
            all.contains("group (String) = asb"),
            "{}",
            &all[..all.len().min(2000)]
        );
        assert!(all.contains("lsoa_name (String) = Portsmouth"));
        // 4. A spatial filter, sent as bbox.
        let spat = gdal(
            "ogrinfo",
            &[
                s("-ro"),
                s("-al"),
                s("-so"),
                s("-spat"),
                min_lon.to_string(),
                min_lat.to_string(),
                max_lon.to_string(),
                max_lat.to_string(),
                url.clone(),
                s("incidents"),
            ],
        );
        assert!(spat.contains(&format!("Feature Count: {in_box}")), "{spat}");
        // 5. Real ward polygons.
        let wards = gdal(
            "ogrinfo",
            &[s("-ro"), s("-al"), s("-q"), url.clone(), s("wards")],
        );
        assert_eq!(count(&wards, "OGRFeature(wards)"), 14);
        assert!(wards.contains("name (String) = Charles Dickens"));
        assert!(wards.contains("MULTIPOLYGON"));
    })
    .await;
    server.abort();
    if let Err(e) = checks {
        std::panic::resume_unwind(e.into_panic());
    }
}
