//! Plain pages: the front page and the health check.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use crate::error::AppError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "index.html")]
struct Index;

pub async fn index() -> Response {
    match Index.render() {
        Ok(html) => (
            [(header::CONTENT_SECURITY_POLICY, "default-src 'self'")],
            Html(html),
        )
            .into_response(),
        Err(e) => AppError::Internal(anyhow::anyhow!("index template: {e}")).into_response(),
    }
}

/// `GET /healthz`: 200 when the database answers, 503 when it does not.
pub async fn healthz(State(state): State<AppState>) -> Response {
    match state
        .db
        .read(|conn| conn.query_row("SELECT 1", [], |r| r.get::<_, i64>(0)))
        .await
    {
        Ok(_) => Json(json!({"status": "ok"})).into_response(),
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable"})),
            )
                .into_response()
        }
    }
}
