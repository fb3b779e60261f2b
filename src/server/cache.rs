//! Conditional GETs: every successful GET (except `/health`, and the map page's files, which
//! are tagged by their content in [`web`](super::web)) carries an ETag and
//! `Cache-Control: no-cache`; a matching `If-None-Match` gets `304 Not Modified` without
//! running the handler.
//!
//! 1. Pin the current snapshot in the request's extensions, so the handler reads the same
//!    version the ETag names even if an ingest swaps a new one in meanwhile.
//! 2. ETag = `W/"<snapshot version>-<16 hex digits>"`, the digits from SHA-256 over the crate
//!    version, the base URL (links in bodies are absolute), the path and the query's pairs
//!    sorted (so `a=1&b=2` and `b=2&a=1` share a tag). Weak, because the compression layer may
//!    change the bytes but never the meaning.
//! 3. `If-None-Match` holding that tag → 304 with the ETag; else run the handler and
//!    tag a 2xx answer. Errors are not tagged: a client must not revalidate an error.

use std::fmt::Write as _;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::state::{AppState, BaseUrl, Snap};

/// The query string's `&`-separated pairs, sorted (empty pairs dropped), so `a=1&b=2` and
/// `b=2&a=1` share a tag. Pairs are compared as sent, not decoded: two spellings of one value
/// (`%20` and `+`) get two tags, which costs a revalidation at most, never a wrong answer.
fn sorted_pairs(query: &str) -> Vec<&str> {
    let mut pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    pairs.sort_unstable();
    pairs
}

/// The ETag of a response: snapshot version, base URL, path and the sorted query pairs.
pub fn etag(version: u64, base: &str, path: &str, query: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut h = Sha256::new();
    for part in [env!("CARGO_PKG_VERSION"), base, path] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    for pair in sorted_pairs(query) {
        h.update(pair.as_bytes());
        h.update([b'&']);
    }
    let digest = h.finalize();
    // `W/"` + up to 20 digits + `-` + 16 hex digits + `"`: one allocation.
    let mut tag = String::with_capacity(48);
    let _ = write!(tag, "W/\"{version}-");
    for &b in &digest[..8] {
        tag.push(char::from(HEX[usize::from(b >> 4)]));
        tag.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    tag.push('"');
    tag
}

/// Whether an `If-None-Match` header matches `tag` (weak comparison, RFC 9110 §13.1.2).
pub(crate) fn matches(headers: &HeaderMap, tag: &str) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let ours = opaque(tag);
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| opaque(t) == ours)
}

/// The middleware (see the module doc).
pub async fn conditional(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD)
        || req.uri().path() == "/health"
        || super::web::is_static(req.uri().path())
    {
        return next.run(req).await;
    }
    // A request with credentials may be answered with what only they may see (repeat
    // victims): no shared tag, and no cache may keep it.
    if req.headers().contains_key(header::AUTHORIZATION) {
        let mut response = next.run(req).await;
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
        return response;
    }
    let (parts, body) = req.into_parts();
    let base = match BaseUrl::of(&parts, state.config()) {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    req = Request::from_parts(parts, body);
    let snap = state.snapshot();
    let tag = etag(
        snap.version(),
        &base.0,
        req.uri().path(),
        req.uri().query().unwrap_or_default(),
    );
    let Ok(tag_value) = HeaderValue::from_str(&tag) else {
        return next.run(req).await;
    };
    let no_cache = HeaderValue::from_static("no-cache");
    if matches(req.headers(), &tag) {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, tag_value), (header::CACHE_CONTROL, no_cache)],
        )
            .into_response();
    }
    req.extensions_mut().insert(Snap(snap));
    let mut response = next.run(req).await;
    if response.status().is_success() {
        let h = response.headers_mut();
        h.insert(header::ETAG, tag_value);
        h.insert(header::CACHE_CONTROL, no_cache);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_order_does_not_matter() {
        assert_eq!(sorted_pairs("b=2&a=1&"), ["a=1", "b=2"]);
        assert_eq!(
            etag(3, "http://x", "/ogc", "a=1&b=2"),
            etag(3, "http://x", "/ogc", "b=2&&a=1")
        );
        assert_ne!(
            etag(3, "http://x", "/ogc", "a=1&b=2"),
            etag(3, "http://x", "/ogc", "a=1b=2")
        );
        assert_eq!(
            etag(3, "http://x", "/ogc", "limit=5&offset=0"),
            etag(3, "http://x", "/ogc", "offset=0&limit=5")
        );
        assert_ne!(
            etag(3, "http://x", "/ogc", "limit=5"),
            etag(4, "http://x", "/ogc", "limit=5")
        );
        assert_ne!(
            etag(3, "http://x", "/ogc", "limit=5"),
            etag(3, "http://x", "/ogc", "limit=6")
        );
        assert_ne!(
            etag(3, "http://x", "/ogc", ""),
            etag(3, "http://y", "/ogc", "")
        );
        assert!(etag(3, "http://x", "/ogc", "").starts_with("W/\"3-"));
    }

    #[test]
    fn if_none_match_forms() {
        let tag = "W/\"3-00ff\"";
        let mut h = HeaderMap::new();
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"x\", W/\"3-00ff\""),
        );
        assert!(matches(&h, tag));
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"3-00ff\""),
        );
        assert!(matches(&h, tag));
        // `*` would need the handler to know the resource exists; a full answer is always allowed.
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert!(!matches(&h, tag));
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("W/\"4-00ff\""),
        );
        assert!(!matches(&h, tag));
    }
}
