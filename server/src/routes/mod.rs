//! The one route table and its layers.

pub mod api;
pub mod assets;
pub mod feed;
pub mod openapi;
pub mod pages;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, patch, post};
use tower_http::timeout::TimeoutLayer;

use crate::error::{AppError, MAX_BODY};
use crate::net::{self, limit};
use crate::state::AppState;

pub fn app(state: AppState) -> Router {
    let rates = &state.config.rate_limits;
    let reads = Router::new()
        .route("/threads", get(api::thread))
        .route("/counts", get(api::counts))
        .route("/feed", get(feed::feed))
        .route("/openapi.json", get(openapi::document))
        .route("/comments/{id}", get(api::one));
    let posts = Router::new().route("/comments", post(api::create));
    let edits = Router::new()
        .route("/comments/{id}", patch(api::edit).delete(api::delete))
        .route("/comments/{id}/vote", post(api::vote))
        .route("/preview", post(api::preview));
    let (reads, posts, edits) = (
        limit(reads, rates.reads),
        limit(posts, rates.comments),
        limit(edits, rates.edits),
    );
    let api = reads
        .merge(posts)
        .merge(edits)
        .fallback(|| async { AppError::NotFound("no such endpoint") })
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .layer(from_fn_with_state(state.clone(), net::cors));
    Router::new()
        .route("/", get(pages::demo))
        .route("/embed.js", get(assets::embed_js))
        .route("/embed.css", get(assets::embed_css))
        .route("/demo.css", get(assets::demo_css))
        .route("/i18n/{file}", get(assets::translation))
        .route("/healthz", get(pages::healthz))
        .nest("/api/v1", api)
        .merge(crate::admin::router())
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            crate::serve::REQUEST_TIMEOUT,
        ))
        .layer(from_fn_with_state(state.clone(), net::client_ip))
        .layer(from_fn(net::log_and_harden))
        .with_state(state)
}
