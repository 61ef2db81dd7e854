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
async fn first_time_holds_until_the_commenters_browser_shows_a_published_comment() {
    let app = app_with(Moderation::FirstTime).await;
    let post = |email: Option<&str>, token: Option<&str>| {
        app.post(json!({"site": "blog", "uri": "/post/", "text": "Hallo", "email": email, "author_token": token}))
    };
    let first = post(Some("anna@example.de"), None).await;
    assert_eq!(first.status, StatusCode::ACCEPTED);
    let anna = first.json()["author_token"].as_str().unwrap().to_owned();
    let first = first.json()["comment"]["id"].as_i64().unwrap();
    // Before approval Anna's token proves nothing yet.
    assert_eq!(
        post(Some("anna@example.de"), Some(&anna)).await.status,
        StatusCode::ACCEPTED
    );
    assert_eq!(post(None, None).await.status, StatusCode::ACCEPTED);
    // A moderator approves Anna's first comment in the admin UI.
    app.add_moderator("mo", "a long enough password", &[]).await;
    let mo = app.login("mo", "a long enough password").await;
    assert_eq!(app.act(&mo, &format!("approve:{first}")).await, StatusCode::SEE_OTHER);
    assert_eq!(app.status_of(first).await, "published");
    // Anna's browser keeps the token: she is a returning commenter.
    assert_eq!(
        post(Some("anna@example.de"), Some(&anna)).await.status,
        StatusCode::CREATED
    );
    // A stranger who types Anna's (public) address is not: before, this published at once.
    assert_eq!(post(Some("Anna@Example.de"), None).await.status, StatusCode::ACCEPTED);
    // Nor one who forges a token, or brings one of another site's comment.
    let forged = anna.replacen(&format!("{first}."), &format!("{}.", first + 1), 1);
    assert_eq!(
        post(Some("bob@example.de"), Some(&forged)).await.status,
        StatusCode::ACCEPTED
    );
    assert_eq!(post(None, Some("garbage")).await.status, StatusCode::ACCEPTED);
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
