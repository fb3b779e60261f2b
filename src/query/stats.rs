//! Counts by ward, LSOA, month, category, hour and weekday — alone or crossed — for a selection.
//!
//! Steps:
//! 1. Select incidents (window, wards, categories; optionally one H3 cell).
//! 2. Give each selected row its dimension values. Hour and weekday come from the local start
//!    time; a from–to span is spread over the hours it covers (aoristic, Ratcliffe 2000), only
//!    over the parts inside the window's pattern. Month-only rows have no hour or weekday: they
//!    are left out of tables by hour or weekday and counted in `left_out_no_time`.
//! 3. Sum weights per combination; ward rows add population and the rate per 1,000 residents.

use std::collections::BTreeMap;

use h3o::CellIndex;
use serde_json::{Value, json};

use super::{ParamBag, ParamError, QueryError, RawSelection, Selection, split_list};
use crate::index::{NO_TIME, Snapshot};
use crate::time::EventCalendar;

/// Parameter names `stats` accepts (besides the selection's).
pub const STATS_PARAMS: &[&str] = &["by", "cell"];

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A dimension to count by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dim {
    /// Ward code (incidents outside wards: `null`).
    Ward,
    /// LSOA code, where the source gives one (police.uk), else `null`.
    Lsoa,
    /// Local month `YYYY-MM`.
    Month,
    /// Category group slug.
    Category,
    /// Local hour of day 0–23.
    Hour,
    /// Local weekday mon..sun.
    Weekday,
}

impl Dim {
    fn name(self) -> &'static str {
        match self {
            Dim::Ward => "ward",
            Dim::Lsoa => "lsoa",
            Dim::Month => "month",
            Dim::Category => "category",
            Dim::Hour => "hour",
            Dim::Weekday => "weekday",
        }
    }

    fn parse(text: &str) -> Result<Dim, ParamError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "ward" => Ok(Dim::Ward),
            "lsoa" => Ok(Dim::Lsoa),
            "month" => Ok(Dim::Month),
            "category" => Ok(Dim::Category),
            "hour" => Ok(Dim::Hour),
            "weekday" => Ok(Dim::Weekday),
            other => Err(ParamError::new(
                "by",
                format!("{other:?} is not ward, lsoa, month, category, hour or weekday"),
            )),
        }
    }

    fn needs_time(self) -> bool {
        matches!(self, Dim::Hour | Dim::Weekday)
    }
}

/// A checked stats request.
#[derive(Debug, Clone)]
pub struct StatsRequest {
    /// Which incidents.
    pub selection: Selection,
    /// Dimensions, in order (empty = one total).
    pub by: Vec<Dim>,
    /// Only incidents in this H3 cell (any resolution 7–11).
    pub cell: Option<CellIndex>,
}

impl StatsRequest {
    /// Checks raw parameters.
    pub fn from_params(
        bag: &mut ParamBag,
        snap: &Snapshot,
        events: Option<&EventCalendar>,
    ) -> Result<StatsRequest, ParamError> {
        let selection = RawSelection::take(bag)?.check(snap, events)?;
        let mut by = Vec::new();
        for d in split_list(&bag.all("by"), "by")? {
            let d = Dim::parse(&d)?;
            if !by.contains(&d) {
                by.push(d);
            }
        }
        let cell = match bag.one("cell")? {
            None => None,
            Some(t) => Some(
                t.trim()
                    .parse::<CellIndex>()
                    .ok()
                    .filter(|c| (7..=11).contains(&u8::from(c.resolution())))
                    .ok_or_else(|| {
                        ParamError::new(
                            "cell",
                            format!("{t:?} is not an H3 cell of resolution 7–11"),
                        )
                    })?,
            ),
        };
        Ok(StatsRequest {
            selection,
            by,
            cell,
        })
    }
}

/// Counts per combination of dimension values.
#[derive(Debug, Clone)]
pub struct StatsResult {
    /// The request.
    pub request: StatsRequest,
    /// Rows: dimension values (as JSON scalars) → weighted count.
    pub rows: BTreeMap<Vec<Key>, f64>,
    /// Sum of all rows.
    pub total: f64,
    /// Month-only rows left out by the window.
    pub left_out_month_only: usize,
    /// Selected month-only rows left out of an hour or weekday table.
    pub left_out_no_time: usize,
}

/// One dimension value, ordered naturally (months and hours sort as numbers).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    /// No value (incident outside wards).
    None,
    /// A number (hour, weekday index).
    Num(i64),
    /// A text (ward code, month, category).
    Text(String),
}

impl Key {
    fn to_json(&self, dim: Dim) -> Value {
        match (self, dim) {
            (Key::None, _) => Value::Null,
            (Key::Num(n), Dim::Weekday) => json!(WEEKDAYS[*n as usize]),
            (Key::Num(n), _) => json!(n),
            (Key::Text(t), _) => json!(t),
        }
    }
}

/// Runs the tabulation.
pub fn run_stats(snap: &Snapshot, request: &StatsRequest) -> Result<StatsResult, QueryError> {
    let selected = request.selection.apply(snap);
    let t = &snap.incidents;
    let needs_time = request.by.iter().any(|d| d.needs_time());
    let cell_filter = request
        .cell
        .and_then(|c| snap.cell_slots(c.resolution()).map(|slots| (c, slots)));
    let mut rows: BTreeMap<Vec<Key>, f64> = BTreeMap::new();
    let mut left_out_no_time = 0;
    for (&row, &weight) in selected.rows.iter().zip(&selected.weights) {
        let i = row as usize;
        if let Some((cell, slots)) = cell_filter
            && slots.cells[slots.slot[i] as usize] != cell
        {
            continue;
        }
        if needs_time && t.start_min[i] == NO_TIME {
            left_out_no_time += 1;
            continue;
        }
        let fixed = |d: Dim| -> Key {
            match d {
                Dim::Ward => t.ward[i].map_or(Key::None, |w| {
                    Key::Text(snap.wards[usize::from(w)].code.clone())
                }),
                Dim::Lsoa => t.lsoa[i].map_or(Key::None, |l| Key::Text(t.lsoas.get(l).to_owned())),
                Dim::Month => Key::Text(t.month[i].to_string()),
                Dim::Category => Key::Text(t.group[i].slug().to_owned()),
                Dim::Hour | Dim::Weekday => Key::None,
            }
        };
        for (minute, share) in
            hour_shares(&request.selection, t.start_min[i], t.end_min[i], needs_time)
        {
            let key: Vec<Key> = request
                .by
                .iter()
                .map(|&d| match d {
                    Dim::Hour => Key::Num(minute.rem_euclid(1440) / 60),
                    Dim::Weekday => {
                        Key::Num(crate::time::local::weekday_of_day(minute.div_euclid(1440)) as i64)
                    }
                    other => fixed(other),
                })
                .collect();
            *rows.entry(key).or_insert(0.0) += weight * share;
        }
    }
    let total = rows.values().sum();
    Ok(StatsResult {
        request: request.clone(),
        rows,
        total,
        left_out_month_only: selected.left_out_month_only,
        left_out_no_time,
    })
}

/// The start minute of each hour a row's time falls in, with its share of the row's weight.
fn hour_shares(selection: &Selection, start: i64, end: i64, needs_time: bool) -> Vec<(i64, f64)> {
    if needs_time {
        selection.window.hour_shares(start, end)
    } else {
        vec![(start, 1.0)]
    }
}

impl StatsResult {
    /// The rows as JSON objects: one key per dimension plus `count`; ward rows add `name`,
    /// `population` and `rate_per_1000` when the population is known.
    pub fn row_values(&self, snap: &Snapshot) -> Vec<Value> {
        self.rows
            .iter()
            .map(|(keys, count)| {
                let mut o = serde_json::Map::new();
                for (d, k) in self.request.by.iter().zip(keys) {
                    o.insert(d.name().to_owned(), k.to_json(*d));
                    if *d == Dim::Lsoa
                        && let Key::Text(code) = k
                        && let Some(n) = snap.incidents.lsoas.find(code)
                    {
                        o.insert(
                            "lsoa_name".into(),
                            json!(snap.incidents.lsoa_names[n as usize]),
                        );
                    }
                    if *d == Dim::Ward
                        && let Key::Text(code) = k
                        && let Some(w) = snap.wards.iter().find(|w| &w.code == code)
                    {
                        o.insert("name".into(), json!(w.name));
                        o.insert("population".into(), json!(w.population));
                        if let Some(pop) = w.population.filter(|p| *p > 0) {
                            o.insert(
                                "rate_per_1000".into(),
                                json!(1000.0 * count / f64::from(pop)),
                            );
                        }
                    }
                }
                o.insert("count".into(), json!(count));
                Value::Object(o)
            })
            .collect()
    }

    /// JSON: `parameters`, `rows`, `total`, and what was left out.
    pub fn json(&self, snap: &Snapshot) -> Value {
        let mut parameters = self.request.selection.parameters(snap);
        parameters["by"] = json!(self.request.by.iter().map(|d| d.name()).collect::<Vec<_>>());
        parameters["cell"] = json!(self.request.cell.map(|c| c.to_string()));
        json!({
            "parameters": parameters,
            "rows": self.row_values(snap),
            "total": self.total,
            "left_out_month_only": self.left_out_month_only,
            "left_out_no_time": self.left_out_no_time,
        })
    }

    fn columns(&self, snap: &Snapshot) -> (Vec<String>, Vec<Vec<String>>) {
        let rows = self.row_values(snap);
        let mut cols: Vec<String> = Vec::new();
        for r in &rows {
            if let Value::Object(o) = r {
                for k in o.keys() {
                    if !cols.contains(k) {
                        cols.push(k.clone());
                    }
                }
            }
        }
        // `count` last, after the dimension columns in request order.
        cols.sort_by_key(|c| (c == "count", c == "rate_per_1000"));
        let cells = rows
            .iter()
            .map(|r| {
                cols.iter()
                    .map(|c| match r.get(c) {
                        None | Some(Value::Null) => String::new(),
                        Some(Value::String(s)) => s.clone(),
                        Some(Value::Number(n)) => {
                            let x = n.as_f64().unwrap_or(0.0);
                            if x.fract() == 0.0 {
                                format!("{x:.0}")
                            } else {
                                format!("{x:.2}")
                            }
                        }
                        Some(other) => other.to_string(),
                    })
                    .collect()
            })
            .collect();
        (cols, cells)
    }

    /// CSV with a header row.
    pub fn csv(&self, snap: &Snapshot) -> String {
        let (cols, rows) = self.columns(snap);
        let mut w = csv::Writer::from_writer(Vec::new());
        // Writing to a Vec cannot fail.
        let _ = w.write_record(&cols);
        for r in rows {
            let _ = w.write_record(&r);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    /// A plain-text table for the terminal, with the total and what was left out.
    pub fn table(&self, snap: &Snapshot) -> String {
        let (cols, rows) = self.columns(snap);
        let widths: Vec<usize> = cols
            .iter()
            .enumerate()
            .map(|(i, c)| {
                rows.iter()
                    .map(|r| r[i].chars().count())
                    .chain([c.len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        let line = |cells: &[String]| -> String {
            cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_owned()
                + "\n"
        };
        out.push_str(&line(&cols));
        for r in &rows {
            out.push_str(&line(r));
        }
        out.push_str(&format!("total: {}\n", fmt_count(self.total)));
        if self.left_out_month_only > 0 {
            out.push_str(&format!(
                "left out: {} month-only rows (police.uk has no day or time; the window needs one)\n",
                self.left_out_month_only
            ));
        }
        if self.left_out_no_time > 0 {
            out.push_str(&format!(
                "left out of the hour/weekday table: {} month-only rows\n",
                self.left_out_no_time
            ));
        }
        out
    }
}

fn fmt_count(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}
