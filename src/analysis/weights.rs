//! Binary spatial weights in compressed sparse row (CSR) form.
//!
//! # Citation
//! The k-ring ("grid disk") neighbourhood of Uber's H3 (`gridDisk`, via h3o's
//! [`CellIndex::grid_disk_safe`]); the binary, self-included weights are those of ArcGIS Hot Spot
//! Analysis and of PySAL `esda.G_Local(star=True, transform="B")` (methods.md §1.1–1.2).
//!
//! # Parameters
//! - `cells`: the study area, one H3 cell per location (all at one resolution, no duplicates).
//! - `k`: the ring distance in cells, 1–3 (at H3 resolution 9, k = 1 reaches ≈ 350 m).
//!
//! # Returns
//! A [`Neighbours`]: for each location `i`, the sorted indices (into `cells`) of the locations
//! within `k` rings, **self included**, restricted to the study area. Locations whose only
//! neighbour is themselves are islands ([`Neighbours::islands`]).
//!
//! # Algorithm
//! 1. Sort the cells' 64-bit indices once (`O(n log n)`), rejecting duplicates and mixed
//!    resolutions.
//! 2. For every cell, walk its k-ring (h3o's fast walk, or the pentagon-safe one when the fast
//!    walk meets a pentagon) and binary-search each ring cell in the
//!    sorted list; keep those found.
//! 3. Sort each row, append it to `indices`, and record the running length in `offsets`.
//!
//! # Notes
//! `O(n · (3k² + 3k + 1) · log n)` time and `O(n · (3k² + 3k + 1))` memory: 20 000 res-9 cells
//! at k = 1 build in about 6 ms (optimised build). Weights are binary, so only the structure is
//! stored. Away from H3's 12 pentagons k-rings are symmetric; across a pentagon H3's disks may
//! not be, and the rows are taken as H3 gives them.
//!
//! # Example
//! ```
//! use h3o::{CellIndex, LatLng, Resolution};
//! use hotspot::analysis::weights::Neighbours;
//!
//! let centre = LatLng::new(50.7989, -1.0912).expect("valid degrees").to_cell(Resolution::Nine);
//! let cells: Vec<CellIndex> = centre.grid_disk(1);
//! let w = Neighbours::from_h3_cells(&cells, 1).expect("7 distinct res-9 cells");
//! let me = cells.iter().position(|c| *c == centre).expect("the centre is in its own disk");
//! assert_eq!(w.cardinality(me), 7); // the centre sees all 6 neighbours and itself
//! assert!(w.islands().is_empty());
//! ```

use h3o::CellIndex;

/// The largest number of locations a weights object accepts (indices are `u32`).
pub const MAX_LOCATIONS: usize = 5_000_000;

/// The most points [`Neighbours::from_distance_band`] accepts (it is quadratic).
pub const MAX_DISTANCE_BAND_POINTS: usize = 20_000;

/// The largest k-ring distance accepted.
pub const MAX_K: u32 = 3;

/// Why a [`Neighbours`] could not be built.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum WeightsError {
    /// No locations were given.
    #[error("no locations: the study area is empty")]
    Empty,
    /// More locations than [`MAX_LOCATIONS`].
    #[error("{n} locations is more than the maximum of {max}")]
    TooMany {
        /// Locations given.
        n: usize,
        /// The cap.
        max: usize,
    },
    /// `k` outside 1..=[`MAX_K`].
    #[error("k = {k} is outside 1..={max}")]
    BadK {
        /// The k given.
        k: u32,
        /// The largest k accepted.
        max: u32,
    },
    /// The same cell appears twice.
    #[error("cell {cell} appears more than once (positions {first} and {second})")]
    DuplicateCell {
        /// The repeated cell.
        cell: CellIndex,
        /// Its first position.
        first: usize,
        /// Its second position.
        second: usize,
    },
    /// Cells of different H3 resolutions were mixed.
    #[error("cell at position {index} has resolution {found}, but the first cell has {expected}")]
    MixedResolution {
        /// Position of the offending cell.
        index: usize,
        /// The first cell's resolution.
        expected: u8,
        /// The offending cell's resolution.
        found: u8,
    },
    /// A neighbour list names a location that does not exist.
    #[error("location {location} lists neighbour {neighbour}, but there are only {n} locations")]
    NeighbourOutOfRange {
        /// The location whose list is at fault.
        location: usize,
        /// The bad neighbour index.
        neighbour: usize,
        /// The number of locations.
        n: usize,
    },
    /// A neighbour list is not symmetric (binary weights must be).
    #[error("location {location} lists {neighbour} as a neighbour but not the other way round")]
    Asymmetric {
        /// The location whose list names the other.
        location: usize,
        /// The neighbour that does not name it back.
        neighbour: usize,
    },
    /// A coordinate or distance is not a finite number.
    #[error("location {index}: coordinate or distance is not finite")]
    NotFinite {
        /// Position of the offending point (or `usize::MAX` for the distance).
        index: usize,
    },
}

/// Symmetric binary neighbour lists in CSR form, self included, each row sorted ascending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Neighbours {
    /// `offsets[i]..offsets[i + 1]` is location `i`'s slice of `indices`; `len = n + 1`.
    offsets: Vec<u32>,
    /// Concatenated neighbour indices.
    indices: Vec<u32>,
    /// Locations whose only neighbour is themselves, ascending.
    islands: Vec<u32>,
}

impl Neighbours {
    /// Binary k-ring weights over H3 cells, restricted to `cells`, self included (see the module
    /// docs for the algorithm).
    ///
    /// # Errors
    /// [`WeightsError::Empty`], [`WeightsError::TooMany`], [`WeightsError::BadK`],
    /// [`WeightsError::DuplicateCell`] or [`WeightsError::MixedResolution`].
    pub fn from_h3_cells(cells: &[CellIndex], k: u32) -> Result<Self, WeightsError> {
        check_size(cells.len())?;
        if !(1..=MAX_K).contains(&k) {
            return Err(WeightsError::BadK { k, max: MAX_K });
        }
        let expected = cells[0].resolution();
        if let Some(index) = cells.iter().position(|c| c.resolution() != expected) {
            return Err(WeightsError::MixedResolution {
                index,
                expected: u8::from(expected),
                found: u8::from(cells[index].resolution()),
            });
        }
        // Step 1: sorted (cell, position) pairs for lookup.
        let mut sorted: Vec<(u64, u32)> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| (u64::from(*c), to_u32(i)))
            .collect();
        sorted.sort_unstable();
        if let Some(pair) = sorted.windows(2).find(|p| p[0].0 == p[1].0) {
            let (a, b) = (pair[0].1 as usize, pair[1].1 as usize);
            return Err(WeightsError::DuplicateCell {
                cell: cells[a],
                first: a.min(b),
                second: a.max(b),
            });
        }
        let keys: Vec<u64> = sorted.iter().map(|p| p.0).collect();
        // Steps 2–3: walk each k-ring, keep the cells in the study area.
        let ring_len = (3 * k * k + 3 * k + 1) as usize;
        let mut offsets = Vec::with_capacity(cells.len() + 1);
        let mut indices = Vec::with_capacity(cells.len() * ring_len);
        offsets.push(0);
        let mut row: Vec<u32> = Vec::with_capacity(ring_len);
        for cell in cells {
            row.clear();
            let mut lookup = |other: CellIndex| {
                if let Ok(pos) = keys.binary_search(&u64::from(other)) {
                    row.push(sorted[pos].1);
                }
            };
            // The fast walk fails (yields None) only near pentagons; then take the safe one.
            let mut fast_ok = true;
            for other in cell.grid_disk_fast(k) {
                match other {
                    Some(other) => lookup(other),
                    None => {
                        fast_ok = false;
                        break;
                    }
                }
            }
            if !fast_ok {
                row.clear();
                for other in cell.grid_disk_safe(k) {
                    if let Ok(pos) = keys.binary_search(&u64::from(other)) {
                        row.push(sorted[pos].1);
                    }
                }
            }
            row.sort_unstable();
            row.dedup();
            indices.extend_from_slice(&row);
            offsets.push(to_u32(indices.len()));
        }
        Ok(Self::from_csr(offsets, indices))
    }

    /// Binary distance-band weights on planar points (e.g. British National Grid metres): `j` is
    /// a neighbour of `i` when their Euclidean distance is at most `max_distance_m`; self
    /// included. `O(n²)`: meant for small sets and reference tests (the esda docstring example).
    ///
    /// # Errors
    /// [`WeightsError::Empty`], [`WeightsError::TooMany`] (more than
    /// [`MAX_DISTANCE_BAND_POINTS`]) or [`WeightsError::NotFinite`].
    pub fn from_distance_band(
        points: &[[f64; 2]],
        max_distance_m: f64,
    ) -> Result<Self, WeightsError> {
        check_size(points.len())?;
        if points.len() > MAX_DISTANCE_BAND_POINTS {
            return Err(WeightsError::TooMany {
                n: points.len(),
                max: MAX_DISTANCE_BAND_POINTS,
            });
        }
        if !max_distance_m.is_finite() {
            return Err(WeightsError::NotFinite { index: usize::MAX });
        }
        if let Some(index) = points
            .iter()
            .position(|p| !(p[0].is_finite() && p[1].is_finite()))
        {
            return Err(WeightsError::NotFinite { index });
        }
        let max_sq = max_distance_m * max_distance_m;
        let lists = points
            .iter()
            .map(|a| {
                points
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) <= max_sq)
                    .map(|(j, _)| j)
                    .collect()
            })
            .collect::<Vec<Vec<usize>>>();
        Self::from_lists(&lists)
    }

    /// Weights from explicit neighbour lists (self is added if missing; rows are sorted and
    /// de-duplicated). The lists must be symmetric.
    ///
    /// # Errors
    /// [`WeightsError::Empty`], [`WeightsError::TooMany`],
    /// [`WeightsError::NeighbourOutOfRange`] or [`WeightsError::Asymmetric`].
    pub fn from_lists(lists: &[Vec<usize>]) -> Result<Self, WeightsError> {
        let n = lists.len();
        check_size(n)?;
        let mut offsets = Vec::with_capacity(n + 1);
        let mut indices = Vec::new();
        offsets.push(0);
        for (i, list) in lists.iter().enumerate() {
            let start = indices.len();
            for &j in list {
                if j >= n {
                    return Err(WeightsError::NeighbourOutOfRange {
                        location: i,
                        neighbour: j,
                        n,
                    });
                }
                indices.push(to_u32(j));
            }
            indices.push(to_u32(i));
            let row = &mut indices[start..];
            row.sort_unstable();
            let mut w = 0;
            for r in 0..row.len() {
                if r == 0 || row[r] != row[w - 1] {
                    row[w] = row[r];
                    w += 1;
                }
            }
            indices.truncate(start + w);
            offsets.push(to_u32(indices.len()));
        }
        let out = Self::from_csr(offsets, indices);
        for i in 0..n {
            for &j in out.neighbours(i) {
                if out
                    .neighbours(j as usize)
                    .binary_search(&to_u32(i))
                    .is_err()
                {
                    return Err(WeightsError::Asymmetric {
                        location: i,
                        neighbour: j as usize,
                    });
                }
            }
        }
        Ok(out)
    }

    fn from_csr(offsets: Vec<u32>, indices: Vec<u32>) -> Self {
        let islands = offsets
            .windows(2)
            .enumerate()
            .filter(|(_, w)| w[1] - w[0] <= 1)
            .map(|(i, _)| to_u32(i))
            .collect();
        Self {
            offsets,
            indices,
            islands,
        }
    }

    /// The number of locations.
    #[must_use]
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Whether there are no locations (never true for a built value).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Location `i`'s neighbours, self included, ascending. Panics if `i >= len()`.
    #[must_use]
    pub fn neighbours(&self, i: usize) -> &[u32] {
        &self.indices[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// The number of neighbours of `i`, self included (the `neighbours` output property).
    #[must_use]
    pub fn cardinality(&self, i: usize) -> usize {
        (self.offsets[i + 1] - self.offsets[i]) as usize
    }

    /// The largest cardinality (self included).
    #[must_use]
    pub fn max_cardinality(&self) -> usize {
        self.offsets
            .windows(2)
            .map(|w| (w[1] - w[0]) as usize)
            .max()
            .unwrap_or(0)
    }

    /// Locations whose only neighbour is themselves, ascending.
    #[must_use]
    pub fn islands(&self) -> &[u32] {
        &self.islands
    }

    /// The CSR offsets (`len() + 1` entries).
    #[must_use]
    pub fn offsets(&self) -> &[u32] {
        &self.offsets
    }

    /// The CSR neighbour indices.
    #[must_use]
    pub fn indices(&self) -> &[u32] {
        &self.indices
    }
}

fn check_size(n: usize) -> Result<(), WeightsError> {
    if n == 0 {
        return Err(WeightsError::Empty);
    }
    if n > MAX_LOCATIONS {
        return Err(WeightsError::TooMany {
            n,
            max: MAX_LOCATIONS,
        });
    }
    Ok(())
}

/// Converts an index already checked against [`MAX_LOCATIONS`] (or a CSR length bounded by
/// `MAX_LOCATIONS · 37`) to `u32`.
fn to_u32(i: usize) -> u32 {
    u32::try_from(i).expect("sizes are capped by MAX_LOCATIONS so indices fit in u32")
}

#[cfg(test)]
mod tests {
    use super::*;
    use h3o::{LatLng, Resolution};
    use rand::{Rng, SeedableRng};

    fn portsmouth_disk(radius: u32) -> Vec<CellIndex> {
        let centre = LatLng::new(50.7989, -1.0912)
            .expect("valid degrees")
            .to_cell(Resolution::Nine);
        let mut cells: Vec<CellIndex> = centre.grid_disk(radius);
        cells.sort_unstable();
        cells
    }

    #[test]
    fn matches_brute_force_grid_distance_on_random_subsets() {
        let all = portsmouth_disk(10);
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(7);
        for k in 1..=3 {
            let subset: Vec<CellIndex> = all
                .iter()
                .copied()
                .filter(|_| rng.random_bool(0.6))
                .collect();
            let w = Neighbours::from_h3_cells(&subset, k).expect("valid cells");
            for (i, a) in subset.iter().enumerate() {
                let expected: Vec<u32> = subset
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| a.grid_distance(**b).expect("nearby cells") <= k as i32)
                    .map(|(j, _)| j as u32)
                    .collect();
                assert_eq!(w.neighbours(i), expected.as_slice(), "cell {i}, k {k}");
            }
            let islands: Vec<u32> = (0..subset.len())
                .filter(|&i| w.cardinality(i) == 1)
                .map(|i| i as u32)
                .collect();
            assert_eq!(w.islands(), islands.as_slice());
        }
    }

    /// Near a pentagon h3o's fast walk fails and the safe walk must take over. (Grid distance
    /// is not defined consistently across a pentagon, so the oracle is the safe disk itself.)
    #[test]
    fn pentagon_neighbourhood_matches_the_safe_disk() {
        let pentagon = Resolution::Nine
            .pentagons()
            .next()
            .expect("12 pentagons per resolution");
        let cells: Vec<CellIndex> = pentagon.grid_disk_safe(4).collect();
        for k in 1..=3 {
            let w = Neighbours::from_h3_cells(&cells, k).expect("valid");
            for (i, a) in cells.iter().enumerate() {
                let disk: Vec<CellIndex> = a.grid_disk_safe(k).collect();
                let expected: Vec<u32> = cells
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| disk.contains(b))
                    .map(|(j, _)| j as u32)
                    .collect();
                assert_eq!(w.neighbours(i), expected.as_slice(), "cell {a}, k {k}");
            }
        }
        let me = cells
            .iter()
            .position(|c| *c == pentagon)
            .expect("in its disk");
        assert_eq!(
            Neighbours::from_h3_cells(&cells, 1)
                .expect("valid")
                .cardinality(me),
            6
        );
    }

    #[test]
    fn full_disk_cardinalities() {
        let cells = portsmouth_disk(4);
        let w = Neighbours::from_h3_cells(&cells, 2).expect("valid");
        assert_eq!(w.len(), 61);
        assert_eq!(w.max_cardinality(), 19);
        assert_eq!(w.indices().len(), w.offsets()[61] as usize);
    }

    #[test]
    fn island_is_reported() {
        let mut cells = portsmouth_disk(1);
        let far = LatLng::new(51.5, -0.12)
            .expect("valid")
            .to_cell(Resolution::Nine);
        cells.push(far);
        let w = Neighbours::from_h3_cells(&cells, 1).expect("valid");
        assert_eq!(w.islands(), &[7]);
        assert_eq!(w.neighbours(7), &[7]);
    }

    #[test]
    fn rejects_bad_input() {
        let cells = portsmouth_disk(1);
        assert_eq!(Neighbours::from_h3_cells(&[], 1), Err(WeightsError::Empty));
        assert_eq!(
            Neighbours::from_h3_cells(&cells, 4),
            Err(WeightsError::BadK { k: 4, max: 3 })
        );
        let dup = vec![cells[0], cells[1], cells[0]];
        assert_eq!(
            Neighbours::from_h3_cells(&dup, 1),
            Err(WeightsError::DuplicateCell {
                cell: cells[0],
                first: 0,
                second: 2
            })
        );
        let parent = cells[0].parent(Resolution::Eight).expect("coarser");
        assert!(matches!(
            Neighbours::from_h3_cells(&[cells[0], parent], 1),
            Err(WeightsError::MixedResolution {
                index: 1,
                expected: 9,
                found: 8
            })
        ));
        assert_eq!(
            Neighbours::from_lists(&[vec![1], vec![]]),
            Err(WeightsError::Asymmetric {
                location: 0,
                neighbour: 1
            })
        );
        assert_eq!(
            Neighbours::from_lists(&[vec![5]]),
            Err(WeightsError::NeighbourOutOfRange {
                location: 0,
                neighbour: 5,
                n: 1
            })
        );
    }

    #[test]
    fn distance_band_includes_self_and_band_edge() {
        let pts = [[0.0, 0.0], [15.0, 0.0], [30.1, 0.0]];
        let w = Neighbours::from_distance_band(&pts, 15.0).expect("finite");
        assert_eq!(w.neighbours(0), &[0, 1]);
        assert_eq!(w.neighbours(1), &[0, 1]);
        assert_eq!(w.neighbours(2), &[2]);
        assert_eq!(w.islands(), &[2]);
        let many = vec![[0.0, 0.0]; MAX_DISTANCE_BAND_POINTS + 1];
        assert_eq!(
            Neighbours::from_distance_band(&many, 1.0),
            Err(WeightsError::TooMany {
                n: MAX_DISTANCE_BAND_POINTS + 1,
                max: MAX_DISTANCE_BAND_POINTS
            })
        );
    }
}
