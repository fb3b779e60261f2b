//! Bearer-token checks for writes.
//!
//! Applied to every request whose method is not GET, HEAD or OPTIONS, before routing, so a
//! write route added later cannot forget it:
//! - no token configured → 403 `read_only`;
//! - `Authorization: Bearer <token>` missing, malformed or wrong → 401 `unauthorized`;
//! - right token → the request goes on to its route.
//!
//! Tokens are compared through their SHA-256 digests, so the time taken does not depend on how
//! many leading bytes of a guess are right.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::error::ApiError;
use super::state::{AppState, ServerConfig};

/// Checks a request's bearer token against the configuration.
pub fn check_bearer(config: &ServerConfig, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(expected) = &config.token else {
        return Err(ApiError::ReadOnly);
    };
    let unauthorized = |why: &str| ApiError::Unauthorized {
        description: format!("{why}: send Authorization: Bearer <token>"),
    };
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| unauthorized("no Authorization header"))?;
    let text = value
        .to_str()
        .map_err(|_| unauthorized("the Authorization header is not ASCII"))?;
    let (scheme, token) = text
        .trim()
        .split_once(' ')
        .ok_or_else(|| unauthorized("the Authorization header is not a bearer token"))?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(unauthorized("the Authorization scheme is not Bearer"));
    }
    if Sha256::digest(token.trim().as_bytes()) != Sha256::digest(expected.as_bytes()) {
        return Err(unauthorized("the token is wrong"));
    }
    Ok(())
}

/// The middleware: writes need the token; reads pass.
pub async fn require_token_for_writes(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    match check_bearer(state.config(), req.headers()) {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(auth: Option<&'static str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(a) = auth {
            h.insert(header::AUTHORIZATION, HeaderValue::from_static(a));
        }
        h
    }

    #[test]
    fn token_rules() {
        let open = ServerConfig::default();
        assert_eq!(
            check_bearer(&open, &headers(Some("Bearer x"))),
            Err(ApiError::ReadOnly)
        );
        let c = ServerConfig {
            token: Some("s3cret".into()),
            ..ServerConfig::default()
        };
        assert!(check_bearer(&c, &headers(Some("Bearer s3cret"))).is_ok());
        assert!(check_bearer(&c, &headers(Some("bearer  s3cret"))).is_ok());
        for bad in [
            None,
            Some("Bearer s3cre"),
            Some("Basic s3cret"),
            Some("s3cret"),
        ] {
            let e = check_bearer(&c, &headers(bad)).unwrap_err();
            assert!(matches!(e, ApiError::Unauthorized { .. }), "{bad:?}");
        }
    }
}
