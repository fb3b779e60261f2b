//! H3 cells of wards: the study area of a cell-based analysis.
//!
//! The study area of a Gi* run is every cell whose centre lies in the selected wards, zero
//! counts included (Gi* on occupied cells alone is biased towards finding hot spots), plus any
//! cell holding an incident assigned to those wards by the coastal tolerance rule. The first part
//! is the H3 polygon fill with centroid containment (`h3o`'s `ContainsCentroid`, the same rule as
//! `h3-py`'s `polygon_to_cells`), holes respected.

use h3o::geom::{ContainmentMode, TilerBuilder};
use h3o::{CellIndex, Resolution};

use crate::domain::Ward;

/// The resolutions analyses accept (interface.md: 7–11).
pub const RESOLUTIONS: [Resolution; 5] = [
    Resolution::Seven,
    Resolution::Eight,
    Resolution::Nine,
    Resolution::Ten,
    Resolution::Eleven,
];

/// A ward boundary H3 cannot fill.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("ward {code}: boundary cannot be filled with H3 cells: {reason}")]
pub struct FillError {
    /// Ward code.
    pub code: String,
    /// What H3 said.
    pub reason: String,
}

/// The cells at `resolution` whose centres lie inside the ward, sorted.
pub fn ward_cells(ward: &Ward, resolution: Resolution) -> Result<Vec<CellIndex>, FillError> {
    let mut tiler = TilerBuilder::new(resolution)
        .containment_mode(ContainmentMode::ContainsCentroid)
        .build();
    for polygon in &ward.boundary.0 {
        tiler.add(polygon.clone()).map_err(|e| FillError {
            code: ward.code.clone(),
            reason: e.to_string(),
        })?;
    }
    let mut cells: Vec<CellIndex> = tiler.into_coverage().collect();
    cells.sort_unstable();
    cells.dedup();
    Ok(cells)
}

/// Parses a resolution number 7–11.
pub fn resolution_from_number(n: u8) -> Option<Resolution> {
    RESOLUTIONS.into_iter().find(|r| u8::from(*r) == n)
}
