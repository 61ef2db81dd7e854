//! "The limit" for the benchmark: the same response bytes riposte gives, served from memory by a minimal
//! server on riposte's own HTTP stack (axum on hyper, through `riposte::http::serve`), with no database, no
//! rendering and no rate limiting. Whatever riposte loses against it is the price of its own work.
//!
//!     cargo run --release --example limit -- --listen 127.0.0.1:9000 --route '/path?query=file' ...
//!
//! Each `--route` maps a request target (path and query, exactly as sent) to a file whose bytes are
//! answered as `application/json`; anything else is 404.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut listen = "127.0.0.1:9000".to_owned();
    let mut routes: HashMap<String, Bytes> = HashMap::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => listen = args.next().expect("--listen ADDR"),
            "--route" => {
                let spec = args.next().expect("--route TARGET=FILE");
                let (target, file) = spec.rsplit_once('=').expect("--route TARGET=FILE");
                routes.insert(target.to_owned(), Bytes::from(std::fs::read(file)?));
            }
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    let routes = Arc::new(routes);
    let app = Router::new().fallback(move |req: Request| {
        let routes = routes.clone();
        async move {
            let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
            match routes.get(target) {
                Some(body) => ([(header::CONTENT_TYPE, "application/json")], body.clone()).into_response(),
                None => StatusCode::NOT_FOUND.into_response(),
            }
        }
    });
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    // One load generator on one address: no per-peer cap below the global one.
    let limits = riposte::http::serve::Limits::new(riposte::http::serve::MAX_CONNECTIONS, Arc::from([]));
    riposte::http::serve::serve(listener, app, limits, riposte::shutdown_signal()).await?;
    Ok(())
}
