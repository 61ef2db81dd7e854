//! Webhooks against a real HTTP receiver on 127.0.0.1: which events go where, the signature (checked
//! with a plain HMAC here), retries, 410 Gone, the private-address refusal, the admin page, and the real
//! binary delivering from its own worker. Delivery state is read from the store's outbox.

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

#[tokio::test]
async fn a_published_comment_sends_created_and_published_signed() {
    let rx = Receiver::start().await;
    let app = TestApp::with(with_hooks(vec![hook(&format!("{}/in", rx.url), &[])], true)).await;
    let w = worker(&app);
    let (id, _) = app.comment("Hallo <b>Welt</b>", None).await;
    let items = drain(&app, &w).await;
    assert_eq!(items.len(), 2, "{items:#?}");
    assert!(items.iter().all(|i| i.state == DeliveryState::Sent), "{items:#?}");
    let mut kinds = rx.kinds();
    kinds.sort();
    assert_eq!(kinds, ["comment.created", "comment.published"]);
    for r in rx.seen() {
        assert_eq!(r.method, Method::POST);
        assert_eq!(r.path, "/in");
        assert_eq!(r.header("content-type"), "application/json");
        assert!(
            r.header("user-agent").starts_with("riposte/"),
            "{}",
            r.header("user-agent")
        );
        assert_eq!(r.header("x-riposte-event"), r.kind());
        assert_signed(&r, SECRET);
        let body = r.json();
        assert_eq!(body["comment"]["id"], id);
        assert_eq!(body["comment"]["site"], "blog");
        assert_eq!(body["comment"]["uri"], "/post/");
        assert_eq!(body["comment"]["status"], "published");
        assert_eq!(body["comment"]["text"], "Hallo <b>Welt</b>");
        assert!(
            !body["comment"]["html"].as_str().unwrap().contains("<b>"),
            "the html is the sanitized rendering: {}",
            body["comment"]["html"]
        );
        assert!(body["comment"].get("email").is_none(), "no email goes to a hook");
    }
    // Delivered once: more rounds send nothing again.
    drain(&app, &w).await;
    assert_eq!(rx.seen().len(), 2);
}

#[tokio::test]
async fn approving_a_held_comment_sends_published() {
    let rx = Receiver::start().await;
    let mut c = with_hooks(vec![hook(&rx.url, &[])], true);
    c.sites[0].moderation = Moderation::All;
    let app = TestApp::with(c).await;
    let w = worker(&app);
    let r = app
        .post(json!({"site": "blog", "uri": "/post/", "text": "Bitte freischalten"}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let id = r.json()["comment"]["id"].as_i64().unwrap();
    drain(&app, &w).await;
    assert_eq!(rx.kinds(), ["comment.created"], "a held comment is not published yet");
    assert_eq!(rx.seen()[0].json()["comment"]["status"], "pending");
    app.add_moderator("mod", PASSWORD, &["blog"]).await;
    let admin = app.login("mod", PASSWORD).await;
    assert_eq!(app.act(&admin, &format!("approve:{id}")).await, StatusCode::SEE_OTHER);
    drain(&app, &w).await;
    assert_eq!(rx.kinds(), ["comment.created", "comment.published"]);
    let published = &rx.seen()[1];
    assert_eq!(published.json()["comment"]["id"], id);
    assert_eq!(published.json()["comment"]["status"], "published");
    assert_signed(published, SECRET);
}

#[tokio::test]
async fn an_author_edit_sends_edited_and_a_delete_sends_deleted_without_the_text() {
    let rx = Receiver::start().await;
    let app = TestApp::with(with_hooks(vec![hook(&rx.url, &[])], true)).await;
    let w = worker(&app);
    let (id, token) = app.comment("Erste Fassung", None).await;
    drain(&app, &w).await;
    let r = app
        .write(
            Method::PATCH,
            &format!("/api/v1/comments/{id}"),
            json!({"text": "Zweite Fassung"}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    drain(&app, &w).await;
    let edited = rx.seen().pop().unwrap();
    assert_eq!(edited.kind(), "comment.edited");
    assert_eq!(edited.json()["comment"]["text"], "Zweite Fassung");
    assert_signed(&edited, SECRET);
    let r = app
        .write(
            Method::DELETE,
            &format!("/api/v1/comments/{id}"),
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    drain(&app, &w).await;
    let mut kinds = rx.kinds();
    kinds[..2].sort();
    assert_eq!(
        kinds,
        [
            "comment.created",
            "comment.published",
            "comment.edited",
            "comment.deleted"
        ]
    );
    let deleted = rx.seen().pop().unwrap();
    assert_eq!(deleted.kind(), "comment.deleted");
    let c = &deleted.json()["comment"];
    assert_eq!(c["id"], id);
    assert_eq!(c["uri"], "/post/");
    assert_eq!(c["text"], "", "a deleted comment's text goes nowhere");
    assert_eq!(c["html"], "");
    assert!(c["author"].is_null());
    assert!(!deleted.body.contains("Fassung"), "{}", deleted.body);
    assert_signed(&deleted, SECRET);
}

#[tokio::test]
async fn a_receiver_answering_500_then_200_gets_the_event_again() {
    let rx = Receiver::start().await;
    rx.answer(&[500]);
    let app = TestApp::with(with_hooks(vec![hook(&rx.url, &["comment.created"])], true)).await;
    let w = worker(&app);
    app.comment("Zweimal zugestellt", None).await;
    let items = drain(&app, &w).await;
    let seen = rx.seen();
    assert_eq!(seen.len(), 2, "the 500 was tried again");
    assert_eq!(seen[0].body, seen[1].body, "the same event");
    assert_signed(&seen[1], SECRET);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].state, DeliveryState::Sent);
    assert_eq!(items[0].attempts, 2);
    assert!(
        items[0].last_error.as_deref().unwrap_or("").contains("500"),
        "the 500 stays visible: {:?}",
        items[0].last_error
    );
}

#[tokio::test]
async fn a_429_a_503_and_a_refused_connection_are_retried_and_a_404_is_not() {
    let rx = Receiver::start().await;
    rx.answer(&[429, 503, 404]);
    let app = TestApp::with(with_hooks(vec![hook(&rx.url, &["comment.created"])], true)).await;
    let w = worker(&app);
    app.comment("Dreimal versucht", None).await;
    let items = drain(&app, &w).await;
    assert_eq!(rx.seen().len(), 3);
    assert_eq!(items[0].state, DeliveryState::Failed, "a 404 is not tried again");
    assert_eq!(items[0].attempts, 3);
    assert_eq!(
        items[0].last_error.as_deref(),
        Some("the receiver answered 404 Not Found")
    );
    // Nobody listens on the port of a stopped receiver: connection refused, tried again.
    let gone = Receiver::start().await;
    let url = gone.url.clone();
    drop(gone);
    let sender = riposte::notify::webhook::Sender::new(true).unwrap();
    let body = riposte::domain::notify::webhook_body(riposte::domain::notify::Event::Test, None, now_ms());
    // The aborted server task may take a moment to close its socket: wait for the refusal.
    let deadline = Instant::now() + PATIENCE;
    loop {
        match sender.send(&url, SECRET, &body).await {
            riposte::domain::notify::Attempt::Retry(e) => {
                assert!(e.contains("could not connect"), "{e}");
                break;
            }
            other => assert!(Instant::now() < deadline, "{other:?}"),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_410_disables_the_hook_and_later_events_are_not_sent_to_it() {
    let rx = Receiver::start().await;
    rx.answer(&[410; 10]);
    let app = TestApp::with(with_hooks(vec![hook(&rx.url, &[])], true)).await;
    let w = worker(&app);
    app.comment("Niemand hört zu", None).await;
    let items = drain(&app, &w).await;
    assert!(items.iter().all(|i| i.state == DeliveryState::Failed), "{items:#?}");
    let site = riposte::domain::SiteId::parse("blog").unwrap();
    let hooks = app.state.store.webhooks(site.clone()).await.unwrap();
    let why = hooks[0].disabled.as_deref().expect("the hook is disabled");
    assert!(why.contains("410"), "{why}");
    let heard = rx.seen().len();
    assert!(
        (1..=2).contains(&heard),
        "one or both of the two events went out before the 410: {heard}"
    );
    app.comment("Noch einer", None).await;
    app.comment("Und noch einer", None).await;
    let after = drain(&app, &w).await;
    assert_eq!(rx.seen().len(), heard, "nothing more goes to a disabled hook");
    assert_eq!(after.len(), items.len(), "and nothing more is queued for it");
    // The admin page says why.
    app.add_moderator("mod", PASSWORD, &["blog"]).await;
    let admin = app.login("mod", PASSWORD).await;
    let page = app.admin_get(&admin.cookie, "/admin/sites/blog/webhooks").await.text();
    assert!(page.contains("disabled") && page.contains("410 Gone"), "{page}");
}

#[tokio::test]
async fn without_allow_private_a_hook_on_loopback_fails_and_receives_nothing() {
    let rx = Receiver::start().await;
    let hooks = vec![
        hook(&format!("{}/literal", rx.url), &["comment.created"]),
        hook(&format!("http://localhost:{}/name", rx.port), &["comment.created"]),
    ];
    let app = TestApp::with(with_hooks(hooks, false)).await;
    let w = worker(&app);
    app.comment("Bleibt hier", None).await;
    let mut items = drain(&app, &w).await;
    items.sort_by_key(|i| i.id);
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|i| i.state == DeliveryState::Failed), "{items:#?}");
    assert_eq!(
        items[0].last_error.as_deref(),
        Some("refused: 127.0.0.1 resolves to a private address (set webhooks_allow_private = true to allow)")
    );
    assert_eq!(
        items[1].last_error.as_deref(),
        Some("refused: localhost resolves to a private address (set webhooks_allow_private = true to allow)")
    );
    assert!(rx.seen().is_empty(), "{:?}", rx.seen());
    // A name found only through the resolver: this machine's own name, where it resolves to loopback or
    // a private address, is refused by address at connection time.
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap_or_default()
        .trim()
        .to_owned();
    let addrs: Vec<_> = tokio::net::lookup_host((name.as_str(), 0))
        .await
        .map(|a| a.collect())
        .unwrap_or_default();
    if !name.is_empty() && !addrs.is_empty() && addrs.iter().all(|a: &std::net::SocketAddr| a.ip().is_loopback()) {
        let url = format!("http://{name}:{}/resolved", rx.port);
        let body = riposte::domain::notify::webhook_body(riposte::domain::notify::Event::Test, None, now_ms());
        let strict = riposte::notify::webhook::Sender::new(false).unwrap();
        assert_eq!(
            strict.send(&url, SECRET, &body).await,
            riposte::domain::notify::Attempt::Failed(format!(
                "refused: {name} resolves to a private address (set webhooks_allow_private = true to allow)"
            ))
        );
        assert!(rx.seen().is_empty());
        let open = riposte::notify::webhook::Sender::new(true).unwrap();
        assert_eq!(
            open.send(&url, SECRET, &body).await,
            riposte::domain::notify::Attempt::Sent
        );
        assert_eq!(rx.seen()[0].path, "/resolved", "allowed, the same name is reached");
    } else {
        eprintln!("skipped the resolver half: {name:?} resolves to {addrs:?}, not to loopback only");
    }
}

#[tokio::test]
async fn events_a_hook_did_not_ask_for_are_not_sent() {
    let rx = Receiver::start().await;
    let hooks = vec![
        hook(&format!("{}/published", rx.url), &["comment.published"]),
        hook(&format!("{}/deleted", rx.url), &["comment.deleted"]),
    ];
    let app = TestApp::with(with_hooks(hooks, true)).await;
    let w = worker(&app);
    let (id, token) = app.comment("Nur für manche", None).await;
    app.write(
        Method::PATCH,
        &format!("/api/v1/comments/{id}"),
        json!({"text": "Geändert"}),
        Some(&token),
    )
    .await;
    drain(&app, &w).await;
    let heard: Vec<(String, String)> = rx.seen().iter().map(|r| (r.path.clone(), r.kind())).collect();
    assert_eq!(heard, [("/published".to_owned(), "comment.published".to_owned())]);
    app.write(
        Method::DELETE,
        &format!("/api/v1/comments/{id}"),
        json!({}),
        Some(&token),
    )
    .await;
    drain(&app, &w).await;
    let heard: Vec<(String, String)> = rx.seen().iter().map(|r| (r.path.clone(), r.kind())).collect();
    assert_eq!(
        heard,
        [
            ("/published".to_owned(), "comment.published".to_owned()),
            ("/deleted".to_owned(), "comment.deleted".to_owned())
        ]
    );
}

/// The secret on an "added" answer page.
fn shown_secret(page: &str) -> String {
    let at = page
        .find("whsec_")
        .unwrap_or_else(|| panic!("no secret on the page: {page}"));
    page[at..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn the_admin_page_adds_a_hook_sends_a_test_event_and_removes_it() {
    let rx = Receiver::start().await;
    let app = TestApp::with(with_hooks(vec![hook(&format!("{}/config", rx.url), &[])], true)).await;
    let w = worker(&app);
    app.add_moderator("mod", PASSWORD, &["blog"]).await;
    let admin = app.login("mod", PASSWORD).await;
    let site = riposte::domain::SiteId::parse("blog").unwrap();
    let page = app.admin_get(&admin.cookie, "/admin/sites/blog/webhooks").await;
    assert_eq!(page.status, StatusCode::OK);
    let page = page.text();
    assert!(page.contains(&format!("{}/config", rx.url)), "{page}");
    assert!(page.contains("from the configuration file"), "{page}");
    assert!(!page.contains(SECRET), "the list never shows a secret");

    let url = format!("{}/added", rx.url);
    let r = app
        .admin_post(
            Some(&admin.cookie),
            "/admin/sites/blog/webhooks",
            &[("csrf", &admin.csrf), ("url", &url), ("events", "comment.deleted")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let secret = shown_secret(&r.text());
    assert!(secret.len() > 40, "{secret}");
    assert!(r.text().contains("will not be shown again"), "{}", r.text());
    let hooks = app.state.store.webhooks(site.clone()).await.unwrap();
    assert_eq!(hooks.len(), 2);
    let added = hooks.iter().find(|h| !h.from_config).unwrap();
    assert_eq!(added.url, url);
    assert_eq!(added.secret, secret);
    assert_eq!(added.events, [riposte::domain::notify::Event::Deleted]);
    let list = app.admin_get(&admin.cookie, "/admin/sites/blog/webhooks").await.text();
    assert!(list.contains(&url) && list.contains("comment.deleted"), "{list}");
    assert!(
        !list.contains(&secret) && !list.contains("whsec_"),
        "shown once, then never: {list}"
    );
    let audit = app.state.store.audit(i64::MAX).await.unwrap();
    assert!(format!("{audit:?}").contains("webhook-add"), "{audit:?}");

    let hook_id = added.id.to_string();
    let r = app
        .admin_post(
            Some(&admin.cookie),
            "/admin/sites/blog/webhooks/test",
            &[("csrf", &admin.csrf), ("hook", &hook_id)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    drain(&app, &w).await;
    let seen = rx.seen();
    assert_eq!(seen.len(), 1, "the test event goes to that hook only: {seen:?}");
    assert_eq!(seen[0].path, "/added");
    assert_eq!(seen[0].kind(), "test");
    assert_eq!(seen[0].header("x-riposte-event"), "test");
    assert!(seen[0].json().get("comment").is_none());
    assert_signed(&seen[0], &secret);

    let r = app
        .admin_post(
            Some(&admin.cookie),
            "/admin/sites/blog/webhooks/remove",
            &[("csrf", &admin.csrf), ("hook", &hook_id)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let hooks = app.state.store.webhooks(site.clone()).await.unwrap();
    assert_eq!(hooks.len(), 1);
    assert!(hooks[0].from_config);
    // The configuration file's hook stays: the page says where it is removed.
    let config_id = hooks[0].id.to_string();
    let r = app
        .admin_post(
            Some(&admin.cookie),
            "/admin/sites/blog/webhooks/remove",
            &[("csrf", &admin.csrf), ("hook", &config_id)],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("configuration file"), "{}", r.text());
    assert_eq!(app.state.store.webhooks(site).await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_admin_page_refuses_bad_urls_and_events_and_changes_nothing() {
    let app = TestApp::with(with_hooks(Vec::new(), false)).await;
    app.add_moderator("mod", PASSWORD, &["blog"]).await;
    let admin = app.login("mod", PASSWORD).await;
    let site = riposte::domain::SiteId::parse("blog").unwrap();
    let long = format!("https://hooks.example/{}", "a".repeat(3000));
    for (fields, says) in [
        (vec![("url", "")], "give the URL"),
        (vec![("url", "not a url")], "not a usable URL"),
        (vec![("url", "ftp://hooks.example/in")], "http or https"),
        (vec![("url", "javascript:alert(1)")], "http or https"),
        (
            vec![("url", "https://user:pass@hooks.example/")],
            "user name or password",
        ),
        (vec![("url", "http://127.0.0.1:9/")], "webhooks_allow_private = true"),
        (vec![("url", "http://[::1]/")], "private address"),
        (vec![("url", "http://localhost/")], "private address"),
        (
            vec![("url", "http://169.254.169.254/latest/meta-data")],
            "private address",
        ),
        (vec![("url", long.as_str())], "at most"),
        (
            vec![("url", "https://hooks.example/in"), ("events", "comment.exploded")],
            "each must be one of",
        ),
        (
            vec![("url", "https://hooks.example/in"), ("events", "test")],
            "each must be one of",
        ),
    ] {
        let mut form = vec![("csrf", admin.csrf.as_str())];
        form.extend(fields.iter().copied());
        let r = app
            .admin_post(Some(&admin.cookie), "/admin/sites/blog/webhooks", &form)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}: {}", r.text());
        assert!(r.text().contains(says), "{fields:?}: {}", r.text());
        assert!(!r.text().contains("whsec_"));
    }
    assert!(app.state.store.webhooks(site.clone()).await.unwrap().is_empty());
    // A public address is taken (nothing is sent to it here).
    let r = app
        .admin_post(
            Some(&admin.cookie),
            "/admin/sites/blog/webhooks",
            &[("csrf", &admin.csrf), ("url", "https://hooks.example/in")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let hooks = app.state.store.webhooks(site).await.unwrap();
    assert_eq!(hooks.len(), 1);
    assert!(hooks[0].events.is_empty(), "none checked: every comment event");
    // Unknown hooks are 404, and nothing is queued for them.
    for path in ["/admin/sites/blog/webhooks/test", "/admin/sites/blog/webhooks/remove"] {
        for id in ["999", "x", ""] {
            let r = app
                .admin_post(Some(&admin.cookie), path, &[("csrf", &admin.csrf), ("hook", id)])
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path} {id}");
        }
    }
    assert!(outbox(&app).await.is_empty());
}

#[tokio::test]
async fn a_moderator_of_another_site_gets_404() {
    let mut c = with_hooks(vec![hook("https://hooks.example/in", &[])], true);
    let mut other: SiteConfig = c.sites[0].clone();
    other.id = "other".into();
    other.webhooks = Vec::new();
    c.sites.push(other);
    let app = TestApp::with(c).await;
    app.add_moderator("otto", PASSWORD, &["other"]).await;
    let otto = app.login("otto", PASSWORD).await;
    let blog = riposte::domain::SiteId::parse("blog").unwrap();
    let before = app.state.store.webhooks(blog.clone()).await.unwrap();
    let id = before[0].id.to_string();
    assert_eq!(
        app.admin_get(&otto.cookie, "/admin/sites/other/webhooks").await.status,
        StatusCode::OK,
        "their own site"
    );
    let r = app.admin_get(&otto.cookie, "/admin/sites/blog/webhooks").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.text().contains("hooks.example"));
    assert_eq!(
        app.admin_get(&otto.cookie, "/admin/sites/nowhere/webhooks")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    for (path, fields) in [
        ("/admin/sites/blog/webhooks", vec![("url", "https://evil.example/")]),
        ("/admin/sites/blog/webhooks/test", vec![("hook", id.as_str())]),
        ("/admin/sites/blog/webhooks/remove", vec![("hook", id.as_str())]),
        // Another site's hook through one's own site's address.
        ("/admin/sites/other/webhooks/remove", vec![("hook", id.as_str())]),
        ("/admin/sites/other/webhooks/test", vec![("hook", id.as_str())]),
    ] {
        let mut form = vec![("csrf", otto.csrf.as_str())];
        form.extend(fields.iter().copied());
        let r = app.admin_post(Some(&otto.cookie), path, &form).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(app.state.store.webhooks(blog).await.unwrap(), before);
    assert!(outbox(&app).await.is_empty(), "no test event was queued");
}

#[tokio::test]
async fn the_binary_delivers_from_its_own_worker_to_a_hook_of_its_config_file() {
    let rx = Receiver::start().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("riposte.toml"),
        format!(
            "webhooks_allow_private = true\n\
             [rate_limits]\ncomments = {{ burst = 100, every_ms = 1 }}\n\
             [[sites]]\nid = \"blog\"\norigins = [\"{ORIGIN}\"]\npow = \"off\"\n\
             [[sites.webhooks]]\nurl = \"{}/bin\"\nsecret = \"{SECRET}\"\nevents = [\"comment.published\"]\n",
            rx.url
        ),
    )
    .unwrap();
    let server = process::start(dir.path());
    let port = server.port;
    let body = json!({"site": "blog", "uri": "/p/", "text": "Vom Binary"}).to_string();
    let (status, answer) = tokio::task::spawn_blocking(move || {
        process::http_with(port, "POST", "/api/v1/comments", &[("Origin", ORIGIN)], Some(&body))
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(status, 201, "{answer}");
    let deadline = Instant::now() + PATIENCE;
    while rx.seen().is_empty() {
        assert!(Instant::now() < deadline, "no event within {PATIENCE:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let got = &rx.seen()[0];
    assert_eq!(got.path, "/bin");
    assert_eq!(got.kind(), "comment.published");
    assert_eq!(got.json()["comment"]["text"], "Vom Binary");
    assert_signed(got, SECRET);
    drop(server);
}
