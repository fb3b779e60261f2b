//! The planted patterns (a)–(g) and the ground truth written beside them.
//!
//! Each pattern adds rows to the log with a known place, rhythm and category mix, and states the
//! analysis windows in which its centre cell must, or must not, come out as a 99 % Getis-Ord Gi*
//! hot spot at H3 resolution 9 with k = 1 (`tests/fixtures.rs` checks every claim with a
//! brute-force Gi*).

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use rand::Rng;
use rand_pcg::Pcg64Mcg;
use serde::Serialize;

use super::geography::{Address, distance_m, offset_m};
use super::log::{
    Callers, Clock, LogRow, Profile, When, category, cumulative, existing, normal, pick,
};
use super::places::{ALBERT_ROAD, FRATTON_PARK, GUILDHALL};

/// An analysis window, in the value syntax of interface.md (plus `dates`, a file of dates).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Window {
    /// A preset name (`nte`, `daytime`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preset: Option<&'static str>,
    /// Days, e.g. `fri,sat` (with hours that cross midnight, the evening's day).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<&'static str>,
    /// Hours `HH:MM-HH:MM`, end exclusive, may cross midnight.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours: Option<&'static str>,
    /// First month or date (inclusive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<&'static str>,
    /// Last month or date (inclusive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<&'static str>,
    /// Only the dates listed in this fixture file (e.g. `events.csv`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dates: Option<&'static str>,
}

impl Window {
    fn preset(name: &'static str) -> Window {
        Window {
            preset: Some(name),
            ..Window::default()
        }
    }
}

/// What a pattern plants, before its rows are counted.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Short id, e.g. `a-guildhall-walk-nte`.
    pub id: &'static str,
    /// What it stands for.
    pub description: &'static str,
    /// Centre (lon, lat).
    pub centre: (f64, f64),
    /// Radius that holds nearly all its rows, metres.
    pub radius_m: f64,
    /// Days, as a `days` value.
    pub days: &'static str,
    /// Hours, as an `hours` value; `None` for any time of day.
    pub hours: Option<&'static str>,
    /// Local category codes.
    pub categories: Vec<&'static str>,
    /// Dates covered (inclusive).
    pub date_from: NaiveDate,
    /// Last date covered.
    pub date_to: NaiveDate,
    /// Windows where its centre cell must be a 99 % Gi* hot spot.
    pub must_be_hot: Vec<Window>,
    /// Windows where it must not be.
    pub must_not_be_hot: Vec<Window>,
}

/// A Poisson draw (Knuth's product method; fine for the small means used here).
fn poisson(rng: &mut Pcg64Mcg, mean: f64) -> u32 {
    let limit = libm::exp(-mean);
    let mut k = 0;
    let mut p: f64 = rng.random();
    while p > limit && k < 1000 {
        k += 1;
        p *= rng.random::<f64>();
    }
    k
}

/// Shared settings for the rows of one pattern.
struct Mix {
    cats: Vec<(usize, f64)>,
    cum: Vec<f64>,
    alcohol_p: f64,
    caller_p: f64,
}

impl Mix {
    fn new(cats: &[(&'static str, f64)], alcohol_p: f64, caller_p: f64) -> Mix {
        Mix {
            cats: cats.iter().map(|&(c, w)| (category(c), w)).collect(),
            cum: cumulative(cats.iter().map(|&(_, w)| w)),
            alcohol_p,
            caller_p,
        }
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one row's fields, named at the call"
    )]
    fn row(
        &self,
        rng: &mut Pcg64Mcg,
        callers: &mut Callers,
        at: NaiveDateTime,
        (lon, lat): (f64, f64),
        street: &'static str,
        pattern: &'static str,
        group: u32,
    ) -> LogRow {
        let cat = self.cats[pick(rng, &self.cum)].0;
        let street_drinking = super::log::CATEGORIES[cat].code == "ASB - Street drinking";
        let alcohol = rng.random::<f64>() < if street_drinking { 0.9 } else { self.alcohol_p };
        let caller = (rng.random::<f64>() < self.caller_p).then(|| callers.next());
        LogRow {
            when: When::At(existing(at)),
            lon,
            lat,
            cat,
            alcohol,
            street,
            caller,
            pattern: Some(pattern),
            group,
        }
    }
}

fn at(d: NaiveDate, minutes_after_midnight: i64) -> NaiveDateTime {
    d.and_time(NaiveTime::MIN) + Duration::minutes(minutes_after_midnight)
}

const NIGHT_MIX: [(&str, f64); 4] = [
    ("Assault", 35.0),
    ("Public Order", 25.0),
    ("ASB - Rowdy", 30.0),
    ("Criminal Damage", 10.0),
];

/// Everything the planted patterns add, with their plans.
pub struct Planted {
    /// The rows, tagged with their pattern id.
    pub rows: Vec<LogRow>,
    /// One plan per pattern, in id order.
    pub plans: Vec<Plan>,
}

/// Plants patterns (a)–(g) over `from..=to`.
pub fn plant(
    rng: &mut Pcg64Mcg,
    clock: &Clock,
    from: NaiveDate,
    to: NaiveDate,
    match_days: &[NaiveDate],
    addresses: &[Address],
    callers: &mut Callers,
) -> Planted {
    let days: Vec<NaiveDate> = from.iter_days().take_while(|d| *d <= to).collect();
    let mut rows = Vec::new();
    let mut plans = Vec::new();
    let nte = || vec![Window::preset("nte")];
    let daytime = || vec![Window::preset("daytime")];

    // (a) Guildhall Walk, Friday and Saturday nights 22:00–03:00.
    let id = "a-guildhall-walk-nte";
    let mix = Mix::new(&NIGHT_MIX, 0.8, 0.3);
    for &d in days
        .iter()
        .filter(|d| matches!(d.weekday(), Weekday::Fri | Weekday::Sat))
    {
        for _ in 0..poisson(rng, 3.5) {
            let t = at(d, 22 * 60 + rng.random_range(0..300));
            let p = offset_m(
                GUILDHALL.lon,
                GUILDHALL.lat,
                20.0 * normal(rng),
                40.0 * normal(rng),
            );
            rows.push(mix.row(rng, callers, t, p, "Guildhall Walk", id, 0));
        }
    }
    plans.push(Plan {
        id,
        description: "Night-time economy violence, disorder and rowdy ASB outside the Guildhall Walk clubs, Friday and Saturday nights; mostly alcohol-related",
        centre: (GUILDHALL.lon, GUILDHALL.lat),
        radius_m: 120.0,
        days: "fri,sat",
        hours: Some("22:00-03:00"),
        categories: NIGHT_MIX.iter().map(|c| c.0).collect(),
        date_from: from,
        date_to: to,
        must_be_hot: nte(),
        must_not_be_hot: daytime(),
    });

    // (b) Albert Road, Saturday nights 23:00–02:00, along the length of the street.
    let id = "b-albert-road-saturday";
    let mix = Mix::new(
        &[
            ("Assault", 30.0),
            ("Public Order", 25.0),
            ("ASB - Rowdy", 35.0),
            ("Criminal Damage", 10.0),
        ],
        0.75,
        0.3,
    );
    for &d in days.iter().filter(|d| d.weekday() == Weekday::Sat) {
        for _ in 0..poisson(rng, 2.6) {
            let t = at(d, 23 * 60 + rng.random_range(0..180));
            let e = rng.random_range(-ALBERT_ROAD.half_ew_m..ALBERT_ROAD.half_ew_m) * 0.8;
            let p = offset_m(ALBERT_ROAD.lon, ALBERT_ROAD.lat, e, 8.0 * normal(rng));
            rows.push(mix.row(rng, callers, t, p, "Albert Road", id, 0));
        }
    }
    plans.push(Plan {
        id,
        description: "Saturday-night disorder along Albert Road's pubs and bars",
        centre: (ALBERT_ROAD.lon, ALBERT_ROAD.lat),
        radius_m: 320.0,
        days: "sat",
        hours: Some("23:00-02:00"),
        categories: vec!["Assault", "Public Order", "ASB - Rowdy", "Criminal Damage"],
        date_from: from,
        date_to: to,
        must_be_hot: vec![
            Window {
                days: Some("sat"),
                hours: Some("23:00-02:00"),
                ..Window::default()
            },
            Window::preset("nte"),
        ],
        must_not_be_hot: daytime(),
    });

    // (c) Commercial Road precinct, every day 10:00–17:00.
    let id = "c-commercial-road-daytime";
    let centre = (-1.0880, 50.8035);
    let cats = [
        ("Shoplifting", 60.0),
        ("ASB - Street drinking", 20.0),
        ("ASB - Rowdy", 10.0),
        ("Theft from Person", 10.0),
    ];
    let mix = Mix::new(&cats, 0.05, 0.5);
    for &d in &days {
        for _ in 0..poisson(rng, 1.2) {
            let t = at(d, 10 * 60 + rng.random_range(0..420));
            let p = offset_m(centre.0, centre.1, 15.0 * normal(rng), 50.0 * normal(rng));
            rows.push(mix.row(rng, callers, t, p, "Commercial Road", id, 0));
        }
    }
    plans.push(Plan {
        id,
        description: "Daytime shoplifting, street drinking and ASB in the Commercial Road shopping precinct",
        centre,
        radius_m: 150.0,
        days: "mon,tue,wed,thu,fri,sat,sun",
        hours: Some("10:00-17:00"),
        categories: cats.iter().map(|c| c.0).collect(),
        date_from: from,
        date_to: to,
        must_be_hot: daytime(),
        must_not_be_hot: nte(),
    });

    // (d) Emerging ASB around a Paulsgrove park: July–December 2024, growing every month.
    let id = "d-paulsgrove-park-emerging";
    let centre = (-1.1010, 50.8505);
    let cats = [
        ("ASB - Rowdy", 50.0),
        ("ASB - Vehicle nuisance", 20.0),
        ("Criminal Damage", 15.0),
        ("ASB - Street drinking", 15.0),
    ];
    let mix = Mix::new(&cats, 0.2, 0.6);
    let monthly = [5_u32, 9, 14, 20, 27, 35];
    let start = NaiveDate::from_ymd_opt(to.year(), 7, 1).unwrap_or(to);
    for (m, &n) in monthly.iter().enumerate() {
        let first = start
            .checked_add_months(chrono::Months::new(u32::try_from(m).unwrap_or(0)))
            .unwrap_or(start);
        let month_days: Vec<NaiveDate> = first
            .iter_days()
            .take_while(|d| d.month() == first.month() && *d <= to)
            .collect();
        for _ in 0..n {
            let d = month_days[rng
                .random_range(0..month_days.len().max(1))
                .min(month_days.len().saturating_sub(1))];
            let t = at(d, 15 * 60 + rng.random_range(0..420));
            let p = offset_m(centre.0, centre.1, 35.0 * normal(rng), 35.0 * normal(rng));
            rows.push(mix.row(rng, callers, t, p, "Allaway Avenue", id, 0));
        }
    }
    plans.push(Plan {
        id,
        description: "Emerging ASB around a park in Paulsgrove: none before July 2024, then 5, 9, 14, 20, 27 and 35 reports a month (July-December 2024), 15:00-22:00",
        centre,
        radius_m: 120.0,
        days: "mon,tue,wed,thu,fri,sat,sun",
        hours: Some("15:00-22:00"),
        categories: cats.iter().map(|c| c.0).collect(),
        date_from: start,
        date_to: to,
        must_be_hot: vec![Window {
            from: Some("2024-10"),
            to: Some("2024-12"),
            ..Window::default()
        }],
        must_not_be_hot: vec![Window {
            from: Some("2023-01"),
            to: Some("2024-06"),
            ..Window::default()
        }],
    });

    // (e) Match-day disorder near Fratton Park, 17:00–23:00 on the events.csv dates.
    let id = "e-fratton-park-match-days";
    let mix = Mix::new(
        &[
            ("Public Order", 35.0),
            ("Assault", 30.0),
            ("ASB - Rowdy", 25.0),
            ("Criminal Damage", 10.0),
        ],
        0.85,
        0.2,
    );
    for &d in match_days {
        for _ in 0..poisson(rng, 7.0) {
            let t = at(d, 17 * 60 + rng.random_range(0..360));
            let p = offset_m(
                FRATTON_PARK.0,
                FRATTON_PARK.1,
                45.0 * normal(rng),
                45.0 * normal(rng),
            );
            rows.push(mix.row(rng, callers, t, p, "Frogmore Road", id, 0));
        }
    }
    plans.push(Plan {
        id,
        description: "Match-day disorder around Fratton Park on home-match dates (events.csv)",
        centre: FRATTON_PARK,
        radius_m: 150.0,
        days: "mon,tue,wed,thu,fri,sat,sun",
        hours: Some("17:00-23:00"),
        categories: vec!["Public Order", "Assault", "ASB - Rowdy", "Criminal Damage"],
        date_from: match_days.first().copied().unwrap_or(from),
        date_to: match_days.last().copied().unwrap_or(to),
        must_be_hot: vec![Window {
            hours: Some("17:00-23:00"),
            dates: Some("events.csv"),
            ..Window::default()
        }],
        must_not_be_hot: vec![Window {
            days: Some("sun,mon,wed,thu"),
            hours: Some("17:00-23:00"),
            ..Window::default()
        }],
    });

    // (f) Near-repeat burglary chains in the Fratton terraces.
    let id = "f-near-repeat-burglary";
    let centre = (-1.0700, 50.8080);
    let radius_m = 900.0;
    let local: Vec<&Address> = addresses
        .iter()
        .filter(|a| distance_m((a.lon, a.lat), centre) <= radius_m - 200.0)
        .collect();
    let mix = Mix::new(&[("Burglary Dwelling", 1.0)], 0.0, 0.95);
    let last_seed_day = to - Duration::days(8);
    let mut chain = 0;
    while chain < 60 && !local.is_empty() {
        let t0 = clock.sample(rng, Profile::Flat);
        if t0.date() > last_seed_day {
            continue;
        }
        chain += 1;
        let a = local[rng.random_range(0..local.len())];
        rows.push(mix.row(rng, callers, t0, (a.lon, a.lat), a.street, id, chain));
        for _ in 0..rng.random_range(1..=3) {
            let r = rng.random_range(15.0..190.0);
            let bearing = rng.random_range(0.0..std::f64::consts::TAU);
            let p = offset_m(a.lon, a.lat, r * libm::cos(bearing), r * libm::sin(bearing));
            let t = t0 + Duration::minutes(rng.random_range(120..7 * 24 * 60 - 60));
            let street = local
                .iter()
                .min_by(|x, y| {
                    distance_m((x.lon, x.lat), p).total_cmp(&distance_m((y.lon, y.lat), p))
                })
                .map_or(a.street, |x| x.street);
            rows.push(mix.row(rng, callers, t, p, street, id, chain));
        }
    }
    plans.push(Plan {
        id,
        description: "Near-repeat burglary: 60 chains, each a dwelling burglary followed by 1-3 more within 200 m and 7 days",
        centre,
        radius_m,
        days: "mon,tue,wed,thu,fri,sat,sun",
        hours: None,
        categories: vec!["Burglary Dwelling"],
        date_from: from,
        date_to: to,
        must_be_hot: vec![],
        must_not_be_hot: vec![],
    });

    // (g) Repeat locations, each with one repeat caller: 3-6 reports within 170 days.
    let id = "g-repeat-locations";
    let places = [
        ((-1.0725, 50.8040), 3, "ASB - Neighbour nuisance"),
        ((-1.0950, 50.8480), 4, "ASB - Rowdy"),
        ((-1.0500, 50.7950), 5, "ASB - Neighbour nuisance"),
        ((-1.0650, 50.8220), 6, "ASB - Vehicle nuisance"),
    ];
    let span_days = (to - from).num_days() - 200;
    for (g, &(p, n, code)) in places.iter().enumerate() {
        let Some(a) = addresses
            .iter()
            .min_by(|x, y| distance_m((x.lon, x.lat), p).total_cmp(&distance_m((y.lon, y.lat), p)))
        else {
            continue;
        };
        let mix = Mix::new(&[(code, 0.8), ("Criminal Damage", 0.2)], 0.1, 0.0);
        let caller = callers.next();
        let start = from + Duration::days(30 + rng.random_range(0..span_days.max(1)));
        let mut offsets: Vec<i64> = (0..n).map(|_| rng.random_range(0..170)).collect();
        offsets.sort_unstable();
        for off in offsets {
            let t = at(
                start + Duration::days(off),
                16 * 60 + rng.random_range(0..420),
            );
            let group = u32::try_from(g + 1).unwrap_or(0);
            let mut row = mix.row(rng, callers, t, (a.lon, a.lat), a.street, id, group);
            row.caller = Some(caller);
            rows.push(row);
        }
    }
    plans.push(Plan {
        id,
        description: "Repeat locations and repeat callers: four addresses with 3, 4, 5 and 6 reports within 170 days, each from one caller (the ASB Case Review '3 in 6 months' rule)",
        centre: places[0].0,
        radius_m: 1.0,
        days: "mon,tue,wed,thu,fri,sat,sun",
        hours: Some("16:00-23:00"),
        categories: vec![
            "ASB - Neighbour nuisance",
            "ASB - Rowdy",
            "ASB - Vehicle nuisance",
            "Criminal Damage",
        ],
        date_from: from,
        date_to: to,
        must_be_hot: vec![],
        must_not_be_hot: vec![],
    });

    Planted { rows, plans }
}
