//! Bad input gets a clear JSON error with the right status, and nothing is stored.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ORIGIN, TestApp};

fn post_raw(content_type: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    let mut req = Request::post("/api/v1/comments").header("origin", ORIGIN);
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    req.body(body.into()).unwrap()
}

fn valid() -> Value {
    json!({"site": "blog", "uri": "/post/", "text": "Hallo"})
}

#[tokio::test]
async fn writes_need_json_content_type() {
    let app = TestApp::new().await;
    for ct in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data"),
    ] {
        let r = app.send(post_raw(ct, valid().to_string())).await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct:?}");
        assert_eq!(r.code(), "unsupported_media_type");
    }
    let r = app
        .send(post_raw(Some("application/json; charset=utf-8"), valid().to_string()))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(app.stored_comments().await, 1);
}

#[tokio::test]
async fn bodies_over_64_kib_are_refused() {
    let app = TestApp::new().await;
    let big = json!({"site": "blog", "uri": "/post/", "text": "a".repeat(64 * 1024)}).to_string();
    let r = app.send(post_raw(Some("application/json"), big)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.code(), "payload_too_large");
    // A megabyte announced by Content-Length is refused before it is read.
    let mb = vec![b'a'; 1024 * 1024];
    let r = app.send(post_raw(Some("application/json"), mb)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    // Without a length announced (chunked), the limit still holds.
    let stream = futures_stream(vec![b' '; 100 * 1024]);
    let r = app.send(post_raw(Some("application/json"), stream)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.stored_comments().await, 0);
}

/// A body without a Content-Length, sent in chunks.
fn futures_stream(bytes: Vec<u8>) -> Body {
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = bytes.chunks(8192).map(|c| Ok(c.to_vec())).collect();
    Body::from_stream(Chunks(chunks.into_iter()))
}

struct Chunks(std::vec::IntoIter<Result<Vec<u8>, std::io::Error>>);

impl futures_core::Stream for Chunks {
    type Item = Result<Vec<u8>, std::io::Error>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::task::Poll::Ready(self.0.next())
    }
}

#[tokio::test]
async fn malformed_json_and_invalid_utf8_are_400() {
    let app = TestApp::new().await;
    for body in [
        &b"{\"site\": \"blog\","[..],
        b"not json",
        b"",
        b"{\"site\":\"blog\",\"uri\":\"/p/\",\"text\":\"\xff\xfe\"}",
    ] {
        let r = app.send(post_raw(Some("application/json"), body.to_vec())).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", String::from_utf8_lossy(body));
        assert_eq!(r.code(), "bad_request");
    }
    // Well-formed JSON of the wrong shape is a 422.
    let r = app
        .send(post_raw(
            Some("application/json"),
            r#"{"site": "blog", "uri": "/p/", "text": 5}"#,
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.stored_comments().await, 0);
}

#[tokio::test]
async fn each_field_rule_is_a_422_naming_the_field() {
    let app = TestApp::new().await;
    let cases: Vec<(&str, Value)> = vec![
        ("text", json!("")),
        ("text", json!("   \n ")),
        ("text", json!("x".repeat(10_001))),
        ("author", json!("a".repeat(101))),
        ("author", json!("Anna\u{7}")),
        ("email", json!("keine-adresse")),
        ("email", json!(format!("{}@example.de", "a".repeat(250)))),
        ("website", json!("javascript:alert(1)")),
        ("website", json!("ftp://example.org/")),
        ("website", json!("example.org")),
        ("website", json!(format!("https://example.org/{}", "a".repeat(500)))),
        ("uri", json!("post/")),
        ("uri", json!(format!("/{}", "a".repeat(2000)))),
        ("uri", json!("/a\u{0}b")),
        ("title", json!("t".repeat(301))),
    ];
    for (field, value) in cases {
        let mut body = valid();
        body[field] = value.clone();
        let r = app.post(body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field} = {value}");
        let v = r.json();
        assert_eq!(v["error"]["code"], "invalid_field");
        assert_eq!(v["error"]["field"], field, "{v}");
        assert!(!v["error"]["message"].as_str().unwrap().is_empty());
    }
    // Ten thousand characters are fine, counted as characters, not bytes.
    let mut body = valid();
    body["text"] = json!("ü".repeat(10_000));
    assert_eq!(app.post(body).await.status, StatusCode::CREATED);
    assert_eq!(app.stored_comments().await, 1);
}

#[tokio::test]
async fn parent_must_be_a_published_comment_of_the_same_thread() {
    let app = TestApp::new().await;
    let (id, _) = app.comment("Oben", None).await;
    let elsewhere = app
        .post(json!({"site": "blog", "uri": "/anderer/", "text": "x", "parent": id}))
        .await;
    assert_eq!(elsewhere.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(elsewhere.json()["error"]["field"], "parent");
    let missing = app
        .post(json!({"site": "blog", "uri": "/post/", "text": "x", "parent": 999}))
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.stored_comments().await, 1);
    // The failed reply on another page created no thread there either.
    assert_eq!(app.state.store.totals().await.unwrap().threads, 1);
}

#[tokio::test]
async fn wrong_origin_is_403_and_missing_origin_is_a_non_browser_client() {
    let app = TestApp::new().await;
    let req = |origin: Option<&str>| {
        let mut r = Request::post("/api/v1/comments").header("content-type", "application/json");
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        r.body(Body::from(valid().to_string())).unwrap()
    };
    for evil in [
        "https://evil.example",
        "null",
        "https://blog.example.evil.example",
        "http://blog.example",
    ] {
        let r = app.send(req(Some(evil))).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{evil}");
        assert_eq!(r.code(), "forbidden");
        assert!(!r.headers.contains_key("access-control-allow-origin"));
    }
    assert_eq!(app.stored_comments().await, 0);
    let r = app.send(req(None)).await;
    assert_eq!(r.status, StatusCode::CREATED);
}

#[tokio::test]
async fn cors_preflight_allows_only_known_origins() {
    let app = TestApp::new().await;
    let preflight = |origin: &str| {
        Request::options("/api/v1/comments")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .body(Body::empty())
            .unwrap()
    };
    let ok = app.send(preflight(ORIGIN)).await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT);
    assert_eq!(ok.headers["access-control-allow-origin"], ORIGIN);
    assert!(
        ok.headers["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("PATCH")
    );
    let allowed = ok.headers["access-control-allow-headers"].to_str().unwrap();
    assert!(allowed.contains("Authorization"));
    // The widget sends one with each new comment: without it every browser post failed its preflight.
    assert!(allowed.contains("Idempotency-Key"), "{allowed}");
    let evil = app.send(preflight("https://evil.example")).await;
    assert!(!evil.headers.contains_key("access-control-allow-origin"));
    assert!(!evil.headers.contains_key("access-control-allow-methods"));
}

#[tokio::test]
async fn unknown_comments_and_endpoints_are_404() {
    let app = TestApp::new().await;
    let r = app
        .write(
            axum::http::Method::PATCH,
            "/api/v1/comments/999",
            json!({"text": "x"}),
            Some("abc"),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .write(
            axum::http::Method::PATCH,
            "/api/v1/comments/abc",
            json!({"text": "x"}),
            Some("abc"),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .write(
            axum::http::Method::POST,
            "/api/v1/comments/999/vote",
            json!({"value": 1}),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.get("/api/v1/nothing-here").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "not_found");
    let r = app.get("/api/v1/comments").await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.code(), "method_not_allowed");
    let r = app.get("/api/v1/threads?site=blog").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app.get("/api/v1/threads?site=blog&uri=ohne-slash").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_page_uri_that_browsers_read_as_another_site_is_refused_and_nothing_is_stored() {
    let app = TestApp::new().await;
    for uri in ["//evil.example/", "/\\evil.example/", "/\\/evil.example/", "//"] {
        let mut body = valid();
        body["uri"] = json!(uri);
        let r = app.post(body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}");
        let v = r.json();
        assert_eq!(v["error"]["code"], "invalid_field", "{v}");
        assert_eq!(v["error"]["field"], "uri", "{v}");
        assert!(v["error"]["message"].as_str().unwrap().contains("//"), "{v}");
        for read in ["threads", "feed"] {
            let r = app
                .get(&format!(
                    "/api/v1/{read}?site=blog&uri={}",
                    crate::helpers::urlencode(uri)
                ))
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{read} {uri}");
            assert_eq!(r.json()["error"]["field"], "uri");
        }
    }
    let totals = app.state.store.totals().await.unwrap();
    assert_eq!((totals.comments, totals.threads), (0, 0));
}

#[tokio::test]
async fn names_and_titles_with_noncharacters_or_bidi_overrides_are_refused_and_nothing_is_stored() {
    let app = TestApp::new().await;
    let (id, token) = app.comment("Hallo", None).await;
    for c in ['\u{FFFE}', '\u{FFFF}', '\u{FDD0}', '\u{10FFFF}', '\u{202E}', '\u{2066}'] {
        let name = format!("Anna{c}Berg");
        for field in ["author", "title"] {
            let mut body = valid();
            body["uri"] = json!("/neu/");
            body[field] = json!(name);
            let r = app.post(body).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field} with {c:?}");
            let v = r.json();
            assert_eq!(
                (v["error"]["code"].as_str(), v["error"]["field"].as_str()),
                (Some("invalid_field"), Some(field))
            );
        }
        // An edit is held to the same rule and leaves the comment as it was.
        let r = app
            .write(
                axum::http::Method::PATCH,
                &format!("/api/v1/comments/{id}"),
                json!({"author": name}),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "edit with {c:?}");
        assert_eq!(r.json()["error"]["field"], "author");
    }
    let totals = app.state.store.totals().await.unwrap();
    assert_eq!((totals.comments, totals.threads), (1, 1));
    let record = app.record(id).await;
    assert_eq!((record.author, record.title), (None, None));
    assert!(app.state.store.comment(id).await.unwrap().unwrap().edited.is_none());
}
