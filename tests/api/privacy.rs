//! GDPR: everything stored for an email address can be exported and erased, from the command line and the
//! admin UI; erased comments with replies stay as empty placeholders.

use std::process::Command;

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;
use crate::helpers::process::BIN;

const PASSWORD: &str = "a long enough password";

async fn two_comments_of_eva(app: &TestApp) -> (i64, i64) {
    let post = |text: &str, parent: Option<i64>| {
        app.post(json!({"site": "blog", "uri": "/post/", "text": text, "author": "Eva", "email": "Eva@Example.de", "website": "https://eva.example", "parent": parent}))
    };
    let a = post("Evas erster Kommentar", None).await.json()["comment"]["id"]
        .as_i64()
        .unwrap();
    app.comment("Antwort an Eva", Some(a)).await;
    let b = post("Evas zweiter Kommentar", None).await.json()["comment"]["id"]
        .as_i64()
        .unwrap();
    (a, b)
}

fn cli(app: &TestApp, args: &[&str]) -> (bool, String) {
    let out = Command::new(BIN)
        .args(args)
        .arg("--database")
        .arg(&app.state.config.database)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[tokio::test]
async fn gdpr_export_and_erase_on_the_command_line() {
    let app = TestApp::new().await;
    let (a, b) = two_comments_of_eva(&app).await;
    let (ok, out) = cli(&app, &["gdpr", "export", "eva@example.de"]);
    assert!(ok, "{out}");
    let export: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ids: Vec<i64> = export["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [a, b]);
    assert_eq!(export["comments"][0]["text"], "Evas erster Kommentar");
    assert_eq!(export["comments"][0]["page"], "/post/");
    assert!(!out.contains("Antwort an Eva"));

    let (ok, out) = cli(&app, &["gdpr", "erase", "EVA@example.de"]);
    assert!(ok, "{out}");
    assert!(out.contains("2 comments"));
    let leftovers: Vec<i64> = app
        .records()
        .await
        .into_iter()
        .filter(|c| {
            c.email.is_some()
                || c.author.as_deref() == Some("Eva")
                || c.text.to_lowercase().starts_with("evas")
                || c.website.is_some()
        })
        .map(|c| c.id)
        .collect();
    assert_eq!(leftovers, Vec::<i64>::new());
    // The first had a reply: it stays as a placeholder, without avatar or IP hash.
    let avatar = app.state.store.comment(a).await.unwrap().unwrap().avatar;
    let ip = app.record(a).await.ip_hash;
    assert_eq!((avatar.as_str(), ip), ("", None));
    let v = app.thread("/post/").await;
    assert_eq!(v["comments"][0]["status"], "deleted");
    assert_eq!(v["comments"][0]["replies"][0]["html"], "<p>Antwort an Eva</p>\n");
    assert_eq!(
        v["comments"].as_array().unwrap().len(),
        1,
        "the second had no reply and is gone"
    );
    let (_, out) = cli(&app, &["gdpr", "export", "eva@example.de"]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out).unwrap()["comments"],
        json!([])
    );
}

#[tokio::test]
async fn gdpr_export_and_erase_in_the_admin_ui() {
    let app = TestApp::new().await;
    two_comments_of_eva(&app).await;
    app.add_moderator("anna", PASSWORD, &[]).await;
    app.add_moderator("bea", PASSWORD, &["blog"]).await;
    let anna = app.login("anna", PASSWORD).await;
    let r = app
        .admin_post(
            Some(&anna.cookie),
            "/admin/privacy/export",
            &[("csrf", &anna.csrf), ("email", "eva@example.de")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(r.json()["comments"].as_array().unwrap().len(), 2);
    // A moderator of one site does not handle privacy requests, which span every site.
    let bea = app.login("bea", PASSWORD).await;
    let r = app
        .admin_post(
            Some(&bea.cookie),
            "/admin/privacy/erase",
            &[("csrf", &bea.csrf), ("email", "eva@example.de")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .admin_post(
            Some(&anna.cookie),
            "/admin/privacy/erase",
            &[("csrf", &anna.csrf), ("email", "eva@example.de")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers["location"], "/admin/privacy?done=1&erased=2");
    let left: Vec<i64> = app
        .records()
        .await
        .into_iter()
        .filter(|c| c.email.is_some())
        .map(|c| c.id)
        .collect();
    assert_eq!(left, Vec::<i64>::new());
    let audit = app.state.store.audit(1).await.unwrap();
    assert_eq!(audit[0].action, "gdpr-erase");
}

#[tokio::test]
async fn bans_of_an_address_are_exported_and_erased_with_its_comments() {
    let app = TestApp::new().await;
    let (a, _) = two_comments_of_eva(&app).await;
    app.add_moderator("mo", PASSWORD, &[]).await;
    let mo = app.login("mo", PASSWORD).await;
    assert_eq!(app.act(&mo, &format!("ban:{a}")).await, StatusCode::SEE_OTHER);
    let export = app.state.store.export("eva@example.de".into()).await.unwrap();
    assert_eq!(
        export.bans.len(),
        1,
        "a moderator's record about the person is theirs to see"
    );
    assert_eq!(export.bans[0].site.as_deref(), Some("blog"));
    let json = serde_json::to_value(&export).unwrap();
    assert!(json["bans"][0]["reason"].as_str().unwrap().contains(&format!("#{a}")));
    assert_eq!(
        app.state
            .store
            .erase("EVA@example.de".into(), "mo".into(), 1)
            .await
            .unwrap(),
        2
    );
    let banned_email = app
        .state
        .store
        .bans(None, 1)
        .await
        .unwrap()
        .into_iter()
        .filter(|b| b.email.is_some())
        .count();
    assert_eq!(banned_email, 0, "no ban keeps the erased address");
}

#[tokio::test]
async fn the_queue_counts_a_commenters_published_comments_on_the_same_site_only() {
    let mut c = crate::helpers::config();
    let mut other = c.sites[0].clone();
    other.id = "other".into();
    c.sites.push(other);
    c.sites[0].moderation = riposte::domain::Moderation::All;
    let app = TestApp::with(c).await;
    for _ in 0..3 {
        let r = app
            .post(json!({"site": "other", "uri": "/x/", "text": "anderswo", "email": "eva@example.de"}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let r = app
        .post(json!({"site": "blog", "uri": "/x/", "text": "hier", "email": "eva@example.de"}))
        .await;
    let id = r.json()["comment"]["id"].as_i64().unwrap();
    // Before: 3, which told a moderator of `blog` that eva writes on `other`.
    assert_eq!(app.record(id).await.published_before, 0);
}
