//! Feature properties stored compactly for tiling.
//!
//! A `serde_json::Map` is a B-tree whose every node is a separate ~640-byte allocation; a
//! million incidents would spread their properties over 640 MB, and encoding a tile would
//! miss the cache once per feature (measured: the largest single cost of the MVT pass). Here a
//! feature's properties are one small allocation of `(key, value)` pairs in key order, and
//! keys are interned: every feature with a `category` shares one `Arc<str>`.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

/// A feature's properties: `(key, value)` pairs in key order, one allocation, cheap to clone.
#[derive(Debug, Clone, PartialEq)]
pub struct Properties(Arc<[(Arc<str>, Value)]>);

impl Properties {
    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0
            .binary_search_by(|(k, _)| k.as_ref().cmp(key))
            .ok()
            .map(|i| &self.0[i].1)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The pairs in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }

    /// Number of properties.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Properties from pairs already in key order with distinct keys.
    pub(crate) fn from_sorted(pairs: Vec<(Arc<str>, Value)>) -> Properties {
        debug_assert!(
            pairs.windows(2).all(|w| w[0].0 < w[1].0),
            "keys must be sorted"
        );
        Properties(pairs.into())
    }

    /// The properties as a JSON object (for GeoJSON output).
    pub fn to_map(&self) -> Map<String, Value> {
        self.iter()
            .map(|(k, v)| (k.to_owned(), v.clone()))
            .collect()
    }
}

/// Builds [`Properties`] with interned keys; one per source load.
#[derive(Debug, Default)]
pub(crate) struct PropertyInterner {
    keys: HashMap<String, Arc<str>>,
}

impl PropertyInterner {
    /// Converts a JSON object, sharing key strings with earlier objects.
    pub(crate) fn intern(&mut self, map: Map<String, Value>) -> Properties {
        let mut pairs: Vec<(Arc<str>, Value)> = Vec::with_capacity(map.len());
        for (k, v) in map {
            let key = match self.keys.get(&k) {
                Some(key) => Arc::clone(key),
                None => {
                    let key: Arc<str> = Arc::from(k.as_str());
                    self.keys.insert(k, Arc::clone(&key));
                    key
                }
            };
            pairs.push((key, v));
        }
        // serde_json's Map iterates in key order unless its `preserve_order` feature is on.
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        Properties(pairs.into())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn keys_are_shared_and_lookups_work() {
        let mut interner = PropertyInterner::default();
        let obj = |v: Value| match v {
            Value::Object(m) => m,
            _ => unreachable!("literal objects"),
        };
        let a = interner.intern(obj(json!({"name": "Fratton", "count": 3})));
        let b = interner.intern(obj(json!({"count": 4})));
        assert_eq!(a.get("count"), Some(&json!(3)));
        assert_eq!(a.get("name"), Some(&json!("Fratton")));
        assert_eq!(a.get("missing"), None);
        assert_eq!(
            a.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            ["count", "name"]
        );
        assert!(Arc::ptr_eq(&a.0[0].0, &b.0[0].0));
        assert_eq!(
            Value::Object(a.to_map()),
            json!({"name": "Fratton", "count": 3})
        );
    }
}
