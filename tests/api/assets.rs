//! The widget's files and the demo page, as a browser fetches them.

use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::helpers::TestApp;

fn get(uri: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut req = Request::get(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.body(Body::empty()).unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).unwrap();
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096).read_to_end(&mut out).unwrap();
    out
}

#[tokio::test]
async fn embed_files_have_types_compression_etags_and_cache_headers() {
    let app = TestApp::new().await;
    for (path, ty) in [
        ("/embed.js", "text/javascript; charset=utf-8"),
        ("/embed.css", "text/css; charset=utf-8"),
    ] {
        let plain = app.send(get(path, &[])).await;
        assert_eq!(plain.status, StatusCode::OK);
        assert_eq!(plain.headers["content-type"], ty);
        assert!(!plain.headers.contains_key("content-encoding"));
        assert!(plain.headers["cache-control"].to_str().unwrap().contains("max-age="));
        assert_eq!(plain.headers["vary"], "Accept-Encoding");
        assert_eq!(plain.headers["x-content-type-options"], "nosniff");

        let gz = app.send(get(path, &[("accept-encoding", "gzip, deflate")])).await;
        assert_eq!(gz.headers["content-encoding"], "gzip");
        assert_eq!(gunzip(&gz.bytes), plain.bytes);
        assert!(gz.bytes.len() < plain.bytes.len() / 2);

        let br = app.send(get(path, &[("accept-encoding", "gzip, deflate, br")])).await;
        assert_eq!(br.headers["content-encoding"], "br");
        assert_eq!(unbrotli(&br.bytes), plain.bytes);
        // br;q=0 means "not brotli".
        let no_br = app.send(get(path, &[("accept-encoding", "br;q=0, gzip")])).await;
        assert_eq!(no_br.headers["content-encoding"], "gzip");

        // A current copy gets a 304 without a body; each encoding has its own tag.
        let etag = br.headers["etag"].to_str().unwrap().to_owned();
        assert_ne!(etag, gz.headers["etag"].to_str().unwrap());
        let again = app
            .send(get(path, &[("accept-encoding", "br"), ("if-none-match", &etag)]))
            .await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED);
        assert!(again.bytes.is_empty());
        let stale = app
            .send(get(path, &[("accept-encoding", "br"), ("if-none-match", "\"0000\"")]))
            .await;
        assert_eq!(stale.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn translations_are_served_to_any_origin() {
    let app = TestApp::new().await;
    let r = app
        .send(get("/i18n/de.json", &[("origin", "https://anywhere.example")]))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "application/json");
    assert_eq!(r.headers["access-control-allow-origin"], "*");
    assert_eq!(r.json()["submit"], "Kommentar senden");
    assert_eq!(app.send(get("/i18n/xx.json", &[])).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.send(get("/i18n/..%2Fembed.js", &[])).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_front_page_is_the_demo_article_with_the_snippet() {
    let app = TestApp::new().await;
    let r = app.send(get("/", &[])).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains(r#"<div id="riposte-thread"></div>"#));
    assert!(
        html.contains(r#"<script src="http://127.0.0.1:8080/embed.js" data-site="demo" async></script>"#),
        "{html}"
    );
    assert!(html.contains(r#"data-riposte-count="/""#));
    let csp = r.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self' http://127.0.0.1:8080") && !csp.contains("unsafe-inline"));
    let css = app.send(get("/demo.css", &[])).await;
    assert_eq!(css.status, StatusCode::OK);
}
