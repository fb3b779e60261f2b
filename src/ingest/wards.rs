//! Ward boundaries (GeoJSON) and ward populations (CSV).
//!
//! Boundaries: a FeatureCollection of Polygons and MultiPolygons in WGS84 (a legacy `crs`
//! member, as ONS files carry, is tolerated). Code and name fields are given
//! ([`WardFields`]) or detected: a `WDyyCD`/`WDyyNM` pair (`WD13CD`, `WD22CD`, ...), else
//! `code`/`name`. Reference data is all-or-nothing: a bad feature or a repeated code is an
//! [`IngestError::Reference`] naming the feature.
//!
//! Populations: a CSV with a ward-code column and a residents column, given or detected (a
//! column whose name ends in `cd` or is `code`/`ward_code`, and one containing `residents` or `population`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use geo::{MultiPolygon, Polygon};
use geojson::{FeatureCollection, GeometryValue};

use super::input::{display_name, read_capped};
use super::table::Table;
use super::venues::MAX_REFERENCE_CSV_BYTES;
use super::{IngestError, Limits};
use crate::domain::Ward;

/// Most wards read from one file (England has about 7,000).
pub const MAX_WARDS: usize = 20_000;

/// Which properties hold the ward code and name; `None` = detect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WardFields {
    /// `--code-field`.
    pub code: Option<String>,
    /// `--name-field`.
    pub name: Option<String>,
}

/// Reads ward boundaries from a GeoJSON file (size-capped by [`Limits::max_geojson_bytes`]).
pub fn read_wards_file(
    path: &Path,
    fields: &WardFields,
    limits: &Limits,
) -> Result<Vec<Ward>, IngestError> {
    let bytes = read_capped(path, limits.max_geojson_bytes)?;
    read_wards(&display_name(path), &bytes, fields)
}

fn reference(file: &str, at: String, message: String) -> IngestError {
    IngestError::Reference {
        file: file.to_owned(),
        at,
        message,
    }
}

/// Detects the code and name properties from a feature's property names.
fn detect_fields<'a>(keys: impl Iterator<Item = &'a String> + Clone) -> Option<(String, String)> {
    let wd: Vec<&String> = keys
        .clone()
        .filter(|k| {
            let b = k.as_bytes();
            b.len() == 6
                && b[..2].eq_ignore_ascii_case(b"WD")
                && b[2].is_ascii_digit()
                && b[3].is_ascii_digit()
                && b[4..].eq_ignore_ascii_case(b"CD")
        })
        .collect();
    for code in wd {
        let name_key = format!("{}NM", &code[..4]);
        if let Some(name) = keys.clone().find(|k| k.eq_ignore_ascii_case(&name_key)) {
            return Some((code.clone(), name.clone()));
        }
    }
    let code = keys.clone().find(|k| k.eq_ignore_ascii_case("code"))?;
    let name = keys.clone().find(|k| k.eq_ignore_ascii_case("name"))?;
    Some((code.clone(), name.clone()))
}

/// Reads ward boundaries from GeoJSON bytes reported under the name `file`.
pub fn read_wards(file: &str, bytes: &[u8], fields: &WardFields) -> Result<Vec<Ward>, IngestError> {
    let text = std::str::from_utf8(bytes).map_err(|e| IngestError::Json {
        file: file.to_owned(),
        message: format!("not UTF-8 text: {e}"),
    })?;
    let fc: FeatureCollection = text.parse().map_err(|e| IngestError::Json {
        file: file.to_owned(),
        message: format!("not a GeoJSON FeatureCollection: {e}"),
    })?;
    if fc.features.is_empty() {
        return Err(IngestError::Json {
            file: file.to_owned(),
            message: "the FeatureCollection holds no features".into(),
        });
    }
    if fc.features.len() > MAX_WARDS {
        return Err(IngestError::TooManyRows {
            file: file.to_owned(),
            max_rows: MAX_WARDS as u64,
        });
    }
    let (code_field, name_field) = match (&fields.code, &fields.name) {
        (Some(c), Some(n)) => (c.clone(), n.clone()),
        (c, n) => {
            let keys: Vec<String> = fc.features[0]
                .properties
                .as_ref()
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
            let (dc, dn) = detect_fields(keys.iter()).ok_or_else(|| {
                reference(
                    file,
                    "feature 0".into(),
                    format!(
                        "cannot tell the ward code and name fields from {keys:?}; give --code-field and --name-field"
                    ),
                )
            })?;
            (c.clone().unwrap_or(dc), n.clone().unwrap_or(dn))
        }
    };
    let mut wards = Vec::with_capacity(fc.features.len());
    let mut codes = BTreeSet::new();
    for (i, f) in fc.features.iter().enumerate() {
        let at = || format!("feature {i}");
        let prop = |key: &str| -> Result<String, IngestError> {
            let v = f.properties.as_ref().and_then(|p| p.get(key));
            match v {
                Some(serde_json::Value::String(s)) if !s.trim().is_empty() => {
                    Ok(s.trim().to_owned())
                }
                Some(serde_json::Value::Number(n)) => Ok(n.to_string()),
                _ => Err(reference(
                    file,
                    at(),
                    format!("property {key:?} is missing or blank"),
                )),
            }
        };
        let code = prop(&code_field)?;
        let name = prop(&name_field)?;
        let geometry = f
            .geometry
            .as_ref()
            .ok_or_else(|| reference(file, at(), format!("ward {code} has no geometry")))?;
        let boundary: MultiPolygon<f64> = match &geometry.value {
            v @ GeometryValue::Polygon { .. } => MultiPolygon(vec![
                Polygon::try_from(v)
                    .map_err(|e| reference(file, at(), format!("ward {code}: {e}")))?,
            ]),
            v @ GeometryValue::MultiPolygon { .. } => MultiPolygon::try_from(v)
                .map_err(|e| reference(file, at(), format!("ward {code}: {e}")))?,
            other => {
                return Err(reference(
                    file,
                    at(),
                    format!(
                        "ward {code} is a {}, not a Polygon or MultiPolygon",
                        other.type_name()
                    ),
                ));
            }
        };
        check_boundary(&boundary)
            .map_err(|m| reference(file, at(), format!("ward {code}: {m}")))?;
        if !codes.insert(code.clone()) {
            return Err(reference(
                file,
                at(),
                format!("ward code {code} appears twice"),
            ));
        }
        wards.push(Ward {
            code,
            name,
            boundary,
            population: None,
        });
    }
    Ok(wards)
}

/// Every ring closed with at least 4 positions, every position a longitude/latitude.
fn check_boundary(mp: &MultiPolygon<f64>) -> Result<(), String> {
    if mp.0.is_empty() {
        return Err("empty boundary".into());
    }
    for p in &mp.0 {
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            if ring.0.len() < 4 {
                return Err(format!(
                    "a ring has {} positions (at least 4 needed)",
                    ring.0.len()
                ));
            }
            if let Some(c) = ring.0.iter().find(|c| {
                !(c.x.is_finite() && c.y.is_finite() && c.x.abs() <= 180.0 && c.y.abs() <= 90.0)
            }) {
                return Err(format!(
                    "position ({}, {}) is not longitude/latitude in degrees (is the file in WGS84?)",
                    c.x, c.y
                ));
            }
        }
    }
    Ok(())
}

/// Reads ward populations: code → usual residents. `code_column` and `population_column` are
/// `--population-code-column` and `--population-column`; `None` = detect.
pub fn read_population_file(
    path: &Path,
    code_column: Option<&str>,
    population_column: Option<&str>,
    limits: &Limits,
) -> Result<BTreeMap<String, u32>, IngestError> {
    let table = Table::from_path(path, MAX_REFERENCE_CSV_BYTES, limits)?;
    population(&table, code_column, population_column)
}

/// Like [`read_population_file`], from CSV bytes reported under the name `file`.
pub fn read_population(
    file: &str,
    bytes: &[u8],
    code_column: Option<&str>,
    population_column: Option<&str>,
    limits: &Limits,
) -> Result<BTreeMap<String, u32>, IngestError> {
    let table = Table::from_bytes(file, bytes, limits)?;
    population(&table, code_column, population_column)
}

fn detect_one(
    table: &Table,
    what: &str,
    flag: &str,
    pick: impl Fn(&str) -> bool,
) -> Result<usize, IngestError> {
    let found: Vec<usize> = (0..table.header.len())
        .filter(|&i| pick(&table.header[i].to_ascii_lowercase()))
        .collect();
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(reference(
            &table.file,
            "line 1".into(),
            format!("no {what} column in {:?}; give {flag}", table.header),
        )),
        many => {
            // Several code columns (an LSOA table): prefer a ward one.
            let ward: Vec<usize> = many
                .iter()
                .copied()
                .filter(|&i| {
                    let h = table.header[i].to_ascii_lowercase();
                    h.starts_with("ward") || h.starts_with("wd")
                })
                .collect();
            match ward.as_slice() {
                [one] => Ok(*one),
                _ => Err(reference(
                    &table.file,
                    "line 1".into(),
                    format!(
                        "several {what} columns ({}); give {flag}",
                        many.iter()
                            .map(|&i| table.header[i].as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )),
            }
        }
    }
}

fn population(
    table: &Table,
    code_column: Option<&str>,
    population_column: Option<&str>,
) -> Result<BTreeMap<String, u32>, IngestError> {
    let code = match code_column {
        Some(c) => table.require(&[c])?,
        None => detect_one(table, "ward code", "--population-code-column", |h| {
            h.ends_with("cd") || h == "code" || h == "ward_code"
        })?,
    };
    let pop = match population_column {
        Some(c) => table.require(&[c])?,
        None => detect_one(table, "population", "--population-column", |h| {
            h.contains("residents") || h.contains("population")
        })?,
    };
    let mut out = BTreeMap::new();
    for (line, rec) in &table.rows {
        let at = || format!("line {line}");
        let rec = rec
            .as_ref()
            .map_err(|m| reference(&table.file, at(), m.clone()))?;
        let c = rec.get(code).map(str::trim).unwrap_or_default();
        let p = rec.get(pop).map(str::trim).unwrap_or_default();
        if c.is_empty() {
            return Err(reference(
                &table.file,
                at(),
                format!("{} is blank", table.header[code]),
            ));
        }
        let n: u32 = p.replace(',', "").parse().map_err(|_| {
            reference(
                &table.file,
                at(),
                format!(
                    "{} {p:?} is not a whole number of residents",
                    table.header[pop]
                ),
            )
        })?;
        if out.insert(c.to_owned(), n).is_some() {
            return Err(reference(
                &table.file,
                at(),
                format!("ward code {c} appears twice"),
            ));
        }
    }
    Ok(out)
}

/// How a population table matched the wards.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PopulationMatch {
    /// Wards given a population.
    pub matched: usize,
    /// Codes of wards the table has no row for.
    pub wards_without: Vec<String>,
    /// Codes in the table that are no ward's.
    pub unknown_codes: Vec<String>,
}

/// Sets each ward's population from the table and says what did not match.
pub fn attach_population(
    wards: &mut [Ward],
    population: &BTreeMap<String, u32>,
) -> PopulationMatch {
    let mut m = PopulationMatch::default();
    let mut used = BTreeSet::new();
    for w in wards.iter_mut() {
        match population.get(&w.code) {
            Some(&n) => {
                w.population = Some(n);
                used.insert(w.code.as_str());
                m.matched += 1;
            }
            None => m.wards_without.push(w.code.clone()),
        }
    }
    m.unknown_codes = population
        .keys()
        .filter(|c| !used.contains(c.as_str()))
        .cloned()
        .collect();
    m
}
