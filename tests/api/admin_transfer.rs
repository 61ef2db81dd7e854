//! Import and export in the admin UI: an uploaded file is imported like `riposte import` does it and
//! summarized; a dry run, a broken file or one over the limit stores nothing and leaves no temporary file;
//! the CSRF token rides in the form's address; only moderators of every site import; a site's export
//! downloads as JSON for its moderators only.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use riposte::domain::Moderation;
use riposte::domain::time::now_ms;
use serde_json::{Value, json};

use crate::helpers::{OWN, Reply, TestApp, config};

const PASSWORD: &str = "a long enough password";
const BOUNDARY: &str = "riposte-test-7MA4YWxkTrZu0gW";

/// One part of a multipart form: a text field, or a file with its name.
enum Part<'a> {
    Text(&'a str, &'a str),
    File(&'a str, &'a [u8]),
}

fn multipart(parts: &[Part]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match part {
            Part::Text(name, value) => {
                body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes());
                body.extend_from_slice(value.as_bytes());
            }
            Part::File(file_name, bytes) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
                         Content-Type: application/octet-stream\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
            }
        }
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// The import form as the page sends it: JSON into `blog`, plus any further fields.
fn form<'a>(file_name: &'a str, file: &'a [u8], more: Vec<Part<'a>>) -> Vec<u8> {
    let mut parts = vec![Part::Text("format", "json"), Part::Text("site", "blog")];
    parts.extend(more);
    parts.push(Part::File(file_name, file));
    multipart(&parts)
}

async fn upload(app: &TestApp, cookie: Option<&str>, uri: &str, origin: &str, body: Vec<u8>) -> Reply {
    upload_in(app, cookie, uri, origin, "en", body).await
}

/// An import as a logged-in moderator sends it: from our own pages, with the session's token in the address.
async fn import_as(app: &TestApp, cookie: &str, csrf: &str, body: Vec<u8>) -> Reply {
    upload(app, Some(cookie), &format!("/admin/import?csrf={csrf}"), OWN, body).await
}

async fn upload_in(app: &TestApp, cookie: Option<&str>, uri: &str, origin: &str, lang: &str, body: Vec<u8>) -> Reply {
    let mut req = Request::post(uri)
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .header("origin", origin)
        .header("accept-language", lang);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    app.send(req.body(Body::from(body)).unwrap()).await
}

/// The riposte export of a site with a comment, a reply and a held comment, each text ending in `marker`.
async fn exported(marker: &str) -> Vec<u8> {
    let source = TestApp::new().await;
    let (first, _) = source.comment(&format!("Erster Kommentar {marker}"), None).await;
    source.comment(&format!("Eine Antwort {marker}"), Some(first)).await;
    let held = source
        .post(json!({"site": "blog", "uri": "/post/",
                     "text": format!("https://a.example https://b.example https://c.example https://d.example {marker}")}))
        .await;
    assert_eq!(held.status, StatusCode::ACCEPTED);
    let site = source.state.sites.get("blog").await.unwrap().unwrap();
    let export = source.state.store.export_site((*site).clone(), now_ms()).await.unwrap();
    serde_json::to_vec_pretty(&export).unwrap()
}

/// A fresh server with anna, moderator of every site, logged in: (app, cookie, csrf).
async fn target(config: riposte::Config) -> (TestApp, String, String) {
    let app = TestApp::with(config).await;
    app.add_moderator("anna", PASSWORD, &[]).await;
    let admin = app.login("anna", PASSWORD).await;
    (app, admin.cookie, admin.csrf)
}

/// Temporary upload files still holding `marker` (other tests' uploads come and go beside them).
fn leftovers(marker: &str) -> usize {
    std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("riposte-upload-"))
        .filter(|e| std::fs::read(e.path()).is_ok_and(|b| b.windows(marker.len()).any(|w| w == marker.as_bytes())))
        .count()
}

/// The number a summary line shows (`<dd id="summary-new">3</dd>`).
fn summary(page: &str, what: &str) -> i64 {
    let start = format!("id=\"summary-{what}\">");
    let rest = page
        .split(&start)
        .nth(1)
        .unwrap_or_else(|| panic!("no {what} in {page}"));
    rest.split('<').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn an_uploaded_export_is_imported_summarized_and_shown_in_its_thread() {
    let marker = "m-imported-7f3a";
    let mut file = exported(marker).await;
    // More than the 64 KiB every other form may send (JSON allows the trailing whitespace).
    file.extend(std::iter::repeat_n(b'\n', 100_000));
    let (app, cookie, csrf) = target(config()).await;

    let r = import_as(&app, &cookie, &csrf, form("blog.json", &file, vec![])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let page = r.text();
    assert!(page.contains("Imported") && page.contains("blog.json"), "{page}");
    assert_eq!(summary(&page, "threads"), 1);
    assert_eq!(summary(&page, "new"), 3);
    assert_eq!(summary(&page, "already"), 0);
    assert_eq!(summary(&page, "replies"), 1);
    assert_eq!(summary(&page, "held"), 1);
    assert_eq!((summary(&page, "spam"), summary(&page, "placeholders")), (0, 0));
    let thread = app.thread("/post/").await;
    assert_eq!(thread["total"], 2, "the held comment stays held: {thread}");
    let html = thread.to_string();
    assert!(
        html.contains("Erster Kommentar") && html.contains("Eine Antwort"),
        "{html}"
    );
    assert_eq!(app.stored_comments().await, 3);
    assert_eq!(leftovers(marker), 0, "the temporary file is removed");

    // Again, in German: nothing new, all of it already there.
    let r = upload_in(
        &app,
        Some(&cookie),
        &format!("/admin/import?csrf={csrf}"),
        OWN,
        "de",
        form("blog.json", &file, vec![Part::Text("maps", "/alt/=/neu/\n")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let page = r.text();
    assert!(
        page.contains("Importiert") && page.contains("Bereits vorhanden"),
        "{page}"
    );
    assert_eq!((summary(&page, "new"), summary(&page, "already")), (0, 3));
    assert!(page.contains("/alt/=/neu/"), "the form keeps what was entered");
    assert_eq!(app.stored_comments().await, 3);
}

#[tokio::test]
async fn a_dry_run_reports_and_stores_nothing() {
    let marker = "m-dry-run-51c2";
    let file = exported(marker).await;
    let (app, cookie, csrf) = target(config()).await;
    let body = form("blog.json", &file, vec![Part::Text("dry_run", "1")]);
    let r = import_as(&app, &cookie, &csrf, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let page = r.text();
    assert!(page.contains("Dry run"), "{page}");
    assert_eq!(summary(&page, "new"), 3);
    assert_eq!(app.stored_comments().await, 0, "a dry run stores nothing");
    assert_eq!(leftovers(marker), 0);
}

#[tokio::test]
async fn an_unreadable_file_answers_422_with_its_position_and_stores_nothing() {
    let marker = "m-broken-a9d0";
    let whole = exported(marker).await;
    let cut = &whole[..whole.len() * 2 / 3];
    let (app, cookie, csrf) = target(config()).await;
    let r = import_as(&app, &cookie, &csrf, form("cut.json", cut, vec![])).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let page = r.text();
    assert!(page.contains("line ") && page.contains("column "), "{page}");
    assert!(
        page.contains("cut.json") && page.contains("nothing was stored"),
        "{page}"
    );
    assert!(
        !page.contains("riposte-upload-"),
        "the temporary file's name stays inside: {page}"
    );
    assert_eq!(app.stored_comments().await, 0);
    assert_eq!(leftovers(marker), 0);

    // A form without a file, or with an unknown format or site, says what is missing.
    let r = import_as(
        &app,
        &cookie,
        &csrf,
        multipart(&[Part::Text("format", "json"), Part::Text("site", "blog")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("Choose the file"), "{}", r.text());
    let body = multipart(&[
        Part::Text("format", "typo3"),
        Part::Text("site", "blog"),
        Part::File("x.json", b"{}"),
    ]);
    let r = import_as(&app, &cookie, &csrf, body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("format: must be one of"), "{}", r.text());
    let body = multipart(&[
        Part::Text("format", "json"),
        Part::Text("site", "nope"),
        Part::File("x.json", b"{}"),
    ]);
    let r = import_as(&app, &cookie, &csrf, body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("there is no site"), "{}", r.text());
    assert_eq!(app.stored_comments().await, 0);
}

#[tokio::test]
async fn an_upload_over_the_limit_answers_413_and_stores_nothing() {
    let marker = "m-too-large-e81b";
    let mut c = config();
    c.import_max_mb = 1;
    let (app, cookie, csrf) = target(c).await;
    let mut big = exported(marker).await;
    big.resize(1_100_000, b' ');
    let r = import_as(&app, &cookie, &csrf, form("big.json", &big, vec![])).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text());
    let page = r.text();
    assert!(
        page.contains("larger than the limit") && page.contains("MiB: 1"),
        "{page}"
    );
    assert_eq!(app.stored_comments().await, 0);
    assert_eq!(leftovers(marker), 0, "the partial upload is removed");
    // Just under the limit is fine.
    big.truncate(1024 * 1024);
    let r = import_as(&app, &cookie, &csrf, form("big.json", &big, vec![])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(app.stored_comments().await, 3);
    assert!(
        app.admin_get(&cookie, "/admin/import")
            .await
            .text()
            .contains("at most 1 MiB")
    );
}

#[tokio::test]
async fn only_moderators_of_every_site_import() {
    let marker = "m-limited-2b77";
    let file = exported(marker).await;
    let app = TestApp::new().await;
    app.add_moderator("bea", PASSWORD, &["blog"]).await;
    let bea = app.login("bea", PASSWORD).await;
    assert_eq!(
        app.admin_get(&bea.cookie, "/admin/import").await.status,
        StatusCode::FORBIDDEN
    );
    let uri = format!("/admin/import?csrf={}", bea.csrf);
    let r = upload(&app, Some(&bea.cookie), &uri, OWN, form("blog.json", &file, vec![])).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert_eq!(app.stored_comments().await, 0);
    assert_eq!(leftovers(marker), 0);
    // Her own sites' exports are on a page of their own, without the import form.
    let r = app.admin_get(&bea.cookie, "/admin/export").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("action=\"/admin/export\"") && !r.text().contains("/admin/import?csrf="));
    // Anna's page has both, and the nav links to it.
    app.add_moderator("anna", PASSWORD, &[]).await;
    let anna = app.login("anna", PASSWORD).await;
    let page = app.admin_get(&anna.cookie, "/admin/import").await.text();
    assert!(
        page.contains(&format!("action=\"/admin/import?csrf={}\"", anna.csrf)),
        "{page}"
    );
    assert!(page.contains("enctype=\"multipart/form-data\"") && page.contains("action=\"/admin/export\""));
    assert!(
        page.contains("<option value=\"isso\">") && !page.contains("checked"),
        "dry run is not preselected"
    );
    let queue = app.admin_get(&anna.cookie, "/admin").await.text();
    assert!(queue.contains("href=\"/admin/import\">Import / Export</a>"), "{queue}");
}

#[tokio::test]
async fn the_import_needs_the_csrf_token_in_its_address() {
    let marker = "m-csrf-c04e";
    let file = exported(marker).await;
    let (app, cookie, csrf) = target(config()).await;
    let other = app.login("anna", PASSWORD).await;
    for uri in [
        "/admin/import".to_owned(),
        "/admin/import?csrf=".to_owned(),
        "/admin/import?csrf=wrong".to_owned(),
        format!("/admin/import?csrf={}", other.csrf),
    ] {
        let r = upload(&app, Some(&cookie), &uri, OWN, form("blog.json", &file, vec![])).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}");
    }
    // In the body it is too late: the body is not read before the check.
    let body = form("blog.json", &file, vec![Part::Text("csrf", &csrf)]);
    assert_eq!(
        upload(&app, Some(&cookie), "/admin/import", OWN, body).await.status,
        StatusCode::FORBIDDEN
    );
    // The right token from another origin, or without a session.
    let uri = format!("/admin/import?csrf={csrf}");
    let r = upload(
        &app,
        Some(&cookie),
        &uri,
        "https://evil.example",
        form("blog.json", &file, vec![]),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        upload(&app, None, &uri, OWN, form("blog.json", &file, vec![]))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.stored_comments().await, 0);
    assert_eq!(leftovers(marker), 0);
}

#[tokio::test]
async fn a_site_export_downloads_as_json_for_its_moderators_only() {
    let mut c = config();
    c.sites
        .push(crate::helpers::site("shop", "https://shop.example", Moderation::None));
    let (app, cookie, csrf) = target(c).await;
    let (first, _) = app.comment("Zum Exportieren", None).await;
    app.comment("Mit Antwort", Some(first)).await;

    let r = app
        .admin_post(Some(&cookie), "/admin/export", &[("csrf", &csrf), ("site", "blog")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.headers["content-type"], "application/json");
    assert_eq!(
        r.headers["content-disposition"],
        "attachment; filename=\"riposte-blog.json\""
    );
    let v: Value = r.json();
    assert_eq!(
        (v["format"].as_str(), v["site"]["id"].as_str()),
        (Some("riposte-export"), Some("blog"))
    );
    let comments = v["threads"][0]["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[0]["text"], "Zum Exportieren");
    assert_eq!(comments[1]["parent"], comments[0]["id"]);
    let r = app
        .admin_post(Some(&cookie), "/admin/export", &[("csrf", &csrf), ("site", "nope")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    app.add_moderator("bea", PASSWORD, &["blog"]).await;
    let bea = app.login("bea", PASSWORD).await;
    let r = app
        .admin_post(
            Some(&bea.cookie),
            "/admin/export",
            &[("csrf", &bea.csrf), ("site", "shop")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .admin_post(
            Some(&bea.cookie),
            "/admin/export",
            &[("csrf", &bea.csrf), ("site", "blog")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["threads"][0]["comments"].as_array().unwrap().len(), 2);
    let page = app.admin_get(&bea.cookie, "/admin/export").await.text();
    assert!(
        page.contains("value=\"blog\"") && !page.contains("value=\"shop\""),
        "{page}"
    );
    // Without the form's token nothing is sent.
    let r = app
        .admin_post(Some(&bea.cookie), "/admin/export", &[("site", "blog")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

fn comment(id: i64, parent: Option<i64>, status: &str, text: &str) -> Value {
    json!({"id": id, "parent": parent, "status": status, "author": "Bea", "email": null, "website": null,
           "text": text, "created": format!("2014-05-06T12:{id:02}:00+02:00"), "edited": null,
           "likes": 0, "dislikes": 0, "held_reason": null})
}

#[tokio::test]
async fn the_options_reach_the_import_and_every_skip_and_repair_is_listed() {
    let doc = json!({"format": "riposte-export", "version": 1, "exported": "2026-12-01T00:00:00Z",
    "site": {"id": "blog", "name": "Blog", "moderation": "none", "origins": [], "max_links": 3,
             "blocked_words": []},
    "threads": [{"uri": "https://old.example/blog/eintrag/?ref=feed", "title": null, "comments": [
        comment(1, None, "published", "Hallo"),
        comment(2, Some(99), "published", "Eine Waise"),
        comment(3, None, "deleted", "Weg"),
    ]}]});
    let file = doc.to_string();
    let (app, cookie, csrf) = target(config()).await;
    let body = form(
        "alt.json",
        file.as_bytes(),
        vec![
            Part::Text("base_url", "https://old.example/blog"),
            Part::Text("maps", "/eintrag/=/neu/"),
            Part::Text("with_pingbacks", "1"),
        ],
    );
    let r = import_as(&app, &cookie, &csrf, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let page = r.text();
    assert_eq!(summary(&page, "new"), 2);
    assert!(page.contains("<li>1 deleted, without replies</li>"), "{page}");
    assert!(
        page.contains("<li>1 reply to a comment not in the file, made top-level</li>"),
        "{page}"
    );
    assert!(
        page.contains("<li>1 query string dropped from a page address</li>"),
        "{page}"
    );
    assert_eq!(app.thread("/neu/").await["total"], 2);
    assert!(
        page.contains("value=\"https://old.example/blog\"")
            && page.contains("name=\"with_pingbacks\" type=\"checkbox\" value=\"1\" checked")
    );
    // A map line without `=` is refused before anything is read.
    let body = form(
        "alt.json",
        file.as_bytes(),
        vec![Part::Text("maps", "/eintrag/ -> /neu/")],
    );
    let r = import_as(&app, &cookie, &csrf, body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("as OLD=NEW"), "{}", r.text());
}
