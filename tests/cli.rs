//! The `hotspot` binary: commands, output, exit codes 0/1/2 and one-line errors.

use std::path::Path;
use std::process::{Command, Output};

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
}

fn hotspot(store: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hotspot"))
        .arg("--store")
        .arg(store)
        .args(args)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// An error: the exit code, and exactly one line on stderr.
fn fails(out: &Output, code: i32) -> String {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout {} stderr {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let err = text(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    err
}

#[test]
fn load_the_fixture_city_and_ask_questions() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("t.gpkg");
    let f = |name: &str| fixtures().join(name).to_string_lossy().into_owned();
    let out = ok(&hotspot(
        &store,
        &[
            "import",
            "wards",
            &f("wards.geojson"),
            "--authority",
            "Portsmouth",
            "--population",
            &f("ward-population.csv"),
        ],
    ));
    assert!(
        out.contains("14 wards imported, population for 14 of them"),
        "{out}"
    );
    let out = ok(&hotspot(
        &store,
        &[
            "ingest",
            "log",
            &f("incidents-log.csv"),
            "--mapping",
            &f("incidents-log.toml"),
        ],
    ));
    assert!(
        out.contains("rows read 12547, rejected 0, stored 12547 new"),
        "{out}"
    );
    let out = ok(&hotspot(&store, &["ingest", "police-uk", &f("police-uk")]));
    assert!(
        out.contains("stored 540 new") && out.contains("12 outside every ward"),
        "{out}"
    );
    // Again: nothing new.
    let out = ok(&hotspot(
        &store,
        &["--quiet", "ingest", "police-uk", &f("police-uk")],
    ));
    assert!(out.is_empty(), "{out}");
    ok(&hotspot(&store, &["import", "venues", &f("venues.csv")]));
    ok(&hotspot(&store, &["import", "cameras", &f("cameras.csv")]));
    ok(&hotspot(
        &store,
        &["import", "mapping", "log", &f("incidents-log.toml")],
    ));

    // Stats as JSON: rows by ward sum to the total; rates per 1,000 residents.
    let json: serde_json::Value = serde_json::from_str(&ok(&hotspot(
        &store,
        &["stats", "--by", "ward", "--format", "json"],
    )))
    .unwrap();
    let sum: f64 = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["count"].as_f64().unwrap())
        .sum();
    assert_eq!(sum, json["total"].as_f64().unwrap());
    assert_eq!(sum, (12_547 + 540) as f64);
    // A table with a total line, and the month-only rows reported as left out of an hour window.
    let table = ok(&hotspot(
        &store,
        &["stats", "--by", "hour", "--preset", "nte"],
    ));
    assert!(table.lines().next().unwrap().starts_with("hour"), "{table}");
    assert!(table.contains("left out: 540 month-only rows"), "{table}");
    // Hot spots as CSV: the Guildhall Walk cell is a 99 % hot spot at night.
    let csv = ok(&hotspot(
        &store,
        &[
            "hotspots",
            "--preset",
            "nte",
            "--permutations",
            "0",
            "--format",
            "csv",
        ],
    ));
    let row = csv
        .lines()
        .find(|l| l.starts_with("891959aa293ffff"))
        .expect("Guildhall Walk cell");
    assert_eq!(row.split(',').nth(7), Some("3"), "{row}");
    // GeoJSON with parameters.
    let g: serde_json::Value = serde_json::from_str(&ok(&hotspot(
        &store,
        &[
            "emerging",
            "--category",
            "asb",
            "--from",
            "2023-01",
            "--to",
            "2024-12",
        ],
    )))
    .unwrap();
    assert_eq!(g["parameters"]["steps"].as_array().unwrap().len(), 24);
    let d: serde_json::Value = serde_json::from_str(&ok(&hotspot(
        &store,
        &["density", "--preset", "nte", "--format", "json"],
    )))
    .unwrap();
    assert!(d["summary"]["max_density_km2"].as_f64().unwrap() > 0.0);

    // Bad input: exit 2 and one line naming the flag.
    let err = fails(&hotspot(&store, &["hotspots", "--resolution", "12"]), 2);
    assert!(err.contains("--resolution"), "{err}");
    let err = fails(&hotspot(&store, &["stats", "--ward", "Atlantis"]), 2);
    assert!(err.contains("Charles Dickens (E05002443)"), "{err}");
    let err = fails(&hotspot(&store, &["stats", "--hours", "25:00-04:00"]), 2);
    assert!(err.contains("--hours"), "{err}");
    let err = fails(&hotspot(&store, &["hotspots", "--format", "shp"]), 2);
    assert!(err.contains("--format"), "{err}");
}

#[test]
fn malformed_files_and_strict_mode() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("t.gpkg");
    let csv = dir.path().join("2017-05-hampshire-street.csv");
    std::fs::write(
        &csv,
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n\
         ,2017-05,Hampshire Constabulary,Hampshire Constabulary,-1.09,50.79,On or near A Road,E01017013,Portsmouth 012A,Anti-social behaviour,,\n\
         ,2017-05,Hampshire Constabulary,Hampshire Constabulary,-1.09,51.5x,On or near B Road,E01017013,Portsmouth 012A,Anti-social behaviour,,\n",
    )
    .unwrap();
    // Strict: nothing stored, exit 2, one line.
    let out = hotspot(
        &store,
        &[
            "--quiet",
            "ingest",
            "police-uk",
            "--strict",
            csv.to_str().unwrap(),
        ],
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("2017-05-hampshire-street.csv:3: Latitude \"51.5x\" is not a number"),
        "{err}"
    );
    // Default: the good row is stored, the bad one reported with file, line and field.
    let out = hotspot(&store, &["ingest", "police-uk", csv.to_str().unwrap()]);
    let all = text(&out.stdout) + &text(&out.stderr);
    assert!(out.status.success(), "{all}");
    assert!(all.contains("stored 1 new"), "{all}");
    assert!(
        all.contains("2017-05-hampshire-street.csv:3: Latitude \"51.5x\" is not a number"),
        "{all}"
    );
    // A missing file: exit 2, one line naming it.
    let err = fails(
        &hotspot(
            &store,
            &[
                "ingest",
                "log",
                "/nonexistent.csv",
                "--mapping",
                "/nonexistent.toml",
            ],
        ),
        2,
    );
    assert!(err.contains("nonexistent"), "{err}");
    // Not a store: exit 1 (the store, not the user's flags, is at fault), one line.
    let not_store = dir.path().join("notes.txt");
    std::fs::write(&not_store, "hello").unwrap();
    let err = fails(&hotspot(&not_store, &["stats"]), 1);
    assert!(err.starts_with("hotspot: "), "{err}");
}

#[test]
fn help_lists_every_command() {
    let out = Command::new(env!("CARGO_BIN_EXE_hotspot"))
        .arg("--help")
        .output()
        .unwrap();
    let help = ok(&out);
    for cmd in [
        "ingest", "import", "stats", "hotspots", "emerging", "density", "serve",
    ] {
        assert!(help.contains(cmd), "{cmd}: {help}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_hotspot"))
        .args(["ingest", "--frobnicate"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
