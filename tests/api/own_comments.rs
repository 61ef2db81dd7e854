//! A commenter edits and deletes their own comment with its token, inside the edit window; and votes.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, config};

#[tokio::test]
async fn edit_with_the_token_rerenders_and_marks_edited() {
    let app = TestApp::new().await;
    let (id, token) = app.comment("Erste Fassung", None).await;
    let url = format!("/api/v1/comments/{id}");
    let r = app
        .write(
            Method::PATCH,
            &url,
            json!({"text": "Zweite *Fassung*", "author": "Anna", "website": "https://anna.example"}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let c = &r.json()["comment"];
    assert_eq!(c["html"], "<p>Zweite <em>Fassung</em></p>\n");
    assert_eq!(c["author"], "Anna");
    assert_eq!(c["website"], "https://anna.example/");
    assert!(c["edited"].is_string());
    // Blank clears the name and website; fields left out stay.
    let r = app
        .write(Method::PATCH, &url, json!({"author": "", "website": ""}), Some(&token))
        .await;
    let c = &r.json()["comment"];
    assert_eq!(c["author"], json!(null));
    assert_eq!(c["website"], json!(null));
    assert_eq!(c["html"], "<p>Zweite <em>Fassung</em></p>\n");
    assert_eq!(
        app.thread("/post/").await["comments"][0]["html"],
        "<p>Zweite <em>Fassung</em></p>\n"
    );
}

#[tokio::test]
async fn wrong_missing_or_foreign_tokens_are_403_and_change_nothing() {
    let app = TestApp::new().await;
    let (id, _) = app.comment("Meins", None).await;
    let (_, other_token) = app.comment("Fremd", None).await;
    let url = format!("/api/v1/comments/{id}");
    for token in [None, Some("falsch"), Some(other_token.as_str()), Some("")] {
        let r = app.write(Method::PATCH, &url, json!({"text": "gehackt"}), token).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{token:?}");
        let r = app
            .send(
                Request::delete(&url)
                    .header("authorization", format!("Bearer {}", token.unwrap_or("")))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{token:?}");
    }
    assert_eq!(app.thread("/post/").await["comments"][0]["html"], "<p>Meins</p>\n");
    assert_eq!(app.stored_comments().await, 2);
}

#[tokio::test]
async fn edits_are_validated_like_new_comments() {
    let app = TestApp::new().await;
    let (id, token) = app.comment("Text", None).await;
    let url = format!("/api/v1/comments/{id}");
    for (field, value) in [
        ("text", json!(" ")),
        ("website", json!("javascript:alert(1)")),
        ("author", json!("x".repeat(101))),
    ] {
        let r = app
            .write(Method::PATCH, &url, json!({ field: value }), Some(&token))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["error"]["field"], field);
    }
    let c = &app.thread("/post/").await["comments"][0];
    assert_eq!(c["html"], "<p>Text</p>\n");
    assert_eq!(c["edited"], json!(null));
}

#[tokio::test]
async fn after_the_edit_window_edits_and_deletes_are_403() {
    let mut c = config();
    c.edit_window = 0;
    let app = TestApp::with(c).await;
    let (id, token) = app.comment("Zu spät", None).await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let url = format!("/api/v1/comments/{id}");
    let r = app
        .write(Method::PATCH, &url, json!({"text": "geändert"}), Some(&token))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("over"));
    let r = app.write(Method::DELETE, &url, json!({}), Some(&token)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(app.thread("/post/").await["comments"][0]["html"], "<p>Zu spät</p>\n");
}

#[tokio::test]
async fn delete_without_replies_removes_the_comment() {
    let app = TestApp::new().await;
    let (id, token) = app.comment("Weg damit", None).await;
    let r = app
        .write(
            Method::DELETE,
            &format!("/api/v1/comments/{id}"),
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(r.bytes.is_empty());
    let v = app.thread("/post/").await;
    assert_eq!(v["total"], 0);
    assert_eq!(v["comments"], json!([]));
    assert_eq!(app.stored_comments().await, 0);
    // Gone is gone: a second delete finds nothing.
    let r = app
        .write(
            Method::DELETE,
            &format!("/api/v1/comments/{id}"),
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn delete_with_replies_leaves_a_placeholder_that_goes_with_its_last_reply() {
    let app = TestApp::new().await;
    let r = app
        .post(json!({"site": "blog", "uri": "/post/", "text": "Eltern", "author": "Anna", "website": "https://anna.example", "email": "anna@example.de"}))
        .await;
    let v = r.json();
    let (parent, parent_token) = (
        v["comment"]["id"].as_i64().unwrap(),
        v["edit_token"].as_str().unwrap().to_owned(),
    );
    let (child, child_token) = app.comment("Kind", Some(parent)).await;
    let r = app
        .write(
            Method::DELETE,
            &format!("/api/v1/comments/{parent}"),
            json!({}),
            Some(&parent_token),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let v = app.thread("/post/").await;
    assert_eq!(v["total"], 1);
    let placeholder = &v["comments"][0];
    assert_eq!(placeholder["id"], parent);
    assert_eq!(placeholder["status"], "deleted");
    assert_eq!(placeholder["author"], json!(null));
    assert_eq!(placeholder["website"], json!(null));
    assert_eq!(placeholder["html"], "");
    assert_eq!(placeholder["replies"][0]["id"], child);
    let stored = app.record(parent).await;
    assert_eq!((stored.text.as_str(), stored.email), ("", None));
    // A placeholder cannot be edited any more.
    let r = app
        .write(
            Method::PATCH,
            &format!("/api/v1/comments/{parent}"),
            json!({"text": "zurück"}),
            Some(&parent_token),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // When the last reply goes, the placeholder goes too.
    let r = app
        .write(
            Method::DELETE,
            &format!("/api/v1/comments/{child}"),
            json!({}),
            Some(&child_token),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(app.thread("/post/").await["comments"], json!([]));
    assert_eq!(app.stored_comments().await, 0);
}

#[tokio::test]
async fn one_vote_per_voter_which_may_switch() {
    let app = TestApp::new().await;
    let (id, _) = app.comment("Stimmt ab", None).await;
    let url = format!("/api/v1/comments/{id}/vote");
    let vote = |value: i64, peer: &'static str| {
        let app = &app;
        let url = url.clone();
        async move {
            let req = Request::post(&url)
                .header("content-type", "application/json")
                .body(Body::from(json!({ "value": value }).to_string()))
                .unwrap();
            app.send_from(peer, req).await
        }
    };
    let r = vote(1, "198.51.100.1:1").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), json!({"likes": 1, "dislikes": 0}));
    assert_eq!(
        vote(1, "198.51.100.1:2").await.json(),
        json!({"likes": 1, "dislikes": 0})
    );
    assert_eq!(
        vote(-1, "198.51.100.1:3").await.json(),
        json!({"likes": 0, "dislikes": 1})
    );
    assert_eq!(
        vote(1, "198.51.100.2:1").await.json(),
        json!({"likes": 1, "dislikes": 1})
    );
    let r = vote(2, "198.51.100.3:1").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "value");
    let c = &app.thread("/post/").await["comments"][0];
    assert_eq!((c["likes"].as_i64(), c["dislikes"].as_i64()), (Some(1), Some(1)));
    let r = app.write(Method::POST, &url, json!({"value": 1}), None).await;
    assert_eq!(r.status, StatusCode::OK);
    let evil = Request::post(&url)
        .header("content-type", "application/json")
        .header("origin", "https://evil.example")
        .body(Body::from(json!({"value": 1}).to_string()))
        .unwrap();
    assert_eq!(app.send(evil).await.status, StatusCode::FORBIDDEN);
}
