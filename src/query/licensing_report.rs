//! The printable cumulative impact report of [`ZonesResult`]: the evidence types of the
//! section 182 guidance for a section 5A assessment (methods.md §7.2), an SVG map of the zones,
//! hot cells and venues, the comparison between candidate zones, premises by type, and the
//! data's coverage and caveats.

use std::fmt::Write as _;

use geo::{BoundingRect, MultiPolygon};

use super::licensing_review::venue_positions_m;
use super::licensing_zones::ZonesResult;
use crate::index::Snapshot;

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

impl ZonesResult {
    /// An SVG map of the zones (outlined, labelled by id), the Gi* hot cells (filled) and the
    /// venues (dots), in British National Grid metres, north up; empty without zones.
    pub fn svg_map(&self, snap: &Snapshot) -> String {
        let mut lo = [f64::INFINITY; 2];
        let mut hi = [f64::NEG_INFINITY; 2];
        for z in &self.zones {
            if let Some(r) = z.polygon_m.bounding_rect() {
                lo = [lo[0].min(r.min().x), lo[1].min(r.min().y)];
                hi = [hi[0].max(r.max().x), hi[1].max(r.max().y)];
            }
        }
        if !(lo[0].is_finite() && hi[0].is_finite()) {
            return String::new();
        }
        let pad = 100.0;
        let (w, h) = (hi[0] - lo[0] + 2.0 * pad, hi[1] - lo[1] + 2.0 * pad);
        let (x0, y1) = (lo[0] - pad, hi[1] + pad);
        let path = |mp: &MultiPolygon<f64>| -> String {
            let mut d = String::new();
            for p in &mp.0 {
                for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                    for (k, c) in ring.coords().enumerate() {
                        let _ = write!(
                            d,
                            "{}{:.1},{:.1} ",
                            if k == 0 { "M" } else { "L" },
                            c.x - x0,
                            y1 - c.y
                        );
                    }
                    d.push_str("Z ");
                }
            }
            d
        };
        let mut svg = format!(
            "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w:.0} {h:.0}\" width=\"100%\" style=\"max-height:28em;border:1px solid #999\" role=\"img\" aria-label=\"Map of the zones, hot spots and venues\">\n"
        );
        if let Some(hot) = &self.hot_area_m {
            let _ = writeln!(
                svg,
                "<path d=\"{}\" fill=\"#d6604d\" fill-opacity=\"0.55\" stroke=\"none\"/>",
                path(hot)
            );
        }
        for z in &self.zones {
            let _ = writeln!(
                svg,
                "<path d=\"{}\" fill=\"none\" stroke=\"#6a3d9a\" stroke-width=\"{:.1}\"/>",
                path(&z.polygon_m),
                w / 300.0
            );
        }
        for (v, xy) in venue_positions_m(snap).iter().enumerate() {
            if let Some([x, y]) = xy
                && (lo[0] - pad..=hi[0] + pad).contains(x)
                && (lo[1] - pad..=hi[1] + pad).contains(y)
            {
                let _ = writeln!(
                    svg,
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{:.1}\" fill=\"#222\"><title>{}</title></circle>",
                    x - x0,
                    y1 - y,
                    w / 250.0,
                    html_escape(&snap.venues[v].name)
                );
            }
        }
        for z in &self.zones {
            if let Some(r) = z.polygon_m.bounding_rect() {
                let _ = writeln!(
                    svg,
                    "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"{:.0}\" font-family=\"sans-serif\" fill=\"#3f007d\">{}</text>",
                    r.min().x - x0,
                    y1 - r.max().y - w / 150.0,
                    w / 45.0,
                    z.id()
                );
            }
        }
        svg.push_str("</svg><figcaption>Zones (purple outlines), Gi* hot cells at 95 % or more (red) and licensed venues (dots); British National Grid, north up.</figcaption></figure>\n");
        svg
    }

    /// A printable HTML report with the evidence a cumulative impact assessment cites.
    pub fn html(&self, snap: &Snapshot) -> String {
        let e = html_escape;
        let mut h = String::new();
        let window = self.request.selection.window.describe();
        let window = window.trim_end_matches('.');
        let pct = |x: f64| format!("{:.1} %", 100.0 * x);
        let opt_pct = |x: Option<f64>| x.map_or("n/a".to_owned(), pct);
        h.push_str("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Cumulative impact zones</title>\n<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #999;padding:.25em .5em;text-align:right}th:first-child,td:first-child{text-align:left;white-space:nowrap}caption{text-align:left;font-weight:bold}@media print{a{color:inherit}}</style>\n</head><body>\n");
        let _ = writeln!(h, "<h1>Cumulative impact zones</h1>");
        let _ = writeln!(
            h,
            "<p>Candidate areas for a cumulative impact assessment under section 5A of the Licensing Act 2003: clusters of licensed premises (DBSCAN, {} m between neighbouring premises, at least {} premises in a core neighbourhood), each drawn as the area within {} m of its premises. Window: {}.</p>",
            self.request.eps_m,
            self.request.min_venues,
            self.request.eps_m,
            e(window)
        );
        h.push_str("<h2>Evidence, as the section 182 guidance lists it</h2>\n<ul>\n<li>Local crime and disorder statistics, including crime hot spots: incidents in each zone, per premises and per km², share of the city's, and overlap with Getis-Ord Gi* hot spots (below).</li>\n<li>Anti-social behaviour statistics: include them with <code>category=asb</code>, or read them in the counts by category.</li>\n<li>Counts of premises by type in each zone (below).</li>\n<li>Incidents in high-alcohol hours: Friday and Saturday nights 21:00&ndash;06:00.</li>\n<li>Comparison between candidate zones: the ranking table.</li>\n<li>Not in this report, and for the authority to add: alcohol-related A&amp;E attendances and admissions, environmental-health complaints (noise, litter), council-recorded complaints, residents' questionnaires, councillors' evidence.</li>\n</ul>\n");
        h.push_str(&self.svg_map(snap));
        h.push_str("<h2>Comparison between candidate zones</h2>\n<table><caption>Ranked by incidents inside</caption>\n<tr><th>Zone</th><th>Premises</th><th>Incidents</th><th>Per premises</th><th>Area km²</th><th>Per km²</th><th>Share of city</th><th>High-alcohol hours</th><th>Alcohol-flagged</th><th>In hot spots (incidents)</th><th>In hot spots (area)</th></tr>\n");
        for z in &self.zones {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{:.1}</td><td>{:.1}</td><td>{:.3}</td><td>{:.0}</td><td>{}</td><td>{:.1}</td><td>{:.1}</td><td>{}</td><td>{}</td></tr>",
                z.id(),
                z.venues.len(),
                z.incidents,
                z.per_venue(),
                z.area_km2,
                z.per_km2(),
                pct(if self.total > 0.0 {
                    z.incidents / self.total
                } else {
                    0.0
                }),
                z.high_alcohol_hours,
                z.alcohol_flagged,
                opt_pct(z.hot_overlap),
                opt_pct(z.hot_area_share),
            );
        }
        let _ = writeln!(
            h,
            "</table>\n<p>City: {:.1} incidents in the window over {:.2} km² of wards; {:.1} ({}) inside any zone; {} hot cells (Gi* 95 % or more, H3 resolution 9).</p>",
            self.total,
            self.city_area_km2,
            self.in_zones,
            pct(if self.total > 0.0 {
                self.in_zones / self.total
            } else {
                0.0
            }),
            self.hot_cells
        );
        h.push_str("<h2>Premises by type</h2>\n");
        for z in &self.zones {
            let _ = writeln!(
                h,
                "<table><caption>{}</caption><tr><th>Type</th><th>Premises</th></tr>",
                z.id()
            );
            for (k, n) in self.kinds(snap, z) {
                let _ = writeln!(h, "<tr><td>{}</td><td>{n}</td></tr>", e(k));
            }
            let names: Vec<String> = z
                .venues
                .iter()
                .map(|&v| format!("{} ({})", e(&snap.venues[v].name), e(&snap.venues[v].id)))
                .collect();
            let _ = writeln!(h, "</table><p>{}</p>", names.join(", "));
        }
        let c = &self.coverage;
        h.push_str("<h2>Data coverage and caveats</h2>\n<ul>\n");
        let _ = writeln!(
            h,
            "<li>Incidents stored: {} with a time of day, {} with a month only (police.uk), over {} months{}.</li>",
            c.timed,
            c.month_only,
            c.months_present,
            c.months
                .map(|(a, b)| format!(" from {a} to {b}"))
                .unwrap_or_default()
        );
        let _ = writeln!(
            h,
            "<li>Month-only rows are left out of windows with days or hours: {} were left out here.</li>",
            self.left_out_month_only
        );
        h.push_str("<li>police.uk positions are snapped to anonymous map points (a street centre or a nearby landmark such as \"On or near Nightclub\"), so counts within a zone of police.uk rows are indicative only; police.uk has no premises register.</li>\n<li>Incidents near premises are not caused by them: these figures show where incidents concentrate, which the authority weighs with its other evidence.</li>\n");
        for w in &self.warnings {
            let _ = writeln!(h, "<li>{}</li>", e(w));
        }
        h.push_str("</ul>\n</body></html>\n");
        h
    }
}
