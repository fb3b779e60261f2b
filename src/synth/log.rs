//! The incident log: local categories with their police.uk types, daily and weekly rhythms,
//! the background spread over the city, and the CSV and TOML files the ingest reads.
//!
//! Background incidents: a ward chosen in proportion to its residents, an address of that ward,
//! a few metres of jitter; a day weighted by weekday and season, an hour from the category's
//! profile (a "day" runs 05:00–05:00, so a Friday-night 01:00 incident is Friday's).

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use rand::Rng;
use rand_pcg::Pcg64Mcg;

use crate::domain::{CrimeType, london_to_utc};

use super::geography::{Address, SynthWard, offset_m};

/// When a log row says the incident happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum When {
    /// A reported time (local).
    At(NaiveDateTime),
    /// Committed between two local times (criminal damage, vehicle crime found later).
    Span(NaiveDateTime, NaiveDateTime),
}

impl When {
    /// The (earliest) local time.
    pub fn start(self) -> NaiveDateTime {
        match self {
            When::At(t) | When::Span(t, _) => t,
        }
    }
}

/// The shape of a category's day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Rises through the afternoon, peaks 18:00–23:00 (rowdy ASB, vehicle nuisance).
    Evening,
    /// Peaks 22:00–02:00, strongly Friday/Saturday (violence, public order).
    Night,
    /// Shop hours (shoplifting, theft).
    Day,
    /// Spread over the day (burglary, neighbour disputes).
    Flat,
}

/// A local incident category as the log writes it.
#[derive(Debug, Clone, Copy)]
pub struct LocalCategory {
    /// The log's code, e.g. `ASB - Rowdy`.
    pub code: &'static str,
    /// What the mapping's `[categories]` table maps it to (a group slug or police.uk type).
    pub target: &'static str,
    /// The police.uk type used when the row is published.
    pub crime_type: CrimeType,
    /// Share of background incidents, percent.
    pub share_pct: f64,
    /// Time-of-day profile.
    pub profile: Profile,
    /// Whether a committed-between span is typical (damage or vehicle crime found later).
    pub spans: bool,
}

/// The log's categories (shares sum to 100).
pub const CATEGORIES: [LocalCategory; 17] = {
    use CrimeType as T;
    use Profile as P;
    [
        c(
            "ASB - Rowdy",
            "asb",
            T::AntiSocialBehaviour,
            14.0,
            P::Evening,
            false,
        ),
        c(
            "ASB - Street drinking",
            "asb",
            T::AntiSocialBehaviour,
            6.0,
            P::Evening,
            false,
        ),
        c(
            "ASB - Neighbour nuisance",
            "asb",
            T::AntiSocialBehaviour,
            10.0,
            P::Flat,
            false,
        ),
        c(
            "ASB - Vehicle nuisance",
            "asb",
            T::AntiSocialBehaviour,
            5.0,
            P::Evening,
            false,
        ),
        c(
            "Assault",
            "violence",
            T::ViolenceAndSexualOffences,
            14.0,
            P::Night,
            false,
        ),
        c("Robbery", "Robbery", T::Robbery, 1.5, P::Night, false),
        c(
            "Weapons possession",
            "Possession of weapons",
            T::PossessionOfWeapons,
            1.0,
            P::Night,
            false,
        ),
        c(
            "Public Order",
            "public-order",
            T::PublicOrder,
            7.0,
            P::Night,
            false,
        ),
        c(
            "Criminal Damage",
            "criminal-damage",
            T::CriminalDamageAndArson,
            9.0,
            P::Evening,
            true,
        ),
        c(
            "Drugs possession",
            "drugs",
            T::Drugs,
            3.5,
            P::Evening,
            false,
        ),
        c(
            "Burglary Dwelling",
            "Burglary",
            T::Burglary,
            5.0,
            P::Flat,
            false,
        ),
        c(
            "Theft from Vehicle",
            "Vehicle crime",
            T::VehicleCrime,
            6.0,
            P::Flat,
            true,
        ),
        c(
            "Shoplifting",
            "Shoplifting",
            T::Shoplifting,
            8.0,
            P::Day,
            false,
        ),
        c(
            "Cycle theft",
            "Bicycle theft",
            T::BicycleTheft,
            3.0,
            P::Day,
            false,
        ),
        c(
            "Theft from Person",
            "Theft from the person",
            T::TheftFromThePerson,
            1.5,
            P::Night,
            false,
        ),
        c(
            "Theft - Other",
            "Other theft",
            T::OtherTheft,
            4.0,
            P::Day,
            false,
        ),
        c("Other crime", "other", T::OtherCrime, 1.5, P::Flat, false),
    ]
};

const fn c(
    code: &'static str,
    target: &'static str,
    crime_type: CrimeType,
    share_pct: f64,
    profile: Profile,
    spans: bool,
) -> LocalCategory {
    LocalCategory {
        code,
        target,
        crime_type,
        share_pct,
        profile,
        spans,
    }
}

/// The index of a category code in [`CATEGORIES`].
pub fn category(code: &str) -> usize {
    CATEGORIES
        .iter()
        .position(|c| c.code == code)
        .unwrap_or(CATEGORIES.len() - 1)
}

/// Hour weights for a profile, index 0 = 05:00 … 23 = 04:00.
fn hour_weights(p: Profile) -> [f64; 24] {
    match p {
        //        05   06   07   08   09   10   11   12   13   14   15   16
        //        17   18   19   20   21   22   23   00   01   02   03   04
        Profile::Evening => [
            0.2, 0.3, 0.5, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 2.6, 3.2, //
            3.8, 4.2, 4.4, 4.4, 4.2, 3.8, 3.0, 2.2, 1.4, 0.9, 0.5, 0.3,
        ],
        Profile::Night => [
            0.3, 0.3, 0.5, 0.7, 0.9, 1.0, 1.1, 1.3, 1.3, 1.4, 1.6, 1.9, //
            2.2, 2.5, 2.9, 3.4, 4.2, 4.8, 4.6, 4.0, 3.2, 2.2, 1.2, 0.6,
        ],
        Profile::Day => [
            0.1, 0.2, 0.6, 1.2, 2.2, 3.2, 3.8, 4.0, 4.0, 3.9, 3.8, 3.6, //
            3.2, 2.6, 1.8, 1.2, 0.8, 0.5, 0.3, 0.2, 0.1, 0.1, 0.1, 0.1,
        ],
        Profile::Flat => [
            0.6, 0.8, 1.0, 1.2, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.4, 1.5, //
            1.6, 1.7, 1.7, 1.6, 1.5, 1.3, 1.1, 0.9, 0.8, 0.7, 0.6, 0.6,
        ],
    }
}

/// Weekday weights (Monday first) of the day an incident's evening belongs to.
fn weekday_weights(p: Profile) -> [f64; 7] {
    match p {
        Profile::Evening => [0.8, 0.8, 0.9, 1.0, 1.4, 1.5, 1.0],
        Profile::Night => [0.6, 0.6, 0.7, 0.9, 1.8, 2.2, 0.9],
        Profile::Day => [1.0, 1.0, 1.0, 1.0, 1.1, 1.3, 0.9],
        Profile::Flat => [1.0; 7],
    }
}

/// Month weights (January first): ASB and night-time disorder peak in summer.
fn month_weights(p: Profile) -> [f64; 12] {
    match p {
        Profile::Evening | Profile::Night => [
            0.85, 0.85, 0.95, 1.0, 1.1, 1.15, 1.2, 1.2, 1.05, 1.0, 0.9, 0.95,
        ],
        Profile::Day | Profile::Flat => [1.0; 12],
    }
}

/// Draws an index from cumulative weights.
pub fn pick(rng: &mut Pcg64Mcg, cumulative: &[f64]) -> usize {
    let total = cumulative.last().copied().unwrap_or(0.0);
    let u = rng.random::<f64>() * total;
    cumulative
        .partition_point(|&c| c <= u)
        .min(cumulative.len().saturating_sub(1))
}

/// Running sums of weights.
pub fn cumulative(weights: impl IntoIterator<Item = f64>) -> Vec<f64> {
    weights
        .into_iter()
        .scan(0.0, |s, w| {
            *s += w;
            Some(*s)
        })
        .collect()
}

/// A standard normal draw (Box–Muller), with `libm` so every platform gives the same bits.
pub fn normal(rng: &mut Pcg64Mcg) -> f64 {
    let u1: f64 = rng.random::<f64>().max(1e-12);
    let u2: f64 = rng.random();
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(std::f64::consts::TAU * u2)
}

/// Moves a local time out of the hour skipped when clocks go forward (it would not exist).
pub fn existing(t: NaiveDateTime) -> NaiveDateTime {
    if london_to_utc(t).is_err() {
        t + Duration::hours(1)
    } else {
        t
    }
}

/// Samplers for background times over a date range.
pub struct Clock {
    days: Vec<NaiveDate>,
    /// Per profile (Evening, Night, Day, Flat): cumulative day weights, cumulative hour weights.
    tables: [(Vec<f64>, Vec<f64>); 4],
}

fn profile_index(p: Profile) -> usize {
    match p {
        Profile::Evening => 0,
        Profile::Night => 1,
        Profile::Day => 2,
        Profile::Flat => 3,
    }
}

impl Clock {
    /// A clock over `from..=to`.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Clock {
        let days: Vec<NaiveDate> = from.iter_days().take_while(|d| *d <= to).collect();
        let table = |p: Profile| {
            let (ww, mw) = (weekday_weights(p), month_weights(p));
            let dayc = cumulative(days.iter().map(|d| {
                ww[d.weekday().num_days_from_monday() as usize] * mw[d.month0() as usize]
            }));
            (dayc, cumulative(hour_weights(p)))
        };
        let tables = [
            table(Profile::Evening),
            table(Profile::Night),
            table(Profile::Day),
            table(Profile::Flat),
        ];
        Clock { days, tables }
    }

    /// A local time with the profile's rhythm (always an existing Europe/London time).
    pub fn sample(&self, rng: &mut Pcg64Mcg, p: Profile) -> NaiveDateTime {
        let (dayc, hourc) = &self.tables[profile_index(p)];
        let day = self.days[pick(rng, dayc)];
        let h = pick(rng, hourc) as i64;
        let minute = rng.random_range(0..60_i64);
        existing(day.and_time(NaiveTime::MIN) + Duration::minutes((5 + h) * 60 + minute))
    }

    /// The last day of the range.
    pub fn last_day(&self) -> NaiveDate {
        self.days.last().copied().unwrap_or(NaiveDate::MIN)
    }
}

/// One row of the incident log before refs are assigned.
#[derive(Debug, Clone)]
pub struct LogRow {
    /// When.
    pub when: When,
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
    /// Index into [`CATEGORIES`].
    pub cat: usize,
    /// Alcohol-related flag.
    pub alcohol: bool,
    /// Street text.
    pub street: &'static str,
    /// Caller/victim reference number, if any.
    pub caller: Option<u32>,
    /// Planted pattern id (`a`..`g`), if any.
    pub pattern: Option<&'static str>,
    /// Within a pattern: the chain or repeat-location number (0 when not used).
    pub group: u32,
}

/// Hands out caller references that never repeat by chance: `n · 7919 mod 999 983` is a
/// permutation of 0..999 983 because 999 983 is prime.
#[derive(Debug, Default)]
pub struct Callers(u64);

impl Callers {
    /// The next unused reference number.
    pub fn next(&mut self) -> u32 {
        self.0 += 1;
        u32::try_from(self.0 * 7919 % 999_983).unwrap_or(0)
    }
}

/// Local shopping centres where background shoplifting gathers: (lon, lat, street).
const SHOPS: [(f64, f64, &str); 5] = [
    (-1.0770, 50.8195, "London Road"),
    (-1.0665, 50.8455, "High Street"),
    (-1.0882, 50.7850, "Palmerston Road"),
    (-1.0745, 50.8035, "Fratton Road"),
    (-1.0560, 50.7870, "Highland Road"),
];

/// Background incidents: `n` rows spread by ward population over the date range.
pub fn background(
    rng: &mut Pcg64Mcg,
    n: usize,
    clock: &Clock,
    wards: &[SynthWard],
    addresses: &[Address],
    venues: &[(f64, f64, &'static str)],
    callers: &mut Callers,
) -> Vec<LogRow> {
    let by_ward: Vec<Vec<usize>> = (0..wards.len())
        .map(|w| {
            addresses
                .iter()
                .enumerate()
                .filter(|(_, a)| a.ward == w)
                .map(|(i, _)| i)
                .collect()
        })
        .collect();
    let ward_c = cumulative(wards.iter().map(|w| f64::from(w.population)));
    let cat_c = cumulative(CATEGORIES.iter().map(|c| c.share_pct));
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let cat = pick(rng, &cat_c);
        let c = CATEGORIES[cat];
        let at = clock.sample(rng, c.profile);
        let u: f64 = rng.random();
        let (lon, lat, street) = if c.crime_type == CrimeType::Shoplifting && u < 0.6 {
            let (x, y, s) = SHOPS[rng.random_range(0..SHOPS.len())];
            let (x, y) = offset_m(x, y, 40.0 * normal(rng), 40.0 * normal(rng));
            (x, y, s)
        } else if c.profile == Profile::Night
            && !(5..19).contains(&at.hour())
            && u < 0.35
            && !venues.is_empty()
        {
            let (x, y, s) = venues[rng.random_range(0..venues.len())];
            let (x, y) = offset_m(x, y, 20.0 * normal(rng), 20.0 * normal(rng));
            (x, y, s)
        } else {
            let ward = pick(rng, &ward_c);
            let Some(&ai) = by_ward[ward].get(rng.random_range(0..by_ward[ward].len().max(1)))
            else {
                continue;
            };
            let a = &addresses[ai];
            let (x, y) = offset_m(a.lon, a.lat, 5.0 * normal(rng), 5.0 * normal(rng));
            (x, y, a.street)
        };
        let when = if c.spans && rng.random::<f64>() < 0.4 {
            let day = at.date();
            let from = day.and_time(NaiveTime::MIN)
                + Duration::minutes(rng.random_range(17 * 60..23 * 60));
            let to = day.and_time(NaiveTime::MIN)
                + Duration::minutes(rng.random_range(30 * 60 + 30..33 * 60));
            if to.date() > clock.last_day() {
                When::At(at)
            } else {
                When::Span(existing(from), existing(to))
            }
        } else {
            When::At(at)
        };
        let hour = when.start().hour();
        let night = !(5..20).contains(&hour);
        let p_alcohol = match (c.code, c.profile) {
            ("ASB - Street drinking", _) => 0.9,
            (_, Profile::Night) if night => 0.55,
            (_, Profile::Night | Profile::Evening) if night => 0.25,
            _ => 0.05,
        };
        let alcohol = rng.random::<f64>() < p_alcohol;
        let p_caller = match c.crime_type {
            CrimeType::AntiSocialBehaviour => 0.7,
            CrimeType::Burglary | CrimeType::VehicleCrime | CrimeType::CriminalDamageAndArson => {
                0.9
            }
            _ => 0.4,
        };
        let caller = (rng.random::<f64>() < p_caller).then(|| callers.next());
        out.push(LogRow {
            when,
            lon,
            lat,
            cat,
            alcohol,
            street,
            caller,
            pattern: None,
            group: 0,
        });
    }
    out
}

/// The log file's header.
pub const LOG_HEADER: &str = "ref,date,time,from,to,lat,lon,category,alcohol,street,caller_ref";

/// The mapping file for `incidents-log.csv` (interface.md, "Incident-log mapping").
pub fn log_mapping() -> String {
    let mut s = String::from(
        "# Column mapping for incidents-log.csv (synthetic Portsmouth; made by make-fixtures).\n\
         # Rows with an uncertain time leave date/time empty and give from/to as \"dd/mm/yyyy HH:MM\".\n\
         [columns]\n\
         id = \"ref\"\n\
         date = \"date\"\n\
         time = \"time\"\n\
         from = \"from\"\n\
         to = \"to\"\n\
         lat = \"lat\"\n\
         lon = \"lon\"\n\
         category = \"category\"\n\
         alcohol = \"alcohol\"\n\
         location = \"street\"\n\
         victim = \"caller_ref\"\n\
         \n\
         [formats]\n\
         date = \"%d/%m/%Y\"\n\
         time = \"%H:%M\"\n\
         \n\
         [categories]\n",
    );
    for c in CATEGORIES {
        s.push_str(&format!("\"{}\" = \"{}\"\n", c.code, c.target));
    }
    s
}

/// The mapping file for `incidents-bng.csv`.
pub fn bng_mapping() -> String {
    let mut s = String::from(
        "# Column mapping for incidents-bng.csv: British National Grid metres, ISO timestamps.\n\
         [columns]\n\
         id = \"ref\"\n\
         timestamp = \"reported_at\"\n\
         easting = \"easting\"\n\
         northing = \"northing\"\n\
         category = \"category\"\n\
         alcohol = \"alcohol\"\n\
         location = \"street\"\n\
         \n\
         [categories]\n",
    );
    for c in CATEGORIES {
        s.push_str(&format!("\"{}\" = \"{}\"\n", c.code, c.target));
    }
    s
}
