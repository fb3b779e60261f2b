//! Query parameters of the OGC API – Features routes, raw and checked.

use serde::Deserialize;

use super::bbox::BBox;
use super::datetime::Interval;
use crate::server::error::ApiError;
use crate::server::extract::{CheckedQuery, integer_in};

/// Items per page when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 10;

/// Largest `limit` accepted.
pub const MAX_LIMIT: usize = 10_000;

/// Largest `offset` accepted.
pub const MAX_OFFSET: usize = u32::MAX as usize;

/// Checks the optional `f` (format) parameter: only JSON is served.
fn check_format(f: Option<&str>) -> Result<(), ApiError> {
    match f {
        None | Some("json" | "geojson") => Ok(()),
        Some(other) => Err(ApiError::bad(
            "f",
            format!("format {other:?} is not served: use f=json (or leave f out)"),
        )),
    }
}

/// The query of the metadata routes (landing page, conformance, collections): only `f`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFormatQuery {
    f: Option<String>,
}

/// A checked metadata query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormatQuery;

impl CheckedQuery for FormatQuery {
    type Raw = RawFormatQuery;

    fn check(raw: RawFormatQuery) -> Result<FormatQuery, ApiError> {
        check_format(raw.f.as_deref())?;
        Ok(FormatQuery)
    }
}

/// The `/items` query as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawItemsQuery {
    bbox: Option<String>,
    datetime: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
    f: Option<String>,
}

/// The `/items` query, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemsQuery {
    /// Spatial filter.
    pub bbox: Option<BBox>,
    /// Temporal filter.
    pub datetime: Option<Interval>,
    /// Page size, 1..=[`MAX_LIMIT`].
    pub limit: usize,
    /// Items skipped, 0..=[`MAX_OFFSET`].
    pub offset: usize,
    /// Analysis parameters of an analysis collection, as given (kept for the paging links).
    pub extra: Vec<(String, String)>,
}

/// The parameters of `/items` itself (the rest are an analysis collection's).
pub const ITEMS_PARAMS: &[&str] = &["bbox", "datetime", "limit", "offset", "f"];

impl TryFrom<RawItemsQuery> for ItemsQuery {
    type Error = ApiError;

    fn try_from(raw: RawItemsQuery) -> Result<ItemsQuery, ApiError> {
        check_format(raw.f.as_deref())?;
        let limit = match raw.limit {
            None => DEFAULT_LIMIT,
            Some(t) => usize::try_from(integer_in("limit", &t, 1, MAX_LIMIT as u64)?)
                .map_err(|_| ApiError::bad("limit", "limit does not fit this machine"))?,
        };
        let offset = match raw.offset {
            None => 0,
            Some(t) => usize::try_from(integer_in("offset", &t, 0, MAX_OFFSET as u64)?)
                .map_err(|_| ApiError::bad("offset", "offset does not fit this machine"))?,
        };
        Ok(ItemsQuery {
            bbox: raw.bbox.as_deref().map(BBox::parse).transpose()?,
            datetime: raw.datetime.as_deref().map(Interval::parse).transpose()?,
            limit,
            offset,
            extra: Vec::new(),
        })
    }
}

impl CheckedQuery for ItemsQuery {
    type Raw = RawItemsQuery;

    fn check(raw: RawItemsQuery) -> Result<ItemsQuery, ApiError> {
        ItemsQuery::try_from(raw)
    }
}

impl ItemsQuery {
    /// The query string for the same filters at another offset, parameters in a fixed order.
    pub fn query_string(&self, offset: usize) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::with_capacity(4 + self.extra.len());
        if let Some(b) = &self.bbox {
            pairs.push(("bbox", b.to_string()));
        }
        if let Some(d) = &self.datetime {
            pairs.push(("datetime", d.to_query()));
        }
        pairs.push(("limit", self.limit.to_string()));
        pairs.push(("offset", offset.to_string()));
        pairs.extend(self.extra.iter().map(|(k, v)| (k.as_str(), v.clone())));
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::extract::parse_query;

    #[test]
    fn defaults_and_limits() {
        let q: ItemsQuery = parse_query("").unwrap();
        assert_eq!((q.limit, q.offset, q.bbox, q.datetime), (10, 0, None, None));
        let q: ItemsQuery = parse_query("limit=10000&offset=20&f=json").unwrap();
        assert_eq!((q.limit, q.offset), (10_000, 20));
        for (query, parameter) in [
            ("limit=0", "limit"),
            ("limit=10001", "limit"),
            ("limit=abc", "limit"),
            ("offset=-1", "offset"),
            ("offset=99999999999", "offset"),
            ("f=html", "f"),
            ("bbox=1,2", "bbox"),
            ("datetime=yesterday", "datetime"),
            ("colour=red", "colour"),
        ] {
            let e = parse_query::<ItemsQuery>(query).unwrap_err();
            assert_eq!(e.parameter(), Some(parameter), "{query}");
        }
    }

    #[test]
    fn query_string_round_trips() {
        let q: ItemsQuery =
            parse_query("datetime=2017-06-01T00:00:00Z/..&bbox=-1.1,50.7,-1.0,50.9&limit=5")
                .unwrap();
        let s = q.query_string(5);
        assert_eq!(
            s,
            "bbox=-1.1%2C50.7%2C-1%2C50.9&datetime=2017-06-01T00%3A00%3A00Z%2F..&limit=5&offset=5"
        );
        let back: ItemsQuery = parse_query(&s).unwrap();
        assert_eq!(
            (back.bbox, back.datetime, back.limit),
            (q.bbox, q.datetime, 5)
        );
    }
}
