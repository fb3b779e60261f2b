//! The `bbox` parameter: a WGS84 longitude/latitude box, and the British National Grid box
//! that holds it, for R-tree queries over the snapshot's BNG positions.

use std::fmt;

use crate::server::error::ApiError;

/// A checked `minlon,minlat,maxlon,maxlat` box in degrees (boundary included).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    /// West edge, degrees.
    pub min_lon: f64,
    /// South edge, degrees.
    pub min_lat: f64,
    /// East edge, degrees.
    pub max_lon: f64,
    /// North edge, degrees.
    pub max_lat: f64,
}

/// The lon/lat box within which `lonlat_bng` 0.9 projects to the national grid (its private
/// `MIN_LONGITUDE` ... `MAX_LATITUDE`; a test checks the corners still project). Every incident
/// in a snapshot lies inside it: the snapshot is built only from projectable points.
const GRID_LONLAT: BBox = BBox {
    min_lon: -8.579,
    min_lat: 49.922,
    max_lon: 1.78,
    max_lat: 60.84,
};

/// Central meridian of the national grid's transverse Mercator projection, degrees.
const CENTRAL_MERIDIAN_DEG: f64 = -2.0;

/// Margin added around the projected box, metres. It covers the OSTN15 shift between the
/// ETRS89 transverse Mercator grid used to project the box and OSGB36 (under 120 m anywhere in
/// Great Britain) with room to spare; points it lets in are removed by the exact lon/lat test.
const MARGIN_M: f64 = 1_000.0;

/// Points sampled along each edge of the box when projecting it.
const EDGE_SAMPLES: usize = 32;

impl BBox {
    /// Parses `minlon,minlat,maxlon,maxlat`: four finite numbers, longitudes in −180..180,
    /// latitudes in −90..90, min ≤ max.
    pub fn parse(text: &str) -> Result<BBox, ApiError> {
        let bad = |why: &str| {
            ApiError::bad(
                "bbox",
                format!(
                    "bbox {text:?} {why}: write minlon,minlat,maxlon,maxlat in WGS84 degrees, e.g. -1.10,50.78,-1.06,50.80"
                ),
            )
        };
        let parts: Vec<&str> = text.split(',').collect();
        if parts.len() != 4 {
            return Err(bad(&format!("has {} values, not 4", parts.len())));
        }
        let mut v = [0.0_f64; 4];
        for (slot, part) in v.iter_mut().zip(&parts) {
            *slot = part
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| bad(&format!("has {:?}, which is not a number", part.trim())))?;
        }
        let [min_lon, min_lat, max_lon, max_lat] = v;
        if !(-180.0..=180.0).contains(&min_lon) || !(-180.0..=180.0).contains(&max_lon) {
            return Err(bad("has a longitude outside -180..180"));
        }
        if !(-90.0..=90.0).contains(&min_lat) || !(-90.0..=90.0).contains(&max_lat) {
            return Err(bad("has a latitude outside -90..90"));
        }
        if min_lon > max_lon {
            return Err(bad("has minlon greater than maxlon"));
        }
        if min_lat > max_lat {
            return Err(bad("has minlat greater than maxlat"));
        }
        Ok(BBox {
            min_lon,
            min_lat,
            max_lon,
            max_lat,
        })
    }

    /// Whether a position lies in the box (boundary included).
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        (self.min_lon..=self.max_lon).contains(&lon) && (self.min_lat..=self.max_lat).contains(&lat)
    }

    /// The box as a `geo` rectangle (x = lon, y = lat).
    pub fn rect(&self) -> geo::Rect<f64> {
        geo::Rect::new(
            geo::coord! { x: self.min_lon, y: self.min_lat },
            geo::coord! { x: self.max_lon, y: self.max_lat },
        )
    }

    /// A British National Grid box (`[min, max]` easting/northing, metres) that holds every
    /// national-grid position inside this box; `None` when the box misses the grid's area.
    ///
    /// 1. Clip the box to the area the grid projection accepts (every snapshot incident lies in
    ///    it).
    /// 2. Project points along the clipped box's edges (plus the central meridian, where a
    ///    parallel's image reaches its extreme northing) with the ETRS89 transverse Mercator,
    ///    which needs no OSTN15 grid cell and so works over the whole clipped box.
    /// 3. Take their envelope and widen it by 1 km for the OSTN15 shift (under 120 m).
    ///
    /// Within the grid area, eastings along a parallel and northings along a meridian vary
    /// monotonically, so the sampled edges give the image's envelope; the exact lon/lat test
    /// afterwards removes the extra points the margin admits.
    pub fn bng_search_box(&self) -> Option<([f64; 2], [f64; 2])> {
        let clip = BBox {
            min_lon: self.min_lon.max(GRID_LONLAT.min_lon),
            min_lat: self.min_lat.max(GRID_LONLAT.min_lat),
            max_lon: self.max_lon.min(GRID_LONLAT.max_lon),
            max_lat: self.max_lat.min(GRID_LONLAT.max_lat),
        };
        if clip.min_lon > clip.max_lon || clip.min_lat > clip.max_lat {
            return None;
        }
        let mut lons: Vec<f64> = (0..=EDGE_SAMPLES)
            .map(|i| clip.min_lon + (clip.max_lon - clip.min_lon) * i as f64 / EDGE_SAMPLES as f64)
            .collect();
        if (clip.min_lon..=clip.max_lon).contains(&CENTRAL_MERIDIAN_DEG) {
            lons.push(CENTRAL_MERIDIAN_DEG);
        }
        let lats: Vec<f64> = (0..=EDGE_SAMPLES)
            .map(|i| clip.min_lat + (clip.max_lat - clip.min_lat) * i as f64 / EDGE_SAMPLES as f64)
            .collect();
        let edge_points = lons
            .iter()
            .flat_map(|&lon| [(lon, clip.min_lat), (lon, clip.max_lat)])
            .chain(
                lats.iter()
                    .flat_map(|&lat| [(clip.min_lon, lat), (clip.max_lon, lat)]),
            );
        let mut min = [f64::INFINITY; 2];
        let mut max = [f64::NEG_INFINITY; 2];
        for (lon, lat) in edge_points {
            // Inside the clipped area the projection cannot fail; a point it refuses would lie
            // outside the grid, where no incident is.
            if let Ok((e, n)) = lonlat_bng::convert_etrs89(lon, lat) {
                min = [min[0].min(e), min[1].min(n)];
                max = [max[0].max(e), max[1].max(n)];
            }
        }
        if min[0] > max[0] || min[1] > max[1] {
            return None;
        }
        Some((
            [min[0] - MARGIN_M, min[1] - MARGIN_M],
            [max[0] + MARGIN_M, max[1] + MARGIN_M],
        ))
    }
}

impl fmt::Display for BBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{},{},{},{}",
            self.min_lon, self.min_lat, self.max_lon, self.max_lat
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        let b = BBox::parse("-1.1, 50.78,-1.06,50.8").unwrap();
        assert_eq!(b.to_string(), "-1.1,50.78,-1.06,50.8");
        for bad in [
            "",
            "1,2,3",
            "1,2,3,4,5,6",
            "a,2,3,4",
            "NaN,2,3,4",
            "-1,51,-2,52",
            "-2,52,-1,51",
            "-181,50,-1,51",
            "-2,50,-1,91",
        ] {
            let e = BBox::parse(bad).unwrap_err();
            assert_eq!(e.parameter(), Some("bbox"), "{bad}");
        }
    }

    #[test]
    fn search_box_holds_the_projected_corners() {
        let b = BBox::parse("-1.12,50.77,-1.02,50.84").unwrap();
        let (min, max) = b.bng_search_box().unwrap();
        for (lon, lat) in [
            (-1.12, 50.77),
            (-1.02, 50.84),
            (-1.12, 50.84),
            (-1.02, 50.77),
        ] {
            let (e, n) = lonlat_bng::convert_osgb36(lon, lat).unwrap();
            assert!(min[0] <= e && e <= max[0] && min[1] <= n && n <= max[1]);
        }
        // Tight: within the margin plus a little of the projected corners.
        let (e0, n0) = lonlat_bng::convert_osgb36(-1.12, 50.77).unwrap();
        assert!((e0 - min[0]).abs() < 2.0 * MARGIN_M && (n0 - min[1]).abs() < 2.0 * MARGIN_M);
        assert!(
            BBox::parse("10,10,20,20")
                .unwrap()
                .bng_search_box()
                .is_none()
        );
        assert!(
            BBox::parse("-180,-90,180,90")
                .unwrap()
                .bng_search_box()
                .is_some()
        );
    }

    #[test]
    fn grid_area_matches_the_projection_crate() {
        let g = GRID_LONLAT;
        for (lon, lat) in [
            (g.min_lon, g.min_lat),
            (g.min_lon, g.max_lat),
            (g.max_lon, g.min_lat),
            (g.max_lon, g.max_lat),
        ] {
            assert!(lonlat_bng::convert_etrs89(lon, lat).is_ok(), "{lon} {lat}");
        }
        let mid = (-2.0, 55.0);
        assert!(lonlat_bng::convert_etrs89(g.min_lon - 0.01, mid.1).is_err());
        assert!(lonlat_bng::convert_etrs89(g.max_lon + 0.01, mid.1).is_err());
        assert!(lonlat_bng::convert_etrs89(mid.0, g.min_lat - 0.01).is_err());
        assert!(lonlat_bng::convert_etrs89(mid.0, g.max_lat + 0.01).is_err());
    }
}
