//! `GET /metrics` (`metrics = true`, `metrics_token`): off by default, behind the token when one is set,
//! and counting what the server did: requests by route pattern and status, cache hits and misses, the
//! outbox, open live streams.

use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::helpers::{TestApp, config};

async fn scrape(app: &TestApp, token: Option<&str>) -> (StatusCode, String) {
    let mut req = Request::get("/metrics");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let r = app.send(req.body(Body::empty()).unwrap()).await;
    (r.status, r.text())
}

/// The value of the first sample line that starts with `prefix`.
fn sample(text: &str, prefix: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no sample {prefix} in:\n{text}"))
}

#[tokio::test]
async fn metrics_are_off_by_default() {
    let app = TestApp::new().await;
    let (status, _) = scrape(&app, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_cache_lookups() {
    let app = TestApp::with(riposte::config::Config {
        metrics: true,
        ..config()
    })
    .await;
    let (id, _) = app.comment("Erster!", None).await;
    for _ in 0..3 {
        assert_eq!(
            app.get("/api/v1/threads?site=blog&uri=/post").await.status,
            StatusCode::OK
        );
    }
    assert_eq!(app.get(&format!("/api/v1/comments/{id}")).await.status, StatusCode::OK);
    assert_eq!(app.get("/api/v1/comments/999999").await.status, StatusCode::NOT_FOUND);
    let (status, text) = scrape(&app, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.ends_with("# EOF\n"), "{text}");
    let threads = r#"riposte_http_requests_total{route="/api/v1/threads",method="GET",status="200"}"#;
    assert_eq!(sample(&text, threads), 3.0);
    // The route's pattern, never the path: one label for every comment id.
    let one = r#"riposte_http_requests_total{route="/api/v1/comments/{id}",method="GET",status="404"}"#;
    assert_eq!(sample(&text, one), 1.0);
    assert!(!text.contains("/comments/999999"), "{text}");
    assert_eq!(
        sample(
            &text,
            r#"riposte_http_request_duration_seconds_count{route="/api/v1/threads"}"#
        ),
        3.0
    );
    // Three reads of one thread: one miss built it, two hits served it.
    assert!(
        sample(&text, r#"riposte_cache_lookups_total{result="hit"}"#) >= 2.0,
        "{text}"
    );
    assert!(
        sample(&text, r#"riposte_cache_lookups_total{result="miss"}"#) >= 1.0,
        "{text}"
    );
    assert_eq!(sample(&text, "riposte_outbox_depth "), 0.0);
    assert_eq!(sample(&text, "riposte_live_streams "), 0.0);
    assert!(sample(&text, "riposte_db_connections_max ") >= 1.0, "{text}");
}

#[tokio::test]
async fn metrics_token_is_required_when_set() {
    let app = TestApp::with(riposte::config::Config {
        metrics: true,
        metrics_token: Some("s3cret-scrape".into()),
        ..config()
    })
    .await;
    let (status, body) = scrape(&app, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(body.contains("unauthorized"), "{body}");
    assert_eq!(scrape(&app, Some("wrong")).await.0, StatusCode::UNAUTHORIZED);
    let (status, text) = scrape(&app, Some("s3cret-scrape")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("# TYPE riposte_http_requests counter"), "{text}");
}
