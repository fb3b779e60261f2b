//! Coordinates: WGS84 degrees for storage and display, British National Grid metres for
//! every distance, area and radius the analyses use.
//!
//! WGS84 ↔ BNG (EPSG:27700) goes through Ordnance Survey's OSTN15 grid shift (crate
//! `lonlat_bng`), which reproduces OS's published test points to the millimetre; see the tests.

use serde::{Deserialize, Serialize};

/// A WGS84 position in degrees, checked at construction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Wgs84 {
    lon: f64,
    lat: f64,
}

/// A position that is not a WGS84 position, or has no British National Grid equivalent.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum CoordError {
    /// Longitude outside −180..180, latitude outside −90..90, or not finite.
    #[error("({lon}, {lat}) is not a longitude/latitude pair in degrees")]
    OutOfRange {
        /// Longitude as given.
        lon: f64,
        /// Latitude as given.
        lat: f64,
    },
    /// Outside the area OSTN15 covers (Great Britain and its waters).
    #[error("({lon}, {lat}) lies outside Great Britain's national grid (OSTN15)")]
    OutsideGrid {
        /// Longitude as given.
        lon: f64,
        /// Latitude as given.
        lat: f64,
    },
    /// Easting/northing outside the national grid.
    #[error("easting {easting_m} / northing {northing_m} lies outside the British National Grid")]
    OutsideBng {
        /// Easting as given, metres.
        easting_m: f64,
        /// Northing as given, metres.
        northing_m: f64,
    },
}

impl Wgs84 {
    /// A position from longitude and latitude in degrees.
    pub fn new(lon: f64, lat: f64) -> Result<Wgs84, CoordError> {
        if lon.is_finite()
            && lat.is_finite()
            && (-180.0..=180.0).contains(&lon)
            && (-90.0..=90.0).contains(&lat)
        {
            Ok(Wgs84 { lon, lat })
        } else {
            Err(CoordError::OutOfRange { lon, lat })
        }
    }

    /// Longitude, degrees east.
    pub fn lon(self) -> f64 {
        self.lon
    }

    /// Latitude, degrees north.
    pub fn lat(self) -> f64 {
        self.lat
    }

    /// The position as a `geo` point (x = lon, y = lat).
    pub fn point(self) -> geo::Point<f64> {
        geo::Point::new(self.lon, self.lat)
    }

    /// The British National Grid position (OSTN15).
    pub fn to_bng(self) -> Result<Bng, CoordError> {
        let (e, n) = lonlat_bng::convert_osgb36(self.lon, self.lat).map_err(|_| {
            CoordError::OutsideGrid {
                lon: self.lon,
                lat: self.lat,
            }
        })?;
        Ok(Bng {
            easting_m: e,
            northing_m: n,
        })
    }
}

/// A British National Grid (EPSG:27700) position in metres.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bng {
    /// Easting, metres.
    pub easting_m: f64,
    /// Northing, metres.
    pub northing_m: f64,
}

impl Bng {
    /// A grid position, checked to lie within the national grid's 700 km × 1300 km extent.
    pub fn new(easting_m: f64, northing_m: f64) -> Result<Bng, CoordError> {
        if easting_m.is_finite()
            && northing_m.is_finite()
            && (0.0..=700_000.0).contains(&easting_m)
            && (0.0..=1_300_000.0).contains(&northing_m)
        {
            Ok(Bng {
                easting_m,
                northing_m,
            })
        } else {
            Err(CoordError::OutsideBng {
                easting_m,
                northing_m,
            })
        }
    }

    /// The WGS84 position (OSTN15).
    pub fn to_wgs84(self) -> Result<Wgs84, CoordError> {
        let outside = CoordError::OutsideBng {
            easting_m: self.easting_m,
            northing_m: self.northing_m,
        };
        let (lon, lat) = lonlat_bng::convert_osgb36_to_ll(self.easting_m, self.northing_m)
            .map_err(|_| outside)?;
        Wgs84::new(lon, lat).map_err(|_| outside)
    }

    /// Straight-line distance in metres.
    pub fn distance_m(self, other: Bng) -> f64 {
        (self.easting_m - other.easting_m).hypot(self.northing_m - other.northing_m)
    }

    /// As an `[x, y]` array, the form the R-trees hold.
    pub fn xy(self) -> [f64; 2] {
        [self.easting_m, self.northing_m]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ordnance Survey's published OSTN15 test points (OSTN15/OSGM15 developer pack,
    /// `TestInput_ETRStoOSGB` and `TestOutput_ETRStoOSGB`): lon, lat (ETRS89) → easting, northing.
    const OS_POINTS: [(f64, f64, f64, f64); 3] = [
        (-1.297_822_772, 50.575_636_65, 449_816.371, 75_335.861), // TP04, Isle of Wight
        (-1.450_514_337, 50.931_279_38, 438_710.92, 114_792.25),  // TP05, near Southampton
        (-2.154_586_144, 52.255_293_82, 389_544.19, 261_912.153), // TP12, Worcestershire
    ];

    #[test]
    fn ostn15_matches_published_points_to_the_centimetre() {
        for (lon, lat, e, n) in OS_POINTS {
            let bng = Wgs84::new(lon, lat).unwrap().to_bng().unwrap();
            assert!(
                (bng.easting_m - e).abs() < 0.01 && (bng.northing_m - n).abs() < 0.01,
                "{bng:?} vs {e} {n}"
            );
            let back = Bng::new(e, n).unwrap().to_wgs84().unwrap();
            let err_m = Wgs84::new(lon, lat)
                .unwrap()
                .to_bng()
                .unwrap()
                .distance_m(back.to_bng().unwrap());
            assert!(err_m < 0.01, "round trip error {err_m} m");
        }
    }

    #[test]
    fn rejects_bad_positions() {
        assert!(Wgs84::new(200.0, 0.0).is_err());
        assert!(Wgs84::new(f64::NAN, 50.0).is_err());
        assert!(Wgs84::new(0.0, 0.0).unwrap().to_bng().is_err());
        assert!(Bng::new(-5.0, 100.0).is_err());
    }
}
