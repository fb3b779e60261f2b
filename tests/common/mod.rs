//! Helpers shared by the integration tests.
#![allow(dead_code, reason = "each test file uses a different subset")]

use std::path::PathBuf;

pub mod http;

/// A path inside the shared folder (`HOTSPOT_SHARED`, else `../shared` beside the repo,
/// else `/work/shared`).
pub fn shared(rel: &str) -> PathBuf {
    let base = std::env::var_os("HOTSPOT_SHARED")
        .map(PathBuf::from)
        .or_else(|| {
            let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
            p.is_dir().then_some(p)
        })
        .unwrap_or_else(|| PathBuf::from("/work/shared"));
    base.join(rel)
}

/// The real Portsmouth wards, with their Census 2021 populations when `population`.
pub fn real_wards(population: bool) -> Vec<hotspot::domain::Ward> {
    use hotspot::ingest::{
        Limits, WardFields, attach_population, read_population_file, read_wards_file,
    };
    let limits = Limits::default();
    let mut wards = read_wards_file(
        &shared("realdata/boundaries/portsmouth-wards-2013.geojson"),
        &WardFields::default(),
        &limits,
    )
    .unwrap();
    if population {
        let pop = read_population_file(
            &shared("realdata/population/portsmouth-ward-population-census2021.csv"),
            None,
            None,
            &limits,
        )
        .unwrap();
        assert_eq!(attach_population(&mut wards, &pop).matched, 14);
    }
    wards
}

/// A fresh store (kept on disk, at the returned path) with the real Portsmouth wards (tolerance
/// 100 m, authority Portsmouth, as `hotspot import wards --authority Portsmouth`) and the real
/// Hampshire police.uk files whose name contains `months` (e.g. `2017-`; `""` for all), each
/// file's rows kept where `keep` says so.
pub fn real_portsmouth(
    months: &str,
    keep: impl Fn(&hotspot::domain::Incident) -> bool,
) -> (PathBuf, hotspot::workspace::Workspace) {
    real_portsmouth_with(real_wards(false), months, keep)
}

/// [`real_portsmouth`] with the given wards.
pub fn real_portsmouth_with(
    wards: Vec<hotspot::domain::Ward>,
    months: &str,
    keep: impl Fn(&hotspot::domain::Incident) -> bool,
) -> (PathBuf, hotspot::workspace::Workspace) {
    use hotspot::index::WardRules;
    use hotspot::ingest::{Limits, expand_police_uk_paths, read_police_uk_file};
    use hotspot::store::Provenance;
    use hotspot::workspace::Workspace;

    let store = tempfile::tempdir().unwrap().keep().join("real.gpkg");
    let limits = Limits::default();
    let mut ws = Workspace::open(&store).unwrap();
    ws.import_wards(
        &wards,
        WardRules {
            tolerance_m: 100.0,
            authority: Some("Portsmouth".into()),
        },
    )
    .unwrap();
    let files = expand_police_uk_paths(&[shared("realdata/police-uk/hampshire")]).unwrap();
    let batches = files
        .iter()
        .filter(|f| f.to_string_lossy().contains(months))
        .map(|f| {
            let mut p = read_police_uk_file(f, &limits).unwrap();
            p.items.retain(|i| keep(i));
            (p.items, p.report)
        })
        .collect();
    ws.ingest(batches, false, &Provenance::now(vec!["hampshire".into()]))
        .unwrap();
    (store, ws)
}
