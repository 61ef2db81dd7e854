//! `GET /metrics`: the Prometheus metrics of this server (`metrics = true`), behind `metrics_token` when set.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tracing::instrument;

use crate::error::AppError;
use crate::http::metrics::{CONTENT_TYPE, Snapshot};
use crate::state::AppState;

#[instrument(level = "debug", skip_all)]
pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(metrics) = &state.metrics else {
        return AppError::NotFound("no such endpoint").into_response();
    };
    if let Some(token) = &state.config.metrics_token {
        let sent = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        // Compared as digests: the time taken says nothing about how much of the token matched.
        if Sha256::digest(sent.as_bytes()) != Sha256::digest(token.as_bytes()) {
            let mut refused = (
                StatusCode::UNAUTHORIZED,
                axum::Json(serde_json::json!({"error": {"code": "unauthorized", "message": "this endpoint needs the metrics token: Authorization: Bearer TOKEN"}})),
            )
                .into_response();
            refused
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return refused;
        }
    }
    let connections = state.store.connections();
    let batches = state.store.batches();
    let outbox_depth = match state.store.outbox_depth().await {
        Ok(n) => Some(n),
        Err(e) => {
            tracing::warn!(error = %e, "metrics: the outbox depth could not be read");
            None
        }
    };
    let text = metrics.render(Snapshot {
        cache_hits: state.cache.hits(),
        cache_misses: state.cache.made(),
        db_open: connections.open,
        db_busy: connections.busy,
        db_max: connections.max,
        outbox_depth,
        commit_batches: batches.batches,
        batched_writes: batches.writes,
    });
    (
        [
            (header::CONTENT_TYPE, CONTENT_TYPE),
            (header::CACHE_CONTROL, "no-store"),
        ],
        text,
    )
        .into_response()
}
