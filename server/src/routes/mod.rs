//! The one route table and its layers.

pub mod admin;
pub mod api;
pub mod assets;
pub mod demo;
pub mod health;
pub mod links;
pub mod metrics;
pub mod middleware;
pub mod page;
pub mod post;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, patch, post};
use tower_http::timeout::TimeoutLayer;

use crate::error::{AppError, MAX_BODY};
use crate::http::client::{TrustedProxies, client_ip};
use crate::http::limit::{Limiter, limit, limiter};
use crate::http::serve::REQUEST_TIMEOUT;
use crate::state::AppState;
use api::{challenge, comments, events, feed, openapi, preview, threads, votes};

pub fn app(state: AppState) -> Router {
    let rates = &state.config.rate_limits;
    let reads = Router::new()
        .route("/threads", get(threads::thread))
        .route("/threads/replies", get(threads::replies))
        .route("/counts", get(threads::counts))
        .route("/feed", get(feed::feed))
        .route("/challenge", get(challenge::challenge))
        .route("/openapi.json", get(openapi::document))
        .route("/comments/{id}", get(comments::one));
    let posts = Router::new().route("/comments", post(comments::create));
    let edits = Router::new()
        .route("/comments/{id}", patch(comments::edit).delete(comments::delete))
        .route("/comments/{id}/vote", post(votes::vote))
        .route("/preview", post(preview::preview));
    // The no-JS page reads and posts in the API's buckets: one client, one allowance, whichever door.
    let (read_limit, post_limit) = (limiter(rates.reads), limiter(rates.comments));
    let (reads, posts, edits) = (
        limited(reads, read_limit.clone()),
        limited(posts, post_limit.clone()),
        limit(edits, rates.edits),
    );
    // Live streams: a bucket of their own (the reads' numbers), and their own limits on open streams.
    let live = limit(
        events::router(&state.config.live, state.metrics.as_deref()),
        rates.reads,
    );
    let api = reads
        .merge(live)
        .merge(posts)
        .merge(edits)
        .fallback(|| async { AppError::NotFound("no such endpoint") })
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .layer(from_fn_with_state(state.clone(), middleware::cors));
    let proxies = TrustedProxies::clone(&state.trusted_proxies);
    Router::new()
        .route("/", get(demo::demo))
        .route("/embed.js", get(assets::embed_js))
        .route("/embed.css", get(assets::embed_css))
        .route("/live.js", get(assets::live_js))
        .route("/demo.css", get(assets::demo_css))
        .route("/i18n/{file}", get(assets::translation))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::metrics))
        .nest("/api/v1", api)
        .merge(admin::router(rates.logins))
        .merge(links::router())
        .merge(page::router(state.clone(), read_limit, post_limit))
        // Every route's pattern reaches the log layer, for the metrics' route label.
        .route_layer(from_fn(middleware::matched_route))
        .fallback(middleware::canonical_path)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(from_fn_with_state(proxies, client_ip))
        .layer(from_fn_with_state(state.metrics.clone(), middleware::log_and_harden))
        .with_state(state)
}

/// `router` behind `limiter`, when there is one; clones of one limiter share its buckets.
fn limited<S: Clone + Send + Sync + 'static>(router: Router<S>, limiter: Option<Limiter>) -> Router<S> {
    match limiter {
        Some(layer) => router.route_layer(layer),
        None => router,
    }
}
