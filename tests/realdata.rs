//! The real Hampshire months and Portsmouth wards (`../shared/realdata`), end to end: every row
//! accounted for, the ward assignment the issue states, a re-ingest that adds nothing, GDAL
//! reading the store, and Gi* equal to PySAL esda's on the real June 2017 ASB.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use hotspot::index::{Snapshot, WardRules};
use hotspot::ingest::{
    Limits, WardFields, attach_population, expand_police_uk_paths, read_police_uk_file,
    read_population_file, read_wards_file,
};
use hotspot::query::{HotspotRequest, ParamBag, run_hotspots};
use hotspot::store::Provenance;
use hotspot::workspace::{IngestSummary, Workspace};

struct Loaded {
    store: PathBuf,
    first: IngestSummary,
    second: IngestSummary,
    snapshot: Snapshot,
}

fn loaded() -> &'static Loaded {
    static LOADED: OnceLock<Loaded> = OnceLock::new();
    LOADED.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let store = dir.join("real.gpkg");
        let limits = Limits::default();
        let mut ws = Workspace::open(&store).unwrap();
        let mut wards = read_wards_file(
            &common::shared("realdata/boundaries/portsmouth-wards-2013.geojson"),
            &WardFields::default(),
            &limits,
        )
        .unwrap();
        let pop = read_population_file(
            &common::shared("realdata/population/portsmouth-ward-population-census2021.csv"),
            None,
            None,
            &limits,
        )
        .unwrap();
        assert_eq!(attach_population(&mut wards, &pop).matched, 14);
        ws.import_wards(
            &wards,
            WardRules {
                tolerance_m: 100.0,
                authority: Some("Portsmouth".into()),
            },
        )
        .unwrap();
        let files =
            expand_police_uk_paths(&[common::shared("realdata/police-uk/hampshire")]).unwrap();
        assert_eq!(files.len(), 9);
        let mut ingest = || {
            let batches = files
                .iter()
                .map(|f| {
                    let p = read_police_uk_file(f, &limits).unwrap();
                    (p.items, p.report)
                })
                .collect();
            ws.ingest(batches, false, &Provenance::now(vec!["hampshire".into()]))
                .unwrap()
        };
        let first = ingest();
        let second = ingest();
        let snapshot = ws.snapshot().unwrap();
        Loaded {
            store,
            first,
            second,
            snapshot,
        }
    })
}

#[test]
fn nine_months_every_row_accounted_for_and_portsmouth_rows_in_wards() {
    let l = loaded();
    assert_eq!(l.first.rows_read, 154_732);
    assert_eq!(
        l.first.added + l.first.duplicates + l.first.rejected,
        154_732
    );
    assert_eq!(l.first.rejected, 0);
    assert_eq!(l.first.added, 154_732, "identical ASB rows are kept apart");
    assert_eq!(l.first.in_wards, 26_281);
    assert_eq!(l.first.by_tolerance, 107);
    // Exactly the rows of Portsmouth's LSOAs are in its wards.
    let t = &l.snapshot.incidents;
    let mut portsmouth = 0;
    for i in 0..t.len() {
        let lsoa_is_portsmouth =
            t.lsoa[i].is_some_and(|l| t.lsoa_names[l as usize].starts_with("Portsmouth "));
        assert_eq!(
            t.ward[i].is_some(),
            lsoa_is_portsmouth,
            "incident {}",
            t.id[i]
        );
        portsmouth += usize::from(lsoa_is_portsmouth);
    }
    assert_eq!(portsmouth, 26_388);
    // A second ingest of the same files adds nothing.
    assert_eq!(l.second.added, 0);
    assert_eq!(l.second.duplicates, 154_732);
    assert_eq!(t.len(), 154_732);
}

#[test]
fn ogrinfo_reads_the_store() {
    let l = loaded();
    let out = Command::new("ogrinfo")
        .args(["-so", "-ro"])
        .arg(&l.store)
        .arg("incidents")
        .output()
        .expect("ogrinfo (Debian gdal-bin) must be installed: apt-get install gdal-bin");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Feature Count: 154732"), "{text}");
    assert!(text.contains("Geometry: Point"), "{text}");
    // Extent: the snapshot's own min/max longitude and latitude.
    let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
    for p in &l.snapshot.incidents.lonlat {
        lo = [lo[0].min(p[0]), lo[1].min(p[1])];
        hi = [hi[0].max(p[0]), hi[1].max(p[1])];
    }
    let line = text
        .lines()
        .find(|l| l.starts_with("Extent:"))
        .expect("an Extent line");
    let nums: Vec<f64> = line
        .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .filter_map(|s| s.parse().ok())
        .collect();
    assert_eq!(nums.len(), 4, "{line}");
    for (got, want) in nums.iter().zip([lo[0], lo[1], hi[0], hi[1]]) {
        assert!((got - want).abs() < 1e-6, "{line} vs {lo:?} {hi:?}");
    }
}

fn golden(k: u32) {
    let l = loaded();
    let path = common::shared(&format!(
        "reference/golden/portsmouth-asb-2017-06-res9-k{k}.csv"
    ));
    let mut rows: Vec<(String, f64, u32, f64)> = csv::Reader::from_path(&path)
        .unwrap()
        .deserialize()
        .map(|r| r.unwrap())
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let mut bag = ParamBag::new([
        ("from", "2017-06"),
        ("to", "2017-06"),
        ("category", "asb"),
        ("k", &k.to_string()),
        ("permutations", "0"),
    ])
    .unwrap();
    let req = HotspotRequest::from_params(&mut bag, &l.snapshot, None).unwrap();
    let res = run_hotspots(&l.snapshot, &req).unwrap();
    // Every Portsmouth ASB row of June 2017 is counted; the rest of Hampshire is outside wards.
    assert_eq!(res.counts.counts.iter().sum::<f64>(), 700.0);
    assert_eq!(
        res.counts.outside_wards,
        (res.selected.rows.len() - 700) as f64
    );
    let cells: Vec<String> = res.counts.cells.iter().map(ToString::to_string).collect();
    let want: Vec<&String> = rows.iter().map(|r| &r.0).collect();
    assert_eq!(
        cells.iter().collect::<Vec<_>>(),
        want,
        "the study area is esda's 425 cells"
    );
    let counts: Vec<f64> = rows.iter().map(|r| r.1).collect();
    let differing: Vec<_> = rows
        .iter()
        .zip(&res.counts.counts)
        .filter(|(r, c)| r.1 != **c)
        .map(|(r, c)| format!("{} {} vs esda {}", r.0, c, r.1))
        .collect();
    assert_eq!(res.counts.counts, counts, "counts differ: {differing:?}");
    for (i, (cell, _, neighbours, z)) in rows.iter().enumerate() {
        assert_eq!(res.gi.cells[i].neighbours, *neighbours, "{cell}");
        assert!(
            (res.gi.cells[i].z - z).abs() < 1e-9,
            "{cell}: {} vs esda {z}",
            res.gi.cells[i].z
        );
    }
}

#[test]
fn gi_star_equals_esda_on_real_june_2017_asb_k1() {
    golden(1);
}

#[test]
fn gi_star_equals_esda_on_real_june_2017_asb_k2() {
    golden(2);
}

#[test]
fn stats_by_lsoa_match_the_police_uk_lsoa_column() {
    use hotspot::query::{StatsRequest, run_stats};
    let l = loaded();
    let mut bag = ParamBag::new([
        ("by", "lsoa"),
        ("ward", "Charles Dickens"),
        ("category", "asb"),
    ])
    .unwrap();
    let req = StatsRequest::from_params(&mut bag, &l.snapshot, None).unwrap();
    let res = run_stats(&l.snapshot, &req).unwrap();
    let json = res.json(&l.snapshot);
    let rows = json["rows"].as_array().unwrap();
    assert!(rows.len() > 5);
    let t = &l.snapshot.incidents;
    let ward = l.snapshot.ward_by_key("Charles Dickens").unwrap() as u16;
    for row in rows {
        let code = row["lsoa"].as_str().unwrap();
        assert!(
            row["lsoa_name"]
                .as_str()
                .unwrap()
                .starts_with("Portsmouth ")
        );
        let want = (0..t.len())
            .filter(|&i| t.ward[i] == Some(ward) && t.group[i] == hotspot::domain::Group::Asb)
            .filter(|&i| t.lsoa[i].is_some_and(|x| t.lsoas.get(x) == code))
            .count();
        assert_eq!(row["count"].as_f64().unwrap(), want as f64, "{code}");
    }
}
