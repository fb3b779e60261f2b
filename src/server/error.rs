//! The one error type at the HTTP edge, and the layer that turns every other error response
//! (from axum's own rejections and from tower-http layers) into the same JSON shape.
//!
//! Body: `{"code": "...", "description": "...", "parameter": "..."}`; `parameter` is present
//! only when one query parameter or path segment is at fault.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Everything a request can fail with, as the client sees it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// A query parameter (or header value) is malformed or out of range: 400.
    #[error("{description}")]
    BadParameter {
        /// The parameter's name, as written in the query string.
        parameter: String,
        /// What is wrong and what would be accepted.
        description: String,
    },
    /// A write without a valid `Authorization: Bearer` token: 401.
    #[error("{description}")]
    Unauthorized {
        /// Why the token was refused.
        description: String,
    },
    /// A write to a server started without a token: 403.
    #[error(
        "this server is read-only: start it with a token in the environment variable named by --token-env to allow writes"
    )]
    ReadOnly,
    /// An unknown path, collection or feature: 404.
    #[error("{description}")]
    NotFound {
        /// The path parameter at fault (`collectionId`, `featureId`), if any.
        parameter: Option<String>,
        /// What was not found.
        description: String,
    },
    /// The method is not served on this path: 405.
    #[error("method not allowed on this path")]
    MethodNotAllowed,
    /// The request body is larger than the configured limit: 413.
    #[error("request body too large: the limit is {limit_bytes} bytes")]
    PayloadTooLarge {
        /// The configured limit, bytes.
        limit_bytes: usize,
    },
    /// The request took longer than the configured limit: 503.
    #[error("the request took longer than {timeout_s} s and was abandoned")]
    Timeout {
        /// The configured limit, seconds.
        timeout_s: u64,
    },
    /// A failure on the server's side: 500. The detail is logged, never sent.
    #[error("internal error")]
    Internal {
        /// What went wrong (logged only).
        detail: String,
    },
}

/// The JSON body of every error response.
#[derive(Debug, Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    parameter: Option<&'a str>,
}

impl ApiError {
    /// A 400 for `parameter`.
    pub fn bad(parameter: &str, description: impl Into<String>) -> ApiError {
        ApiError::BadParameter {
            parameter: parameter.to_owned(),
            description: description.into(),
        }
    }

    /// A 404 for an unknown path.
    pub fn no_route(path: &str) -> ApiError {
        ApiError::NotFound {
            parameter: None,
            description: format!(
                "no such path: {path} (see /api/openapi.json for the paths served)"
            ),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadParameter { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            ApiError::ReadOnly => StatusCode::FORBIDDEN,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Timeout { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The machine-readable `code` field.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadParameter { .. } => "bad_parameter",
            ApiError::Unauthorized { .. } => "unauthorized",
            ApiError::ReadOnly => "read_only",
            ApiError::NotFound { .. } => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::Timeout { .. } => "timeout",
            ApiError::Internal { .. } => "internal",
        }
    }

    /// The parameter at fault, if any.
    pub fn parameter(&self) -> Option<&str> {
        match self {
            ApiError::BadParameter { parameter, .. } => Some(parameter.as_str()),
            ApiError::NotFound { parameter, .. } => parameter.as_deref(),
            _ => None,
        }
        .filter(|p| !p.is_empty())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal { detail } = &self {
            tracing::error!(%detail, "internal error");
        }
        let body = ErrorBody {
            code: self.code(),
            description: self.to_string(),
            parameter: self.parameter(),
        };
        let mut response = (self.status(), Json(body)).into_response();
        if matches!(self, ApiError::Unauthorized { .. }) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// Limits the normaliser needs to describe layer-made errors.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub body_limit_bytes: usize,
    pub timeout_s: u64,
}

/// Rewrites an error response that is not already JSON (axum's plain-text rejections, the
/// empty 405 of a known path, tower-http's 413 and timeout responses) into the JSON shape,
/// keeping its status and headers such as `Allow`.
pub(crate) fn normalise(limits: Limits, response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return response;
    }
    let error = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge {
            limit_bytes: limits.body_limit_bytes,
        },
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
        StatusCode::SERVICE_UNAVAILABLE => ApiError::Timeout {
            timeout_s: limits.timeout_s,
        },
        StatusCode::NOT_FOUND => ApiError::NotFound {
            parameter: None,
            description: "not found".to_owned(),
        },
        StatusCode::BAD_REQUEST => ApiError::BadParameter {
            parameter: String::new(),
            description: "bad request".to_owned(),
        },
        other => ApiError::Internal {
            detail: format!("a layer answered {other} without a body"),
        },
    };
    let (mut parts, _) = response.into_parts();
    let fresh = error.into_response();
    parts.status = fresh.status();
    parts.headers.remove(header::CONTENT_LENGTH);
    let (fresh_parts, body) = fresh.into_parts();
    for (name, value) in &fresh_parts.headers {
        parts.headers.insert(name, value.clone());
    }
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_json(r: Response) -> serde_json::Value {
        let bytes = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn bad_parameter_names_it() {
        let r = ApiError::bad("limit", "limit must be 1–10000").into_response();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let v = body_json(r).await;
        assert_eq!(
            v,
            serde_json::json!({"code": "bad_parameter", "description": "limit must be 1–10000", "parameter": "limit"})
        );
    }

    #[tokio::test]
    async fn internal_hides_detail() {
        let r = ApiError::Internal {
            detail: "secret path /x".into(),
        }
        .into_response();
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let v = body_json(r).await;
        assert_eq!(
            v,
            serde_json::json!({"code": "internal", "description": "internal error"})
        );
    }

    #[tokio::test]
    async fn normalise_keeps_headers_and_status() {
        let plain = (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET,HEAD")],
            "",
        )
            .into_response();
        let r = normalise(
            Limits {
                body_limit_bytes: 10,
                timeout_s: 1,
            },
            plain,
        );
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(r.headers()[header::ALLOW], "GET,HEAD");
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/json");
        assert_eq!(body_json(r).await["code"], "method_not_allowed");
    }

    #[tokio::test]
    async fn normalise_describes_layer_errors() {
        let limits = Limits {
            body_limit_bytes: 1024,
            timeout_s: 60,
        };
        let cases = [
            (StatusCode::SERVICE_UNAVAILABLE, "timeout", "60 s"),
            (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "1024 bytes",
            ),
            (StatusCode::BAD_REQUEST, "bad_parameter", "bad request"),
        ];
        for (status, code, text) in cases {
            let r = normalise(limits, (status, "length limit exceeded").into_response());
            assert_eq!(r.status(), status);
            let v = body_json(r).await;
            assert_eq!(v["code"], code);
            assert!(v["description"].as_str().unwrap().contains(text), "{v}");
            assert!(v.get("parameter").is_none(), "{v}");
        }
        // JSON errors pass untouched.
        let own = ApiError::bad("limit", "x").into_response();
        let v = body_json(normalise(limits, own)).await;
        assert_eq!(v["parameter"], "limit");
    }
}
