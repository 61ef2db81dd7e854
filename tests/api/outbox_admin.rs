//! The admin pages of notifications, through the real router: the outbox (per site, filtered by state,
//! "Retry now"), the moderator's address, and the sites' `notify` and `language` settings.

use axum::http::StatusCode;
use riposte::domain::Moderation;
use riposte::domain::notify::{Attempt, DeliveryState, Job, Language, NotifyMode, Retries};
use riposte::domain::time::now_ms;
use serde_json::json;

use crate::helpers::smtp::with_mail;
use crate::helpers::{ORIGIN, TestApp, config};
use crate::mail_links::held;

const PASSWORD: &str = "a long enough password";

/// `blog` and `shop`, both holding every comment, mail on; `anna` moderates both, `bea` only `blog`, both
/// with addresses. One comment on each site, so each site has mails in the outbox. Returns the comments.
async fn two_sites() -> (TestApp, i64, i64) {
    let mut c = with_mail(config());
    c.sites[0].moderation = Moderation::All;
    c.sites.push(crate::helpers::site("shop", ORIGIN, Moderation::All));
    let app = TestApp::with(c).await;
    app.add_moderator_mailed("anna", PASSWORD, &[], Some("anna@example.org"))
        .await;
    app.add_moderator_mailed("bea", PASSWORD, &["blog"], Some("bea@example.org"))
        .await;
    let blog = held(&app, json!({"site": "blog", "uri": "/post/", "text": "Im Blog"})).await;
    let shop = held(&app, json!({"site": "shop", "uri": "/p/", "text": "Im Laden"})).await;
    (app, blog, shop)
}

/// The outbox message about `comment` to `to`.
async fn message(app: &TestApp, comment: i64, to: &str) -> i64 {
    let items = app.state.store.outbox(None, None, 1000).await.unwrap();
    items
        .iter()
        .find(|i| matches!(&i.job, Job::Moderator { to: r, comment: c, .. } if r.email == to && c.id == comment))
        .unwrap_or_else(|| panic!("no mail about {comment} to {to}: {items:?}"))
        .id
}

async fn state_of(app: &TestApp, id: i64) -> (DeliveryState, i64) {
    let items = app.state.store.outbox(None, None, 1000).await.unwrap();
    let item = items.into_iter().find(|i| i.id == id).unwrap();
    (item.state, item.attempts)
}

fn shows(page: &str, id: i64) -> bool {
    page.contains(&format!("id=\"message-{id}\""))
}

#[tokio::test]
async fn the_outbox_shows_the_messages_of_the_moderators_sites_only() {
    let (app, blog, shop) = two_sites().await;
    let to_bea = message(&app, blog, "bea@example.org").await;
    let blog_to_anna = message(&app, blog, "anna@example.org").await;
    let shop_to_anna = message(&app, shop, "anna@example.org").await;

    let bea = app.login("bea", PASSWORD).await;
    let page = app.admin_get(&bea.cookie, "/admin/outbox").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let page = page.text();
    assert!(page.contains("Mail is on"), "{page}");
    assert!(shows(&page, to_bea) && shows(&page, blog_to_anna), "{page}");
    assert!(
        !shows(&page, shop_to_anna),
        "a moderator of blog sees nothing of shop: {page}"
    );
    assert!(page.contains("bea@example.org"), "the target: {page}");
    assert!(
        page.contains(&format!("comment #{blog} (pending)")),
        "what it is: {page}"
    );
    assert!(
        page.contains("href=\"/admin/outbox\""),
        "the nav links the outbox: {page}"
    );

    let anna = app.login("anna", PASSWORD).await;
    let page = app.admin_get(&anna.cookie, "/admin/outbox").await.text();
    assert!(
        shows(&page, to_bea) && shows(&page, blog_to_anna) && shows(&page, shop_to_anna),
        "{page}"
    );
}

#[tokio::test]
async fn the_filter_shows_one_state_and_retry_now_queues_a_failed_message_again() {
    let (app, blog, shop) = two_sites().await;
    let failed = message(&app, blog, "bea@example.org").await;
    let queued = message(&app, blog, "anna@example.org").await;
    let other_site = message(&app, shop, "anna@example.org").await;
    let store = &app.state.store;
    for id in [failed, other_site] {
        store
            .finish_outbox(
                id,
                Attempt::Failed("550 5.1.1 <bea@example.org>: mailbox <unavailable>".into()),
                Retries::default(),
                now_ms(),
            )
            .await
            .unwrap();
    }
    assert_eq!(state_of(&app, failed).await, (DeliveryState::Failed, 1));

    let bea = app.login("bea", PASSWORD).await;
    let page = app.admin_get(&bea.cookie, "/admin/outbox?state=failed").await;
    assert_eq!(page.status, StatusCode::OK);
    let page = page.text();
    assert!(shows(&page, failed) && !shows(&page, queued), "{page}");
    assert!(
        page.contains("550 5.1.1 &#60;bea@example.org&#62;: mailbox &#60;unavailable&#62;"),
        "the last error, escaped: {page}"
    );
    assert!(
        page.contains(&format!("name=\"id\" value=\"{failed}\"")),
        "a checkbox: {page}"
    );
    assert!(page.contains("<option value=\"failed\" selected>"), "{page}");
    let page = app.admin_get(&bea.cookie, "/admin/outbox?state=queued").await.text();
    assert!(shows(&page, queued) && !shows(&page, failed), "{page}");
    assert!(
        !page.contains("name=\"id\""),
        "queued messages cannot be retried: {page}"
    );
    let page = app.admin_get(&bea.cookie, "/admin/outbox?state=sent").await.text();
    assert!(page.contains("No messages."), "{page}");
    let bad = app.admin_get(&bea.cookie, "/admin/outbox?state=lost").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // Without the CSRF token, or with a bad id: nothing changes.
    let id = failed.to_string();
    let r = app
        .admin_post(Some(&bea.cookie), "/admin/outbox/retry", &[("id", &id)])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .admin_post(
            Some(&bea.cookie),
            "/admin/outbox/retry",
            &[("csrf", &bea.csrf), ("id", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .admin_post(Some(&bea.cookie), "/admin/outbox/retry", &[("csrf", &bea.csrf)])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(state_of(&app, failed).await, (DeliveryState::Failed, 1));

    // Bea's retry of both: her site's message only.
    let other = other_site.to_string();
    let r = app
        .admin_post(
            Some(&bea.cookie),
            "/admin/outbox/retry",
            &[("csrf", &bea.csrf), ("id", &id), ("id", &other)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.headers["location"], "/admin/outbox?done=1");
    assert_eq!(state_of(&app, failed).await, (DeliveryState::Queued, 0));
    assert_eq!(state_of(&app, other_site).await, (DeliveryState::Failed, 1));
}

#[tokio::test]
async fn the_outbox_says_when_mail_is_off() {
    let app = TestApp::new().await;
    app.add_moderator("anna", PASSWORD, &[]).await;
    let anna = app.login("anna", PASSWORD).await;
    let page = app.admin_get(&anna.cookie, "/admin/outbox").await.text();
    assert!(page.contains("Mail is off"), "{page}");
}

#[tokio::test]
async fn the_account_page_sets_and_clears_the_address_and_refuses_a_bad_one() {
    let app = TestApp::new().await;
    app.add_moderator("anna", PASSWORD, &[]).await;
    let anna = app.login("anna", PASSWORD).await;
    let email = || async { app.state.store.moderator("anna".into()).await.unwrap().unwrap().email };
    let page = app.admin_get(&anna.cookie, "/admin/account").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text().contains("name=\"email\" type=\"email\" value=\"\""),
        "{}",
        page.text()
    );
    assert!(page.text().contains("href=\"/admin/account\""), "the nav links it");

    let r = app
        .admin_post(Some(&anna.cookie), "/admin/account", &[("email", "anna@example.org")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no CSRF token");
    assert_eq!(email().await, None);

    let set = [("csrf", anna.csrf.as_str()), ("email", " anna@example.org ")];
    let r = app.admin_post(Some(&anna.cookie), "/admin/account", &set).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(email().await.as_deref(), Some("anna@example.org"));
    let page = app.admin_get(&anna.cookie, "/admin/account?done=1").await.text();
    assert!(page.contains("value=\"anna@example.org\""), "{page}");

    for bad in [
        "anna",
        "anna@example.org\r\nBcc: x@y.example",
        "Anna <anna@example.org>",
    ] {
        let r = app
            .admin_post(
                Some(&anna.cookie),
                "/admin/account",
                &[("csrf", &anna.csrf), ("email", bad)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        assert!(r.text().contains("role=\"alert\""), "{}", r.text());
        assert!(
            !r.text().contains("<anna@"),
            "the input comes back escaped: {}",
            r.text()
        );
        assert_eq!(
            email().await.as_deref(),
            Some("anna@example.org"),
            "{bad:?} changed nothing"
        );
    }

    let clear = [("csrf", anna.csrf.as_str()), ("email", "")];
    let r = app.admin_post(Some(&anna.cookie), "/admin/account", &clear).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(email().await, None);
}

#[tokio::test]
async fn the_sites_form_shows_and_saves_notify_and_language() {
    let app = TestApp::new().await;
    app.add_moderator("anna", PASSWORD, &[]).await;
    let anna = app.login("anna", PASSWORD).await;
    let page = app.admin_get(&anna.cookie, "/admin/sites").await.text();
    assert!(page.contains("<option value=\"pending\" selected>"), "{page}");
    assert!(page.contains("<option value=\"en\" selected>"), "{page}");
    let form = [
        ("csrf", anna.csrf.as_str()),
        ("id", "blog"),
        ("name", "Ein Blog"),
        ("origins", ORIGIN),
        ("moderation", "none"),
        ("max_links", "3"),
        ("pow", "off"),
        ("blocked_words", ""),
        ("notify", "digest-daily"),
        ("language", "de"),
    ];
    let r = app.admin_post(Some(&anna.cookie), "/admin/sites", &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let site = app.state.sites.get("blog").await.unwrap().unwrap();
    assert_eq!(
        (site.notify, site.language),
        (NotifyMode::DigestDaily, Language::parse("de").unwrap())
    );
    let page = app.admin_get(&anna.cookie, "/admin/sites").await.text();
    assert!(page.contains("<option value=\"digest-daily\" selected>"), "{page}");
    assert!(page.contains("<option value=\"de\" selected>"), "{page}");

    let mut bad = form;
    bad[8] = ("notify", "weekly");
    let r = app.admin_post(Some(&anna.cookie), "/admin/sites", &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let site = app.state.sites.get("blog").await.unwrap().unwrap();
    assert_eq!(site.notify, NotifyMode::DigestDaily);
}
