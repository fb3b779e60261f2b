//! Selecting incidents: a time window, wards and categories, applied to the snapshot.
//!
//! Every analysis starts here. Rows come out with a weight: 1 for an instant or month inside
//! the window, the aoristic share for a from–to span when the window has days or hours.

use serde::Serialize;

use crate::domain::{CategorySelector, Group};
use crate::index::{NO_TIME, Snapshot};
use crate::time::{MonthInclusion, Window};

/// Which incidents an analysis reads. Built once from checked parameters.
#[derive(Debug, Clone)]
pub struct Selection {
    /// The time window.
    pub window: Window,
    /// Ward indices into [`Snapshot::wards`]; empty = every ward (and incidents outside wards).
    pub wards: Vec<usize>,
    /// Category selectors; empty = every category.
    pub categories: Vec<CategorySelector>,
}

/// The incidents a [`Selection`] picked, with their weights.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Selected {
    /// Row numbers into the snapshot's incident table, ascending.
    #[serde(skip)]
    pub rows: Vec<u32>,
    /// Weight of each row (1, or the aoristic share of a span).
    #[serde(skip)]
    pub weights: Vec<f64>,
    /// Month-only rows that matched ward and category but were left out because deciding would
    /// need a day or time: the window has days, hours or a calendar, or its date range cuts their
    /// month (police.uk publishes no day or time).
    pub left_out_month_only: usize,
}

impl Selected {
    /// Sum of the weights: the (fractional) number of incidents selected.
    pub fn total(&self) -> f64 {
        self.weights.iter().sum()
    }
}

impl Selection {
    /// Applies the selection to every incident of the snapshot.
    ///
    /// Cost: one pass over the columns; no allocation per row.
    pub fn apply(&self, snap: &Snapshot) -> Selected {
        let t = &snap.incidents;
        let mut ward_mask = vec![self.wards.is_empty(); snap.wards.len()];
        for &w in &self.wards {
            if let Some(m) = ward_mask.get_mut(w) {
                *m = true;
            }
        }
        let all_wards = self.wards.is_empty();
        let groups_only = self
            .categories
            .iter()
            .all(|c| matches!(c, CategorySelector::Group(_)));
        let mut group_mask = [self.categories.is_empty(); Group::ALL.len()];
        for c in &self.categories {
            if let CategorySelector::Group(g) = c {
                group_mask[*g as usize] = true;
            }
        }
        let mut out = Selected::default();
        for i in 0..t.len() {
            let in_ward = match t.ward[i] {
                Some(w) => ward_mask[usize::from(w)],
                None => all_wards,
            };
            if !in_ward {
                continue;
            }
            let in_category = if groups_only {
                group_mask[t.group[i] as usize]
            } else {
                self.matches_category(snap, i)
            };
            if !in_category {
                continue;
            }
            let weight = if t.start_min[i] == NO_TIME {
                match self.window.month_inclusion(t.month[i]) {
                    MonthInclusion::Included => 1.0,
                    MonthInclusion::Excluded => 0.0,
                    MonthInclusion::LeftOutNeedsTime => {
                        out.left_out_month_only += 1;
                        0.0
                    }
                }
            } else {
                self.window.weight(t.start_min[i], t.end_min[i])
            };
            if weight > 0.0 {
                out.rows.push(i as u32);
                out.weights.push(weight);
            }
        }
        out
    }

    fn matches_category(&self, snap: &Snapshot, i: usize) -> bool {
        let t = &snap.incidents;
        self.categories.iter().any(|c| match c {
            CategorySelector::Group(g) => t.group[i] == *g,
            CategorySelector::Type(ty) => t.crime_type[i] == Some(*ty),
            CategorySelector::Local(label) => t.local_category[i]
                .is_some_and(|l| t.local_categories.get(l).eq_ignore_ascii_case(label)),
        })
    }
}

impl Selection {
    /// The resolved selection for the `parameters` object of outputs.
    pub fn parameters(&self, snap: &Snapshot) -> serde_json::Value {
        let window = serde_json::to_value(&self.window).unwrap_or(serde_json::Value::Null);
        serde_json::json!({
            "window": window,
            "window_text": self.window.describe(),
            "wards": self.wards.iter().map(|&w| serde_json::json!({"code": snap.wards[w].code, "name": snap.wards[w].name})).collect::<Vec<_>>(),
            "categories": self.categories.iter().map(CategorySelector::label).collect::<Vec<_>>(),
        })
    }
}
