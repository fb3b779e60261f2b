//! What every handler shares: the current snapshot (swapped whole after each ingest) and the
//! server's configuration.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use axum::http::uri::Authority;

use super::analyses::{AnalysisCache, DEFAULT_ANALYSIS_CACHE_ENTRIES};
use super::error::ApiError;
use super::tiles::{
    DEFAULT_TILE_CACHE_ENTRIES, DEFAULT_TILE_SOURCE_ENTRIES, TileCache, TileSources,
};
use crate::index::Snapshot;
use crate::time::EventCalendar;

/// Default environment variable holding the write token (interface.md: `--token-env`).
pub const DEFAULT_TOKEN_ENV: &str = "HOTSPOT_TOKEN";

/// Default cap on a request body, bytes (32 MiB: a year of a force's police.uk CSVs is ~20 MiB).
pub const DEFAULT_BODY_LIMIT_BYTES: usize = 32 * 1024 * 1024;

/// Default time a request may take before it is abandoned.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// How the server is set up.
#[derive(Clone)]
pub struct ServerConfig {
    /// The bearer token writes must present; `None` makes the server read-only.
    pub token: Option<String>,
    /// The public base URL links are built from (`https://maps.example.org`, no trailing
    /// slash); `None` uses `http://` and the request's `Host`.
    pub base_url: Option<String>,
    /// Cap on request bodies, bytes; larger bodies get 413.
    pub body_limit_bytes: usize,
    /// Time a request may take; slower ones get a JSON 503.
    pub request_timeout: Duration,
    /// The map page's folder (`index.html`, `app.js`, ... and `node_modules/leaflet`).
    pub web_dir: PathBuf,
    /// The store `POST /api/incidents` writes to; `None` = no ingest over HTTP.
    pub store: Option<PathBuf>,
    /// Event days for `calendar=events` (loaded by the CLI); `None` makes that value a 400.
    pub events: Option<Arc<EventCalendar>>,
    /// Most analyses kept in the analysis cache (least recently used go first); at least 1.
    pub analysis_cache_entries: usize,
}

/// The map page's folder in the source tree, the default [`ServerConfig::web_dir`].
pub const DEFAULT_WEB_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/web");

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            token: None,
            base_url: None,
            body_limit_bytes: DEFAULT_BODY_LIMIT_BYTES,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            web_dir: PathBuf::from(DEFAULT_WEB_DIR),
            store: None,
            events: None,
            analysis_cache_entries: DEFAULT_ANALYSIS_CACHE_ENTRIES,
        }
    }
}

impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field("token", &self.token.as_ref().map(|_| "<set>"))
            .field("base_url", &self.base_url)
            .field("body_limit_bytes", &self.body_limit_bytes)
            .field("request_timeout", &self.request_timeout)
            .field("web_dir", &self.web_dir)
            .field("events", &self.events.is_some())
            .field("analysis_cache_entries", &self.analysis_cache_entries)
            .finish()
    }
}

/// A base URL that cannot be used for links.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("base URL {0:?} must start with http:// or https:// and name a host")]
pub struct BadBaseUrl(pub String);

impl ServerConfig {
    /// Defaults, with the token read from the environment variable `token_env` (an empty
    /// value counts as none).
    pub fn from_env(token_env: &str) -> ServerConfig {
        let token = std::env::var(token_env)
            .ok()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
        ServerConfig {
            token,
            ..ServerConfig::default()
        }
    }

    /// Sets the event calendar for `calendar=events` (the CLI's `--events FILE`).
    pub fn with_events(mut self, events: Option<EventCalendar>) -> ServerConfig {
        self.events = events.map(Arc::new);
        self
    }

    /// Sets the store `POST /api/incidents` writes to.
    pub fn with_store(mut self, store: impl Into<PathBuf>) -> ServerConfig {
        self.store = Some(store.into());
        self
    }

    /// Sets the map page's folder.
    pub fn with_web_dir(mut self, web_dir: impl Into<PathBuf>) -> ServerConfig {
        self.web_dir = web_dir.into();
        self
    }

    /// Sets the public base URL, checked (a trailing slash is dropped).
    pub fn with_base_url(mut self, url: &str) -> Result<ServerConfig, BadBaseUrl> {
        let trimmed = url.trim().trim_end_matches('/');
        let rest = trimmed
            .strip_prefix("http://")
            .or_else(|| trimmed.strip_prefix("https://"))
            .ok_or_else(|| BadBaseUrl(url.to_owned()))?;
        let host = rest.split('/').next().unwrap_or_default();
        if host.parse::<Authority>().is_err() || host.is_empty() {
            return Err(BadBaseUrl(url.to_owned()));
        }
        self.base_url = Some(trimmed.to_owned());
        Ok(self)
    }
}

/// The shared state: cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    snapshot: ArcSwap<Snapshot>,
    config: ServerConfig,
    analyses: AnalysisCache,
    tile_sources: TileSources,
    ingest_lock: tokio::sync::Mutex<()>,
    tile_cache: TileCache,
}

impl fmt::Debug for AppState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppState")
            .field("version", &self.snapshot().version())
            .field("config", &self.inner.config)
            .finish()
    }
}

impl AppState {
    /// State serving `snapshot`.
    pub fn new(snapshot: Snapshot, config: ServerConfig) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                snapshot: ArcSwap::from_pointee(snapshot),
                analyses: AnalysisCache::new(config.analysis_cache_entries),
                tile_sources: TileSources::new(DEFAULT_TILE_SOURCE_ENTRIES),
                ingest_lock: tokio::sync::Mutex::new(()),
                tile_cache: TileCache::new(DEFAULT_TILE_CACHE_ENTRIES),
                config,
            }),
        }
    }

    /// The current snapshot. Requests in flight keep the one they started with.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.inner.snapshot.load_full()
    }

    /// Swaps in a new snapshot (after an ingest) and returns the old one; readers never see a
    /// half-built snapshot.
    pub fn replace(&self, snapshot: Snapshot) -> Arc<Snapshot> {
        self.inner.snapshot.swap(Arc::new(snapshot))
    }

    /// The configuration.
    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    /// The analysis cache shared by every request and tile.
    pub fn analyses(&self) -> &AnalysisCache {
        &self.inner.analyses
    }

    /// Encoded tiles already served (keyed by snapshot version, so an ingest shows at once).
    pub fn tile_cache(&self) -> &TileCache {
        &self.inner.tile_cache
    }

    /// Held while an HTTP ingest writes the store and swaps the snapshot, so ingests are
    /// serialised (SQLite has one writer) and snapshots are swapped in version order.
    pub fn ingest_lock(&self) -> &tokio::sync::Mutex<()> {
        &self.inner.ingest_lock
    }

    /// The tile sources of static layers and incident selections.
    pub fn tile_sources(&self) -> &TileSources {
        &self.inner.tile_sources
    }
}

/// The snapshot a request reads: the one pinned by the caching layer when it computed the
/// ETag (so the ETag and the body always agree), else the current one.
#[derive(Debug, Clone)]
pub struct Snap(pub Arc<Snapshot>);

impl FromRequestParts<AppState> for Snap {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Snap, ApiError> {
        Ok(parts
            .extensions
            .get::<Snap>()
            .cloned()
            .unwrap_or_else(|| Snap(state.snapshot())))
    }
}

/// The absolute base URL for links in this request's responses, without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(pub String);

impl BaseUrl {
    /// From the configured base URL, else `http://` plus the request's authority or `Host`
    /// header (checked, since it is echoed into links), else `http://localhost`.
    pub fn of(parts: &Parts, config: &ServerConfig) -> Result<BaseUrl, ApiError> {
        if let Some(url) = &config.base_url {
            return Ok(BaseUrl(url.clone()));
        }
        if let Some(authority) = parts.uri.authority() {
            return Ok(BaseUrl(format!("http://{authority}")));
        }
        match parts.headers.get(header::HOST) {
            None => Ok(BaseUrl("http://localhost".to_owned())),
            Some(value) => {
                let text = value
                    .to_str()
                    .map_err(|_| ApiError::bad("Host", "the Host header is not ASCII"))?;
                let authority: Authority = text.parse().map_err(|_| {
                    ApiError::bad(
                        "Host",
                        format!("the Host header {text:?} is not a host[:port]"),
                    )
                })?;
                if authority.as_str().contains('@') {
                    return Err(ApiError::bad(
                        "Host",
                        "the Host header must not hold user info",
                    ));
                }
                Ok(BaseUrl(format!("http://{authority}")))
            }
        }
    }
}

impl FromRequestParts<AppState> for BaseUrl {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<BaseUrl, ApiError> {
        BaseUrl::of(parts, state.config())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(host: Option<&str>) -> Parts {
        let mut b = Request::builder().uri("/ogc");
        if let Some(h) = host {
            b = b.header(header::HOST, h);
        }
        b.body(()).unwrap().into_parts().0
    }

    #[test]
    fn base_url_sources() {
        let c = ServerConfig::default();
        assert_eq!(BaseUrl::of(&parts(None), &c).unwrap().0, "http://localhost");
        assert_eq!(
            BaseUrl::of(&parts(Some("maps.example.org:8080")), &c)
                .unwrap()
                .0,
            "http://maps.example.org:8080"
        );
        assert!(BaseUrl::of(&parts(Some("bad host/<x>")), &c).is_err());
        assert!(BaseUrl::of(&parts(Some("u@evil.example")), &c).is_err());
        let c = c
            .with_base_url("https://maps.example.org/hotspot/")
            .unwrap();
        assert_eq!(
            BaseUrl::of(&parts(Some("other")), &c).unwrap().0,
            "https://maps.example.org/hotspot"
        );
        assert!(ServerConfig::default().with_base_url("ftp://x").is_err());
        assert!(ServerConfig::default().with_base_url("http://").is_err());
    }

    #[test]
    fn debug_hides_the_token() {
        let c = ServerConfig {
            token: Some("s3cret".into()),
            ..ServerConfig::default()
        };
        assert!(!format!("{c:?}").contains("s3cret"));
    }
}
