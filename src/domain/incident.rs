//! An incident: one reported crime or ASB event, as every source is turned into.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{Category, IncidentTime, Wgs84};

/// Where an incident came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// A police.uk street-level CSV.
    PoliceUk,
    /// A council or police incident log (CSV + mapping).
    Log,
    /// A GeoJSON file of points.
    Geojson,
}

impl Source {
    /// The name stored and shown.
    pub fn name(self) -> &'static str {
        match self {
            Source::PoliceUk => "police-uk",
            Source::Log => "log",
            Source::Geojson => "geojson",
        }
    }

    /// The source with the given [`Source::name`].
    pub fn lookup(name: &str) -> Option<Source> {
        [Source::PoliceUk, Source::Log, Source::Geojson]
            .into_iter()
            .find(|s| s.name() == name)
    }
}

/// A Lower-layer Super Output Area as police.uk names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Lsoa {
    /// e.g. `E01017013` (shared: readers keep one copy per distinct code)
    pub code: Arc<str>,
    /// e.g. `Portsmouth 012A`; the part before the last space is the local authority.
    pub name: Arc<str>,
}

impl Lsoa {
    /// The local authority named in the LSOA name (`Portsmouth 012A` → `Portsmouth`).
    pub fn authority(&self) -> &str {
        self.name.rsplit_once(' ').map_or(&*self.name, |(a, _)| a)
    }
}

/// Which ward an incident lies in, and how that was decided.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WardAssignment {
    /// The ward's code (shared with the ward table).
    pub code: Arc<str>,
    /// `true` when the point lies outside every ward polygon but within the tolerance of
    /// this one (coast-clipped boundaries); `false` when the polygon contains it.
    pub by_tolerance: bool,
}

/// One incident, validated. The rest of the code trusts every field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// Stable identity: the police.uk Crime ID, the log's own reference, or a content hash
    /// plus occurrence number (see `ingest::identity`).
    pub id: String,
    /// Where it came from.
    pub source: Source,
    /// What it was.
    pub category: Category,
    /// When it happened.
    pub time: IncidentTime,
    /// Where it happened (police.uk: an anonymised snap point).
    pub location: Wgs84,
    /// The LSOA, when the source gives one.
    pub lsoa: Option<Lsoa>,
    /// The source's description of the place (`On or near Guildhall Walk`); shared, since
    /// police.uk repeats each snap point's description on every row there.
    pub location_desc: Option<Arc<str>>,
    /// The ward, once assigned; `None` = outside every ward.
    pub ward: Option<WardAssignment>,
    /// Whether the source flags it alcohol-related; `None` = the source does not say.
    pub alcohol: Option<bool>,
    /// Salted SHA-256 of the victim or caller reference, hex; never the reference itself.
    pub victim_hash: Option<String>,
}
