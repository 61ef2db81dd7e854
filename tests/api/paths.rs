//! Paths a person types: a page path with a trailing slash redirects to its canonical form; API paths are
//! exact; a redirect never leaves this server.

use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::helpers::TestApp;

#[tokio::test]
async fn a_trailing_slash_redirects_to_the_canonical_page() {
    let app = TestApp::new().await;
    for (path, target) in [
        ("/admin/", "/admin"),
        ("/admin/login/", "/admin/login"),
        ("/admin/sites/?done=1", "/admin/sites?done=1"),
        ("/embed.js/", "/embed.js"),
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT, "{path}");
        assert_eq!(r.headers["location"], target, "{path}");
    }
    // The canonical page answers.
    assert_eq!(app.get("/admin/login").await.status, StatusCode::OK);
    // HEAD redirects too; a POST is not redirected (its body would be lost).
    let head = app.send(Request::head("/admin/").body(Body::empty()).unwrap()).await;
    assert_eq!(head.status, StatusCode::PERMANENT_REDIRECT);
    let post = app
        .send(Request::post("/admin/login/").body(Body::empty()).unwrap())
        .await;
    assert_eq!(post.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn unknown_paths_are_json_404s_and_never_redirect_elsewhere() {
    let app = TestApp::new().await;
    for path in ["/nope", "//evil.example/", "/api/v1/threads/"] {
        let r = app.get(path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.code(), "not_found", "{path}");
        assert!(!r.headers.contains_key("location"), "{path}");
    }
    // An encoded backslash stays encoded: the target is a path on this server, not `/\host`.
    let r = app.get("/%5Cevil.example/").await;
    assert_eq!(r.headers["location"], "/%5Cevil.example");
}

#[tokio::test]
async fn a_public_server_has_no_demo_unless_asked() {
    let mut c = crate::helpers::config();
    c.public_url = Some("https://comments.example".into());
    let app = TestApp::with(c.clone()).await;
    assert_eq!(app.get("/").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/api/v1/threads?site=demo&uri=/").await.status,
        StatusCode::NOT_FOUND
    );
    c.demo = Some(true);
    let app = TestApp::with(c).await;
    assert_eq!(app.get("/").await.status, StatusCode::OK);
    // A local server (no public_url) has it by default.
    assert_eq!(TestApp::new().await.get("/").await.status, StatusCode::OK);
}
