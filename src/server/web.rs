//! The map page's files: `GET /` → `index.html`, `GET /web/*` → the web folder (never
//! `node_modules`), `GET /vendor/leaflet/*` → `node_modules/leaflet/dist/*`.
//!
//! 1. Check the path one segment at a time: no empty, `.`, `..` or hidden segment, no
//!    backslash or NUL, at most [`MAX_SEGMENTS`] segments; anything else is a 404.
//! 2. Resolve it under the root, then canonicalise both and require the file to stay under the
//!    root (a symbolic link cannot lead out).
//! 3. Serve only known file types ([`content_type`]), at most [`MAX_FILE_BYTES`], with a weak
//!    ETag from the content (the snapshot-based ETag of the data routes does not apply), and
//!    `304` when `If-None-Match` holds it.
//!
//! A missing Leaflet is a JSON 404 that says to run `npm ci` in the web folder.

use std::path::{Path, PathBuf};

use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::error::ApiError;
use super::state::AppState;

/// Largest file served, bytes (Leaflet's biggest file is ~150 KiB).
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Most path segments below a root.
pub const MAX_SEGMENTS: usize = 16;

/// The media type of a file name by its extension; `None` for types not served.
pub fn content_type(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript",
        "css" => "text/css",
        "json" | "map" => "application/json",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => return None,
    })
}

/// The checked relative path of a URL path tail, or `None` when it could escape or hide.
pub fn safe_relative(tail: &str) -> Option<PathBuf> {
    let segments: Vec<&str> = tail.split('/').collect();
    if segments.len() > MAX_SEGMENTS {
        return None;
    }
    let mut out = PathBuf::new();
    for s in segments {
        if s.is_empty() || s.starts_with('.') || s.contains(['\\', '\0', ':']) {
            return None;
        }
        out.push(s);
    }
    Some(out)
}

fn not_found(what: &str) -> ApiError {
    ApiError::NotFound {
        parameter: None,
        description: format!("no such file: {what}"),
    }
}

/// Reads `rel` under `root` after the checks of the module doc.
async fn read_under(root: &Path, rel: &Path) -> Result<Vec<u8>, std::io::Error> {
    let root = tokio::fs::canonicalize(root).await?;
    let file = tokio::fs::canonicalize(root.join(rel)).await?;
    if !file.starts_with(&root) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "outside the web folder",
        ));
    }
    let meta = tokio::fs::metadata(&file).await?;
    if !meta.is_file() || meta.len() > MAX_FILE_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "not a file, or too large",
        ));
    }
    tokio::fs::read(&file).await
}

/// Serves `tail` from `root`; `what` names it in a 404.
async fn serve_file(
    root: &Path,
    tail: &str,
    headers: &HeaderMap,
    missing: impl FnOnce() -> ApiError,
) -> Result<Response, ApiError> {
    let rel = safe_relative(tail).ok_or_else(|| not_found(tail))?;
    let media_type = content_type(tail).ok_or_else(|| not_found(tail))?;
    let bytes = match read_under(root, &rel).await {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing()),
        Err(e) => {
            return Err(ApiError::Internal {
                detail: format!("cannot read {}: {e}", rel.display()),
            });
        }
    };
    let digest = Sha256::digest(&bytes);
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let tag = format!("W/\"web-{hex}\"");
    let tag_value = HeaderValue::from_str(&tag).map_err(|e| ApiError::Internal {
        detail: format!("ETag {tag:?} is not a header value: {e}"),
    })?;
    let no_cache = HeaderValue::from_static("no-cache");
    if super::cache::matches(headers, &tag) {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, tag_value), (header::CACHE_CONTROL, no_cache)],
        )
            .into_response());
    }
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(media_type)),
            (header::ETAG, tag_value),
            (header::CACHE_CONTROL, no_cache),
        ],
        bytes,
    )
        .into_response())
}

/// Whether a request path is one of the static file routes (which carry their own ETags).
pub fn is_static(path: &str) -> bool {
    path == "/" || path.starts_with("/web/") || path.starts_with("/vendor/")
}

/// `GET /`: the map page.
pub async fn index(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let root = &state.config().web_dir;
    serve_file(root, "index.html", &headers, || {
        not_found(&format!(
            "index.html in {} (set the web folder with the server's web_dir)",
            root.display()
        ))
    })
    .await
}

/// `GET /web/{*path}`: a file of the web folder, never from `node_modules`.
pub async fn web_file(
    State(state): State<AppState>,
    UrlPath(path): UrlPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if path.split('/').next() == Some("node_modules") {
        return Err(not_found(&format!("/web/{path}")));
    }
    serve_file(&state.config().web_dir, &path, &headers, || {
        not_found(&format!("/web/{path}"))
    })
    .await
}

/// `GET /vendor/leaflet/{*path}`: Leaflet's `dist` files from `node_modules`.
pub async fn leaflet(
    State(state): State<AppState>,
    UrlPath(path): UrlPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let web_dir = &state.config().web_dir;
    let root = web_dir.join("node_modules/leaflet/dist");
    let installed = tokio::fs::metadata(&root).await.is_ok_and(|m| m.is_dir());
    if !installed {
        return Err(ApiError::NotFound {
            parameter: None,
            description: format!(
                "Leaflet is not installed: run `npm ci` in {} (or build with npm on the PATH)",
                web_dir.display()
            ),
        });
    }
    serve_file(&root, &path, &headers, || {
        not_found(&format!("/vendor/leaflet/{path}"))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cannot_escape_or_hide() {
        assert_eq!(safe_relative("app.js"), Some(PathBuf::from("app.js")));
        assert_eq!(
            safe_relative("images/a.png"),
            Some(PathBuf::from("images/a.png"))
        );
        for bad in [
            "../Cargo.toml",
            "a/../../x",
            "./app.js",
            ".git/config",
            "",
            "a//b",
            "a\\..\\b",
            "c:/x",
            "/etc/passwd",
        ] {
            assert_eq!(safe_relative(bad), None, "{bad}");
        }
        assert_eq!(safe_relative(&"a/".repeat(20)), None);
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("app.js"), Some("text/javascript"));
        assert_eq!(content_type("style.CSS"), Some("text/css"));
        assert_eq!(content_type("index.html"), Some("text/html; charset=utf-8"));
        assert_eq!(content_type("marker-icon.png"), Some("image/png"));
        assert_eq!(content_type("x.svg"), Some("image/svg+xml"));
        assert_eq!(content_type("Cargo.toml"), None);
        assert_eq!(content_type("noext"), None);
    }
}
