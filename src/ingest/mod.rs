//! Ingest: files in, validated domain values and a report out.
//!
//! Pure parsing and validation. Nothing here touches the store, assigns wards or knows the
//! CLI: the pipeline calls these readers and then does that work on what they return.
//!
//! | input | reader | returns |
//! |---|---|---|
//! | police.uk street-level CSV | [`PoliceUkReader`], [`read_police_uk_file`], [`expand_police_uk_paths`] | [`Parsed`]`<Incident>` |
//! | incident log CSV + TOML mapping | [`Mapping`], [`read_log_file`] | [`Parsed`]`<Incident>` |
//! | GeoJSON points | [`read_geojson_incidents_file`] | [`Parsed`]`<Incident>` |
//! | licensed venues (CSV or GeoJSON) | [`read_venues_file`], [`PostcodeLookup`] | [`Parsed`]`<Venue>` |
//! | CCTV cameras (CSV or GeoJSON) | [`read_cameras_file`] | [`Parsed`]`<Camera>` |
//! | ward boundaries, ward populations | [`read_wards_file`], [`read_population_file`] | `Vec<Ward>`, populations |
//!
//! A row that cannot be used is a [`Reject`] with its file, line (or feature index), field and
//! reason, counted in the [`IngestReport`]; a problem with the file as a whole (unreadable,
//! too large, wrong header, a bad mapping) is an [`IngestError`] before any row is used.
//!
//! Every size that comes from outside is capped by [`Limits`].
//!
//! [`Incident`]: crate::domain::Incident
//! [`Venue`]: crate::domain::Venue
//! [`Camera`]: crate::domain::Camera
//! [`Ward`]: crate::domain::Ward

mod error;
pub mod identity;
mod input;
mod limits;
pub mod police_uk;
pub mod report;

pub use error::IngestError;
pub use limits::Limits;
pub use police_uk::{POLICE_UK_HEADER, PoliceUkReader, expand_police_uk_paths, read_police_uk_file};
pub use report::{IngestReport, Position, Reject, RejectReason, summary_table};

/// What a reader returns: the values it accepted and the report on every row it read.
#[derive(Debug, Clone)]
pub struct Parsed<T> {
    /// The accepted values, in file order.
    pub items: Vec<T>,
    /// Rows read, accepted, and rejected by reason.
    pub report: IngestReport,
}
