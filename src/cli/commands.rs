//! What each command does: open the store, call the library, print the result.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use super::Failure;
use super::args::{Cli, Command, ImportCommand, IngestCommand, LicensingCommand, ServeArgs};
use crate_api::*;

/// The library, under one name.
mod crate_api {
    pub use hotspot::demo::build_demo;
    pub use hotspot::index::{Snapshot, WardRules};
    pub use hotspot::ingest::{
        IngestError, IngestReport, Limits, Mapping, PostcodeLookup, WardFields, attach_population,
        expand_police_uk_paths, read_cameras_file, read_geojson_incidents_file, read_log_file,
        read_police_uk_file, read_population_file, read_venues_file, read_wards_file,
        summary_table,
    };
    pub use hotspot::query::{CCTV_PARAMS, CctvRequest, Site, run_cctv, weights_from_toml};
    pub use hotspot::query::{
        DENSITY_PARAMS, DensityRequest, EMERGING_PARAMS, EmergingRequest, HOTSPOT_PARAMS,
        HotspotRequest, ParamBag, ParamError, QueryError, SELECTION_PARAMS, STATS_PARAMS,
        StatsRequest, run_density, run_emerging, run_hotspots, run_stats,
    };
    pub use hotspot::query::{EVALUATE_PARAMS, EvaluateRequest, run_evaluate};
    pub use hotspot::query::{
        INTERVENTION_PARAMS, InterventionRequest, KNOX_PARAMS, KnoxRequest, MAX_POLYGON_BYTES,
        REPEATS_PARAMS, RepeatsRequest, run_intervention, run_knox, run_repeats,
    };
    pub use hotspot::query::{
        MAX_POLYGON_FILE_BYTES, PURPLE_FLAG_PARAMS, PurpleFlagRequest, TARGETS_PARAMS,
        TargetsRequest, parse_polygon, run_purple_flag, run_targets,
    };
    pub use hotspot::query::{PATROL_PARAMS, PatrolRequest, run_patrol};
    pub use hotspot::query::{
        REVIEW_PARAMS, ReviewRequest, ZONES_PARAMS, ZonesRequest, run_review, run_zones,
    };
    pub use hotspot::server::{AppState, ServerConfig, serve};
    pub use hotspot::store::Provenance;
    pub use hotspot::time::EventCalendar;
    pub use hotspot::workspace::{IngestSummary, Workspace, WorkspaceError};
}

impl From<IngestError> for Failure {
    fn from(e: IngestError) -> Failure {
        Failure::Usage(e.to_string())
    }
}

impl From<ParamError> for Failure {
    fn from(e: ParamError) -> Failure {
        Failure::Usage(format!("--{e}"))
    }
}

impl From<QueryError> for Failure {
    fn from(e: QueryError) -> Failure {
        if e.is_bad_request() {
            match e {
                QueryError::Param(p) => p.into(),
                other => Failure::Usage(other.to_string()),
            }
        } else {
            Failure::Runtime(e.into())
        }
    }
}

impl From<hotspot::store::StoreError> for Failure {
    fn from(e: hotspot::store::StoreError) -> Failure {
        Failure::Runtime(e.into())
    }
}

impl From<hotspot::server::ServeError> for Failure {
    fn from(e: hotspot::server::ServeError) -> Failure {
        Failure::Runtime(e.into())
    }
}

impl From<WorkspaceError> for Failure {
    fn from(e: WorkspaceError) -> Failure {
        Failure::Runtime(e.into())
    }
}

/// Runs one command.
pub fn run(cli: Cli) -> Result<(), Failure> {
    let events = cli
        .events
        .as_deref()
        .map(EventCalendar::from_path)
        .transpose()
        .map_err(|e| Failure::Usage(e.to_string()))?;
    match cli.command {
        Command::Ingest(cmd) => ingest(&cli.store, cli.quiet, cmd),
        Command::Import(cmd) => import(&cli.store, cli.quiet, cmd),
        Command::Stats(a) => {
            let (snap, req) = checked(
                &cli.store,
                a.pairs(),
                STATS_PARAMS,
                events.as_ref(),
                StatsRequest::from_params,
            )?;
            let res = run_stats(&snap, &req)?;
            let text = match a.format.as_str() {
                "table" => res.table(&snap),
                "csv" => res.csv(&snap),
                "json" => pretty(&res.json(&snap)),
                other => return Err(bad_format(other, "table, csv or json")),
            };
            print(&text)
        }
        Command::Hotspots(a) => {
            let (snap, req) = checked(
                &cli.store,
                a.pairs(),
                HOTSPOT_PARAMS,
                events.as_ref(),
                HotspotRequest::from_params,
            )?;
            let res = run_hotspots(&snap, &req)?;
            warn(&res.summary()["warnings"], cli.quiet);
            cell_output(
                &a.format,
                || res.geojson(&snap),
                || res.json(&snap),
                || res.csv(),
            )
        }
        Command::Emerging(a) => {
            let (snap, req) = checked(
                &cli.store,
                a.pairs(),
                EMERGING_PARAMS,
                events.as_ref(),
                EmergingRequest::from_params,
            )?;
            let res = run_emerging(&snap, &req)?;
            warn(&res.summary()["warnings"], cli.quiet);
            cell_output(
                &a.format,
                || res.geojson(&snap),
                || res.json(&snap),
                || res.csv(),
            )
        }
        Command::Density(a) => {
            let (snap, req) = checked(
                &cli.store,
                a.pairs(),
                DENSITY_PARAMS,
                events.as_ref(),
                DensityRequest::from_params,
            )?;
            let res = run_density(&snap, &req)?;
            cell_output(
                &a.format,
                || res.geojson(&snap),
                || res.json(&snap),
                || res.csv(),
            )
        }
        Command::Serve(a) => serve_command(&cli.store, a, events),
        Command::Evaluate(a) => {
            let (snap, req) = checked(
                &cli.store,
                a.pairs(),
                EVALUATE_PARAMS,
                events.as_ref(),
                EvaluateRequest::from_params,
            )?;
            let res = run_evaluate(&snap, &req)?;
            let text = match a.format.as_str() {
                "table" => res.table(),
                "csv" => res.csv(),
                "json" => pretty(&res.json(&snap)),
                other => return Err(bad_format(other, "table, json or csv")),
            };
            print(&text)
        }
        Command::Licensing(LicensingCommand::PurpleFlag(a)) => {
            let polygon = a.polygon.as_deref().map(read_polygon_file).transpose()?;
            let snap = snapshot(&cli.store)?;
            let mut bag = ParamBag::new(a.pairs())?;
            let zones = hotspot::server::scorecards::zone_lookup();
            let req = PurpleFlagRequest::from_params(&mut bag, &snap, polygon, zones)?;
            bag.finish(PURPLE_FLAG_PARAMS)?;
            let res = run_purple_flag(&snap, &req)?;
            let text = match a.format.as_str() {
                "json" => pretty(&res.json()),
                "html" => res.html(),
                "csv" => res.csv(),
                other => return Err(bad_format(other, "json, html or csv")),
            };
            print(&text)
        }
        Command::Targets(a) => {
            let snap = snapshot(&cli.store)?;
            let mut bag = ParamBag::new(a.pairs())?;
            let req = TargetsRequest::from_params(&mut bag, &snap)?;
            bag.finish(TARGETS_PARAMS)?;
            let res = run_targets(&snap, &req)?;
            let text = match a.format.as_str() {
                "table" => res.table(),
                "json" => pretty(&res.json()),
                "csv" => res.csv(),
                other => return Err(bad_format(other, "table, json or csv")),
            };
            print(&text)
        }
        Command::Patrol(a) => {
            let (snap, req) = checked(
                &cli.store,
                a.pairs(),
                PATROL_PARAMS,
                events.as_ref(),
                PatrolRequest::from_params,
            )?;
            let res = run_patrol(&snap, &req)?;
            let text = match a.format.as_str() {
                "html" => res.html(&snap),
                "geojson" => res.geojson(&snap).to_string(),
                "gpx" => res.gpx(&snap).map_err(|e| Failure::Runtime(e.into()))?,
                "json" => pretty(&res.json(&snap)),
                other => return Err(bad_format(other, "html, geojson, gpx or json")),
            };
            print(&text)
        }
        Command::Licensing(LicensingCommand::Review(a)) => {
            let (snap, req) = checked(
                &cli.store,
                a.pairs(),
                REVIEW_PARAMS,
                events.as_ref(),
                ReviewRequest::from_params,
            )?;
            let res = run_review(&snap, &req)?;
            let text = match a.format.as_str() {
                "table" => res.table(&snap),
                "json" => pretty(&res.json(&snap)),
                "geojson" => res.geojson(&snap).to_string(),
                "csv" => res.csv(&snap),
                other => return Err(bad_format(other, "table, json, geojson or csv")),
            };
            print(&text)
        }
        Command::Licensing(LicensingCommand::Zones(a)) => {
            let (snap, req) = checked(
                &cli.store,
                a.pairs(),
                ZONES_PARAMS,
                events.as_ref(),
                ZonesRequest::from_params,
            )?;
            let res = run_zones(&snap, &req)?;
            warn(&res.summary()["warnings"], cli.quiet);
            let text = match a.format.as_str() {
                "geojson" => res.geojson(&snap).to_string(),
                "json" => pretty(&res.json(&snap)),
                "csv" => res.csv(&snap),
                "table" => res.table(&snap),
                "html" => res.html(&snap),
                other => return Err(bad_format(other, "geojson, json, csv, table or html")),
            };
            print(&text)
        }
        Command::Knox(a) => {
            let (snap, req) = checked(
                &cli.store,
                a.pairs(),
                KNOX_PARAMS,
                events.as_ref(),
                KnoxRequest::from_params,
            )?;
            let res = run_knox(&snap, &req)?;
            let text = match a.format.as_str() {
                "json" => pretty(&res.json(&snap)),
                "table" => res.table(),
                "geojson" => res.geojson(&snap).to_string(),
                other => return Err(bad_format(other, "json, table or geojson")),
            };
            print(&text)
        }
        Command::Repeats(a) => {
            let (snap, req) = checked(
                &cli.store,
                a.pairs(),
                REPEATS_PARAMS,
                events.as_ref(),
                RepeatsRequest::from_params,
            )?;
            let res = run_repeats(&snap, &req)?;
            cell_output(
                &a.format,
                || res.geojson(&snap),
                || res.json(&snap),
                || res.csv(&snap),
            )
        }
        Command::Intervention(a) => {
            let polygon = match &a.polygon {
                None => None,
                Some(path) => Some(read_polygon(path, MAX_POLYGON_BYTES as u64)?),
            };
            let (snap, req) = checked(
                &cli.store,
                a.pairs(),
                INTERVENTION_PARAMS,
                events.as_ref(),
                |bag, snap, events| InterventionRequest::from_parts(bag, snap, events, polygon),
            )?;
            let res = run_intervention(&snap, &req)?;
            let text = match a.format.as_str() {
                "json" => pretty(&res.json(&snap)),
                "table" => res.table(),
                other => return Err(bad_format(other, "json or table")),
            };
            print(&text)
        }
        Command::Cctv(a) => cctv_command(&cli.store, &a, events.as_ref(), cli.quiet),
    }
}

/// Reads `--polygon FILE.geojson` for the Purple Flag scorecard (at most
/// [`MAX_POLYGON_FILE_BYTES`]) and parses it.
fn read_polygon_file(path: &Path) -> Result<geo::MultiPolygon<f64>, Failure> {
    let text = read_polygon(path, MAX_POLYGON_FILE_BYTES)?;
    parse_polygon(&text).map_err(|e| Failure::Usage(format!("--polygon: {}: {e}", path.display())))
}

/// Reads the text of a `--polygon FILE`, refusing a file over `max_bytes`.
fn read_polygon(path: &Path, max_bytes: u64) -> Result<String, Failure> {
    let bad = |what: String| Failure::Usage(format!("--polygon: {}: {what}", path.display()));
    let len = std::fs::metadata(path)
        .map_err(|e| bad(e.to_string()))?
        .len();
    if len > max_bytes {
        return Err(bad(format!("{len} bytes; at most {max_bytes}")));
    }
    std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))
}

/// Opens the snapshot and checks the command's flags into its request, exactly as the HTTP
/// API checks a query string; a flag the request does not take is an error naming it.
fn checked<R>(
    store: &Path,
    pairs: Vec<(String, String)>,
    own: &[&'static str],
    events: Option<&EventCalendar>,
    parse: impl FnOnce(&mut ParamBag, &Snapshot, Option<&EventCalendar>) -> Result<R, ParamError>,
) -> Result<(Snapshot, R), Failure> {
    let snap = snapshot(store)?;
    let mut bag = ParamBag::new(pairs)?;
    let request = parse(&mut bag, &snap, events)?;
    let known: Vec<&str> = SELECTION_PARAMS.iter().chain(own).copied().collect();
    bag.finish(&known)?;
    Ok((snap, request))
}

/// Prints a cell analysis as GeoJSON (compact), JSON (pretty) or CSV.
fn cell_output(
    format: &str,
    geojson: impl FnOnce() -> serde_json::Value,
    json: impl FnOnce() -> serde_json::Value,
    csv: impl FnOnce() -> String,
) -> Result<(), Failure> {
    let text = match format {
        "geojson" => geojson().to_string(),
        "json" => pretty(&json()),
        "csv" => csv(),
        other => return Err(bad_format(other, "geojson, csv or json")),
    };
    print(&text)
}

fn bad_format(got: &str, allowed: &str) -> Failure {
    Failure::Usage(format!("--format: {got:?} is not {allowed}"))
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
}

fn print(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .context("writing to standard output")?;
    if !text.ends_with('\n') {
        out.write_all(b"\n").context("writing to standard output")?;
    }
    Ok(())
}

fn warn(warnings: &serde_json::Value, quiet: bool) {
    if quiet {
        return;
    }
    for w in warnings.as_array().into_iter().flatten() {
        if let Some(w) = w.as_str() {
            eprintln!("warning: {w}");
        }
    }
}

fn snapshot(store: &Path) -> Result<Snapshot, Failure> {
    if !store.exists() {
        return Err(Failure::Usage(format!(
            "{}: no such store; ingest data first (hotspot ingest ...) or name one with --store",
            store.display()
        )));
    }
    Ok(Workspace::open(store)?.snapshot()?)
}

/// A progress bar on a terminal; hidden otherwise or with --quiet.
fn progress(len: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} files  {wide_msg}") {
        bar.set_style(style);
    }
    bar
}

fn ingest(store: &Path, quiet: bool, cmd: IngestCommand) -> Result<(), Failure> {
    let limits = Limits::default();
    let mut ws = Workspace::open(store)?;
    let salt = ws.store().salt();
    let (batches, files, strict) = match cmd {
        IngestCommand::PoliceUk { paths, strict } => {
            let files = expand_police_uk_paths(&paths)?;
            let bar = progress(files.len() as u64, quiet);
            let mut batches = Vec::new();
            for f in &files {
                bar.set_message(f.display().to_string());
                let parsed = read_police_uk_file(f, &limits)?;
                batches.push((parsed.items, parsed.report));
                bar.inc(1);
            }
            bar.finish_and_clear();
            (batches, files, strict)
        }
        IngestCommand::Log {
            file,
            mapping,
            strict,
        } => {
            let mapping = Mapping::from_path(&mapping)?;
            let parsed = read_log_file(&file, &mapping, &salt, &limits)?;
            (vec![(parsed.items, parsed.report)], vec![file], strict)
        }
        IngestCommand::Geojson { file, strict } => {
            let parsed = read_geojson_incidents_file(&file, &salt, &limits)?;
            (vec![(parsed.items, parsed.report)], vec![file], strict)
        }
    };
    let reports: Vec<IngestReport> = batches.iter().map(|(_, r)| r.clone()).collect();
    let provenance = Provenance::now(files.iter().map(|f| f.display().to_string()).collect());
    let summary = ws.ingest(batches, strict, &provenance)?;
    if !quiet {
        print(&summary_table(&reports))?;
        print_rejects(&reports);
        print(&ingest_summary(&summary, strict))?;
    }
    if strict && summary.rejected > 0 {
        let first = reports
            .iter()
            .flat_map(IngestReport::rejects)
            .next()
            .map_or_else(String::new, |r| format!("; first: {r}"));
        return Err(Failure::Usage(format!(
            "--strict: {} malformed rows; nothing was stored from the files that hold them{first}",
            summary.rejected
        )));
    }
    Ok(())
}

fn print_rejects(reports: &[IngestReport]) {
    for r in reports {
        for reject in r.rejects().iter().take(20) {
            eprintln!("{reject}");
        }
        if r.rejected > 20 {
            eprintln!(
                "... and {} more rejected rows in {}",
                r.rejected - 20,
                r.file
            );
        }
    }
}

fn ingest_summary(s: &IngestSummary, strict: bool) -> String {
    let mut out = format!(
        "rows read {}, rejected {}, stored {} new, {} already stored\nwards: {} inside, {} within the tolerance (flagged), {} outside every ward\n",
        s.rows_read, s.rejected, s.added, s.duplicates, s.in_wards, s.by_tolerance, s.outside_wards
    );
    if strict && s.withheld_strict > 0 {
        out.push_str(&format!(
            "--strict: {} well-formed rows withheld\n",
            s.withheld_strict
        ));
    }
    out
}

fn import(store: &Path, quiet: bool, cmd: ImportCommand) -> Result<(), Failure> {
    let limits = Limits::default();
    let mut ws = Workspace::open(store)?;
    let message = match cmd {
        ImportCommand::Wards {
            file,
            code_field,
            name_field,
            authority,
            tolerance_m,
            population,
            population_code_column,
            population_column,
        } => {
            if !(tolerance_m.is_finite() && (0.0..=10_000.0).contains(&tolerance_m)) {
                return Err(Failure::Usage(format!(
                    "--tolerance-m: {tolerance_m} is not 0 to 10000 metres"
                )));
            }
            let mut wards = read_wards_file(
                &file,
                &WardFields {
                    code: code_field,
                    name: name_field,
                },
                &limits,
            )?;
            let mut note = String::new();
            if let Some(p) = population {
                let table = read_population_file(
                    &p,
                    population_code_column.as_deref(),
                    population_column.as_deref(),
                    &limits,
                )?;
                let m = attach_population(&mut wards, &table);
                note = format!(", population for {} of them", m.matched);
                if !m.wards_without.is_empty() {
                    note.push_str(&format!(" (none for {})", m.wards_without.join(", ")));
                }
            }
            let rules = WardRules {
                tolerance_m,
                authority,
            };
            let outcome = ws.import_wards(&wards, rules)?;
            format!(
                "{} wards imported{note}; {} stored incidents reassigned: {} in wards ({} by the tolerance), {} changed",
                wards.len(),
                outcome.incidents,
                outcome.assigned,
                outcome.by_tolerance,
                outcome.changed
            )
        }
        ImportCommand::Venues { file, postcodes } => {
            let lookup = postcodes
                .as_deref()
                .map(|p| PostcodeLookup::from_path(p, &limits))
                .transpose()?;
            let parsed = read_venues_file(&file, lookup.as_ref(), &limits)?;
            print_rejects(std::slice::from_ref(&parsed.report));
            let n = ws.store_mut().upsert_venues(&parsed.items)?;
            format!(
                "{n} venues stored ({} rows rejected)",
                parsed.report.rejected
            )
        }
        ImportCommand::Cameras { file } => {
            let parsed = read_cameras_file(&file, &limits)?;
            print_rejects(std::slice::from_ref(&parsed.report));
            let n = ws.store_mut().upsert_cameras(&parsed.items)?;
            format!(
                "{n} cameras stored ({} rows rejected)",
                parsed.report.rejected
            )
        }
        ImportCommand::Mapping { name, file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            Mapping::from_toml(&file.display().to_string(), &text)?;
            ws.store_mut().put_mapping(&name, &text)?;
            format!("mapping {name:?} stored")
        }
    };
    if !quiet {
        print(&message)?;
    }
    Ok(())
}

fn serve_command(
    store: &Path,
    args: ServeArgs,
    events: Option<EventCalendar>,
) -> Result<(), Failure> {
    // The demo store lives in a temporary folder removed when the server stops.
    let demo_dir = if args.demo {
        Some(
            tempfile::Builder::new()
                .prefix("hotspot-demo-")
                .tempdir()
                .context("creating a temporary folder for the demo store")?,
        )
    } else {
        None
    };
    let store: PathBuf = if let Some(dir) = &demo_dir {
        let path = dir.path().join("demo.gpkg");
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let summary =
            build_demo(&path, &fixtures).context("building the demo store from fixtures/")?;
        tracing::info!("demo store {}: {summary}", path.display());
        path
    } else {
        store.to_path_buf()
    };
    let snap = snapshot(&store)?;
    let events = match events {
        Some(e) => Some(e),
        None if args.demo => Some(
            EventCalendar::from_path(
                &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/events.csv"),
            )
            .map_err(|e| Failure::Usage(e.to_string()))?,
        ),
        None => None,
    };
    let config = ServerConfig::from_env(&args.token_env)
        .with_events(events)
        .with_store(store);
    let state = AppState::new(snap, config);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(serve(args.addr, state))?;
    drop(demo_dir);
    Ok(())
}

/// `hotspot cctv`: reads the sites and weights files, then checks the flags as the HTTP API
/// checks `/api/cctv`.
fn cctv_command(
    store: &Path,
    a: &super::args::CctvArgs,
    events: Option<&EventCalendar>,
    quiet: bool,
) -> Result<(), Failure> {
    let mut pairs = a.pairs();
    if let Some(path) = &a.weights {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::Usage(format!("--weights: {}: {e}", path.display())))?;
        let value = weights_from_toml(&text)
            .map_err(|e| Failure::Usage(format!("--weights: {}: {}", path.display(), e.message)))?;
        pairs.push(("weights".to_owned(), value));
    }
    let sites = match &a.sites {
        None => None,
        Some(path) => {
            let parsed = read_cameras_file(path, &Limits::default())
                .map_err(|e| Failure::Usage(format!("--sites: {e}")))?;
            if let Some(reject) = parsed.report.rejects().first() {
                return Err(Failure::Usage(format!(
                    "--sites: {} rows rejected, first: {reject}",
                    parsed.report.rejected
                )));
            }
            Some(
                parsed
                    .items
                    .into_iter()
                    .map(|c| Site {
                        id: c.id,
                        location: c.location,
                    })
                    .collect::<Vec<_>>(),
            )
        }
    };
    let (snap, req) = checked(store, pairs, CCTV_PARAMS, events, |bag, snap, events| {
        let req = CctvRequest::from_params(bag, snap, events)?;
        match sites {
            Some(s) => req.with_sites(s),
            None => Ok(req),
        }
    })?;
    let res = run_cctv(&snap, &req)?;
    if !quiet && res.left_out_month_only > 0 {
        eprintln!(
            "note: {} month-only rows were left out of the window",
            res.left_out_month_only
        );
    }
    cell_output(
        &a.format,
        || res.geojson(&snap),
        || res.json(&snap),
        || res.csv(),
    )
}
