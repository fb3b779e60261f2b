//! # hotspot
//!
//! A geospatial hotspot engine and map server for anti-social behaviour (ASB) and the
//! night-time economy, built for UK community safety partnerships.
//!
//! Data flows: sources → [`ingest`] → [`store`] (a GeoPackage) → [`index`] (an in-memory
//! snapshot with R-trees and H3 cells) → analyses → tiles, API and web map.
//!
//! ## Modules
//! - [`domain`]: incidents, crime types and groups, months and times, WGS84 and British
//!   National Grid coordinates, wards, venues and cameras.
//! - [`ingest`]: police.uk CSVs, incident logs (CSV + TOML mapping), GeoJSON, venues,
//!   cameras, ward boundaries and populations; every reject has a file, line and field.
//! - [`store`]: the GeoPackage store QGIS and GDAL open directly.
//! - [`index`]: the snapshot the analyses read: columns, R-trees, ward lookup, H3 cells.
//! - [`time`]: windows (date range × days × hours crossing midnight × bank-holiday or event
//!   nights), aoristic weights (Ratcliffe 2000), England & Wales bank holidays.
//! - [`analysis`]: the statistics on cells and counts: Gi* (Ord & Getis 1995 / PySAL
//!   `esda.G_Local(star=True)` / ArcGIS Hot Spot Analysis), emerging hot spots (ArcGIS Emerging
//!   Hot Spot Analysis, Mann–Kendall), quartic kernel density (ArcGIS Kernel Density), Local
//!   Moran's I (esda `Moran_Local`), Benjamini–Hochberg FDR, DBSCAN (Ester et al. 1996;
//!   scikit-learn `DBSCAN`) for cumulative impact zones.
//! - [`query`] licensing: venue area reviews (`run_review`) and cumulative impact zones
//!   (`run_zones`) with the s.182 evidence report, for Licensing Act 2003 s.5A assessments.
//!   Moran's I (esda `Moran_Local`), Benjamini–Hochberg FDR.
//!   CCTV siting ↔ Church & ReVelle's maximal covering location problem (PySAL
//!   `spopt.locate.MCLP`), lazy greedy with the (1 − 1/e) guarantee and an exact search.
//! - [`server`]: the HTTP server: the web map, `/api/stats|hotspots|emerging|density` over a
//!   shared analysis cache, vector tiles (MVT/GeoJSON, TileJSON; martin's role), OGC API –
//!   Features (GDAL/QGIS `OAPIF:`) with `hotspots` and `emerging` collections, the OpenAPI
//!   document, ETags, gzip, CORS, bearer tokens for writes.
//! - [`query`]: checked requests and each analysis end to end; also the Purple Flag
//!   scorecard (ATCM Purple Flag crime KPIs, methods.md §7.1) and the plan targets.
//! - [`synth`]: the deterministic synthetic Portsmouth behind `fixtures/` and the benches.
//! - [`tiles`]: the vector tile pipeline (project and index once; per tile query, clip,
//!   simplify, quantise) with MVT 2.1 and GeoJSON encoders, point clustering and TileJSON 3.0;
//!   the `geojson-vt` + `vt-pbf` of this crate.
//! - Backtests ([`analysis::evaluation`], [`query::run_evaluate`], `hotspot evaluate`): PAI ↔
//!   Chainey, Tompson & Uhlig 2008 (ptools `pai()`), PEI ↔ Hunt 2016, RRI ↔ Levine 2008,
//!   generalised Gini ↔ Bernasco & Steenbeek 2017 (`lorenzgini`).
//! - Evidence that it works: [`analysis::knox`] (Knox near-repeat test ↔ Ratcliffe's Near Repeat
//!   Calculator, bands `[a, b)`, max-T global test), [`analysis::wdq`] (Weighted Displacement
//!   Quotient ↔ Bowers & Johnson 2003), repeat locations and victims (ASB Case Review "3 in 6
//!   months"); run end to end by `hotspot knox|repeats|intervention` and `/api/knox|repeats|intervention`.
#![doc = ""]

pub mod analysis;
pub mod demo;
pub mod domain;
pub mod index;
pub mod ingest;
pub mod query;
pub mod server;
pub mod store;
pub mod synth;
pub mod tiles;
pub mod time;
pub mod workspace;
