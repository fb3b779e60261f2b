//! Counting selected incidents per H3 cell over a study area.
//!
//! Steps:
//! 1. The study area is every cell whose centre lies in the chosen wards (zero counts
//!    included: Gi* on occupied cells alone is biased), plus every cell that holds a selected
//!    incident of those wards (edge cells whose centre is outside, and points pulled in by the
//!    coastal tolerance). Incidents outside every ward are never in a cell analysis.
//! 2. Each selected incident adds its weight to its cell (one array lookup via the snapshot's
//!    per-resolution cell numbering).

use h3o::{CellIndex, Resolution};
use serde::Serialize;

use super::Selected;
use crate::index::{FillError, Snapshot};

/// Counts per cell over a study area.
#[derive(Debug, Clone, Serialize)]
pub struct CellCounts {
    /// H3 resolution.
    #[serde(serialize_with = "ser_resolution")]
    pub resolution: Resolution,
    /// Study-area cells, sorted.
    #[serde(skip)]
    pub cells: Vec<CellIndex>,
    /// Weighted count in each cell.
    #[serde(skip)]
    pub counts: Vec<f64>,
    /// Weight of selected incidents with no ward (left out of the cell analysis).
    pub outside_wards: f64,
}

fn ser_resolution<S: serde::Serializer>(r: &Resolution, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u8(u8::from(*r))
}

/// Why cells could not be counted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AggregateError {
    /// No wards are loaded, so there is no study area.
    #[error("no wards are loaded: import ward boundaries first (hotspot import wards FILE)")]
    NoWards,
    /// A ward boundary could not be filled.
    #[error(transparent)]
    Fill(#[from] FillError),
    /// Resolution outside 7–11.
    #[error("resolution {0} is outside 7–11")]
    Resolution(u8),
}

/// Counts the selected incidents per cell at `resolution` over the study area of `wards`
/// (indices into the snapshot's wards; empty = all wards).
pub fn cell_counts(
    snap: &Snapshot,
    wards: &[usize],
    selected: &Selected,
    resolution: Resolution,
) -> Result<CellCounts, AggregateError> {
    if snap.wards.is_empty() {
        return Err(AggregateError::NoWards);
    }
    let all: Vec<usize>;
    let wards = if wards.is_empty() {
        all = (0..snap.wards.len()).collect();
        &all
    } else {
        wards
    };
    let ward_cells = snap.ward_cells(resolution)?;
    let slots = snap
        .cell_slots(resolution)
        .ok_or(AggregateError::Resolution(u8::from(resolution)))?;
    let mut cells: Vec<CellIndex> = wards
        .iter()
        .flat_map(|&w| ward_cells[w].iter().copied())
        .collect();
    // Weighted count per occupied slot (selected, ward-assigned incidents only).
    let mut by_slot = vec![0.0f64; slots.cells.len()];
    let mut outside_wards = 0.0;
    for (&row, &w) in selected.rows.iter().zip(&selected.weights) {
        let row = row as usize;
        if snap.incidents.ward[row].is_none() {
            outside_wards += w;
            continue;
        }
        by_slot[slots.slot[row] as usize] += w;
    }
    cells.extend(
        by_slot
            .iter()
            .zip(&slots.cells)
            .filter(|(c, _)| **c > 0.0)
            .map(|(_, cell)| *cell),
    );
    cells.sort_unstable();
    cells.dedup();
    let mut counts = vec![0.0; cells.len()];
    for (count, cell) in by_slot.iter().zip(&slots.cells) {
        if *count > 0.0
            && let Ok(i) = cells.binary_search(cell)
        {
            counts[i] += count;
        }
    }
    Ok(CellCounts {
        resolution,
        cells,
        counts,
        outside_wards,
    })
}
