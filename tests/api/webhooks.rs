//! Webhooks against a real HTTP receiver on 127.0.0.1: which events go where, the signature (checked
//! with a plain HMAC here), retries, 410 Gone, the private-address refusal, the admin page, and the real
//! binary delivering from its own worker. The receiver and the helpers are here, the tests in events.rs,
//! delivery.rs and admin.rs; delivery state is read from the store's outbox.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use hmac::{Hmac, KeyInit, Mac};
use riposte::config::{Config, SiteConfig, WebhookConfig};
use riposte::domain::Moderation;
use riposte::domain::notify::{DeliveryState, OutboxItem};
use riposte::domain::time::now_ms;
use riposte::notify::{Links, Worker};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{ORIGIN, TestApp, config, process};

mod admin;
mod delivery;
mod events;

const SECRET: &str = "whsec_from_the_config_file";
const PASSWORD: &str = "a long moderator password";
/// The longest any condition here is waited for; each is met in well under a second.
const PATIENCE: Duration = Duration::from_secs(30);

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Received {
    method: Method,
    path: String,
    headers: HeaderMap,
    body: String,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }

    fn kind(&self) -> String {
        self.json()["type"].as_str().unwrap().to_owned()
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name} header"))
            .to_str()
            .unwrap()
    }
}

#[derive(Default)]
struct Log {
    seen: Vec<Received>,
    /// Statuses to answer, in order; 200 once they run out.
    answers: VecDeque<u16>,
}

/// An HTTP server on 127.0.0.1:0 that records every request and answers what it is told.
struct Receiver {
    url: String,
    port: u16,
    log: Arc<Mutex<Log>>,
    task: tokio::task::JoinHandle<()>,
}

async fn record(
    State(log): State<Arc<Mutex<Log>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let mut log = log.lock().unwrap();
    log.seen.push(Received {
        method,
        path: uri.path().to_owned(),
        headers,
        body: String::from_utf8(body.to_vec()).unwrap(),
    });
    let code = log.answers.pop_front().unwrap_or(200);
    StatusCode::from_u16(code).unwrap()
}

impl Receiver {
    async fn start() -> Self {
        let log = Arc::new(Mutex::new(Log::default()));
        let app = Router::new().fallback(record).with_state(log.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            url: format!("http://127.0.0.1:{port}"),
            port,
            log,
            task,
        }
    }

    fn answer(&self, statuses: &[u16]) {
        self.log.lock().unwrap().answers.extend(statuses);
    }

    fn seen(&self) -> Vec<Received> {
        self.log.lock().unwrap().seen.clone()
    }

    fn kinds(&self) -> Vec<String> {
        self.seen().iter().map(Received::kind).collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The test config with retries 50 ms apart and, on `blog`, these hooks.
fn with_hooks(hooks: Vec<WebhookConfig>, allow_private: bool) -> Config {
    let mut c = config();
    c.webhooks_allow_private = allow_private;
    c.outbox.first_retry_seconds = 0.05;
    c.sites[0].webhooks = hooks;
    c
}

fn hook(url: &str, events: &[&str]) -> WebhookConfig {
    WebhookConfig {
        url: url.to_owned(),
        secret: SECRET.to_owned(),
        events: events.iter().map(|e| e.to_string()).collect(),
    }
}

fn worker(app: &TestApp) -> Arc<Worker> {
    let links = Links::new(app.state.public_url.clone(), app.state.keys.clone());
    Arc::new(Worker::new(&app.state.config, app.state.store.clone(), links).unwrap())
}

async fn outbox(app: &TestApp) -> Vec<OutboxItem> {
    app.state.store.outbox(None, None, 100).await.unwrap()
}

/// Runs the worker until nothing in the outbox waits any more (sent or failed, retries included);
/// returns the outbox.
async fn drain(app: &TestApp, worker: &Arc<Worker>) -> Vec<OutboxItem> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        worker.clone().round(now_ms()).await.unwrap();
        let items = outbox(app).await;
        if items
            .iter()
            .all(|i| matches!(i.state, DeliveryState::Sent | DeliveryState::Failed))
        {
            return items;
        }
        assert!(
            Instant::now() < deadline,
            "still waiting after {PATIENCE:?}: {items:#?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Checks `X-Riposte-Signature: t=..,v1=..` with a plain HMAC-SHA256 of "t.body" under `secret`.
fn assert_signed(r: &Received, secret: &str) {
    let sig = r.header("x-riposte-signature");
    let (t, v1) = sig
        .strip_prefix("t=")
        .and_then(|s| s.split_once(",v1="))
        .unwrap_or_else(|| panic!("not t=..,v1=..: {sig}"));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{}", r.body).as_bytes());
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(v1, expected, "the signature of {}", r.body);
    let t: i64 = t.parse().unwrap();
    assert!((now_ms() / 1000 - t).abs() < 600, "t={t} is the time of sending");
    // A receiver that verifies the body it got rejects any other body under the same header.
    let mut forged = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    forged.update(format!("{t}.{}x", r.body).as_bytes());
    let forged: String = forged
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_ne!(v1, forged);
}
