//! The demo article at `/`, with the widget embedded.

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use tracing::instrument;

use crate::error::AppError;
use crate::state::AppState;

/// A blog article with the widget embedded exactly as a site owner pastes it.
#[derive(Template)]
#[template(path = "demo.html")]
struct Demo<'a> {
    public_url: &'a str,
}

#[instrument(level = "debug", skip_all)]
pub async fn demo(State(state): State<AppState>) -> Response {
    if !state.config.demo_on() {
        return AppError::NotFound("no demo on this server (demo = false, or public_url is set)").into_response();
    }
    // The page allows scripts, styles and requests only from itself and the comment server: the widget
    // must work under exactly such a policy.
    let csp = format!(
        "default-src 'self' {0}; script-src 'self' {0}; style-src 'self' {0}; connect-src 'self' {0}; \
         frame-ancestors 'none'",
        state.public_url
    );
    match (Demo {
        public_url: &state.public_url,
    })
    .render()
    {
        Ok(html) => (
            [
                (header::CONTENT_SECURITY_POLICY, csp),
                (header::CACHE_CONTROL, "no-cache".into()),
            ],
            Html(html),
        )
            .into_response(),
        Err(e) => AppError::Internal(anyhow::anyhow!("demo template: {e}")).into_response(),
    }
}
