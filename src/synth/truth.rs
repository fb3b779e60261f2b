//! `ground-truth.json`: for each planted pattern its place, cells, rhythm, rows and the windows
//! in which its centre cell must, or must not, be a 99 % Gi* hot spot.

use std::collections::BTreeMap;

use h3o::{LatLng, Resolution};
use serde::Serialize;
use serde_json::json;

use super::geography::{SynthWard, ward_of};
use super::log::{CATEGORIES, LogRow};
use super::patterns::{Plan, Window};
use super::{FIXTURE_SEED, SynthError};

/// The H3 resolution-9 cell of a position, as its index string.
fn cell9(lon: f64, lat: f64) -> Result<String, SynthError> {
    let bad = |reason: String| SynthError::Position { lon, lat, reason };
    let ll = LatLng::new(lat, lon).map_err(|e| bad(e.to_string()))?;
    Ok(ll.to_cell(Resolution::Nine).to_string())
}

/// The whole of `ground-truth.json`.
#[derive(Debug, Serialize)]
struct Truth {
    made_by: &'static str,
    seed: u64,
    log: &'static str,
    hot_means: &'static str,
    patterns: Vec<TruthEntry>,
}

/// One truth entry of `ground-truth.json`.
#[derive(Debug, Serialize)]
struct TruthEntry {
    id: String,
    description: String,
    ward_code: &'static str,
    ward_name: &'static str,
    centre: BTreeMap<&'static str, f64>,
    radius_m: f64,
    h3_res9_cell: String,
    h3_res9_cells: Vec<CellCount>,
    days: &'static str,
    hours: Option<&'static str>,
    categories: Vec<&'static str>,
    date_from: String,
    date_to: String,
    rows: usize,
    must_be_hot: Vec<Window>,
    must_not_be_hot: Vec<Window>,
    #[serde(skip_serializing_if = "serde_json::Value::is_null")]
    detail: serde_json::Value,
}

#[derive(Debug, Serialize)]
struct CellCount {
    cell: String,
    rows: usize,
}

/// One truth entry per repeat location of pattern (g), from its rows.
fn repeat_entries(
    plan: &Plan,
    mine: &[&(String, LogRow)],
    wards: &[SynthWard],
) -> Result<Vec<TruthEntry>, SynthError> {
    let mut groups: BTreeMap<u32, Vec<&(String, LogRow)>> = BTreeMap::new();
    for row in mine {
        groups.entry(row.1.group).or_default().push(row);
    }
    let mut out = Vec::new();
    for (g, rows) in groups {
        let r0 = &rows[0].1;
        let last = &rows[rows.len() - 1].1;
        let ward = ward_of(wards, r0.lon, r0.lat).map(|i| &wards[i]);
        let mut centre = BTreeMap::new();
        centre.insert("lat", r0.lat);
        centre.insert("lon", r0.lon);
        out.push(TruthEntry {
            id: format!("g{g}-repeat-location"),
            description: format!(
                "Repeat location and repeat caller: {} reports at one address on {} from one caller within {} days",
                rows.len(),
                r0.street,
                (last.when.start().date() - r0.when.start().date()).num_days()
            ),
            ward_code: ward.map_or("", |w| w.code),
            ward_name: ward.map_or("", |w| w.name),
            centre,
            radius_m: 1.0,
            h3_res9_cell: cell9(r0.lon, r0.lat)?,
            h3_res9_cells: cell_counts(&rows)?,
            days: plan.days,
            hours: plan.hours,
            categories: {
                let mut c: Vec<&'static str> = rows.iter().map(|r| CATEGORIES[r.1.cat].code).collect();
                c.sort_unstable();
                c.dedup();
                c
            },
            date_from: r0.when.start().format("%Y-%m-%d").to_string(),
            date_to: last.when.start().format("%Y-%m-%d").to_string(),
            rows: rows.len(),
            must_be_hot: vec![],
            must_not_be_hot: vec![],
            detail: json!({
                "street": r0.street,
                "caller_ref": r0.caller.map(|c| format!("C{c:06}")),
                "refs": rows.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(),
                "min_reports": 3,
                "within_days": 180,
            }),
        });
    }
    Ok(out)
}

fn cell_counts(rows: &[&(String, LogRow)]) -> Result<Vec<CellCount>, SynthError> {
    let mut m: BTreeMap<String, usize> = BTreeMap::new();
    for (_, r) in rows {
        *m.entry(cell9(r.lon, r.lat)?).or_default() += 1;
    }
    let mut v: Vec<CellCount> = m
        .into_iter()
        .map(|(cell, rows)| CellCount { cell, rows })
        .collect();
    v.sort_by(|a, b| b.rows.cmp(&a.rows).then(a.cell.cmp(&b.cell)));
    Ok(v)
}
/// The ground-truth file's text for the planted `plans` and the numbered log `rows`.
pub(super) fn ground_truth(
    plans: &[Plan],
    rows: &[(String, LogRow)],
    wards: &[SynthWard],
) -> Result<String, SynthError> {
    let mut entries = Vec::new();
    for plan in plans {
        let mine: Vec<&(String, LogRow)> = rows
            .iter()
            .filter(|(_, r)| r.pattern == Some(plan.id))
            .collect();
        if plan.id == "g-repeat-locations" {
            entries.extend(repeat_entries(plan, &mine, wards)?);
            continue;
        }
        let detail = match plan.id {
            "d-paulsgrove-park-emerging" => {
                let mut by_month: BTreeMap<String, usize> = BTreeMap::new();
                for (_, r) in &mine {
                    *by_month
                        .entry(r.when.start().format("%Y-%m").to_string())
                        .or_default() += 1;
                }
                json!({"monthly_rows": by_month})
            }
            "f-near-repeat-burglary" => {
                let mut chains: BTreeMap<u32, Vec<&str>> = BTreeMap::new();
                for (id, r) in &mine {
                    chains.entry(r.group).or_default().push(id);
                }
                json!({
                    "space_m": 200, "time_days": 7,
                    "chains": chains.values().collect::<Vec<_>>(),
                })
            }
            _ => serde_json::Value::Null,
        };
        let (lon, lat) = plan.centre;
        let ward = ward_of(wards, lon, lat).map(|i| &wards[i]);
        let mut centre = BTreeMap::new();
        centre.insert("lat", lat);
        centre.insert("lon", lon);
        entries.push(TruthEntry {
            id: plan.id.to_owned(),
            description: plan.description.to_owned(),
            ward_code: ward.map_or("", |w| w.code),
            ward_name: ward.map_or("", |w| w.name),
            centre,
            radius_m: plan.radius_m,
            h3_res9_cell: cell9(lon, lat)?,
            h3_res9_cells: cell_counts(&mine)?,
            days: plan.days,
            hours: plan.hours,
            categories: plan.categories.clone(),
            date_from: plan.date_from.format("%Y-%m-%d").to_string(),
            date_to: plan.date_to.format("%Y-%m-%d").to_string(),
            rows: mine.len(),
            must_be_hot: plan.must_be_hot.clone(),
            must_not_be_hot: plan.must_not_be_hot.clone(),
            detail,
        });
    }
    let truth = Truth {
        made_by: "cargo run --bin make-fixtures",
        seed: FIXTURE_SEED,
        log: "incidents-log.csv",
        hot_means: "Getis-Ord Gi* bin +3 (z > 2.58; analytic, binary weights, self included) for the centre cell at H3 resolution 9, k = 1, over all categories in the stated window, with or without Benjamini-Hochberg FDR at 0.01 (hot claims hold for the pattern's own categories too); 'not hot' means z < 1.65. Checked by tests/fixtures.rs over two study areas: the cells with data, and those plus their neighbours",
        patterns: entries,
    };
    Ok(serde_json::to_string_pretty(&truth)? + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_res9_strings() {
        let c = cell9(-1.0918, 50.7978).unwrap();
        assert_eq!(c.len(), 15);
        assert!(c.starts_with("89"));
    }
}
