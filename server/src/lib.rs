//! riposte: a small, fast, self-hosted comment service.
#![forbid(unsafe_code)]

pub mod admin;
pub mod cache;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod keys;
pub mod moderation;
pub mod net;
pub mod render;
pub mod routes;
pub mod serve;
pub mod state;

use std::future::Future;

use anyhow::Context;
use tokio::net::TcpListener;

pub use config::Config;
pub use routes::app;
pub use state::AppState;

/// Serves on `listener` until `shutdown` resolves, then finishes in-flight requests.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let local = listener.local_addr().context("failed to read the listening address")?;
    let db = db::Db::open(&config.database)?;
    let state = AppState::new(config, db, local)?;
    tracing::info!(address = %local, public_url = %state.public_url, "riposte is listening");
    tokio::spawn(maintenance(state.db.clone()));
    serve::serve(listener, app(state), shutdown)
        .await
        .context("server failed")
}

/// Hourly: purges the trash after 30 days, admin sessions after 12 idle hours, IP hashes after 90 days.
async fn maintenance(db: db::Db) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let now = db::now_ms();
        let result = db
            .write(move |tx| {
                let purged = db::moderation::purge(tx, now - db::moderation::TRASH_KEEP_MS)?;
                let ended = db::moderators::purge_sessions(tx, now - admin::auth::IDLE.as_millis() as i64)?;
                db::moderation::forget_ip_hashes(tx, now - db::moderation::IP_HASH_KEEP_MS)?;
                Ok((purged, ended))
            })
            .await;
        match result {
            Ok((purged, ended)) if purged + ended > 0 => tracing::info!(purged, ended, "maintenance"),
            Ok(_) => {}
            Err(e) => tracing::error!(error = format!("{e:#}"), "maintenance failed"),
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
