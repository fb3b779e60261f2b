//! Incident points, aggregated into grid clusters at low zoom so no tile carries a city's
//! worth of points, and into stacks where many share one position.
//!
//! Citation: grid-based clustering as in Mapbox's supercluster "grid" mode and geojson-vt's
//! advice to cluster points before tiling; here a fixed grid of `cell_px` tile pixels aligned
//! to the global pixel grid of each zoom, so a cell's cluster is the same feature (same count,
//! same centroid) in every tile whose buffer reaches it.
//!
//! Stacks: police.uk snaps every incident to one of a fixed set of anonymised map points, so
//! hundreds of incidents can share one position exactly. With a [`StackSummary`], points at
//! the same position (equal longitude and latitude, hence equal Web Mercator coordinates;
//! not merely the same tile pixel) become one feature at load, once: `{stack: true, count}`
//! plus the summary's tallies, ranges and sums, with the smallest member id. Drawn one by one
//! they would be one dot under another; as a stack they are one marker and a fraction of the
//! bytes (the 1M-incident load test's street tiles held up to 440 kB of repeated points).

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
use super::stack::{StackSummary, stacks_of};
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
    /// The first feature (input order) in the cell, drawn on its own when `count == 1`.
    first: u32,
}

impl Cell {
    /// Adds feature `i` at `c` holding `n` points.
    fn add(&mut self, c: Coord<f64>, i: u32, n: u32) {
        self.count += n;
        self.sum_x_m += c.x * f64::from(n);
        self.sum_y_m += c.y * f64::from(n);
        self.first = self.first.min(i);
    }
}

/// Cells of one zoom, sorted by `(row, column)`.
type Grid = Vec<((i64, i64), Cell)>;

type Entry = GeomWithData<[f64; 2], u32>;

/// Incident points for tiles: individual (or stacked) at street zoom, grid clusters below it.
///
/// Internally a list of features: one per point, or with a [`StackSummary`] one per distinct
/// position, each holding `counts[i]` points.
#[derive(Debug)]
pub struct PointSource {
    positions_m: Vec<Coord<f64>>,
    /// Points per feature (1 for a lone point).
    counts: Vec<u32>,
    /// Number of input points.
    points: usize,
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

/// Sums `(feature, position, points)` into the cells of zoom `z`.
fn grid_of(points: impl Iterator<Item = (u32, Coord<f64>, u32)>, z: u8, cell_px: u32) -> Grid {
    let mut cells: HashMap<(i64, i64), Cell> = HashMap::new();
    for (i, c, n) in points {
        cells
            .entry(cell_of(c, z, cell_px))
            .or_insert(Cell {
                count: 0,
                sum_x_m: 0.0,
                sum_y_m: 0.0,
                first: u32::MAX,
            })
            .add(c, i, n);
    }
    let mut grid: Grid = cells.into_iter().collect();
    grid.sort_unstable_by_key(|&(k, _)| k);
    grid
}

impl PointSource {
    /// Projects, indexes and pre-clusters `points`, each drawn on its own at street zoom
    /// (pipeline load steps 1–5).
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
        PointSource::build(points, options, None)
    }

    /// As [`PointSource::new`], but points at the same position are one stack feature,
    /// summarised by `summary` (see [`StackSummary`]; pipeline load step 3b).
    ///
    /// # Errors
    /// As [`PointSource::new`].
    ///
    /// Notes: grouping is a sort of the projected positions, O(n log n), once at load; the
    /// R-tree, the grids and the `max_points` cap then count features (stacks), and each
    /// cluster still counts every point.
    pub fn stacked(
        points: Vec<PointFeature>,
        options: ClusterOptions,
        summary: &StackSummary,
    ) -> Result<PointSource, TileError> {
        PointSource::build(points, options, Some(summary))
    }

    fn build(
        mut points: Vec<PointFeature>,
        options: ClusterOptions,
        summary: Option<&StackSummary>,
    ) -> Result<PointSource, TileError> {
        let options = options.check()?;
        if points.len() > MAX_FEATURES {
            return Err(TileError::TooManyFeatures {
                n: points.len(),
                max: MAX_FEATURES,
            });
        }
        let mut fields = BTreeMap::new();
        let projected: Vec<Coord<f64>> = points
            .iter()
            .map(|p| {
                FieldType::collect(&mut fields, &p.properties);
                lonlat_to_mercator(Coord {
                    x: p.position.lon(),
                    y: p.position.lat(),
                })
            })
            .collect();
        let n_points = points.len();
        let mut interner = PropertyInterner::default();
        let (mut positions_m, mut counts, mut properties, mut ids);
        if let Some(summary) = summary {
            let groups = stacks_of(&projected);
            positions_m = Vec::with_capacity(groups.len());
            counts = Vec::with_capacity(groups.len());
            properties = Vec::with_capacity(groups.len());
            ids = Vec::with_capacity(groups.len());
            for members in groups {
                let first = members[0] as usize;
                positions_m.push(projected[first]);
                counts.push(u32::try_from(members.len()).expect("MAX_FEATURES is below u32::MAX"));
                if members.len() == 1 {
                    properties.push(interner.intern(std::mem::take(&mut points[first].properties)));
                    ids.push(points[first].id);
                    continue;
                }
                let maps: Vec<&Map<String, Value>> = members
                    .iter()
                    .map(|&i| &points[i as usize].properties)
                    .collect();
                let stack = summary.summarise(&maps);
                FieldType::collect(&mut fields, &stack);
                properties.push(interner.intern(stack));
                ids.push(members.iter().filter_map(|&i| points[i as usize].id).min());
            }
        } else {
            positions_m = projected;
            counts = vec![1; n_points];
            properties = Vec::with_capacity(n_points);
            ids = Vec::with_capacity(n_points);
            for p in points {
                properties.push(interner.intern(p.properties));
                ids.push(p.id);
            }
        }
        fields.insert("cluster".to_owned(), FieldType::Boolean);
        fields.insert("count".to_owned(), FieldType::Number);
        let indexed = || {
            positions_m
                .iter()
                .zip(&counts)
                .enumerate()
                .map(|(i, (&c, &n))| {
                    (
                        u32::try_from(i).expect("MAX_FEATURES is below u32::MAX"),
                        c,
                        n,
                    )
                })
        };
        let tree = RTree::bulk_load(
            indexed()
                .map(|(i, c, _)| Entry::new([c.x, c.y], i))
                .collect(),
        );
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
            counts,
            points: n_points,
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

    /// Number of points (stack members counted one by one).
    pub fn len(&self) -> usize {
        self.points
    }

    /// Number of features drawn at street zoom: stacks and lone points.
    pub fn features(&self) -> usize {
        self.positions_m.len()
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.points == 0
    }

    /// The points' extent `(west, south, east, north)` in degrees; `None` when empty.
    pub fn bounds_lonlat(&self) -> Option<[f64; 4]> {
        self.bounds_lonlat
    }

    /// Property names and types, including the clusters' `cluster` and `count` and, when
    /// stacked, the stacks' properties.
    pub fn fields(&self) -> &BTreeMap<String, FieldType> {
        &self.fields
    }

    /// The options.
    pub fn options(&self) -> ClusterOptions {
        self.options
    }

    /// The tile's points (or stacks) or clusters, in a fixed order (input order for points,
    /// a stack at its first member's place; row then column for clusters).
    ///
    /// Individual points carry their own properties and id; a stack carries
    /// `{"stack": true, "count": n, ...}` with its [`StackSummary`] and the smallest member id.
    /// A cluster is a point at the centroid (mean Web Mercator position) of its cell's points
    /// with properties `{"cluster": true, "count": n}` and no id; a cell holding one point draws
    /// that point (a cell holding one stack is a cluster of its points). A tile carries at most
    /// `max(max_points, cells per buffered tile)` features; `max_points` counts features, so a
    /// stack counts once.
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
                hits.iter()
                    .map(|&i| (i, self.positions_m[i as usize], self.counts[i as usize])),
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
    use super::super::MAX_TALLY_VALUES;
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

    fn incident(
        lon: f64,
        lat: f64,
        id: u64,
        group: &str,
        month: &str,
        weight: f64,
    ) -> PointFeature {
        let mut properties = Map::new();
        properties.insert("group".into(), Value::from(group));
        properties.insert("month".into(), Value::from(month));
        properties.insert("weight".into(), Value::from(weight));
        PointFeature {
            position: Wgs84::new(lon, lat).unwrap(),
            properties,
            id: Some(id),
        }
    }

    #[test]
    fn points_at_one_position_are_one_stack() {
        let (a, b, c) = ((-1.0913, 50.7989), (-1.0911, 50.7990), (-1.0915, 50.7987));
        let pts = vec![
            incident(a.0, a.1, 7, "violence", "2024-03", 1.0),
            incident(b.0, b.1, 3, "asb", "2024-01", 1.0),
            incident(a.0, a.1, 9, "asb", "2023-11", 0.5),
            incident(a.0, a.1, 5, "asb", "2024-06", 2.0),
            incident(c.0, c.1, 11, "drugs", "2024-02", 1.0),
            incident(a.0, a.1, 8, "violence", "2024-01", 1.0),
            incident(a.0, a.1, 6, "asb", "2024-02", 1.0),
            incident(c.0, c.1, 2, "drugs", "2024-04", 1.0),
        ];
        let lone = pts[1].clone();
        let src = PointSource::stacked(pts, ClusterOptions::default(), &StackSummary::incidents())
            .unwrap();
        assert_eq!((src.len(), src.features()), (8, 3));
        let feats = src.tile(TileCoord::containing(a.0, a.1, 16).unwrap());
        // Order: each feature at its first member's input position (a, b, c).
        assert_eq!(
            feats.iter().map(|f| f.id).collect::<Vec<_>>(),
            [Some(5), Some(3), Some(2)]
        );
        let stack = feats[0].properties.to_map();
        assert_eq!(
            Value::Object(stack),
            serde_json::json!({
                "stack": true, "count": 5, "groups": "asb:3,violence:2",
                "first_month": "2023-11", "last_month": "2024-06", "weight": 5.5,
            })
        );
        // A lone point keeps its own properties and id.
        assert_eq!(feats[1].properties.to_map(), lone.properties);
        assert_eq!(
            Value::Object(feats[2].properties.to_map()),
            serde_json::json!({
                "stack": true, "count": 2, "groups": "drugs:2",
                "first_month": "2024-02", "last_month": "2024-04", "weight": 2.0,
            })
        );
        // The stacks' fields are advertised beside the points'.
        for k in [
            "stack",
            "groups",
            "first_month",
            "last_month",
            "group",
            "cluster",
        ] {
            assert!(src.fields().contains_key(k), "{k}");
        }
        // Below street zoom the clusters still count every point.
        let low = src.tile(TileCoord::containing(a.0, a.1, 10).unwrap());
        assert_eq!(
            low.iter()
                .map(|f| f
                    .properties
                    .get("count")
                    .and_then(Value::as_u64)
                    .unwrap_or(1))
                .sum::<u64>(),
            8
        );
        assert!(low.iter().all(|f| f.properties.get("stack").is_none()));
    }

    #[test]
    fn unstacked_sources_draw_every_point() {
        let pts = vec![
            incident(-1.0913, 50.7989, 1, "asb", "2024-01", 1.0),
            incident(-1.0913, 50.7989, 2, "asb", "2024-01", 1.0),
        ];
        let src = PointSource::new(pts, ClusterOptions::default()).unwrap();
        let feats = src.tile(TileCoord::containing(-1.0913, 50.7989, 16).unwrap());
        assert_eq!(feats.len(), 2);
        assert!(!src.fields().contains_key("stack"));
    }

    /// Brute force: positions drawn from a small set, so most are stacked; every stack's
    /// count and tally equal a recount of the input, and the counts sum to the points in the
    /// buffered tile.
    #[test]
    fn stacks_match_a_recount() {
        use rand::{Rng, SeedableRng};
        let groups = ["asb", "violence", "drugs", "other"];
        for seed in 0..4u64 {
            let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
            let sites: Vec<(f64, f64)> = (0..300)
                .map(|_| {
                    (
                        rng.random_range(-1.095..-1.085),
                        rng.random_range(50.795..50.802),
                    )
                })
                .collect();
            let pts: Vec<PointFeature> = (0..4000u64)
                .map(|i| {
                    let s = sites[rng.random_range(0..sites.len())];
                    let g = groups[rng.random_range(0..groups.len())];
                    let month = format!("2024-{:02}", rng.random_range(1..=12));
                    incident(s.0, s.1, 10_000 - i, g, &month, 1.0)
                })
                .collect();
            let opts = ClusterOptions {
                max_points: 400,
                ..ClusterOptions::default()
            };
            let src = PointSource::stacked(pts.clone(), opts, &StackSummary::incidents()).unwrap();
            for z in [15u32, 16, 17] {
                let t = TileCoord::containing(-1.09, 50.7985, z).unwrap();
                let tr = t.transform();
                let window = src.window();
                let to_px = |p: &PointFeature| {
                    tr.to_px(lonlat_to_mercator(Coord {
                        x: p.position.lon(),
                        y: p.position.lat(),
                    }))
                };
                let inside: Vec<&PointFeature> =
                    pts.iter().filter(|p| contains(&window, to_px(p))).collect();
                let feats = src.tile(t);
                // 4000 points but at most 300 stacks: the cap counts stacks, so no clusters.
                assert!(feats.iter().all(|f| f.properties.get("cluster").is_none()));
                let count = |f: &ClippedFeature| {
                    f.properties
                        .get("count")
                        .and_then(Value::as_u64)
                        .unwrap_or(1)
                };
                assert_eq!(
                    feats.iter().map(count).sum::<u64>(),
                    inside.len() as u64,
                    "z{z}"
                );
                assert!(
                    feats.iter().any(|f| count(f) > 1),
                    "some points are stacked"
                );
                let ids: std::collections::BTreeSet<u64> =
                    feats.iter().map(|f| f.id.unwrap()).collect();
                assert_eq!(ids.len(), feats.len(), "ids unique");
                for f in &feats {
                    let TileGeometry::Point(q) = f.geometry else {
                        panic!("a point")
                    };
                    let members: Vec<&&PointFeature> = inside
                        .iter()
                        .filter(|p| quantise(to_px(p)) == q)
                        .filter(|p| {
                            // Same exact position as the feature's smallest id.
                            let head = pts.iter().find(|h| h.id == f.id).unwrap();
                            p.position == head.position
                        })
                        .collect();
                    assert_eq!(count(f), members.len() as u64);
                    assert_eq!(f.id, members.iter().filter_map(|p| p.id).min());
                    if members.len() == 1 {
                        assert_eq!(f.properties.to_map(), members[0].properties);
                        continue;
                    }
                    let mut tally: BTreeMap<&str, usize> = BTreeMap::new();
                    for p in &members {
                        *tally
                            .entry(p.properties["group"].as_str().unwrap())
                            .or_default() += 1;
                    }
                    let shown: BTreeMap<&str, usize> = f
                        .properties
                        .get("groups")
                        .unwrap()
                        .as_str()
                        .unwrap()
                        .split(',')
                        .map(|kv| {
                            let (k, v) = kv.split_once(':').unwrap();
                            (k, v.parse().unwrap())
                        })
                        .collect();
                    assert_eq!(shown, tally);
                    let months = members
                        .iter()
                        .map(|p| p.properties["month"].as_str().unwrap());
                    assert_eq!(
                        f.properties.get("first_month").unwrap(),
                        months.clone().min().unwrap()
                    );
                    assert_eq!(
                        f.properties.get("last_month").unwrap(),
                        months.max().unwrap()
                    );
                }
            }
        }
    }

    #[test]
    fn a_long_tally_is_capped() {
        let pts: Vec<_> = (0..40u64)
            .map(|i| {
                incident(
                    -1.0913,
                    50.7989,
                    i,
                    &format!("g{:02}", i % 20),
                    "2024-01",
                    1.0,
                )
            })
            .collect();
        let src = PointSource::stacked(pts, ClusterOptions::default(), &StackSummary::incidents())
            .unwrap();
        let feats = src.tile(TileCoord::containing(-1.0913, 50.7989, 16).unwrap());
        assert_eq!(feats.len(), 1);
        let groups = feats[0].properties.get("groups").unwrap().as_str().unwrap();
        let parts: Vec<&str> = groups.split(',').collect();
        assert_eq!(parts.len(), MAX_TALLY_VALUES + 1);
        assert_eq!(parts[0], "g00:2");
        assert_eq!(parts[MAX_TALLY_VALUES], "*:8");
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
