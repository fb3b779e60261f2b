//! Tile addresses, Web Mercator (EPSG:3857) and the tile pixel grid.
//!
//! Tiles follow the XYZ scheme every web map uses (OSM "slippy map" names): zoom `z`,
//! column `x` growing east, row `y` growing south, `2^z × 2^z` tiles covering Web Mercator's
//! square from −20 037 508.34 m to +20 037 508.34 m. Inside a tile, features live on an
//! integer grid of [`EXTENT`] × [`EXTENT`] pixels (y down, as MVT 2.1 requires) with
//! [`BUFFER`] pixels of overlap on each side so that lines and fills join across tile edges.

use geo::{Coord, Rect};

use super::TileError;

/// Deepest zoom a [`TileCoord`] accepts (about 2.4 cm per pixel at the equator).
pub const MAX_ZOOM: u8 = 22;
/// Tile grid size in pixels (MVT's usual extent, and geojson-vt's default).
pub const EXTENT: u32 = 4096;
/// Pixels kept beyond each tile edge (geojson-vt's default).
pub const BUFFER: u32 = 64;
/// WGS84 semi-major axis, the sphere radius Web Mercator uses, in metres.
pub const EARTH_RADIUS_M: f64 = 6_378_137.0;
/// Half the width of the Web Mercator square, metres (π × R).
pub const ORIGIN_SHIFT_M: f64 = std::f64::consts::PI * EARTH_RADIUS_M;
/// The latitude where Web Mercator's square ends, degrees (atan(sinh(π))).
pub const MAX_LATITUDE: f64 = 85.051_128_779_806_59;

/// A checked tile address: `z ≤ 22`, `x, y < 2^z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileCoord {
    z: u8,
    x: u32,
    y: u32,
}

impl TileCoord {
    /// A tile address, checked.
    ///
    /// # Errors
    /// [`TileError::ZoomTooHigh`] when `z > 22`; [`TileError::ColumnOutOfRange`] /
    /// [`TileError::RowOutOfRange`] when `x` / `y` is not below `2^z`.
    ///
    /// ```
    /// use hotspot::tiles::TileCoord;
    /// assert!(TileCoord::new_checked(14, 8150, 5510).is_ok());
    /// assert!(TileCoord::new_checked(2, 4, 0).is_err());
    /// ```
    pub fn new_checked(z: u32, x: u32, y: u32) -> Result<TileCoord, TileError> {
        let z_u8 = u8::try_from(z)
            .ok()
            .filter(|&z| z <= MAX_ZOOM)
            .ok_or(TileError::ZoomTooHigh { z, max: MAX_ZOOM })?;
        let tiles = 1u32 << z_u8;
        if x >= tiles {
            return Err(TileError::ColumnOutOfRange { z, x, tiles });
        }
        if y >= tiles {
            return Err(TileError::RowOutOfRange { z, y, tiles });
        }
        Ok(TileCoord { z: z_u8, x, y })
    }

    /// Zoom level.
    pub fn z(self) -> u8 {
        self.z
    }

    /// Column, counted east from 180° W.
    pub fn x(self) -> u32 {
        self.x
    }

    /// Row, counted south from 85.05° N.
    pub fn y(self) -> u32 {
        self.y
    }

    /// Width (= height) of this zoom's tiles, Web Mercator metres.
    pub fn size_m(self) -> f64 {
        2.0 * ORIGIN_SHIFT_M / f64::from(1u32 << self.z)
    }

    /// The tile's square in Web Mercator metres (min = west/south corner).
    pub fn bounds_m(self) -> Rect<f64> {
        let size_m = self.size_m();
        let min_x = -ORIGIN_SHIFT_M + f64::from(self.x) * size_m;
        let max_y = ORIGIN_SHIFT_M - f64::from(self.y) * size_m;
        Rect::new(
            Coord {
                x: min_x,
                y: max_y - size_m,
            },
            Coord {
                x: min_x + size_m,
                y: max_y,
            },
        )
    }

    /// The tile's square grown by `buffer_px` tile pixels on each side, Web Mercator metres.
    pub fn buffered_bounds_m(self, buffer_px: u32) -> Rect<f64> {
        let pad_m = self.size_m() * f64::from(buffer_px) / f64::from(EXTENT);
        let b = self.bounds_m();
        Rect::new(
            Coord {
                x: b.min().x - pad_m,
                y: b.min().y - pad_m,
            },
            Coord {
                x: b.max().x + pad_m,
                y: b.max().y + pad_m,
            },
        )
    }

    /// The tile's bounds in degrees: `(west, south, east, north)`.
    pub fn bounds_lonlat(self) -> [f64; 4] {
        let b = self.bounds_m();
        let sw = mercator_to_lonlat(b.min());
        let ne = mercator_to_lonlat(b.max());
        [sw.x, sw.y, ne.x, ne.y]
    }

    /// The tile that contains a lon/lat position at zoom `z` (latitudes beyond ±85.05° are
    /// clamped to the edge rows).
    ///
    /// # Errors
    /// [`TileError::ZoomTooHigh`] when `z > 22`.
    pub fn containing(lon: f64, lat: f64, z: u32) -> Result<TileCoord, TileError> {
        let zoom = TileCoord::new_checked(z, 0, 0)?;
        let p = lonlat_to_mercator(Coord { x: lon, y: lat });
        let size_m = zoom.size_m();
        let last = f64::from((1u32 << zoom.z) - 1);
        let col = ((p.x + ORIGIN_SHIFT_M) / size_m).floor().clamp(0.0, last);
        let row = ((ORIGIN_SHIFT_M - p.y) / size_m).floor().clamp(0.0, last);
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "clamped to 0..2^z - 1 just above"
        )]
        TileCoord::new_checked(z, col as u32, row as u32)
    }

    /// The affine map from Web Mercator metres to this tile's pixel grid.
    pub fn transform(self) -> PixelTransform {
        let b = self.bounds_m();
        PixelTransform {
            min_x_m: b.min().x,
            max_y_m: b.max().y,
            px_per_m: f64::from(EXTENT) / self.size_m(),
        }
    }
}

impl std::fmt::Display for TileCoord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.z, self.x, self.y)
    }
}

/// Web Mercator metres ↔ one tile's pixels: `px = (x − west) · k`, `py = (north − y) · k`
/// with `k = EXTENT / tile size`. Pixel y grows down.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PixelTransform {
    min_x_m: f64,
    max_y_m: f64,
    px_per_m: f64,
}

impl PixelTransform {
    /// Web Mercator metres → tile pixels (not rounded).
    #[inline]
    pub fn to_px(&self, c: Coord<f64>) -> Coord<f64> {
        Coord {
            x: (c.x - self.min_x_m) * self.px_per_m,
            y: (self.max_y_m - c.y) * self.px_per_m,
        }
    }

    /// Tile pixels → Web Mercator metres.
    #[inline]
    pub fn to_m(&self, px: Coord<f64>) -> Coord<f64> {
        Coord {
            x: self.min_x_m + px.x / self.px_per_m,
            y: self.max_y_m - px.y / self.px_per_m,
        }
    }

    /// Tile pixels → lon/lat degrees.
    pub fn to_lonlat(&self, px: Coord<f64>) -> Coord<f64> {
        mercator_to_lonlat(self.to_m(px))
    }
}

/// lon/lat degrees → Web Mercator metres (EPSG:4326 → EPSG:3857). Latitudes are clamped to
/// ±[`MAX_LATITUDE`], where the square ends.
///
/// ```
/// use geo::Coord;
/// use hotspot::tiles::lonlat_to_mercator;
/// let p = lonlat_to_mercator(Coord { x: 180.0, y: 0.0 });
/// assert!((p.x - 20_037_508.342_789_244).abs() < 1e-6 && p.y.abs() < 1e-9);
/// ```
#[inline]
pub fn lonlat_to_mercator(c: Coord<f64>) -> Coord<f64> {
    let lat = c.y.clamp(-MAX_LATITUDE, MAX_LATITUDE).to_radians();
    Coord {
        x: EARTH_RADIUS_M * c.x.to_radians(),
        y: EARTH_RADIUS_M * (std::f64::consts::FRAC_PI_4 + lat / 2.0).tan().ln(),
    }
}

/// Web Mercator metres → lon/lat degrees (EPSG:3857 → EPSG:4326).
#[inline]
pub fn mercator_to_lonlat(c: Coord<f64>) -> Coord<f64> {
    Coord {
        x: (c.x / EARTH_RADIUS_M).to_degrees(),
        y: (2.0 * (c.y / EARTH_RADIUS_M).exp().atan() - std::f64::consts::FRAC_PI_2).to_degrees(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_bad_value() {
        let e = TileCoord::new_checked(23, 0, 0).unwrap_err();
        assert_eq!(e, TileError::ZoomTooHigh { z: 23, max: 22 });
        assert!(e.to_string().contains("23"), "{e}");
        let e = TileCoord::new_checked(3, 8, 0).unwrap_err();
        assert_eq!(
            e,
            TileError::ColumnOutOfRange {
                z: 3,
                x: 8,
                tiles: 8
            }
        );
        assert!(e.to_string().contains('8'), "{e}");
        let e = TileCoord::new_checked(0, 0, 1).unwrap_err();
        assert_eq!(
            e,
            TileError::RowOutOfRange {
                z: 0,
                y: 1,
                tiles: 1
            }
        );
        assert!(TileCoord::new_checked(22, (1 << 22) - 1, (1 << 22) - 1).is_ok());
        assert!(TileCoord::new_checked(u32::MAX, 0, 0).is_err());
    }

    #[test]
    fn world_tile_bounds() {
        let t = TileCoord::new_checked(0, 0, 0).unwrap();
        let b = t.bounds_m();
        assert!((b.min().x + ORIGIN_SHIFT_M).abs() < 1e-6);
        assert!((b.max().y - ORIGIN_SHIFT_M).abs() < 1e-6);
        let [w, s, e, n] = t.bounds_lonlat();
        assert!((w + 180.0).abs() < 1e-9 && (e - 180.0).abs() < 1e-9);
        assert!((n - MAX_LATITUDE).abs() < 1e-9 && (s + MAX_LATITUDE).abs() < 1e-9);
    }

    #[test]
    fn portsmouth_tile_at_zoom_14() {
        // Portsmouth Guildhall (-1.0913, 50.7989): the OSM wiki formula (x = (lon + 180)/360 · 2^z,
        // y = (1 − ln(tan φ + sec φ)/π)/2 · 2^z) gives 8142.33, 5499.51 → 14/8142/5499.
        let t = TileCoord::containing(-1.0913, 50.7989, 14).unwrap();
        assert_eq!((t.z(), t.x(), t.y()), (14, 8142, 5499));
        let [w, s, e, n] = t.bounds_lonlat();
        assert!(w <= -1.0913 && -1.0913 < e && s <= 50.7989 && 50.7989 < n);
    }

    #[test]
    fn pixel_transform_corners_and_buffer() {
        let t = TileCoord::new_checked(10, 511, 340).unwrap();
        let tr = t.transform();
        let b = t.bounds_m();
        let nw = tr.to_px(Coord {
            x: b.min().x,
            y: b.max().y,
        });
        let se = tr.to_px(Coord {
            x: b.max().x,
            y: b.min().y,
        });
        assert!(nw.x.abs() < 1e-6 && nw.y.abs() < 1e-6);
        assert!((se.x - 4096.0).abs() < 1e-6 && (se.y - 4096.0).abs() < 1e-6);
        let bb = t.buffered_bounds_m(BUFFER);
        let p = tr.to_px(bb.min());
        assert!((p.x + 64.0).abs() < 1e-6 && (p.y - 4160.0).abs() < 1e-6);
        let back = tr.to_m(Coord { x: 100.5, y: 7.25 });
        let again = tr.to_px(back);
        assert!((again.x - 100.5).abs() < 1e-6 && (again.y - 7.25).abs() < 1e-6);
    }
}
