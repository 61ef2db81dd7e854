//! Per-client rate limits (tower-governor token buckets keyed by [`ClientIp`]).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::KeyExtractor;
use tower_governor::{GovernorError, GovernorLayer};

use super::client::ClientIp;

/// A token bucket: `burst` requests at once, then one more every `every_ms` milliseconds; 0 is no limit.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    pub burst: u32,
    pub every_ms: f64,
}

/// Keys the rate limiters by [`ClientIp`]; never by a header a client could forge.
#[derive(Clone, Copy)]
pub struct ClientKey;

impl KeyExtractor for ClientKey {
    type Key = IpAddr;

    fn extract<T>(&self, req: &axum::http::Request<T>) -> Result<IpAddr, GovernorError> {
        req.extensions()
            .get::<ClientIp>()
            .map(|c| c.0)
            .ok_or(GovernorError::UnableToExtractKey)
    }
}

pub type Limiter = GovernorLayer<ClientKey, governor::middleware::NoOpMiddleware, Body>;

/// A per-IP token bucket: `burst` at once, then one every `every_ms`; beyond it a JSON 429 with Retry-After.
/// Stale per-IP entries are dropped every minute so memory stays flat. `every_ms = 0` means no limit.
pub fn limiter(rate: Rate) -> Option<Limiter> {
    limiter_answering(rate, too_many_requests)
}

/// As [`limiter`], answering a refused request with `refuse(seconds to wait)` (pages for people, say).
pub fn limiter_answering(rate: Rate, refuse: fn(u64) -> Response) -> Option<Limiter> {
    if rate.every_ms == 0.0 {
        return None;
    }
    let config = Arc::new(
        GovernorConfigBuilder::default()
            .key_extractor(ClientKey)
            .period(Duration::from_secs_f64(rate.every_ms / 1000.0))
            .burst_size(rate.burst)
            .finish()
            .expect("burst and period were checked to be positive"),
    );
    let limiter = config.limiter().clone();
    if let Ok(handle) = tokio::runtime::Handle::try_current() {
        handle.spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                limiter.retain_recent();
                limiter.shrink_to_fit();
            }
        });
    }
    Some(GovernorLayer::new(config).error_handler(move |e| match e {
        GovernorError::TooManyRequests { wait_time, .. } => {
            let mut response = refuse(wait_time);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(wait_time.max(1)));
            // The refused request's body is never read, so the connection cannot carry another request:
            // say so, and the client reconnects cleanly instead of writing into a closed socket.
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
        other => {
            tracing::error!(error = %other, "rate limiter failed");
            super::error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "something went wrong on the server",
                None,
            )
        }
    }))
}

/// The JSON 429 with the seconds to wait.
pub fn too_many_requests(wait_secs: u64) -> Response {
    let mut response = super::error_response(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        "too many requests; try again later",
        None,
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(wait_secs.max(1)));
    response
}

/// Applies a limiter to every route of `router`, when there is one.
pub fn limit<S: Clone + Send + Sync + 'static>(router: axum::Router<S>, rate: Rate) -> axum::Router<S> {
    match limiter(rate) {
        Some(layer) => router.route_layer(layer),
        None => router,
    }
}
