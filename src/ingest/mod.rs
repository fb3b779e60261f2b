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

pub mod cameras;
mod error;
pub mod geojson;
pub mod identity;
mod input;
mod limits;
pub mod log;
pub mod mapping;
pub mod police_uk;
pub mod report;
mod row;
mod table;
pub mod venues;
pub mod wards;

pub use cameras::{read_cameras, read_cameras_file};
pub use error::IngestError;
pub use geojson::{read_geojson_incidents, read_geojson_incidents_file};
pub use limits::Limits;
pub use log::{read_log, read_log_file};
pub use mapping::Mapping;
pub use police_uk::{
    POLICE_UK_HEADER, PoliceUkReader, expand_police_uk_paths, read_police_uk_file,
};
pub use report::{IngestReport, Position, Reject, RejectReason, summary_table};
pub use venues::{PostcodeLookup, normalise_postcode, read_venues, read_venues_file};
pub use wards::{
    PopulationMatch, WardFields, attach_population, read_population, read_population_file,
    read_wards, read_wards_file,
};

/// What a reader returns: the values it accepted and the report on every row it read.
#[derive(Debug, Clone)]
pub struct Parsed<T> {
    /// The accepted values, in file order.
    pub items: Vec<T>,
    /// Rows read, accepted, and rejected by reason.
    pub report: IngestReport,
}
