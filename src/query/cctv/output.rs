//! The CCTV result as GeoJSON Points, JSON and CSV, with `parameters`, `summary` and the
//! `rotation` table.

use serde_json::{Map, Value, json};

use super::{CctvResult, PlacedSite, share};
use crate::domain::Group;
use crate::index::Snapshot;
use crate::query::round6;

impl CctvResult {
    /// The `parameters` object.
    pub fn parameters(&self, snap: &Snapshot) -> Value {
        let r = &self.request;
        let mut p = r.selection.parameters(snap);
        p["cameras"] = json!(r.cameras);
        p["radius_m"] = json!(r.radius_m);
        p["existing"] = json!(r.existing);
        p["candidates"] = match &r.sites {
            Some(s) => json!(format!("{} permitted sites", s.len())),
            None => json!("H3 cell centres holding incidents and their neighbours"),
        };
        p["resolution"] = json!(u8::from(r.resolution));
        let weights: Map<String, Value> = Group::ALL
            .iter()
            .map(|g| (g.slug().to_owned(), json!(r.group_weight(*g))))
            .collect();
        p["weights"] = Value::Object(weights);
        p["half_life_months"] = json!(r.half_life_months);
        p["reference_month"] = json!(self.reference_month.map(|m| m.to_string()));
        p["method"] = json!(if r.exact {
            "exact (exhaustive search)"
        } else {
            "lazy greedy (≥ 1 − 1/e of the optimum)"
        });
        p["exact"] = json!(r.exact);
        p["rotate"] = json!(r.rotate_months.is_some());
        p["months"] = json!(r.rotate_months);
        p
    }

    /// The `summary` object.
    pub fn summary(&self) -> Value {
        let pl = &self.placement;
        let mut s = json!({
            "covered": pl.covered,
            "total": pl.total,
            "score": pl.score,
            "share": share(pl.covered, pl.total),
            "total_score": pl.total_weight,
            "score_share": if pl.total_weight > 0.0 { pl.score / pl.total_weight } else { 0.0 },
            "cameras_placed": pl.sites.len(),
            "candidates": pl.candidates,
            "window_incidents": self.window_incidents,
            "left_out_month_only": self.left_out_month_only,
        });
        if let Some(g) = pl.greedy_score {
            s["greedy_score"] = json!(g);
        }
        if let Some(f) = &pl.fixed {
            s["fixed_cameras"] = json!(f.cameras);
            s["fixed_covered"] = json!(f.covered);
            s["combined_covered"] = json!(f.combined_covered);
            s["combined_share"] = json!(share(f.combined_covered, pl.total));
        }
        s
    }

    /// The `rotation` object (null without rotation).
    pub fn rotation_json(&self) -> Value {
        let Some(rot) = &self.rotation else {
            return Value::Null;
        };
        let rows: Vec<Value> = rot
            .rows
            .iter()
            .map(|r| {
                json!({
                    "month": r.month.to_string(),
                    "placed_from": r.placed_from.to_string(),
                    "placed_to": r.placed_to.to_string(),
                    "incidents": r.incidents,
                    "ours_covered": r.ours_covered,
                    "ours_share": share(r.ours_covered, r.incidents),
                    "naive_covered": r.naive_covered,
                    "naive_share": share(r.naive_covered, r.incidents),
                })
            })
            .collect();
        let (mo, mn) = rot.mean_shares().unzip();
        let (co, cn) = rot.mean_covered().unzip();
        json!({
            "months": rot.months,
            "naive_rule": "the cells with the most incidents, cameras at their centres",
            "next_month": rot.next_month.map(|m| m.to_string()),
            "rows": rows,
            "mean_ours_share": mo,
            "mean_naive_share": mn,
            "mean_ours_covered": co,
            "mean_naive_covered": cn,
        })
    }

    fn properties(&self, s: &PlacedSite) -> Value {
        json!({
            "rank": s.rank,
            "id": s.id,
            "cell": s.cell.map(|c| c.to_string()),
            "gain": s.gain,
            "covered": s.covered,
            "new_covered": s.new_covered,
            "radius_m": self.request.radius_m,
        })
    }

    /// GeoJSON FeatureCollection of Points.
    pub fn geojson(&self, snap: &Snapshot) -> Value {
        let features: Vec<Value> = self
            .placement
            .sites
            .iter()
            .map(|s| {
                json!({
                    "type": "Feature",
                    "id": s.rank,
                    "geometry": {"type": "Point", "coordinates": [round6(s.location.lon()), round6(s.location.lat())]},
                    "properties": self.properties(s),
                })
            })
            .collect();
        let mut out = json!({
            "type": "FeatureCollection",
            "parameters": self.parameters(snap),
            "summary": self.summary(),
            "features": features,
        });
        if self.rotation.is_some() {
            out["rotation"] = self.rotation_json();
        }
        out
    }

    /// JSON: the sites with `lat`/`lon` instead of geometry.
    pub fn json(&self, snap: &Snapshot) -> Value {
        let sites: Vec<Value> = self
            .placement
            .sites
            .iter()
            .map(|s| {
                let mut p = self.properties(s);
                p["lat"] = json!(round6(s.location.lat()));
                p["lon"] = json!(round6(s.location.lon()));
                p
            })
            .collect();
        let mut out =
            json!({"parameters": self.parameters(snap), "summary": self.summary(), "sites": sites});
        if self.rotation.is_some() {
            out["rotation"] = self.rotation_json();
        }
        out
    }

    /// CSV: the sites; with rotation, the backtest table (one row per test month).
    pub fn csv(&self) -> String {
        let mut out = String::new();
        if let Some(rot) = &self.rotation {
            out.push_str("month,placed_from,placed_to,incidents,ours_covered,ours_share,naive_covered,naive_share\n");
            for r in &rot.rows {
                out.push_str(&format!(
                    "{},{},{},{},{},{:.6},{},{:.6}\n",
                    r.month,
                    r.placed_from,
                    r.placed_to,
                    r.incidents,
                    r.ours_covered,
                    share(r.ours_covered, r.incidents),
                    r.naive_covered,
                    share(r.naive_covered, r.incidents)
                ));
            }
            return out;
        }
        out.push_str("rank,id,cell,lat,lon,gain,covered,new_covered\n");
        for s in &self.placement.sites {
            let id = if s.id.contains([',', '"', '\n']) {
                format!("\"{}\"", s.id.replace('"', "\"\""))
            } else {
                s.id.clone()
            };
            out.push_str(&format!(
                "{},{id},{},{:.6},{:.6},{},{},{}\n",
                s.rank,
                s.cell.map(|c| c.to_string()).unwrap_or_default(),
                s.location.lat(),
                s.location.lon(),
                s.gain,
                s.covered,
                s.new_covered
            ));
        }
        out
    }
}
