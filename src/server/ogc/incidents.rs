//! The `incidents` collection: every incident in the snapshot as a Point feature.
//!
//! 1. `bbox` goes through the snapshot's R-tree over British National Grid positions (see
//!    [`BBox::bng_search_box`]); candidates are then tested exactly in lon/lat.
//! 2. `datetime` is tested per candidate (every row when there is no `bbox`).
//! 3. Matches are sorted by row, so pages are stable for a snapshot.
//!
//! Cost: a `bbox` query is O(log n + k) for k candidates; a `datetime`-only query scans the
//! time columns; a feature lookup by id scans the id column. The victim hash is never served.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use serde_json::{Value, json};

use super::bbox::BBox;
use super::collection::{Collection, Extent, ItemsPage, Rows, point_feature};
use super::params::ItemsQuery;
use crate::domain::{Month, london_to_utc};
use crate::index::{NO_TIME, Snapshot};
use crate::server::analyses::Computed;
use crate::server::error::ApiError;

/// The `incidents` collection.
#[derive(Debug, Clone, Copy)]
pub struct Incidents;

fn epoch() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("1970-01-01T00:00 is a valid date-time")
}

/// Local wall-clock minutes → `YYYY-MM-DDTHH:MM` (Europe/London, no offset).
fn local_text(minutes: i64) -> Option<String> {
    (minutes != NO_TIME).then(|| {
        (epoch() + Duration::minutes(minutes))
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    })
}

/// Local wall-clock minutes of a month's first midnight.
fn month_start_min(month: Month) -> i64 {
    month
        .first_day()
        .and_hms_opt(0, 0, 0)
        .map_or(0, |t| (t - epoch()).num_minutes())
}

/// Local wall-clock minutes → the UTC instant (the earlier one in the repeated autumn hour).
fn local_to_utc(minutes: i64) -> Option<DateTime<Utc>> {
    london_to_utc(epoch() + Duration::minutes(minutes)).ok()
}

/// The GeoJSON feature of incident `i`.
fn feature(snap: &Snapshot, i: usize) -> Value {
    let t = &snap.incidents;
    let [lon, lat] = t.lonlat[i];
    let ward = t.ward[i].map(|w| &snap.wards[usize::from(w)]);
    point_feature(
        &t.id[i],
        lon,
        lat,
        json!({
            "id": t.id[i],
            "source": t.source[i].name(),
            "crime_type": t.crime_type[i].map(|c| c.name()),
            "group": t.group[i].slug(),
            "category": t.local_category[i].map(|c| t.local_categories.get(c)),
            "month": t.month[i].to_string(),
            "start": local_text(t.start_min[i]),
            "end": local_text(t.end_min[i]),
            "ward": ward.map(|w| w.code.as_str()),
            "ward_name": ward.map(|w| w.name.as_str()),
            "by_tolerance": t.by_tolerance[i],
            "alcohol": t.alcohol[i],
            "location": t.place[i].map(|p| t.places.get(p)),
            "lsoa": t.lsoa[i].map(|l| t.lsoas.get(l)),
            "lsoa_name": t.lsoa[i].and_then(|l| t.lsoa_names.get(l as usize)),
        }),
    )
}

impl Collection for Incidents {
    fn id(&self) -> &'static str {
        "incidents"
    }

    fn title(&self) -> &'static str {
        "Incidents"
    }

    fn description(&self) -> &'static str {
        "Crime and anti-social behaviour incidents (police.uk and local logs). Times are Europe/London wall-clock; police.uk rows have only a month."
    }

    fn temporal(&self) -> bool {
        true
    }

    fn extent(&self, snap: &Snapshot) -> Extent {
        let t = &snap.incidents;
        let bbox = Extent::of_points(t.lonlat.iter().copied());
        let mut span: Option<(i64, i64)> = None;
        for i in 0..t.len() {
            let (s, e) = if t.start_min[i] == NO_TIME {
                let m = t.month[i];
                let next = m.plus(1).map_or(i64::MAX, month_start_min);
                (month_start_min(m), next.saturating_sub(1))
            } else {
                (t.start_min[i], t.end_min[i])
            };
            span = Some(span.map_or((s, e), |(a, b)| (a.min(s), b.max(e))));
        }
        let interval = span.and_then(|(s, e)| {
            let show = |m| local_to_utc(m).map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string());
            Some([show(s)?, show(e)?])
        });
        Extent { bbox, interval }
    }

    fn properties(&self) -> Value {
        let s = |t: &str| json!({ "type": t });
        let n = |t: &str| json!({ "type": t, "nullable": true });
        json!({
            "id": s("string"),
            "source": { "type": "string", "enum": ["police-uk", "log", "geojson"] },
            "crime_type": n("string"),
            "group": { "type": "string", "enum": ["asb", "violence", "public-order", "criminal-damage", "drugs", "acquisitive", "other"] },
            "category": n("string"),
            "month": s("string"),
            "start": n("string"),
            "end": n("string"),
            "ward": n("string"),
            "ward_name": n("string"),
            "by_tolerance": s("boolean"),
            "alcohol": n("boolean"),
            "location": n("string"),
            "lsoa": n("string"),
            "lsoa_name": n("string"),
        })
    }

    fn items(
        &self,
        snap: &Snapshot,
        query: &ItemsQuery,
        _analysis: Option<&Computed>,
    ) -> Result<ItemsPage, ApiError> {
        let t = &snap.incidents;
        let rows = match (&query.bbox, &query.datetime) {
            (None, None) => Rows::All(t.len()),
            (Some(bbox), when) => {
                let mut when = when.map(|d| d.matcher());
                Rows::Some(in_bbox(snap, bbox, |i| {
                    when.as_mut().is_none_or(|m| m.matches(t, i))
                }))
            }
            (None, Some(when)) => {
                let mut m = when.matcher();
                Rows::Some(
                    (0..t.len())
                        .filter(|&i| m.matches(t, i))
                        .map(|i| i as u32)
                        .collect(),
                )
            }
        };
        Ok(rows.page(query, |i| feature(snap, i)))
    }

    fn item(&self, snap: &Snapshot, fid: &str, _analysis: Option<&Computed>) -> Option<Value> {
        let i = snap.incidents.id.iter().position(|id| id == fid)?;
        Some(feature(snap, i))
    }
}

/// Rows inside `bbox` (boundary included) that also pass `keep`, ascending, found with the
/// snapshot's BNG R-tree.
pub fn in_bbox(snap: &Snapshot, bbox: &BBox, mut keep: impl FnMut(usize) -> bool) -> Vec<u32> {
    let Some((min, max)) = bbox.bng_search_box() else {
        return Vec::new();
    };
    let t = &snap.incidents;
    let mut rows: Vec<u32> = snap
        .in_box_m(min, max)
        .filter(|&i| {
            let [lon, lat] = t.lonlat[i as usize];
            bbox.contains(lon, lat) && keep(i as usize)
        })
        .collect();
    rows.sort_unstable();
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times() {
        assert_eq!(local_text(NO_TIME), None);
        assert_eq!(
            local_text(60 * 24 + 90).as_deref(),
            Some("1970-01-02T01:30")
        );
        let june = Month::new(2017, 6).unwrap();
        let m = month_start_min(june);
        assert_eq!(local_text(m).as_deref(), Some("2017-06-01T00:00"));
        // BST: local midnight on 1 June is 23:00 UTC on 31 May.
        assert_eq!(
            local_to_utc(m).unwrap().to_rfc3339(),
            "2017-05-31T23:00:00+00:00"
        );
    }
}
