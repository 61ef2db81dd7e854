//! The middleware every request passes: CORS for the sites' origins, the request log (which also logs the
//! cause of a 5xx, once) with the headers every answer carries, and the canonical-path fallback.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::error::AppError;
use crate::http::ErrorCause;
use crate::http::metrics::Metrics;
use crate::state::AppState;

const ALLOW_METHODS: &str = "GET, POST, PATCH, DELETE";
/// Idempotency-Key: the widget sends one with every new comment (a retry reuses it).
const ALLOW_HEADERS: &str = "Content-Type, Authorization, Idempotency-Key";

/// Middleware: CORS for the API. Only origins some site allows get an `Access-Control-Allow-Origin`;
/// whether the origin may write to a particular site is checked by the handler.
pub async fn cors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let origin = req.headers().get(header::ORIGIN).cloned();
    let allowed = match origin.as_ref().and_then(|o| o.to_str().ok()) {
        Some(o) => match state.sites.knows_origin(o).await {
            Ok(known) => known,
            Err(e) => return AppError::Internal(e).into_response(),
        },
        None => false,
    };
    let preflight =
        req.method() == Method::OPTIONS && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = if preflight {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(req).await
    };
    let headers = response.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    if let (true, Some(origin)) = (allowed, origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("Retry-After"),
        );
        if preflight {
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static(ALLOW_METHODS),
            );
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static(ALLOW_HEADERS),
            );
            headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("86400"));
        }
    }
    response
}

/// Middleware: one log line per request (method, path, status, latency; never a query, body or token),
/// and headers every response carries.
pub async fn log_and_harden(State(metrics): State<Option<Arc<Metrics>>>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    // The parsed target shares the request's buffer: cloning it counts a reference, copying the path
    // would allocate on every request.
    let uri = req.uri().clone();
    let shown = loggable(uri.path());
    let path: &str = &shown;
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // A route may have set a stricter policy of its own (the admin UI does).
    headers
        .entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("strict-origin-when-cross-origin"));
    let status = response.status().as_u16();
    let latency_us = start.elapsed().as_micros() as u64;
    if let Some(metrics) = &metrics {
        let route = response
            .extensions()
            .get::<Route>()
            .map_or("unmatched", |r| r.0.as_str());
        metrics.request(route, method.as_str(), status, start.elapsed().as_secs_f64());
    }
    match response.extensions_mut().remove::<ErrorCause>() {
        Some(ErrorCause(cause)) => tracing::error!(%method, path, status, latency_us, error = %cause, "request failed"),
        None => tracing::info!(%method, path, status, latency_us, "request"),
    }
    response
}

/// The route pattern that answered (`/api/v1/comments/{id}`), handed from the router to the log layer.
#[derive(Clone)]
struct Route(MatchedPath);

/// Copies the matched route onto the response (a route layer: requests that match no route skip it).
pub async fn matched_route(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().cloned();
    let mut response = next.run(req).await;
    if let Some(route) = route {
        response.extensions_mut().insert(Route(route));
    }
    response
}

/// The path as the log shows it: the signed token of a mail link is a credential (a moderator's action,
/// an unsubscribe), so those paths are logged without it.
fn loggable(path: &str) -> std::borrow::Cow<'_, str> {
    for prefix in ["/admin/mail/", "/notify/confirm/", "/notify/unsubscribe/"] {
        if path.starts_with(prefix) {
            return format!("{prefix}{{token}}").into();
        }
    }
    path.into()
}

/// Fallback for paths no route knows: a page path with a trailing slash (`/admin/`) redirects to its
/// canonical form, anything else is a 404.
pub async fn canonical_path(req: Request) -> Response {
    let path = req.uri().path();
    let trimmed = path.trim_end_matches('/');
    if trimmed.len() < path.len() && !trimmed.is_empty() && matches!(*req.method(), Method::GET | Method::HEAD) {
        let target = match req.uri().query() {
            Some(q) => format!("{trimmed}?{q}"),
            None => trimmed.to_owned(),
        };
        // `//evil.example/` (or `/\evil.example/`, which browsers read the same) must not become a
        // redirect to another host.
        if !(target.starts_with("//") || target.starts_with("/\\")) {
            return Redirect::permanent(&target).into_response();
        }
    }
    AppError::NotFound("no such page").into_response()
}
