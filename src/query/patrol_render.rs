//! The printable patrol plan (self-contained HTML with an inline SVG map) and the GPX file.
//!
//! HTML steps:
//! 1. Project the chosen wards' outlines, the start and the stops with a local
//!    equirectangular projection (x = longitude × cos(mid latitude), y = −latitude), scaled
//!    into an 800 px wide SVG; at ward scale (a few km) the distortion is well below a line's
//!    width.
//! 2. Draw the outlines, the route as one polyline from the start through every stop, a
//!    square for the start and a numbered circle per place (a place visited twice shows both
//!    numbers, e.g. `1·6`).
//! 3. Then the stops table (order, arrival, departure, street, walk, why), what was left out,
//!    the parameters and the data coverage. No scripts, fonts, images or links to fetch.
//!
//! GPX: GPX 1.1 written by the `gpx` crate: a waypoint per stop (name `N street`, comment the
//! clock times, description the reason) and one `rte` through the start and the stops.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use super::patrol::{PatrolError, PatrolResult};
use crate::index::Snapshot;

/// SVG width, px.
const SVG_W: f64 = 800.0;

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Maps lon/lat to SVG pixels over a bounding box.
struct Frame {
    lon0: f64,
    lat1: f64,
    kx: f64,
    scale: f64,
    height: f64,
}

impl Frame {
    fn new(points: &[[f64; 2]]) -> Frame {
        let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
        for p in points {
            for d in 0..2 {
                lo[d] = lo[d].min(p[d]);
                hi[d] = hi[d].max(p[d]);
            }
        }
        if !lo[0].is_finite() {
            (lo, hi) = ([0.0, 0.0], [0.001, 0.001]);
        }
        let kx = ((lo[1] + hi[1]) / 2.0).to_radians().cos();
        let pad = 0.0005;
        let (lon0, lat1) = (lo[0] - pad / kx, hi[1] + pad);
        let w = ((hi[0] - lo[0]) * kx + 2.0 * pad).max(1e-6);
        let h = (hi[1] - lo[1] + 2.0 * pad).max(1e-6);
        let scale = SVG_W / w;
        Frame {
            lon0,
            lat1,
            kx,
            scale,
            height: (h * scale).ceil(),
        }
    }

    fn xy(&self, p: [f64; 2]) -> (f64, f64) {
        (
            ((p[0] - self.lon0) * self.kx * self.scale * 10.0).round() / 10.0,
            ((self.lat1 - p[1]) * self.scale * 10.0).round() / 10.0,
        )
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

impl PatrolResult {
    /// The inline SVG map (see the module doc).
    pub fn svg(&self, snap: &Snapshot) -> String {
        let outlines: Vec<Vec<[f64; 2]>> = self
            .request
            .selection
            .wards
            .iter()
            .flat_map(|&w| {
                snap.wards[w].boundary.0.iter().flat_map(|poly| {
                    std::iter::once(poly.exterior())
                        .chain(poly.interiors())
                        .map(|ring| ring.0.iter().map(|c| [c.x, c.y]).collect::<Vec<_>>())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let route = self.route_lonlat();
        let all: Vec<[f64; 2]> = outlines
            .iter()
            .flatten()
            .copied()
            .chain(route.iter().copied())
            .collect();
        let f = Frame::new(&all);
        let mut s = format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="Patrol route map"><rect width="{w}" height="{h}" fill="#f7f7f2"/>"##,
            w = SVG_W,
            h = f.height
        );
        for ring in &outlines {
            let d: Vec<String> = ring
                .iter()
                .map(|&p| {
                    let (x, y) = f.xy(p);
                    format!("{x},{y}")
                })
                .collect();
            let _ = write!(
                s,
                r##"<polygon class="ward" points="{}" fill="#e8efe0" stroke="#556b2f" stroke-width="2"/>"##,
                d.join(" ")
            );
        }
        let line: Vec<String> = route
            .iter()
            .map(|&p| {
                let (x, y) = f.xy(p);
                format!("{x},{y}")
            })
            .collect();
        let _ = write!(
            s,
            r##"<polyline class="route" points="{}" fill="none" stroke="#b22222" stroke-width="3" stroke-dasharray="8 4"/>"##,
            line.join(" ")
        );
        let (sx, sy) = f.xy(self.start_lonlat);
        let _ = write!(
            s,
            r##"<rect class="start" x="{}" y="{}" width="14" height="14" fill="#222"/><text x="{}" y="{}" font-size="11" fill="#fff" text-anchor="middle">S</text>"##,
            sx - 7.0,
            sy - 7.0,
            sx,
            sy + 4.0
        );
        let mut labels: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for st in &self.stops {
            labels.entry(st.place).or_default().push(st.order);
        }
        for (place, orders) in &labels {
            let (x, y) = f.xy(self.places[*place].lonlat);
            let label: Vec<String> = orders.iter().map(ToString::to_string).collect();
            let chars = label.join("·").chars().count() as f64;
            let r = (4.0 + 3.5 * chars).max(11.0);
            let _ = write!(
                s,
                r##"<g class="stop"><circle cx="{x}" cy="{y}" r="{r}" fill="#1f4e79" stroke="#fff" stroke-width="2"/><text x="{x}" y="{}" font-size="11" font-family="sans-serif" fill="#fff" text-anchor="middle">{}</text></g>"##,
                y + 4.0,
                esc(&label.join("·"))
            );
        }
        s.push_str("</svg>");
        s
    }

    /// The printable plan: a self-contained HTML page (see the module doc).
    pub fn html(&self, snap: &Snapshot) -> String {
        let params = self.parameters(snap);
        let summary = self.summary();
        let wards: Vec<String> = self
            .request
            .selection
            .wards
            .iter()
            .map(|&w| snap.wards[w].name.clone())
            .collect();
        let title = format!(
            "Patrol plan: {} — {}",
            wards.join(", "),
            self.request.shift_text()
        );
        let mut h = String::new();
        let _ = write!(
            h,
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\
<style>body{{font-family:sans-serif;margin:1.5em;color:#222}}table{{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}}\
th,td{{border:1px solid #999;padding:.25em .4em;text-align:left;vertical-align:top;font-size:.9em}}th{{background:#eee}}\
.num{{text-align:right}}svg{{max-width:800px;border:1px solid #999}}@media print{{body{{margin:0}}}}</style></head><body>\n",
            esc(&title)
        );
        let _ = writeln!(h, "<h1>{}</h1>", esc(&title));
        let walk_m: f64 = self.stops.iter().map(|st| st.walk_m).sum();
        let walk_min: f64 = self.stops.iter().map(|st| st.walk_min).sum();
        let wait_min: f64 = self.stops.iter().map(|st| st.wait_min).sum();
        let _ = writeln!(
            h,
            "<p id=\"overview\">{} stops from {} to {} ({} min shift): {:.0} m walking ({:.0} min at {} km/h), {} min at stops, {:.0} min free patrol. Start: {} ({:.5}, {:.5}).</p>",
            self.stops.len(),
            esc(&text_of(&params["shift_start"])),
            esc(&text_of(&summary["end"])),
            self.request.shift_min(),
            walk_m,
            walk_min,
            self.request.walk_kmh,
            self.stops.len() as u32 * self.request.dwell_min,
            wait_min,
            esc(text_of(&params["start"]["chosen"]).as_str()),
            self.start_lonlat[1],
            self.start_lonlat[0],
        );
        h.push_str(&self.svg(snap));
        h.push_str("\n<h2>Stops</h2>\n<table id=\"stops\"><thead><tr><th>#</th><th>Arrive</th><th>Depart</th><th>Where</th><th>Walk</th><th>Why</th></tr></thead><tbody>\n");
        for st in &self.stops {
            let p = &self.places[st.place];
            let _ = writeln!(
                h,
                "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}<br><small>{}{}</small></td><td class=\"num\">{} m, {:.0} min{}</td><td>{}</td></tr>",
                st.order,
                self.clock_at(st.arrive_min),
                self.clock_at(st.depart_min),
                esc(&p.street),
                p.cell,
                if st.visit > 1 {
                    format!(" · visit {}", st.visit)
                } else {
                    String::new()
                },
                st.walk_m.round(),
                st.walk_min,
                if st.wait_min >= 0.5 {
                    format!("; then {:.0} min free patrol", st.wait_min)
                } else {
                    String::new()
                },
                esc(&self.why(p)),
            );
        }
        h.push_str("</tbody></table>\n");
        if self.left_out.is_empty() {
            h.push_str("<h2>Left out</h2>\n<p id=\"left-out\">Nothing: every wanted visit fits the shift.</p>\n");
        } else {
            h.push_str("<h2>Left out</h2>\n<table id=\"left-out\"><thead><tr><th>Rank</th><th>Where</th><th>Visit</th><th>Incidents</th><th>Reason</th></tr></thead><tbody>\n");
            for l in &self.left_out {
                let p = &self.places[l.place];
                let _ = writeln!(
                    h,
                    "<tr><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{:.1}</td><td>{}</td></tr>",
                    p.rank,
                    esc(&p.street),
                    l.visit,
                    p.count,
                    esc(l.reason)
                );
            }
            h.push_str("</tbody></table>\n");
        }
        h.push_str("<h2>Parameters and data</h2>\n<table id=\"parameters\"><tbody>\n");
        let rows = [
            ("Wards", wards.join(", ")),
            ("Shift", self.request.shift_text()),
            ("History window", text_of(&params["window_text"])),
            ("Categories", {
                let c = text_of(&params["categories"]);
                if c == "[]" { "all".to_owned() } else { c }
            }),
            (
                "Places",
                format!("H3 resolution {} cells", u8::from(self.request.resolution)),
            ),
            (
                "Dwell per stop",
                format!("{} min (Koper 1995: 10–15 min)", self.request.dwell_min),
            ),
            (
                "Walking",
                format!(
                    "{} km/h, straight line × {} for streets",
                    self.request.walk_kmh,
                    text_of(&params["detour_factor"])
                ),
            ),
            (
                "Rounds",
                format!(
                    "{} (the riskiest places again about every {} min; ≥ {} min between visits)",
                    self.rounds,
                    self.request.shift_min() / i64::from(self.rounds.max(1)),
                    text_of(&params["min_revisit_min"])
                ),
            ),
            ("Ranking", text_of(&params["ranking"])),
            (
                "Incidents in the wards and window",
                text_of(&summary["incidents"]),
            ),
            (
                "Data months",
                format!(
                    "{} to {}",
                    text_of(&summary["first_month"]),
                    text_of(&summary["last_month"])
                ),
            ),
            (
                "Month-only rows left out (no time of day)",
                text_of(&summary["left_out_month_only"]),
            ),
        ];
        for (k, v) in rows {
            let _ = writeln!(h, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(&v));
        }
        h.push_str("</tbody></table>\n<p><small>Made by hotspot patrol. Times are clock times from the shift start; walking times assume the detour factor above, not a street network.</small></p>\n</body></html>\n");
        h
    }

    /// The plan as GPX 1.1 (waypoints and one route).
    ///
    /// # Errors
    /// [`PatrolError::Gpx`] if the writer fails (it writes to memory, so only on a bug).
    pub fn gpx(&self, snap: &Snapshot) -> Result<String, PatrolError> {
        let wards: Vec<String> = self
            .request
            .selection
            .wards
            .iter()
            .map(|&w| snap.wards[w].name.clone())
            .collect();
        let name = format!("Patrol {} {}", wards.join(", "), self.request.shift_text());
        let waypoints: Vec<gpx::Waypoint> = self
            .stops
            .iter()
            .map(|st| {
                let p = &self.places[st.place];
                let mut w = gpx::Waypoint::new(geo::Point::new(
                    super::round6(p.lonlat[0]),
                    super::round6(p.lonlat[1]),
                ));
                w.name = Some(format!("{} {}", st.order, p.street));
                w.comment = Some(format!(
                    "arrive {} depart {}",
                    self.clock_at(st.arrive_min),
                    self.clock_at(st.depart_min)
                ));
                w.description = Some(self.why(p));
                w.type_ = Some("patrol stop".to_owned());
                w
            })
            .collect();
        let mut start = gpx::Waypoint::new(geo::Point::new(
            super::round6(self.start_lonlat[0]),
            super::round6(self.start_lonlat[1]),
        ));
        start.name = Some("Start".to_owned());
        let mut route = gpx::Route::new();
        route.name = Some(name.clone());
        route.points = std::iter::once(start)
            .chain(waypoints.iter().cloned())
            .collect();
        let doc = gpx::Gpx {
            version: gpx::GpxVersion::Gpx11,
            creator: Some("hotspot patrol".to_owned()),
            metadata: Some(gpx::Metadata {
                name: Some(name),
                description: Some(format!(
                    "{} stops, {} min each, walking {} km/h; history {}",
                    self.stops.len(),
                    self.request.dwell_min,
                    self.request.walk_kmh,
                    self.request.selection.window.describe()
                )),
                ..gpx::Metadata::default()
            }),
            waypoints,
            routes: vec![route],
            ..gpx::Gpx::default()
        };
        let mut out = Vec::new();
        gpx::write(&doc, &mut out).map_err(|e| PatrolError::Gpx(e.to_string()))?;
        String::from_utf8(out).map_err(|e| PatrolError::Gpx(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(
            esc("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
    }

    #[test]
    fn frame_keeps_aspect() {
        // 0.01° of latitude at 60° N: a box 0.02° wide is as wide as it is tall.
        let f = Frame::new(&[[0.0, 59.995], [0.02, 60.005]]);
        let (x0, y0) = f.xy([0.0, 60.005]);
        let (x1, y1) = f.xy([0.02, 59.995]);
        assert!(((x1 - x0) - (y1 - y0)).abs() < 1.0, "{x0},{y0} {x1},{y1}");
    }
}
