//! The admin UI: nobody gets in without a session, no change without the CSRF token, logins are throttled,
//! sessions expire, and moderators keep their sites clean.

use std::fmt::Write;

use axum::http::{Method, StatusCode};
use riposte::domain::moderation::TRASH_KEEP_MS;
use riposte::domain::moderator::SESSION_MAX;
use riposte::domain::time::{DAY_MS, now_ms};
use riposte::domain::{Moderation, Status};
use riposte::keys::token_hash;
use serde_json::json;

use crate::helpers::{ORIGIN, PEER, TestApp, config, urlencode};

const PASSWORD: &str = "a long enough password";

/// Everything an admin action could change, to prove that a refused request changed nothing: every field
/// of every comment (status, deletion time, text, email, IP hash...), of every site (name, moderation,
/// link limit, blocked words, origins), of every ban and moderator, each audit entry, and the number of
/// rows of each kind (sessions among them: the store does not list session hashes).
async fn snapshot(app: &TestApp) -> String {
    let store = &app.state.store;
    let mut out = String::new();
    for c in app.records().await {
        writeln!(out, "{c:?}").unwrap();
    }
    for s in store.sites().await.unwrap() {
        writeln!(out, "{s:?}").unwrap();
    }
    // As of the epoch: every ban, expired or not.
    for b in store.bans(None, 0).await.unwrap() {
        writeln!(out, "{b:?}").unwrap();
    }
    for m in store.moderators().await.unwrap() {
        writeln!(out, "{m:?}").unwrap();
    }
    for a in store.audit(i64::MAX).await.unwrap() {
        writeln!(out, "{a:?}").unwrap();
    }
    writeln!(out, "{:?}", store.totals().await.unwrap()).unwrap();
    out
}

fn concrete(path: &str) -> String {
    path.replace("{id}", "1")
}

/// A form for each action that would change something if it were accepted.
fn fields(path: &str) -> Vec<(&'static str, &'static str)> {
    match path {
        "/admin/moderate" => vec![("act", "delete:1")],
        "/admin/comments/{id}" => vec![("text", "overwritten")],
        "/admin/sites" => vec![
            ("id", "blog"),
            ("origins", "https://evil.example"),
            ("moderation", "none"),
        ],
        "/admin/bans" => vec![("email", "victim@example.org")],
        "/admin/bans/remove" => vec![("id", "1")],
        "/admin/privacy/erase" | "/admin/privacy/export" => vec![("email", "anna@example.de")],
        "/admin/export" => vec![("site", "blog")],
        // A multipart upload whose token must be in the address: these fields in a form body change nothing.
        "/admin/import" => vec![("format", "json"), ("site", "blog")],
        _ => vec![],
    }
}

async fn seeded() -> (TestApp, i64) {
    let app = TestApp::new().await;
    app.add_moderator("anna", PASSWORD, &[]).await;
    let r = app
        .post(json!({"site": "blog", "uri": "/post/", "text": "Ein Kommentar", "email": "anna@example.de"}))
        .await;
    (app, r.json()["comment"]["id"].as_i64().unwrap())
}

#[tokio::test]
async fn every_admin_route_refuses_an_unauthenticated_request() {
    let (app, _) = seeded().await;
    let before = snapshot(&app).await;
    let routes = riposte::routes::admin::routes();
    assert!(routes.len() >= 12);
    for route in routes.iter().filter(|r| !r.public) {
        let path = concrete(route.path);
        if route.method == Method::GET {
            let r = app.admin_get("", &path).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "GET {path}");
            assert_eq!(r.headers["location"], "/admin/login", "GET {path}");
            // A forged cookie is no better than none.
            let r = app.admin_get("riposte_admin=forged", &path).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "GET {path} with a forged cookie");
        } else {
            let mut form = fields(route.path);
            form.push(("csrf", "whatever"));
            let r = app.admin_post(None, &path, &form).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "POST {path}");
        }
    }
    assert_eq!(snapshot(&app).await, before);
}

#[tokio::test]
async fn every_admin_post_refuses_a_missing_or_wrong_csrf_token() {
    let (app, _) = seeded().await;
    let admin = app.login("anna", PASSWORD).await;
    let other = app.login("anna", PASSWORD).await;
    assert_ne!(admin.csrf, other.csrf, "tokens are bound to their session");
    let before = snapshot(&app).await;
    for route in riposte::routes::admin::routes()
        .iter()
        .filter(|r| !r.public && r.method == Method::POST)
    {
        let path = concrete(route.path);
        for token in [None, Some("wrong"), Some(other.csrf.as_str()), Some("")] {
            let mut form = fields(route.path);
            if let Some(t) = token {
                form.push(("csrf", t));
            }
            let r = app.admin_post(Some(&admin.cookie), &path, &form).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "POST {path} with csrf {token:?}");
        }
        // The right token from a foreign origin is refused too.
        let mut form = fields(route.path);
        form.push(("csrf", &admin.csrf));
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&form)
            .finish();
        let req = axum::http::Request::post(&path)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", "https://evil.example")
            .header("cookie", &admin.cookie)
            .body(axum::body::Body::from(body))
            .unwrap();
        assert_eq!(
            app.send(req).await.status,
            StatusCode::FORBIDDEN,
            "POST {path} from another origin"
        );
    }
    assert_eq!(snapshot(&app).await, before);
}

#[tokio::test]
async fn admin_pages_send_strict_headers_and_a_strict_cookie() {
    let (app, _) = seeded().await;
    let r = app.login_from(PEER, "anna", PASSWORD).await;
    let cookie = r.headers["set-cookie"].to_str().unwrap().to_owned();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/admin"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http here: {cookie}");
    let token = cookie.split(';').next().unwrap().split('=').nth(1).unwrap().to_owned();
    let store = &app.state.store;
    assert!(
        store.session(token.clone(), now_ms()).await.unwrap().is_none(),
        "the cookie's value is never stored, only its hash"
    );
    assert!(store.session(token_hash(&token), now_ms()).await.unwrap().is_some());
    assert_eq!(store.totals().await.unwrap().sessions, 1);
    for path in ["/admin", "/admin/login", "/admin/sites"] {
        let r = app.admin_get(cookie.split(';').next().unwrap(), path).await;
        let csp = r.headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'self'")
                && csp.contains("frame-ancestors 'none'")
                && csp.contains("script-src 'none'")
        );
        assert_eq!(r.headers["x-content-type-options"], "nosniff");
        assert_eq!(r.headers["referrer-policy"], "same-origin");
        assert_eq!(r.headers["cache-control"], "no-store");
        assert!(!r.text().contains("<script"));
    }
    let mut c = config();
    c.public_url = Some("https://comments.example".into());
    let https = TestApp::with(c).await;
    https.add_moderator("anna", PASSWORD, &[]).await;
    let req = axum::http::Request::post("/admin/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "https://comments.example")
        .body(axum::body::Body::from(format!(
            "username=anna&password={}",
            urlencode(PASSWORD)
        )))
        .unwrap();
    let r = https.send(req).await;
    assert!(r.headers["set-cookie"].to_str().unwrap().contains("; Secure"));
}

#[tokio::test]
async fn over_https_the_session_cookie_is_a_host_cookie() {
    let mut c = config();
    c.public_url = Some("https://comments.example".into());
    let app = TestApp::with(c).await;
    app.add_moderator("anna", PASSWORD, &[]).await;
    let req = axum::http::Request::post("/admin/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "https://comments.example")
        .body(axum::body::Body::from(format!(
            "username=anna&password={}",
            urlencode(PASSWORD)
        )))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let set = r.headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(set.starts_with("__Host-riposte_admin="), "{set}");
    let attributes: Vec<&str> = set.split(';').skip(1).map(str::trim).collect();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/", "Secure"] {
        assert!(attributes.contains(&attr), "{set}");
    }
    assert!(!set.to_ascii_lowercase().contains("domain"), "{set}");
    let pair = set.split(';').next().unwrap();
    assert_eq!(app.admin_get(pair, "/admin").await.status, StatusCode::OK);
    // The plain name is not the session cookie here.
    let plain = pair.trim_start_matches("__Host-");
    assert_eq!(app.admin_get(plain, "/admin").await.status, StatusCode::SEE_OTHER);
    // Over plain http the cookie keeps its name and Path=/admin (a browser refuses __Host- without Secure).
    let (http_app, _) = seeded().await;
    let r = http_app.login_from(PEER, "anna", PASSWORD).await;
    assert!(r.headers["set-cookie"].to_str().unwrap().starts_with("riposte_admin="));
}

#[tokio::test]
async fn sessions_end_seven_days_after_login_however_busy() {
    let (app, _) = seeded().await;
    let store = &app.state.store;
    let anna = store.moderator("anna".into()).await.unwrap().unwrap();
    let now = now_ms();
    let week = SESSION_MAX.as_millis() as i64;
    // Used a minute ago, so not idle; begun just over a week ago.
    let old = "a-session-begun-eight-days-ago";
    store
        .create_session(token_hash(old), anna.id, now - week - 60_000)
        .await
        .unwrap();
    store.touch_session(token_hash(old), now - 60_000).await.unwrap();
    let young = "a-session-begun-six-days-ago";
    store
        .create_session(token_hash(young), anna.id, now - week + 86_400_000)
        .await
        .unwrap();
    store.touch_session(token_hash(young), now - 60_000).await.unwrap();
    let r = app.admin_get(&format!("riposte_admin={old}"), "/admin").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers["location"], "/admin/login");
    assert!(store.session(token_hash(old), now).await.unwrap().is_none());
    assert_eq!(
        app.admin_get(&format!("riposte_admin={young}"), "/admin").await.status,
        StatusCode::OK
    );
    // Upkeep ends it for good, idle or not.
    let stale = "another-old-session";
    store
        .create_session(token_hash(stale), anna.id, now - week - 1)
        .await
        .unwrap();
    store.touch_session(token_hash(stale), now).await.unwrap();
    assert!(store.upkeep(now).await.unwrap().ended_sessions >= 1);
    assert!(store.session(token_hash(young), now).await.unwrap().is_some());
    assert_eq!(store.totals().await.unwrap().sessions, 1);
}

#[tokio::test]
async fn logins_are_throttled_per_ip_and_per_account_without_telling_accounts_apart() {
    let (app, _) = seeded().await;
    let unknown = app.login_from("203.0.113.1:1", "nobody", "wrong password!").await;
    let wrong = app.login_from("203.0.113.2:1", "anna", "wrong password!").await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.text().replace("nobody", "X"), wrong.text().replace("anna", "X"));
    // Four more failures from one IP (five in all for anna), then even the right password waits.
    for _ in 0..4 {
        assert_eq!(
            app.login_from("203.0.113.2:1", "anna", "still wrong!!").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let locked = app.login_from("203.0.113.2:1", "anna", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = locked.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(wait > 60 && wait <= 15 * 60 + 1);
    // The account is locked from other addresses too, and the address for other accounts.
    assert_eq!(
        app.login_from("198.51.100.9:1", "anna", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        app.login_from("203.0.113.2:1", "bob", "irrelevant pw").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(app.state.store.totals().await.unwrap().sessions, 0);
}

#[tokio::test]
async fn sessions_expire_after_twelve_idle_hours_and_at_logout() {
    let (app, _) = seeded().await;
    let admin = app.login("anna", PASSWORD).await;
    assert_eq!(app.admin_get(&admin.cookie, "/admin").await.status, StatusCode::OK);
    let store = &app.state.store;
    assert_eq!(store.totals().await.unwrap().sessions, 1);
    let idle = now_ms() - 12 * 3600 * 1000 - 1000;
    let token = admin.cookie.split_once('=').unwrap().1;
    store.touch_session(token_hash(token), idle).await.unwrap();
    let r = app.admin_get(&admin.cookie, "/admin").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(store.totals().await.unwrap().sessions, 0);

    let admin = app.login("anna", PASSWORD).await;
    let r = app
        .admin_post(Some(&admin.cookie), "/admin/logout", &[("csrf", &admin.csrf)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.headers["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(
        app.admin_get(&admin.cookie, "/admin").await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn the_queue_shows_held_comments_with_context_and_approval_publishes_them() {
    let mut c = config();
    c.sites[0].moderation = Moderation::All;
    let app = TestApp::with(c).await;
    app.add_moderator("anna", PASSWORD, &[]).await;
    let r = app
        .post(json!({"site": "blog", "uri": "/post/", "text": "Bitte freigeben", "author": "Eva", "email": "eva@example.de"}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let id = r.json()["comment"]["id"].as_i64().unwrap();
    let admin = app.login("anna", PASSWORD).await;
    let queue = app.admin_get(&admin.cookie, "/admin").await.text();
    for expected in [
        "Bitte freigeben",
        "Eva",
        "eva@example.de",
        "the site holds every comment",
        "/post/",
        "Approve",
        "Spam",
        "Delete",
        "Edit",
    ] {
        assert!(queue.contains(expected), "queue lacks {expected}");
    }
    assert_eq!(app.act(&admin, &format!("approve:{id}")).await, StatusCode::SEE_OTHER);
    assert_eq!(app.thread("/post/").await["total"], 1);
    assert!(
        !app.admin_get(&admin.cookie, "/admin")
            .await
            .text()
            .contains("Bitte freigeben")
    );
    // The audit names who did it, on the comment's page.
    let page = app
        .admin_get(&admin.cookie, &format!("/admin/comments/{id}"))
        .await
        .text();
    assert!(page.contains("approve – anna"), "{page}");
    // German when the browser asks for it.
    let req = axum::http::Request::get("/admin")
        .header("cookie", &admin.cookie)
        .header("accept-language", "de-DE,de;q=0.9");
    let de = app.send(req.body(axum::body::Body::empty()).unwrap()).await.text();
    assert!(de.contains("Warteschlange") && de.contains("lang=\"de\""));
}

#[tokio::test]
async fn bulk_actions_apply_to_the_selection() {
    let mut c = config();
    c.sites[0].moderation = Moderation::All;
    let app = TestApp::with(c).await;
    app.add_moderator("anna", PASSWORD, &[]).await;
    let mut ids = Vec::new();
    for i in 0..3 {
        let r = app
            .post(json!({"site": "blog", "uri": "/post/", "text": format!("Nr. {i}")}))
            .await;
        ids.push(r.json()["comment"]["id"].as_i64().unwrap().to_string());
    }
    let admin = app.login("anna", PASSWORD).await;
    let r = app
        .admin_post(
            Some(&admin.cookie),
            "/admin/moderate",
            &[
                ("csrf", &admin.csrf),
                ("id", &ids[0]),
                ("id", &ids[2]),
                ("act", "spam"),
                ("back", "/admin"),
            ],
        )
        .await;
    assert_eq!(r.headers["location"], "/admin?done=2");
    let mut statuses = Vec::new();
    for id in &ids {
        statuses.push(app.status_of(id.parse().unwrap()).await);
    }
    assert_eq!(statuses, ["spam", "pending", "spam"]);
}

#[tokio::test]
async fn max_links_and_blocked_words_hold_comments_with_their_reason() {
    let mut c = config();
    c.sites[0].max_links = 2;
    c.sites[0].blocked_words = vec!["Casino".into(), "billige pillen".into()];
    let app = TestApp::with(c).await;
    let two = app
        .post(json!({"site": "blog", "uri": "/p/", "text": "https://a.example und www.b.example"}))
        .await;
    assert_eq!(two.status, StatusCode::CREATED);
    let three = app
        .post(json!({"site": "blog", "uri": "/p/", "text": "https://a.example www.b.example [c](https://c.example)"}))
        .await;
    assert_eq!(three.status, StatusCode::ACCEPTED);
    assert_eq!(three.json()["comment"]["status"], "pending");
    let word = app
        .post(json!({"site": "blog", "uri": "/p/", "text": "Hier gibt es BILLIGE Pillen"}))
        .await;
    assert_eq!(word.status, StatusCode::ACCEPTED);
    let in_author = app
        .post(json!({"site": "blog", "uri": "/p/", "text": "harmlos", "author": "Online Casino"}))
        .await;
    assert_eq!(in_author.status, StatusCode::ACCEPTED);
    let reasons: Vec<String> = app
        .records()
        .await
        .into_iter()
        .filter(|c| c.status == Status::Pending)
        .map(|c| c.reason.expect("a held comment has its reason"))
        .collect();
    assert_eq!(
        reasons,
        [
            "3 links (more than 2)",
            "blocked word \"billige pillen\"",
            "blocked word \"casino\""
        ]
    );
    // A harmless comment edited into spam afterwards is held as well.
    let (id, token) = (
        two.json()["comment"]["id"].as_i64().unwrap(),
        two.json()["edit_token"].as_str().unwrap().to_owned(),
    );
    let r = app
        .write(
            Method::PATCH,
            &format!("/api/v1/comments/{id}"),
            json!({"text": "Jetzt mit Casino"}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["comment"]["status"], "pending");
    assert_eq!(app.thread("/p/").await["total"], 0);
    // Its author still sees it, through the token; nobody else does.
    let mine = app
        .send(
            axum::http::Request::get(format!("/api/v1/comments/{id}"))
                .header("authorization", format!("Bearer {token}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(mine.status, StatusCode::OK);
    assert_eq!(mine.json()["comment"]["status"], "pending");
    assert_eq!(
        app.get(&format!("/api/v1/comments/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_banned_commenter_goes_to_spam_silently() {
    let (app, id) = seeded().await;
    let admin = app.login("anna", PASSWORD).await;
    assert_eq!(app.act(&admin, &format!("ban:{id}")).await, StatusCode::SEE_OTHER);
    assert_eq!(app.status_of(id).await, "spam");
    // Same IP (the test peer): the answer looks like any held comment.
    let r = app
        .post(json!({"site": "blog", "uri": "/post/", "text": "Ich bin wieder da"}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let v = r.json();
    assert_eq!(v["comment"]["status"], "pending");
    assert!(v["edit_token"].is_string());
    let new_id = v["comment"]["id"].as_i64().unwrap();
    assert_eq!(app.status_of(new_id).await, "spam");
    assert!(
        !app.admin_get(&admin.cookie, "/admin")
            .await
            .text()
            .contains("Ich bin wieder da"),
        "spam skips the queue"
    );
    let bans = app.admin_get(&admin.cookie, "/admin/bans").await.text();
    assert!(bans.contains(&format!("comment #{id}")));
    // A ban by email, with an expiry, from the bans page; lifting it lets the email through again.
    let r = app
        .admin_post(
            Some(&admin.cookie),
            "/admin/bans",
            &[
                ("csrf", &admin.csrf),
                ("site", "blog"),
                ("email", "troll@example.org"),
                ("days", "7"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let troll = |peer: &'static str| {
        let body =
            json!({"site": "blog", "uri": "/post/", "text": "Trollerei", "email": "Troll@Example.org"}).to_string();
        let req = axum::http::Request::post("/api/v1/comments")
            .header("content-type", "application/json")
            .body(axum::body::Body::from(body))
            .unwrap();
        app.send_from(peer, req)
    };
    assert_eq!(troll("198.51.100.50:1").await.status, StatusCode::ACCEPTED);
    let by_email: Vec<i64> = app
        .state
        .store
        .bans(None, now_ms())
        .await
        .unwrap()
        .into_iter()
        .filter(|b| b.email.is_some() && b.ip_hash.is_none())
        .map(|b| b.id)
        .collect();
    assert_eq!(by_email.len(), 1);
    let ban_id = by_email[0].to_string();
    let r = app
        .admin_post(
            Some(&admin.cookie),
            "/admin/bans/remove",
            &[("csrf", &admin.csrf), ("id", &ban_id)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(troll("198.51.100.51:1").await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn deleted_comments_wait_in_the_trash_and_can_be_restored() {
    let (app, id) = seeded().await;
    let (reply, _) = app.comment("Antwort", Some(id)).await;
    let admin = app.login("anna", PASSWORD).await;
    assert_eq!(app.act(&admin, &format!("delete:{id}")).await, StatusCode::SEE_OTHER);
    let v = app.thread("/post/").await;
    assert_eq!(
        v["comments"][0]["status"], "deleted",
        "the reply keeps a placeholder above it"
    );
    assert_eq!(v["comments"][0]["html"], "");
    assert_eq!(v["comments"][0]["replies"][0]["id"], reply);
    let trash = app.admin_get(&admin.cookie, "/admin/trash").await.text();
    assert!(trash.contains("Ein Kommentar"));
    assert_eq!(app.act(&admin, &format!("restore:{id}")).await, StatusCode::SEE_OTHER);
    let v = app.thread("/post/").await;
    assert_eq!(v["comments"][0]["html"], "<p>Ein Kommentar</p>\n");
    assert_eq!(v["total"], 2);
    // After 30 days the trash is purged: the content is gone for good.
    assert_eq!(app.act(&admin, &format!("delete:{reply}")).await, StatusCode::SEE_OTHER);
    // A day before its 30 days are up, the upkeep keeps it.
    let store = &app.state.store;
    let early = store.upkeep(now_ms() + TRASH_KEEP_MS - DAY_MS).await.unwrap();
    assert_eq!(early.purged_comments, 0);
    assert_eq!(app.status_of(reply).await, "deleted");
    let upkeep = store.upkeep(now_ms() + 31 * DAY_MS).await.unwrap();
    assert_eq!(upkeep.purged_comments, 1);
    assert!(store.records(vec![reply]).await.unwrap().is_empty());
    assert_eq!(app.thread("/post/").await["total"], 1);
}

#[tokio::test]
async fn moderators_limited_to_a_site_see_and_touch_only_that_site() {
    let mut c = config();
    c.sites.push(crate::helpers::site("other", ORIGIN, Moderation::All));
    c.sites[0].moderation = Moderation::All;
    let app = TestApp::with(c).await;
    app.add_moderator("bea", PASSWORD, &["blog"]).await;
    let mine = app
        .post(json!({"site": "blog", "uri": "/p/", "text": "Für Bea"}))
        .await
        .json()["comment"]["id"]
        .as_i64()
        .unwrap();
    let theirs = app
        .post(json!({"site": "other", "uri": "/p/", "text": "Nicht für Bea"}))
        .await
        .json()["comment"]["id"]
        .as_i64()
        .unwrap();
    let bea = app.login("bea", PASSWORD).await;
    let queue = app.admin_get(&bea.cookie, "/admin").await.text();
    assert!(queue.contains("Für Bea") && !queue.contains("Nicht für Bea"));
    assert_eq!(
        app.admin_get(&bea.cookie, &format!("/admin/comments/{theirs}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    app.act(&bea, &format!("approve:{theirs}")).await;
    app.act(&bea, &format!("approve:{mine}")).await;
    assert_eq!(app.status_of(theirs).await, "pending");
    assert_eq!(app.status_of(mine).await, "published");
    let r = app
        .admin_post(
            Some(&bea.cookie),
            &format!("/admin/comments/{theirs}"),
            &[("csrf", &bea.csrf), ("text", "übernommen")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .admin_post(
            Some(&bea.cookie),
            "/admin/sites",
            &[("csrf", &bea.csrf), ("id", "other"), ("origins", "https://x.example")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .admin_post(
            Some(&bea.cookie),
            "/admin/sites",
            &[
                ("csrf", &bea.csrf),
                ("id", "brandneu"),
                ("origins", "https://x.example"),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "only moderators of every site add sites"
    );
    let sites = app.admin_get(&bea.cookie, "/admin/sites").await.text();
    assert!(
        sites.contains("data-site=&#34;blog&#34;") || sites.contains("data-site=&quot;blog&quot;"),
        "{sites}"
    );
    assert!(!sites.contains("(other)"));
    let browse = app.admin_get(&bea.cookie, "/admin/comments?q=Bea").await.text();
    assert!(browse.contains("Für Bea") && !browse.contains("Nicht für Bea"));
}

#[tokio::test]
async fn moderators_edit_comments_and_sites() {
    let (app, id) = seeded().await;
    let admin = app.login("anna", PASSWORD).await;
    let r = app
        .admin_post(
            Some(&admin.cookie),
            &format!("/admin/comments/{id}"),
            &[
                ("csrf", &admin.csrf),
                ("text", "Korrigiert *hier*"),
                ("author", "Anna"),
                ("website", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let c = &app.thread("/post/").await["comments"][0];
    assert_eq!(c["html"], "<p>Korrigiert <em>hier</em></p>\n");
    assert_eq!(c["author"], "Anna");
    let r = app
        .admin_post(
            Some(&admin.cookie),
            "/admin/sites",
            &[
                ("csrf", &admin.csrf),
                ("id", "neu"),
                ("name", "Neues Blog"),
                ("origins", "https://neu.example\nhttps://www.neu.example"),
                ("moderation", "first-time"),
                ("max_links", "1"),
                ("blocked_words", "Spam\n"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let site = app.state.sites.get("neu").await.unwrap().unwrap();
    assert_eq!(site.origins, ["https://neu.example", "https://www.neu.example"]);
    assert_eq!(
        (site.moderation, site.max_links, site.blocked_words.clone()),
        (Moderation::FirstTime, 1, vec!["spam".to_owned()])
    );
    let bad = app
        .admin_post(
            Some(&admin.cookie),
            "/admin/sites",
            &[("csrf", &admin.csrf), ("id", "neu"), ("origins", "javascript:alert(1)")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Moderators get a page that says what was wrong, not a JSON body.
    assert!(bad.headers["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(
        bad.text()
            .contains("origin: &#34;javascript:alert(1)&#34; is not an origin"),
        "{}",
        bad.text()
    );
}

#[tokio::test]
async fn a_moderator_moderates_every_site_only_when_that_was_said() {
    let mut c = config();
    c.sites[0].moderation = Moderation::All;
    let app = TestApp::with(c).await;
    let r = app
        .post(serde_json::json!({"site": "blog", "uri": "/p/", "text": "wartet auf jemanden"}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    // An account with an empty list of sites (as one whose last site was deleted): before, it moderated all.
    let hash = riposte::keys::hash_password(PASSWORD).unwrap();
    assert!(
        app.state
            .store
            .add_moderator("leer".into(), hash, None, Some(vec![]), 0)
            .await
            .unwrap()
    );
    let none = app.login("leer", PASSWORD).await;
    assert!(
        !app.admin_get(&none.cookie, "/admin")
            .await
            .text()
            .contains("wartet auf jemanden")
    );
    app.add_moderator("alle", PASSWORD, &[]).await;
    let all = app.login("alle", PASSWORD).await;
    assert!(
        app.admin_get(&all.cookie, "/admin")
            .await
            .text()
            .contains("wartet auf jemanden")
    );
    // The command line asks which.
    let out = std::process::Command::new(crate::helpers::process::BIN)
        .args(["moderator", "add", "wer", "--password-stdin", "--database"])
        .arg(&app.state.config.database)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--site"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
