//! Hostile input stays harmless; floods hit the rate limits; forged forwarding headers do not help.

use std::collections::BTreeSet;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use riposte::config::Rate;
use serde_json::json;

use crate::helpers::{ORIGIN, TestApp, config};

fn post_from(body: serde_json::Value, forwarded: Option<&str>) -> Request<Body> {
    let mut req = Request::post("/api/v1/comments")
        .header("content-type", "application/json")
        .header("origin", ORIGIN);
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    req.body(Body::from(body.to_string())).unwrap()
}

#[tokio::test]
async fn xss_in_text_author_and_website_is_harmless() {
    let app = TestApp::new().await;
    let texts = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[klick mich](javascript:alert(1))",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<svg onload=alert(1)>",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<iframe src=\"https://evil.example\"></iframe>",
    ];
    for text in texts {
        let r = app
            .post(json!({"site": "blog", "uri": "/post/", "text": text, "author": "<script>alert('a')</script>"}))
            .await;
        // Published, or held by the spam filter (an iframe to evil.example may well look like spam): either
        // way what is stored is sanitized; the thread below shows the published ones.
        assert!(matches!(r.status, StatusCode::CREATED | StatusCode::ACCEPTED), "{text}");
        let id = r.json()["comment"]["id"].as_i64().unwrap();
        let stored = app.record(id).await.html;
        for bad in [
            "<script",
            "<iframe",
            "<svg",
            "<img",
            "<a href=\"javascript:",
            "<a href=\"data:",
            "<img src=x onerror=",
        ] {
            assert!(!stored.contains(bad), "{stored}");
        }
    }
    let v = app.thread("/post/").await;
    for c in v["comments"].as_array().unwrap() {
        let html = c["html"].as_str().unwrap();
        for tag in html.split('<').skip(1).map(|t| t.split('>').next().unwrap()) {
            let name = tag.trim_start_matches('/').split(' ').next().unwrap();
            assert!(["p", "a"].contains(&name), "{html}");
            assert!(
                !tag.contains("javascript:") && !tag.contains("data:") && !tag.contains(" on"),
                "{html}"
            );
        }
        // The author is plain text in JSON; the widget sets it with textContent.
        assert_eq!(c["author"], "<script>alert('a')</script>");
    }
    // A website that tries to break out of an attribute is refused or neutralized by URL parsing.
    for website in [
        "javascript:alert(1)",
        "'onmouseover=alert(1)",
        "\" onmouseover=\"alert(1)",
        "data:text/html,x",
    ] {
        let r = app
            .post(json!({"site": "blog", "uri": "/p2/", "text": "x", "website": website}))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{website}");
    }
    let r = app.post(json!({"site": "blog", "uri": "/p2/", "text": "x", "website": "https://example.org/'onmouseover=alert(1) \"x"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let site = r.json()["comment"]["website"].as_str().unwrap().to_owned();
    assert!(site.starts_with("https://example.org/"));
    assert!(!site.contains(' ') && !site.contains('"'), "{site}");
}

fn limited(rate: Rate) -> riposte::Config {
    let mut c = config();
    c.rate_limits.comments = rate;
    c
}

#[tokio::test]
async fn a_burst_gets_429_with_retry_after_and_later_succeeds() {
    let app = TestApp::with(limited(Rate {
        burst: 3,
        every_ms: 300.0,
    }))
    .await;
    for i in 0..3 {
        let r = app
            .send(post_from(
                json!({"site": "blog", "uri": "/post/", "text": format!("Nr. {i}")}),
                None,
            ))
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let r = app
        .send(post_from(
            json!({"site": "blog", "uri": "/post/", "text": "zu viel"}),
            None,
        ))
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.code(), "rate_limited");
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry >= 1);
    assert_eq!(app.stored_comments().await, 3);
    // Another client is not affected.
    let other = Request::post("/api/v1/comments")
        .header("content-type", "application/json")
        .body(Body::from(
            json!({"site": "blog", "uri": "/post/", "text": "andere"}).to_string(),
        ))
        .unwrap();
    assert_eq!(
        app.send_from("203.0.113.77:5000", other).await.status,
        StatusCode::CREATED
    );
    // Reads have their own bucket.
    assert_eq!(
        app.get("/api/v1/threads?site=blog&uri=/post/").await.status,
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(350)).await;
    let r = app
        .send(post_from(
            json!({"site": "blog", "uri": "/post/", "text": "wieder da"}),
            None,
        ))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
}

#[tokio::test]
async fn forged_forwarded_for_does_not_escape_the_limit() {
    let app = TestApp::with(limited(Rate {
        burst: 2,
        every_ms: 60_000.0,
    }))
    .await;
    let mut statuses = Vec::new();
    for i in 0..6 {
        let r = app
            .send(post_from(
                json!({"site": "blog", "uri": "/post/", "text": "x"}),
                Some(&format!("10.9.8.{i}")),
            ))
            .await;
        statuses.push(r.status.as_u16());
    }
    assert_eq!(statuses, [201, 201, 429, 429, 429, 429]);
}

#[tokio::test]
async fn forwarded_for_counts_behind_a_trusted_proxy() {
    let mut c = limited(Rate {
        burst: 1,
        every_ms: 60_000.0,
    });
    c.trusted_proxies = vec!["192.0.2.0/24".into()];
    let app = TestApp::with(c).await;
    // Two different clients behind the proxy each get their own bucket.
    for client in ["198.51.100.1", "198.51.100.2"] {
        let r = app
            .send(post_from(
                json!({"site": "blog", "uri": "/post/", "text": "x"}),
                Some(client),
            ))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{client}");
    }
    let r = app
        .send(post_from(
            json!({"site": "blog", "uri": "/post/", "text": "x"}),
            Some("198.51.100.1"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let hashes: BTreeSet<String> = app
        .records()
        .await
        .into_iter()
        .map(|c| c.ip_hash.expect("every comment has an IP hash"))
        .collect();
    assert_eq!(hashes.len(), 2);
    assert!(hashes.iter().all(|h| !h.contains("198.51")));
}

#[tokio::test]
async fn edits_and_votes_have_their_own_limit() {
    let mut c = config();
    c.rate_limits.edits = Rate {
        burst: 2,
        every_ms: 60_000.0,
    };
    let app = TestApp::with(c).await;
    let (id, _) = app.comment("x", None).await;
    let url = format!("/api/v1/comments/{id}/vote");
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(
            app.write(axum::http::Method::POST, &url, json!({"value": 1}), None)
                .await
                .status
                .as_u16(),
        );
    }
    assert_eq!(statuses, [200, 200, 429]);
    // Posting is unaffected.
    app.comment("noch einer", None).await;
}
