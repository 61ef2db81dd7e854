//! The whole way: a comment posted to the real router on a real SQLite file queues mail in the outbox,
//! and the notify worker delivers it through the real SMTP server with this module's Mailer.

use std::sync::Arc;
use std::time::{Duration, Instant};

use riposte::domain::Moderation;
use riposte::domain::notify::DeliveryState;
use riposte::domain::time::now_ms;
use riposte::notify::{Links, Worker};
use serde_json::json;

use super::{WAIT, smtp};
use crate::helpers::smtp::{Mail, SmtpServer};
use crate::helpers::{TestApp, config};

async fn app(server: &SmtpServer, moderator: &str) -> (TestApp, Arc<Worker>) {
    let mut config = config();
    config.smtp = Some(smtp(server.port()));
    config.sites[0].moderation = Moderation::All;
    let app = TestApp::with(config).await;
    app.add_moderator_mailed("mod", "a long password 1", &[], Some(moderator))
        .await;
    let links = Links::new(app.state.public_url.clone(), app.state.keys.clone());
    let worker = Worker::new(&app.state.config, app.state.store.clone(), links).unwrap();
    (app, Arc::new(worker))
}

/// Runs worker rounds until the outbox holds no message in `Queued` state, with a generous deadline.
async fn drain(app: &TestApp, worker: &Arc<Worker>) {
    let until = Instant::now() + WAIT;
    loop {
        worker.clone().round(now_ms()).await.unwrap();
        let queued = app
            .state
            .store
            .outbox(None, Some(DeliveryState::Queued), 100)
            .await
            .unwrap();
        if queued.is_empty() {
            return;
        }
        assert!(Instant::now() < until, "still queued: {queued:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_held_comment_reaches_its_moderator_and_a_subscriber_gets_the_confirmation() {
    let server = SmtpServer::start();
    let (app, worker) = app(&server, "mod@blog.example").await;
    let r = app
        .post(json!({
            "site": "blog", "uri": "/post/", "text": "Hello <b>there</b>",
            "author": "Anna", "email": "anna@mail.example", "notify": true
        }))
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    drain(&app, &worker).await;
    let mails: Vec<Mail> = server.wait_for(2, WAIT).iter().map(|m| Mail::parse(m)).collect();
    let to = |addr: &str| {
        mails
            .iter()
            .find(|m| m.header("To").is_some_and(|t| t.contains(addr)))
            .unwrap_or_else(|| panic!("no mail to {addr}"))
    };
    let held = to("mod@blog.example");
    assert!(held.subject().contains("waiting for approval"), "{}", held.subject());
    assert!(held.text.contains("Hello <b>there</b>"));
    let public = app.state.public_url.to_string();
    assert!(
        held.hrefs().iter().all(|h| h.starts_with(&public)),
        "{:?}",
        held.hrefs()
    );
    let confirm = to("anna@mail.example");
    assert!(confirm.hrefs().iter().any(|h| h.contains("/notify/confirm/")));
    let sent = app
        .state
        .store
        .outbox(None, Some(DeliveryState::Sent), 100)
        .await
        .unwrap();
    assert_eq!(sent.len(), 2, "both recorded as sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bounce_is_recorded_as_failed_with_the_servers_answer() {
    let server = SmtpServer::start();
    let (app, worker) = app(&server, "bounce@blog.example").await;
    let r = app
        .post(json!({"site": "blog", "uri": "/post/", "text": "Held", "author": "Anna"}))
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    drain(&app, &worker).await;
    let failed = app
        .state
        .store
        .outbox(None, Some(DeliveryState::Failed), 100)
        .await
        .unwrap();
    assert_eq!(failed.len(), 1, "{failed:?}");
    let error = failed[0].last_error.as_deref().unwrap_or_default();
    assert!(error.contains("550 5.1.1 mailbox unavailable"), "{error}");
    assert!(server.messages().is_empty());
}
