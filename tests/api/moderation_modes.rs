//! Per-site moderation modes decide whether a new comment is published (201) or held (202).

use axum::http::StatusCode;
use riposte::domain::Moderation;
use serde_json::json;

use crate::helpers::{TestApp, config};

async fn app_with(mode: Moderation) -> TestApp {
    let mut c = config();
    c.sites[0].moderation = mode;
    TestApp::with(c).await
}

#[tokio::test]
async fn all_holds_every_comment_out_of_threads_counts_and_feeds() {
    let app = app_with(Moderation::All).await;
    let r = app
        .post(json!({"site": "blog", "uri": "/post/", "text": "Wartet", "email": "anna@example.de"}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let v = r.json();
    assert_eq!(v["comment"]["status"], "pending");
    assert!(v["edit_token"].is_string());
    assert_eq!(app.thread("/post/").await["total"], 0);
    assert_eq!(app.get("/api/v1/counts?site=blog&uri=/post/").await.json()["/post/"], 0);
    assert!(!app.get("/api/v1/feed?site=blog").await.text().contains("<entry>"));
    // Held comments cannot be replied to.
    let id = v["comment"]["id"].as_i64().unwrap();
    let r = app
        .post(json!({"site": "blog", "uri": "/post/", "text": "Antwort", "parent": id}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.stored_comments().await, 1);
}

#[tokio::test]
async fn first_time_holds_until_the_email_has_a_published_comment() {
    let app = app_with(Moderation::FirstTime).await;
    let post =
        |email: Option<&str>| app.post(json!({"site": "blog", "uri": "/post/", "text": "Hallo", "email": email}));
    let first = post(Some("anna@example.de")).await;
    assert_eq!(first.status, StatusCode::ACCEPTED);
    let first = first.json()["comment"]["id"].as_i64().unwrap();
    assert_eq!(post(None).await.status, StatusCode::ACCEPTED);
    // A moderator approves Anna's first comment in the admin UI.
    app.add_moderator("mo", "a long enough password", &[]).await;
    let mo = app.login("mo", "a long enough password").await;
    assert_eq!(app.act(&mo, &format!("approve:{first}")).await, StatusCode::SEE_OTHER);
    assert_eq!(app.status_of(first).await, "published");
    assert_eq!(post(Some("Anna@Example.de")).await.status, StatusCode::CREATED);
    assert_eq!(post(Some("bob@example.de")).await.status, StatusCode::ACCEPTED);
    assert_eq!(post(None).await.status, StatusCode::ACCEPTED);
    assert_eq!(app.thread("/post/").await["total"], 2);
}

#[tokio::test]
async fn none_publishes_at_once() {
    let app = app_with(Moderation::None).await;
    let r = app
        .post(json!({"site": "blog", "uri": "/post/", "text": "Sofort"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json()["comment"]["status"], "published");
}
