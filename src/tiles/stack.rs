//! Stacks: the points at one exact position merged into one feature, and how their
//! properties are summarised ([`StackSummary`]).
//!
//! Police.uk publishes each incident at one of a fixed set of anonymised map points (a street
//! segment's centre, a station, a park), so hundreds of incidents share one position exactly.
//! [`PointSource::stacked`](super::PointSource::stacked) groups them once at load with
//! [`stacks_of`] (one sort, O(n log n)) and gives each group of two or more the properties
//! [`StackSummary::summarise`] makes.

use std::collections::BTreeMap;

use geo::Coord;
use serde_json::{Map, Value};

/// Most distinct values a stack's tally lists; the rest are counted together under `*`.
pub const MAX_TALLY_VALUES: usize = 16;

/// How the points at one position are summarised into one stack feature.
///
/// A stack's properties are `stack: true`, `count` (its points), and for each item here one
/// summary of the members' properties; a point alone at its position keeps its own properties.
/// Members lacking a property (or holding null) are left out of that property's summary, and
/// a summary with no values is left out of the stack.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StackSummary {
    /// `(property, output)`: the members' values of `property` counted into one string
    /// property `output`, `"value:n,value:n"`, most frequent first (ties in value order), at
    /// most [`MAX_TALLY_VALUES`] values and then `*:n` for the rest.
    pub tally: Option<(String, String)>,
    /// Properties whose least and greatest member values (strings by text, numbers by value)
    /// become `first_<property>` and `last_<property>`.
    pub range: Vec<String>,
    /// Numeric properties summed over the members, under the same name.
    pub sum: Vec<String>,
}

impl StackSummary {
    /// The incidents layer's summary: counts per `group` as `groups`, the `month` range and
    /// the summed `weight`.
    pub fn incidents() -> StackSummary {
        StackSummary {
            tally: Some(("group".to_owned(), "groups".to_owned())),
            range: vec!["month".to_owned()],
            sum: vec!["weight".to_owned()],
        }
    }

    /// The stack properties of `members` (two or more points' properties).
    pub(crate) fn summarise(&self, members: &[&Map<String, Value>]) -> Map<String, Value> {
        let mut out = Map::new();
        out.insert("stack".to_owned(), Value::Bool(true));
        out.insert("count".to_owned(), Value::from(members.len()));
        if let Some((property, output)) = &self.tally {
            let mut counts: BTreeMap<String, usize> = BTreeMap::new();
            for v in members.iter().filter_map(|m| m.get(property)) {
                let text = match v {
                    Value::Null => continue,
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                *counts.entry(text).or_default() += 1;
            }
            if !counts.is_empty() {
                let mut ranked: Vec<(String, usize)> = counts.into_iter().collect();
                // Stable: equal counts stay in value order.
                ranked.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
                let rest: usize = ranked.iter().skip(MAX_TALLY_VALUES).map(|(_, n)| n).sum();
                let mut parts: Vec<String> = ranked
                    .iter()
                    .take(MAX_TALLY_VALUES)
                    .map(|(v, n)| format!("{v}:{n}"))
                    .collect();
                if rest > 0 {
                    parts.push(format!("*:{rest}"));
                }
                out.insert(output.clone(), Value::from(parts.join(",")));
            }
        }
        for property in &self.range {
            let mut values = members
                .iter()
                .filter_map(|m| m.get(property))
                .filter(|v| !v.is_null());
            let Some(first) = values.next() else { continue };
            let (mut lo, mut hi) = (first, first);
            for v in values {
                if order(v, lo).is_lt() {
                    lo = v;
                }
                if order(v, hi).is_gt() {
                    hi = v;
                }
            }
            out.insert(format!("first_{property}"), lo.clone());
            out.insert(format!("last_{property}"), hi.clone());
        }
        for property in &self.sum {
            let values: Vec<f64> = members
                .iter()
                .filter_map(|m| m.get(property).and_then(Value::as_f64))
                .collect();
            if !values.is_empty() {
                out.insert(property.clone(), Value::from(values.iter().sum::<f64>()));
            }
        }
        out
    }
}

/// Order of two property values for a range: numbers by value, strings by text, and across
/// types by type (booleans < numbers < strings < anything else).
fn order(a: &Value, b: &Value) -> std::cmp::Ordering {
    let rank = |v: &Value| match v {
        Value::Bool(_) => 0,
        Value::Number(_) => 1,
        Value::String(_) => 2,
        _ => 3,
    };
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .unwrap_or(f64::NAN)
            .total_cmp(&y.as_f64().unwrap_or(f64::NAN)),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// The points grouped by exact position: each group's members in input order, groups in the
/// order of their first member. O(n log n).
pub(crate) fn stacks_of(positions_m: &[Coord<f64>]) -> Vec<Vec<u32>> {
    // `+ 0.0` turns −0 into +0, so the two zeros are one position.
    let key = |c: Coord<f64>| (c.x + 0.0, c.y + 0.0);
    let mut order: Vec<u32> = (0..positions_m.len())
        .map(|i| u32::try_from(i).expect("MAX_FEATURES is below u32::MAX"))
        .collect();
    order.sort_by(|&a, &b| {
        let (ka, kb) = (key(positions_m[a as usize]), key(positions_m[b as usize]));
        ka.0.total_cmp(&kb.0)
            .then(ka.1.total_cmp(&kb.1))
            .then(a.cmp(&b))
    });
    let mut groups: Vec<Vec<u32>> = order
        .chunk_by(|&a, &b| key(positions_m[a as usize]) == key(positions_m[b as usize]))
        .map(<[u32]>::to_vec)
        .collect();
    groups.sort_unstable_by_key(|g| g[0]);
    groups
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!("literal objects"),
        }
    }

    #[test]
    fn missing_and_null_values_are_left_out() {
        let a = obj(json!({"group": "asb", "month": "2024-02", "weight": 1.5}));
        let b = obj(json!({"group": null, "month": "2023-12"}));
        let c = obj(json!({"weight": 2}));
        let summary = StackSummary::incidents();
        assert_eq!(
            Value::Object(summary.summarise(&[&a, &b, &c])),
            json!({"stack": true, "count": 3, "groups": "asb:1", "first_month": "2023-12",
                   "last_month": "2024-02", "weight": 3.5})
        );
        // Nothing to summarise: only the count.
        let empty = Map::new();
        assert_eq!(
            Value::Object(summary.summarise(&[&empty, &empty])),
            json!({"stack": true, "count": 2})
        );
    }

    #[test]
    fn ranges_order_numbers_by_value() {
        let summary = StackSummary {
            range: vec!["n".to_owned()],
            ..StackSummary::default()
        };
        let (a, b, c) = (
            obj(json!({"n": 9})),
            obj(json!({"n": 10})),
            obj(json!({"n": -2.5})),
        );
        let out = summary.summarise(&[&a, &b, &c]);
        assert_eq!(
            (out["first_n"].clone(), out["last_n"].clone()),
            (json!(-2.5), json!(10))
        );
    }

    #[test]
    fn equal_positions_group_and_keep_input_order() {
        let c = |x: f64, y: f64| Coord { x, y };
        let positions = [
            c(1.0, 2.0),
            c(0.0, 5.0),
            c(1.0, 2.0),
            c(-0.0, 5.0),
            c(3.0, 3.0),
        ];
        assert_eq!(stacks_of(&positions), vec![vec![0, 2], vec![1, 3], vec![4]]);
        assert!(stacks_of(&[]).is_empty());
    }
}
