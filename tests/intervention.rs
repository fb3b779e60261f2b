//! Intervention evaluation on hand-made cases: counts by area and period, the WDQ and its
//! reading against values computed by hand (Bowers & Johnson 2003).

use chrono::NaiveDate;
use hotspot::analysis::wdq::{Counts, Reading, wdq};
use hotspot::domain::{
    Bng, Camera, CameraKind, Category, CrimeType, Incident, IncidentTime, Month, Source,
};
use hotspot::index::{Snapshot, SnapshotInput};
use hotspot::query::{InterventionRequest, InterventionResult, ParamBag, run_intervention};

const CAMERA: [f64; 2] = [465_000.0, 101_000.0];

fn incident(id: String, xy: [f64; 2], time: IncidentTime) -> Incident {
    Incident {
        id,
        source: if matches!(time, IncidentTime::Month { .. }) {
            Source::PoliceUk
        } else {
            Source::Log
        },
        category: Category::of_type(CrimeType::AntiSocialBehaviour),
        time,
        location: Bng::new(xy[0], xy[1]).unwrap().to_wgs84().unwrap(),
        lsoa: None,
        location_desc: None,
        ward: None,
        alcohol: None,
        victim_hash: None,
    }
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> IncidentTime {
    IncidentTime::at_local(
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap(),
    )
    .unwrap()
}

/// `n` incidents at `xy` on days spread over a period.
fn many(out: &mut Vec<Incident>, tag: &str, xy: [f64; 2], n: usize, first: (i32, u32)) {
    for i in 0..n {
        let day = 1 + (i % 28) as u32;
        let month = first.1 + (i / 28) as u32;
        out.push(incident(
            format!("{tag}-{i}"),
            xy,
            at(first.0, month, day, 12, 0),
        ));
    }
}

fn snapshot(extra: Vec<Incident>) -> Snapshot {
    let target = [CAMERA[0] + 50.0, CAMERA[1]];
    let buffer = [CAMERA[0] + 200.0, CAMERA[1]];
    let control = [CAMERA[0] + 2_000.0, CAMERA[1]];
    let mut v = Vec::new();
    // Target: 10 before (9 in January, 1 at 23:30 on 29 February), 5 after (4 in April, 1 at
    // 00:10 on 1 March).
    many(&mut v, "t-before", target, 9, (2024, 1));
    v.push(incident("t-feb29".into(), target, at(2024, 2, 29, 23, 30)));
    many(&mut v, "t-after", target, 4, (2024, 4));
    v.push(incident("t-mar1".into(), target, at(2024, 3, 1, 0, 10)));
    // Buffer: 8 before, 6 after.
    many(&mut v, "b-before", buffer, 8, (2024, 1));
    many(&mut v, "b-after", buffer, 6, (2024, 3));
    // Control: 100 before (Jan–Feb... spread over 2024-01..), 120 after.
    for i in 0..100 {
        v.push(incident(
            format!("c-before-{i}"),
            [control[0], control[1] + i as f64],
            at(2024, 1 + (i % 2) as u32, 1 + (i % 28) as u32, 10, 0),
        ));
    }
    for i in 0..120 {
        v.push(incident(
            format!("c-after-{i}"),
            [control[0], control[1] + i as f64],
            at(2024, 3 + (i % 2) as u32, 1 + (i % 28) as u32, 10, 0),
        ));
    }
    // Outside both periods: 31 December and 1 May.
    v.push(incident(
        "too-early".into(),
        target,
        at(2023, 12, 31, 12, 0),
    ));
    v.push(incident("too-late".into(), target, at(2024, 5, 1, 0, 5)));
    v.extend(extra);
    Snapshot::build(SnapshotInput {
        version: 1,
        incidents: v,
        cameras: vec![Camera {
            id: "CAM1".into(),
            location: Bng::new(CAMERA[0], CAMERA[1]).unwrap().to_wgs84().unwrap(),
            radius_m: 100.0,
            kind: CameraKind::Mobile,
        }],
        ..SnapshotInput::default()
    })
    .unwrap()
}

fn run(snap: &Snapshot, pairs: &[(&str, &str)]) -> InterventionResult {
    let mut bag = ParamBag::new(pairs.iter().copied()).unwrap();
    let req = InterventionRequest::from_params(&mut bag, snap, None).unwrap();
    run_intervention(snap, &req).unwrap()
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-12, "{a} != {b}");
}

#[test]
fn camera_target_counts_and_wdq_by_hand() {
    let snap = snapshot(Vec::new());
    let r = run(
        &snap,
        &[
            ("camera", "CAM1"),
            ("date", "2024-03-01"),
            ("before-months", "2"),
        ],
    );
    assert_eq!((r.target.before, r.target.after), (10, 5));
    assert_eq!((r.buffer.before, r.buffer.after), (8, 6));
    assert_eq!((r.control.before, r.control.after), (100, 120));
    assert_eq!(r.request.after_months, 2, "equal lengths by default");
    // SM = 5/120 − 10/100; BDM = 6/120 − 8/100; WDQ = BDM/SM.
    let sm = 5.0 / 120.0 - 10.0 / 100.0;
    let bdm = 6.0 / 120.0 - 8.0 / 100.0;
    close(r.wdq.success_measure.unwrap(), sm);
    close(r.wdq.buffer_displacement_measure.unwrap(), bdm);
    close(r.wdq.wdq.unwrap(), 0.03 / (0.1 - 5.0 / 120.0));
    close(r.wdq.wdq.unwrap(), 0.514_285_714_285_714_3);
    // TNE = (10 × 1.2 − 5) + (8 × 1.2 − 6) = 10.6.
    close(r.wdq.total_net_effect.unwrap(), 10.6);
    close(r.relative_change().unwrap(), (5.0 / 10.0) / (120.0 / 100.0));
    assert_eq!(r.wdq.reading, Reading::Diffusion);
    let j = r.json(&snap);
    assert_eq!(j["areas"]["target"]["change_pct"], -50.0);
    assert_eq!(j["parameters"]["before"]["from"], "2024-01-01");
    assert_eq!(j["parameters"]["before"]["to"], "2024-02-29");
    assert_eq!(j["parameters"]["after"]["to"], "2024-04-30");
    assert!(j["narrative"].to_string().contains("diffusion of benefit"));

    // A buffer of 100 m (ring 100–200 m from the camera's disc) reaches the points 200 m from
    // the centre; 50 m does not, and they become control.
    let narrow = run(
        &snap,
        &[
            ("camera", "CAM1"),
            ("date", "2024-03-01"),
            ("before-months", "2"),
            ("buffer-m", "50"),
        ],
    );
    assert_eq!((narrow.buffer.before, narrow.buffer.after), (0, 0));
    assert_eq!((narrow.control.before, narrow.control.after), (108, 126));
}

#[test]
fn polygon_target_and_month_only_rows_at_a_mid_month_date() {
    // Month-only rows in the target: January (cut by the window's start on the 15th), February
    // (before), March (the date's month: straddles), April (after).
    let target = [CAMERA[0] + 50.0, CAMERA[1]];
    let months: Vec<Incident> = [1, 2, 2, 3, 4, 4, 4]
        .iter()
        .enumerate()
        .map(|(i, &m)| {
            incident(
                format!("pu-{i}"),
                target,
                IncidentTime::Month {
                    month: Month::new(2024, m).unwrap(),
                },
            )
        })
        .collect();
    let snap = snapshot(months);
    // A square of ±120 m around the camera, as lon/lat GeoJSON.
    let corner = |dx: f64, dy: f64| {
        let w = Bng::new(CAMERA[0] + dx, CAMERA[1] + dy)
            .unwrap()
            .to_wgs84()
            .unwrap();
        format!("[{},{}]", w.lon(), w.lat())
    };
    let polygon = format!(
        r#"{{"type":"Polygon","coordinates":[[{},{},{},{},{}]]}}"#,
        corner(-120.0, -120.0),
        corner(120.0, -120.0),
        corner(120.0, 120.0),
        corner(-120.0, 120.0),
        corner(-120.0, -120.0)
    );
    let r = run(
        &snap,
        &[
            ("polygon", polygon.as_str()),
            ("date", "2024-03-15"),
            ("before-months", "2"),
            ("buffer-m", "100"),
        ],
    );
    // Dated target rows: before [2024-01-15, 2024-03-15): 9 January rows on days 1–9 are out,
    // 29 February is in; after [2024-03-15, 2024-05-15): 4 April rows; 1 March is before.
    // Month-only: February 2 before, April 3 after, March 1 straddles, January 1 cut. The row
    // of 1 May is inside the after period now (it ends on 14 May).
    assert_eq!((r.target.before, r.target.after), (1 + 1 + 2, 4 + 1 + 3));
    assert_eq!(r.left_out_straddling_month, 1);
    assert_eq!(r.selected.left_out_month_only, 1);
    // Buffer points 200 m from the centre are 80 m outside the square.
    assert!(r.buffer.before + r.buffer.after > 0);
}

#[test]
fn undefined_when_the_target_did_not_improve() {
    let r = wdq(
        Counts {
            before: 10,
            after: 12,
        },
        Counts {
            before: 8,
            after: 4,
        },
        Counts {
            before: 100,
            after: 100,
        },
    );
    close(r.success_measure.unwrap(), 0.02);
    assert_eq!(r.wdq, None);
    assert_eq!(r.reading, Reading::TargetNotImproved);
    // Displacement beyond the benefit: target 100 → 90, buffer 50 → 70, control flat.
    // SM = −0.01 × ... = 0.09 − 0.1 = −0.01; BDM = 0.07 − 0.05 = 0.02; WDQ = −2.
    let r = wdq(
        Counts {
            before: 100,
            after: 90,
        },
        Counts {
            before: 50,
            after: 70,
        },
        Counts {
            before: 1000,
            after: 1000,
        },
    );
    close(r.wdq.unwrap(), -2.0);
    assert_eq!(r.reading, Reading::DisplacementGreaterThanDirect);
    close(r.total_net_effect.unwrap(), -10.0);
}

#[test]
fn parameters_are_checked() {
    let snap = snapshot(Vec::new());
    for (pairs, parameter) in [
        (vec![("camera", "CAM1")], "date"),
        (vec![("camera", "CAM1"), ("date", "2024-13")], "date"),
        (vec![("date", "2024-03")], "ward"),
        (
            vec![("camera", "CAM1"), ("polygon", "{}"), ("date", "2024-03")],
            "ward",
        ),
        (vec![("camera", "NOPE"), ("date", "2024-03")], "camera"),
        (
            vec![("camera", "CAM1"), ("date", "2024-03"), ("from", "2024-01")],
            "from",
        ),
        (
            vec![
                ("polygon", "{\"type\":\"Point\",\"coordinates\":[0,51]}"),
                ("date", "2024-03"),
            ],
            "polygon",
        ),
        (
            vec![("camera", "CAM1"), ("date", "2024-03"), ("buffer-m", "-1")],
            "buffer-m",
        ),
        (
            vec![
                ("camera", "CAM1"),
                ("date", "2024-03"),
                ("after-months", "61"),
            ],
            "after-months",
        ),
    ] {
        let mut bag = ParamBag::new(pairs.iter().copied()).unwrap();
        let e = InterventionRequest::from_params(&mut bag, &snap, None).unwrap_err();
        assert_eq!(e.parameter, parameter, "{pairs:?}: {e}");
    }
}

#[test]
fn ward_target_with_control_wards() {
    use geo::{MultiPolygon, Rect, coord};
    use hotspot::domain::{Ward, WardAssignment, Wgs84};

    let ward = |code: &str, lon: f64| Ward {
        code: code.into(),
        name: format!("Ward {code}"),
        boundary: MultiPolygon(vec![
            Rect::new(
                coord! { x: lon, y: 50.78 },
                coord! { x: lon + 0.02, y: 50.80 },
            )
            .to_polygon(),
        ]),
        population: None,
    };
    let mut incidents = Vec::new();
    let mut put = |tag: &str, lonlat: (f64, f64), code: &str, before: usize, after: usize| {
        for k in 0..before + after {
            let month = if k < before { 1 } else { 3 };
            let mut inc = incident(
                format!("{tag}-{k}"),
                CAMERA,
                at(2024, month, 1 + k as u32, 12, 0),
            );
            inc.location = Wgs84::new(lonlat.0, lonlat.1).unwrap();
            inc.ward = Some(WardAssignment {
                code: code.into(),
                by_tolerance: false,
            });
            incidents.push(inc);
        }
    };
    // Target ward A; 0.001° of longitude is about 70 m here.
    put("a", (-1.09, 50.79), "A", 4, 2);
    put("b-near", (-1.079, 50.79), "B", 3, 3);
    put("b-far", (-1.07, 50.79), "B", 5, 5);
    put("c", (-1.05, 50.79), "C", 10, 10);
    let snap = Snapshot::build(SnapshotInput {
        version: 1,
        incidents,
        wards: vec![ward("A", -1.10), ward("B", -1.08), ward("C", -1.06)],
        ..SnapshotInput::default()
    })
    .unwrap();
    let base = [
        ("ward", "A"),
        ("date", "2024-03-01"),
        ("before-months", "2"),
    ];
    let mut pairs = base.to_vec();
    pairs.push(("control-ward", "Ward C"));
    let r = run(&snap, &pairs);
    assert_eq!((r.target.before, r.target.after), (4, 2));
    assert_eq!((r.buffer.before, r.buffer.after), (3, 3));
    assert_eq!((r.control.before, r.control.after), (10, 10));
    // SM = 2/10 − 4/10 = −0.2; BDM = 3/10 − 3/10 = 0; WDQ = 0: neither.
    close(r.wdq.success_measure.unwrap(), -0.2);
    close(r.wdq.wdq.unwrap(), 0.0);
    assert_eq!(r.wdq.reading, Reading::Neither);
    // Default control: the rest of the study area (B beyond the buffer, and C).
    let r = run(&snap, &base);
    assert_eq!((r.control.before, r.control.after), (15, 15));
    assert_eq!(
        r.json(&snap)["parameters"]["target"]["wards"][0]["code"],
        "A"
    );
}
