//! The Atom feeds: a quiet site's feed holds its own comments whatever other sites hold, feed answers are
//! cached and revalidated like thread answers, and what a feed sends is always well-formed XML 1.0.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use indicatif::ProgressBar;
use quick_xml::Reader;
use quick_xml::events::Event;
use riposte::domain::{Moderation, SiteId};
use riposte::import::{Format, Options};
use serde_json::{Value, json};

use crate::helpers::{ORIGIN, TestApp, config, urlencode};

/// One `<entry>` of a feed, as a feed reader sees it (entities resolved).
#[derive(Debug, Default)]
struct Entry {
    id: String,
    title: String,
    author: String,
    content: String,
}

/// The feed's title and entries. Panics unless `xml` is well-formed: every tag closed in order, every
/// reference known.
fn atom(xml: &str) -> (String, Vec<Entry>) {
    let mut reader = Reader::from_str(xml);
    let (mut path, mut title, mut entries) = (Vec::<String>::new(), String::new(), Vec::<Entry>::new());
    let text = |path: &[String], s: &str, title: &mut String, entries: &mut Vec<Entry>| {
        let names: Vec<&str> = path.iter().map(String::as_str).collect();
        let slot = match (names.as_slice(), entries.last_mut()) {
            (["feed", "title"], _) => title,
            (["feed", "entry", "id"], Some(e)) => &mut e.id,
            (["feed", "entry", "title"], Some(e)) => &mut e.title,
            (["feed", "entry", "author", "name"], Some(e)) => &mut e.author,
            (["feed", "entry", "content"], Some(e)) => &mut e.content,
            _ => return,
        };
        slot.push_str(s);
    };
    loop {
        match reader
            .read_event()
            .unwrap_or_else(|e| panic!("not well-formed XML ({e}):\n{xml}"))
        {
            Event::Start(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                if name == "entry" {
                    entries.push(Entry::default());
                }
                path.push(name);
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Text(t) => text(&path, &t.decode().unwrap(), &mut title, &mut entries),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().unwrap() {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.decode().unwrap();
                        quick_xml::escape::unescape(&format!("&{name};"))
                            .unwrap_or_else(|e| panic!("unknown reference &{name}; ({e})"))
                            .into_owned()
                    }
                };
                text(&path, &resolved, &mut title, &mut entries);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(path.is_empty(), "unclosed elements {path:?}");
    (title, entries)
}

/// XML 1.0's `Char` production: what a document may hold at all, escaped or not.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The comment ids of a feed's entries, in feed order (each entry's id ends in `#riposte-ID`).
fn ids(entries: &[Entry]) -> Vec<i64> {
    entries
        .iter()
        .map(|e| e.id.rsplit_once("#riposte-").unwrap().1.parse().unwrap())
        .collect()
}

/// `blog` (the busy site) and `quiet`, both allowed from [`ORIGIN`].
async fn two_sites() -> TestApp {
    let mut config = config();
    config.sites.push(riposte::config::SiteConfig {
        name: Some("Ein stilles Blog".into()),
        ..crate::helpers::site("quiet", ORIGIN, Moderation::None)
    });
    TestApp::with(config).await
}

/// Imports riposte's own export format into `site`, one transaction for the whole file.
async fn import(app: &TestApp, site: &str, export: Value) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.json");
    std::fs::write(&file, serde_json::to_vec(&export).unwrap()).unwrap();
    riposte::transfer::import(
        app.state.store.clone(),
        &SiteId::parse(site).unwrap(),
        Format::Json,
        &file,
        &Options::default(),
        false,
        &ProgressBar::hidden(),
    )
    .await
    .unwrap();
}

/// An export of `site` with these threads (`(uri, comments)`, comments as export JSON).
fn export(site: &str, threads: Vec<(String, Vec<Value>)>) -> Value {
    json!({
        "format": "riposte-export", "version": 1, "exported": "2026-12-01T10:00:00Z",
        "site": {"id": site, "name": site, "moderation": "none", "origins": [], "max_links": 3, "blocked_words": []},
        "threads": threads.into_iter().map(|(uri, comments)| json!({"uri": uri, "title": null, "comments": comments})).collect::<Vec<_>>(),
    })
}

fn exported_comment(id: i64, author: &str, text: &str) -> Value {
    json!({"id": id, "parent": null, "status": "published", "author": author, "email": null, "website": null,
           "text": text, "created": "2026-11-01T10:00:00Z", "edited": null, "likes": 0, "dislikes": 0,
           "held_reason": null})
}

#[tokio::test]
async fn a_quiet_sites_feed_holds_its_own_comments_while_another_site_holds_thousands() {
    let app = two_sites().await;
    // 2,000 comments on 20 pages of the busy site, older than anything the quiet site has.
    let threads = (0..20)
        .map(|t| {
            let comments = (0..100)
                .map(|c| exported_comment(t * 100 + c, "Leser", &format!("Kommentar {c} auf Seite {t}")))
                .collect();
            (format!("/seite-{t}/"), comments)
        })
        .collect();
    import(&app, "blog", export("blog", threads)).await;
    let mut quiet = Vec::new();
    for (uri, text) in [("/a/", "Erster"), ("/b/", "Zweiter"), ("/a/", "Dritter")] {
        let r = app
            .post(json!({"site": "quiet", "uri": uri, "text": text, "author": "Stille"}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        quiet.push(r.json()["comment"]["id"].as_i64().unwrap());
    }
    // A held comment is not in the feed.
    let held = app
        .post(json!({"site": "quiet", "uri": "/a/", "text": "https://a.example https://b.example https://c.example https://d.example"}))
        .await;
    assert_eq!(held.status, StatusCode::ACCEPTED);
    // More busy comments after the quiet ones: the quiet feed must look past them.
    for n in 0..3 {
        app.post(json!({"site": "blog", "uri": "/seite-0/", "text": format!("Später {n}")}))
            .await;
    }

    let r = app.get("/api/v1/feed?site=quiet").await;
    assert_eq!(r.status, StatusCode::OK);
    let (title, entries) = atom(&r.text());
    assert_eq!(title, "Comments on Ein stilles Blog");
    let newest_first: Vec<i64> = quiet.iter().rev().copied().collect();
    assert_eq!(ids(&entries), newest_first);
    assert!(entries.iter().all(|e| e.author == "Stille"), "{entries:?}");
    assert_eq!(entries[0].content, "<p>Dritter</p>\n");
    assert!(entries[0].id.starts_with("https://blog.example/a/#riposte-"));

    let r = app
        .get(&format!("/api/v1/feed?site=quiet&uri={}", urlencode("/a/")))
        .await;
    assert_eq!(ids(&atom(&r.text()).1), [quiet[2], quiet[0]]);

    // The busy site's feed is its own 50 newest.
    let (_, busy) = atom(&app.get("/api/v1/feed?site=blog").await.text());
    assert_eq!(busy.len(), 50);
    assert!(ids(&busy).iter().all(|id| !quiet.contains(id)));
    assert!(ids(&busy).windows(2).all(|w| w[0] > w[1]), "newest first");
    assert!(busy[0].content.contains("Später 2"));
}

#[tokio::test]
async fn feed_answers_carry_an_etag_and_a_revalidation_answers_304_until_a_write() {
    let app = two_sites().await;
    app.post(json!({"site": "quiet", "uri": "/a/", "text": "Erster"})).await;
    let first = app.get("/api/v1/feed?site=quiet").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.headers["content-type"], "application/atom+xml; charset=utf-8");
    let etag = first.headers["etag"].to_str().unwrap().to_owned();
    assert_eq!(first.headers["cache-control"], "no-cache");
    let revalidate = || {
        Request::get("/api/v1/feed?site=quiet")
            .header("if-none-match", &etag)
            .body(Body::empty())
            .unwrap()
    };
    let again = app.send(revalidate()).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.bytes.is_empty());
    // Another site's feed is another answer.
    let other = app.get("/api/v1/feed?site=blog").await;
    assert_ne!(other.headers["etag"], etag.as_str());
    // A write makes the cached answer stale at once: the next read has the new comment and a new tag.
    app.post(json!({"site": "quiet", "uri": "/a/", "text": "Zweiter"}))
        .await;
    let changed = app.send(revalidate()).await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_ne!(changed.headers["etag"], etag.as_str());
    assert_eq!(atom(&changed.text()).1.len(), 2);
}

#[tokio::test]
async fn the_feed_stays_well_formed_xml_when_stored_text_holds_characters_xml_forbids() {
    let app = two_sites().await;
    // Old data: an import stores text as its source had it, U+FFFE, U+FFFF and C0 controls included.
    let old = "Alt \u{FFFE} und \u{FFFF}, mit \u{1} und \u{B} und \u{1B}[0m";
    import(
        &app,
        "quiet",
        export(
            "quiet",
            vec![("/alt/".into(), vec![exported_comment(1, "Alte Leserin", old)])],
        ),
    )
    .await;
    // New comments may still carry U+FFFE and U+FFFF in their text (only names and titles refuse them).
    let r = app
        .post(json!({"site": "quiet", "uri": "/neu/", "text": "Neu \u{FFFE}\u{FFFF} hier", "author": "Neue"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert!(
        app.records().await.iter().any(|c| c.text.contains('\u{1}')),
        "the import kept the old text"
    );

    for path in ["/api/v1/feed?site=quiet", "/api/v1/feed?site=quiet&uri=%2Falt%2F"] {
        let r = app.get(path).await;
        assert_eq!(r.status, StatusCode::OK);
        let xml = r.text();
        let bad: Vec<char> = xml.chars().filter(|&c| !is_xml_char(c)).collect();
        assert!(bad.is_empty(), "{path} sends characters XML 1.0 forbids: {bad:?}");
        let (_, entries) = atom(&xml);
        let old_entry = entries.iter().find(|e| e.author == "Alte Leserin").unwrap();
        assert!(
            old_entry.content.contains("Alt \u{FFFD} und \u{FFFD}"),
            "{:?}",
            old_entry.content
        );
    }
    let (_, entries) = atom(&app.get("/api/v1/feed?site=quiet").await.text());
    assert_eq!(entries.len(), 2);
    assert!(
        entries[0].content.contains("Neu \u{FFFD}\u{FFFD} hier"),
        "{:?}",
        entries[0].content
    );
}
