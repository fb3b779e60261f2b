//! Licensed premises.

use std::fmt;

use chrono::NaiveTime;
use serde::{Deserialize, Serialize};

use super::Wgs84;

/// The kind of licensed premises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VenueKind {
    /// Public house.
    Pub,
    /// Bar.
    Bar,
    /// Nightclub.
    Nightclub,
    /// Late-night refreshment (takeaways open after 23:00).
    LateNightRefreshment,
    /// Off-licence.
    OffLicence,
    /// Restaurant.
    Restaurant,
    /// Anything else.
    Other,
}

impl VenueKind {
    /// Every kind.
    pub const ALL: [VenueKind; 7] = [
        VenueKind::Pub,
        VenueKind::Bar,
        VenueKind::Nightclub,
        VenueKind::LateNightRefreshment,
        VenueKind::OffLicence,
        VenueKind::Restaurant,
        VenueKind::Other,
    ];

    /// The name used in files and outputs.
    pub fn name(self) -> &'static str {
        match self {
            VenueKind::Pub => "pub",
            VenueKind::Bar => "bar",
            VenueKind::Nightclub => "nightclub",
            VenueKind::LateNightRefreshment => "late-night-refreshment",
            VenueKind::OffLicence => "off-licence",
            VenueKind::Restaurant => "restaurant",
            VenueKind::Other => "other",
        }
    }

    /// The kind with this name (ASCII case-insensitive).
    pub fn lookup(name: &str) -> Option<VenueKind> {
        VenueKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(name.trim()))
    }
}

impl fmt::Display for VenueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A licensed venue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Venue {
    /// The licence or register id.
    pub id: String,
    /// Trading name.
    pub name: String,
    /// Kind of premises.
    pub kind: VenueKind,
    /// Position.
    pub location: Wgs84,
    /// Licensed opening time, when known.
    pub opens: Option<NaiveTime>,
    /// Licensed closing time (may be after midnight), when known.
    pub closes: Option<NaiveTime>,
}
