//! Which events a hook hears of, what each carries, and its signature.

use super::*;

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
