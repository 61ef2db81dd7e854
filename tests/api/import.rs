//! Moving in and out: a site exported and imported elsewhere comes back the same; importing again adds
//! nothing; a broken file or a dry run changes nothing; a messy tree (replies before their parents, missing
//! parents, loops, deleted comments, nesting past the limit) is repaired and reported.

use std::path::Path;

use axum::http::{Method, StatusCode};
use indicatif::ProgressBar;
use riposte::domain::SiteId;
use riposte::domain::import::Report;
use riposte::domain::time::now_ms;
use riposte::import::{Format, Options};
use serde_json::{Value, json};

use crate::helpers::TestApp;

async fn import(app: &TestApp, file: &Path, dry_run: bool) -> anyhow::Result<Report> {
    import_with(app, file, &Options::default(), dry_run).await
}

async fn import_with(app: &TestApp, file: &Path, options: &Options, dry_run: bool) -> anyhow::Result<Report> {
    let site = SiteId::parse("blog").unwrap();
    riposte::transfer::import(
        app.state.store.clone(),
        &site,
        Format::Json,
        file,
        options,
        dry_run,
        &ProgressBar::hidden(),
    )
    .await
}

async fn export(app: &TestApp) -> Value {
    let site = app.state.sites.get("blog").await.unwrap().unwrap();
    let export = app.state.store.export_site((*site).clone(), now_ms()).await.unwrap();
    serde_json::to_value(export).unwrap()
}

/// A thread as the widget sees it, without the avatars (they are keyed by each server's own secret).
fn without_avatars(mut v: Value) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.remove("avatar");
                // Live-update event ids count each database's own writes.
                m.remove("last_event");
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut v);
    v
}

/// A site with everything a thread can hold: Markdown, links, a reply chain, votes, a placeholder of a
/// deleted comment with a reply, and a held comment.
async fn busy_site() -> TestApp {
    let app = TestApp::new().await;
    let (first, _) = app
        .comment(
            "Danke für den **Beitrag**! Mehr unter https://example.org/notizen",
            None,
        )
        .await;
    let (reply, _) = app.comment("Gern geschehen 😀", Some(first)).await;
    app.comment("Und noch eine Antwort auf die Antwort", Some(reply)).await;
    let (doomed, token) = app.comment("Das nehme ich zurück", None).await;
    app.comment("Antwort auf etwas, das gleich fehlt", Some(doomed)).await;
    let r = app
        .write(
            Method::DELETE,
            &format!("/api/v1/comments/{doomed}"),
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app
        .write(
            Method::POST,
            &format!("/api/v1/comments/{first}/vote"),
            json!({"value": 1}),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let held = app
        .post(json!({"site": "blog", "uri": "/post/", "text": "https://a.example https://b.example https://c.example https://d.example"}))
        .await;
    assert_eq!(held.status, StatusCode::ACCEPTED);
    app
}

#[tokio::test]
async fn an_exported_site_imported_elsewhere_shows_the_same_threads() {
    let original = busy_site().await;
    let exported = export(&original).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("blog.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&exported).unwrap()).unwrap();

    let copy = TestApp::new().await;
    let report = import(&copy, &file, false).await.unwrap();
    assert_eq!(report.new, 6, "{report:?}");
    assert_eq!(
        (report.replies, report.deleted, report.pending, report.already),
        (3, 1, 1, 0)
    );
    // The public thread is the same, byte for byte in its rendered HTML, dates and votes.
    assert_eq!(
        without_avatars(copy.thread("/post/").await),
        without_avatars(original.thread("/post/").await)
    );
    // So is everything the export holds (the held comment keeps its status; only why it was held is new).
    let mut again = export(&copy).await;
    let mut first = exported;
    for e in [&mut again, &mut first] {
        e["exported"] = Value::Null;
        for c in e["threads"][0]["comments"].as_array_mut().unwrap() {
            c["held_reason"] = Value::Null;
        }
    }
    assert_eq!(again, first);
}

#[tokio::test]
async fn importing_again_adds_nothing_and_a_dry_run_stores_nothing() {
    let original = busy_site().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("blog.json");
    std::fs::write(&file, serde_json::to_vec(&export(&original).await).unwrap()).unwrap();
    let copy = TestApp::new().await;

    let dry = import(&copy, &file, true).await.unwrap();
    assert_eq!(dry.new, 6);
    assert_eq!(copy.stored_comments().await, 0, "a dry run stores nothing");

    assert_eq!(import(&copy, &file, false).await.unwrap().new, 6);
    let totals = copy.state.store.totals().await.unwrap();
    let second = import(&copy, &file, false).await.unwrap();
    assert_eq!((second.new, second.already), (0, 6));
    assert_eq!(copy.state.store.totals().await.unwrap(), totals);
}

#[tokio::test]
async fn a_file_that_breaks_half_way_changes_nothing() {
    let original = busy_site().await;
    let dir = tempfile::tempdir().unwrap();
    let whole = serde_json::to_string_pretty(&export(&original).await).unwrap();
    let file = dir.path().join("cut.json");
    std::fs::write(&file, &whole[..whole.len() * 2 / 3]).unwrap();
    let copy = TestApp::new().await;
    let before = copy.state.store.totals().await.unwrap();
    let e = import(&copy, &file, false).await.unwrap_err().to_string();
    assert!(e.contains("line ") && e.contains("nothing was imported"), "{e}");
    assert_eq!(copy.state.store.totals().await.unwrap(), before);
    // An unknown site is refused before anything is read.
    let mut other = Options::default();
    other.maps.push(("/".into(), "/".into()));
    let site = SiteId::parse("nope").unwrap();
    let e = riposte::transfer::import(
        copy.state.store.clone(),
        &site,
        Format::Json,
        &file,
        &other,
        false,
        &ProgressBar::hidden(),
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("riposte site add nope"), "{e}");
}

fn comment(id: i64, parent: Option<i64>, status: &str, text: &str) -> Value {
    json!({"id": id, "parent": parent, "status": status, "author": "Bea", "email": null, "website": null,
           "text": text, "created": format!("2014-05-06T12:{:02}:00+02:00", id % 60), "edited": null,
           "likes": 0, "dislikes": 0, "held_reason": null})
}

fn export_file(dir: &Path, threads: Value) -> std::path::PathBuf {
    let file = dir.join("messy.json");
    let doc = json!({"format": "riposte-export", "version": 1, "exported": "2026-12-01T00:00:00Z",
        "site": {"id": "blog", "name": "Blog", "moderation": "none", "origins": [], "max_links": 3,
                 "blocked_words": []},
        "threads": threads});
    std::fs::write(&file, doc.to_string()).unwrap();
    file
}

#[tokio::test]
async fn a_messy_tree_is_repaired_and_every_repair_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut deep: Vec<Value> = (100..160)
        .map(|i| comment(i, (i > 100).then_some(i - 1), "published", "tief"))
        .collect();
    deep.reverse(); // every reply comes before its parent
    let mut comments = vec![
        comment(1, Some(2), "published", "Antwort vor ihrem Elternteil"),
        comment(2, None, "published", "Elternteil"),
        comment(3, Some(999), "published", "Antwort auf einen Kommentar, der fehlt"),
        comment(4, None, "deleted", "gelöscht, ohne Antworten"),
        comment(5, None, "deleted", "gelöscht, mit Antwort"),
        comment(6, Some(5), "published", "Antwort auf Gelöschtes"),
        comment(7, Some(8), "published", "Schleife A"),
        comment(8, Some(7), "published", "Schleife B"),
        comment(9, None, "published", "   "),
    ];
    comments.extend(deep);
    let file = export_file(
        dir.path(),
        json!([{"uri": "https://old.example/blog/post/?utm=x", "title": "Alt", "comments": comments}]),
    );
    let app = TestApp::new().await;
    let options = Options {
        base_url: Some("https://old.example/blog".into()),
        ..Options::default()
    };
    let report = import_with(&app, &file, &options, false).await.unwrap();
    assert_eq!(report.skipped.get("deleted, without replies"), Some(&1), "{report:?}");
    assert_eq!(report.skipped.get("empty comment"), Some(&1), "{report:?}");
    assert_eq!(
        report.repairs.get("reply to a comment not in the file, made top-level"),
        Some(&1)
    );
    assert_eq!(
        report.repairs.get("replies in a loop, the oldest made top-level"),
        Some(&1)
    );
    assert_eq!(report.repairs.get("query string dropped from a page address"), Some(&1));
    assert_eq!(report.new, 7 + 60, "{report:?}");
    assert_eq!(report.deleted, 1);

    // The page moved to its path on the new site, and its tree is whole.
    let v = app.thread("/post/").await;
    assert_eq!(v["title"], "Alt");
    assert_eq!(v["total"], 66);
    let tops: Vec<&str> = v["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["html"].as_str().unwrap())
        .collect();
    assert_eq!(
        tops,
        [
            "<p>Elternteil</p>\n",
            "<p>Antwort auf einen Kommentar, der fehlt</p>\n",
            "",
            "<p>Schleife A</p>\n",
            "<p>tief</p>\n",
        ]
    );
    assert_eq!(
        v["comments"][0]["replies"][0]["html"],
        "<p>Antwort vor ihrem Elternteil</p>\n"
    );
    assert_eq!(v["comments"][2]["status"], "deleted");
    assert_eq!(
        v["comments"][2]["replies"][0]["html"],
        "<p>Antwort auf Gelöschtes</p>\n"
    );
    assert_eq!(v["comments"][3]["replies"][0]["html"], "<p>Schleife B</p>\n");
    // Sixty deep: nesting stops at the limit, as it does for new replies; no comment is lost.
    let mut depth = 0;
    let mut node = &v["comments"][4];
    while let Some(next) = node["replies"].as_array().and_then(|r| r.first()) {
        depth += 1;
        node = next;
    }
    assert_eq!(depth, riposte::domain::comment::MAX_DEPTH);
    let mut at_the_limit = 0;
    for c in app.records().await {
        let meta = app.state.store.comment_meta(c.id).await.unwrap().unwrap();
        assert!(meta.depth <= riposte::domain::comment::MAX_DEPTH);
        at_the_limit += usize::from(meta.depth == riposte::domain::comment::MAX_DEPTH);
    }
    assert_eq!(
        at_the_limit, 10,
        "comments 50 to 59 of the chain hang side by side at the limit"
    );
    // Dates keep their time zone: 12:02 at +02:00 is 10:02 UTC.
    assert_eq!(v["comments"][0]["created"], "2014-05-06T10:02:00Z");
}

/// Isso's own schema, as its `db/__init__.py` creates it; `old` drops the columns later versions added.
fn isso_database(path: &Path, old: bool) {
    // An Isso database is foreign input: building one takes SQL, as Isso itself does.
    let conn = rusqlite::Connection::open(path).unwrap();
    let extra = if old {
        ""
    } else {
        ", likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0, notification INTEGER DEFAULT 0"
    };
    conn.execute_batch(&format!(
        "CREATE TABLE preferences (key VARCHAR PRIMARY KEY, value VARCHAR);
         CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256));
         CREATE TABLE comments (tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER,
             created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR, text VARCHAR,
             author VARCHAR, email VARCHAR, website VARCHAR, voters BLOB NOT NULL{extra});
         CREATE TABLE something_else (x);
         PRAGMA user_version = {};
         INSERT INTO threads VALUES (1, '/2014/05/hallo/', 'Hallo Welt'), (2, '/leer/', NULL);
         INSERT INTO comments (tid, id, parent, created, mode, remote_addr, text, author, email, website, voters)
         VALUES (1, 1, NULL, 1399372496.25, 1, '192.0.2.0', 'Schöner *Artikel*', 'Anna', 'anna@example.de',
                 'https://anna.example', x''),
                (1, 2, 1, 1399372500.0, 1, '192.0.2.0', 'Danke!', NULL, NULL, NULL, x''),
                (1, 3, NULL, 1399372600.0, 2, '192.0.2.0', 'Wartet noch', 'Bob', 'nicht-gültig', 'ftp://x', x''),
                (1, 4, NULL, 1399372700.0, 4, '192.0.2.0', '', NULL, NULL, NULL, x''),
                (1, 5, 4, 1399372800.0, 1, '192.0.2.0', 'Antwort auf Gelöschtes', 'Cem', NULL, NULL, x'');",
        if old { 1 } else { 5 }
    ))
    .unwrap();
    if !old {
        conn.execute("UPDATE comments SET likes = 3, dislikes = 1 WHERE id = 1", [])
            .unwrap();
    }
}

#[tokio::test]
async fn isso_databases_of_old_and_new_schemas_come_in_whole() {
    for old in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("isso.db");
        isso_database(&db, old);
        let app = TestApp::new().await;
        let (site, options, hidden) = (
            SiteId::parse("blog").unwrap(),
            Options::default(),
            ProgressBar::hidden(),
        );
        let import = |dry| {
            riposte::transfer::import(
                app.state.store.clone(),
                &site,
                Format::Isso,
                &db,
                &options,
                dry,
                &hidden,
            )
        };
        let report = import(false).await.unwrap();
        assert_eq!(
            (report.new, report.replies, report.pending, report.deleted),
            (5, 2, 1, 1),
            "{report:?}"
        );
        assert_eq!(report.repairs.get("invalid email, dropped"), Some(&1), "{report:?}");
        assert_eq!(report.repairs.get("invalid website, dropped"), Some(&1), "{report:?}");
        let v = app.thread("/2014/05/hallo/").await;
        assert_eq!(v["title"], "Hallo Welt");
        assert_eq!(v["total"], 3);
        let first = &v["comments"][0];
        assert_eq!(first["html"], "<p>Schöner <em>Artikel</em></p>\n");
        assert_eq!(first["author"], "Anna");
        assert_eq!(first["website"], "https://anna.example/");
        assert_eq!(first["created"], "2014-05-06T10:34:56.25Z");
        assert_eq!(first["likes"], if old { 0 } else { 3 });
        assert_eq!(first["replies"][0]["html"], "<p>Danke!</p>\n");
        assert_eq!(v["comments"][1]["status"], "deleted");
        assert_eq!(v["comments"][1]["replies"][0]["author"], "Cem");
        let held = app.state.store.queue(None).await.unwrap();
        assert_eq!(held.len(), 1);
        assert_eq!(held[0].author.as_deref(), Some("Bob"));
        assert_eq!(
            held[0].reason.as_deref(),
            Some("held in the system it was imported from")
        );
        assert_eq!(import(false).await.unwrap().already, 5);
    }
    // Not an Isso database: refused, nothing stored.
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x);")
        .unwrap();
    let app = TestApp::new().await;
    let site = SiteId::parse("blog").unwrap();
    let e = riposte::transfer::import(
        app.state.store.clone(),
        &site,
        Format::Isso,
        &other,
        &Options::default(),
        false,
        &ProgressBar::hidden(),
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("not an Isso database"), "{e}");
}

/// The command line: `riposte export` writes the file, `riposte import` prints the summary and says when a
/// run added nothing, and a broken file fails with one error line and exit status 1.
#[tokio::test]
async fn the_commands_export_import_and_summarize() {
    use crate::helpers::process::BIN;
    let original = busy_site().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("blog.json");
    let db = dir.path().join("new.db");
    let run = |args: &[&str], database: &Path| {
        std::process::Command::new(BIN)
            .args(args)
            .arg("--database")
            .arg(database)
            .env_remove("RIPOSTE_CONFIG")
            .output()
            .unwrap()
    };
    let out = run(
        &["export", "--site", "blog", "--out", file.to_str().unwrap()],
        &original.state.config.database,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 threads, 6 comments written"));
    assert!(
        run(&["site", "add", "blog", "--origin", "https://blog.example"], &db)
            .status
            .success()
    );
    let import = |extra: &[&str]| {
        let mut args = vec!["import", "json", file.to_str().unwrap(), "--site", "blog"];
        args.extend_from_slice(extra);
        let out = run(&args, &db);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let dry = import(&["--dry-run"]);
    assert!(
        dry.starts_with("would import (dry run: nothing stored) from json into site blog"),
        "{dry}"
    );
    let first = import(&[]);
    assert!(first.contains("comments: 6 new, 0 already there"), "{first}");
    assert!(
        first.contains("3 replies, 1 held for moderation, 0 spam, 1 placeholders"),
        "{first}"
    );
    let second = import(&[]);
    assert!(second.contains("comments: 0 new, 6 already there"), "{second}");
    std::fs::write(&file, "{\"format\": \"riposte-export\", \"version\": 1, \"thr").unwrap();
    let out = run(&["import", "json", file.to_str().unwrap(), "--site", "blog"], &db);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: ") && stderr.contains("line 1, column"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was imported"), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
}
