//! Cumulative impact zones: clusters of licensed venues whose surroundings hold
//! concentrations of night-time incidents, ranked, as evidence for a cumulative impact
//! assessment (CIA) under section 5A of the Licensing Act 2003 (methods.md §7.2).
//!
//! # Citation
//! Clusters: DBSCAN (Ester et al. 1996; [`crate::analysis::dbscan`]). Hot spot overlap:
//! Getis-Ord Gi* (Ord & Getis 1995) as in [`super::run_hotspots`]. Evidence types: the
//! Home Office's section 182 guidance, "evidence of cumulative impact" (§13.23 in the 2018
//! revision).
//!
//! # Parameters
//! - `eps-m`: DBSCAN radius, metres (default 100, 10–1000): venues within it are neighbours.
//! - `min-venues`: venues (the venue itself included) a neighbourhood needs to be a core of a
//!   zone (default 5, 2–100).
//! - the selection's window, ward and category flags; the window defaults to the `nte` preset
//!   (Friday and Saturday 20:00–04:00) when no `preset`, `days` or `hours` is given, and
//!   `preset=all` asks for every day and time.
//!
//! # Returns
//! Zones as polygons, ranked by incidents inside: `id` (`zone-1` is rank 1), `rank`,
//! `venues`, `kinds` (premises by type), `incidents` (weighted, in the window), `per_venue`,
//! `area_km2`, `per_km2`, `share` of the city's incidents in the window (those inside the
//! wards, or every one when no wards are loaded), `high_alcohol_hours`
//! (incidents inside on Friday and Saturday nights 21:00–06:00, the hours a Victoria study
//! found half of NTE-precinct assault, disorder and damage in, same dates and categories),
//! `alcohol_flagged` (incidents the source marks alcohol-related), `hot_overlap` (share of
//! the zone's incidents in Gi* hot cells of bin ≥ 2, i.e. 95 % or more) and `hot_area_share`
//! (share of its area covered by those cells).
//!
//! # Algorithm
//! 1. Project the venues to British National Grid metres; cluster them with DBSCAN.
//! 2. A zone is the union of the eps-radius circles (64-gons) around its venues: a connected
//!    area, since linked venues are at most eps apart, drawn the way a licensing map draws
//!    "within 100 m of these premises". Circles of two zones may overlap; then an incident in
//!    both counts in both zones, and `summary.incidents_in_zones` counts it once.
//! 3. Select the incidents; sum the weights of those inside each zone (R-tree box query, then
//!    point in polygon in metres).
//! 4. Run Gi* for the same selection (H3 resolution 9, k = 1, analytic, FDR); hot cells are
//!    bins 2 and 3. Count the zone's incidents in hot cells, and intersect the zone with the
//!    hot cells' hexagons for the area share.
//! 5. Rank by incidents (then per km², then the zone's first venue).
//!
//! # Notes
//! Cost: DBSCAN O(v log v) on v venues, one union per zone, one selection pass per window and
//! one Gi* run. police.uk rows are snapped to anonymous map points and have no time, so they
//! are left out of the default hour window; `summary.coverage` states the data's months and
//! how many rows are month-only.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use geo::{
    Area, BooleanOps, BoundingRect, Contains, Coord, LineString, MultiPolygon, Point, Polygon,
    unary_union,
};
use h3o::{CellIndex, Resolution};
use serde_json::{Value, json};

use super::licensing_review::{dense_weights, venue_positions_m, wards_area_km2};
use super::{
    HotspotRequest, ParamBag, ParamError, QueryError, RawSelection, Selection, parse_in_range,
    round6, run_hotspots,
};
use crate::analysis::dbscan::{DbscanError, dbscan};
use crate::analysis::gi_star::{GiStarOptions, Inference};
use crate::domain::{Bng, Month};
use crate::index::{NO_TIME, Snapshot};
use crate::time::{EventCalendar, Window, WindowParams};

/// Parameter names `licensing zones` accepts (besides the selection's).
pub const ZONES_PARAMS: &[&str] = &["eps-m", "min-venues"];

/// Default DBSCAN radius, metres: a short street block, and the distance licensing maps
/// draw around premises.
pub const DEFAULT_EPS_M: f64 = 100.0;

/// Default minimum venues of a zone's core (Guildhall's SPA began with 15 premises; 5 within
/// 100 m is a dense block of frontages).
pub const DEFAULT_MIN_VENUES: usize = 5;

/// Vertices of each venue's circle.
const CIRCLE_VERTICES: usize = 64;

/// A checked zones request.
#[derive(Debug, Clone)]
pub struct ZonesRequest {
    /// Which incidents (the window defaults to `nte`).
    pub selection: Selection,
    /// DBSCAN radius, metres.
    pub eps_m: f64,
    /// DBSCAN minimum venues of a core neighbourhood.
    pub min_venues: usize,
}

impl ZonesRequest {
    /// Checks raw parameters; the window defaults to the `nte` preset (see the module doc).
    pub fn from_params(
        bag: &mut ParamBag,
        snap: &Snapshot,
        events: Option<&EventCalendar>,
    ) -> Result<ZonesRequest, ParamError> {
        let mut raw = RawSelection::take(bag)?;
        match raw.preset.as_deref().map(str::trim) {
            Some(p) if p.eq_ignore_ascii_case("all") => raw.preset = None,
            None if raw.days.is_none() && raw.hours.is_none() => {
                raw.preset = Some("nte".to_owned());
            }
            _ => {}
        }
        let selection = raw.check(snap, events)?;
        let eps_m =
            super::licensing_review::parse_metres(bag, "eps-m", DEFAULT_EPS_M, 10.0, 1000.0)?;
        let min_venues = parse_in_range(
            bag.one("min-venues")?.as_deref(),
            "min-venues",
            DEFAULT_MIN_VENUES,
            2,
            100,
        )?;
        Ok(ZonesRequest {
            selection,
            eps_m,
            min_venues,
        })
    }
}

/// One zone.
#[derive(Debug, Clone)]
pub struct Zone {
    /// Rank, 1 = most incidents.
    pub rank: usize,
    /// Its venues, indices into [`Snapshot::venues`], ascending.
    pub venues: Vec<usize>,
    /// The area, British National Grid metres.
    pub polygon_m: MultiPolygon<f64>,
    /// Area, km².
    pub area_km2: f64,
    /// Weighted incidents of the selection inside.
    pub incidents: f64,
    /// Weighted incidents inside on Friday and Saturday nights 21:00–06:00.
    pub high_alcohol_hours: f64,
    /// Weighted incidents inside that the source flags alcohol-related.
    pub alcohol_flagged: f64,
    /// Weighted incidents inside that are month-only police.uk rows.
    pub month_only: f64,
    /// Share of the zone's incidents in hot cells (`None` without a Gi* run).
    pub hot_overlap: Option<f64>,
    /// Share of the zone's area in hot cells (`None` without a Gi* run).
    pub hot_area_share: Option<f64>,
}

impl Zone {
    /// The stable id, `zone-{rank}`.
    pub fn id(&self) -> String {
        format!("zone-{}", self.rank)
    }

    /// Incidents per venue.
    pub fn per_venue(&self) -> f64 {
        self.incidents / self.venues.len().max(1) as f64
    }

    /// Incidents per km².
    pub fn per_km2(&self) -> f64 {
        if self.area_km2 > 0.0 {
            self.incidents / self.area_km2
        } else {
            0.0
        }
    }
}

/// What the data cover (for the report's caveats).
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    /// First and last month with incidents.
    pub months: Option<(Month, Month)>,
    /// Distinct months with incidents.
    pub months_present: usize,
    /// Incidents with a time of day.
    pub timed: usize,
    /// Month-only incidents (police.uk).
    pub month_only: usize,
}

impl Coverage {
    /// The coverage of the snapshot's incidents.
    pub fn of(snap: &Snapshot) -> Coverage {
        let t = &snap.incidents;
        let months: std::collections::BTreeSet<Month> = t.month.iter().copied().collect();
        let month_only = t.start_min.iter().filter(|&&m| m == NO_TIME).count();
        Coverage {
            months: months.first().copied().zip(months.last().copied()),
            months_present: months.len(),
            timed: t.len() - month_only,
            month_only,
        }
    }

    fn json(&self) -> Value {
        json!({
            "first_month": self.months.map(|m| m.0.to_string()),
            "last_month": self.months.map(|m| m.1.to_string()),
            "months_present": self.months_present,
            "timed_rows": self.timed,
            "month_only_rows": self.month_only,
        })
    }
}

/// The result of a zones run.
#[derive(Debug, Clone)]
pub struct ZonesResult {
    /// The request.
    pub request: ZonesRequest,
    /// Zones by rank.
    pub zones: Vec<Zone>,
    /// Venues clustered (those placed on the grid).
    pub venues: usize,
    /// Weighted incidents of the selection inside the wards, or all of them when no wards are
    /// loaded (the `share` denominator).
    pub total: f64,
    /// Distinct weighted incidents inside any zone.
    pub in_zones: f64,
    /// Month-only rows left out of the window.
    pub left_out_month_only: usize,
    /// Hot cells (bin ≥ 2) of the Gi* run.
    pub hot_cells: usize,
    /// Why there is no hot spot overlap, when there is none.
    pub warnings: Vec<String>,
    /// The data's coverage.
    pub coverage: Coverage,
    /// City ward area, km².
    pub city_area_km2: f64,
    /// The hot cells (bin ≥ 2) as one area, British National Grid metres.
    pub hot_area_m: Option<MultiPolygon<f64>>,
}

fn circle(centre: [f64; 2], radius_m: f64) -> Polygon<f64> {
    let ring: Vec<Coord<f64>> = (0..=CIRCLE_VERTICES)
        .map(|k| {
            let a = std::f64::consts::TAU * (k % CIRCLE_VERTICES) as f64 / CIRCLE_VERTICES as f64;
            Coord {
                x: centre[0] + radius_m * a.cos(),
                y: centre[1] + radius_m * a.sin(),
            }
        })
        .collect();
    Polygon::new(LineString(ring), Vec::new())
}

/// The hexagon of a cell in British National Grid metres.
fn cell_polygon_m(cell: CellIndex) -> Option<Polygon<f64>> {
    let ring: Option<Vec<Coord<f64>>> = cell
        .boundary()
        .iter()
        .chain(cell.boundary().iter().take(1))
        .map(|ll| {
            crate::domain::Wgs84::new(ll.lng(), ll.lat())
                .and_then(crate::domain::Wgs84::to_bng)
                .ok()
                .map(|b| {
                    let [x, y] = b.xy();
                    Coord { x, y }
                })
        })
        .collect();
    Some(Polygon::new(LineString(ring?), Vec::new()))
}

/// Friday and Saturday nights 21:00–06:00 with the selection's dates, wards and categories.
fn high_alcohol_selection(selection: &Selection) -> Selection {
    let w = &selection.window;
    let params = WindowParams {
        from: w.from().map(|d| d.to_string()),
        to: w.to().map(|d| d.to_string()),
        days: Some("fri,sat".to_owned()),
        hours: Some("21:00-06:00".to_owned()),
        ..WindowParams::default()
    };
    // Dates from a checked window parse again; days and hours are fixed valid text.
    let window = Window::parse(&params, None).unwrap_or_else(|_| w.clone());
    Selection {
        window,
        wards: selection.wards.clone(),
        categories: selection.categories.clone(),
    }
}

/// Runs the analysis.
///
/// Fewer venues than `min-venues` give no zones, and an empty selection zero counts; both
/// with a warning in `summary.warnings` saying why.
///
/// # Errors
/// DBSCAN's refusals (more than its cap of venues) as [`QueryError::Empty`].
pub fn run_zones(snap: &Snapshot, request: &ZonesRequest) -> Result<ZonesResult, QueryError> {
    // Step 1.
    let positions = venue_positions_m(snap);
    let placed: Vec<usize> = (0..positions.len())
        .filter(|&i| positions[i].is_some())
        .collect();
    let points: Vec<[f64; 2]> = placed.iter().filter_map(|&i| positions[i]).collect();
    let mut warnings = Vec::new();
    if points.len() < request.min_venues {
        warnings.push(format!(
            "{} venues are loaded; a zone needs at least min-venues = {} (import venues with hotspot import venues)",
            points.len(),
            request.min_venues
        ));
    }
    let clusters = dbscan(&points, request.eps_m, request.min_venues)
        .map_err(|e: DbscanError| QueryError::Empty(e.to_string()))?;
    // Step 3's selection.
    let selected = request.selection.apply(snap);
    if selected.rows.is_empty() {
        warnings.push(super::why_empty(snap, &request.selection, &selected));
    }
    let mut weights = vec![0.0; snap.incidents.len()];
    for (&r, &w) in selected.rows.iter().zip(&selected.weights) {
        weights[r as usize] = w;
    }
    // The city: incidents inside the wards (every incident when no wards are loaded), so a
    // force-wide police.uk file does not dilute the shares.
    let t = &snap.incidents;
    let total: f64 = selected
        .rows
        .iter()
        .zip(&selected.weights)
        .filter(|&(&r, _)| snap.wards.is_empty() || t.ward[r as usize].is_some())
        .map(|(_, w)| w)
        .sum();
    let (late, _) = dense_weights(snap, &high_alcohol_selection(&request.selection));
    // Step 4: hot cells.
    let hot: Option<HashSet<CellIndex>> = if selected.rows.is_empty() {
        None
    } else {
        match run_hotspots(
            snap,
            &HotspotRequest {
                selection: request.selection.clone(),
                resolution: Some(Resolution::Nine),
                k: 1,
                gi: GiStarOptions {
                    permutations: 0,
                    fdr: true,
                    inference: Inference::Analytic,
                    ..GiStarOptions::default()
                },
            },
        ) {
            Ok(h) => Some(
                h.counts
                    .cells
                    .iter()
                    .zip(&h.gi.cells)
                    .filter(|(_, g)| g.bin >= 2)
                    .map(|(c, _)| *c)
                    .collect(),
            ),
            Err(e) => {
                warnings.push(format!("no hot spot overlap: {e}"));
                None
            }
        }
    };
    let hot_area: Option<MultiPolygon<f64>> = hot.as_ref().map(|cells| {
        let mut sorted: Vec<CellIndex> = cells.iter().copied().collect();
        sorted.sort_unstable();
        let polys: Vec<Polygon<f64>> = sorted.into_iter().filter_map(cell_polygon_m).collect();
        unary_union(&polys)
    });
    // Steps 2 and 3 per cluster.
    let mut in_any: HashSet<u32> = HashSet::new();
    let mut zones: Vec<Zone> = Vec::new();
    for members in clusters.members() {
        let venues: Vec<usize> = members.iter().map(|&m| placed[m]).collect();
        let circles: Vec<Polygon<f64>> = members
            .iter()
            .map(|&m| circle(points[m], request.eps_m))
            .collect();
        let polygon_m = unary_union(&circles);
        let area_km2 = polygon_m.unsigned_area() / 1e6;
        let mut zone = Zone {
            rank: 0,
            venues,
            area_km2,
            incidents: 0.0,
            high_alcohol_hours: 0.0,
            alcohol_flagged: 0.0,
            month_only: 0.0,
            hot_overlap: None,
            hot_area_share: None,
            polygon_m,
        };
        let mut hot_incidents = 0.0;
        if let Some(rect) = zone.polygon_m.bounding_rect() {
            let mut rows: Vec<u32> = snap
                .in_box_m([rect.min().x, rect.min().y], [rect.max().x, rect.max().y])
                .filter(|&r| weights[r as usize] > 0.0 || late[r as usize] > 0.0)
                .filter(|&r| {
                    let [x, y] = t.xy[r as usize];
                    zone.polygon_m.contains(&Point::new(x, y))
                })
                .collect();
            rows.sort_unstable();
            for r in rows {
                let i = r as usize;
                zone.high_alcohol_hours += late[i];
                let w = weights[i];
                if w <= 0.0 {
                    continue;
                }
                in_any.insert(r);
                zone.incidents += w;
                if t.alcohol[i] == Some(true) {
                    zone.alcohol_flagged += w;
                }
                if t.start_min[i] == NO_TIME {
                    zone.month_only += w;
                }
                if let Some(cells) = &hot
                    && t.cell[i]
                        .parent(Resolution::Nine)
                        .is_some_and(|c| cells.contains(&c))
                {
                    hot_incidents += w;
                }
            }
        }
        if hot.is_some() {
            zone.hot_overlap = Some(if zone.incidents > 0.0 {
                hot_incidents / zone.incidents
            } else {
                0.0
            });
        }
        if let Some(area) = &hot_area {
            let inside = zone.polygon_m.intersection(area).unsigned_area() / 1e6;
            zone.hot_area_share = Some(if area_km2 > 0.0 {
                (inside / area_km2).min(1.0)
            } else {
                0.0
            });
        }
        zones.push(zone);
    }
    // Step 5.
    zones.sort_by(|a, b| {
        b.incidents
            .total_cmp(&a.incidents)
            .then(b.per_km2().total_cmp(&a.per_km2()))
            .then(a.venues.first().cmp(&b.venues.first()))
    });
    for (k, z) in zones.iter_mut().enumerate() {
        z.rank = k + 1;
    }
    let in_zones = in_any.iter().map(|&r| weights[r as usize]).sum();
    Ok(ZonesResult {
        request: request.clone(),
        zones,
        venues: points.len(),
        total,
        in_zones,
        left_out_month_only: selected.left_out_month_only,
        hot_cells: hot.as_ref().map_or(0, HashSet::len),
        warnings,
        coverage: Coverage::of(snap),
        city_area_km2: wards_area_km2(snap),
        hot_area_m: hot_area,
    })
}

/// The ring of a polygon in lon/lat degrees (6 decimals).
fn ring_lonlat(ring: &LineString<f64>) -> Vec<[f64; 2]> {
    ring.coords()
        .map(|c| {
            Bng::new(c.x, c.y)
                .and_then(Bng::to_wgs84)
                .map_or([f64::NAN, f64::NAN], |w| [round6(w.lon()), round6(w.lat())])
        })
        .collect()
}

fn polygon_lonlat(p: &Polygon<f64>) -> Vec<Vec<[f64; 2]>> {
    std::iter::once(p.exterior())
        .chain(p.interiors())
        .map(ring_lonlat)
        .collect()
}

/// The GeoJSON geometry of a zone: a Polygon, or a MultiPolygon if the union has parts.
pub fn zone_geometry(polygon_m: &MultiPolygon<f64>) -> Value {
    match polygon_m.0.as_slice() {
        [one] => json!({"type": "Polygon", "coordinates": polygon_lonlat(one)}),
        parts => json!({
            "type": "MultiPolygon",
            "coordinates": parts.iter().map(polygon_lonlat).collect::<Vec<_>>(),
        }),
    }
}

impl ZonesResult {
    /// Premises by type in a zone (kind name → count), kinds present only, sorted by name.
    pub fn kinds(&self, snap: &Snapshot, zone: &Zone) -> BTreeMap<&'static str, usize> {
        let mut out = BTreeMap::new();
        for &v in &zone.venues {
            *out.entry(snap.venues[v].kind.name()).or_insert(0) += 1;
        }
        out
    }

    /// The `parameters` object.
    pub fn parameters(&self, snap: &Snapshot) -> Value {
        let mut p = self.request.selection.parameters(snap);
        p["eps_m"] = json!(self.request.eps_m);
        p["min_venues"] = json!(self.request.min_venues);
        p["clustering"] = json!(
            "DBSCAN (Ester et al. 1996) on venue positions in British National Grid metres; min_venues counts the venue itself"
        );
        p["zone_shape"] = json!(format!(
            "union of {}-gon circles of radius eps_m around the zone's venues",
            CIRCLE_VERTICES
        ));
        p["hot_spots"] = json!(
            "Getis-Ord Gi*, H3 resolution 9, k = 1, analytic p, FDR; hot = bin 2 or 3 (95 % and 99 %)"
        );
        p["high_alcohol_hours"] = json!("Friday and Saturday 21:00 to 06:00 the next morning");
        p
    }

    /// The `summary` object.
    pub fn summary(&self) -> Value {
        json!({
            "zones": self.zones.len(),
            "venues": self.venues,
            "venues_in_zones": self.zones.iter().map(|z| z.venues.len()).sum::<usize>(),
            "incidents": self.total,
            "incidents_in_zones": self.in_zones,
            "share_in_zones": if self.total > 0.0 { self.in_zones / self.total } else { 0.0 },
            "hot_cells": self.hot_cells,
            "city_area_km2": self.city_area_km2,
            "left_out_month_only": self.left_out_month_only,
            "coverage": self.coverage.json(),
            "warnings": self.warnings,
        })
    }

    /// One zone's properties.
    pub fn properties(&self, snap: &Snapshot, z: &Zone) -> Value {
        json!({
            "id": z.id(),
            "rank": z.rank,
            "venues": z.venues.len(),
            "venue_ids": z.venues.iter().map(|&v| snap.venues[v].id.as_str()).collect::<Vec<_>>(),
            "kinds": self.kinds(snap, z),
            "incidents": z.incidents,
            "per_venue": z.per_venue(),
            "area_km2": z.area_km2,
            "per_km2": z.per_km2(),
            "share": if self.total > 0.0 { z.incidents / self.total } else { 0.0 },
            "high_alcohol_hours": z.high_alcohol_hours,
            "alcohol_flagged": z.alcohol_flagged,
            "month_only": z.month_only,
            "hot_overlap": z.hot_overlap,
            "hot_area_share": z.hot_area_share,
        })
    }

    /// The zones as GeoJSON features (ids `zone-1`, ...).
    pub fn features(&self, snap: &Snapshot) -> Vec<Value> {
        self.zones
            .iter()
            .map(|z| {
                json!({
                    "type": "Feature",
                    "id": z.id(),
                    "geometry": zone_geometry(&z.polygon_m),
                    "properties": self.properties(snap, z),
                })
            })
            .collect()
    }

    /// GeoJSON FeatureCollection.
    pub fn geojson(&self, snap: &Snapshot) -> Value {
        json!({
            "type": "FeatureCollection",
            "parameters": self.parameters(snap),
            "summary": self.summary(),
            "features": self.features(snap),
        })
    }

    /// JSON without geometry.
    pub fn json(&self, snap: &Snapshot) -> Value {
        json!({
            "parameters": self.parameters(snap),
            "summary": self.summary(),
            "zones": self.zones.iter().map(|z| self.properties(snap, z)).collect::<Vec<_>>(),
        })
    }

    /// CSV: one row per zone.
    pub fn csv(&self, snap: &Snapshot) -> String {
        let mut out = String::from(
            "id,rank,venues,incidents,per_venue,area_km2,per_km2,share,high_alcohol_hours,alcohol_flagged,hot_overlap,hot_area_share,kinds\n",
        );
        for z in &self.zones {
            let p = self.properties(snap, z);
            let opt = |v: &Value| v.as_f64().map_or(String::new(), |f| f.to_string());
            let kinds: Vec<String> = self
                .kinds(snap, z)
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{},{},{}",
                z.id(),
                z.rank,
                z.venues.len(),
                z.incidents,
                z.per_venue(),
                z.area_km2,
                z.per_km2(),
                p["share"],
                z.high_alcohol_hours,
                z.alcohol_flagged,
                opt(&p["hot_overlap"]),
                opt(&p["hot_area_share"]),
                super::licensing_review::csv_field(&kinds.join("; ")),
            );
        }
        out
    }

    /// A plain-text table for the terminal.
    pub fn table(&self, snap: &Snapshot) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} zone(s) from {} venues (eps {} m, min {} venues); window: {}",
            self.zones.len(),
            self.venues,
            self.request.eps_m,
            self.request.min_venues,
            self.request.selection.window.describe()
        );
        let _ = writeln!(
            out,
            "{:<8} {:>6} {:>10} {:>9} {:>9} {:>7} {:>8} {:>8}  kinds",
            "zone", "venues", "incidents", "/venue", "/km²", "share", "late", "hot"
        );
        for z in &self.zones {
            let kinds: Vec<String> = self
                .kinds(snap, z)
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            let _ = writeln!(
                out,
                "{:<8} {:>6} {:>10.1} {:>9.1} {:>9.0} {:>6.1}% {:>8.1} {:>8}  {}",
                z.id(),
                z.venues.len(),
                z.incidents,
                z.per_venue(),
                z.per_km2(),
                if self.total > 0.0 {
                    100.0 * z.incidents / self.total
                } else {
                    0.0
                },
                z.high_alcohol_hours,
                z.hot_overlap
                    .map_or("n/a".to_owned(), |h| format!("{:.0}%", 100.0 * h)),
                kinds.join(", ")
            );
        }
        for w in &self.warnings {
            let _ = writeln!(out, "warning: {w}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::licensing_review::tests::{incident, snapshot, venue};
    use super::*;

    #[test]
    fn hand_made_zone_counts_and_ranks() {
        // Five venues 40 m apart on a line, one 1 km away; eps 50 m, min 3: one zone.
        let venues = vec![
            venue("V0", 0.0, 0.0),
            venue("V1", 40.0, 0.0),
            venue("V2", 80.0, 0.0),
            venue("V3", 120.0, 0.0),
            venue("V4", 160.0, 0.0),
            venue("far", 1000.0, 1000.0),
        ];
        let snap = snapshot(
            vec![
                incident("on-v2", 80.0, 0.0, Some((1, 23, 0))), // Friday night: in nte
                incident("north", 80.0, 45.0, Some((2, 22, 0))), // Saturday night, 45 m off
                incident("outside", 80.0, 200.0, Some((2, 22, 30))),
                incident("daytime", 80.0, 0.0, Some((2, 12, 0))), // not in nte
            ],
            venues,
        );
        let mut bag = ParamBag::new([("eps-m", "50"), ("min-venues", "3")]).unwrap();
        let req = ZonesRequest::from_params(&mut bag, &snap, None).unwrap();
        assert_eq!(
            req.selection.window.preset(),
            Some(crate::time::Preset::Nte)
        );
        let res = run_zones(&snap, &req).unwrap();
        assert_eq!(res.zones.len(), 1);
        let z = &res.zones[0];
        assert_eq!(z.venues, vec![0, 1, 2, 3, 4]);
        assert_eq!((z.rank, z.id()), (1, "zone-1".to_owned()));
        assert_eq!(z.incidents, 2.0);
        assert_eq!(z.per_venue(), 0.4);
        assert_eq!(res.total, 3.0);
        assert_eq!(res.in_zones, 2.0);
        // A stadium of 160 m × 100 m plus two half discs of radius 50 m, less the 64-gon's
        // shortfall (under 0.2 % of a circle) and the scallops between circles.
        let stadium_km2 = (160.0 * 100.0 + std::f64::consts::PI * 50.0 * 50.0) / 1e6;
        assert!(z.area_km2 < stadium_km2 && z.area_km2 > 0.95 * stadium_km2);
        // No wards: the Gi* run cannot build a study area, which the warning says.
        assert_eq!(z.hot_overlap, None);
        assert_eq!(res.warnings.len(), 1, "{:?}", res.warnings);
        // `preset=all` counts the daytime row too.
        let mut bag =
            ParamBag::new([("eps-m", "50"), ("min-venues", "3"), ("preset", "all")]).unwrap();
        let req = ZonesRequest::from_params(&mut bag, &snap, None).unwrap();
        assert_eq!(run_zones(&snap, &req).unwrap().zones[0].incidents, 3.0);
        // Too few venues for min-venues: no zones, a warning, no error.
        let mut bag = ParamBag::new([("min-venues", "7")]).unwrap();
        let req = ZonesRequest::from_params(&mut bag, &snap, None).unwrap();
        let res = run_zones(&snap, &req).unwrap();
        assert!(res.zones.is_empty());
        assert!(
            res.warnings[0].contains("min-venues = 7"),
            "{:?}",
            res.warnings
        );
    }
}
