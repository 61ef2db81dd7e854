//! What a write invalidates in the response cache: its own thread's pages, and its site's counts and feeds,
//! nothing else; seen through the cache's count of answers made (a hit makes none).

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use indicatif::ProgressBar;
use riposte::config::SiteConfig;
use riposte::domain::moderator::Action;
use riposte::domain::{Moderation, PageTitle, SiteId};
use riposte::import::{Format, Options};
use serde_json::{Value, json};

use crate::helpers::{ORIGIN, TestApp, config, site};

/// The cached reads watched: two threads and the counts and feeds of `blog`, and those of `quiet`.
const READS: &[(&str, &str)] = &[
    ("thread /a/", "/api/v1/threads?site=blog&uri=/a/"),
    ("replies /a/", "/api/v1/threads/replies?site=blog&uri=/a/&root=ROOT"),
    ("thread /b/", "/api/v1/threads?site=blog&uri=/b/"),
    ("counts blog", "/api/v1/counts?site=blog&uri=/a/&uri=/b/"),
    ("feed blog", "/api/v1/feed?site=blog"),
    ("feed blog /b/", "/api/v1/feed?site=blog&uri=/b/"),
    ("thread quiet", "/api/v1/threads?site=quiet&uri=/a/"),
    ("counts quiet", "/api/v1/counts?site=quiet&uri=/a/"),
    ("feed quiet", "/api/v1/feed?site=quiet"),
];

/// What a write to thread /a/ of `blog` must make again: the rest must be served from the cache.
const STALE_AFTER_A: &[&str] = &["thread /a/", "replies /a/", "counts blog", "feed blog", "feed blog /b/"];

async fn two_sites() -> TestApp {
    let mut config = config();
    config.sites.push(SiteConfig {
        id: "quiet".into(),
        name: Some("Ein stilles Blog".into()),
        ..site("quiet", ORIGIN, Moderation::None)
    });
    TestApp::with(config).await
}

/// Posts a comment; returns (id, edit token).
async fn post(app: &TestApp, site: &str, uri: &str, text: &str, email: Option<&str>) -> (i64, String) {
    let r = app
        .post(json!({"site": site, "uri": uri, "text": text, "email": email}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let v = r.json();
    (
        v["comment"]["id"].as_i64().unwrap(),
        v["edit_token"].as_str().unwrap().to_owned(),
    )
}

/// Reads each watched answer; returns the names of those the cache had to make.
async fn made(app: &TestApp, root: i64) -> Vec<&'static str> {
    let mut made = Vec::new();
    for (name, target) in READS {
        let before = app.state.cache.made();
        let r = app.get(&target.replace("ROOT", &root.to_string())).await;
        assert_eq!(r.status, StatusCode::OK, "{name}: {}", r.text());
        if app.state.cache.made() != before {
            made.push(*name);
        }
    }
    made
}

/// Fills the cache and checks that it serves everything watched.
async fn warm(app: &TestApp, root: i64) {
    made(app, root).await;
    assert_eq!(
        made(app, root).await,
        Vec::<&str>::new(),
        "a second read of each is a hit"
    );
}

fn export(uri: &str, text: &str) -> Value {
    json!({
        "format": "riposte-export", "version": 1, "exported": "2026-12-01T10:00:00Z",
        "site": {"id": "blog", "name": "blog", "moderation": "none", "origins": [], "max_links": 3, "blocked_words": []},
        "threads": [{"uri": uri, "title": null, "comments": [
            {"id": 1, "parent": null, "status": "published", "author": "Alt", "email": null, "website": null,
             "text": text, "created": "2026-11-01T10:00:00Z", "edited": null, "likes": 0, "dislikes": 0,
             "held_reason": null}
        ]}],
    })
}

#[tokio::test]
async fn each_kind_of_write_invalidates_its_own_thread_and_its_sites_counts_and_feeds_only() {
    let app = two_sites().await;
    let (root, _) = post(&app, "blog", "/a/", "Wurzel", None).await;
    post(&app, "blog", "/a/", "Antwort", None).await;
    post(&app, "blog", "/b/", "Nebenan", None).await;
    post(&app, "quiet", "/a/", "Anderswo", None).await;
    let (edited, token) = post(&app, "blog", "/a/", "Erste Fassung", None).await;
    let (moderated, _) = post(&app, "blog", "/a/", "Wird gelöscht", None).await;
    post(&app, "blog", "/a/", "Von Eva", Some("eva@example.de")).await;
    app.add_moderator("mod", "ein langes Passwort", &[]).await;
    let moderator = app.state.store.moderator("mod".into()).await.unwrap().unwrap();
    let store = &app.state.store;

    for kind in ["comment", "edit", "vote", "moderation", "title", "erasure", "import"] {
        warm(&app, root).await;
        match kind {
            "comment" => {
                post(&app, "blog", "/a/", "Noch einer", None).await;
            }
            "edit" => {
                let r = app
                    .write(
                        Method::PATCH,
                        &format!("/api/v1/comments/{edited}"),
                        json!({"text": "Zweite Fassung"}),
                        Some(&token),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            }
            "vote" => {
                let req = Request::post(format!("/api/v1/comments/{root}/vote"))
                    .header("content-type", "application/json")
                    .body(Body::from(json!({"value": 1}).to_string()))
                    .unwrap();
                assert_eq!(app.send(req).await.status, StatusCode::OK);
            }
            "moderation" => {
                let n = store
                    .moderate(moderator.clone(), Action::Delete, vec![moderated], 1)
                    .await
                    .unwrap();
                assert_eq!(n, 1);
            }
            "title" => {
                let title = PageTitle::parse(Some("Ein Titel")).unwrap();
                store.set_title(root, title, "mod".into(), 1).await.unwrap();
            }
            "erasure" => {
                assert_eq!(store.erase("eva@example.de".into(), "mod".into(), 1).await.unwrap(), 1);
            }
            "import" => {
                let dir = tempfile::tempdir().unwrap();
                let file = dir.path().join("export.json");
                std::fs::write(&file, serde_json::to_vec(&export("/a/", "Importiert")).unwrap()).unwrap();
                riposte::transfer::import(
                    store.clone(),
                    &SiteId::parse("blog").unwrap(),
                    Format::Json,
                    &file,
                    &Options::default(),
                    false,
                    &ProgressBar::hidden(),
                )
                .await
                .unwrap();
            }
            _ => unreachable!(),
        }
        assert_eq!(made(&app, root).await, STALE_AFTER_A, "after a {kind} on /a/");
    }
    // And the answers made again show the writes.
    let thread = app.thread("/a/").await;
    assert_eq!(thread["title"], "Ein Titel");
    let texts = thread.to_string();
    for shown in ["Noch einer", "Zweite Fassung", "Importiert"] {
        assert!(texts.contains(shown), "{shown} missing: {texts}");
    }
    assert!(
        !texts.contains("Von Eva") && !texts.contains("Wird gelöscht"),
        "{texts}"
    );
}

#[tokio::test]
async fn a_write_to_another_site_leaves_this_sites_answers_in_place_and_unseen_writes_leave_all() {
    let app = two_sites().await;
    let (root, _) = post(&app, "blog", "/a/", "Wurzel", None).await;
    post(&app, "quiet", "/a/", "Anderswo", None).await;
    warm(&app, root).await;
    post(&app, "quiet", "/a/", "Noch einer", None).await;
    assert_eq!(
        made(&app, root).await,
        ["thread quiet", "counts quiet", "feed quiet"],
        "only the quiet site's answers"
    );
    // A write no public answer shows (a moderator's login session, the outbox) makes nothing stale.
    warm(&app, root).await;
    let store = &app.state.store;
    app.add_moderator("mod", "ein langes Passwort", &[]).await;
    let m = store.moderator("mod".into()).await.unwrap().unwrap();
    store.create_session("h".into(), m.id, 1).await.unwrap();
    store.claim_outbox(1, 10).await.unwrap();
    assert_eq!(made(&app, root).await, Vec::<&str>::new());
}

#[tokio::test]
async fn a_write_by_another_process_shows_within_2_seconds() {
    let app = two_sites().await;
    let (root, _) = post(&app, "blog", "/a/", "Wurzel", None).await;
    warm(&app, root).await;
    // Another handle on the file has its own writer connection, as `riposte` on the command line would.
    let other = riposte::store::open(&app.state.config.database).await.unwrap();
    let title = PageTitle::parse(Some("Von außen")).unwrap();
    other.set_title(root, title, "cli".into(), 1).await.unwrap();
    let since = Instant::now();
    loop {
        if app.thread("/a/").await["title"] == "Von außen" {
            break;
        }
        assert!(
            since.elapsed() < Duration::from_secs(2),
            "the other process's write did not show within 2 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
