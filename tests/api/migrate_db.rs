//! `riposte migrate-db --from SOURCE --to TARGET`, the real binary: a SQLite database with threads,
//! replies, votes, a moderator and their session copied to PostgreSQL and back to a new SQLite file; each
//! copy serves the same thread answers, keeps its ids, lets the moderator log in, takes new comments with
//! fresh ids, and the command prints the counts it checked. A target that holds data is refused.

use std::path::Path;
use std::process::Command;

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::database::{TestDb, cluster};
use crate::helpers::process::BIN;
use crate::helpers::{TestApp, config};

fn migrate(from: &Path, to: &Path) -> (bool, String) {
    let out = Command::new(BIN)
        .args(["migrate-db", "--from"])
        .arg(from)
        .arg("--to")
        .arg(to)
        .env_remove("RIPOSTE_CONFIG")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// A thread answer without what differs between two servers by design.
fn comparable(mut thread: Value) -> Value {
    thread.as_object_mut().unwrap().remove("last_event");
    thread
}

#[tokio::test]
async fn migrate_db_copies_sqlite_to_postgres_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("quelle.db");
    let (before, threads) = {
        let app = TestApp::sharing(config(), &file).await;
        let (first, _) = app.comment("Der erste Kommentar, mit **Markdown**", None).await;
        let (reply, _) = app.comment("Eine Antwort darauf", Some(first)).await;
        app.comment("Noch eine Antwort", Some(reply)).await;
        let r = app
            .post(json!({"site": "blog", "uri": "/zweiter/", "text": "Auf einer anderen Seite", "author": "Jörg"}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        app.add_moderator("chef", "ein langes Passwort", &[]).await;
        app.login("chef", "ein langes Passwort").await;
        let threads = [app.thread("/post/").await, app.thread("/zweiter/").await];
        (app.state.store.totals().await.unwrap(), threads)
    };
    assert_eq!(before.comments, 4);

    let pg = TestDb::postgres(&cluster());
    let (ok, out) = migrate(&file, &pg.path);
    assert!(ok, "{out}");
    assert!(
        out.contains("comments") && out.contains("every table holds as many rows in both"),
        "{out}"
    );
    assert!(!out.contains("DIFFERS"), "{out}");
    let line = out.lines().find(|l| l.starts_with("comments ")).unwrap();
    assert_eq!(
        line.split_whitespace().collect::<Vec<_>>(),
        ["comments", "4", "4"],
        "{out}"
    );

    {
        let app = TestApp::sharing(config(), &pg.path).await;
        assert_eq!(app.state.store.totals().await.unwrap(), before);
        assert_eq!(comparable(app.thread("/post/").await), comparable(threads[0].clone()));
        assert_eq!(
            comparable(app.thread("/zweiter/").await),
            comparable(threads[1].clone())
        );
        app.login("chef", "ein langes Passwort").await;
        // New comments get ids past the copied ones.
        let (id, _) = app.comment("Nach dem Umzug", None).await;
        let highest = threads[1]["comments"][0]["id"].as_i64().unwrap();
        assert!(id > highest, "new id {id} not past the copied {highest}");
    }

    // A target that holds data is refused, and keeps it.
    let (ok, out) = migrate(&file, &pg.path);
    assert!(!ok && out.contains("already holds"), "{out}");

    // And back to a new SQLite file.
    let back = dir.path().join("zurueck.db");
    let (ok, out) = migrate(&pg.path, &back);
    assert!(ok, "{out}");
    let app = TestApp::sharing(config(), &back).await;
    assert_eq!(app.state.store.totals().await.unwrap().comments, 5);
    assert_eq!(
        comparable(app.thread("/zweiter/").await),
        comparable(threads[1].clone())
    );
}
