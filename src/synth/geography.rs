//! The synthetic city's geography: 14 ward polygons drawn by hand as an honest approximation of
//! Portsmouth (not traced from any boundary file), resident populations, a street grid of
//! "addresses", and the fixed list of anonymous map points police.uk-style rows snap to.
//!
//! The wards are built from one table of named vertices: each ward's ring lists vertex names, so
//! an edge two wards share is the same pair of coordinates in both rings (no gaps, no overlaps,
//! no T-junctions). Only the coast and the city's outer boundary belong to one ward.

use geo::{Contains, Coord, LineString, MultiPolygon, Point, Polygon};
use geo::{Orient, orient::Direction};

/// Metres per degree of latitude near 50.8° N.
pub const M_PER_DEG_LAT: f64 = 111_230.0;
/// Metres per degree of longitude near 50.8° N (111 320 m × cos 50.8°).
pub const M_PER_DEG_LON: f64 = 70_390.0;

/// Spacing of the street grid of addresses, metres.
const ADDRESS_SPACING_M: f64 = 60.0;
/// Spacing of the anonymous map points, metres (police.uk's median spacing is ~125 m in
/// dense areas; a coarser grid keeps the list near 400 points for a city of ~40 km²).
const MAP_POINT_SPACING_M: f64 = 330.0;

/// The city's bounding box (lon min, lat min, lon max, lat max) the grids are laid over.
pub const CITY_BBOX: (f64, f64, f64, f64) = (-1.1300, 50.7740, -1.0080, 50.8660);

/// A named vertex of the ward map: (name, lon, lat).
type Vertex = (&'static str, f64, f64);

/// Every vertex of the ward map. `C*` are Portsea Island's coast clockwise from Old Portsmouth;
/// `M*` the mainland strip's outline; the rest are inland corners named after the wards they join.
const VERTICES: &[Vertex] = &[
    // Portsea Island coast, clockwise from the Round Tower (Old Portsmouth).
    ("C1", -1.1070, 50.7880),
    ("C2", -1.1085, 50.7930),
    ("C3", -1.1095, 50.7990),
    ("C4", -1.1100, 50.8060),
    ("CDN", -1.1088, 50.8110),
    ("C5", -1.1070, 50.8150),
    ("C6", -1.1000, 50.8260),
    ("C7", -1.0930, 50.8340),
    ("C8", -1.0850, 50.8385),
    ("C9", -1.0700, 50.8380),
    ("C10", -1.0550, 50.8378),
    ("C11", -1.0420, 50.8360),
    ("C12", -1.0330, 50.8280),
    ("BC", -1.0350, 50.8170),
    ("C14", -1.0330, 50.8080),
    ("C15", -1.0310, 50.8010),
    ("C16", -1.0220, 50.7900),
    ("C17", -1.0260, 50.7840),
    ("C18", -1.0450, 50.7810),
    ("C19", -1.0650, 50.7790),
    ("CJ", -1.0720, 50.7782),
    ("C20", -1.0800, 50.7775),
    ("C21", -1.0930, 50.7800),
    ("C22", -1.1010, 50.7845),
    // Inland corners on the island.
    ("S1", -1.0960, 50.7990),  // St Thomas / Charles Dickens
    ("S2", -1.0960, 50.7960),  // St Thomas / Charles Dickens / Central Southsea
    ("S3", -1.0960, 50.7890),  // St Thomas / St Jude / Central Southsea
    ("J5", -1.0860, 50.7890),  // St Jude / Central Southsea
    ("J3", -1.0860, 50.7840),  // St Jude / Central Southsea
    ("J2", -1.0720, 50.7840),  // St Jude / Central Southsea / Eastney
    ("E1", -1.0670, 50.7840),  // Central Southsea / Eastney
    ("E2", -1.0670, 50.7880),  // Central Southsea / Eastney / Milton
    ("EM2", -1.0450, 50.7890), // Eastney / Milton
    ("F1", -1.0670, 50.7960),  // Central Southsea / Fratton / Milton
    ("P3", -1.0800, 50.7960),  // Charles Dickens / Fratton / Central Southsea
    ("MB2", -1.0670, 50.8010), // Fratton / Milton / Baffins
    ("FB", -1.0670, 50.8110),  // Fratton / Baffins / Copnor
    ("BCW", -1.0600, 50.8150), // Baffins / Copnor
    ("NC1", -1.0760, 50.8110), // Fratton / Nelson / Copnor
    ("FN", -1.0800, 50.8110),  // Charles Dickens / Fratton / Nelson
    ("NH1", -1.0760, 50.8260), // Nelson / Copnor / Hilsea
    // Mainland strip, Portsdown Hill to the harbour shore.
    ("MS1", -1.1200, 50.8450),
    ("MS2", -1.1000, 50.8425),
    ("MS3", -1.0800, 50.8420),
    ("MS4", -1.0650, 50.8415),
    ("MS5", -1.0520, 50.8418),
    ("MS6", -1.0350, 50.8400),
    ("MS7", -1.0150, 50.8420),
    ("ME", -1.0100, 50.8500),
    ("DN", -1.0200, 50.8620),
    ("CDX", -1.0520, 50.8640),
    ("PC", -1.0800, 50.8630),
    ("PN", -1.1000, 50.8650),
    ("MNW", -1.1200, 50.8600),
    // Hilsea's islet in Ports Creek and Nelson's Whale Island.
    ("HI1", -1.0640, 50.8390),
    ("HI2", -1.0600, 50.8392),
    ("HI3", -1.0605, 50.8408),
    ("HI4", -1.0638, 50.8406),
    ("WI1", -1.1120, 50.8175),
    ("WI2", -1.1080, 50.8178),
    ("WI3", -1.1082, 50.8225),
    ("WI4", -1.1118, 50.8222),
];

/// One ward of the synthetic city.
struct WardSpec {
    code: &'static str,
    name: &'static str,
    /// Usual residents: rounded, plausible figures (not the census counts), 208 000 in all.
    population: u32,
    /// Rings of vertex names, one per polygon part (exterior rings only).
    parts: &'static [&'static [&'static str]],
}

const WARDS: [WardSpec; 14] = [
    WardSpec {
        code: "E05002441",
        name: "Baffins",
        population: 15_500,
        parts: &[&["MB2", "C15", "C14", "BC", "BCW", "FB"]],
    },
    WardSpec {
        code: "E05002442",
        name: "Central Southsea",
        population: 16_500,
        parts: &[&["S3", "J5", "J3", "J2", "E1", "E2", "F1", "P3", "S2"]],
    },
    WardSpec {
        code: "E05002443",
        name: "Charles Dickens",
        population: 17_000,
        parts: &[&["S1", "C3", "C4", "CDN", "FN", "P3", "S2"]],
    },
    WardSpec {
        code: "E05002444",
        name: "Copnor",
        population: 14_000,
        parts: &[&["NC1", "FB", "BCW", "BC", "C12", "NH1"]],
    },
    WardSpec {
        code: "E05002445",
        name: "Cosham",
        population: 15_000,
        parts: &[&["MS3", "MS4", "MS5", "CDX", "PC"]],
    },
    WardSpec {
        code: "E05002446",
        name: "Drayton and Farlington",
        population: 14_200,
        parts: &[&["MS5", "MS6", "MS7", "ME", "DN", "CDX"]],
    },
    WardSpec {
        code: "E05002447",
        name: "Eastney and Craneswater",
        population: 12_700,
        parts: &[&["CJ", "C19", "C18", "C17", "C16", "EM2", "E2", "E1", "J2"]],
    },
    WardSpec {
        code: "E05002448",
        name: "Fratton",
        population: 16_000,
        parts: &[&["P3", "F1", "MB2", "FB", "NC1", "FN"]],
    },
    WardSpec {
        code: "E05002449",
        name: "Hilsea",
        population: 14_400,
        parts: &[
            &["C6", "C7", "C8", "C9", "C10", "C11", "C12", "NH1"],
            &["HI1", "HI2", "HI3", "HI4"],
        ],
    },
    WardSpec {
        code: "E05002450",
        name: "Milton",
        population: 14_800,
        parts: &[&["E2", "EM2", "C16", "C15", "MB2", "F1"]],
    },
    WardSpec {
        code: "E05002451",
        name: "Nelson",
        population: 15_700,
        parts: &[
            &["CDN", "C5", "C6", "NH1", "NC1", "FN"],
            &["WI1", "WI2", "WI3", "WI4"],
        ],
    },
    WardSpec {
        code: "E05002452",
        name: "Paulsgrove",
        population: 14_600,
        parts: &[&["MS1", "MS2", "MS3", "PC", "PN", "MNW"]],
    },
    WardSpec {
        code: "E05002453",
        name: "St Jude",
        population: 12_100,
        parts: &[&["C22", "C21", "C20", "CJ", "J2", "J3", "J5", "S3"]],
    },
    WardSpec {
        code: "E05002454",
        name: "St Thomas",
        population: 15_500,
        parts: &[&["C22", "C1", "C2", "C3", "S1", "S2", "S3"]],
    },
];

/// A ward of the synthetic city, with its boundary built from the vertex table.
#[derive(Debug, Clone)]
pub struct SynthWard {
    /// ONS ward code.
    pub code: &'static str,
    /// Ward name.
    pub name: &'static str,
    /// Usual residents (synthetic, plausible).
    pub population: u32,
    /// Boundary in lon/lat, exterior rings counter-clockwise (RFC 7946).
    pub boundary: MultiPolygon<f64>,
}

fn vertex(name: &str) -> Option<Coord<f64>> {
    VERTICES
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|&(_, x, y)| Coord { x, y })
}

/// The 14 wards, in code order.
pub fn wards() -> Vec<SynthWard> {
    WARDS
        .iter()
        .map(|w| {
            let polygons = w
                .parts
                .iter()
                .map(|ring| {
                    let coords: Vec<Coord<f64>> = ring
                        .iter()
                        // The vertex table is a constant; `ward_rings_use_known_vertices`
                        // checks every name resolves.
                        .map(|n| vertex(n).expect("every ring names a vertex of VERTICES"))
                        .collect();
                    Polygon::new(LineString::from(coords), vec![]).orient(Direction::Default)
                })
                .collect();
            SynthWard {
                code: w.code,
                name: w.name,
                population: w.population,
                boundary: MultiPolygon(polygons),
            }
        })
        .collect()
}

/// The index of the ward containing a point, if any.
pub fn ward_of(wards: &[SynthWard], lon: f64, lat: f64) -> Option<usize> {
    let p = Point::new(lon, lat);
    wards.iter().position(|w| w.boundary.contains(&p))
}

/// A point offset by metres east and north (local flat approximation, fine at city scale).
pub fn offset_m(lon: f64, lat: f64, east_m: f64, north_m: f64) -> (f64, f64) {
    (lon + east_m / M_PER_DEG_LON, lat + north_m / M_PER_DEG_LAT)
}

/// Approximate distance in metres between two nearby lon/lat points.
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    // `libm` rather than the platform's maths library: the same bytes on every platform.
    libm::hypot((a.0 - b.0) * M_PER_DEG_LON, (a.1 - b.1) * M_PER_DEG_LAT)
}

/// Names for the grid's east–west streets (south to north) and north–south roads (west to
/// east); cycled when the grid is longer than the list. Common English street names.
const EW_STREETS: [&str; 24] = [
    "Clarence Parade",
    "Castle Road",
    "Albert Road",
    "Victoria Road South",
    "Elm Grove",
    "Somers Road",
    "Arundel Street",
    "Lake Road",
    "Kingston Crescent",
    "Stubbington Avenue",
    "Chichester Road",
    "Madeira Road",
    "Northern Parade",
    "Stamshaw Road",
    "Norway Road",
    "Military Road",
    "Highbury Grove",
    "Northern Road",
    "Chatsworth Avenue",
    "Havant Road",
    "Spur Road",
    "Medina Road",
    "Portsdown Road",
    "Southwick Hill Road",
];

const NS_STREETS: [&str; 24] = [
    "Marine Parade",
    "Queen Street",
    "Commercial Road",
    "Victoria Road North",
    "Fawcett Road",
    "Fratton Road",
    "Lawrence Road",
    "Winter Road",
    "Tangier Road",
    "Copnor Road",
    "Baffins Road",
    "Eastern Road",
    "London Road",
    "Kirby Road",
    "Walsall Road",
    "Laburnum Grove",
    "Highland Road",
    "Methuen Road",
    "Festing Road",
    "Goldsmith Avenue",
    "Milton Road",
    "Locksway Road",
    "Station Road",
    "Allaway Avenue",
];

/// The street at a position: the city is cut into 24 bands each way, an east–west street per
/// band of latitude and a north–south road per band of longitude, so both grids (addresses
/// and map points) name the same place the same way.
fn street_at(lon: f64, lat: f64, east_west: bool) -> &'static str {
    let (x0, y0, x1, y1) = CITY_BBOX;
    let band = |v: f64, lo: f64, hi: f64, n: usize| {
        // Truncation is the banding; positions are inside the box, so 0 <= band < n.
        ((((v - lo) / (hi - lo)) * n as f64).floor().max(0.0) as usize).min(n - 1)
    };
    if east_west {
        EW_STREETS[band(lat, y0, y1, EW_STREETS.len())]
    } else {
        NS_STREETS[band(lon, x0, x1, NS_STREETS.len())]
    }
}

/// An address on the street grid.
#[derive(Debug, Clone)]
pub struct Address {
    /// Longitude, degrees.
    pub lon: f64,
    /// Latitude, degrees.
    pub lat: f64,
    /// Street name.
    pub street: &'static str,
    /// Index of the ward (into [`wards`]).
    pub ward: usize,
}

/// Points of a regular grid over [`CITY_BBOX`] at a spacing in metres that fall inside a ward,
/// each with the street of its row (even columns) or column (odd columns).
fn grid(wards: &[SynthWard], spacing_m: f64) -> Vec<Address> {
    let (x0, y0, x1, y1) = CITY_BBOX;
    let dx = spacing_m / M_PER_DEG_LON;
    let dy = spacing_m / M_PER_DEG_LAT;
    let mut out = Vec::new();
    let mut row = 0_usize;
    let mut lat = y0 + dy / 2.0;
    while lat < y1 {
        let mut col = 0_usize;
        let mut lon = x0 + dx / 2.0;
        while lon < x1 {
            if let Some(ward) = ward_of(wards, lon, lat) {
                let street = street_at(lon, lat, col.is_multiple_of(2));
                out.push(Address {
                    lon,
                    lat,
                    street,
                    ward,
                });
            }
            col += 1;
            lon = x0 + dx / 2.0 + col as f64 * dx;
        }
        row += 1;
        lat = y0 + dy / 2.0 + row as f64 * dy;
    }
    out
}

/// The street grid of addresses (every 60 m, inside a ward).
pub fn addresses(wards: &[SynthWard]) -> Vec<Address> {
    grid(wards, ADDRESS_SPACING_M)
}

/// An anonymous map point in the style of police.uk's snap list.
#[derive(Debug, Clone)]
pub struct MapPoint {
    /// Longitude, degrees (6 decimals, as police.uk writes them).
    pub lon: f64,
    /// Latitude, degrees.
    pub lat: f64,
    /// The `Location` text, always `On or near ...`.
    pub location: String,
    /// LSOA code (synthetic, in ONS format).
    pub lsoa_code: String,
    /// LSOA name, e.g. `Portsmouth 012A` or `Fareham 012A`.
    pub lsoa_name: String,
    /// Ward index, `None` for points outside the city.
    pub ward: Option<usize>,
}

/// Feature classes police.uk uses for points that are not streets.
const FEATURES: [&str; 6] = [
    "Supermarket",
    "Parking Area",
    "Shopping Area",
    "Petrol Station",
    "Sports/Recreation Area",
    "Nightclub",
];

/// Round to 6 decimals (police.uk precision) so the written and in-memory values agree.
pub fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// The fixed list of ~400 anonymous map points: a 330 m grid over the wards, every 9th a
/// feature (supermarket, car park, ...), grouped into synthetic LSOAs of about four points
/// per ward band (`Portsmouth 001A`..., numbered north to south as ONS does), followed by a
/// few points of the neighbouring authority just outside the city (`Fareham 012A`...).
pub fn map_points(wards: &[SynthWard]) -> Vec<MapPoint> {
    let mut pts = grid(wards, MAP_POINT_SPACING_M);
    // ONS numbers MSOAs roughly north to south: order wards by their northernmost point.
    let mut ward_order: Vec<usize> = (0..wards.len()).collect();
    let north = |w: &SynthWard| {
        w.boundary
            .0
            .iter()
            .flat_map(|p| p.exterior().coords())
            .map(|c| c.y)
            .fold(f64::MIN, f64::max)
    };
    ward_order.sort_by(|&a, &b| north(&wards[b]).total_cmp(&north(&wards[a])));
    pts.sort_by(|a, b| {
        let ra = ward_order.iter().position(|&w| w == a.ward);
        let rb = ward_order.iter().position(|&w| w == b.ward);
        ra.cmp(&rb)
            .then(b.lat.total_cmp(&a.lat))
            .then(a.lon.total_cmp(&b.lon))
    });
    let mut out = Vec::with_capacity(pts.len() + 12);
    let mut per_ward = vec![0_usize; wards.len()];
    for (i, a) in pts.iter().enumerate() {
        let msoa = ward_order.iter().position(|&w| w == a.ward).unwrap_or(0) * 2 + 1;
        let k = per_ward[a.ward];
        per_ward[a.ward] += 1;
        let letter = char::from(b'A' + u8::try_from((k / 4) % 26).unwrap_or(0));
        let location = if i % 9 == 4 {
            format!("On or near {}", FEATURES[(i / 9) % FEATURES.len()])
        } else {
            format!("On or near {}", a.street)
        };
        out.push(MapPoint {
            lon: round6(a.lon),
            lat: round6(a.lat),
            location,
            lsoa_code: format!("E0101{:04}", 7000 + msoa * 20 + k / 4),
            lsoa_name: format!("Portsmouth {msoa:03}{letter}"),
            ward: Some(a.ward),
        });
    }
    // Portchester (Fareham), just across the harbour from Paulsgrove.
    for (j, (lon, lat, street)) in [
        (-1.1330, 50.8440, "Castle Street"),
        (-1.1310, 50.8480, "West Street"),
        (-1.1360, 50.8505, "White Hart Lane"),
        (-1.1290, 50.8530, "Cornaway Lane"),
        (-1.1380, 50.8460, "Parking Area"),
        (-1.1340, 50.8560, "Portchester Road"),
    ]
    .into_iter()
    .enumerate()
    {
        let letter = if j < 3 { 'A' } else { 'B' };
        out.push(MapPoint {
            lon: round6(lon),
            lat: round6(lat),
            location: format!("On or near {street}"),
            lsoa_code: format!("E0102{:04}", 2750 + j / 3),
            lsoa_name: format!("Fareham 012{letter}"),
            ward: None,
        });
    }
    out
}

/// The index of the map point nearest to a position (brute force; the list is short).
pub fn nearest_point(points: &[MapPoint], lon: f64, lat: f64) -> usize {
    let mut best = (f64::INFINITY, 0);
    for (i, p) in points.iter().enumerate() {
        let d = distance_m((p.lon, p.lat), (lon, lat));
        if d < best.0 {
            best = (d, i);
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Area;

    #[test]
    fn ward_rings_use_known_vertices() {
        for w in &WARDS {
            for ring in w.parts {
                for n in *ring {
                    assert!(vertex(n).is_some(), "{} names unknown vertex {n}", w.name);
                }
            }
        }
        let total: u32 = WARDS.iter().map(|w| w.population).sum();
        assert_eq!(total, 208_000);
    }

    #[test]
    fn every_shared_edge_is_listed_by_exactly_two_rings() {
        // Count undirected edges; an inland edge appears twice, a coast edge once.
        let mut edges: Vec<(&str, &str)> = Vec::new();
        for w in &WARDS {
            for ring in w.parts {
                for i in 0..ring.len() {
                    let (a, b) = (ring[i], ring[(i + 1) % ring.len()]);
                    edges.push(if a < b { (a, b) } else { (b, a) });
                }
            }
        }
        // Corners inside the land, where three wards meet: every edge touching one is shared.
        const INLAND: [&str; 17] = [
            "S1", "S2", "S3", "J5", "J3", "J2", "E1", "E2", "EM2", "F1", "P3", "MB2", "FB", "BCW",
            "NC1", "FN", "NH1",
        ];
        let mut shared = 0;
        for e in &edges {
            let n = edges.iter().filter(|f| *f == e).count();
            assert!(n <= 2, "{e:?} used {n} times");
            if INLAND.contains(&e.0) || INLAND.contains(&e.1) {
                assert_eq!(n, 2, "inland edge {e:?} belongs to one ward only");
            }
            shared += usize::from(n == 2);
        }
        // 29 shared edges (the ward map's inland boundary), each seen from both sides.
        assert_eq!(shared, 2 * 29);
    }

    #[test]
    fn wards_have_positive_area_and_addresses() {
        let wards = wards();
        for w in &wards {
            assert!(w.boundary.unsigned_area() > 1e-6, "{}", w.name);
        }
        let addr = addresses(&wards);
        for (i, w) in wards.iter().enumerate() {
            let n = addr.iter().filter(|a| a.ward == i).count();
            assert!(n > 100, "{} has {n} addresses", w.name);
        }
        let pts = map_points(&wards);
        assert!((350..=480).contains(&pts.len()), "{} map points", pts.len());
    }
}
