//! Reading and writing threads: nesting, Unicode, counts, preview, feed.

use std::time::Instant;

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, urlencode};

#[tokio::test]
async fn a_page_without_comments_is_an_empty_thread() {
    let app = TestApp::new().await;
    let v = app.thread("/noch-leer/").await;
    assert_eq!(v["total"], 0);
    assert_eq!(v["comments"], json!([]));
    assert_eq!(v["site"], "blog");
    assert_eq!(v["uri"], "/noch-leer/");
}

#[tokio::test]
async fn unknown_site_is_404() {
    let app = TestApp::new().await;
    let r = app.get("/api/v1/threads?site=nope&uri=/post/").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "not_found");
    let r = app
        .post(json!({"site": "nope", "uri": "/post/", "text": "hallo"}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.stored_comments().await, 0);
}

#[tokio::test]
async fn replies_nest_three_levels_deep_oldest_first() {
    let app = TestApp::new().await;
    let (a, _) = app.comment("Erster Kommentar", None).await;
    let (b, _) = app.comment("Antwort auf den ersten", Some(a)).await;
    let (c, _) = app.comment("Antwort auf die Antwort", Some(b)).await;
    let (d, _) = app.comment("Zweiter Kommentar", None).await;
    let (e, _) = app.comment("Noch eine Antwort auf den ersten", Some(a)).await;
    let v = app.thread("/post/").await;
    assert_eq!(v["total"], 5);
    let top = v["comments"].as_array().unwrap();
    assert_eq!(
        top.iter().map(|c| c["id"].as_i64().unwrap()).collect::<Vec<_>>(),
        [a, d]
    );
    let replies = top[0]["replies"].as_array().unwrap();
    assert_eq!(
        replies.iter().map(|c| c["id"].as_i64().unwrap()).collect::<Vec<_>>(),
        [b, e]
    );
    assert_eq!(replies[0]["parent"], a);
    let third = replies[0]["replies"].as_array().unwrap();
    assert_eq!(third[0]["id"], c);
    assert_eq!(third[0]["parent"], b);
    assert_eq!(third[0]["html"], "<p>Antwort auf die Antwort</p>\n");
}

#[tokio::test]
async fn comment_has_every_documented_field_and_nothing_private() {
    let app = TestApp::new().await;
    let r = app
        .post(json!({
            "site": "blog", "uri": "/post/", "title": "Ein Beitrag", "text": "Hallo",
            "author": "Anna", "email": "anna@example.de", "website": "https://anna.example/"
        }))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let v = r.json();
    let c = &v["comment"];
    let mut keys: Vec<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "author",
            "avatar",
            "created",
            "dislikes",
            "edited",
            "html",
            "id",
            "likes",
            "moderator",
            "parent",
            "pinned",
            "replies",
            "status",
            "website"
        ]
    );
    assert_eq!(c["status"], "published");
    assert_eq!(c["author"], "Anna");
    assert_eq!(c["website"], "https://anna.example/");
    assert!(c["created"].as_str().unwrap().ends_with('Z'));
    assert!(v["editable_until"].as_str().unwrap() > c["created"].as_str().unwrap());
    let thread = app.get("/api/v1/threads?site=blog&uri=/post/").await.text();
    assert!(!thread.contains("anna@example.de"));
    assert!(!thread.contains("192.0.2.10"));
    assert!(!thread.contains(v["edit_token"].as_str().unwrap()));
    let stored = app.records().await;
    assert_eq!(stored.len(), 1);
    let ip_hash = stored[0].ip_hash.clone().unwrap();
    assert!(!thread.contains(&ip_hash));
    assert_eq!(app.thread("/post/").await["title"], "Ein Beitrag");
}

#[tokio::test]
async fn unicode_round_trips_exactly() {
    let app = TestApp::new().await;
    let text = "Grüße aus Köln – Straße, 😀👍🏽, שלום עולם, مرحبا بالعالم, 日本語";
    let author = "Jürgen Groß 🦀";
    let uri = "/blog/über-uns/";
    let r = app
        .post(json!({"site": "blog", "uri": uri, "text": text, "author": author}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let v = app.thread(uri).await;
    assert_eq!(v["uri"], uri);
    assert_eq!(v["comments"][0]["html"], format!("<p>{text}</p>\n"));
    assert_eq!(v["comments"][0]["author"], author);
    let stored = app.records().await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].text, text);
}

#[tokio::test]
async fn counts_cover_published_comments_per_page() {
    let app = TestApp::new().await;
    app.comment("eins", None).await;
    app.comment("zwei", None).await;
    app.post(json!({"site": "blog", "uri": "/anderer/", "text": "drei"}))
        .await;
    let r = app
        .get("/api/v1/counts?site=blog&uri=/post/&uri=/anderer/&uri=/leer/")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), json!({"/post/": 2, "/anderer/": 1, "/leer/": 0}));
    let many: String = (0..101).map(|i| format!("&uri=/p{i}/")).collect();
    let r = app.get(&format!("/api/v1/counts?site=blog{many}")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "uri");
    assert_eq!(
        app.get("/api/v1/counts?site=nope&uri=/post/").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/counts?uri=/post/").await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn preview_uses_the_same_renderer() {
    let app = TestApp::new().await;
    let r = app
        .write(
            Method::POST,
            "/api/v1/preview",
            json!({"text": "**fett** <script>x</script>"}),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.json()["html"].as_str().unwrap().to_owned();
    assert_eq!(html, "<p><strong>fett</strong> &lt;script&gt;x&lt;/script&gt;</p>\n");
    let r = app
        .write(Method::POST, "/api/v1/preview", json!({"text": "  "}), None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.stored_comments().await, 0);
}

#[tokio::test]
async fn feed_is_atom_of_newest_published_comments() {
    let app = TestApp::new().await;
    let r = app
        .post(json!({"site": "blog", "uri": "/post/", "title": "Über <Social> Media", "text": "Alter & <b>Kommentar</b>", "author": "Eva"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    app.post(json!({"site": "blog", "uri": "/zwei/", "text": "Neuer Kommentar"}))
        .await;
    let r = app.get("/api/v1/feed?site=blog").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "application/atom+xml; charset=utf-8");
    let xml = r.text();
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">")
    );
    assert_eq!(xml.matches("<entry>").count(), 2);
    // Newest first, linking to the page on the site's origin.
    let newer = xml.find("https://blog.example/zwei/#riposte-2").unwrap();
    let older = xml.find("https://blog.example/post/#riposte-1").unwrap();
    assert!(newer < older);
    // Titles and HTML are escaped: the feed stays well-formed whatever the comment says.
    assert!(xml.contains("Eva on Über &#60;Social&#62; Media"), "{xml}");
    assert!(!xml.contains("<b>") && !xml.contains("<p>"));
    let page = app
        .get(&format!("/api/v1/feed?site=blog&uri={}", urlencode("/zwei/")))
        .await
        .text();
    assert_eq!(page.matches("<entry>").count(), 1);
    assert_eq!(app.get("/api/v1/feed?site=nope").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn healthz_answers_when_the_database_does() {
    let app = TestApp::new().await;
    let r = app.get("/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["status"], "ok");
    let r = app.get("/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("riposte"));
}

#[tokio::test]
async fn nesting_stops_at_fifty_levels() {
    let app = TestApp::new().await;
    let (mut parent, _) = app.comment("Ebene 0", None).await;
    let mut ids = vec![parent];
    for level in 1..=51 {
        let (id, _) = app.comment(&format!("Ebene {level}"), Some(parent)).await;
        ids.push(id);
        parent = id;
    }
    let meta = |id: i64| {
        let store = app.state.store.clone();
        async move { store.comment_meta(id).await.unwrap().unwrap() }
    };
    assert_eq!(meta(ids[50]).await.depth, 50);
    // The reply to the 50th level sits beside it, under the same parent.
    let last = meta(ids[51]).await;
    assert_eq!(last.depth, 50);
    assert_eq!(last.parent, Some(ids[49]));
    assert_eq!(app.thread("/post/").await["total"], 52);
}

#[tokio::test]
async fn long_threads_come_in_pages_of_top_level_comments_with_their_replies() {
    let app = TestApp::new().await;
    let mut tops = Vec::new();
    for i in 0..5 {
        let (id, _) = app.comment(&format!("Oben {i}"), None).await;
        app.comment(&format!("Antwort auf {i}"), Some(id)).await;
        tops.push(id);
    }
    let page = |q: &str| {
        let q = q.to_owned();
        let app = &app;
        async move { app.get(&format!("/api/v1/threads?site=blog&uri=/post/{q}")).await }
    };
    let first = page("&limit=2").await.json();
    assert_eq!(first["total"], 10);
    let ids: Vec<i64> = first["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, tops[..2]);
    assert_eq!(first["comments"][1]["replies"][0]["html"], "<p>Antwort auf 1</p>\n");
    assert_eq!(first["next"], tops[1]);
    let second = page(&format!("&limit=2&after={}", tops[1])).await.json();
    let ids: Vec<i64> = second["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, tops[2..4]);
    let last = page(&format!("&limit=2&after={}", tops[3])).await.json();
    assert_eq!(last["comments"].as_array().unwrap().len(), 1);
    assert_eq!(last["next"], json!(null));
    assert_eq!(
        page("").await.json()["next"],
        json!(null),
        "the default page holds all five"
    );
    for bad in ["&limit=0", "&limit=501", "&limit=x", "&after=-1"] {
        let r = page(bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
}

#[tokio::test]
async fn a_ten_thousand_comment_thread_answers_one_page() {
    let app = TestApp::new().await;
    // Written through the store, not the API. Every fourth comment is top-level, the three after it reply to it.
    let started = Instant::now();
    for i in 0..10_000i64 {
        let parent = (i % 4 != 0).then(|| i - i % 4 + 1);
        let stored = app.store_comment("/lang/", parent, i + 1).await;
        assert_eq!((stored.id, stored.parent), (i + 1, parent));
    }
    println!("10,000 comments stored in {:?}", started.elapsed());
    let v = app.thread("/lang/").await;
    assert_eq!(v["total"], 10_000);
    assert_eq!(v["comments"].as_array().unwrap().len(), 100);
    assert_eq!(v["comments"][0]["replies"].as_array().unwrap().len(), 3);
    assert!(v["next"].is_i64());
    // How quickly is the benchmark's business (bench/); here: one page, not ten thousand comments.
    assert!(serde_json::to_string(&v).unwrap().len() < 100_000);
}

#[tokio::test]
async fn the_openapi_document_describes_every_public_endpoint() {
    let app = TestApp::new().await;
    let r = app.get("/api/v1/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut paths: Vec<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "/api/v1/challenge",
            "/api/v1/comments",
            "/api/v1/comments/{id}",
            "/api/v1/comments/{id}/vote",
            "/api/v1/counts",
            "/api/v1/events",
            "/api/v1/feed",
            "/api/v1/preview",
            "/api/v1/threads",
            "/api/v1/threads/replies"
        ]
    );
    assert!(doc["paths"]["/api/v1/comments"]["post"]["responses"]["202"].is_object());
    assert!(doc["components"]["schemas"]["CommentOut"]["properties"]["replies"].is_object());
}

#[tokio::test]
async fn cached_reads_change_with_every_write_and_revalidate_with_etags() {
    use axum::body::Body;
    use axum::http::Request;
    let app = TestApp::new().await;
    let (id, token) = app.comment("Erster", None).await;
    let url = "/api/v1/threads?site=blog&uri=/post/";
    let first = app.get(url).await;
    let etag = first.headers["etag"].to_str().unwrap().to_owned();
    assert_eq!(first.headers["cache-control"], "no-cache");
    // A revalidation with the current tag is a 304 without a body.
    let again = app
        .send(
            Request::get(url)
                .header("if-none-match", &etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.bytes.is_empty());
    // Every kind of write shows at once: a new comment, an edit, a vote, a deletion.
    app.comment("Zweiter", Some(id)).await;
    let v = app.get(url).await;
    assert_ne!(v.headers["etag"].to_str().unwrap(), etag);
    assert_eq!(v.json()["total"], 2);
    app.write(
        axum::http::Method::PATCH,
        &format!("/api/v1/comments/{id}"),
        json!({"text": "Geändert"}),
        Some(&token),
    )
    .await;
    assert_eq!(app.thread("/post/").await["comments"][0]["html"], "<p>Geändert</p>\n");
    app.write(
        axum::http::Method::POST,
        &format!("/api/v1/comments/{id}/vote"),
        json!({"value": 1}),
        None,
    )
    .await;
    assert_eq!(app.thread("/post/").await["comments"][0]["likes"], 1);
    assert_eq!(app.get("/api/v1/counts?site=blog&uri=/post/").await.json()["/post/"], 2);
    app.write(
        axum::http::Method::DELETE,
        &format!("/api/v1/comments/{id}"),
        json!({}),
        Some(&token),
    )
    .await;
    assert_eq!(app.thread("/post/").await["comments"][0]["status"], "deleted");
    assert_eq!(app.get("/api/v1/counts?site=blog&uri=/post/").await.json()["/post/"], 1);
    // Browsers that take gzip get it.
    for i in 0..20 {
        app.comment(&format!("Füllstoff Nummer {i}, damit es sich lohnt"), None)
            .await;
    }
    let gz = app
        .send(
            Request::get(url)
                .header("accept-encoding", "gzip, br")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(gz.headers["content-encoding"], "gzip");
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz.bytes[..]), &mut plain).unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&plain).unwrap()["total"],
        21
    );
}

#[tokio::test]
async fn readyz_says_whether_the_database_answers_with_this_builds_schema() {
    let app = TestApp::new().await;
    let r = app.get("/readyz").await;
    assert_eq!((r.status, r.json()["status"].as_str()), (StatusCode::OK, Some("ready")));
    // A newer build migrated the database further: this one must not take requests, though it is alive.
    let newer = match app.on_postgres() {
        true => "INSERT INTO riposte_migrations (version, name, applied) VALUES (999, 'from a newer build', 0)",
        false => "PRAGMA user_version = 999",
    };
    crate::helpers::database::execute(&app.state.config.database, newer);
    let r = app.get("/readyz").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.json()["status"], "schema");
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
}
