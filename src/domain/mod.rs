//! The domain model: validated types the rest of the crate trusts.

mod camera;
mod coord;
mod crime_type;
mod incident;
mod month;
mod time;
mod venue;
mod ward;

pub use camera::{Camera, CameraKind, DEFAULT_CAMERA_RADIUS_M};
pub use coord::{Bng, CoordError, Wgs84};
pub use crime_type::{Category, CategorySelector, CrimeType, Group, UnknownCategory};
pub use incident::{Incident, Lsoa, Source, WardAssignment};
pub use month::{BadMonth, Month};
pub use time::{IncidentTime, TimeError, london_to_utc, utc_to_london};
pub use venue::{Venue, VenueKind};
pub use ward::Ward;
