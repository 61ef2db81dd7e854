//! Leaf helpers that know HTTP but not the application: content negotiation and cached answers, query
//! strings, the client address, rate limits, the login throttle and the accept loop. Nothing here
//! imports the state, the store or the routes.

pub mod cache;
pub mod client;
pub mod headers;
pub mod limit;
pub mod metrics;
pub mod query;
pub mod serve;
pub mod throttle;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Every error answer: `{"error": {"code", "message", "field"?}}`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail<'a> {
    /// Machine-readable: bad_request, forbidden, not_found, method_not_allowed, payload_too_large,
    /// unsupported_media_type, invalid_field, rate_limited, challenge_required, challenge_invalid, conflict,
    /// busy (too many live connections), internal.
    code: &'a str,
    /// For people, in English.
    message: &'a str,
    /// With invalid_field: the field that broke its rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

/// A JSON error answer.
pub fn error_response(status: StatusCode, code: &str, message: &str, field: Option<&str>) -> Response {
    let body = serde_json::to_vec(&ErrorBody {
        error: ErrorDetail { code, message, field },
    })
    .unwrap_or_default();
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        body,
    )
        .into_response()
}

/// The cause of a 5xx answer, carried to the one middleware that logs it.
#[derive(Clone, Debug)]
pub struct ErrorCause(pub std::sync::Arc<str>);
