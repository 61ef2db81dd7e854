//! `GET /healthz`: whether this server and its database answer.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tracing::instrument;

use crate::state::AppState;

/// `GET /readyz`: 200 when the database answers and its schema is this build's (every migration applied,
/// none from a newer build), 503 otherwise: whether a load balancer should send this server requests.
#[instrument(level = "debug", skip_all)]
pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.ready().await {
        Ok(true) => Json(json!({"status": "ready"})).into_response(),
        Ok(false) => {
            tracing::error!("not ready: the database's schema is not this build's");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "schema"}))).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "unavailable"}))).into_response()
        }
    }
}

/// `GET /healthz`: 200 when the database answers, 503 when it does not.
#[instrument(level = "debug", skip_all)]
pub async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => Json(json!({"status": "ok"})).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "unavailable"}))).into_response()
        }
    }
}
