//! Two riposte servers on one PostgreSQL database, as behind a load balancer: each has its own store
//! handle, response cache, sites snapshot and live streams, and they share nothing but the database.
//! What one server writes, the other serves at once (no stale cached answer), a site added through one
//! is known to the other within 2 seconds, a live reader on one hears of a comment posted to the other
//! within a second, and killing one server loses nothing it acknowledged.
//!
//! These tests need PostgreSQL in both passes of the suite (`helpers::database::cluster`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use riposte::config::Config;
use riposte::http::serve::{Limits, serve};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::database::{TestDb, cluster};
use crate::helpers::process::{http_with, start_with};
use crate::helpers::{ORIGIN, TestApp, config};

/// Two servers on one new database.
async fn fleet(config: Config) -> (TestApp, TestApp, TestDb) {
    let db = TestDb::postgres(&cluster());
    let a = TestApp::sharing(config.clone(), &db.path).await;
    let b = TestApp::sharing(config, &db.path).await;
    (a, b, db)
}

fn texts(thread: &Value) -> Vec<String> {
    thread["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["html"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_comment_posted_to_one_server_is_read_from_the_other_at_once() {
    let (a, b, _db) = fleet(config()).await;
    for round in 0..20 {
        // B has the thread cached (read twice: the second read is a hit) before A writes.
        b.thread("/post/").await;
        let made = b.state.cache.made();
        b.thread("/post/").await;
        assert_eq!(b.state.cache.made(), made, "the second read is served from B's cache");
        let text = format!("Kommentar {round} über A");
        a.comment(&text, None).await;
        // No sleep: the very next read on B sees it.
        let seen = texts(&b.thread("/post/").await);
        assert!(
            seen.iter().any(|h| h.contains(&text)),
            "round {round}: B still served {seen:?}"
        );
        // And the other way round: B writes, A reads.
        let other = format!("Antwort {round} über B");
        b.comment(&other, None).await;
        assert!(texts(&a.thread("/post/").await).iter().any(|h| h.contains(&other)));
    }
    assert_eq!(a.thread("/post/").await["total"], 40);
}

#[tokio::test]
async fn a_site_added_through_one_server_is_known_to_the_other_within_2_s() {
    let (a, b, _db) = fleet(config()).await;
    a.add_moderator("chef", "ein langes Passwort", &[]).await;
    let admin = a.login("chef", "ein langes Passwort").await;
    let post = json!({"site": "zweit", "uri": "/", "text": "Hallo zweite Seite"});
    let from_zweit = || {
        axum::http::Request::post("/api/v1/comments")
            .header("content-type", "application/json")
            .header("origin", "https://zweit.example")
            .body(axum::body::Body::from(post.to_string()))
            .unwrap()
    };
    // B knows no such site yet.
    assert_ne!(b.send(from_zweit()).await.status, StatusCode::CREATED);
    let saved = a
        .admin_post(
            Some(&admin.cookie),
            "/admin/sites",
            &[
                ("csrf", admin.csrf.as_str()),
                ("id", "zweit"),
                ("name", "Zweite Seite"),
                ("origins", "https://zweit.example"),
                ("moderation", "none"),
                ("pow", "off"),
            ],
        )
        .await;
    assert!(saved.status.is_redirection(), "{} {}", saved.status, saved.text());
    let added = Instant::now();
    loop {
        let r = b.send(from_zweit()).await;
        if r.status == StatusCode::CREATED {
            break;
        }
        assert!(
            added.elapsed() < Duration::from_secs(2),
            "B did not know the site 2 s after A added it: {} {}",
            r.status,
            r.text()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_live_reader_on_one_server_hears_of_a_comment_posted_to_the_other_within_a_second() {
    let (a, b, _db) = fleet(config()).await;
    a.comment("Der Anfang", None).await;
    // B served on a loopback port by the real accept loop, a stream open on it.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(serve(
        listener,
        b.router.clone(),
        Limits::new(64, Arc::from([])),
        async {
            let _ = stopped.await;
        },
    ));
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    stream
        .write_all(
            format!(
                "GET /api/v1/events?site=blog&uri=%2Fpost%2F HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {ORIGIN}\r\nAccept: text/event-stream\r\n\r\n"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    // The stream is open once its `ready` event arrived.
    while !seen.contains("event: ready") {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
            .await
            .expect("the stream opens")
            .unwrap();
        assert!(n > 0, "the stream ended: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(seen.starts_with("HTTP/1.1 200"), "{seen}");
    let posted = Instant::now();
    let (id, _) = a.comment("Neu über den anderen Server", None).await;
    let mut heard = String::new();
    while !heard.contains("event: comment.created") {
        let left = Duration::from_secs(1).saturating_sub(posted.elapsed());
        let n = tokio::time::timeout(left, stream.read(&mut buf))
            .await
            .unwrap_or_else(|_| panic!("no comment.created on B within a second; heard: {heard}"))
            .unwrap();
        assert!(n > 0, "the stream ended: {heard}");
        heard.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(heard.contains(&format!("\"id\":{id}")), "{heard}");
    let _ = stop.send(());
    drop(stream);
    let _ = tokio::time::timeout(Duration::from_secs(5), served).await;
}

/// The config file of the killed server: limits out of the way of 8 writers.
const GENEROUS: &str = "[rate_limits]\ncomments = { burst = 100000, every_ms = 0.01 }\n";

#[tokio::test]
async fn killing_one_server_loses_nothing_it_acknowledged() {
    let db = TestDb::postgres(&cluster());
    // B: a server in this process on the database, alive throughout.
    let b = TestApp::sharing(config(), &db.path).await;
    // A: the real binary on the same database, killed with SIGKILL while 8 writers post to it.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("riposte.toml"),
        format!("{GENEROUS}\n[[sites]]\nid = \"blog\"\norigins = [\"{ORIGIN}\"]\npow = \"off\"\n"),
    )
    .unwrap();
    let mut a = start_with(dir.path(), &db.path);
    let port = a.port;
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut acknowledged = Vec::new();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let body = format!(r#"{{"site":"blog","uri":"/kill/","text":"Schreiber {w}, Nummer {n}"}}"#);
                    match http_with(port, "POST", "/api/v1/comments", &[("Origin", ORIGIN)], Some(&body)) {
                        Ok((201, answer)) => {
                            let v: Value = serde_json::from_str(&answer).unwrap();
                            acknowledged.push(v["comment"]["id"].as_i64().unwrap());
                        }
                        // The server is gone: whatever it had not answered was never acknowledged.
                        _ => break,
                    }
                }
                acknowledged
            })
        })
        .collect();
    // Let the writers get going, then kill A mid-stream. A comment is stored at its batch's commit and
    // answered a moment later (after the batch's notification came back), so up to one per writer is
    // stored but not yet acknowledged: 200 acknowledged need 208 stored.
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let stored = b.state.store.totals().await.unwrap().comments;
        if stored >= 200 + 8 {
            break;
        }
    }
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    let acknowledged: Vec<i64> = writers.into_iter().flat_map(|w| w.join().unwrap()).collect();
    assert!(
        acknowledged.len() >= 200,
        "only {} acknowledged before the kill",
        acknowledged.len()
    );
    for id in &acknowledged {
        let c = b.state.store.comment(*id).await.unwrap();
        assert!(
            c.is_some(),
            "comment {id} was acknowledged by the killed server and is missing"
        );
    }
    // And B serves them: the thread holds at least every acknowledged comment.
    let r = b.get("/api/v1/threads?site=blog&uri=%2Fkill%2F&limit=1").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.json()["total"].as_i64().unwrap() >= acknowledged.len() as i64);
}

#[tokio::test]
async fn servers_starting_together_apply_each_migration_once() {
    let db = TestDb::postgres(&cluster());
    // Three servers open the new database at the same moment; the advisory lock lets one migrate.
    let (a, b, c) = tokio::join!(
        TestApp::sharing(config(), &db.path),
        TestApp::sharing(config(), &db.path),
        TestApp::sharing(config(), &db.path)
    );
    for app in [&a, &b, &c] {
        assert_eq!(app.get("/readyz").await.status, StatusCode::OK);
    }
    a.comment("Nach dem gemeinsamen Start", None).await;
    assert_eq!(c.thread("/post/").await["total"], 1);
}

/// Posts that arrive together share one transaction on PostgreSQL (group commit,
/// `store/postgres/posting.rs`): a refused post among them fails alone and the others are each stored once,
/// and two posts with one `Idempotency-Key` in the same moment make one comment, answered to both.
#[tokio::test]
async fn posts_arriving_together_share_a_commit_and_a_refused_one_fails_alone() {
    let db = TestDb::postgres(&cluster());
    let app = TestApp::sharing(config(), &db.path).await;
    let before = app.state.store.batches();
    let mut acknowledged = Vec::new();
    for round in 0..6 {
        // From the fourth round on, one post replies to a comment that does not exist.
        let refused = (round >= 3).then_some(7);
        let posts = (0..24).map(|i| {
            let mut body = json!({"site": "blog", "uri": "/together/", "text": format!("Runde {round}, Beitrag {i}")});
            if refused == Some(i) {
                body["parent"] = json!(999_999_999);
            }
            // Posts 11 and 12: one comment sent twice at once, as a retrying client does.
            let key = (i == 11 || i == 12).then(|| format!("zweimal-{round}"));
            if key.is_some() {
                body["text"] = json!(format!("Runde {round}, einmal gemeint"));
            }
            let app = &app;
            async move {
                let mut request = axum::http::Request::post("/api/v1/comments")
                    .header("content-type", "application/json")
                    .header("origin", ORIGIN);
                if let Some(key) = key {
                    request = request.header("idempotency-key", key);
                }
                (
                    i,
                    app.send(request.body(axum::body::Body::from(body.to_string())).unwrap())
                        .await,
                )
            }
        });
        let mut twice = Vec::new();
        for (i, reply) in futures_util::future::join_all(posts).await {
            if refused == Some(i) {
                assert!(reply.status.is_client_error(), "round {round}: {}", reply.text());
                continue;
            }
            assert_eq!(
                reply.status,
                StatusCode::CREATED,
                "round {round}, post {i}: {}",
                reply.text()
            );
            let id = reply.json()["comment"]["id"].as_i64().unwrap();
            if i == 11 || i == 12 {
                twice.push(id);
            } else {
                acknowledged.push(id);
            }
        }
        assert_eq!(twice.len(), 2);
        assert_eq!(twice[0], twice[1], "round {round}: one key, one comment");
        acknowledged.push(twice[0]);
    }
    // Every acknowledged comment is stored, once: per round 21 (22 before refusals began) plus the keyed one.
    assert_eq!(acknowledged.len(), 3 * 23 + 3 * 22);
    for id in &acknowledged {
        assert!(
            app.state.store.comment(*id).await.unwrap().is_some(),
            "comment {id} is missing"
        );
    }
    let r = app.get("/api/v1/threads?site=blog&uri=%2Ftogether%2F&limit=1").await;
    assert_eq!(r.json()["total"], acknowledged.len());
    // And the posts did share commits: some batch held more than one.
    let after = app.state.store.batches();
    let (batches, posts) = (after.batches - before.batches, after.writes - before.writes);
    assert!(batches > 0 && posts > batches, "{batches} batches held {posts} posts");
}

/// A batch stores its rows in one statement (`store/postgres/create.rs`): posts arriving together on
/// pages that have no thread yet make one thread per page, named by the first title a published post
/// gives; replies among them land under their parents; every answer names its own comment.
#[tokio::test]
async fn posts_to_new_pages_arriving_together_make_one_thread_each() {
    let db = TestDb::postgres(&cluster());
    let app = TestApp::sharing(config(), &db.path).await;
    let before = app.state.store.batches();
    let mut firsts: Vec<i64> = Vec::new();
    for round in 0..3 {
        let posts = (0..24).map(|i| {
            let page = i % 4;
            let mut body = json!({"site": "blog", "uri": format!("/neu-{round}-{page}/"),
                                  "text": format!("Runde {round}, Seite {page}, Beitrag {i}")});
            // The first posts of a page give no title; later ones do.
            if i >= 8 {
                body["title"] = json!(format!("Seite {round}-{page}"));
            }
            // From the second round on, four posts answer a comment of the first round's page instead.
            if round > 0 && i >= 20 {
                body["uri"] = json!(format!("/neu-0-{page}/"));
                body["parent"] = json!(firsts[page]);
            }
            let app = &app;
            async move { (i, body.clone(), app.post(body).await) }
        });
        for (i, body, reply) in futures_util::future::join_all(posts).await {
            assert_eq!(
                reply.status,
                StatusCode::CREATED,
                "round {round}, post {i}: {}",
                reply.text()
            );
            let comment = &reply.json()["comment"];
            let html = comment["html"].as_str().unwrap_or_default();
            assert!(
                html.contains(&format!("Beitrag {i}<")),
                "round {round}, post {i}: {html}"
            );
            assert_eq!(comment["parent"], body.get("parent").cloned().unwrap_or(Value::Null));
            if round == 0 && i < 4 {
                firsts.push(comment["id"].as_i64().unwrap());
            }
        }
    }
    for round in 0..3 {
        for page in 0..4 {
            let thread = app.thread(&format!("/neu-{round}-{page}/")).await;
            // Six posts a page; a later round's page gave one to the replies, and page 0 got two.
            let total = if round == 0 { 6 + 2 } else { 5 };
            assert_eq!(thread["total"], total, "/neu-{round}-{page}/: {thread}");
            assert_eq!(thread["title"], format!("Seite {round}-{page}"));
        }
    }
    let after = app.state.store.batches();
    let (batches, posts) = (after.batches - before.batches, after.writes - before.writes);
    assert!(batches > 0 && posts > batches, "{batches} batches held {posts} posts");
}
