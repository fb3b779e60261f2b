//! Wards: the areas a community safety partnership plans and reports by.

use geo::MultiPolygon;

/// An electoral ward with its boundary (WGS84) and, when loaded, its resident population.
#[derive(Debug, Clone, PartialEq)]
pub struct Ward {
    /// ONS code, e.g. `E05002442`.
    pub code: String,
    /// Name, e.g. `Central Southsea`.
    pub name: String,
    /// Boundary, longitude/latitude degrees.
    pub boundary: MultiPolygon<f64>,
    /// Usual residents (Census 2021), when imported.
    pub population: Option<u32>,
}
