//! The checked CCTV request: parameters, their defaults and caps, group weights, sites.

use std::collections::BTreeSet;

use h3o::Resolution;

use crate::domain::{Group, Wgs84};
use crate::index::{Snapshot, resolution_from_number};
use crate::query::{
    ParamBag, ParamError, RawSelection, Selection, parse_bool, parse_in_range, parse_number,
};
use crate::time::EventCalendar;

/// Parameter names `cctv` accepts (besides the selection's).
pub const CCTV_PARAMS: &[&str] = &[
    "cameras",
    "radius-m",
    "existing",
    "sites",
    "weights",
    "half-life-months",
    "resolution",
    "exact",
    "rotate",
    "months",
];

/// Most cameras one request may place.
pub const MAX_CAMERAS: usize = 50;
/// Default number of cameras.
pub const DEFAULT_CAMERAS: usize = 3;
/// Default reach of a camera, metres (interface.md).
pub const DEFAULT_RADIUS_M: f64 = 100.0;
/// Default H3 resolution of candidate cells: resolution 10 cells are about 75 m across, so a
/// 100 m camera placed at a centre reaches past its own cell into the neighbours.
pub const DEFAULT_CCTV_RESOLUTION: Resolution = Resolution::Ten;
/// Most candidate sites (cells or permitted sites).
pub const MAX_CANDIDATES: usize = 100_000;
/// Most permitted sites read from a file.
pub const MAX_SITES: usize = 10_000;
/// Default months of history per placement when rotating.
pub const DEFAULT_ROTATE_MONTHS: u32 = 3;
/// Most months of history per placement when rotating.
pub const MAX_ROTATE_MONTHS: u32 = 24;
/// Most site sets the exact search may enumerate per request.
pub const MAX_EXACT_SETS: u64 = 200_000;

/// A permitted camera site (a lamp column, a building).
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// The site's id.
    pub id: String,
    /// Position.
    pub location: Wgs84,
}

/// A checked CCTV request.
#[derive(Debug, Clone)]
pub struct CctvRequest {
    /// Which incidents.
    pub selection: Selection,
    /// Cameras to place (1–[`MAX_CAMERAS`]).
    pub cameras: usize,
    /// Reach of a camera, metres.
    pub radius_m: f64,
    /// Whether imported fixed cameras' reach counts as already covered.
    pub existing: bool,
    /// Permitted sites; `None` = H3 cell centres.
    pub sites: Option<Vec<Site>>,
    /// Weight per group, indexed by `Group as usize`.
    pub weights: [f64; Group::ALL.len()],
    /// Half-life of the recency weight, months; `None` = no recency weighting.
    pub half_life_months: Option<f64>,
    /// H3 resolution of candidate cells.
    pub resolution: Resolution,
    /// Exact optimum instead of greedy.
    pub exact: bool,
    /// Months of history per placement when rotating; `None` = no rotation.
    pub rotate_months: Option<u32>,
}

fn number(
    bag: &mut ParamBag,
    name: &str,
    min: f64,
    max: f64,
    unit: &str,
) -> Result<Option<f64>, ParamError> {
    parse_number(
        bag.one(name)?.as_deref(),
        name,
        &format!("a number of {unit}"),
        min,
        max,
    )
}

/// Parses `group:weight` pairs (`asb:1,violence:3`) over the defaults of methods.md §10.
pub fn parse_weights(values: &[String]) -> Result<[f64; Group::ALL.len()], ParamError> {
    let mut weights = Group::ALL.map(Group::default_cctv_weight);
    for item in crate::query::split_list(values, "weights")? {
        let (g, w) = item.split_once(':').ok_or_else(|| {
            ParamError::new(
                "weights",
                format!("{item:?} is not group:weight (e.g. violence:3)"),
            )
        })?;
        let group = Group::lookup(g).ok_or_else(|| {
            ParamError::new(
                "weights",
                format!(
                    "unknown group {g:?}; groups: {}",
                    Group::ALL.map(Group::slug).join(", ")
                ),
            )
        })?;
        let w = w
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|w| w.is_finite() && (0.0..=1000.0).contains(w))
            .ok_or_else(|| {
                ParamError::new(
                    "weights",
                    format!("weight {w:?} of {g} is not a number from 0 to 1000"),
                )
            })?;
        weights[group as usize] = w;
    }
    Ok(weights)
}

/// Turns a weights TOML file (`violence = 3`, top level or under `[weights]`) into the
/// `weights` parameter's text (`violence:3`), so the CLI and HTTP share one check.
pub fn weights_from_toml(text: &str) -> Result<String, ParamError> {
    let table: toml::Table = text
        .parse()
        .map_err(|e| ParamError::new("weights", format!("not a TOML file: {e}")))?;
    let table = match table.get("weights") {
        Some(toml::Value::Table(t)) => t.clone(),
        _ => table,
    };
    let mut items = Vec::new();
    for (k, v) in &table {
        let w = match v {
            toml::Value::Integer(i) => *i as f64,
            toml::Value::Float(f) => *f,
            other => {
                return Err(ParamError::new(
                    "weights",
                    format!("{k} is a {}: give a number", other.type_str()),
                ));
            }
        };
        items.push(format!("{k}:{w}"));
    }
    Ok(items.join(","))
}

/// Parses the inline `sites` list of the HTTP API: `id:lat:lon` items, comma-separated or
/// repeated (at most [`crate::query::MAX_LIST_VALUES`]).
pub fn parse_inline_sites(values: &[String]) -> Result<Vec<Site>, ParamError> {
    let mut sites: Vec<Site> = Vec::new();
    for item in crate::query::split_list(values, "sites")? {
        let parts: Vec<&str> = item.split(':').collect();
        let bad = || ParamError::new("sites", format!("{item:?} is not id:lat:lon"));
        let [id, lat, lon] = parts.as_slice() else {
            return Err(bad());
        };
        let lat: f64 = lat.trim().parse().map_err(|_| bad())?;
        let lon: f64 = lon.trim().parse().map_err(|_| bad())?;
        let location = Wgs84::new(lon, lat)
            .map_err(|e| ParamError::new("sites", format!("site {id}: {e}")))?;
        sites.push(Site {
            id: (*id).trim().to_owned(),
            location,
        });
    }
    check_sites(&sites)?;
    Ok(sites)
}

fn check_sites(sites: &[Site]) -> Result<(), ParamError> {
    if sites.is_empty() {
        return Err(ParamError::new("sites", "no sites given"));
    }
    if sites.len() > MAX_SITES {
        return Err(ParamError::new(
            "sites",
            format!("{} sites; at most {MAX_SITES}", sites.len()),
        ));
    }
    let mut seen = BTreeSet::new();
    for s in sites {
        if s.id.is_empty() {
            return Err(ParamError::new("sites", "a site has an empty id"));
        }
        if !seen.insert(s.id.as_str()) {
            return Err(ParamError::new(
                "sites",
                format!("site id {:?} is given twice", s.id),
            ));
        }
    }
    Ok(())
}

impl CctvRequest {
    /// Checks raw parameters.
    pub fn from_params(
        bag: &mut ParamBag,
        snap: &Snapshot,
        events: Option<&EventCalendar>,
    ) -> Result<CctvRequest, ParamError> {
        let selection = RawSelection::take(bag)?.check(snap, events)?;
        let cameras = parse_in_range(
            bag.one("cameras")?.as_deref(),
            "cameras",
            DEFAULT_CAMERAS,
            1,
            MAX_CAMERAS,
        )?;
        let radius_m = number(bag, "radius-m", 10.0, 1000.0, "metres")?.unwrap_or(DEFAULT_RADIUS_M);
        let existing = parse_bool(bag.one("existing")?.as_deref(), "existing", false)?;
        let sites = bag.all("sites");
        let sites = if sites.is_empty() {
            None
        } else {
            Some(parse_inline_sites(&sites)?)
        };
        let weights = parse_weights(&bag.all("weights"))?;
        let half_life_months = number(bag, "half-life-months", 0.1, 120.0, "months")?;
        let resolution = match bag.one("resolution")? {
            None => DEFAULT_CCTV_RESOLUTION,
            Some(t) => t
                .trim()
                .parse::<u8>()
                .ok()
                .and_then(resolution_from_number)
                .ok_or_else(|| ParamError::new("resolution", format!("{t:?} is not 7–11")))?,
        };
        let exact = parse_bool(bag.one("exact")?.as_deref(), "exact", false)?;
        let rotate = parse_bool(bag.one("rotate")?.as_deref(), "rotate", false)?;
        let months = bag.one("months")?;
        let rotate_months = match (rotate, months) {
            (false, None) => None,
            (false, Some(_)) => {
                return Err(ParamError::new(
                    "months",
                    "months applies only with rotate=true",
                ));
            }
            (true, m) => Some(parse_in_range(
                m.as_deref(),
                "months",
                DEFAULT_ROTATE_MONTHS,
                1,
                MAX_ROTATE_MONTHS,
            )?),
        };
        if exact && rotate_months.is_some() {
            return Err(ParamError::new(
                "exact",
                "the exact answer is for one placement; leave it out with rotate=true",
            ));
        }
        Ok(CctvRequest {
            selection,
            cameras,
            radius_m,
            existing,
            sites,
            weights,
            half_life_months,
            resolution,
            exact,
            rotate_months,
        })
    }

    /// Replaces the candidates with permitted sites (the CLI's `--sites FILE`).
    pub fn with_sites(mut self, sites: Vec<Site>) -> Result<CctvRequest, ParamError> {
        check_sites(&sites)?;
        self.sites = Some(sites);
        Ok(self)
    }

    pub(super) fn group_weight(&self, g: Group) -> f64 {
        self.weights[g as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_parse_over_the_defaults() {
        let w = parse_weights(&["violence:4,asb:0.5".to_owned()]).unwrap();
        assert_eq!(w[Group::Violence as usize], 4.0);
        assert_eq!(w[Group::Asb as usize], 0.5);
        assert_eq!(w[Group::PublicOrder as usize], 2.0);
        assert_eq!(w[Group::Other as usize], 0.5);
        assert_eq!(
            parse_weights(&["violence:x".to_owned()])
                .unwrap_err()
                .parameter,
            "weights"
        );
    }

    #[test]
    fn weights_toml_top_level_or_table() {
        assert_eq!(
            weights_from_toml("violence = 4\nasb = 0.5\n").unwrap(),
            "asb:0.5,violence:4"
        );
        assert_eq!(
            weights_from_toml("[weights]\ndrugs = 2\n").unwrap(),
            "drugs:2"
        );
        let e = weights_from_toml("violence = \"high\"").unwrap_err();
        assert!(e.message.contains("string"), "{e}");
        assert!(weights_from_toml("violence = ").is_err());
    }

    #[test]
    fn inline_sites() {
        let s =
            parse_inline_sites(&["A:50.8:-1.09".to_owned(), "B:50.81:-1.08".to_owned()]).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].id, "B");
        assert_eq!(s[1].location.lat(), 50.81);
        assert!(parse_inline_sites(&[":50.8:-1.09".to_owned()]).is_err());
        assert!(parse_inline_sites(&["A:50.8".to_owned()]).is_err());
    }
}
