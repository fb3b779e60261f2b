//! The HTTP server (`hotspot serve`): the map page ([`web`]), health, the analysis API
//! ([`api`], over the shared [`analyses`] cache), vector tiles ([`tiles`]), OGC API –
//! Features, the OpenAPI document, and the layers every response goes through.
//!
//! A request passes, outermost first:
//! 1. tracing (one span per request);
//! 2. gzip compression, when the client accepts it;
//! 3. CORS for GET (any origin: the data are published statistics);
//! 4. the error normaliser: any error answer that is not yet JSON (a layer's 413 or timeout,
//!    axum's 405) becomes `{"code", "description", "parameter"}`;
//! 5. the request timeout ([`ServerConfig::request_timeout`]) and body limit
//!    ([`ServerConfig::body_limit_bytes`]);
//! 6. the token check for writes ([`auth`]);
//! 7. conditional GETs: ETag, `Cache-Control: no-cache`, 304 ([`cache`]);
//! 8. the routes, and a JSON 404 for any other path.
//!
//! Handlers read the snapshot pinned for the request ([`Snap`]); ingest swaps a new one in
//! with [`AppState::replace`] and requests in flight finish on the old one.

pub mod analyses;
pub mod api;
pub mod auth;
pub mod cache;
pub mod error;
pub mod evidence;
pub mod extract;
pub mod ingest;
pub mod licensing;
pub mod memo;
pub mod ogc;
pub mod openapi;
pub mod patrol;
pub mod scorecards;
pub mod state;
pub mod tiles;
pub mod web;

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::Request;
use axum::handler::Handler;
use axum::http::{Method, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use error::ApiError;
pub use state::{
    AppState, BaseUrl, DEFAULT_BODY_LIMIT_BYTES, DEFAULT_REQUEST_TIMEOUT, DEFAULT_TOKEN_ENV,
    DEFAULT_WEB_DIR, ServerConfig, Snap,
};

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The system's reason.
        source: std::io::Error,
    },
    /// Accepting or serving failed.
    #[error("server failed: {0}")]
    Io(#[from] std::io::Error),
}

/// One route of [`app`]: method and path template (axum's `{name}` and `{*rest}` syntax).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// HTTP method.
    pub method: Method,
    /// Path template, e.g. `/ogc/collections/{collectionId}` or `/web/{*path}`.
    pub path: &'static str,
}

impl Route {
    /// The template in OpenAPI's syntax (`{*path}` becomes `{path}`).
    pub fn openapi_path(&self) -> String {
        self.path.replace("{*", "{")
    }
}

/// Builds the router and the table of its routes together, so the two cannot drift.
struct Routes {
    router: Router<AppState>,
    table: Vec<Route>,
}

impl Routes {
    fn get<H, T>(mut self, path: &'static str, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.route(path, axum::routing::get(handler));
        self.table.push(Route {
            method: Method::GET,
            path,
        });
        self
    }

    fn post<H, T>(mut self, path: &'static str, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.route(path, axum::routing::post(handler));
        self.table.push(Route {
            method: Method::POST,
            path,
        });
        self
    }
}

fn routes() -> Routes {
    Routes {
        router: Router::new(),
        table: Vec::new(),
    }
    .get("/", web::index)
    .get("/web/{*path}", web::web_file)
    .get("/vendor/leaflet/{*path}", web::leaflet)
    .get("/health", health)
    .get("/api/openapi.json", openapi_json)
    .get("/api/stats", api::stats)
    .get("/api/hotspots", api::hotspots)
    .get("/api/emerging", api::emerging)
    .get("/api/density", api::density)
    .post("/api/incidents", ingest::post_incidents)
    .get("/tiles/{layer}", tiles::tile_json)
    .get("/tiles/{layer}/{z}/{x}/{y}", tiles::tile)
    .get("/ogc", ogc::landing)
    .get("/ogc/conformance", ogc::conformance)
    .get("/ogc/collections", ogc::collections)
    .get("/ogc/collections/{collectionId}", ogc::collection)
    .get("/ogc/collections/{collectionId}/items", ogc::items)
    .get(
        "/ogc/collections/{collectionId}/items/{featureId}",
        ogc::item,
    )
    .get("/api/evaluate", api::evaluate)
    .get("/api/patrol", patrol::patrol)
    .get("/api/licensing/purple-flag", scorecards::purple_flag)
    .get("/api/targets", scorecards::targets)
    .get("/api/licensing/review", licensing::review)
    .get("/api/licensing/zones", licensing::zones)
    .get("/api/knox", evidence::knox)
    .get("/api/repeats", evidence::repeats)
    .get("/api/intervention", evidence::intervention)
    .get("/api/cctv", api::cctv)
}

/// Every route [`app`] serves (for the OpenAPI check and for documentation).
pub fn route_table() -> Vec<Route> {
    routes().table
}

/// The application: routes plus every layer, over `state`.
pub fn app(state: AppState) -> Router {
    let config = state.config().clone();
    let limits = error::Limits {
        body_limit_bytes: config.body_limit_bytes,
        timeout_s: config.request_timeout.as_secs(),
    };
    routes()
        .router
        .fallback(fallback)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            cache::conditional,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_token_for_writes,
        ))
        .layer(RequestBodyLimitLayer::new(config.body_limit_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            config.request_timeout,
        ))
        .layer(middleware::map_response(move |r: Response| async move {
            error::normalise(limits, r)
        }))
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS])
                .allow_headers([header::IF_NONE_MATCH, header::CONTENT_TYPE])
                .expose_headers([header::ETAG]),
        )
        .layer(CompressionLayer::new().gzip(true))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// `GET /health`: `200 ok`.
async fn health() -> &'static str {
    "ok"
}

/// `GET /api/openapi.json`.
async fn openapi_json(BaseUrl(base): BaseUrl) -> Response {
    ogc::typed_json(&openapi::document(&base), ogc::OPENAPI)
}

/// Any other path: a JSON 404.
async fn fallback(req: Request) -> Response {
    ApiError::no_route(req.uri().path()).into_response()
}

/// Serves `state` on `listener` until `shutdown` completes, then lets requests in flight
/// finish.
pub async fn serve_on(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

/// Binds `addr`, prints `Serving the map at http://ADDR/` (the bound address, so port 0
/// shows the port chosen) and serves until SIGTERM or Ctrl-C.
pub async fn serve(addr: SocketAddr, state: AppState) -> Result<(), ServeError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })?;
    let local = listener.local_addr()?;
    println!("Serving the map at http://{local}/");
    serve_on(listener, state, shutdown_signal()).await
}

/// Completes on Ctrl-C or (on Unix) SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
