//! Incident points, aggregated into grid clusters at low zoom so no tile carries a city's
//! worth of points.
//!
//! Citation: grid-based clustering as in Mapbox's supercluster "grid" mode and geojson-vt's
//! advice to cluster points before tiling; here a fixed grid of `cell_px` tile pixels aligned
//! to the global pixel grid of each zoom, so a cell's cluster is the same feature (same count,
//! same centroid) in every tile whose buffer reaches it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use geo::Coord;
use rstar::primitives::GeomWithData;
use rstar::{AABB, RTree};
use serde_json::{Map, Value};

use super::clip::contains;
use super::coord::{
    BUFFER, EXTENT, ORIGIN_SHIFT_M, TileCoord, lonlat_to_mercator, mercator_to_lonlat,
};
use super::geometry::{ClippedFeature, TileGeometry, quantise};
use super::properties::{Properties, PropertyInterner};
use super::source::FieldType;
use super::{MAX_FEATURES, MAX_ZOOM, TileError};
use crate::domain::Wgs84;

/// One incident point with its properties.
#[derive(Debug, Clone, PartialEq)]
pub struct PointFeature {
    /// Position (checked WGS84).
    pub position: Wgs84,
    /// Properties shown when the point is drawn on its own.
    pub properties: Map<String, Value>,
    /// Feature id.
    pub id: Option<u64>,
}

/// When and how points are clustered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterOptions {
    /// Grid cell size in tile pixels (of 4096); 64 px is 4 screen pixels at 256 px tiles,
    /// 1/64 of the tile width.
    pub cell_px: u32,
    /// From this zoom on, points are drawn one by one (unless a tile holds more than
    /// `max_points`). At zoom 15 a tile is about 770 m of ground in Portsmouth (1,223 Web
    /// Mercator metres × cos 50.8°), a patrol beat, and a 64 px cell about 12 m.
    pub individual_min_zoom: u8,
    /// Most individual points one tile may carry; above it the tile is clustered.
    pub max_points: usize,
    /// Pixels kept beyond each tile edge (of 4096).
    pub buffer_px: u32,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            cell_px: 64,             // 4 screen px at 256 px display: a dot-sized cell
            individual_min_zoom: 15, // street level: a 1.2 km tile
            max_points: 5_000,       // a few hundred kB of MVT at most
            buffer_px: BUFFER,       // geojson-vt's default
        }
    }
}

impl ClusterOptions {
    fn check(self) -> Result<ClusterOptions, TileError> {
        let bad = |name, value: f64, min: f64, max: f64| {
            if (min..=max).contains(&value) {
                Ok(())
            } else {
                Err(TileError::BadOption {
                    name,
                    value,
                    min,
                    max,
                })
            }
        };
        bad("cell_px", f64::from(self.cell_px), 8.0, 1024.0)?;
        bad(
            "individual_min_zoom",
            f64::from(self.individual_min_zoom),
            0.0,
            f64::from(MAX_ZOOM),
        )?;
        #[expect(
            clippy::cast_precision_loss,
            reason = "only for the error message; capped"
        )]
        bad(
            "max_points",
            self.max_points.min(1 << 30) as f64,
            1.0,
            100_000.0,
        )?;
        bad(
            "buffer_px",
            f64::from(self.buffer_px),
            0.0,
            f64::from(EXTENT / 2),
        )?;
        Ok(self)
    }
}

/// Sum of the points in one grid cell.
#[derive(Debug, Clone, Copy)]
struct Cell {
    count: u32,
    sum_x_m: f64,
    sum_y_m: f64,
    /// The first point (input order) in the cell, drawn on its own when `count == 1`.
    first: u32,
}

impl Cell {
    fn add(&mut self, c: Coord<f64>, i: u32) {
        self.count += 1;
        self.sum_x_m += c.x;
        self.sum_y_m += c.y;
        self.first = self.first.min(i);
    }
}

/// Cells of one zoom, sorted by `(row, column)`.
type Grid = Vec<((i64, i64), Cell)>;

type Entry = GeomWithData<[f64; 2], u32>;

/// Incident points for tiles: individual at street zoom, grid clusters below it.
#[derive(Debug)]
pub struct PointSource {
    positions_m: Vec<Coord<f64>>,
    properties: Vec<Properties>,
    /// Interned `cluster` and `count` keys for cluster features.
    cluster_keys: (Arc<str>, Arc<str>),
    ids: Vec<Option<u64>>,
    tree: RTree<Entry>,
    /// One grid per zoom below `individual_min_zoom`.
    grids: Vec<Grid>,
    options: ClusterOptions,
    bounds_lonlat: Option<[f64; 4]>,
    fields: BTreeMap<String, FieldType>,
}

/// Global cell of a Web Mercator position at a zoom: `(row, column)`.
fn cell_of(c: Coord<f64>, z: u8, cell_px: u32) -> (i64, i64) {
    let px_per_m = f64::from(EXTENT) * f64::from(1u32 << z) / (2.0 * ORIGIN_SHIFT_M);
    let cell = f64::from(cell_px);
    #[expect(
        clippy::cast_possible_truncation,
        reason = "global pixels at zoom 22 are below 2^35, well inside i64"
    )]
    (
        ((ORIGIN_SHIFT_M - c.y) * px_per_m / cell).floor() as i64,
        ((c.x + ORIGIN_SHIFT_M) * px_per_m / cell).floor() as i64,
    )
}

fn grid_of(points: impl Iterator<Item = (u32, Coord<f64>)>, z: u8, cell_px: u32) -> Grid {
    let mut cells: HashMap<(i64, i64), Cell> = HashMap::new();
    for (i, c) in points {
        cells
            .entry(cell_of(c, z, cell_px))
            .or_insert(Cell {
                count: 0,
                sum_x_m: 0.0,
                sum_y_m: 0.0,
                first: u32::MAX,
            })
            .add(c, i);
    }
    let mut grid: Grid = cells.into_iter().collect();
    grid.sort_unstable_by_key(|&(k, _)| k);
    grid
}

impl PointSource {
    /// Projects, indexes and pre-clusters `points` (pipeline load steps 1–4).
    ///
    /// # Errors
    /// [`TileError::TooManyFeatures`] above [`MAX_FEATURES`]; [`TileError::BadOption`] for
    /// `cell_px` outside 8..=1024, `individual_min_zoom` above 22, `max_points` outside
    /// 1..=100 000 or `buffer_px` above 2048.
    ///
    /// Notes: O(n log n) for the R-tree plus O(n) per clustered zoom.
    pub fn new(
        points: Vec<PointFeature>,
        options: ClusterOptions,
    ) -> Result<PointSource, TileError> {
        let options = options.check()?;
        if points.len() > MAX_FEATURES {
            return Err(TileError::TooManyFeatures {
                n: points.len(),
                max: MAX_FEATURES,
            });
        }
        let mut positions_m = Vec::with_capacity(points.len());
        let mut properties = Vec::with_capacity(points.len());
        let mut ids = Vec::with_capacity(points.len());
        let mut fields = BTreeMap::new();
        let mut interner = PropertyInterner::default();
        for p in points {
            positions_m.push(lonlat_to_mercator(Coord {
                x: p.position.lon(),
                y: p.position.lat(),
            }));
            FieldType::collect(&mut fields, &p.properties);
            properties.push(interner.intern(p.properties));
            ids.push(p.id);
        }
        fields.insert("cluster".to_owned(), FieldType::Boolean);
        fields.insert("count".to_owned(), FieldType::Number);
        let indexed = || {
            positions_m
                .iter()
                .enumerate()
                .map(|(i, &c)| (u32::try_from(i).expect("MAX_FEATURES is below u32::MAX"), c))
        };
        let tree = RTree::bulk_load(indexed().map(|(i, c)| Entry::new([c.x, c.y], i)).collect());
        let grids = (0..options.individual_min_zoom)
            .map(|z| grid_of(indexed(), z, options.cell_px))
            .collect();
        let bounds_lonlat = positions_m.first().map(|&first| {
            let (mut lo, mut hi) = (first, first);
            for c in &positions_m {
                lo = Coord {
                    x: lo.x.min(c.x),
                    y: lo.y.min(c.y),
                };
                hi = Coord {
                    x: hi.x.max(c.x),
                    y: hi.y.max(c.y),
                };
            }
            let (sw, ne) = (mercator_to_lonlat(lo), mercator_to_lonlat(hi));
            [sw.x, sw.y, ne.x, ne.y]
        });
        Ok(PointSource {
            positions_m,
            properties,
            cluster_keys: (Arc::from("cluster"), Arc::from("count")),
            ids,
            tree,
            grids,
            options,
            bounds_lonlat,
            fields,
        })
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.positions_m.len()
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.positions_m.is_empty()
    }

    /// The points' extent `(west, south, east, north)` in degrees; `None` when empty.
    pub fn bounds_lonlat(&self) -> Option<[f64; 4]> {
        self.bounds_lonlat
    }

    /// Property names and types, including the clusters' `cluster` and `count`.
    pub fn fields(&self) -> &BTreeMap<String, FieldType> {
        &self.fields
    }

    /// The options.
    pub fn options(&self) -> ClusterOptions {
        self.options
    }

    /// The tile's points or clusters, in a fixed order (input order for points, row then
    /// column for clusters).
    ///
    /// Individual points carry their own properties and id. A cluster is a point at the
    /// centroid (mean Web Mercator position) of its cell's points with properties
    /// `{"cluster": true, "count": n}` and no id; a cell holding one point draws that point.
    /// A tile carries at most `max(max_points, cells per buffered tile)` features.
    ///
    /// Complexity: below `individual_min_zoom`, O(rows · log cells + cells in tile); at or
    /// above it, an R-tree query, O(log n + k).
    pub fn tile(&self, coord: TileCoord) -> Vec<ClippedFeature> {
        if let Some(grid) = self.grids.get(usize::from(coord.z())) {
            return self.clusters_from_grid(coord, grid);
        }
        let b = coord.buffered_bounds_m(self.options.buffer_px);
        let env = AABB::from_corners([b.min().x, b.min().y], [b.max().x, b.max().y]);
        let mut hits: Vec<u32> = self.tree.locate_in_envelope(&env).map(|e| e.data).collect();
        hits.sort_unstable();
        if hits.len() > self.options.max_points {
            let grid = grid_of(
                hits.iter().map(|&i| (i, self.positions_m[i as usize])),
                coord.z(),
                self.options.cell_px,
            );
            return self.clusters_from_grid(coord, &grid);
        }
        let transform = coord.transform();
        let window = self.window();
        hits.into_iter()
            .filter_map(|i| self.point_feature(i, &transform, &window))
            .collect()
    }

    fn window(&self) -> geo::Rect<f64> {
        let lo = -f64::from(self.options.buffer_px);
        let hi = f64::from(EXTENT + self.options.buffer_px);
        geo::Rect::new(Coord { x: lo, y: lo }, Coord { x: hi, y: hi })
    }

    fn point_feature(
        &self,
        i: u32,
        transform: &super::PixelTransform,
        window: &geo::Rect<f64>,
    ) -> Option<ClippedFeature> {
        let i = i as usize;
        let p = transform.to_px(self.positions_m[i]);
        contains(window, p).then(|| ClippedFeature {
            geometry: TileGeometry::Point(quantise(p)),
            properties: self.properties[i].clone(),
            id: self.ids[i],
        })
    }

    /// Cells of `grid` whose centroid falls in the buffered tile.
    fn clusters_from_grid(&self, coord: TileCoord, grid: &Grid) -> Vec<ClippedFeature> {
        let transform = coord.transform();
        let window = self.window();
        let cell = i64::from(self.options.cell_px);
        let extent = i64::from(EXTENT);
        let buffer = i64::from(self.options.buffer_px);
        let (x0, y0) = (i64::from(coord.x()) * extent, i64::from(coord.y()) * extent);
        let (col_lo, col_hi) = (
            (x0 - buffer).div_euclid(cell),
            (x0 + extent + buffer).div_euclid(cell),
        );
        let (row_lo, row_hi) = (
            (y0 - buffer).div_euclid(cell),
            (y0 + extent + buffer).div_euclid(cell),
        );
        let mut out = Vec::new();
        for row in row_lo..=row_hi {
            let start = grid.partition_point(|&(k, _)| k < (row, col_lo));
            for &(key, c) in &grid[start..] {
                if key > (row, col_hi) {
                    break;
                }
                if c.count == 1 {
                    out.extend(self.point_feature(c.first, &transform, &window));
                    continue;
                }
                let n = f64::from(c.count);
                let centroid = Coord {
                    x: c.sum_x_m / n,
                    y: c.sum_y_m / n,
                };
                let p = transform.to_px(centroid);
                if contains(&window, p) {
                    let (cluster, count) = &self.cluster_keys;
                    let props = Properties::from_sorted(vec![
                        (Arc::clone(cluster), Value::Bool(true)),
                        (Arc::clone(count), Value::from(c.count)),
                    ]);
                    out.push(ClippedFeature {
                        geometry: TileGeometry::Point(quantise(p)),
                        properties: props,
                        id: None,
                    });
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(lon: f64, lat: f64, id: u64) -> PointFeature {
        let mut properties = Map::new();
        properties.insert("category".into(), Value::from("asb"));
        PointFeature {
            position: Wgs84::new(lon, lat).unwrap(),
            properties,
            id: Some(id),
        }
    }

    #[test]
    fn low_zoom_clusters_high_zoom_points() {
        // 100 points within ~10 m of each other and one far away.
        let mut pts: Vec<_> = (0..100u32)
            .map(|i| point(-1.0913 + f64::from(i) * 1e-6, 50.7989, u64::from(i)))
            .collect();
        pts.push(point(-1.07, 50.81, 100));
        let src = PointSource::new(pts, ClusterOptions::default()).unwrap();
        let t = TileCoord::containing(-1.0913, 50.7989, 10).unwrap();
        let feats = src.tile(t);
        assert_eq!(feats.len(), 2, "{feats:?}");
        let cluster = feats.iter().find(|f| f.id.is_none()).unwrap();
        assert_eq!(cluster.properties.get("count"), Some(&Value::from(100u32)));
        let single = feats.iter().find(|f| f.id.is_some()).unwrap();
        assert_eq!(single.id, Some(100));
        assert_eq!(single.properties.get("category"), Some(&Value::from("asb")));

        let t16 = TileCoord::containing(-1.0913, 50.7989, 16).unwrap();
        let feats = src.tile(t16);
        assert_eq!(feats.len(), 100);
        assert!(feats.iter().all(|f| f.properties.get("cluster").is_none()));
        assert_eq!(
            feats.iter().map(|f| f.id.unwrap()).collect::<Vec<_>>(),
            (0..100).collect::<Vec<_>>()
        );
    }

    #[test]
    fn too_many_points_at_high_zoom_are_clustered() {
        let pts: Vec<_> = (0..50u32)
            .map(|i| point(-1.0913 + f64::from(i) * 1e-6, 50.7989, u64::from(i)))
            .collect();
        let opts = ClusterOptions {
            max_points: 10,
            ..ClusterOptions::default()
        };
        let src = PointSource::new(pts, opts).unwrap();
        let feats = src.tile(TileCoord::containing(-1.0913, 50.7989, 16).unwrap());
        let total: u64 = feats
            .iter()
            .map(|f| {
                f.properties
                    .get("count")
                    .and_then(Value::as_u64)
                    .unwrap_or(1)
            })
            .sum();
        assert_eq!(total, 50);
        assert!(feats.len() < 50);
    }

    #[test]
    fn options_are_checked() {
        let bad = ClusterOptions {
            cell_px: 2,
            ..ClusterOptions::default()
        };
        assert!(matches!(
            PointSource::new(vec![], bad),
            Err(TileError::BadOption {
                name: "cell_px",
                ..
            })
        ));
    }
}
