//! Indexes over the stored data: the ward lookup used at ingest, and the in-memory snapshot
//! (columns, R-tree, H3 cells) every analysis reads.

mod cells;
mod snapshot;
mod wards;

pub use cells::{FillError, RESOLUTIONS, resolution_from_number, ward_cells};
pub use snapshot::{
    CellSlots, FINEST_RESOLUTION, IncidentTable, Interner, NO_TIME, Snapshot, SnapshotError,
    SnapshotInput,
};
pub use wards::{DEFAULT_TOLERANCE_M, WardIndex, WardIndexError, WardRules, to_bng};
