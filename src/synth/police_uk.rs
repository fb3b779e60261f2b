//! police.uk street-level CSV rows for the synthetic city (methods.md §8.1): the exact 12
//! columns, CRLF line ends, an empty `Crime ID` and outcome for ASB, 64-hex ids otherwise,
//! coordinates snapped to the fixed list of anonymous map points.

use std::io::Write;

use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

use crate::domain::CrimeType;

use super::SynthError;
use super::geography::{MapPoint, map_points, wards};
use super::log::{cumulative, pick};

/// The header of every police.uk street-level file.
pub const HEADER: &str = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context";

/// The force named in `Reported by` and `Falls within`.
const FORCE: &str = "Hampshire Constabulary";

/// Outcomes police.uk publishes for crimes (ASB has none), with rough shares.
const OUTCOMES: [(&str, f64); 8] = [
    ("Investigation complete; no suspect identified", 38.0),
    ("Unable to prosecute suspect", 27.0),
    ("Under investigation", 12.0),
    ("Status update unavailable", 6.0),
    ("Local resolution", 5.0),
    ("Awaiting court outcome", 5.0),
    ("Offender given a caution", 3.0),
    ("Further investigation is not in the public interest", 4.0),
];

/// Weights of crime types for freshly drawn rows. ASB's byte-identical repeats (see
/// [`REPEAT_AFTER_ASB`]) lift it from 18.5 % of fresh rows to about 27 % of all rows; violence is
/// about a third, as in Portsmouth's published months.
const TYPE_MIX: [(CrimeType, f64); 14] = [
    (CrimeType::AntiSocialBehaviour, 18.5),
    (CrimeType::ViolenceAndSexualOffences, 33.0),
    (CrimeType::PublicOrder, 8.0),
    (CrimeType::CriminalDamageAndArson, 8.0),
    (CrimeType::Shoplifting, 6.0),
    (CrimeType::OtherTheft, 4.0),
    (CrimeType::VehicleCrime, 4.0),
    (CrimeType::Burglary, 3.0),
    (CrimeType::Drugs, 2.0),
    (CrimeType::BicycleTheft, 1.5),
    (CrimeType::TheftFromThePerson, 1.0),
    (CrimeType::Robbery, 1.0),
    (CrimeType::PossessionOfWeapons, 1.0),
    (CrimeType::OtherCrime, 2.5),
];

/// Chance that an ASB row is followed by a byte-identical copy (as duplicate ASB reports at one
/// snap point in one month are in the published files, where they have no Crime ID). With about
/// a fifth of fresh rows ASB this makes about 9 % of all rows repeats, as in the real Hampshire
/// files.
/// Rows with a Crime ID are never repeated: a Crime ID names one crime.
const REPEAT_AFTER_ASB: f64 = 0.33;

/// Largest row count [`write_police_uk_rows`] accepts.
pub const MAX_STREAM_ROWS: usize = 100_000_000;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends a 64-hex-digit id drawn from the generator.
fn push_crime_id(rng: &mut Pcg64Mcg, buf: &mut Vec<u8>) {
    for _ in 0..4 {
        let v: u64 = rng.random();
        for shift in (0..16).rev() {
            buf.push(HEX[((v >> (shift * 4)) & 0xf) as usize]);
        }
    }
}

/// The columns from `Longitude` to `LSOA name` for a point, with trailing comma.
fn point_columns(p: &MapPoint) -> String {
    format!(
        "{:.6},{:.6},{},{},{},",
        p.lon, p.lat, p.location, p.lsoa_code, p.lsoa_name
    )
}

/// One published row: what happened, where, which month.
#[derive(Debug, Clone)]
pub struct PublishedRow {
    /// Crime type.
    pub crime_type: CrimeType,
    /// Index of the snap point.
    pub point: usize,
    /// Month `YYYY-MM`.
    pub month: String,
}

/// Writes a police.uk file (header and rows, CRLF) for rows already snapped to `points`.
pub fn write_month(
    rows: &[PublishedRow],
    points: &[MapPoint],
    seed: u64,
    mut w: impl Write,
) -> std::io::Result<()> {
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let outcome_c = cumulative(OUTCOMES.iter().map(|o| o.1));
    let mut buf = Vec::with_capacity(rows.len() * 200);
    buf.extend_from_slice(HEADER.as_bytes());
    buf.extend_from_slice(b"\r\n");
    for r in rows {
        let asb = r.crime_type == CrimeType::AntiSocialBehaviour;
        if !asb {
            push_crime_id(&mut rng, &mut buf);
        }
        buf.push(b',');
        buf.extend_from_slice(r.month.as_bytes());
        buf.extend_from_slice(format!(",{FORCE},{FORCE},").as_bytes());
        if let Some(p) = points.get(r.point) {
            buf.extend_from_slice(point_columns(p).as_bytes());
        } else {
            buf.extend_from_slice(b",,No location,,,");
        }
        buf.extend_from_slice(r.crime_type.name().as_bytes());
        buf.push(b',');
        if !asb {
            buf.extend_from_slice(OUTCOMES[pick(&mut rng, &outcome_c)].0.as_bytes());
        }
        buf.extend_from_slice(b",\r\n");
    }
    w.write_all(&buf)
}

/// Streams `n` rows of police.uk street-level CSV (header first) over the synthetic city.
///
/// # Parameters
/// - `n`: data rows to write (at most [`MAX_STREAM_ROWS`]).
/// - `seed`: the generator's seed; the same seed gives the same bytes.
/// - `w`: where to write (buffered internally; pass the raw writer).
///
/// # Returns
/// `Ok(())` once every row is written; an error for a too-large `n` or a failed write.
///
/// # Algorithm
/// 1. Build the city's ~400 anonymous map points and pre-format each point's columns once.
/// 2. For each row: after an ASB row, with probability 0.33 repeat it byte for byte; otherwise
///    draw a crime type (18.5 % ASB), a point (weighted by the ward's residents per
///    point, `Nightclub` and `Shopping Area` points doubled), and a month in 2023-01..2024-12.
/// 3. ASB rows get an empty `Crime ID` and outcome; others a 64-hex id and an outcome.
/// 4. Rows go into a 1 MiB buffer that is flushed to `w` when full.
///
/// # Notes
/// O(n) time, O(1) memory beyond the buffer; several million rows a second.
///
/// # Example
/// ```
/// let mut out = Vec::new();
/// hotspot::synth::write_police_uk_rows(3, 7, &mut out).unwrap();
/// assert!(out.starts_with(b"Crime ID,Month,"));
/// assert_eq!(out.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count(), 4);
/// ```
pub fn write_police_uk_rows(n: usize, seed: u64, mut w: impl Write) -> Result<(), SynthError> {
    if n > MAX_STREAM_ROWS {
        return Err(SynthError::TooManyRows {
            n,
            max: MAX_STREAM_ROWS,
        });
    }
    let wards = wards();
    let points: Vec<MapPoint> = map_points(&wards)
        .into_iter()
        .filter(|p| p.ward.is_some())
        .collect();
    let mut per_ward = vec![0_u32; wards.len()];
    for p in &points {
        if let Some(wi) = p.ward {
            per_ward[wi] += 1;
        }
    }
    let point_c = cumulative(points.iter().map(|p| {
        let wi = p.ward.unwrap_or(0);
        let base = f64::from(wards[wi].population) / f64::from(per_ward[wi].max(1));
        if p.location.contains("Nightclub") || p.location.contains("Shopping Area") {
            base * 2.0
        } else {
            base
        }
    }));
    let cols: Vec<Vec<u8>> = points
        .iter()
        .map(|p| point_columns(p).into_bytes())
        .collect();
    let type_c = cumulative(TYPE_MIX.iter().map(|t| t.1));
    let outcome_c = cumulative(OUTCOMES.iter().map(|o| o.1));
    let months: Vec<String> = (2023..=2024)
        .flat_map(|y| (1..=12).map(move |m| format!("{y}-{m:02}")))
        .collect();
    let force = format!(",{FORCE},{FORCE},");

    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    const FLUSH_AT: usize = 1 << 20;
    let mut buf: Vec<u8> = Vec::with_capacity(FLUSH_AT + 4096);
    buf.extend_from_slice(HEADER.as_bytes());
    buf.extend_from_slice(b"\r\n");
    let mut last: Vec<u8> = Vec::with_capacity(256);
    for _ in 0..n {
        if last.first() == Some(&b',') && rng.random::<f64>() < REPEAT_AFTER_ASB {
            buf.extend_from_slice(&last);
        } else {
            let start = buf.len();
            let t = TYPE_MIX[pick(&mut rng, &type_c)].0;
            let asb = t == CrimeType::AntiSocialBehaviour;
            if !asb {
                push_crime_id(&mut rng, &mut buf);
            }
            buf.push(b',');
            buf.extend_from_slice(months[rng.random_range(0..months.len())].as_bytes());
            buf.extend_from_slice(force.as_bytes());
            buf.extend_from_slice(&cols[pick(&mut rng, &point_c)]);
            buf.extend_from_slice(t.name().as_bytes());
            buf.push(b',');
            if !asb {
                buf.extend_from_slice(OUTCOMES[pick(&mut rng, &outcome_c)].0.as_bytes());
            }
            buf.extend_from_slice(b",\r\n");
            last.clear();
            last.extend_from_slice(&buf[start..]);
        }
        if buf.len() >= FLUSH_AT {
            w.write_all(&buf).map_err(SynthError::Stream)?;
            buf.clear();
        }
    }
    w.write_all(&buf).map_err(SynthError::Stream)?;
    w.flush().map_err(SynthError::Stream)
}
