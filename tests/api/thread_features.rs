//! Thread features: the reader's order (oldest, newest, most liked), pinned comments, closed threads and the
//! moderator badge, through the API and the admin UI's controls.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Admin, ORIGIN, Reply, TestApp, config, site, urlencode};

fn ids(thread: &Value) -> Vec<i64> {
    thread["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

async fn sorted(app: &TestApp, sort: &str, extra: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/threads?site=blog&uri=%2Fpost%2F&sort={sort}{extra}"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

async fn vote(app: &TestApp, id: i64, value: i64, peer: &str) {
    let req = axum::http::Request::post(format!("/api/v1/comments/{id}/vote"))
        .header("content-type", "application/json")
        .header("origin", ORIGIN)
        .body(axum::body::Body::from(json!({ "value": value }).to_string()))
        .unwrap();
    let r = app.send_from(peer, req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

/// The sites page's form for `blog` with these fields.
async fn save_blog(app: &TestApp, admin: &Admin, fields: &[(&str, &str)]) -> Reply {
    let mut all = vec![("csrf", admin.csrf.as_str()), ("id", "blog")];
    all.extend_from_slice(fields);
    app.admin_post(Some(&admin.cookie), "/admin/sites", &all).await
}

async fn moderator(app: &TestApp) -> Admin {
    app.add_moderator("mod", "a long password", &[]).await;
    app.login("mod", "a long password").await
}

#[tokio::test]
async fn readers_sort_oldest_newest_and_most_liked_with_replies_oldest_first() {
    let app = TestApp::new().await;
    let (a, _) = app.comment("first", None).await;
    let (b, _) = app.comment("second", None).await;
    let (c, _) = app.comment("third", None).await;
    let (r2, _) = app.comment("a later reply", Some(a)).await;
    vote(&app, b, 1, "192.0.2.1:1").await;
    vote(&app, b, 1, "192.0.2.2:1").await;
    vote(&app, c, 1, "192.0.2.3:1").await;
    vote(&app, a, -1, "192.0.2.4:1").await;
    assert_eq!(ids(&sorted(&app, "oldest", "").await), [a, b, c]);
    assert_eq!(ids(&sorted(&app, "newest", "").await), [c, b, a]);
    let top = sorted(&app, "top", "").await;
    assert_eq!(ids(&top), [b, c, a]);
    assert_eq!(top["sort"], "top");
    assert_eq!(
        top["comments"][2]["replies"][0]["id"], r2,
        "replies stay under their parent"
    );
    // The default is the site's: oldest unless set.
    assert_eq!(app.thread("/post/").await["sort"], "oldest");
    let bad = app.get("/api/v1/threads?site=blog&uri=%2Fpost%2F&sort=best").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["error"]["field"], "sort");
}

#[tokio::test]
async fn every_order_pages_through_all_comments_once() {
    let app = TestApp::new().await;
    let mut all = Vec::new();
    for i in 0..7 {
        all.push(app.comment(&format!("comment {i}"), None).await.0);
    }
    for (i, &id) in all.iter().enumerate().take(4) {
        for v in 0..i {
            vote(&app, id, 1, &format!("192.0.2.{}:1", 10 + v)).await;
        }
    }
    for sort in ["oldest", "newest", "top"] {
        let (mut seen, mut after) = (Vec::new(), String::new());
        loop {
            let page = sorted(&app, sort, &format!("&limit=3{after}")).await;
            seen.extend(ids(&page));
            match page["next"].as_i64() {
                Some(n) => after = format!("&after={n}"),
                None => break,
            }
        }
        let mut sorted_seen = seen.clone();
        sorted_seen.sort();
        assert_eq!(sorted_seen, all, "{sort}: every comment once: {seen:?}");
    }
}

#[tokio::test]
async fn pinned_comments_come_first_in_every_order_and_only_on_the_first_page() {
    let app = TestApp::new().await;
    let (a, _) = app.comment("old one", None).await;
    let (b, _) = app.comment("the answer", None).await;
    let (c, _) = app.comment("newest", None).await;
    let (reply, _) = app.comment("a reply", Some(a)).await;
    let admin = moderator(&app).await;
    let pin = |id: i64, on: &'static str| {
        let (app, admin) = (&app, &admin);
        async move {
            app.admin_post(
                Some(&admin.cookie),
                &format!("/admin/comments/{id}/pin"),
                &[("csrf", &admin.csrf), ("pinned", on)],
            )
            .await
        }
    };
    assert_eq!(pin(b, "1").await.status, StatusCode::SEE_OTHER);
    for sort in ["oldest", "newest", "top"] {
        let thread = sorted(&app, sort, "").await;
        assert_eq!(ids(&thread)[0], b, "{sort}");
        assert_eq!(ids(&thread).len(), 3, "{sort}: the pinned one is not repeated");
        assert_eq!(thread["comments"][0]["pinned"], true);
        assert_eq!(thread["comments"][1]["pinned"], false);
    }
    let page1 = sorted(&app, "oldest", "&limit=1").await;
    assert_eq!(ids(&page1), [b, a]);
    let page2 = sorted(&app, "oldest", &format!("&limit=1&after={}", page1["next"])).await;
    assert_eq!(ids(&page2), [c], "page 2 holds no pinned comment");
    // A reply cannot be pinned; unpinning restores the order; both audited.
    assert_eq!(pin(reply, "1").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(pin(b, "0").await.status, StatusCode::SEE_OTHER);
    assert_eq!(ids(&app.thread("/post/").await), [a, b, c]);
    let audit = app.state.store.audit_for(vec![b]).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["pin", "unpin"]);
}

#[tokio::test]
async fn a_closed_thread_shows_but_refuses_posts_with_thread_closed() {
    let app = TestApp::new().await;
    let (a, _) = app.comment("before closing", None).await;
    let admin = moderator(&app).await;
    let close = |on: &'static str| {
        let (app, admin) = (&app, &admin);
        async move {
            app.admin_post(
                Some(&admin.cookie),
                &format!("/admin/comments/{a}/close"),
                &[("csrf", &admin.csrf), ("closed", on)],
            )
            .await
            .status
        }
    };
    assert_eq!(close("1").await, StatusCode::SEE_OTHER);
    let thread = app.thread("/post/").await;
    assert_eq!(thread["closed"], true);
    assert_eq!(ids(&thread), [a], "the thread still shows");
    let stored = app.stored_comments().await;
    for parent in [None, Some(a)] {
        let r = app
            .post(json!({"site": "blog", "uri": "/post/", "text": "too late", "parent": parent}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        assert_eq!(r.code(), "thread_closed");
    }
    assert_eq!(app.stored_comments().await, stored, "nothing stored");
    // Other pages stay open; reopening takes posts again.
    let other = app
        .post(json!({"site": "blog", "uri": "/other/", "text": "fine"}))
        .await;
    assert_eq!(other.status, StatusCode::CREATED);
    assert_eq!(close("0").await, StatusCode::SEE_OTHER);
    assert_eq!(app.thread("/post/").await["closed"], false);
    app.comment("open again", None).await;
}

#[tokio::test]
async fn a_site_rule_closes_threads_by_the_age_of_their_first_comment() {
    let mut config = config();
    config.sites[0].close_after_days = Some(90);
    let app = TestApp::with(config).await;
    let day = 86_400_000;
    let now = riposte::domain::time::now_ms();
    app.store_comment("/old/", None, now - 91 * day).await;
    app.store_comment("/recent/", None, now - 89 * day).await;
    let old = app
        .get(&format!("/api/v1/threads?site=blog&uri={}", urlencode("/old/")))
        .await
        .json();
    assert_eq!(old["closed"], true);
    let r = app.post(json!({"site": "blog", "uri": "/old/", "text": "late"})).await;
    assert_eq!(r.code(), "thread_closed");
    let r = app
        .post(json!({"site": "blog", "uri": "/recent/", "text": "in time"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    // A new page opens with its first comment.
    let r = app.post(json!({"site": "blog", "uri": "/new/", "text": "first"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
}

#[tokio::test]
async fn a_moderators_badge_token_marks_their_comment_and_skips_the_queue() {
    let mut config = config();
    config.sites[0].moderation = riposte::domain::Moderation::All;
    config.sites.push(site(
        "elsewhere",
        "https://elsewhere.example",
        riposte::domain::Moderation::None,
    ));
    let app = TestApp::with(config).await;
    app.add_moderator("anna", "a long password", &["blog"]).await;
    let anna = app.state.store.moderator("anna".into()).await.unwrap().unwrap();
    let token = app.state.keys.badge_token("blog", anna.badge());
    let r = app
        .post(json!({"site": "blog", "uri": "/post/", "text": "from the author", "moderator_token": token}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "published at once: {}", r.text());
    assert_eq!(r.json()["comment"]["moderator"], true);
    let thread = app.thread("/post/").await;
    assert_eq!(thread["comments"][0]["moderator"], true);
    // A forged or foreign token badges nothing and changes nothing else.
    let later = riposte::domain::comment::BadgeClaim {
        created: anna.created + 1,
        ..anna.badge()
    };
    for bad in [
        format!("{}.{}.0.AAAA", anna.id, anna.created),
        "nonsense".into(),
        app.state.keys.badge_token("blog", later),
        // A token read from another site's pages badges nothing here.
        app.state.keys.badge_token("elsewhere", anna.badge()),
    ] {
        let r = app
            .post(json!({"site": "blog", "uri": "/post/", "text": "a visitor", "moderator_token": bad}))
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "held like any other");
        assert_eq!(r.json()["comment"]["moderator"], false);
    }
    // A moderator of another site has no badge here.
    app.add_moderator("ben", "a long password", &["elsewhere"]).await;
    let ben = app.state.store.moderator("ben".into()).await.unwrap().unwrap();
    let r = app
        .post(json!({"site": "blog", "uri": "/post/", "text": "not mine", "moderator_token": app.state.keys.badge_token("blog", ben.badge())}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    // New tokens revoke the old ones.
    assert!(app.state.store.new_badge("anna".into()).await.unwrap());
    let r = app
        .post(json!({"site": "blog", "uri": "/post/", "text": "old token", "moderator_token": token}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "the old token is dead");
    let anna = app.state.store.moderator("anna".into()).await.unwrap().unwrap();
    let fresh = app.state.keys.badge_token("blog", anna.badge());
    let r = app
        .post(json!({"site": "blog", "uri": "/post/", "text": "new token", "moderator_token": fresh}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
}

#[tokio::test]
async fn the_comment_page_offers_pin_and_close_and_says_what_is_set_in_english_and_german() {
    let app = TestApp::new().await;
    let (top, _) = app.comment("a top-level comment", None).await;
    let (reply, _) = app.comment("a reply", Some(top)).await;
    let admin = moderator(&app).await;
    let page = app
        .admin_get(&admin.cookie, &format!("/admin/comments/{top}"))
        .await
        .text();
    assert!(
        page.contains(&format!("action=\"/admin/comments/{top}/pin\"")),
        "{page}"
    );
    assert!(page.contains(">Pin</button>") && page.contains(">Close</button>"));
    let page = app
        .admin_get(&admin.cookie, &format!("/admin/comments/{reply}"))
        .await
        .text();
    assert!(!page.contains("/pin\""), "a reply offers no pin");
    for (path, field) in [("pin", "pinned"), ("close", "closed")] {
        let r = app
            .admin_post(
                Some(&admin.cookie),
                &format!("/admin/comments/{top}/{path}"),
                &[("csrf", &admin.csrf), (field, "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
    let page = app
        .admin_get(&admin.cookie, &format!("/admin/comments/{top}"))
        .await
        .text();
    assert!(
        page.contains(">Unpin</button>") && page.contains(">Reopen</button>"),
        "{page}"
    );
    let german = app
        .send(
            axum::http::Request::get(format!("/admin/comments/{top}"))
                .header("cookie", &admin.cookie)
                .header("accept-language", "de")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .text();
    assert!(
        german.contains(">Lösen</button>") && german.contains(">Wieder öffnen</button>"),
        "{german}"
    );
    // Without the CSRF token nothing changes.
    let r = app
        .admin_post(
            Some(&admin.cookie),
            &format!("/admin/comments/{top}/pin"),
            &[("pinned", "0")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(app.record(top).await.pinned);
}

#[tokio::test]
async fn the_account_page_shows_a_badge_token_that_works_and_the_site_form_sets_order_and_closing() {
    let app = TestApp::new().await;
    let admin = moderator(&app).await;
    let page = app.admin_get(&admin.cookie, "/admin/account").await.text();
    let token = page
        .split("id=\"badge-blog\"")
        .nth(1)
        .and_then(|rest| rest.split("#riposte-badge=").nth(1))
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let r = app
        .post(json!({"site": "blog", "uri": "/post/", "text": "mine", "moderator_token": token}))
        .await;
    assert_eq!(r.json()["comment"]["moderator"], true);
    // The page's button makes new tokens; the shown one then badges nothing.
    let r = app
        .admin_post(Some(&admin.cookie), "/admin/account/badge", &[("csrf", &admin.csrf)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = app
        .post(json!({"site": "blog", "uri": "/post/", "text": "again", "moderator_token": token}))
        .await;
    assert_eq!(r.json()["comment"]["moderator"], false);
    let r = save_blog(
        &app,
        &admin,
        &[("origins", ORIGIN), ("sort", "newest"), ("close_after_days", "30")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let site = app.state.sites.get("blog").await.unwrap().unwrap();
    assert_eq!((site.sort.as_str(), site.close_after_days), ("newest", Some(30)));
    assert_eq!(app.thread("/post/").await["sort"], "newest");
    for bad in [
        ("sort", "best"),
        ("close_after_days", "0"),
        ("close_after_days", "soon"),
    ] {
        let r = save_blog(&app, &admin, &[bad]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
    }
    let r = save_blog(&app, &admin, &[("origins", ORIGIN), ("close_after_days", "")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.state.sites.get("blog").await.unwrap().unwrap().close_after_days,
        None
    );
}
