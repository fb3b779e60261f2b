//! The workspace: a store plus the rules that feed it, and the one place where an ingest is
//! carried out end to end.
//!
//! Steps of an ingest:
//! 1. The caller parses files into validated incidents and a report per file (`ingest`).
//! 2. In strict mode a file with any rejected row contributes nothing.
//! 3. Every incident is assigned to a ward with the stored ward boundaries and rules (tolerance,
//!    authority), caching the answer per distinct position (police.uk points repeat heavily).
//! 4. All of it is written in one transaction (`store`): a crash leaves the store as it was
//!    before or after, never in between.

use std::collections::HashMap;
use std::path::Path;

use crate::domain::{Incident, Ward};
use crate::index::{Snapshot, SnapshotError, SnapshotInput, WardIndex, WardIndexError, WardRules};
use crate::ingest::IngestReport;
use crate::store::{InsertOutcome, Provenance, ReassignOutcome, Store, StoreError};

/// Metadata keys under which the ward rules are kept in the store.
const META_TOLERANCE: &str = "ward_tolerance_m";
const META_AUTHORITY: &str = "ward_authority";

/// Why a workspace operation failed.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Stored wards cannot be indexed.
    #[error(transparent)]
    Wards(#[from] WardIndexError),
    /// The snapshot cannot be built.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
}

/// The outcome of one ingest command.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct IngestSummary {
    /// Rows read from every file.
    pub rows_read: u64,
    /// Rows rejected as malformed (by reason in the reports).
    pub rejected: u64,
    /// Well-formed rows not stored because their file had rejects and `--strict` was given.
    pub withheld_strict: u64,
    /// Incidents newly stored.
    pub added: u64,
    /// Incidents already stored (same id), skipped.
    pub duplicates: u64,
    /// Of the rows offered, how many lie inside a ward polygon.
    pub in_wards: u64,
    /// How many joined a ward by the coastal tolerance.
    pub by_tolerance: u64,
    /// How many lie outside every ward (stored, no ward).
    pub outside_wards: u64,
}

/// A store and its ward rules.
pub struct Workspace {
    store: Store,
}

impl Workspace {
    /// Opens (or creates) the store at `path`.
    pub fn open(path: &Path) -> Result<Workspace, WorkspaceError> {
        Ok(Workspace {
            store: Store::open(path)?,
        })
    }

    /// The underlying store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The underlying store, for writes that need no ward logic (venues, cameras, mappings).
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// The ward rules stored with the last ward import (defaults before any).
    pub fn ward_rules(&self) -> Result<WardRules, WorkspaceError> {
        let mut rules = WardRules::default();
        if let Some(t) = self
            .store
            .setting(META_TOLERANCE)?
            .and_then(|t| t.parse().ok())
        {
            rules.tolerance_m = t;
        }
        rules.authority = self
            .store
            .setting(META_AUTHORITY)?
            .filter(|a| !a.is_empty());
        Ok(rules)
    }

    fn ward_index(&self) -> Result<Option<WardIndex>, WorkspaceError> {
        let wards = self.store.wards()?;
        if wards.is_empty() {
            return Ok(None);
        }
        Ok(Some(WardIndex::new(&wards, self.ward_rules()?)?))
    }

    /// Stores parsed incidents (one transaction for the whole batch of files).
    pub fn ingest(
        &mut self,
        batches: Vec<(Vec<Incident>, IngestReport)>,
        strict: bool,
        provenance: &Provenance,
    ) -> Result<IngestSummary, WorkspaceError> {
        let index = self.ward_index()?;
        let mut summary = IngestSummary::default();
        let mut all: Vec<Incident> = Vec::new();
        for (incidents, report) in batches {
            summary.rows_read += report.rows_read;
            summary.rejected += report.rejected;
            if strict && report.rejected > 0 {
                summary.withheld_strict += incidents.len() as u64;
                continue;
            }
            if all.is_empty() {
                all = incidents;
            } else {
                all.extend(incidents);
            }
        }
        if let Some(index) = &index {
            assign_wards(index, &mut all);
        }
        for inc in &all {
            match &inc.ward {
                Some(w) if w.by_tolerance => summary.by_tolerance += 1,
                Some(_) => summary.in_wards += 1,
                None => summary.outside_wards += 1,
            }
        }
        let InsertOutcome { added, duplicates } = self.store.insert_incidents(&all, provenance)?;
        summary.added = added as u64;
        summary.duplicates = duplicates as u64;
        Ok(summary)
    }

    /// Replaces the ward layer and reassigns every stored incident, in one transaction.
    pub fn import_wards(
        &mut self,
        wards: &[Ward],
        rules: WardRules,
    ) -> Result<ReassignOutcome, WorkspaceError> {
        let index = WardIndex::new(wards, rules.clone())?;
        let tolerance = rules.tolerance_m.to_string();
        let settings = [
            (META_TOLERANCE, tolerance.as_str()),
            (META_AUTHORITY, rules.authority.as_deref().unwrap_or("")),
        ];
        let outcome = self
            .store
            .replace_wards(wards, &settings, &mut |inc: &Incident| {
                index.assign(inc.location, inc.lsoa.as_ref())
            })?;
        Ok(outcome)
    }

    /// Builds the in-memory snapshot of everything stored.
    pub fn snapshot(&self) -> Result<Snapshot, WorkspaceError> {
        Ok(Snapshot::build(SnapshotInput {
            version: self.store.data_version()?,
            incidents: self.store.incidents()?,
            wards: self.store.wards()?,
            ward_rules: self.ward_rules()?,
            venues: self.store.venues()?,
            cameras: self.store.cameras()?,
        })?)
    }
}

/// Gives each incident its ward (the code, and whether by the tolerance) under the index's
/// rules, on up to 4 threads.
///
/// Each thread caches the answer per distinct point and authority check (police.uk snap points
/// repeat heavily), so a million rows on 20,000 points cost 20,000 lookups per thread.
pub fn assign_wards(index: &WardIndex, incidents: &mut [Incident]) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let per_thread = incidents.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        for part in incidents.chunks_mut(per_thread) {
            scope.spawn(move || assign_wards_here(index, part));
        }
    });
}

/// [`assign_wards`] on the calling thread.
fn assign_wards_here(index: &WardIndex, incidents: &mut [Incident]) {
    let mut cache: HashMap<(u64, u64, bool), Option<(usize, bool)>> = HashMap::new();
    for inc in incidents {
        let authority_ok = match (&index.rules().authority, &inc.lsoa) {
            (Some(a), Some(l)) => l.authority().eq_ignore_ascii_case(a),
            _ => true,
        };
        let key = (
            inc.location.lon().to_bits(),
            inc.location.lat().to_bits(),
            authority_ok,
        );
        let found = *cache
            .entry(key)
            .or_insert_with(|| index.assign_index(inc.location, inc.lsoa.as_ref()));
        inc.ward = found.map(|(i, by_tolerance)| index.assignment(i, by_tolerance));
    }
}
