//! The demo store: the bundled synthetic Portsmouth (`fixtures/`) loaded the way a partnership
//! would load its own data, for `hotspot serve --demo`, the browser tests and the README.
//!
//! Steps, each through the same code paths as the CLI:
//! 1. Wards with their populations (authority `Portsmouth`, tolerance 100 m).
//! 2. Venues, cameras, and the incident-log mapping stored as `incidents-log`.
//! 3. The incident log (2023–2024, with times and spans), the British National Grid log and the
//!    police.uk month, in one ingest.

use std::fmt;
use std::path::Path;

use crate::index::WardRules;
use crate::ingest::{
    IngestError, Limits, Mapping, WardFields, attach_population, read_cameras_file, read_log_file,
    read_police_uk_file, read_population_file, read_venues_file, read_wards_file,
};
use crate::store::{Provenance, StoreError};
use crate::workspace::{IngestSummary, Workspace, WorkspaceError};

/// What went wrong building the demo.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// A fixture could not be read.
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// The store failed.
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An old demo store could not be removed.
    #[error("removing the old demo store {path}: {source}")]
    Remove {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A fixture row was rejected: the fixtures are generated and must be clean.
    #[error(
        "{file}: {rejected} rows rejected; regenerate the fixtures (cargo run --bin make-fixtures)"
    )]
    Rejected {
        /// The fixture file.
        file: String,
        /// Rows rejected.
        rejected: u64,
    },
}

/// What the demo store holds.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    /// Wards imported.
    pub wards: usize,
    /// Venues imported.
    pub venues: usize,
    /// Cameras imported.
    pub cameras: usize,
    /// The incident ingest.
    pub incidents: IngestSummary,
}

impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} wards, {} venues, {} cameras, {} incidents ({} outside wards)",
            self.wards,
            self.venues,
            self.cameras,
            self.incidents.added,
            self.incidents.outside_wards
        )
    }
}

/// Builds a fresh demo store at `store` (removed first if it exists) from `fixtures`.
pub fn build_demo(store: &Path, fixtures: &Path) -> Result<DemoSummary, DemoError> {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let p = store.with_file_name(format!(
            "{}{suffix}",
            store
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        ));
        if p.exists() {
            std::fs::remove_file(&p).map_err(|source| DemoError::Remove {
                path: p.display().to_string(),
                source,
            })?;
        }
    }
    let limits = Limits::default();
    let mut ws = Workspace::open(store)?;
    let mut wards = read_wards_file(
        &fixtures.join("wards.geojson"),
        &WardFields::default(),
        &limits,
    )?;
    let population =
        read_population_file(&fixtures.join("ward-population.csv"), None, None, &limits)?;
    attach_population(&mut wards, &population);
    ws.import_wards(
        &wards,
        WardRules {
            tolerance_m: 100.0,
            authority: Some("Portsmouth".into()),
        },
    )?;
    let venues = clean(read_venues_file(
        &fixtures.join("venues.csv"),
        None,
        &limits,
    )?)?;
    ws.store_mut().upsert_venues(&venues)?;
    let cameras = clean(read_cameras_file(&fixtures.join("cameras.csv"), &limits)?)?;
    ws.store_mut().upsert_cameras(&cameras)?;
    let salt = ws.store().salt();
    let log_mapping_path = fixtures.join("incidents-log.toml");
    let log_mapping_text =
        std::fs::read_to_string(&log_mapping_path).map_err(|source| IngestError::Io {
            path: log_mapping_path.clone(),
            source,
        })?;
    let log_mapping = Mapping::from_toml("incidents-log.toml", &log_mapping_text)?;
    ws.store_mut()
        .put_mapping("incidents-log", &log_mapping_text)?;
    let bng_mapping = Mapping::from_path(&fixtures.join("incidents-bng.toml"))?;
    let mut batches = Vec::new();
    for parsed in [
        read_log_file(
            &fixtures.join("incidents-log.csv"),
            &log_mapping,
            &salt,
            &limits,
        )?,
        read_log_file(
            &fixtures.join("incidents-bng.csv"),
            &bng_mapping,
            &salt,
            &limits,
        )?,
        read_police_uk_file(
            &fixtures.join("police-uk/2024-12-synthetic-street.csv"),
            &limits,
        )?,
    ] {
        if parsed.report.rejected > 0 {
            return Err(DemoError::Rejected {
                file: parsed.report.file.clone(),
                rejected: parsed.report.rejected,
            });
        }
        batches.push((parsed.items, parsed.report));
    }
    let incidents = ws.ingest(
        batches,
        true,
        &Provenance::now(vec!["fixtures/ (demo)".into()]),
    )?;
    Ok(DemoSummary {
        wards: wards.len(),
        venues: venues.len(),
        cameras: cameras.len(),
        incidents,
    })
}

fn clean<T>(parsed: crate::ingest::Parsed<T>) -> Result<Vec<T>, DemoError> {
    if parsed.report.rejected > 0 {
        return Err(DemoError::Rejected {
            file: parsed.report.file,
            rejected: parsed.report.rejected,
        });
    }
    Ok(parsed.items)
}
