//! From checked parameters to the numbers analyses work on: incident selection (window, wards,
//! categories) and aggregation per cell.

mod aggregate;
mod params;
mod selection;

pub use aggregate::{AggregateError, CellCounts, cell_counts};
pub use params::{
    MAX_LIST_VALUES, ParamError, RawSelection, parse_bool, parse_in_range, parse_resolution,
    split_list,
};
pub use selection::{Selected, Selection};
