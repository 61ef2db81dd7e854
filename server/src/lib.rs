//! riposte: a small, fast, self-hosted comment service.
//!
//! Layers, imports only downward: `routes` -> `state` -> (`store`, `http`, `keys`) -> `domain`.
//! `docs/architecture.md` is the map.
#![forbid(unsafe_code)]

pub mod config;
pub mod domain;
pub mod error;
pub mod http;
pub mod i18n;
pub mod import;
pub mod keys;
pub mod migrate_db;
pub mod notify;
pub mod render;
pub mod routes;
pub mod state;
pub mod store;
pub mod transfer;

use std::future::Future;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

pub use config::Config;
pub use routes::app;
pub use state::AppState;
pub use store::Store;

/// Serves on `listener` until `shutdown` resolves, then finishes in-flight requests.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let local = listener.local_addr().context("failed to read the listening address")?;
    let state = AppState::open(config, local).await?;
    tracing::info!(address = %local, public_url = %state.public_url, "riposte is listening");
    tokio::spawn(upkeep(state.store.clone()));
    notify::spawn(
        &state.config,
        state.store.clone(),
        notify::Links::new(state.public_url.clone(), state.keys.clone()),
    )?;
    let limits = http::serve::Limits {
        max_connections: state.config.max_connections,
        ..http::serve::Limits::new(state.config.max_connections_per_peer, state.trusted_proxies.clone())
    };
    http::serve::serve(listener, app(state), limits, shutdown)
        .await
        .context("server failed")
}

/// Hourly: purges the trash after 30 days, admin sessions after 12 idle hours or 7 days, IP hashes after
/// 90 days.
async fn upkeep(store: Arc<dyn Store>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        match store.upkeep(domain::time::now_ms()).await {
            Ok(u) if u.purged_comments + u.ended_sessions > 0 => {
                tracing::info!(purged = u.purged_comments, ended = u.ended_sessions, "upkeep")
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "upkeep failed"),
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down after in-flight requests");
}
