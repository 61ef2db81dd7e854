//! What guards a new comment: proof of work (ALTCHA), `Idempotency-Key`, the form's bot traps, titles that
//! only published comments from the site's pages set, and avatars that tell strangers nothing.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use riposte::domain::pow::Pow;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{ORIGIN, TestApp, config};

async fn app_with_pow(pow: Pow) -> TestApp {
    let mut c = config();
    c.sites[0].pow = pow;
    TestApp::with(c).await
}

fn hex_sha256(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Solves a challenge as the widget does: the number whose hash with the salt is the challenge.
fn solve(ch: &Value) -> String {
    let salt = ch["salt"].as_str().unwrap();
    let target = ch["challenge"].as_str().unwrap();
    let max = ch["maxnumber"].as_u64().unwrap();
    let number = (0..=max)
        .find(|n| hex_sha256(&format!("{salt}{n}")) == target)
        .expect("a challenge has a solution up to maxnumber");
    let payload = json!({"algorithm": ch["algorithm"], "challenge": target, "number": number,
        "salt": salt, "signature": ch["signature"]});
    STANDARD.encode(payload.to_string())
}

async fn challenge(app: &TestApp) -> Value {
    let r = app.get("/api/v1/challenge?site=blog").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.headers["cache-control"], "no-store");
    r.json()
}

fn comment(text: &str) -> Value {
    json!({"site": "blog", "uri": "/post/", "text": text})
}

#[tokio::test]
async fn a_site_that_asks_for_proof_of_work_refuses_posts_without_a_valid_fresh_solution() {
    let app = app_with_pow(Pow::Always).await;
    let r = app.post(comment("ohne Lösung")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.code(), "challenge_required");
    let ch = challenge(&app).await;
    assert_eq!(ch["algorithm"], "SHA-256");
    assert!(ch["salt"].as_str().unwrap().contains("?expires="));
    let solved = solve(&ch);
    // A wrong number, a forged signature, and junk are refused.
    let mut wrong: Value = serde_json::from_slice(&STANDARD.decode(&solved).unwrap()).unwrap();
    wrong["number"] = json!(wrong["number"].as_u64().unwrap() + 1);
    let mut forged = wrong.clone();
    forged["number"] = json!(0);
    forged["challenge"] = json!(hex_sha256(&format!("{}0", ch["salt"].as_str().unwrap())));
    for bad in [
        STANDARD.encode(wrong.to_string()),
        STANDARD.encode(forged.to_string()),
        "not base64!".into(),
    ] {
        let mut body = comment("falsch gelöst");
        body["altcha"] = json!(bad);
        let r = app.post(body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(r.code(), "challenge_invalid");
    }
    assert_eq!(app.stored_comments().await, 0, "nothing refused was stored");
    let mut body = comment("richtig gelöst");
    body["altcha"] = json!(solved);
    assert_eq!(app.post(body.clone()).await.status, StatusCode::CREATED);
    // Each solution counts once.
    body["text"] = json!("noch einmal mit derselben Lösung");
    let r = app.post(body).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "challenge_invalid".into())
    );
    assert_eq!(app.stored_comments().await, 1);
}

#[tokio::test]
async fn an_expired_challenge_is_refused() {
    let app = app_with_pow(Pow::Always).await;
    // A challenge signed by this server whose expiry passed: made with the server's own key.
    let expired = riposte::domain::pow::Challenge::new("ab", 3, 1_000, |c| app.state.keys.pow_signature(c));
    let ch = serde_json::to_value(&expired).unwrap();
    let mut body = comment("zu spät");
    body["altcha"] = json!(solve(&ch));
    let r = app.post(body).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("expired"), "{}", r.text());
}

#[tokio::test]
async fn off_hands_out_no_challenge_and_adaptive_asks_first_timers_only() {
    let off = app_with_pow(Pow::Off).await;
    assert_eq!(
        off.get("/api/v1/challenge?site=blog").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        off.get("/api/v1/challenge?site=nope").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(off.post(comment("ohne")).await.status, StatusCode::CREATED);

    let app = app_with_pow(Pow::Adaptive).await;
    assert_eq!(app.post(comment("neu hier")).await.code(), "challenge_required");
    let mut body = comment("neu hier, mit Lösung");
    body["altcha"] = json!(solve(&challenge(&app).await));
    let r = app.post(body).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let token = r.json()["author_token"].as_str().unwrap().to_owned();
    // A returning commenter (the token of a published comment) posts without a puzzle...
    let mut again = comment("wieder da");
    again["author_token"] = json!(token);
    assert_eq!(app.post(again.clone()).await.status, StatusCode::CREATED);
    assert_eq!(app.post(again.clone()).await.status, StatusCode::CREATED);
    // ... until the same address posts in a burst (three in ten minutes).
    assert_eq!(app.post(again).await.code(), "challenge_required");
}

async fn post_with_key(app: &TestApp, key: &str, body: &Value) -> crate::helpers::Reply {
    app.send(
        Request::post("/api/v1/comments")
            .header("content-type", "application/json")
            .header("origin", ORIGIN)
            .header("idempotency-key", key)
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn a_repeated_idempotency_key_answers_the_first_comment_and_stores_nothing_new() {
    let mut c = config();
    c.sites[0].moderation = riposte::domain::Moderation::All;
    let app = TestApp::with(c).await;
    let body = comment("einmal, auch wenn zweimal gesendet");
    let first = post_with_key(&app, "k-1", &body).await;
    assert_eq!(first.status, StatusCode::ACCEPTED);
    let again = post_with_key(&app, "k-1", &body).await;
    assert_eq!(again.status, StatusCode::ACCEPTED, "the same status code");
    assert_eq!(again.json()["comment"]["id"], first.json()["comment"]["id"]);
    assert_eq!(again.json()["edit_token"], first.json()["edit_token"]);
    assert_eq!(app.stored_comments().await, 1);
    // Another key is another comment; a bad key is refused before anything is stored.
    assert_eq!(post_with_key(&app, "k-2", &body).await.status, StatusCode::ACCEPTED);
    let r = post_with_key(&app, "mit leerzeichen", &body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.stored_comments().await, 2);
    // The author deletes the comment: its key now names nothing, and says so.
    let id = first.json()["comment"]["id"].as_i64().unwrap();
    let token = first.json()["edit_token"].as_str().unwrap().to_owned();
    let r = app
        .send(
            Request::delete(format!("/api/v1/comments/{id}"))
                .header("authorization", format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(post_with_key(&app, "k-1", &body).await.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_forms_bot_traps_hold_silently_as_spam() {
    let app = TestApp::new().await;
    let mut filled = comment("Bot");
    filled["honeypot"] = json!("https://spam.example");
    filled["fill_ms"] = json!(8000);
    let mut fast = comment("Schneller Bot");
    fast["fill_ms"] = json!(200);
    for body in [filled, fast] {
        let r = app.post(body).await;
        assert_eq!(r.status, StatusCode::ACCEPTED);
        // Looks like any held comment to the sender.
        assert_eq!(r.json()["comment"]["status"], "pending");
        let id = r.json()["comment"]["id"].as_i64().unwrap();
        let stored = app.record(id).await;
        assert_eq!(stored.status.as_str(), "spam");
        assert!(stored.reason.unwrap().starts_with("bot trap"));
    }
    let mut person = comment("Mensch");
    person["honeypot"] = json!("");
    person["fill_ms"] = json!(12_000);
    assert_eq!(app.post(person).await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn avatars_are_per_site_and_not_shown_for_held_comments() {
    let mut c = config();
    let mut shop = c.sites[0].clone();
    shop.id = "shop".into();
    c.sites.push(shop);
    let app = TestApp::with(c).await;
    let post = |site: &str| app.post(json!({"site": site, "uri": "/a/", "text": "Hallo", "email": "anna@example.de"}));
    let on_blog = post("blog").await.json()["comment"]["avatar"].clone();
    let on_shop = post("shop").await.json()["comment"]["avatar"].clone();
    assert_eq!(on_blog.as_str().unwrap().len(), 16);
    assert_ne!(on_blog, on_shop, "one email, two sites, two unrelated pictures");
    assert_eq!(
        post("blog").await.json()["comment"]["avatar"],
        on_blog,
        "stable on one site"
    );
    // Held: nobody learns the picture (and so whether the address wrote here before).
    let mut c = config();
    c.sites[0].moderation = riposte::domain::Moderation::All;
    let held = TestApp::with(c).await;
    let r = held
        .post(json!({"site": "blog", "uri": "/a/", "text": "Hallo", "email": "anna@example.de"}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    assert_eq!(r.json()["comment"]["avatar"], "");
    let id = r.json()["comment"]["id"].as_i64().unwrap();
    let token = r.json()["edit_token"].as_str().unwrap().to_owned();
    let r = held
        .send(
            Request::get(format!("/api/v1/comments/{id}"))
                .header("authorization", format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.json()["comment"]["avatar"], "");
}

#[tokio::test]
async fn only_a_published_comment_from_the_sites_pages_names_the_thread() {
    let mut c = config();
    c.sites[0].blocked_words = vec!["casino".into()];
    let app = TestApp::with(c).await;
    // Held (a blocked word): its title does not stick.
    let r = app
        .post(json!({"site": "blog", "uri": "/p/", "title": "Best casino", "text": "casino"}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    assert_eq!(app.thread("/p/").await["title"], Value::Null);
    // A client that is not a browser on the site's pages (no Origin) cannot name it either.
    let r = app
        .send(
            Request::post("/api/v1/comments")
                .header("content-type", "application/json")
                .body(Body::from(
                    json!({"site": "blog", "uri": "/p/", "title": "Owned", "text": "hi"}).to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(app.thread("/p/").await["title"], Value::Null);
    let r = app
        .post(json!({"site": "blog", "uri": "/p/", "title": "Mein Beitrag", "text": "Erster!"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(app.thread("/p/").await["title"], "Mein Beitrag");
    // A moderator may rename the page, or clear its title.
    let id = r.json()["comment"]["id"].as_i64().unwrap();
    app.add_moderator("mo", "a long enough password", &[]).await;
    let mo = app.login("mo", "a long enough password").await;
    let path = format!("/admin/comments/{id}/title");
    let r = app
        .admin_post(
            Some(&mo.cookie),
            &path,
            &[("csrf", &mo.csrf), ("title", "Besserer Titel")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(app.thread("/p/").await["title"], "Besserer Titel");
    let r = app
        .admin_post(
            Some(&mo.cookie),
            &path,
            &[("csrf", &mo.csrf), ("title", "\u{202e}gnirts")],
        )
        .await;
    assert!(r.status.is_client_error());
    assert_eq!(app.thread("/p/").await["title"], "Besserer Titel");
    app.admin_post(Some(&mo.cookie), &path, &[("csrf", &mo.csrf), ("title", "")])
        .await;
    assert_eq!(app.thread("/p/").await["title"], Value::Null);
}

#[tokio::test]
async fn ip_hashes_use_random_stored_keys_that_upkeep_deletes() {
    let app = TestApp::new().await;
    let now = riposte::domain::time::now_ms();
    let period = riposte::keys::ip_period(now);
    let [current, previous] = app.state.store.ip_keys(period).await.unwrap();
    assert_eq!(current.len(), 32);
    assert_ne!(current, previous);
    assert_eq!(
        app.state.store.ip_keys(period).await.unwrap()[0],
        current,
        "one key per period"
    );
    // The stored hash of a comment is the address under the stored key, not under anything the secret gives.
    let (id, _) = app.comment("Hallo", None).await;
    let hash = app.record(id).await.ip_hash.unwrap();
    let peer: std::net::IpAddr = crate::helpers::PEER.parse::<std::net::SocketAddr>().unwrap().ip();
    let keys = riposte::keys::Keys::new("any secret at all");
    keys.install_ip_keys(riposte::keys::IpKeys {
        period,
        current: current.clone(),
        previous: previous.clone(),
    });
    assert_eq!(keys.ip_hash(peer), hash);
    // Two periods on, upkeep deletes the key: the new period's keys share nothing with it.
    let later = now + 2 * riposte::keys::IP_KEY_PERIOD_MS;
    let [new_current, new_previous] = app.state.store.ip_keys(period + 2).await.unwrap();
    let upkeep = app.state.store.upkeep(later).await.unwrap();
    assert_eq!(upkeep.forgotten_ip_keys, 2, "this period's and the one before it");
    assert!(![&new_current, &new_previous].contains(&&current));
    let fresh = app.state.store.ip_keys(period).await.unwrap()[0].clone();
    assert_ne!(fresh, current, "a deleted key is never seen again");
}

#[tokio::test]
async fn author_edits_cannot_get_around_moderation() {
    // Under `all`, rewriting an approved comment sends it back to the queue.
    let mut c = config();
    c.sites[0].moderation = riposte::domain::Moderation::All;
    let app = TestApp::with(c).await;
    let r = app.post(comment("harmlos")).await;
    let id = r.json()["comment"]["id"].as_i64().unwrap();
    let token = r.json()["edit_token"].as_str().unwrap().to_owned();
    app.add_moderator("mo", "a long enough password", &[]).await;
    let mo = app.login("mo", "a long enough password").await;
    assert_eq!(app.act(&mo, &format!("approve:{id}")).await, StatusCode::SEE_OTHER);
    let url = format!("/api/v1/comments/{id}");
    let r = app
        .write(Method::PATCH, &url, json!({"text": "jetzt mit Werbung"}), Some(&token))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["comment"]["status"], "pending");
    assert_eq!(app.status_of(id).await, "pending");

    // A banned commenter's spam edited into a rule break stays spam, out of the queue.
    let app = TestApp::new().await;
    let r = app
        .post(json!({"site": "blog", "uri": "/post/", "text": "spam", "email": "spam@example.de"}))
        .await;
    let spam = r.json()["comment"]["id"].as_i64().unwrap();
    let spam_token = r.json()["edit_token"].as_str().unwrap().to_owned();
    let (victim, _) = app.comment("ein guter Kommentar", None).await;
    app.add_moderator("mo", "a long enough password", &[]).await;
    let mo = app.login("mo", "a long enough password").await;
    assert_eq!(app.act(&mo, &format!("ban:{spam}")).await, StatusCode::SEE_OTHER);
    assert_eq!(app.status_of(spam).await, "spam");
    let links = "[a](https://a.example) [b](https://b.example) [c](https://c.example) [d](https://d.example)";
    let r = app
        .write(
            Method::PATCH,
            &format!("/api/v1/comments/{spam}"),
            json!({"text": links}),
            Some(&spam_token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["comment"]["status"], "pending", "looks held to its author");
    assert_eq!(app.status_of(spam).await, "spam", "before: moved to the queue");
    // The banned address's vote changes nothing (and looks accepted).
    let r = app
        .write(
            Method::POST,
            &format!("/api/v1/comments/{victim}/vote"),
            json!({"value": -1}),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["dislikes"], 0);
}

#[tokio::test]
async fn a_banned_editor_sends_their_published_comment_to_spam() {
    let app = TestApp::new().await;
    let (id, token) = app.comment("noch unauffällig", None).await;
    app.add_moderator("mo", "a long enough password", &[]).await;
    let mo = app.login("mo", "a long enough password").await;
    // A ban by IP hash from another comment of the same address.
    let (other, _) = app.comment("auffällig", None).await;
    assert_eq!(app.act(&mo, &format!("ban:{other}")).await, StatusCode::SEE_OTHER);
    let r = app
        .write(
            Method::PATCH,
            &format!("/api/v1/comments/{id}"),
            json!({"text": "jetzt Spam"}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(app.status_of(id).await, "spam");
}

#[tokio::test]
async fn deleting_a_reply_keeps_its_trashed_parent_in_the_trash() {
    let app = TestApp::new().await;
    let (parent, _) = app.comment("Eltern", None).await;
    let (reply, reply_token) = app.comment("Antwort", Some(parent)).await;
    app.add_moderator("mo", "a long enough password", &[]).await;
    let mo = app.login("mo", "a long enough password").await;
    assert_eq!(app.act(&mo, &format!("delete:{parent}")).await, StatusCode::SEE_OTHER);
    let r = app
        .send(
            Request::delete(format!("/api/v1/comments/{reply}"))
                .header("authorization", format!("Bearer {reply_token}"))
                .header("origin", ORIGIN)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    // Still in the trash, with its text, restorable (before: hard-deleted with the reply).
    let kept = app.record(parent).await;
    assert_eq!(kept.text, "Eltern");
    assert!(kept.deleted_at.is_some());
    assert_eq!(app.act(&mo, &format!("restore:{parent}")).await, StatusCode::SEE_OTHER);
    assert_eq!(app.status_of(parent).await, "published");
}
