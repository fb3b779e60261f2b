//! Licensed premises, CCTV cameras and match days of the synthetic city.
//!
//! Venues cluster in the three night-time districts (Guildhall Walk / Guildhall Square, Albert
//! Road, Gunwharf Quays) with pubs and off-licences scattered over the rest of the city; hours
//! follow the usual licence patterns (nightclubs to 03:00, pubs to 23:00 or midnight).

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rand::Rng;
use rand_pcg::Pcg64Mcg;

use super::geography::{Address, offset_m, round6};

/// A night-time district: centre (lon, lat), spread east–west and north–south in metres.
#[derive(Debug, Clone, Copy)]
pub struct District {
    /// Name, used in venue names and the ground truth.
    pub name: &'static str,
    /// Centre longitude.
    pub lon: f64,
    /// Centre latitude.
    pub lat: f64,
    /// Half-length east–west, metres.
    pub half_ew_m: f64,
    /// Half-length north–south, metres.
    pub half_ns_m: f64,
}

/// Guildhall Walk and Guildhall Square: the city-centre clubbing strip.
pub const GUILDHALL: District = District {
    name: "Guildhall Walk",
    lon: -1.0918,
    lat: 50.7978,
    half_ew_m: 60.0,
    half_ns_m: 110.0,
};
/// Albert Road, Southsea: a long east–west street of pubs, bars and takeaways.
pub const ALBERT_ROAD: District = District {
    name: "Albert Road",
    lon: -1.0780,
    lat: 50.7860,
    half_ew_m: 380.0,
    half_ns_m: 15.0,
};
/// Gunwharf Quays: waterfront bars, restaurants and a club.
pub const GUNWHARF: District = District {
    name: "Gunwharf Quays",
    lon: -1.1060,
    lat: 50.7960,
    half_ew_m: 90.0,
    half_ns_m: 120.0,
};

/// Fratton Park, the football ground (lon, lat).
pub const FRATTON_PARK: (f64, f64) = (-1.0640, 50.7965);

/// One venue row of `venues.csv`.
#[derive(Debug, Clone)]
pub struct VenueRow {
    /// Licence id.
    pub id: String,
    /// Trading name.
    pub name: String,
    /// Kind name (`pub`, `bar`, `nightclub`, ...).
    pub kind: &'static str,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Opening time `HH:MM`.
    pub opens: &'static str,
    /// Closing time `HH:MM` (after midnight for late venues).
    pub closes: &'static str,
    /// The street or district it stands on.
    pub street: &'static str,
}

const PUB_NAMES: [&str; 30] = [
    "The Anchor",
    "The Ship",
    "The Crown",
    "The Red Lion",
    "The Royal Oak",
    "The Compass",
    "The Mermaid",
    "The Lord Nelson",
    "The Harbour Light",
    "The Drummer",
    "The Sailor's Return",
    "The Kings Arms",
    "The George",
    "The White Swan",
    "The Blue Anchor",
    "The Barley Mow",
    "The Fountain",
    "The Wheelwright",
    "The Brewery Tap",
    "The Navigator",
    "The Lighthouse",
    "The Bell",
    "The Rose and Crown",
    "The Golden Hind",
    "The Tide",
    "The Coastguard",
    "The Admiral",
    "The Dockyard Arms",
    "The Old Customs House",
    "The Pilot Boat",
];

const BAR_NAMES: [&str; 12] = [
    "Velvet", "Halo", "Neon", "Copper", "Vault", "Juniper", "Ember", "Tonic", "Loft", "Prism",
    "Quay", "Echo",
];

const TAKEAWAY_NAMES: [&str; 8] = [
    "Golden Grill",
    "Night Owl Pizza",
    "Star Kebab",
    "Harbour Fried Chicken",
    "Late Bite",
    "Moonlight Pizza",
    "Southsea Chippy",
    "Quay Grill",
];

const CUISINES: [&str; 8] = [
    "Trattoria",
    "Thai House",
    "Tapas Bar",
    "Curry House",
    "Steakhouse",
    "Noodle Bar",
    "Bistro",
    "Mezze",
];

/// (kind, opens, closes) choices per district role.
const NTE_KINDS: [(&str, &str, &str); 8] = [
    ("nightclub", "22:00", "03:00"),
    ("bar", "12:00", "02:00"),
    ("bar", "16:00", "01:00"),
    ("pub", "11:00", "00:00"),
    ("late-night-refreshment", "17:00", "03:00"),
    ("restaurant", "12:00", "23:30"),
    ("pub", "11:00", "23:00"),
    ("bar", "17:00", "02:00"),
];

/// The venues: ~24 on Guildhall Walk, ~32 on Albert Road, ~14 at Gunwharf, ~30 elsewhere.
pub fn venues(rng: &mut Pcg64Mcg, addresses: &[Address]) -> Vec<VenueRow> {
    let mut out = Vec::new();
    let mut next_id = 1_u32;
    let mut used = std::collections::BTreeSet::new();
    let mut push =
        |out: &mut Vec<VenueRow>, name: String, kind, (lon, lat), (opens, closes), street| {
            // Trading names are unique: a repeated one takes its street, then its licence number.
            let mut name = name;
            if used.contains(&name) {
                name = format!("{name} ({street})");
            }
            if used.contains(&name) {
                name = format!("{name} No. {next_id}");
            }
            used.insert(name.clone());
            out.push(VenueRow {
                id: format!("PL/{next_id:04}"),
                name,
                kind,
                lat: round6(lat),
                lon: round6(lon),
                opens,
                closes,
                street,
            });
            next_id += 1;
        };
    for (district, n) in [(GUILDHALL, 24), (ALBERT_ROAD, 32), (GUNWHARF, 14)] {
        for i in 0..n {
            let (kind, opens, closes) = NTE_KINDS[rng.random_range(0..NTE_KINDS.len())];
            let e = rng.random_range(-district.half_ew_m..district.half_ew_m);
            let nn = rng.random_range(-district.half_ns_m..district.half_ns_m);
            let (lon, lat) = offset_m(district.lon, district.lat, e, nn);
            let name = match kind {
                "pub" => PUB_NAMES[(i * 7 + n) % PUB_NAMES.len()].to_owned(),
                "nightclub" => format!("Club {}", BAR_NAMES[i % BAR_NAMES.len()]),
                "late-night-refreshment" => TAKEAWAY_NAMES[i % TAKEAWAY_NAMES.len()].to_owned(),
                "restaurant" => format!("{} {}", CUISINES[i % CUISINES.len()], district.name),
                _ => format!("{} Bar", BAR_NAMES[(i * 5 + 3) % BAR_NAMES.len()]),
            };
            push(
                &mut out,
                name,
                kind,
                (lon, lat),
                (opens, closes),
                district.name,
            );
        }
    }
    // Scattered community pubs and off-licences at street addresses.
    let n_addr = addresses.len().max(1);
    for i in 0..30 {
        let a = &addresses[rng.random_range(0..n_addr)];
        let (kind, opens, closes, name) = if i % 3 == 2 {
            (
                "off-licence",
                "08:00",
                "23:00",
                format!("{} Off Licence", a.street),
            )
        } else if i % 5 == 0 {
            (
                "pub",
                "11:00",
                "00:00",
                PUB_NAMES[i % PUB_NAMES.len()].to_owned(),
            )
        } else {
            (
                "pub",
                "11:00",
                "23:00",
                PUB_NAMES[(i * 11) % PUB_NAMES.len()].to_owned(),
            )
        };
        push(
            &mut out,
            name,
            kind,
            (a.lon, a.lat),
            (opens, closes),
            a.street,
        );
    }
    out
}

/// One row of `cameras.csv`.
#[derive(Debug, Clone)]
pub struct CameraRow {
    /// Camera id.
    pub id: &'static str,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Reach, metres.
    pub radius_m: f64,
    /// `fixed` or `mobile`.
    pub kind: &'static str,
}

/// Eight fixed public-space cameras (city centre, Commercial Road, Gunwharf, Albert Road,
/// Palmerston Road) and two mobile cameras (Fratton Park approach, North End).
pub fn cameras() -> Vec<CameraRow> {
    let c = |id, lon, lat, radius_m, kind| CameraRow {
        id,
        lat,
        lon,
        radius_m,
        kind,
    };
    vec![
        c("CAM01", -1.0922, 50.7990, 100.0, "fixed"), // Guildhall Square
        c("CAM02", -1.0915, 50.7970, 100.0, "fixed"), // Guildhall Walk south
        c("CAM03", -1.0884, 50.8005, 100.0, "fixed"), // Commercial Road south
        c("CAM04", -1.0879, 50.8040, 100.0, "fixed"), // Commercial Road / Cascades
        c("CAM05", -1.0900, 50.8025, 100.0, "fixed"), // Arundel Street
        c("CAM06", -1.1055, 50.7965, 100.0, "fixed"), // Gunwharf Quays
        c("CAM07", -1.0760, 50.7861, 100.0, "fixed"), // Albert Road east
        c("CAM08", -1.0880, 50.7852, 100.0, "fixed"), // Palmerston Road precinct
        c("MOB01", -1.0655, 50.7972, 75.0, "mobile"), // Fratton Park approach
        c("MOB02", -1.0770, 50.8200, 75.0, "mobile"), // London Road, North End
    ]
}

/// Home-match days at Fratton Park between two dates (inclusive): in each season (first
/// Saturday of August to the first Saturday of May) Saturdays of alternate weeks (none at New
/// Year or on the last weekend) plus a Tuesday evening every eighth week, about 23 a season; none in the close season.
pub fn match_days(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    for season_year in (from.year() - 1)..=to.year() {
        let Some(aug1) = NaiveDate::from_ymd_opt(season_year, 8, 1) else {
            continue;
        };
        let start = first_weekday_on_or_after(aug1, Weekday::Sat);
        for week in 0..40_i64 {
            let sat = start + Duration::weeks(week);
            if week % 2 == 0 && week != 22 && week != 38 {
                out.push(sat);
            }
            if week % 8 == 3 {
                out.push(sat + Duration::days(3));
            }
        }
    }
    out.retain(|d| (from..=to).contains(d));
    out.sort();
    out.dedup();
    out
}

fn first_weekday_on_or_after(d: NaiveDate, wd: Weekday) -> NaiveDate {
    let ahead = (7 + wd.num_days_from_monday() - d.weekday().num_days_from_monday()) % 7;
    d + Duration::days(i64::from(ahead))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_days_are_about_23_a_season() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let season = match_days(d(2023, 7, 1), d(2024, 6, 30));
        assert!((22..=24).contains(&season.len()), "{}", season.len());
        assert!(
            season
                .iter()
                .all(|x| matches!(x.weekday(), Weekday::Sat | Weekday::Tue))
        );
        assert_eq!(season[0], d(2023, 8, 5));
        assert!(match_days(d(2023, 6, 1), d(2023, 7, 31)).is_empty());
    }
}
