//! Flags and subcommands (interface.md's CLI table).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// hotspot: hotspots of anti-social behaviour and the night-time economy, from police.uk data and
/// local incident logs, for community safety partnerships.
#[derive(Debug, Parser)]
#[command(name = "hotspot", version, about, max_term_width = 100)]
pub struct Cli {
    /// The store (a GeoPackage that QGIS opens).
    #[arg(
        long,
        global = true,
        env = "HOTSPOT_STORE",
        default_value = "hotspot.gpkg"
    )]
    pub store: PathBuf,
    /// Print only errors and the results.
    #[arg(long, global = true)]
    pub quiet: bool,
    /// Event days (CSV `date,name`, e.g. match days) for `--calendar events`.
    #[arg(long, global = true, value_name = "FILE")]
    pub events: Option<PathBuf>,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add incidents to the store (police.uk CSVs, incident logs, GeoJSON points).
    #[command(subcommand)]
    Ingest(IngestCommand),
    /// Load reference layers: wards, venues, cameras, log mappings.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Counts by ward, month, category, hour or weekday (crossed when repeated).
    Stats(StatsArgs),
    /// Getis-Ord Gi* hot spots on H3 cells (ArcGIS Hot Spot Analysis; esda G_Local star=True).
    Hotspots(HotspotsArgs),
    /// Emerging hot spots over a space-time cube (ArcGIS Emerging Hot Spot Analysis).
    Emerging(EmergingArgs),
    /// Kernel density (quartic kernel) in incidents per km².
    Density(DensityArgs),
    /// Serve the web map, tiles, OGC API Features and the JSON API.
    Serve(ServeArgs),
    /// Backtest the hot spot methods: train on one window, test on the next, and report hit
    /// rate, PAI (Chainey et al. 2008), PEI (Hunt 2016) and Levine's RRI at stated coverages of
    /// the study area, with how concentrated the incidents are.
    Evaluate(EvaluateArgs),
    /// A warden patrol plan for a ward and a shift: stops of 10–15 min (Koper) at the
    /// window's hot places, ordered into a walking route that fits the shift.
    Patrol(PatrolArgs),
    /// For licensing officers: venue area reviews, cumulative impact zones and Purple Flag
    /// scorecards.
    #[command(subcommand)]
    Licensing(LicensingCommand),
    /// Community safety plan targets per ward and city: ASB (-3 % a year), alcohol-related
    /// crime per 1,000 residents (12.2 -> 10), total crime (-20 % over five years).
    Targets(TargetsArgs),
    /// Near repeats: Knox test with Monte Carlo p-values, bands [a, b) (Ratcliffe's Near Repeat
    /// Calculator without its off-by-one); needs dated incidents (logs), not police.uk months.
    Knox(KnoxArgs),
    /// Repeat locations and repeat victims/callers (ASB Case Review: 3 reports in 6 months).
    Repeats(RepeatsArgs),
    /// Did it work? Counts before/after a date in a target, a buffer and a control area, and
    /// the Weighted Displacement Quotient (Bowers & Johnson 2003).
    Intervention(InterventionArgs),
    /// Mobile CCTV siting: choose camera sites covering the most weighted incidents (Church &
    /// ReVelle's maximal covering location problem), and backtest monthly rotation.
    Cctv(CctvArgs),
}

/// `hotspot ingest ...`
#[derive(Debug, Subcommand)]
pub enum IngestCommand {
    /// police.uk street-level CSVs: files or folders (every *.csv inside, sorted).
    PoliceUk {
        /// Files or folders.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Store nothing from a file with any malformed row.
        #[arg(long)]
        strict: bool,
    },
    /// An incident log (CSV) described by a TOML column mapping.
    Log {
        /// The CSV file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The mapping (TOML: [columns], [formats], [categories]).
        #[arg(long, value_name = "FILE.toml")]
        mapping: PathBuf,
        /// Store nothing if any row is malformed.
        #[arg(long)]
        strict: bool,
    },
    /// GeoJSON points whose properties use the log mapping's target names.
    Geojson {
        /// The GeoJSON file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Store nothing if any feature is malformed.
        #[arg(long)]
        strict: bool,
    },
}

/// `hotspot import ...`
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Ward boundaries (GeoJSON Polygon/MultiPolygon); replaces the ward layer and reassigns
    /// every stored incident.
    Wards {
        /// The GeoJSON file.
        #[arg(value_name = "FILE.geojson")]
        file: PathBuf,
        /// Property holding the ward code (auto-detects WDyyCD, code).
        #[arg(long, value_name = "F")]
        code_field: Option<String>,
        /// Property holding the ward name (auto-detects WDyyNM, name).
        #[arg(long, value_name = "F")]
        name_field: Option<String>,
        /// The local authority (e.g. Portsmouth): rows whose LSOA names another authority are
        /// never pulled into a ward by the tolerance.
        #[arg(long, value_name = "NAME")]
        authority: Option<String>,
        /// Points outside every ward but within this many metres join the nearest one.
        #[arg(long, value_name = "M", default_value_t = 100.0)]
        tolerance_m: f64,
        /// Resident population per ward (CSV).
        #[arg(long, value_name = "FILE.csv")]
        population: Option<PathBuf>,
        /// Column of the population CSV holding the ward code (auto-detected).
        #[arg(long, value_name = "C")]
        population_code_column: Option<String>,
        /// Column of the population CSV holding the residents (auto-detected).
        #[arg(long, value_name = "C")]
        population_column: Option<String>,
    },
    /// Licensed premises: CSV id,name,kind,lat,lon[,opens,closes] or GeoJSON points.
    Venues {
        /// The file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// postcode,lat,lon table for rows with a postcode instead of coordinates.
        #[arg(long, value_name = "LOOKUP.csv")]
        postcodes: Option<PathBuf>,
    },
    /// A log mapping stored under a name, for POST /api/incidents?mapping=NAME.
    Mapping {
        /// The name.
        name: String,
        /// The TOML file.
        #[arg(value_name = "FILE.toml")]
        file: PathBuf,
    },
    /// CCTV cameras: CSV id,lat,lon[,radius_m,kind] or GeoJSON.
    Cameras {
        /// The file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

/// Which incidents: a time window, wards and categories (interface.md "Values").
#[derive(Debug, Clone, Args)]
pub struct SelectionArgs {
    /// First month or date (YYYY-MM or YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<String>,
    /// Last month or date, inclusive.
    #[arg(long)]
    pub to: Option<String>,
    /// Days of the week (mon,...,sun); with hours crossing midnight, the evening's day.
    #[arg(long)]
    pub days: Option<String>,
    /// Hours HH:MM-HH:MM, end exclusive, may cross midnight.
    #[arg(long)]
    pub hours: Option<String>,
    /// nte (fri,sat 20:00-04:00), evening (17:00-05:00), weekend-evening, daytime (07:00-19:00).
    #[arg(long)]
    pub preset: Option<String>,
    /// bank-holidays or events (with --events FILE).
    #[arg(long)]
    pub calendar: Option<String>,
    /// Ward code or name; repeatable or a comma list.
    #[arg(long)]
    pub ward: Vec<String>,
    /// Group slug (asb, violence, public-order, criminal-damage, drugs, acquisitive, other,
    /// nte), police.uk type or slug, or local category; repeatable or a comma list.
    #[arg(long)]
    pub category: Vec<String>,
}

impl SelectionArgs {
    /// The flags as `name=value` pairs.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        push_some(
            &mut out,
            &[
                ("from", &self.from),
                ("to", &self.to),
                ("days", &self.days),
                ("hours", &self.hours),
                ("preset", &self.preset),
                ("calendar", &self.calendar),
            ],
        );
        out.extend(self.ward.iter().map(|w| ("ward".to_owned(), w.clone())));
        out.extend(
            self.category
                .iter()
                .map(|c| ("category".to_owned(), c.clone())),
        );
        out
    }
}

/// Gi* options shared by `hotspots` and `emerging`.
#[derive(Debug, Clone, Args)]
pub struct CellArgs {
    /// H3 resolution 7–11 or auto (default 9, ≈ 175 m edge).
    #[arg(long)]
    pub resolution: Option<String>,
    /// Neighbourhood: k-ring order 1–3 (default 1).
    #[arg(long)]
    pub k: Option<String>,
    /// Benjamini–Hochberg FDR on the bins: true (default) or false.
    #[arg(long)]
    pub fdr: Option<String>,
}

impl CellArgs {
    fn pairs(&self) -> Vec<(String, String)> {
        [
            ("resolution", &self.resolution),
            ("k", &self.k),
            ("fdr", &self.fdr),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k.to_owned(), v.clone())))
        .collect()
    }
}

/// `hotspot stats`
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Which incidents.
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// ward, lsoa, month, category, hour or weekday; repeat for a cross tab.
    #[arg(long)]
    pub by: Vec<String>,
    /// Only incidents in this H3 cell.
    #[arg(long)]
    pub cell: Option<String>,
    /// table, csv or json.
    #[arg(long, default_value = "table")]
    pub format: String,
}

impl StatsArgs {
    /// The flags as `name=value` pairs.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut p = self.selection.pairs();
        p.extend(self.by.iter().map(|b| ("by".to_owned(), b.clone())));
        p.extend(self.cell.iter().map(|c| ("cell".to_owned(), c.clone())));
        p
    }
}

/// `hotspot hotspots`
#[derive(Debug, Args)]
pub struct HotspotsArgs {
    /// Which incidents.
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Cells and neighbourhood.
    #[command(flatten)]
    pub cells: CellArgs,
    /// Permutations for the pseudo p-value, 0–9999 (default 999; 0 = analytic only).
    #[arg(long)]
    pub permutations: Option<String>,
    /// Seed of the permutations (default 1).
    #[arg(long)]
    pub seed: Option<String>,
    /// Bins from the analytic p (analytic, as ArcGIS) or from p_sim (permutation, as esda).
    #[arg(long)]
    pub inference: Option<String>,
    /// geojson, csv or json.
    #[arg(long, default_value = "geojson")]
    pub format: String,
}

impl HotspotsArgs {
    /// The flags as `name=value` pairs.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut p = self.selection.pairs();
        p.extend(self.cells.pairs());
        push_some(
            &mut p,
            &[
                ("permutations", &self.permutations),
                ("seed", &self.seed),
                ("inference", &self.inference),
            ],
        );
        p
    }
}

/// `hotspot emerging`
#[derive(Debug, Args)]
pub struct EmergingArgs {
    /// Which incidents.
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Cells and neighbourhood.
    #[command(flatten)]
    pub cells: CellArgs,
    /// Time step: month (default) or week.
    #[arg(long)]
    pub step: Option<String>,
    /// Earlier steps in each bin's neighbourhood (default 1).
    #[arg(long)]
    pub time_neighbours: Option<String>,
    /// geojson, csv or json.
    #[arg(long, default_value = "geojson")]
    pub format: String,
}

impl EmergingArgs {
    /// The flags as `name=value` pairs.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut p = self.selection.pairs();
        p.extend(self.cells.pairs());
        push_some(
            &mut p,
            &[
                ("step", &self.step),
                ("time-neighbours", &self.time_neighbours),
            ],
        );
        p
    }
}

/// `hotspot density`
#[derive(Debug, Args)]
pub struct DensityArgs {
    /// Which incidents.
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Search radius in metres (default: ArcGIS's spatial Silverman rule).
    #[arg(long)]
    pub bandwidth_m: Option<String>,
    /// Square grid cell in metres (default: the study area's H3 cells).
    #[arg(long)]
    pub cell_m: Option<String>,
    /// H3 resolution of the output cells when no --cell-m (default 9).
    #[arg(long)]
    pub resolution: Option<String>,
    /// geojson, csv or json.
    #[arg(long, default_value = "geojson")]
    pub format: String,
}

impl DensityArgs {
    /// The flags as `name=value` pairs.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut p = self.selection.pairs();
        push_some(
            &mut p,
            &[
                ("bandwidth-m", &self.bandwidth_m),
                ("cell-m", &self.cell_m),
                ("resolution", &self.resolution),
            ],
        );
        p
    }
}

/// `hotspot serve`
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Build a fresh store from the bundled fixtures (synthetic Portsmouth) and serve it.
    #[arg(long)]
    pub demo: bool,
    /// Environment variable holding the bearer token for POST /api/incidents (read-only
    /// without one).
    #[arg(long, default_value = "HOTSPOT_TOKEN", value_name = "VAR")]
    pub token_env: String,
}

/// `hotspot evaluate`
///
/// Cells are ranked best first (ties to the lower H3 index) and the longest prefix whose area
/// does not exceed the coverage is flagged (the last partial cell is left out).
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// First month or date of the training window (YYYY-MM or YYYY-MM-DD). With none of the
    /// four window flags, the data's last two months are the test window and up to six months
    /// before them the training window.
    #[arg(long)]
    pub train_from: Option<String>,
    /// Last month or date of the training window, inclusive.
    #[arg(long)]
    pub train_to: Option<String>,
    /// First month or date of the test window (after the training window).
    #[arg(long)]
    pub test_from: Option<String>,
    /// Last month or date of the test window, inclusive.
    #[arg(long)]
    pub test_to: Option<String>,
    /// Days of the week (mon,...,sun), applied to both windows.
    #[arg(long)]
    pub days: Option<String>,
    /// Hours HH:MM-HH:MM, applied to both windows.
    #[arg(long)]
    pub hours: Option<String>,
    /// nte, evening, weekend-evening or daytime, applied to both windows.
    #[arg(long)]
    pub preset: Option<String>,
    /// bank-holidays or events (with --events FILE).
    #[arg(long)]
    pub calendar: Option<String>,
    /// Ward code or name; repeatable or a comma list (the study area; default all wards).
    #[arg(long)]
    pub ward: Vec<String>,
    /// Group slug, police.uk type or slug, or local category; repeatable or a comma list.
    #[arg(long)]
    pub category: Vec<String>,
    /// H3 resolution 7–11 (default 9, cells of about 0.1 km²).
    #[arg(long)]
    pub resolution: Option<String>,
    /// Percents of the study area to flag, a comma list (default 1,5,10).
    #[arg(long)]
    pub coverage: Option<String>,
    /// counts, gistar, kde, emerging (comma list; default all four).
    #[arg(long)]
    pub methods: Option<String>,
    /// Also run a rolling-origin backtest over every month with data (windows in whole
    /// months; the origin moves one month at a time) and summarise it (mean, sd, min, max).
    #[arg(long)]
    pub rolling: bool,
    /// table, json or csv.
    #[arg(long, default_value = "table")]
    pub format: String,
}

impl EvaluateArgs {
    /// The flags as `name=value` pairs.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        push_some(
            &mut out,
            &[
                ("train-from", &self.train_from),
                ("train-to", &self.train_to),
                ("test-from", &self.test_from),
                ("test-to", &self.test_to),
                ("days", &self.days),
                ("hours", &self.hours),
                ("preset", &self.preset),
                ("calendar", &self.calendar),
                ("resolution", &self.resolution),
                ("coverage", &self.coverage),
                ("methods", &self.methods),
            ],
        );
        out.extend(self.ward.iter().map(|w| ("ward".to_owned(), w.clone())));
        out.extend(
            self.category
                .iter()
                .map(|c| ("category".to_owned(), c.clone())),
        );
        if self.rolling {
            out.push(("rolling".to_owned(), "true".to_owned()));
        }
        out
    }
}

/// `hotspot patrol`
#[derive(Debug, Args)]
#[command(
    after_help = "Example: hotspot patrol --ward \"Charles Dickens\" --shift \"fri 22:00-03:00\" \
--from 2023-01 --to 2024-12 --format html > plan.html\n\n\
Places are H3 cells ranked by the incidents of the shift's window (--from/--to is the history to \
learn from); the riskiest get a visit in every round (about every 2 hours). Walking time is the \
straight line x 1.3 at --walk-kmh. Visits that do not fit the shift are listed as left out. \
Without --start the route starts at the top-ranked place."
)]
pub struct PatrolArgs {
    /// Which incidents: --ward is required; --from/--to is the history to learn from.
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// The shift: DAYS HH:MM-HH:MM, e.g. "fri 22:00-03:00" (or --days and --hours).
    #[arg(long)]
    pub shift: Option<String>,
    /// Where the warden starts: LAT,LON (default: the top-ranked place).
    #[arg(long, value_name = "LAT,LON", allow_hyphen_values = true)]
    pub start: Option<String>,
    /// H3 resolution of the places: 10 (default, ≈ 66 m edge) or 9 (≈ 174 m).
    #[arg(long)]
    pub resolution: Option<String>,
    /// Minutes per stop, 10–15 (default 15, Koper's optimum).
    #[arg(long)]
    pub dwell_min: Option<String>,
    /// Walking speed, km/h (default 5).
    #[arg(long)]
    pub walk_kmh: Option<String>,
    /// html (printable plan), geojson, gpx or json.
    #[arg(long, default_value = "html")]
    pub format: String,
}

impl PatrolArgs {
    /// The flags as `name=value` pairs.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut p = self.selection.pairs();
        push_some(
            &mut p,
            &[
                ("shift", &self.shift),
                ("start", &self.start),
                ("resolution", &self.resolution),
                ("dwell-min", &self.dwell_min),
                ("walk-kmh", &self.walk_kmh),
            ],
        );
        p
    }
}

/// `hotspot licensing ...`
#[derive(Debug, Subcommand)]
pub enum LicensingCommand {
    /// Incidents around licensed venues: by hour of the week, category and month, against the
    /// city's night-time average; incidents near several reviewed venues are shared 1/n.
    Review(LicensingReviewArgs),
    /// Cumulative impact zones: DBSCAN clusters of venues drawn as the area within eps of
    /// them, ranked by incidents (window default: the nte preset; --preset all for every time).
    Zones(LicensingZonesArgs),
    /// Purple Flag scorecard for an area: crime and ASB on Friday and Saturday nights
    /// 17:00-05:00 and every night 17:00-05:00, all vs alcohol-related, by category group, per
    /// 12-month period ending at --to, with % change, rates per venue, km² and 1,000
    /// residents, the hour profile 17..04 and the Gi* cold (safer) cells. Month-only rows
    /// (police.uk) cannot be placed on a night and are counted as left out; alcohol-related is
    /// "not recorded" where the data carry no alcohol flag. Without --zone, --polygon or
    /// --ward: every ward together (a city-wide baseline).
    PurpleFlag(PurpleFlagArgs),
}

/// `hotspot licensing purple-flag`
#[derive(Debug, Args)]
pub struct PurpleFlagArgs {
    /// A cumulative impact zone id (from `hotspot licensing zones`).
    #[arg(long, value_name = "ID")]
    pub zone: Option<String>,
    /// The area as a GeoJSON Polygon/MultiPolygon (geometry, Feature or one-feature
    /// FeatureCollection), lon/lat; at most 1 MiB and 10,000 vertices.
    #[arg(long, value_name = "FILE.geojson")]
    pub polygon: Option<PathBuf>,
    /// A ward (code or name) as the area.
    #[arg(long)]
    pub ward: Option<String>,
    /// Earliest month counted (YYYY-MM); earlier periods are cut here.
    #[arg(long)]
    pub from: Option<String>,
    /// Last month of the latest 12-month period (default: the latest month in the data).
    #[arg(long)]
    pub to: Option<String>,
    /// Number of 12-month periods, 1-10 (default 3); periods with no data are dropped.
    #[arg(long)]
    pub periods: Option<String>,
    /// json, html (printable) or csv (the KPI table).
    #[arg(long, default_value = "json")]
    pub format: String,
}

impl PurpleFlagArgs {
    /// The flags as `name=value` pairs (the polygon file is read separately).
    pub fn pairs(&self) -> Vec<(String, String)> {
        [
            ("zone", &self.zone),
            ("ward", &self.ward),
            ("from", &self.from),
            ("to", &self.to),
            ("periods", &self.periods),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k.to_owned(), v.clone())))
        .collect()
    }
}

/// `hotspot targets`
#[derive(Debug, Args)]
pub struct TargetsArgs {
    /// Baseline year (default: the first full calendar year in the data; with no full year,
    /// the first year present, flagged incomplete).
    #[arg(long, value_name = "Y")]
    pub baseline_year: Option<String>,
    /// Year judged (default: the latest full calendar year; with none, the latest year).
    #[arg(long, value_name = "Y")]
    pub year: Option<String>,
    /// Alcohol-related crime per 1,000 residents in the baseline year (default 12.2).
    #[arg(long, value_name = "RATE")]
    pub alcohol_baseline: Option<String>,
    /// Alcohol-related crime per 1,000 residents to reach (default 10).
    #[arg(long, value_name = "RATE")]
    pub alcohol_target: Option<String>,
    /// Years from the baseline to reach the alcohol target, 1-20 (default 5).
    #[arg(long, value_name = "N")]
    pub alcohol_years: Option<String>,
    /// table, json or csv.
    #[arg(long, default_value = "table")]
    pub format: String,
}

impl TargetsArgs {
    /// The flags as `name=value` pairs.
    pub fn pairs(&self) -> Vec<(String, String)> {
        [
            ("baseline-year", &self.baseline_year),
            ("year", &self.year),
            ("alcohol-baseline", &self.alcohol_baseline),
            ("alcohol-target", &self.alcohol_target),
            ("alcohol-years", &self.alcohol_years),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k.to_owned(), v.clone())))
        .collect()
    }
}

/// `hotspot licensing review`
#[derive(Debug, Args)]
pub struct LicensingReviewArgs {
    /// Which incidents (default: all days and times).
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// A venue id; repeatable or a comma list.
    #[arg(long)]
    pub venue: Vec<String>,
    /// Every venue inside this ward (code or name).
    #[arg(long, value_name = "W")]
    pub venues_in_ward: Option<String>,
    /// Radius around each venue, metres (default 100).
    #[arg(long)]
    pub radius_m: Option<String>,
    /// table (hour-of-week table per venue), json (full review) or geojson (venue points).
    #[arg(long, default_value = "table")]
    pub format: String,
}

impl LicensingReviewArgs {
    /// The flags as `name=value` pairs.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut p = self.selection.pairs();
        p.extend(self.venue.iter().map(|v| ("venue".to_owned(), v.clone())));
        push_some(
            &mut p,
            &[
                ("venues-in-ward", &self.venues_in_ward),
                ("radius-m", &self.radius_m),
            ],
        );
        p
    }
}

/// `hotspot licensing zones`
#[derive(Debug, Args)]
pub struct LicensingZonesArgs {
    /// Which incidents (default window: the nte preset).
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// DBSCAN radius between neighbouring venues, metres (default 100); also the zone's buffer.
    #[arg(long)]
    pub eps_m: Option<String>,
    /// Venues (itself included) within eps of a venue for it to be a zone's core (default 5).
    #[arg(long)]
    pub min_venues: Option<String>,
    /// geojson (zone polygons), json, csv, table or html (printable report for a cumulative
    /// impact assessment).
    #[arg(long, default_value = "geojson")]
    pub format: String,
}

impl LicensingZonesArgs {
    /// The flags as `name=value` pairs.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut p = self.selection.pairs();
        push_some(
            &mut p,
            &[("eps-m", &self.eps_m), ("min-venues", &self.min_venues)],
        );
        p
    }
}

/// Appends the flags that were given, as `name=value` pairs.
fn push_some(p: &mut Vec<(String, String)>, pairs: &[(&str, &Option<String>)]) {
    for (k, v) in pairs {
        if let Some(v) = v {
            p.push(((*k).to_owned(), v.clone()));
        }
    }
}

/// `hotspot knox`
#[derive(Debug, Args)]
pub struct KnoxArgs {
    /// Which incidents.
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Upper edges of the space bands in metres (default 100,200,300,400): bands are
    /// same location [0, 0.001), [0.001, 100), [100, 200), ... and [400, ∞); Euclidean distance.
    #[arg(long)]
    pub space_bands_m: Option<String>,
    /// Upper edges of the time bands in days (default 7,14,21,28): [0, 7) = 0 to 6 days apart,
    /// [7, 14), ... and [28, ∞).
    #[arg(long)]
    pub time_bands_days: Option<String>,
    /// Date permutations, 0–9999 (default 999; 0 = classic Knox expectation, no p-values).
    #[arg(long)]
    pub permutations: Option<String>,
    /// Seed of the permutations (default 1).
    #[arg(long)]
    pub seed: Option<String>,
    /// json (table, global test, narrative, alerts), table, or geojson (near-repeat alerts as
    /// points with radius_m, from, until).
    #[arg(long, default_value = "json")]
    pub format: String,
}

impl KnoxArgs {
    /// The flags as `name=value` pairs.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut p = self.selection.pairs();
        push_some(
            &mut p,
            &[
                ("space-bands-m", &self.space_bands_m),
                ("time-bands-days", &self.time_bands_days),
                ("permutations", &self.permutations),
                ("seed", &self.seed),
            ],
        );
        p
    }
}

/// `hotspot repeats`
#[derive(Debug, Args)]
pub struct RepeatsArgs {
    /// Which incidents.
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Least incidents that make a repeat (default 3).
    #[arg(long)]
    pub min: Option<String>,
    /// They must fall within this many days: last − first ≤ N (default 180). Places with
    /// month-only (police.uk) rows use N/30.4375 calendar months (180 → 6).
    #[arg(long)]
    pub within_days: Option<String>,
    /// Log positions closer than this are one place, metres (default 10); police.uk rows group
    /// by snap point.
    #[arg(long)]
    pub tolerance_m: Option<String>,
    /// Include repeat victims/callers (hash-derived ids only): true (default) or false.
    #[arg(long)]
    pub victims: Option<String>,
    /// json, csv (places) or geojson (places as points).
    #[arg(long, default_value = "json")]
    pub format: String,
}

impl RepeatsArgs {
    /// The flags as `name=value` pairs.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut p = self.selection.pairs();
        push_some(
            &mut p,
            &[
                ("min", &self.min),
                ("within-days", &self.within_days),
                ("tolerance-m", &self.tolerance_m),
                ("victims", &self.victims),
            ],
        );
        p
    }
}

/// `hotspot intervention`
#[derive(Debug, Args)]
pub struct InterventionArgs {
    /// Which incidents: --ward is the TARGET area here (the wards together); days, hours,
    /// preset, calendar and category filter as usual; --from/--to are refused.
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Target: a GeoJSON file of a Polygon/MultiPolygon (lon/lat).
    #[arg(long, value_name = "FILE.geojson")]
    pub polygon: Option<PathBuf>,
    /// Target: an imported camera's id (the disc of its radius).
    #[arg(long)]
    pub camera: Option<String>,
    /// Width of the buffer ring around the target, metres (default 200).
    #[arg(long)]
    pub buffer_m: Option<String>,
    /// Control wards (default: the rest of the study area outside target and buffer).
    #[arg(long)]
    pub control_ward: Vec<String>,
    /// First day of the intervention (YYYY-MM-DD, or YYYY-MM for its first day).
    #[arg(long)]
    pub date: Option<String>,
    /// Months before the date (default: as --after-months, else 6).
    #[arg(long)]
    pub before_months: Option<String>,
    /// Months from the date on (default: as --before-months, else 6).
    #[arg(long)]
    pub after_months: Option<String>,
    /// json or table.
    #[arg(long, default_value = "json")]
    pub format: String,
}

impl InterventionArgs {
    /// The flags as `name=value` pairs (the polygon file is read apart).
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut p = self.selection.pairs();
        push_some(
            &mut p,
            &[
                ("camera", &self.camera),
                ("buffer-m", &self.buffer_m),
                ("date", &self.date),
                ("before-months", &self.before_months),
                ("after-months", &self.after_months),
            ],
        );
        p.extend(
            self.control_ward
                .iter()
                .map(|w| ("control-ward".to_owned(), w.clone())),
        );
        p
    }
}

/// `hotspot cctv`
#[derive(Debug, Args)]
pub struct CctvArgs {
    /// Which incidents.
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Cameras to place (1–50, default 3).
    #[arg(long)]
    pub cameras: Option<String>,
    /// Reach of a camera in metres (10–1000, default 100).
    #[arg(long)]
    pub radius_m: Option<String>,
    /// Count incidents within reach of imported fixed cameras as already covered.
    #[arg(long)]
    pub existing: bool,
    /// Permitted sites: CSV `id,lat,lon` or GeoJSON points with an `id` (default: the centres
    /// of the H3 cells holding incidents and their neighbours).
    #[arg(long, value_name = "FILE")]
    pub sites: Option<PathBuf>,
    /// Group weights, TOML `violence = 3` (top level or under `[weights]`); defaults
    /// asb 1, violence 3, public-order 2, criminal-damage 1.5, drugs 1, acquisitive 1, other 0.5.
    #[arg(long, value_name = "FILE.toml")]
    pub weights: Option<PathBuf>,
    /// Recency half-life in months: weight 0.5^(age/half-life), age before the window's last
    /// month (default: no recency weighting).
    #[arg(long)]
    pub half_life_months: Option<String>,
    /// H3 resolution of candidate cells, 7–11 (default 10, ≈ 75 m across).
    #[arg(long)]
    pub resolution: Option<String>,
    /// The exact optimum (small instances; at most 200,000 site sets) instead of lazy greedy.
    #[arg(long)]
    pub exact: bool,
    /// Backtest monthly rotation against the naive highest-count-cells rule; the sites are
    /// next month's proposal from the last --months months.
    #[arg(long)]
    pub rotate: bool,
    /// With --rotate: months of history per placement (1–24, default 3).
    #[arg(long)]
    pub months: Option<String>,
    /// geojson, csv or json (with --rotate, csv is the backtest table).
    #[arg(long, default_value = "geojson")]
    pub format: String,
}

impl CctvArgs {
    /// The flags as `name=value` pairs (the files are read by the command).
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut p = self.selection.pairs();
        push_some(
            &mut p,
            &[
                ("cameras", &self.cameras),
                ("radius-m", &self.radius_m),
                ("half-life-months", &self.half_life_months),
                ("resolution", &self.resolution),
                ("months", &self.months),
            ],
        );
        for (k, on) in [
            ("existing", self.existing),
            ("exact", self.exact),
            ("rotate", self.rotate),
        ] {
            if on {
                p.push((k.to_owned(), "true".to_owned()));
            }
        }
        p
    }
}
