//! One error type for every handler, and the JSON body extractor that uses it. Each variant says its status
//! code and whether its message reaches the client; a 5xx always answers a fixed text and logs the cause.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::domain::FieldError;

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// The largest request body any endpoint accepts.
pub const MAX_BODY: usize = 64 * 1024;

#[derive(Debug)]
pub enum AppError {
    /// 400: malformed request (bad JSON, bad query string); message sent.
    BadRequest(String),
    /// 403: not allowed (wrong origin, wrong token, edit window over); message sent.
    Forbidden(&'static str),
    /// 404: unknown site or comment; message sent.
    NotFound(&'static str),
    /// 405: the path exists, the method does not.
    MethodNotAllowed,
    /// 413: body over [`MAX_BODY`].
    PayloadTooLarge,
    /// 415: a write without `Content-Type: application/json`.
    UnsupportedMediaType,
    /// 422: a field broke its rule; field and message sent.
    Invalid(FieldError),
    /// 429: rate limit hit; the client may retry after this many seconds.
    TooManyRequests(u64),
    /// 500: anything else; logged with its cause, answered with a fixed text.
    Internal(anyhow::Error),
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        Self::Internal(e)
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        Self::Invalid(e)
    }
}

/// Every error answer: `{"error": {"code", "message", "field"?}}`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail<'a> {
    /// Machine-readable: bad_request, forbidden, not_found, method_not_allowed, payload_too_large,
    /// unsupported_media_type, invalid_field, rate_limited, internal.
    code: &'a str,
    /// For people, in English.
    message: &'a str,
    /// With invalid_field: the field that broke its rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

impl AppError {
    /// Status, machine code, message for people and (for 422) the field. Logs the cause of a 500.
    pub fn parts(&self) -> (StatusCode, &'static str, &str, Option<&'static str>) {
        match self {
            Self::BadRequest(m) => (StatusCode::BAD_REQUEST, "bad_request", m.as_str(), None),
            Self::Forbidden(m) => (StatusCode::FORBIDDEN, "forbidden", *m, None),
            Self::NotFound(m) => (StatusCode::NOT_FOUND, "not_found", *m, None),
            Self::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this method is not allowed here",
                None,
            ),
            Self::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "the request body is larger than 64 KiB",
                None,
            ),
            Self::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "the request body must be sent as Content-Type: application/json",
                None,
            ),
            Self::Invalid(e) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                e.message.as_str(),
                Some(e.field),
            ),
            Self::TooManyRequests(_) => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many requests; try again later",
                None,
            ),
            Self::Internal(e) => {
                tracing::error!(error = format!("{e:#}"), "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "something went wrong on the server",
                    None,
                )
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code, message, field) = self.parts();
        let body = serde_json::to_vec(&ErrorBody {
            error: ErrorDetail { code, message, field },
        })
        .unwrap_or_default();
        let mut response = (
            status,
            [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            body,
        )
            .into_response();
        if let Self::TooManyRequests(secs) = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
        }
        response
    }
}

/// A JSON request body: `application/json` (415 otherwise), at most [`MAX_BODY`] (413), well-formed UTF-8
/// JSON (400), of the right shape (422).
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(AppError::UnsupportedMediaType);
        }
        // Refuse an announced oversize body before reading a byte of it.
        let announced = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if announced.is_some_and(|n| n > MAX_BODY as u64) {
            return Err(AppError::PayloadTooLarge);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge
            } else {
                AppError::BadRequest("the request body could not be read".into())
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => AppError::Invalid(FieldError::new("body", e.to_string())),
        _ => AppError::BadRequest(format!("the body is not valid JSON: {e}")),
    })
}
