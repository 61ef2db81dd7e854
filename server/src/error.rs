//! One error type for every handler, and the JSON body extractor that uses it. Each variant says its status
//! code and whether its message reaches the client; a 5xx always answers a fixed text, and its cause rides
//! in a response extension to the request log, which logs it once.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::domain::FieldError;
use crate::domain::pow::ChallengeError;
pub use crate::http::ErrorBody;
use crate::http::{ErrorCause, error_response, limit::too_many_requests, query::Missing};
use crate::store::StoreError;

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// The largest request body any endpoint accepts.
pub const MAX_BODY: usize = 64 * 1024;

#[derive(Debug)]
pub enum AppError {
    /// 400: malformed request (bad JSON, bad query string); message sent.
    BadRequest(String),
    /// 403: not allowed (wrong origin, wrong token, edit window over); message sent.
    Forbidden(&'static str),
    /// 403: proof of work missing or bad: `challenge_required` / `challenge_invalid`; message sent.
    Challenge(ChallengeError),
    /// 403: the thread is closed: `thread_closed`.
    ThreadClosed,
    /// 409: conflicts with what is stored; message sent.
    Conflict(&'static str),
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

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Refused(e) => Self::Invalid(e),
            StoreError::Challenge(e) => Self::Challenge(e),
            StoreError::Closed => Self::ThreadClosed,
            StoreError::Conflict(m) => Self::Conflict(m),
            StoreError::Failed(e) => Self::Internal(e),
        }
    }
}

impl From<Missing> for AppError {
    fn from(Missing(key): Missing) -> Self {
        Self::BadRequest(format!("the query parameter {key} is missing"))
    }
}

impl AppError {
    /// Status, machine code, message for people and (for 422) the field.
    pub fn parts(&self) -> (StatusCode, &'static str, &str, Option<&'static str>) {
        match self {
            Self::BadRequest(m) => (StatusCode::BAD_REQUEST, "bad_request", m.as_str(), None),
            Self::Forbidden(m) => (StatusCode::FORBIDDEN, "forbidden", *m, None),
            Self::Challenge(e) => (StatusCode::FORBIDDEN, e.code(), e.message(), None),
            Self::ThreadClosed => (
                StatusCode::FORBIDDEN,
                "thread_closed",
                "this thread is closed and takes no new comments",
                None,
            ),
            Self::Conflict(m) => (StatusCode::CONFLICT, "conflict", *m, None),
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
            Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "something went wrong on the server",
                None,
            ),
        }
    }
}

impl AppError {
    /// For a 500, the cause, to be logged once by the request log.
    pub fn cause(&self) -> Option<ErrorCause> {
        match self {
            Self::Internal(e) => Some(ErrorCause(format!("{e:#}").into())),
            _ => None,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let Self::TooManyRequests(secs) = self {
            return too_many_requests(secs);
        }
        let (status, code, message, field) = self.parts();
        let mut response = error_response(status, code, message, field);
        if let Some(cause) = self.cause() {
            response.extensions_mut().insert(cause);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_500_answers_a_fixed_text_and_carries_its_cause_to_the_log_only() {
        let response = AppError::Internal(anyhow::anyhow!("disk on fire").context("failed to store")).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let cause = response
            .extensions()
            .get::<ErrorCause>()
            .expect("the cause rides along");
        assert_eq!(&*cause.0, "failed to store: disk on fire");
        let not_found = AppError::NotFound("no such comment").into_response();
        assert!(not_found.extensions().get::<ErrorCause>().is_none());
    }
}
