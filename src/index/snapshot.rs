//! The in-memory snapshot every analysis reads: incidents in columns, an R-tree over their
//! British National Grid positions, the ward lookup, venues and cameras.
//!
//! Built once per store version (expensive work — projection to BNG, H3 cells, interning — is
//! done here, never per request) and then only read; the server swaps whole snapshots.

use std::collections::HashMap;
use std::sync::OnceLock;

use h3o::{CellIndex, LatLng, Resolution};
use rstar::{AABB, RTree, primitives::GeomWithData};

use super::cells::{FillError, RESOLUTIONS, ward_cells};
use super::wards::{WardIndex, WardIndexError, WardRules};
use crate::domain::{Camera, CrimeType, Group, Incident, Lsoa, Month, Source, Venue, Ward};
use crate::time::incident_minutes;

/// The finest H3 resolution any analysis uses; coarser cells come from parent lookups.
pub const FINEST_RESOLUTION: Resolution = Resolution::Eleven;

/// `start_min`/`end_min` value of an incident known only to the month.
pub const NO_TIME: i64 = i64::MIN;

/// Strings stored once and referred to by number.
#[derive(Debug, Clone, Default)]
pub struct Interner {
    index: HashMap<String, u32>,
    values: Vec<String>,
}

impl Interner {
    /// The number of `value`, adding it if new.
    pub fn intern(&mut self, value: &str) -> u32 {
        if let Some(&i) = self.index.get(value) {
            return i;
        }
        let i = u32::try_from(self.values.len()).expect("fewer than 2^32 distinct strings");
        self.values.push(value.to_owned());
        self.index.insert(value.to_owned(), i);
        i
    }

    /// The string with number `i`.
    pub fn get(&self, i: u32) -> &str {
        &self.values[i as usize]
    }

    /// The number of a string already interned.
    pub fn find(&self, value: &str) -> Option<u32> {
        self.index.get(value).copied()
    }

    /// Every distinct string, by number.
    pub fn values(&self) -> &[String] {
        &self.values
    }
}

/// Incidents in columns: row `i` of every vector is incident `i`.
#[derive(Debug, Clone, Default)]
pub struct IncidentTable {
    /// Stable ids.
    pub id: Vec<String>,
    /// Source of each incident.
    pub source: Vec<Source>,
    /// Longitude/latitude, degrees.
    pub lonlat: Vec<[f64; 2]>,
    /// British National Grid easting/northing, metres.
    pub xy: Vec<[f64; 2]>,
    /// Practitioner group.
    pub group: Vec<Group>,
    /// police.uk type, when known.
    pub crime_type: Vec<Option<CrimeType>>,
    /// Local category label (interned in `local_categories`).
    pub local_category: Vec<Option<u32>>,
    /// Local month of the start.
    pub month: Vec<Month>,
    /// Local wall-clock minutes of the start ([`NO_TIME`] for month-only rows).
    pub start_min: Vec<i64>,
    /// Local wall-clock minutes of the end (= start for instants).
    pub end_min: Vec<i64>,
    /// Ward, as an index into [`Snapshot::wards`].
    pub ward: Vec<Option<u16>>,
    /// Whether the ward came from the tolerance rule.
    pub by_tolerance: Vec<bool>,
    /// H3 cell at [`FINEST_RESOLUTION`].
    pub cell: Vec<CellIndex>,
    /// Alcohol-related flag, when the source gives one.
    pub alcohol: Vec<Option<bool>>,
    /// Salted victim/caller hash (interned in `victims`).
    pub victim: Vec<Option<u32>>,
    /// LSOA (interned in `lsoas`).
    pub lsoa: Vec<Option<u32>>,
    /// Location description (interned in `places`).
    pub place: Vec<Option<u32>>,
    /// Distinct local category labels.
    pub local_categories: Interner,
    /// Distinct victim hashes.
    pub victims: Interner,
    /// Distinct LSOA codes (names in `lsoa_names`, same numbering).
    pub lsoas: Interner,
    /// LSOA names by LSOA number.
    pub lsoa_names: Vec<String>,
    /// Distinct location descriptions.
    pub places: Interner,
}

impl IncidentTable {
    /// Number of incidents.
    pub fn len(&self) -> usize {
        self.id.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.id.is_empty()
    }

    /// Whether incident `i` has a time of day.
    pub fn has_time(&self, i: usize) -> bool {
        self.start_min[i] != NO_TIME
    }
}

/// Why a snapshot could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SnapshotError {
    /// A ward boundary is unusable.
    #[error(transparent)]
    Ward(#[from] WardIndexError),
    /// A stored incident has no national-grid position (the store was written by something else).
    #[error("incident {id}: {reason}")]
    Incident {
        /// Incident id.
        id: String,
        /// What is wrong.
        reason: String,
    },
    /// More wards than the snapshot can number.
    #[error("{n} wards: at most 65,535 are supported")]
    TooManyWards {
        /// Number of wards.
        n: usize,
    },
}

/// Everything the analyses, tiles and API read, for one version of the store.
#[derive(Debug)]
pub struct Snapshot {
    version: u64,
    /// Incidents, in columns.
    pub incidents: IncidentTable,
    /// Wards, in store order.
    pub wards: Vec<Ward>,
    /// Point-in-ward lookup over [`Snapshot::wards`].
    pub ward_index: WardIndex,
    /// Licensed venues.
    pub venues: Vec<Venue>,
    /// CCTV cameras.
    pub cameras: Vec<Camera>,
    tree: RTree<GeomWithData<[f64; 2], u32>>,
    ward_cells: [OnceLock<Result<Vec<Vec<CellIndex>>, FillError>>; 5],
    cell_slots: [OnceLock<CellSlots>; 5],
}

/// The distinct cells incidents occupy at one resolution, and each incident's cell by number.
#[derive(Debug, Clone, Default)]
pub struct CellSlots {
    /// Distinct occupied cells, sorted.
    pub cells: Vec<CellIndex>,
    /// For each incident, the index of its cell in `cells`.
    pub slot: Vec<u32>,
}

/// What a snapshot is built from.
#[derive(Debug, Clone, Default)]
pub struct SnapshotInput {
    /// Store data version the snapshot reflects.
    pub version: u64,
    /// Every stored incident, ward already assigned.
    pub incidents: Vec<Incident>,
    /// Ward boundaries.
    pub wards: Vec<Ward>,
    /// How points were assigned to wards.
    pub ward_rules: WardRules,
    /// Licensed venues.
    pub venues: Vec<Venue>,
    /// Cameras.
    pub cameras: Vec<Camera>,
}

impl Snapshot {
    /// Builds the snapshot: columns, BNG positions, H3 cells, the R-tree.
    ///
    /// Cost: one OSTN15 projection and one H3 lookup per distinct position (police.uk points
    /// repeat heavily), one bulk R-tree load; about a second per million incidents.
    pub fn build(input: SnapshotInput) -> Result<Snapshot, SnapshotError> {
        if input.wards.len() > usize::from(u16::MAX) {
            return Err(SnapshotError::TooManyWards {
                n: input.wards.len(),
            });
        }
        let ward_index = WardIndex::new(&input.wards, input.ward_rules)?;
        let ward_number: HashMap<&str, u16> = input
            .wards
            .iter()
            .enumerate()
            .map(|(i, w)| (w.code.as_str(), i as u16))
            .collect();
        let n = input.incidents.len();
        let mut t = IncidentTable::default();
        reserve(&mut t, n);
        let mut positions: HashMap<(u64, u64), ([f64; 2], CellIndex)> = HashMap::new();
        for inc in &input.incidents {
            let (lon, lat) = (inc.location.lon(), inc.location.lat());
            let key = (lon.to_bits(), lat.to_bits());
            let (xy, cell) = match positions.get(&key) {
                Some(&v) => v,
                None => {
                    let bng = inc.location.to_bng().map_err(|e| SnapshotError::Incident {
                        id: inc.id.clone(),
                        reason: e.to_string(),
                    })?;
                    let cell = LatLng::new(lat, lon)
                        .map_err(|e| SnapshotError::Incident {
                            id: inc.id.clone(),
                            reason: e.to_string(),
                        })?
                        .to_cell(FINEST_RESOLUTION);
                    positions.insert(key, (bng.xy(), cell));
                    (bng.xy(), cell)
                }
            };
            let (start, end) = incident_minutes(&inc.time).unwrap_or((NO_TIME, NO_TIME));
            t.id.push(inc.id.clone());
            t.source.push(inc.source);
            t.lonlat.push([lon, lat]);
            t.xy.push(xy);
            t.group.push(inc.category.group);
            t.crime_type.push(inc.category.crime_type);
            t.local_category.push(
                inc.category
                    .local
                    .as_deref()
                    .map(|l| t.local_categories.intern(l)),
            );
            t.month.push(inc.time.month());
            t.start_min.push(start);
            t.end_min.push(end);
            t.ward.push(
                inc.ward
                    .as_ref()
                    .and_then(|w| ward_number.get(&*w.code).copied()),
            );
            t.by_tolerance
                .push(inc.ward.as_ref().is_some_and(|w| w.by_tolerance));
            t.cell.push(cell);
            t.alcohol.push(inc.alcohol);
            t.victim
                .push(inc.victim_hash.as_deref().map(|v| t.victims.intern(v)));
            let lsoa = inc.lsoa.as_ref().map(|l| intern_lsoa(&mut t, l));
            t.lsoa.push(lsoa);
            t.place
                .push(inc.location_desc.as_deref().map(|p| t.places.intern(p)));
        }
        let tree = RTree::bulk_load(
            t.xy.iter()
                .enumerate()
                .map(|(i, &xy)| GeomWithData::new(xy, i as u32))
                .collect(),
        );
        Ok(Snapshot {
            version: input.version,
            incidents: t,
            wards: input.wards,
            ward_index,
            venues: input.venues,
            cameras: input.cameras,
            tree,
            ward_cells: Default::default(),
            cell_slots: Default::default(),
        })
    }

    /// The store data version this snapshot reflects.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Incidents within `radius_m` metres of a BNG position (boundary included), unordered.
    pub fn within_radius_m(
        &self,
        centre: [f64; 2],
        radius_m: f64,
    ) -> impl Iterator<Item = u32> + '_ {
        self.tree
            .locate_within_distance(centre, radius_m * radius_m)
            .map(|g| g.data)
    }

    /// Incidents inside a BNG box (boundary included), unordered.
    pub fn in_box_m(&self, min: [f64; 2], max: [f64; 2]) -> impl Iterator<Item = u32> + '_ {
        self.tree
            .locate_in_envelope_intersecting(&AABB::from_corners(min, max))
            .map(|g| g.data)
    }

    /// For each ward (in [`Snapshot::wards`] order), the sorted cells at `resolution` whose centres
    /// lie inside it; computed on first use per resolution and kept.
    pub fn ward_cells(&self, resolution: Resolution) -> Result<&[Vec<CellIndex>], FillError> {
        let slot = RESOLUTIONS
            .iter()
            .position(|&r| r == resolution)
            .ok_or_else(|| FillError {
                code: String::new(),
                reason: format!("resolution {resolution} is outside the supported 7–11"),
            })?;
        let cells = self.ward_cells[slot].get_or_init(|| {
            self.wards
                .iter()
                .map(|w| ward_cells(w, resolution))
                .collect::<Result<Vec<_>, _>>()
        });
        cells.as_deref().map_err(Clone::clone)
    }

    /// Every incident's cell at `resolution` (7–11), numbered; computed on first use and kept,
    /// so aggregating a million incidents is one array lookup each.
    ///
    /// Cells are indexed directly from each position at `resolution` (as h3-py's
    /// `latlng_to_cell` does), not as parents of the finest cell: H3's aperture-7 hierarchy is
    /// not exact, and about one point in twenty near a cell edge would land in a neighbour.
    /// Work is done once per distinct position.
    pub fn cell_slots(&self, resolution: Resolution) -> Option<&CellSlots> {
        let slot = RESOLUTIONS.iter().position(|&r| r == resolution)?;
        Some(self.cell_slots[slot].get_or_init(|| {
            let mut by_position: HashMap<(u64, u64), CellIndex> = HashMap::new();
            let direct: Vec<CellIndex> = self
                .incidents
                .lonlat
                .iter()
                .zip(&self.incidents.cell)
                .map(|(p, finest)| {
                    *by_position
                        .entry((p[0].to_bits(), p[1].to_bits()))
                        .or_insert_with(|| {
                            LatLng::new(p[1], p[0])
                                .map(|ll| ll.to_cell(resolution))
                                .unwrap_or_else(|_| finest.parent(resolution).unwrap_or(*finest))
                        })
                })
                .collect();
            let mut cells = direct.clone();
            cells.sort_unstable();
            cells.dedup();
            let slot = direct
                .iter()
                .map(|c| cells.binary_search(c).map_or(0, |i| i as u32))
                .collect();
            CellSlots { cells, slot }
        }))
    }

    /// The index of the ward with this code or name (case-insensitive).
    pub fn ward_by_key(&self, key: &str) -> Option<usize> {
        let key = key.trim();
        self.wards
            .iter()
            .position(|w| w.code.eq_ignore_ascii_case(key) || w.name.eq_ignore_ascii_case(key))
    }
}

fn reserve(t: &mut IncidentTable, n: usize) {
    t.id.reserve(n);
    t.source.reserve(n);
    t.lonlat.reserve(n);
    t.xy.reserve(n);
    t.group.reserve(n);
    t.crime_type.reserve(n);
    t.local_category.reserve(n);
    t.month.reserve(n);
    t.start_min.reserve(n);
    t.end_min.reserve(n);
    t.ward.reserve(n);
    t.by_tolerance.reserve(n);
    t.cell.reserve(n);
    t.alcohol.reserve(n);
    t.victim.reserve(n);
    t.lsoa.reserve(n);
    t.place.reserve(n);
}

fn intern_lsoa(t: &mut IncidentTable, lsoa: &Lsoa) -> u32 {
    let before = t.lsoas.values().len();
    let i = t.lsoas.intern(&lsoa.code);
    if t.lsoas.values().len() > before {
        t.lsoa_names.push(lsoa.name.to_string());
    }
    i
}
