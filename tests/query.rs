//! The analysis requests end to end on a hand-built snapshot with a planted night-time cluster.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use geo::{MultiPolygon, polygon};
use hotspot::domain::{Category, CrimeType, Incident, IncidentTime, Month, Source, Ward, Wgs84};
use hotspot::index::{Snapshot, SnapshotInput, WardIndex, WardRules};
use hotspot::query::{
    DensityRequest, EmergingRequest, HotspotRequest, ParamBag, QueryError, StatsRequest,
    run_density, run_emerging, run_hotspots, run_stats,
};
use rand::{Rng, SeedableRng};

const PLANT: (f64, f64) = (-1.0915, 50.7985);

fn ward(code: &str, name: &str, x0: f64, x1: f64) -> Ward {
    Ward {
        code: code.into(),
        name: name.into(),
        boundary: MultiPolygon::new(vec![polygon![
            (x: x0, y: 50.780), (x: x1, y: 50.780), (x: x1, y: 50.815), (x: x0, y: 50.815), (x: x0, y: 50.780)
        ]]),
        population: Some(10_000),
    }
}

fn at(local: NaiveDateTime) -> IncidentTime {
    IncidentTime::at_local(local).unwrap()
}

/// Background incidents uniformly in space and time over 2023–2024, a Friday/Saturday-night
/// cluster at PLANT (22:00–02:00), and a month-only police.uk row.
fn snapshot() -> Snapshot {
    let wards = vec![
        ward("W1", "West", -1.110, -1.085),
        ward("W2", "East", -1.085, -1.060),
    ];
    let index = WardIndex::new(&wards, WardRules::default()).unwrap();
    let mut rng = rand_pcg::Pcg64::seed_from_u64(7);
    let start = NaiveDate::from_ymd_opt(2023, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let mut incidents = Vec::new();
    let push =
        |incidents: &mut Vec<Incident>, lon: f64, lat: f64, time: IncidentTime, ct: CrimeType| {
            let location = Wgs84::new(lon, lat).unwrap();
            let ward = index.assign(location, None);
            incidents.push(Incident {
                id: format!("i{}", incidents.len()),
                source: Source::Log,
                category: Category::of_type(ct),
                time,
                location,
                lsoa: None,
                location_desc: None,
                ward,
                alcohol: None,
                victim_hash: None,
            });
        };
    for _ in 0..3000 {
        let lon = rng.random_range(-1.109..-1.061);
        let lat = rng.random_range(50.781..50.814);
        let minutes = rng.random_range(0..(730 * 1440));
        let t = start + Duration::minutes(minutes);
        push(
            &mut incidents,
            lon,
            lat,
            at(t),
            CrimeType::AntiSocialBehaviour,
        );
    }
    // The planted cluster: every Friday and Saturday night of 2024, 3 incidents between 22:00
    // and 02:00 within ~40 m of PLANT.
    let mut day = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    while day.year() == 2024 {
        if matches!(day.weekday(), chrono::Weekday::Fri | chrono::Weekday::Sat) {
            for _ in 0..3 {
                let t = day.and_hms_opt(22, 0, 0).unwrap()
                    + Duration::minutes(rng.random_range(0..240));
                let (dx, dy) = (
                    rng.random_range(-0.0004..0.0004),
                    rng.random_range(-0.0003..0.0003),
                );
                push(
                    &mut incidents,
                    PLANT.0 + dx,
                    PLANT.1 + dy,
                    at(t),
                    CrimeType::ViolenceAndSexualOffences,
                );
            }
        }
        day = day.succ_opt().unwrap();
    }
    push(
        &mut incidents,
        -1.07,
        50.79,
        IncidentTime::Month {
            month: Month::new(2024, 3).unwrap(),
        },
        CrimeType::AntiSocialBehaviour,
    );
    Snapshot::build(SnapshotInput {
        incidents,
        wards,
        ..Default::default()
    })
    .unwrap()
}

fn bag(pairs: &[(&str, &str)]) -> ParamBag {
    ParamBag::new(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string()))).unwrap()
}

fn plant_cell_bin(snap: &Snapshot, pairs: &[(&str, &str)]) -> i8 {
    let mut b = bag(pairs);
    let req = HotspotRequest::from_params(&mut b, snap, None).unwrap();
    b.finish(&[]).unwrap();
    let res = run_hotspots(snap, &req).unwrap();
    let cell = h3o::LatLng::new(PLANT.1, PLANT.0)
        .unwrap()
        .to_cell(res.resolution);
    let i = res
        .position(cell)
        .expect("the planted cell is in the study area");
    res.gi.cells[i].bin
}

#[test]
fn local_moran_second_opinion_is_carried_on_every_cell() {
    let snap = snapshot();
    let mut b = bag(&[
        ("from", "2024-01"),
        ("to", "2024-12"),
        ("preset", "nte"),
        ("permutations", "199"),
    ]);
    let req = HotspotRequest::from_params(&mut b, &snap, None).unwrap();
    let res = run_hotspots(&snap, &req).unwrap();
    let cell = h3o::LatLng::new(PLANT.1, PLANT.0)
        .unwrap()
        .to_cell(res.resolution);
    let i = res.position(cell).unwrap();
    let lisa = res.lisa.as_ref().expect("computed with permutations");
    let cells = res.json(&snap)["cells"].clone();
    for (j, f) in cells.as_array().unwrap().iter().enumerate() {
        let l = &lisa.cells[j];
        assert_eq!(f["lisa_p"].as_f64(), Some(l.p_sim));
        match l.label {
            Some(q) => {
                assert_eq!(f["lisa"], q.as_str());
                assert!(l.p_sim <= 0.05);
            }
            None => assert!(f["lisa"].is_null() && l.p_sim > 0.05),
        }
    }
    // The planted spike is a high value; its quadrant is HH or HL (high among low neighbours).
    let q = lisa.cells[i].quadrant.as_str();
    assert!(q == "HH" || q == "HL", "{q}");
    // Without permutations there is no pseudo p, so no label.
    let mut b = bag(&[
        ("from", "2024-01"),
        ("to", "2024-12"),
        ("preset", "nte"),
        ("permutations", "0"),
    ]);
    let req = HotspotRequest::from_params(&mut b, &snap, None).unwrap();
    let res = run_hotspots(&snap, &req).unwrap();
    assert!(res.json(&snap)["cells"][i]["lisa"].is_null());
}

#[test]
fn planted_night_cluster_is_hot_at_night_and_not_by_day() {
    let snap = snapshot();
    let night = [
        ("from", "2024-01"),
        ("to", "2024-12"),
        ("preset", "nte"),
        ("permutations", "99"),
    ];
    assert_eq!(plant_cell_bin(&snap, &night), 3);
    let day = [
        ("from", "2024-01"),
        ("to", "2024-12"),
        ("preset", "daytime"),
        ("permutations", "99"),
    ];
    assert!(plant_cell_bin(&snap, &day) < 1);
}

#[test]
fn hotspot_outputs_carry_parameters_summary_and_left_out_rows() {
    let snap = snapshot();
    let mut b = bag(&[
        ("from", "2024-01"),
        ("to", "2024-12"),
        ("preset", "nte"),
        ("ward", "west"),
        ("permutations", "0"),
    ]);
    let req = HotspotRequest::from_params(&mut b, &snap, None).unwrap();
    let res = run_hotspots(&snap, &req).unwrap();
    let g = res.geojson(&snap);
    assert_eq!(g["parameters"]["k"], 1);
    assert_eq!(g["parameters"]["resolution"], 9);
    assert_eq!(g["parameters"]["wards"][0]["code"], "W1");
    assert_eq!(
        g["summary"]["left_out_month_only"], 0,
        "the month-only row is in the other ward"
    );
    let f = &g["features"][0]["properties"];
    for key in [
        "cell",
        "count",
        "z",
        "p",
        "p_sim",
        "bin",
        "neighbours",
        "lisa",
        "lisa_p",
    ] {
        assert!(f.get(key).is_some(), "{key}");
    }
    assert!(f["p_sim"].is_null());
    let total: f64 = res.counts.counts.iter().sum();
    assert_eq!(g["summary"]["total"], total);
    // Every cell of the study area is in the output, zeros included.
    assert_eq!(
        g["features"].as_array().unwrap().len(),
        res.counts.cells.len()
    );
    assert!(res.counts.counts.contains(&0.0));
    let csv = res.csv();
    assert_eq!(csv.lines().count(), res.counts.cells.len() + 1);

    let mut b = bag(&[("preset", "nte")]);
    let req = HotspotRequest::from_params(&mut b, &snap, None).unwrap();
    let res = run_hotspots(&snap, &req).unwrap();
    assert_eq!(res.selected.left_out_month_only, 1);
}

#[test]
fn bad_parameters_name_themselves() {
    let snap = snapshot();
    for (pairs, parameter) in [
        (vec![("resolution", "12")], "resolution"),
        (vec![("k", "4")], "k"),
        (vec![("from", "2024-13")], "from"),
        (vec![("ward", "Nowhere")], "ward"),
        (vec![("permutations", "10000")], "permutations"),
        (vec![("inference", "bayes")], "inference"),
        (vec![("hours", "25:00-04:00")], "hours"),
    ] {
        let mut b = bag(&pairs);
        let err = HotspotRequest::from_params(&mut b, &snap, None).unwrap_err();
        assert_eq!(err.parameter, parameter, "{pairs:?}: {err}");
    }
    let mut b = bag(&[("ward", "Nowhere")]);
    let err = HotspotRequest::from_params(&mut b, &snap, None).unwrap_err();
    assert!(err.message.contains("West (W1)"), "{err}");
    let mut b = bag(&[("colour", "red")]);
    HotspotRequest::from_params(&mut b, &snap, None).unwrap();
    assert_eq!(b.finish(&["resolution"]).unwrap_err().parameter, "colour");
    // A window that selects nothing says why.
    let mut b = bag(&[("from", "2030-01"), ("to", "2030-02")]);
    let req = HotspotRequest::from_params(&mut b, &snap, None).unwrap();
    assert!(matches!(
        run_hotspots(&snap, &req),
        Err(QueryError::Empty(_))
    ));
}

#[test]
fn stats_by_hour_spread_and_totals() {
    let snap = snapshot();
    let mut b = bag(&[
        ("from", "2024-01"),
        ("to", "2024-12"),
        ("preset", "nte"),
        ("by", "hour"),
        ("category", "violence"),
    ]);
    let req = StatsRequest::from_params(&mut b, &snap, None).unwrap();
    let res = run_stats(&snap, &req).unwrap();
    // Only the planted cluster is violence: 104 or 105 nights x 3, all between 22:00 and 02:00.
    let nights = (1..=366)
        .filter_map(|d| NaiveDate::from_yo_opt(2024, d))
        .filter(|d| matches!(d.weekday(), chrono::Weekday::Fri | chrono::Weekday::Sat))
        .count();
    assert_eq!(res.total, (3 * nights) as f64);
    let j = res.json(&snap);
    for row in j["rows"].as_array().unwrap() {
        let h = row["hour"].as_i64().unwrap();
        assert!(!(2..22).contains(&h), "hour {h}");
    }
    let mut b = bag(&[("by", "ward,month")]);
    let req = StatsRequest::from_params(&mut b, &snap, None).unwrap();
    let res = run_stats(&snap, &req).unwrap();
    assert_eq!(res.total, snap.incidents.len() as f64);
    let j = res.json(&snap);
    let row = &j["rows"][0];
    assert_eq!(
        row["rate_per_1000"].as_f64().unwrap(),
        row["count"].as_f64().unwrap() / 10.0
    );
}

#[test]
fn emerging_and_density_run_on_the_same_selection() {
    let snap = snapshot();
    let mut b = bag(&[
        ("from", "2023-01"),
        ("to", "2024-12"),
        ("category", "violence,asb"),
        ("preset", "nte"),
    ]);
    let req = EmergingRequest::from_params(&mut b, &snap, None).unwrap();
    let res = run_emerging(&snap, &req).unwrap();
    assert_eq!(res.step_labels.len(), 24);
    let cell = h3o::LatLng::new(PLANT.1, PLANT.0)
        .unwrap()
        .to_cell(res.resolution);
    let i = res
        .locations
        .iter()
        .position(|&l| res.counts.cells[l] == cell)
        .unwrap();
    let pattern = res.emerging.locations[i].pattern.label();
    // Nothing there in 2023, hot every month of 2024: a new/consecutive hot spot.
    assert!(
        [
            "New Hot Spot",
            "Consecutive Hot Spot",
            "Intensifying Hot Spot"
        ]
        .contains(&pattern),
        "{pattern}"
    );
    let mut b = bag(&[
        ("from", "2024-01"),
        ("to", "2024-12"),
        ("preset", "nte"),
        ("bandwidth-m", "200"),
    ]);
    let req = DensityRequest::from_params(&mut b, &snap, None).unwrap();
    let res = run_density(&snap, &req).unwrap();
    let g = res.geojson(&snap);
    assert_eq!(g["parameters"]["bandwidth_m"], 200.0);
    let max = g["summary"]["max_density_km2"].as_f64().unwrap();
    let plant = g["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["cell"] == cell.to_string())
        .unwrap();
    assert_eq!(plant["properties"]["density_km2"].as_f64().unwrap(), max);
}
