//! From checked parameters to the numbers analyses work on: incident selection (window, wards,
//! categories) and aggregation per cell.

mod aggregate;
mod selection;

pub use aggregate::{AggregateError, CellCounts, cell_counts};
pub use selection::{Selected, Selection};
