//! A deterministic synthetic Portsmouth: wards, populations, licensed venues, cameras, match
//! days, two years of incident logs with planted hot spots and their ground truth, and
//! police.uk-format rows, all from fixed seeds.
//!
//! [`write_fixtures`] writes the committed `fixtures/` folder (`cargo run --bin make-fixtures`);
//! [`write_police_uk_rows`] streams any number of police.uk rows over the same city for benches.
//!
//! ## Files
//! | file | what |
//! |---|---|
//! | `wards.geojson` | 14 wards (`code`, `name`), hand-drawn approximation; Hilsea and Nelson have islets |
//! | `ward-population.csv` | `code,name,population` (208 000 in all) |
//! | `venues.csv`, `cameras.csv`, `events.csv` | licensed premises, CCTV, home-match days |
//! | `incidents-log.csv` + `.toml` | 2023–2024 incident log with local categories and its mapping |
//! | `incidents-bng.csv` + `.toml` | a few hundred rows in British National Grid metres |
//! | `police-uk/2024-12-synthetic-street.csv` | December 2024 in police.uk's street-level format |
//! | `ground-truth.json` | the planted patterns and where they must (not) be hot |

mod geography;
mod log;
mod patterns;
mod places;
mod police_uk;
mod truth;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;
use serde_json::json;

use crate::domain::Wgs84;

pub use geography::{SynthWard, wards};
pub use patterns::Window;
pub use police_uk::{HEADER as POLICE_UK_HEADER, MAX_STREAM_ROWS, write_police_uk_rows};

use geography::{addresses, map_points, nearest_point};
use log::{CATEGORIES, Callers, Clock, LogRow, When};
use police_uk::PublishedRow;

/// The seed every fixture is drawn from; each file uses `FIXTURE_SEED` plus its own offset,
/// so changing one file's generator leaves the others' bytes alone.
pub const FIXTURE_SEED: u64 = 20_230_101;

/// Background (unplanted) incidents in the log.
const BACKGROUND_ROWS: usize = 10_000;

/// What can go wrong while making fixtures.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// A fixture file could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The stream's writer failed.
    #[error("cannot write police.uk rows: {0}")]
    Stream(std::io::Error),
    /// More rows asked for than the stream allows.
    #[error("{n} rows asked for; at most {max} can be streamed")]
    TooManyRows {
        /// Rows asked for.
        n: usize,
        /// The cap.
        max: usize,
    },
    /// A generated position has no H3 cell or grid position (a generator bug).
    #[error("generated position ({lon}, {lat}) is not valid: {reason}")]
    Position {
        /// Longitude.
        lon: f64,
        /// Latitude.
        lat: f64,
        /// Why.
        reason: String,
    },
    /// The ground truth could not be serialised.
    #[error("cannot serialise the ground truth: {0}")]
    Json(#[from] serde_json::Error),
}

fn write(dir: &Path, rel: &str, bytes: &[u8]) -> Result<(), SynthError> {
    let path = dir.join(rel);
    let io = |source| SynthError::Io {
        path: path.clone(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::write(&path, bytes).map_err(io)
}

fn rng(offset: u64) -> Pcg64Mcg {
    Pcg64Mcg::seed_from_u64(FIXTURE_SEED + offset)
}

fn round5(x: f64) -> f64 {
    (x * 1e5).round() / 1e5
}

/// The study period of the log.
pub fn period() -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(2023, 1, 1).expect("2023-01-01 is a date"),
        NaiveDate::from_ymd_opt(2024, 12, 31).expect("2024-12-31 is a date"),
    )
}

fn wards_geojson(wards: &[SynthWard]) -> Result<String, SynthError> {
    let features: Vec<_> = wards
        .iter()
        .map(|w| {
            let polys: Vec<Vec<Vec<[f64; 2]>>> = w
                .boundary
                .0
                .iter()
                .map(|p| vec![p.exterior().coords().map(|c| [c.x, c.y]).collect()])
                .collect();
            let geometry = if polys.len() == 1 {
                json!({"type": "Polygon", "coordinates": polys[0]})
            } else {
                json!({"type": "MultiPolygon", "coordinates": polys})
            };
            json!({
                "type": "Feature",
                "properties": {"code": w.code, "name": w.name},
                "geometry": geometry,
            })
        })
        .collect();
    let fc = json!({"type": "FeatureCollection", "features": features});
    Ok(serde_json::to_string_pretty(&fc)? + "\n")
}

fn fmt_date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Writes every fixture file into `dir` (created if missing); the same bytes every run.
///
/// # Parameters
/// - `dir`: the fixtures folder, e.g. `fixtures/`.
///
/// # Returns
/// `Ok(())`, or the first file that could not be written.
///
/// # Algorithm
/// 1. Build the wards from the vertex table, the 60 m street grid of addresses and the ~400
///    anonymous map points.
/// 2. Draw venues, cameras and home-match days; write them.
/// 3. Draw 10 000 background log rows (population-weighted wards, category rhythms), plant
///    patterns (a)–(g), round positions to 5 decimals, sort by time and number the rows.
/// 4. Write the log and its mapping, the ground truth (cells via `h3o`), December 2024 as a
///    police.uk file (snapped, plus a few Fareham rows), and March 2024 in BNG (OSTN15).
///
/// # Notes
/// About a second in a debug build; `fixtures/` stays near 1.3 MB.
pub fn write_fixtures(dir: &Path) -> Result<(), SynthError> {
    let wards = wards();
    let addresses = addresses(&wards);
    let points = map_points(&wards);
    let (from, to) = period();

    // Wards and populations.
    write(dir, "wards.geojson", wards_geojson(&wards)?.as_bytes())?;
    let mut pop = String::from("code,name,population\n");
    for w in &wards {
        let _ = writeln!(pop, "{},{},{}", w.code, w.name, w.population);
    }
    write(dir, "ward-population.csv", pop.as_bytes())?;

    // Venues, cameras, events.
    let venues = places::venues(&mut rng(1), &addresses);
    let mut s = String::from("id,name,kind,lat,lon,opens,closes\n");
    for v in &venues {
        let _ = writeln!(
            s,
            "{},{},{},{:.6},{:.6},{},{}",
            v.id, v.name, v.kind, v.lat, v.lon, v.opens, v.closes
        );
    }
    write(dir, "venues.csv", s.as_bytes())?;
    let mut s = String::from("id,lat,lon,radius_m,kind\n");
    for c in places::cameras() {
        let _ = writeln!(
            s,
            "{},{:.6},{:.6},{},{}",
            c.id, c.lat, c.lon, c.radius_m, c.kind
        );
    }
    write(dir, "cameras.csv", s.as_bytes())?;
    let match_days = places::match_days(from, to);
    let mut s = String::from("date,name\n");
    for d in &match_days {
        let _ = writeln!(
            s,
            "{},Portsmouth FC home match (Fratton Park)",
            d.format("%Y-%m-%d")
        );
    }
    write(dir, "events.csv", s.as_bytes())?;

    // The log.
    let clock = Clock::new(from, to);
    let mut callers = Callers::default();
    let venue_spots: Vec<(f64, f64, &'static str)> = venues
        .iter()
        .filter(|v| v.kind != "off-licence")
        .map(|v| (v.lon, v.lat, v.street))
        .collect();
    let mut rows = log::background(
        &mut rng(2),
        BACKGROUND_ROWS,
        &clock,
        &wards,
        &addresses,
        &venue_spots,
        &mut callers,
    );
    let planted = patterns::plant(
        &mut rng(3),
        &clock,
        from,
        to,
        &match_days,
        &addresses,
        &mut callers,
    );
    rows.extend(planted.rows);
    // A night that starts on the last evening may run past the period: keep the period closed.
    rows.retain(|r| r.when.start().date() <= to);
    for r in &mut rows {
        r.lon = round5(r.lon);
        r.lat = round5(r.lat);
    }
    rows.sort_by(|a, b| {
        a.when
            .start()
            .cmp(&b.when.start())
            .then(a.when.cmp(&b.when))
            .then(a.cat.cmp(&b.cat))
            .then(a.lon.total_cmp(&b.lon))
            .then(a.lat.total_cmp(&b.lat))
    });
    let mut seq = BTreeMap::new();
    let rows: Vec<(String, LogRow)> = rows
        .into_iter()
        .map(|r| {
            let year = r.when.start().year();
            let n = seq.entry(year).or_insert(0_u32);
            *n += 1;
            (format!("{:02}-{:06}", year % 100, *n), r)
        })
        .collect();

    let mut s = String::with_capacity(rows.len() * 90);
    s.push_str(log::LOG_HEADER);
    s.push('\n');
    for (id, r) in &rows {
        let (date, time, f, t) = match r.when {
            When::At(at) => (
                fmt_date(at.date()),
                at.format("%H:%M").to_string(),
                String::new(),
                String::new(),
            ),
            When::Span(a, b) => (
                String::new(),
                String::new(),
                a.format("%d/%m/%Y %H:%M").to_string(),
                b.format("%d/%m/%Y %H:%M").to_string(),
            ),
        };
        let _ = writeln!(
            s,
            "{id},{date},{time},{f},{t},{:.5},{:.5},{},{},{},{}",
            r.lat,
            r.lon,
            CATEGORIES[r.cat].code,
            if r.alcohol { "Y" } else { "N" },
            r.street,
            r.caller.map(|c| format!("C{c:06}")).unwrap_or_default(),
        );
    }
    write(dir, "incidents-log.csv", s.as_bytes())?;
    write(dir, "incidents-log.toml", log::log_mapping().as_bytes())?;

    // Ground truth.
    let truth = truth::ground_truth(&planted.plans, &rows, &wards)?;
    write(dir, "ground-truth.json", truth.as_bytes())?;

    // December 2024 as police.uk publishes it.
    let mut published: Vec<PublishedRow> = rows
        .iter()
        .filter(|(_, r)| {
            let t = r.when.start();
            t.year() == 2024 && t.month() == 12
        })
        .map(|(_, r)| PublishedRow {
            crime_type: CATEGORIES[r.cat].crime_type,
            point: nearest_point(&points, r.lon, r.lat),
            month: "2024-12".to_owned(),
        })
        .collect();
    published.sort_by_key(|p| (p.point, p.crime_type));
    let fareham: Vec<usize> = (0..points.len())
        .filter(|&i| points[i].ward.is_none())
        .collect();
    let mut r4 = rng(4);
    for _ in 0..12 {
        let t = CATEGORIES[r4.random_range(0..CATEGORIES.len())].crime_type;
        let point = fareham[r4
            .random_range(0..fareham.len().max(1))
            .min(fareham.len().saturating_sub(1))];
        published.push(PublishedRow {
            crime_type: t,
            point,
            month: "2024-12".to_owned(),
        });
    }
    let mut buf = Vec::new();
    police_uk::write_month(&published, &points, FIXTURE_SEED + 5, &mut buf).map_err(|source| {
        SynthError::Io {
            path: dir.join("police-uk"),
            source,
        }
    })?;
    write(dir, "police-uk/2024-12-synthetic-street.csv", &buf)?;

    // March 2024 (every second row) in British National Grid metres.
    let mut s = String::from("ref,reported_at,easting,northing,category,alcohol,street\n");
    let march = rows.iter().filter(|(_, r)| {
        let t = r.when.start();
        matches!(r.when, When::At(_)) && t.year() == 2024 && t.month() == 3
    });
    for (id, r) in march.step_by(2) {
        let bad = |reason: String| SynthError::Position {
            lon: r.lon,
            lat: r.lat,
            reason,
        };
        let bng = Wgs84::new(r.lon, r.lat)
            .and_then(Wgs84::to_bng)
            .map_err(|e| bad(e.to_string()))?;
        let _ = writeln!(
            s,
            "{id},{},{:.1},{:.1},{},{},{}",
            r.when.start().format("%Y-%m-%dT%H:%M:%S"),
            bng.easting_m,
            bng.northing_m,
            CATEGORIES[r.cat].code,
            if r.alcohol { "Y" } else { "N" },
            r.street,
        );
    }
    write(dir, "incidents-bng.csv", s.as_bytes())?;
    write(dir, "incidents-bng.toml", log::bng_mapping().as_bytes())?;

    write(dir, "README.md", readme(rows.len(), &match_days).as_bytes())
}

fn readme(n_rows: usize, match_days: &[NaiveDate]) -> String {
    format!(
        "# Fixtures: a synthetic Portsmouth\n\
\n\
Made by `cargo run --bin make-fixtures` (library: `hotspot::synth::write_fixtures`) from seed\n\
{FIXTURE_SEED} (each file draws from `{FIXTURE_SEED} + k`: venues 1, background log 2, planted\n\
patterns 3, Fareham rows 4, police.uk ids and outcomes 5). Do not edit by hand: the test\n\
`tests/fixtures.rs` regenerates everything and requires byte equality. Nothing here is copied\n\
from a real data set; the ward shapes are a hand-drawn approximation, populations plausible\n\
round figures (208,000 in all), venues, cameras, incidents and LSOA codes invented.\n\
\n\
| file | what |\n\
|---|---|\n\
| `wards.geojson` | 14 wards, properties `code`, `name`; Portsea Island (west: harbour, south: Solent, east: Langstone Harbour) and the mainland strip (Paulsgrove, Cosham, Drayton and Farlington). Shared edges use identical vertices; Hilsea (islet in Ports Creek) and Nelson (Whale Island) are MultiPolygons. |\n\
| `ward-population.csv` | `code,name,population` |\n\
| `venues.csv` | `id,name,kind,lat,lon,opens,closes`: 100 licensed premises, clustered on Guildhall Walk, Albert Road and Gunwharf Quays, plus 30 pubs and off-licences elsewhere |\n\
| `cameras.csv` | `id,lat,lon,radius_m,kind`: 8 fixed, 2 mobile |\n\
| `events.csv` | `date,name`: {} home-match days at Fratton Park, 2023-01-01..2024-12-31 |\n\
| `incidents-log.csv` | {n_rows} incidents 2023-01-01..2024-12-31: `ref,date,time,from,to,lat,lon,category,alcohol,street,caller_ref`; date `dd/mm/yyyy`, time `HH:MM`; rows with an uncertain time (criminal damage, theft from vehicle) leave `date`/`time` empty and give `from`/`to` as `dd/mm/yyyy HH:MM` |\n\
| `incidents-log.toml` | its column mapping and `[categories]` (local codes to group slugs or police.uk types) |\n\
| `incidents-bng.csv` + `.toml` | every second March 2024 row in British National Grid (`easting`,`northing`, OSTN15) with ISO `reported_at` |\n\
| `police-uk/2024-12-synthetic-street.csv` | December 2024 in police.uk's 12-column format (CRLF), snapped to ~400 anonymous map points, plus 12 rows in Fareham just outside the city |\n\
| `ground-truth.json` | the planted patterns (a)-(g): centre, radius, ward, H3 res-9 cells, days, hours, categories, dates, rows, windows where the centre cell must and must not be a 99 % Gi* hot spot, chains and repeat locations |\n\
\n\
## Planted patterns\n\
(a) Guildhall Walk, Fri+Sat 22:00-03:00 night-time violence/disorder/ASB, mostly alcohol-related;\n\
(b) Albert Road, Saturday 23:00-02:00; (c) Commercial Road precinct, daily 10:00-17:00 shoplifting\n\
and ASB; (d) a Paulsgrove park, ASB from July 2024 growing every month; (e) Fratton Park on\n\
match days 17:00-23:00; (f) 60 near-repeat burglary chains (1-3 more within 200 m and 7 days);\n\
(g) four repeat locations, each with one repeat caller (3-6 reports within 170 days).\n\
\n\
For benchmarks, `cargo run --bin make-fixtures -- --police-uk-rows 1000000 --seed 1 > big.csv`\n\
(library: `hotspot::synth::write_police_uk_rows`) streams any number of police.uk rows over the\n\
same city and map points: about 25 % ASB, 9 % byte-identical repeats, months 2023-01..2024-12.\n\
\n\
Background: 10,000 incidents over the wards in proportion to population, at 60 m street-grid\n\
addresses with 5 m jitter, with category rhythms (ASB evenings, violence Fri/Sat nights,\n\
shoplifting in shop hours) and a summer peak.\n",
        match_days.len()
    )
}
