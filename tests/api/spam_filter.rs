//! The learning spam filter: it holds spam it has not seen verbatim from the first day (the built-in seed),
//! learns from moderators' approve and spam actions, explains itself in the queue, and can be rebuilt.

use std::process::Command;

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;
use crate::helpers::process::BIN;

const PASSWORD: &str = "a long enough password";

#[tokio::test]
async fn unseen_spam_is_held_with_its_score_and_evidence_in_the_queue() {
    let app = TestApp::new().await;
    let spam = json!({"site": "blog", "uri": "/post/", "author": "Lucky Casino Bonus",
        "text": "Huge jackpot tonight! Free casino bonus spins and crypto cashback, claim now at https://bit.ly/spin-win"});
    let r = app.post(spam).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let id = r.json()["comment"]["id"].as_i64().unwrap();
    let held = app.record(id).await;
    assert_eq!(
        held.status.as_str(),
        "pending",
        "held for a moderator, not silently dropped"
    );
    let reason = held.reason.unwrap();
    assert!(reason.starts_with("spam score "), "{reason}");
    // A reader's ordinary comment passes.
    let r = app
        .post(json!({"site": "blog", "uri": "/post/", "author": "Jana",
            "text": "Danke für den Beitrag! Ich habe das Rezept am Wochenende ausprobiert, mit etwas weniger Zucker."}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    // The queue shows why.
    app.add_moderator("mo", PASSWORD, &[]).await;
    let mo = app.login("mo", PASSWORD).await;
    let queue = app.admin_get(&mo.cookie, "/admin").await.text();
    assert!(queue.contains("spam score "), "{queue}");
}

#[tokio::test]
async fn moderators_teach_the_filter_what_spam_looks_like_on_their_site() {
    let app = TestApp::new().await;
    app.add_moderator("mo", PASSWORD, &[]).await;
    let mo = app.login("mo", PASSWORD).await;
    // A kind of spam the seed knows nothing of: it is published, and the moderator marks it as spam.
    let pitch = |n: i32| {
        json!({"site": "blog", "uri": "/post/", "author": format!("Vinyl Outlet {n}"),
            "text": format!("Rare vinyl pressings wholesale, limited vinyl crates shipped from our warehouse, order {n} at vinyl-crates.example")})
    };
    let first = app.post(pitch(0)).await;
    assert_eq!(first.status, StatusCode::CREATED, "unknown to the filter at first");
    for n in 0..6 {
        let r = app.post(pitch(n)).await;
        let id = r.json()["comment"]["id"].as_i64().unwrap();
        assert_eq!(app.act(&mo, &format!("spam:{id}")).await, StatusCode::SEE_OTHER);
    }
    // A new variant, not seen verbatim, is now held with the words it learned.
    let r = app
        .post(json!({"site": "blog", "uri": "/other/", "author": "Vinyl Outlet",
            "text": "New vinyl crates arrived at the warehouse: wholesale vinyl pressings, see vinyl-crates.example"}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let id = r.json()["comment"]["id"].as_i64().unwrap();
    let reason = app.record(id).await.reason.unwrap();
    assert!(reason.starts_with("spam score "), "{reason}");
    assert!(reason.contains("vinyl"), "{reason}");
}

#[tokio::test]
async fn retraining_rebuilds_the_counts_from_moderators_decisions() {
    let app = TestApp::new().await;
    app.add_moderator("mo", PASSWORD, &[]).await;
    let mo = app.login("mo", PASSWORD).await;
    let (a, _) = app
        .comment("Ein ganz normaler Kommentar über Tomaten im Garten", None)
        .await;
    let (b, _) = app.comment("Cheap watches replica store, buy now", None).await;
    assert_eq!(app.act(&mo, &format!("approve:{a}")).await, StatusCode::SEE_OTHER);
    assert_eq!(app.act(&mo, &format!("spam:{b}")).await, StatusCode::SEE_OTHER);
    // Changing one's mind moves the comment to the other class, it does not count it twice.
    assert_eq!(app.act(&mo, &format!("approve:{b}")).await, StatusCode::SEE_OTHER);
    assert_eq!(app.state.store.retrain_spam(None).await.unwrap(), 2);
    // A comment that goes (here: GDPR erasure of its address) takes its words out of the filter with it.
    let r = app
        .post(json!({"site": "blog", "uri": "/post/", "text": "Von Eva", "author": "Eva", "email": "eva@example.de"}))
        .await;
    let eva = r.json()["comment"]["id"].as_i64().unwrap();
    assert_eq!(app.act(&mo, &format!("approve:{eva}")).await, StatusCode::SEE_OTHER);
    // A reply keeps Eva's comment as a placeholder, which before kept its training.
    app.comment("Antwort an Eva", Some(eva)).await;
    assert_eq!(app.state.store.retrain_spam(None).await.unwrap(), 3);
    app.state
        .store
        .erase("eva@example.de".into(), "mo".into(), 1)
        .await
        .unwrap();
    assert_eq!(
        app.state.store.retrain_spam(None).await.unwrap(),
        2,
        "before: the erased comment still trained"
    );
}

#[test]
fn riposte_spam_retrain_runs_against_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("riposte.db");
    let out = Command::new(BIN)
        .args(["--database", db.to_str().unwrap(), "spam", "retrain"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("rebuilt from 0 moderated comments"));
    let out = Command::new(BIN)
        .args([
            "--database",
            db.to_str().unwrap(),
            "spam",
            "retrain",
            "--site",
            "Not A Site!",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: "));
}

#[tokio::test]
async fn a_published_comment_edited_into_spam_goes_back_to_the_queue() {
    let app = TestApp::new().await;
    let (id, token) = app.comment("Schöner Beitrag, danke fürs Teilen!", None).await;
    let r = app
        .write(
            axum::http::Method::PATCH,
            &format!("/api/v1/comments/{id}"),
            json!({"text": "Huge jackpot tonight! Free casino bonus spins and crypto cashback at https://bit.ly/spin-win"}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["comment"]["status"], "pending");
    assert!(app.record(id).await.reason.unwrap().starts_with("spam score "));
}
