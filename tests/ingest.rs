//! Ingest: real police.uk files, bad rows with exact messages, logs, GeoJSON, venues,
//! cameras, the real Portsmouth wards and populations, and a parser property test.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use hotspot::domain::{CameraKind, CrimeType, Group, Incident, IncidentTime, VenueKind};
use hotspot::ingest::{
    IngestError, Limits, Mapping, PoliceUkReader, PostcodeLookup, RejectReason, WardFields,
    attach_population, expand_police_uk_paths, read_cameras, read_geojson_incidents, read_log,
    read_police_uk_file, read_population, read_population_file, read_venues, read_wards_file,
    summary_table,
};
use proptest::prelude::*;

const HEADER: &str = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n";

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn messages<T>(p: &hotspot::ingest::Parsed<T>) -> Vec<String> {
    p.report.rejects().iter().map(ToString::to_string).collect()
}

// ---------------------------------------------------------------- police.uk, real data

fn hampshire() -> Vec<PathBuf> {
    expand_police_uk_paths(&[common::shared("realdata/police-uk/hampshire")]).unwrap()
}

#[test]
fn real_hampshire_files_account_for_every_row() {
    let files = hampshire();
    assert_eq!(files.len(), 9);
    assert!(files[0].ends_with("2017-02-hampshire-street.csv"));
    assert!(files[8].ends_with("2022-02-hampshire-street.csv"));
    let mut reader = PoliceUkReader::new(Limits::default());
    let mut reports = Vec::new();
    let mut ids = HashSet::new();
    let (mut asb, mut portsmouth, mut portsmouth_asb) = (0u64, 0u64, 0u64);
    for f in &files {
        let parsed = reader.read_file(f).unwrap();
        let r = &parsed.report;
        assert_eq!(r.rows_read, r.accepted + r.rejected, "{}", r.file);
        assert_eq!(r.rejected, r.by_reason().values().sum::<u64>());
        assert_eq!(parsed.items.len() as u64, r.accepted);
        for i in &parsed.items {
            assert!(ids.insert(i.id.clone()), "id {} repeats", i.id);
            let is_asb = i.category.crime_type == Some(CrimeType::AntiSocialBehaviour);
            let in_portsmouth = i
                .lsoa
                .as_ref()
                .is_some_and(|l| l.name.starts_with("Portsmouth "));
            asb += u64::from(is_asb);
            portsmouth += u64::from(in_portsmouth);
            portsmouth_asb += u64::from(is_asb && in_portsmouth);
        }
        reports.push(parsed.report);
    }
    let table = summary_table(&reports);
    println!("{table}");
    let read: u64 = reports.iter().map(|r| r.rows_read).sum();
    let accepted: u64 = reports.iter().map(|r| r.accepted).sum();
    let rejected: u64 = reports.iter().map(|r| r.rejected).sum();
    assert_eq!(read, 154_732);
    assert_eq!(accepted + rejected, read);
    // The real files have coordinates on every row, all inside the national grid, and every
    // field valid (checked independently with Python's csv module): nothing is rejected.
    assert_eq!(rejected, 0, "{table}");
    assert!(table.contains("rejected by reason: none"), "{table}");
    // ids unique across all nine files: identical ASB rows are kept apart.
    assert_eq!(ids.len() as u64, accepted);
    // The README's counts.
    assert_eq!(asb, 39_967);
    assert_eq!(portsmouth, 26_388);
    assert_eq!(portsmouth_asb, 6_607);
}

#[test]
fn identical_rows_get_separate_stable_ids() {
    let path = common::shared("realdata/police-uk/hampshire/2017-03-hampshire-street.csv");
    let a = read_police_uk_file(&path, &Limits::default()).unwrap();
    let b = read_police_uk_file(&path, &Limits::default()).unwrap();
    let ids_a: Vec<&str> = a.items.iter().map(|i| i.id.as_str()).collect();
    let ids_b: Vec<&str> = b.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids_a, ids_b, "re-reading gives the same ids");
    // 2017-03 holds 2,622 rows byte-identical to an earlier row: each has occurrence > 1.
    let occurrence = |id: &str| {
        id.rsplit_once('-')
            .map_or(0, |(_, n)| n.parse::<u32>().unwrap())
    };
    let repeats = ids_a.iter().filter(|id| occurrence(id) > 1).count();
    assert_eq!(repeats, 2_622);
}

#[test]
fn line_endings_do_not_change_ids() {
    for name in [
        "2017-05-hampshire-street.csv",
        "2022-02-hampshire-street.csv",
    ] {
        let bytes = std::fs::read(common::shared(&format!(
            "realdata/police-uk/hampshire/{name}"
        )))
        .unwrap();
        let lf: Vec<u8> = String::from_utf8(bytes.clone())
            .unwrap()
            .replace("\r\n", "\n")
            .into_bytes();
        let crlf: Vec<u8> = String::from_utf8(lf.clone())
            .unwrap()
            .replace('\n', "\r\n")
            .into_bytes();
        assert!(bytes == lf || bytes == crlf);
        let ids = |b: &[u8]| -> Vec<String> {
            PoliceUkReader::new(Limits::default())
                .read(name, b)
                .unwrap()
                .items
                .into_iter()
                .map(|i| i.id)
                .collect()
        };
        let (a, b) = (ids(&lf), ids(&crlf));
        assert_eq!(a.len(), b.len());
        assert_eq!(a, b, "{name}");
    }
}

// ---------------------------------------------------------------- police.uk, bad rows

#[test]
fn bad_police_uk_rows_give_exact_messages() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    let body = format!(
        "{HEADER}\
x1,2017-05,H,H,-1.09,51.5x,On or near A,,,Burglary,,\r\n\
,2017-05,H,H,,,No location,,,Anti-social behaviour,,\r\n\
x2,2017-05,H,H,-1.09,50.79,On or near A,,,Jaywalking,,\r\n\
x3,2017-13,H,H,-1.09,50.79,On or near A,,,Burglary,,\r\n\
x4,2017-05,H,H,0,0,On or near A,,,Burglary,,\r\n\
x5,2017-05,H,H,-1.09,50.79,On or near A,,,Burglary,\r\n\
abc,2017-05,H,H,-1.09,50.79,\"On or near\r\nTwo Lines\",E01017013,Portsmouth 012A,Burglary,,\r\n\
abc,2017-05,H,H,-1.09,50.79,On or near A,,,Burglary,,\r\n\
,2017-05,H,H,-1.09,,On or near A,,,Anti-social behaviour,,\r\n"
    );
    std::fs::write(&path, body).unwrap();
    let p = read_police_uk_file(&path, &Limits::default()).unwrap();
    assert_eq!(
        messages(&p),
        [
            "bad.csv:2: Latitude \"51.5x\" is not a number",
            "bad.csv:3: no location: Longitude and Latitude are blank (police.uk gives no point when none lies within 20 km)",
            "bad.csv:4: Crime type \"Jaywalking\" is not a police.uk crime type",
            "bad.csv:5: Month \"2017-13\" is not a month (YYYY-MM)",
            "bad.csv:6: (0, 0) lies outside Great Britain's national grid (OSTN15)",
            "bad.csv:7: expected 12 fields, found 11",
            "bad.csv:10: Crime ID \"abc\" already appeared on line 8",
            "bad.csv:11: no location: Latitude is blank",
        ]
    );
    let fields: Vec<Option<&str>> = p
        .report
        .rejects()
        .iter()
        .map(|r| r.field.as_deref())
        .collect();
    assert_eq!(
        fields,
        [
            Some("Latitude"),
            None,
            Some("Crime type"),
            Some("Month"),
            None,
            None,
            Some("Crime ID"),
            Some("Latitude")
        ]
    );
    assert_eq!(
        (p.report.rows_read, p.report.accepted, p.report.rejected),
        (9, 1, 8)
    );
    // CRLF is read as LF everywhere, inside quoted fields too (so ids ignore line endings).
    assert_eq!(
        p.items[0].location_desc.as_deref(),
        Some("On or near\nTwo Lines")
    );
    assert_eq!(p.report.count(RejectReason::NoLocation), 2);
    assert_eq!(p.report.count(RejectReason::OutsideGrid), 1);
    let by = p.report.by_reason();
    assert_eq!(by["unknown category"], 1);
    assert_eq!(by["bad month"], 1);
}

#[test]
fn reject_details_are_capped_but_all_counted() {
    let row = ",2017-05,H,H,,,X,,,Drugs,,\n";
    let body = format!("{HEADER}{}", row.repeat(50));
    let limits = Limits {
        max_rejects_kept: 3,
        ..Limits::default()
    };
    let p = PoliceUkReader::new(limits)
        .read("many.csv", body.as_bytes())
        .unwrap();
    assert_eq!((p.report.rejected, p.report.rejects().len()), (50, 3));
    assert_eq!(p.report.rejects_not_kept(), 47);
}

#[test]
fn folders_expand_to_sorted_csv_files() {
    let dir = tempfile::tempdir().unwrap();
    for n in ["b.csv", "a.CSV", "notes.txt"] {
        std::fs::write(dir.path().join(n), HEADER).unwrap();
    }
    let out = expand_police_uk_paths(&[dir.path().to_path_buf()]).unwrap();
    let names: Vec<_> = out
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap())
        .collect();
    assert_eq!(names, ["a.CSV", "b.csv"]);
    let empty = tempfile::tempdir().unwrap();
    assert!(matches!(
        expand_police_uk_paths(&[empty.path().to_path_buf()]),
        Err(IngestError::NoCsvFiles { .. })
    ));
}

// ---------------------------------------------------------------- incident logs

const LOG_MAPPING: &str = r#"
[columns]
id = "ref"
timestamp = "reported_at"
from = "from"
to = "to"
lat = "lat"
lon = "lon"
category = "category"
alcohol = "alcohol"
location = "street"
victim = "caller_ref"

[formats]
date = "%d/%m/%Y"
time = "%H:%M"

[categories]
"ASB - Rowdy" = "asb"
"Assault" = "violence"
"CD" = "Criminal damage and arson"
"#;

const LOG: &str = "ref,reported_at,from,to,lat,lon,category,alcohol,street,caller_ref
R1,25/12/2017 23:15,,,50.7975,-1.0912,ASB - Rowdy,Y,Guildhall Walk,CALLER-123
R2,10/06/2017 23:30,,,50.7975,-1.0912,assault,no,,
R3,,09/06/2017 22:00,10/06/2017 07:00,50.7975,-1.0912,CD,,,
R4,26/03/2017 01:30,,,50.7975,-1.0912,Assault,,,
R5,25/12/2017 23:15,,,50.7975,-1.0912,Graffiti,,,
R6,2017-12-25T23:15:00,,,50.7975,-1.0912,Vehicle crime,1,,CALLER-123
R1,25/12/2017 23:15,,,50.7975,-1.0912,Assault,,,
R7,25/12/2017 23:15,,,50.7975,-1.0912,Assault,maybe,,
R8,25/12/2017,,,50.7975,-1.0912,drugs,,,
R9,25/12/2017 23:15,,,,,Assault,,,
R10,,10/06/2017 07:00,09/06/2017 22:00,50.7975,-1.0912,Assault,,,
";

#[test]
fn logs_with_timestamps_spans_categories_and_victims() {
    let mapping = Mapping::from_toml("log.toml", LOG_MAPPING).unwrap();
    let p = read_log(
        "log.csv",
        LOG.as_bytes(),
        &mapping,
        b"salt",
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(
        messages(&p),
        [
            "log.csv:5: reported_at \"26/03/2017 01:30\": 2017-03-26 01:30:00 does not exist in Europe/London (clocks go forward that night)",
            "log.csv:6: unknown category: category \"Graffiti\" is not in the mapping's [categories] and is no group slug or police.uk crime type",
            "log.csv:8: ref \"R1\" already appeared on line 2",
            "log.csv:9: alcohol \"maybe\" is not Y/N, yes/no, true/false or 1/0",
            "log.csv:11: no location: lat and lon are blank",
            "log.csv:12: to \"09/06/2017 22:00\" is before from \"10/06/2017 07:00\"",
        ]
    );
    let reasons: Vec<RejectReason> = p.report.rejects().iter().map(|r| r.reason).collect();
    assert_eq!(
        reasons,
        [
            RejectReason::SkippedTime,
            RejectReason::UnknownCategory,
            RejectReason::DuplicateId,
            RejectReason::BadValue,
            RejectReason::NoLocation,
            RejectReason::BadTime,
        ]
    );
    assert_eq!(p.report.rejects()[0].field.as_deref(), Some("reported_at"));
    let by_id: BTreeMap<&str, &Incident> = p.items.iter().map(|i| (i.id.as_str(), i)).collect();
    assert_eq!(
        by_id.keys().copied().collect::<Vec<_>>(),
        ["R1", "R2", "R3", "R6", "R8"]
    );

    let r1 = by_id["R1"];
    assert_eq!(
        r1.time,
        IncidentTime::At {
            at: utc("2017-12-25T23:15:00Z")
        },
        "GMT"
    );
    assert_eq!(r1.category.group, Group::Asb);
    assert_eq!(r1.category.local.as_deref(), Some("ASB - Rowdy"));
    assert_eq!(r1.alcohol, Some(true));
    assert_eq!(r1.location_desc.as_deref(), Some("Guildhall Walk"));
    // sha256("salt" ‖ "CALLER-123"), computed with `printf 'saltCALLER-123' | sha256sum`.
    assert_eq!(
        r1.victim_hash.as_deref(),
        Some("41ad701d6461a0e6a1e2f2149b2da6f4cb80252f4b1e174a6aeded367e28fd25")
    );
    let r2 = by_id["R2"];
    assert_eq!(
        r2.time,
        IncidentTime::At {
            at: utc("2017-06-10T22:30:00Z")
        },
        "BST"
    );
    assert_eq!(
        (r2.category.group, r2.alcohol),
        (Group::Violence, Some(false))
    );
    let r3 = by_id["R3"];
    assert_eq!(
        r3.time,
        IncidentTime::Span {
            from: utc("2017-06-09T21:00:00Z"),
            to: utc("2017-06-10T06:00:00Z")
        }
    );
    assert_eq!(
        r3.category.crime_type,
        Some(CrimeType::CriminalDamageAndArson)
    );
    let r6 = by_id["R6"];
    assert_eq!(
        r6.time,
        IncidentTime::At {
            at: utc("2017-12-25T23:15:00Z")
        },
        "ISO form"
    );
    assert_eq!(r6.category.crime_type, Some(CrimeType::VehicleCrime));
    assert_eq!(
        r6.victim_hash, r1.victim_hash,
        "same caller, same salt, same hash"
    );
    let r8 = by_id["R8"];
    assert_eq!(
        r8.time,
        IncidentTime::Span {
            from: utc("2017-12-25T00:00:00Z"),
            to: utc("2017-12-25T23:59:59Z")
        },
        "a date alone is the whole day"
    );
    assert_eq!(r8.category.group, Group::Drugs);
    // The clear caller reference is in no field of any incident.
    let json = serde_json::to_string(&p.items).unwrap();
    assert!(!json.contains("CALLER"), "{json}");
}

#[test]
fn victim_hash_matches_an_independent_sha256() {
    // Check the constant used above against the sha2 crate directly, so a wrong constant
    // cannot hide behind the same code path.
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(b"saltCALLER-123");
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        hotspot::ingest::identity::victim_hash(b"salt", "CALLER-123")
    );
}

#[test]
fn logs_with_date_time_and_british_national_grid() {
    let mapping = Mapping::from_toml(
        "bng.toml",
        "[columns]\ndate = \"Date\"\ntime = \"Time\"\neasting = \"E\"\nnorthing = \"N\"\ncategory = \"Type\"\n",
    )
    .unwrap();
    let log = "Date,Time,E,N,Type\r\n\
25/12/2017,23:15,438710.92,114792.25,Violence and sexual offences\r\n\
25/12/2017,23:15,438710.92,114792.25,Violence and sexual offences\r\n\
2017-06-10,,438710.92,114792.25,violent-crime\r\n\
26/03/2017,01:30,438710.92,114792.25,asb\r\n\
25/12/2017,23:15,-5,114792.25,asb\r\n";
    let p = read_log(
        "bng.csv",
        log.as_bytes(),
        &mapping,
        b"s",
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(
        messages(&p),
        [
            "bng.csv:5: Time \"01:30\": 2017-03-26 01:30:00 does not exist in Europe/London (clocks go forward that night)",
            "bng.csv:6: easting -5 / northing 114792.25 lies outside the British National Grid",
        ]
    );
    assert_eq!(p.report.rejects()[0].field.as_deref(), Some("Time"));
    assert_eq!(p.items.len(), 3);
    // OS test point TP05 (OSTN15 developer pack): E 438710.92, N 114792.25 is
    // lon -1.450514337, lat 50.93127938.
    let loc = p.items[0].location;
    assert!(
        (loc.lon() - -1.450_514_337).abs() < 1e-7 && (loc.lat() - 50.931_279_38).abs() < 1e-7,
        "{loc:?}"
    );
    // Two identical rows: the same digest, occurrences 1 and 2.
    let (a, b) = (&p.items[0].id, &p.items[1].id);
    assert_eq!(&a[..32], &b[..32]);
    assert!(a.ends_with("-1") && b.ends_with("-2"), "{a} {b}");
    assert_eq!(
        p.items[2].time,
        IncidentTime::Span {
            from: utc("2017-06-09T23:00:00Z"),
            to: utc("2017-06-10T22:59:59Z")
        }
    );
    // Content ids do not depend on line endings.
    let lf = read_log(
        "bng.csv",
        log.replace("\r\n", "\n").as_bytes(),
        &mapping,
        b"s",
        &Limits::default(),
    )
    .unwrap();
    let ids = |p: &hotspot::ingest::Parsed<Incident>| {
        p.items.iter().map(|i| i.id.clone()).collect::<Vec<_>>()
    };
    assert_eq!(ids(&p), ids(&lf));
}

#[test]
fn a_mapping_column_missing_from_the_header_is_an_error_before_any_row() {
    let mapping = Mapping::from_toml("log.toml", LOG_MAPPING).unwrap();
    let log =
        "ref,reported_at,from,to,latitude,lon,category,alcohol,street,caller_ref\nR1,,,,,,,,,\n";
    let e = read_log(
        "log.csv",
        log.as_bytes(),
        &mapping,
        b"s",
        &Limits::default(),
    )
    .unwrap_err();
    match &e {
        IngestError::Mapping { mapping, key, .. } => assert_eq!(
            (mapping.as_str(), key.as_str()),
            ("log.toml", "columns.lat")
        ),
        other => panic!("{other}"),
    }
    assert!(
        e.to_string()
            .starts_with("log.toml: columns.lat: column \"lat\" is not in the header of log.csv"),
        "{e}"
    );
}

// ---------------------------------------------------------------- GeoJSON incidents

#[test]
fn geojson_incidents_name_the_feature() {
    let text = r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","geometry":{"type":"Point","coordinates":[-1.0912,50.7975]},
  "properties":{"id":"G1","timestamp":"2017-12-25T23:15:00Z","category":"asb","alcohol":true,"victim":"V-9"}},
 {"type":"Feature","geometry":{"type":"LineString","coordinates":[[-1.09,50.79],[-1.08,50.79]]},
  "properties":{"id":"G2","timestamp":"2017-12-25T23:15:00Z","category":"asb"}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":[-1.0912,50.7975]},
  "properties":{"id":"G3","timestamp":"2017-12-25T23:15:00Z"}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":[-1.0912,50.7975]},
  "properties":{"date":"25/12/2017","time":"23:15","category":"Robbery"}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":[-1.0912,50.7975]},
  "properties":{"from":"2017-06-09 22:00","to":"2017-06-10 07:00","category":"public-order"}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":[-1.0912,50.7975]},
  "properties":{"timestamp":"2017-03-26 01:30","category":"asb"}}
]}"#;
    let p =
        read_geojson_incidents("inc.geojson", text.as_bytes(), b"s", &Limits::default()).unwrap();
    assert_eq!(
        messages(&p),
        [
            "inc.geojson:feature 1: geometry is a LineString, not a Point",
            "inc.geojson:feature 2: category is blank",
            "inc.geojson:feature 5: timestamp \"2017-03-26 01:30\": 2017-03-26 01:30:00 does not exist in Europe/London (clocks go forward that night)",
        ]
    );
    assert_eq!(p.items.len(), 3);
    let g1 = &p.items[0];
    assert_eq!((g1.id.as_str(), g1.alcohol), ("G1", Some(true)));
    assert_eq!(
        g1.time,
        IncidentTime::At {
            at: utc("2017-12-25T23:15:00Z")
        }
    );
    assert!(g1.victim_hash.as_ref().is_some_and(|h| h.len() == 64));
    assert_eq!(p.items[1].category.crime_type, Some(CrimeType::Robbery));
    assert_eq!(
        p.items[1].time,
        IncidentTime::At {
            at: utc("2017-12-25T23:15:00Z")
        }
    );
    assert!(p.items[1].id.ends_with("-1"));
    assert_eq!(
        p.items[2].time,
        IncidentTime::Span {
            from: utc("2017-06-09T21:00:00Z"),
            to: utc("2017-06-10T06:00:00Z")
        }
    );
    let e = read_geojson_incidents(
        "x.geojson",
        br#"{"type":"Feature"}"#.as_slice(),
        b"s",
        &Limits::default(),
    )
    .unwrap_err();
    assert!(matches!(e, IngestError::Json { .. }), "{e}");
}

// ---------------------------------------------------------------- venues and cameras

#[test]
fn venues_with_postcode_geocoding() {
    let dir = tempfile::tempdir().unwrap();
    let lookup_path = dir.path().join("postcodes.csv");
    std::fs::write(
        &lookup_path,
        b"postcode,lat,lon\r\nPO1 2AB,50.7960,-1.0900\r\npo12ac,50.8,-1.1\r\nPO1 2AD,99.9,0\r\nPO1 \xff,50.8,-1.1\r\n",
    )
    .unwrap();
    // Unusable rows (a position off the globe, a non-UTF-8 postcode) are skipped and counted.
    let lookup = PostcodeLookup::from_path(&lookup_path, &Limits::default()).unwrap();
    assert_eq!((lookup.len(), lookup.skipped), (2, 2));
    assert!(lookup.get("PO1 2AC").is_some());
    let csv = "id,name,kind,lat,lon,opens,closes,postcode
V1,The Fat Fox,pub,50.7975,-1.0912,11:00,23:30,
V2,Liquid,nightclub,,,22:00,03:00,po1 2ab
V3,Nowhere,bar,,,,,PO9 9ZZ
V4,Odd,casino,50.79,-1.09,,,
V5,Late,Late-Night-Refreshment,50.79,-1.09,,24:00,
V6,Early,bar,50.79,-1.09,25:00,,
V1,Again,pub,50.79,-1.09,,,
";
    let p = read_venues(
        "venues.csv",
        csv.as_bytes(),
        Some(&lookup),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(
        messages(&p),
        [
            "venues.csv:4: no location: postcode \"PO9 9ZZ\" is not in the postcode lookup",
            "venues.csv:5: kind \"casino\" is not one of pub, bar, nightclub, late-night-refreshment, off-licence, restaurant, other",
            "venues.csv:7: opens \"25:00\" is not HH:MM",
            "venues.csv:8: id \"V1\" already appeared on line 2",
        ]
    );
    assert_eq!(p.items.len(), 3);
    let v2 = &p.items[1];
    assert_eq!(
        (v2.kind, v2.location.lon(), v2.location.lat()),
        (VenueKind::Nightclub, -1.09, 50.796)
    );
    assert_eq!(v2.closes.unwrap().to_string(), "03:00:00");
    assert_eq!(p.items[2].kind, VenueKind::LateNightRefreshment);
    assert_eq!(p.items[2].closes.unwrap().to_string(), "00:00:00");
    // Without a lookup a postcode row says what is missing.
    let p = read_venues("venues.csv", csv.as_bytes(), None, &Limits::default()).unwrap();
    assert!(
        messages(&p)[0]
            .ends_with("postcode \"PO1 2AB\" given but no postcode lookup (--postcodes)")
    );
    // GeoJSON venues: a null geometry with a postcode is geocoded too.
    let gj = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","geometry":{"type":"Point","coordinates":[-1.0912,50.7975]},"properties":{"id":"G1","name":"A","kind":"bar","opens":"18:00"}},
      {"type":"Feature","geometry":null,"properties":{"id":"G2","name":"B","kind":"pub","postcode":"PO12AB"}},
      {"type":"Feature","geometry":null,"properties":{"id":"G3","name":"C","kind":"pub"}}]}"#;
    let p = read_venues(
        "v.geojson",
        gj.as_bytes(),
        Some(&lookup),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(
        messages(&p),
        ["v.geojson:feature 2: no location: lat/lon and postcode are blank"]
    );
    assert_eq!(p.items[1].location.lat(), 50.796);
}

#[test]
fn cameras_from_csv_and_geojson() {
    let csv = "id,lat,lon,radius_m,kind\nC1,50.79,-1.09,,\nC2,50.79,-1.09,150,mobile\nC3,50.79,-1.09,-5,fixed\nC4,50.79,-1.09,,pan\n";
    let p = read_cameras("cams.csv", csv.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(
        messages(&p),
        [
            "cams.csv:4: radius_m \"-5\" is outside (0, 1000] metres",
            "cams.csv:5: kind \"pan\" is not fixed or mobile",
        ]
    );
    assert_eq!(
        (p.items[0].radius_m, p.items[0].kind),
        (100.0, CameraKind::Fixed)
    );
    assert_eq!(
        (p.items[1].radius_m, p.items[1].kind),
        (150.0, CameraKind::Mobile)
    );
    let gj = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","id":7,"geometry":{"type":"Point","coordinates":[-1.09,50.79]},"properties":{"radius_m":80,"kind":"mobile"}}]}"#;
    let p = read_cameras("c.geojson", gj.as_bytes(), &Limits::default()).unwrap();
    assert_eq!((p.items[0].id.as_str(), p.items[0].radius_m), ("7", 80.0));
}

// ---------------------------------------------------------------- wards and populations

#[test]
fn real_portsmouth_wards_and_population() {
    let wards = read_wards_file(
        &common::shared("realdata/boundaries/portsmouth-wards-2013.geojson"),
        &WardFields::default(),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(wards.len(), 14);
    let codes: Vec<&str> = wards.iter().map(|w| w.code.as_str()).collect();
    let expected: Vec<String> = (2441..=2454).map(|n| format!("E0500{n}")).collect();
    assert_eq!(codes, expected);
    let multi: Vec<&str> = wards
        .iter()
        .filter(|w| w.boundary.0.len() > 1)
        .map(|w| w.name.as_str())
        .collect();
    assert_eq!(multi, ["Hilsea", "Nelson", "St Jude"]);
    assert_eq!(wards[1].name, "Central Southsea");

    let pop = read_population_file(
        &common::shared("realdata/population/portsmouth-ward-population-census2021.csv"),
        None,
        None,
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(pop.len(), 14);
    assert_eq!(pop.values().map(|&n| u64::from(n)).sum::<u64>(), 208_000);
    assert_eq!(pop["E05002442"], 15_987);
    let mut wards = wards;
    let m = attach_population(&mut wards, &pop);
    assert_eq!(
        (m.matched, m.wards_without.len(), m.unknown_codes.len()),
        (14, 0, 0)
    );
    assert_eq!(wards[0].population, Some(15_018));

    // The LSOA table has two code columns; detection prefers the ward one, whose codes repeat
    // (one row per LSOA), which is an error; naming the LSOA column reads 125 LSOAs.
    let lsoa = common::shared("realdata/population/portsmouth-lsoa-population-census2021.csv");
    let e = read_population_file(&lsoa, None, None, &Limits::default()).unwrap_err();
    assert!(
        e.to_string().contains("ward code E05002441 appears twice"),
        "{e}"
    );
    let by_lsoa = read_population_file(&lsoa, Some("lsoa11cd"), None, &Limits::default()).unwrap();
    assert_eq!(by_lsoa.len(), 125);
    assert_eq!(
        by_lsoa.values().map(|&n| u64::from(n)).sum::<u64>(),
        208_000
    );
}

#[test]
fn ward_fields_are_detected_or_given() {
    let dir = tempfile::tempdir().unwrap();
    let poly =
        r#"{"type":"Polygon","coordinates":[[[-1.1,50.8],[-1.0,50.8],[-1.0,50.9],[-1.1,50.8]]]}"#;
    let write = |name: &str, props: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, format!(r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{props},"geometry":{poly}}}]}}"#)).unwrap();
        p
    };
    let wd22 = write(
        "wd22.geojson",
        r#"{"WD22CD":"E05012345","WD22NM":"Somewhere"}"#,
    );
    let w = read_wards_file(&wd22, &WardFields::default(), &Limits::default()).unwrap();
    assert_eq!(
        (w[0].code.as_str(), w[0].name.as_str()),
        ("E05012345", "Somewhere")
    );
    let plain = write("plain.geojson", r#"{"code":"W1","name":"One"}"#);
    assert_eq!(
        read_wards_file(&plain, &WardFields::default(), &Limits::default()).unwrap()[0].code,
        "W1"
    );
    let odd = write("odd.geojson", r#"{"ref":"W1","label":"One"}"#);
    let e = read_wards_file(&odd, &WardFields::default(), &Limits::default()).unwrap_err();
    assert!(e.to_string().contains("--code-field"), "{e}");
    let fields = WardFields {
        code: Some("ref".into()),
        name: Some("label".into()),
    };
    assert_eq!(
        read_wards_file(&odd, &fields, &Limits::default()).unwrap()[0].name,
        "One"
    );
    let pop = read_population(
        "p.csv",
        b"Ward Code,Name,Population\nW1,One,\"1,234\"\n",
        Some("Ward Code"),
        None,
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(pop["W1"], 1234);
}

// ---------------------------------------------------------------- property test

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_in_a_row_never_panic(row in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut body = HEADER.as_bytes().to_vec();
        body.extend_from_slice(&row);
        let p = PoliceUkReader::new(Limits::default()).read("p.csv", body.as_slice()).unwrap();
        prop_assert_eq!(p.report.rows_read, p.report.accepted + p.report.rejected);
        prop_assert_eq!(p.items.len() as u64, p.report.accepted);
    }

    #[test]
    fn arbitrary_fields_in_a_row_accept_or_reject(fields in proptest::collection::vec("[ -~]{0,12}", 12)) {
        let mut row = fields.join(",");
        row.push('\n');
        let body = format!("{HEADER}{row}");
        let p = PoliceUkReader::new(Limits::default()).read("p.csv", body.as_bytes()).unwrap();
        prop_assert_eq!(p.report.rows_read, p.report.accepted + p.report.rejected);
    }
}

#[test]
fn a_mapped_date_format_applies_to_timestamps_too() {
    let mapping = Mapping::from_toml(
        "us.toml",
        "[columns]\ntimestamp = \"when\"\nlat = \"lat\"\nlon = \"lon\"\ncategory = \"what\"\n[formats]\ndate = \"%m/%d/%Y\"\n",
    )
    .unwrap();
    let log = "when,lat,lon,what\n12/25/2017 23:15,50.79,-1.09,asb\n12/25/2017,50.79,-1.09,asb\n25/12/2017 23:15:00,50.79,-1.09,asb\n";
    let p = read_log("us.csv", log.as_bytes(), &mapping, b"s", &Limits::default()).unwrap();
    assert_eq!(p.report.rejected, 0, "{}", p.report);
    assert_eq!(
        p.items[0].time,
        IncidentTime::At {
            at: utc("2017-12-25T23:15:00Z")
        }
    );
    assert_eq!(
        p.items[1].time,
        IncidentTime::Span {
            from: utc("2017-12-25T00:00:00Z"),
            to: utc("2017-12-25T23:59:59Z")
        }
    );
    // A UK day-first timestamp still parses by the defaults when the mapped form fails.
    assert_eq!(
        p.items[2].time,
        IncidentTime::At {
            at: utc("2017-12-25T23:15:00Z")
        }
    );
}

#[test]
fn content_ids_do_not_carry_the_clear_victim_reference() {
    // Rows without an id differ only by caller: distinct salted hashes give distinct digests,
    // and a different salt gives different ids (the id is not a hash of the clear reference).
    let mapping = Mapping::from_toml(
        "v.toml",
        "[columns]\ntimestamp = \"t\"\nlat = \"lat\"\nlon = \"lon\"\ncategory = \"c\"\nvictim = \"v\"\n",
    )
    .unwrap();
    let log =
        "t,lat,lon,c,v\n2017-06-10 23:00,50.79,-1.09,asb,A1\n2017-06-10 23:00,50.79,-1.09,asb,B2\n";
    let ids = |salt: &[u8]| -> Vec<String> {
        read_log("v.csv", log.as_bytes(), &mapping, salt, &Limits::default())
            .unwrap()
            .items
            .into_iter()
            .map(|i| i.id)
            .collect()
    };
    let (a, b) = (ids(b"one"), ids(b"two"));
    assert_ne!(a[0][..32], a[1][..32]);
    assert_ne!(a[0], b[0]);
    assert_eq!(a, ids(b"one"));
    let gj = |victim: &str| {
        format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","geometry":{{"type":"Point","coordinates":[-1.09,50.79]}},"properties":{{"timestamp":"2017-06-10 23:00","category":"asb","victim":"{victim}"}}}}]}}"#
        )
    };
    let id = |text: String, salt: &[u8]| {
        read_geojson_incidents("g.geojson", text.as_bytes(), salt, &Limits::default())
            .unwrap()
            .items[0]
            .id
            .clone()
    };
    assert_ne!(id(gj("A1"), b"one"), id(gj("A1"), b"two"));
    assert_ne!(id(gj("A1"), b"one"), id(gj("B2"), b"one"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_log_cells_accept_or_reject(cells in proptest::collection::vec("[ -~]{0,20}", 6)) {
        let mapping = Mapping::from_toml("log.toml", LOG_MAPPING).unwrap();
        let header = "ref,reported_at,from,to,lat,lon,category,alcohol,street,caller_ref\n";
        let row = format!("R,{},{},{},{},{},{},,,\n", cells[0], cells[1], cells[2], cells[3], cells[4], cells[5]);
        let p = read_log("p.csv", format!("{header}{row}").as_bytes(), &mapping, b"s", &Limits::default()).unwrap();
        prop_assert_eq!(p.report.rows_read, p.report.accepted + p.report.rejected);
    }
}
