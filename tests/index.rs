//! The snapshot's spatial queries against brute force on seeded random data.

use geo::{Distance, Euclidean, Intersects, MultiPolygon, Point, polygon};
use hotspot::domain::{Category, CrimeType, Incident, IncidentTime, Month, Source, Ward, Wgs84};
use hotspot::index::{Snapshot, SnapshotInput, WardIndex, WardRules};
use proptest::prelude::*;

fn incident(i: usize, lon: f64, lat: f64) -> Incident {
    Incident {
        id: format!("t{i}"),
        source: Source::PoliceUk,
        category: Category::of_type(CrimeType::AntiSocialBehaviour),
        time: IncidentTime::Month {
            month: Month::new(2017, 6).unwrap(),
        },
        location: Wgs84::new(lon, lat).unwrap(),
        lsoa: None,
        location_desc: None,
        ward: None,
        alcohol: None,
        victim_hash: None,
    }
}

/// Points in a 6 km box around Portsmouth.
fn points() -> impl Strategy<Value = Vec<(f64, f64)>> {
    prop::collection::vec((-1.11f64..-1.03, 50.77f64..50.83), 1..400)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn radius_query_equals_brute_force(pts in points(), centre in (-1.10f64..-1.04, 50.78f64..50.82), radius_m in 1.0f64..1500.0) {
        let incidents = pts.iter().enumerate().map(|(i, &(lon, lat))| incident(i, lon, lat)).collect();
        let snap = Snapshot::build(SnapshotInput { incidents, ..Default::default() }).unwrap();
        let c = Wgs84::new(centre.0, centre.1).unwrap().to_bng().unwrap().xy();
        let mut got: Vec<u32> = snap.within_radius_m(c, radius_m).collect();
        got.sort_unstable();
        let want: Vec<u32> = snap.incidents.xy.iter().enumerate()
            .filter(|(_, p)| (p[0] - c[0]).hypot(p[1] - c[1]) <= radius_m)
            .map(|(i, _)| i as u32)
            .collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn box_query_equals_brute_force(pts in points(), a in (-1.11f64..-1.03, 50.77f64..50.83), b in (-1.11f64..-1.03, 50.77f64..50.83)) {
        let incidents = pts.iter().enumerate().map(|(i, &(lon, lat))| incident(i, lon, lat)).collect();
        let snap = Snapshot::build(SnapshotInput { incidents, ..Default::default() }).unwrap();
        let pa = Wgs84::new(a.0, a.1).unwrap().to_bng().unwrap().xy();
        let pb = Wgs84::new(b.0, b.1).unwrap().to_bng().unwrap().xy();
        let (lo, hi) = ([pa[0].min(pb[0]), pa[1].min(pb[1])], [pa[0].max(pb[0]), pa[1].max(pb[1])]);
        let mut got: Vec<u32> = snap.in_box_m(lo, hi).collect();
        got.sort_unstable();
        let want: Vec<u32> = snap.incidents.xy.iter().enumerate()
            .filter(|(_, p)| p[0] >= lo[0] && p[0] <= hi[0] && p[1] >= lo[1] && p[1] <= hi[1])
            .map(|(i, _)| i as u32)
            .collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn ward_lookup_equals_brute_force(
        cuts in prop::collection::vec(-1.10f64..-1.04, 3..6),
        pts in points(),
        tolerance_m in 0.0f64..300.0,
    ) {
        // Vertical strips between sorted cut longitudes, with a gap of 0.002° after each strip
        // so that some points fall between wards.
        let mut xs = cuts.clone();
        xs.sort_by(f64::total_cmp);
        let wards: Vec<Ward> = xs.windows(2).enumerate().filter(|(_, w)| w[1] - w[0] > 0.003).map(|(i, w)| {
            let (x0, x1) = (w[0], w[1] - 0.002);
            Ward {
                code: format!("W{i}"),
                name: format!("Ward {i}"),
                boundary: MultiPolygon::new(vec![polygon![(x: x0, y: 50.78), (x: x1, y: 50.785), (x: x1, y: 50.82), (x: x0, y: 50.815), (x: x0, y: 50.78)]]),
                population: None,
            }
        }).collect();
        prop_assume!(!wards.is_empty());
        let idx = WardIndex::new(&wards, WardRules { tolerance_m, authority: None }).unwrap();
        for &(lon, lat) in &pts {
            let loc = Wgs84::new(lon, lat).unwrap();
            let p = Point::new(lon, lat);
            let inside = wards.iter().position(|w| w.boundary.intersects(&p));
            let want = match inside {
                Some(i) => Some((i, false)),
                None => {
                    let b = loc.to_bng().unwrap().xy();
                    let bp = Point::new(b[0], b[1]);
                    (0..wards.len())
                        .map(|i| (i, Euclidean.distance(&bp, idx.boundary_bng(i))))
                        .filter(|&(_, d)| d <= tolerance_m)
                        .min_by(|a, b| a.1.total_cmp(&b.1))
                        .map(|(i, _)| (i, true))
                }
            };
            prop_assert_eq!(idx.assign_index(loc, None), want);
        }
    }
}

#[test]
fn snapshot_columns_hold_times_cells_and_wards() {
    use chrono::{NaiveDate, TimeZone, Utc};
    let ward = Ward {
        code: "W0".into(),
        name: "Fratton".into(),
        boundary: MultiPolygon::new(vec![
            polygon![(x: -1.09, y: 50.79), (x: -1.07, y: 50.79), (x: -1.07, y: 50.80), (x: -1.09, y: 50.80), (x: -1.09, y: 50.79)],
        ]),
        population: Some(15_000),
    };
    let mut a = incident(0, -1.08, 50.795);
    a.time = IncidentTime::At {
        at: Utc.with_ymd_and_hms(2017, 6, 10, 22, 30, 0).unwrap(),
    };
    a.ward = Some(hotspot::domain::WardAssignment {
        code: "W0".into(),
        by_tolerance: false,
    });
    let b = incident(1, -1.08, 50.795);
    let snap = Snapshot::build(SnapshotInput {
        incidents: vec![a, b],
        wards: vec![ward],
        ..Default::default()
    })
    .unwrap();
    let t = &snap.incidents;
    // 22:30 UTC in June is 23:30 BST.
    let local = NaiveDate::from_ymd_opt(2017, 6, 10)
        .unwrap()
        .and_hms_opt(23, 30, 0)
        .unwrap();
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    assert_eq!(t.start_min[0], (local - epoch).num_minutes());
    assert!(t.has_time(0) && !t.has_time(1));
    assert_eq!(t.ward, vec![Some(0), None]);
    assert_eq!(t.cell[0], t.cell[1]);
    assert_eq!(t.cell[0].resolution(), h3o::Resolution::Eleven);
    assert_eq!(snap.ward_by_key("fratton"), Some(0));
    assert_eq!(snap.ward_by_key("w0"), Some(0));
}
