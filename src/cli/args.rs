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
        for (k, v) in [
            ("from", &self.from),
            ("to", &self.to),
            ("days", &self.days),
            ("hours", &self.hours),
            ("preset", &self.preset),
            ("calendar", &self.calendar),
        ] {
            if let Some(v) = v {
                out.push((k.to_owned(), v.clone()));
            }
        }
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
        for (k, v) in [
            ("permutations", &self.permutations),
            ("seed", &self.seed),
            ("inference", &self.inference),
        ] {
            if let Some(v) = v {
                p.push((k.to_owned(), v.clone()));
            }
        }
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
        for (k, v) in [
            ("step", &self.step),
            ("time-neighbours", &self.time_neighbours),
        ] {
            if let Some(v) = v {
                p.push((k.to_owned(), v.clone()));
            }
        }
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
        for (k, v) in [
            ("bandwidth-m", &self.bandwidth_m),
            ("cell-m", &self.cell_m),
            ("resolution", &self.resolution),
        ] {
            if let Some(v) = v {
                p.push((k.to_owned(), v.clone()));
            }
        }
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
        for (k, v) in [
            ("cameras", &self.cameras),
            ("radius-m", &self.radius_m),
            ("half-life-months", &self.half_life_months),
            ("resolution", &self.resolution),
            ("months", &self.months),
        ] {
            if let Some(v) = v {
                p.push((k.to_owned(), v.clone()));
            }
        }
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
