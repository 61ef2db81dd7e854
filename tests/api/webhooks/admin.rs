//! The admin page of a site's webhooks.

use super::*;

/// The secret on an "added" answer page.
fn shown_secret(page: &str) -> String {
    let at = page
        .find("whsec_")
        .unwrap_or_else(|| panic!("no secret on the page: {page}"));
    page[at..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn the_admin_page_adds_a_hook_sends_a_test_event_and_removes_it() {
    let rx = Receiver::start().await;
    let app = TestApp::with(with_hooks(vec![hook(&format!("{}/config", rx.url), &[])], true)).await;
    let w = worker(&app);
    app.add_moderator("mod", PASSWORD, &["blog"]).await;
    let admin = app.login("mod", PASSWORD).await;
    let site = riposte::domain::SiteId::parse("blog").unwrap();
    let page = app.admin_get(&admin.cookie, "/admin/sites/blog/webhooks").await;
    assert_eq!(page.status, StatusCode::OK);
    let page = page.text();
    assert!(page.contains(&format!("{}/config", rx.url)), "{page}");
    assert!(page.contains("from the configuration file"), "{page}");
    assert!(!page.contains(SECRET), "the list never shows a secret");

    let url = format!("{}/added", rx.url);
    let r = app
        .admin_post(
            Some(&admin.cookie),
            "/admin/sites/blog/webhooks",
            &[("csrf", &admin.csrf), ("url", &url), ("events", "comment.deleted")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let secret = shown_secret(&r.text());
    assert!(secret.len() > 40, "{secret}");
    assert!(r.text().contains("will not be shown again"), "{}", r.text());
    let hooks = app.state.store.webhooks(site.clone()).await.unwrap();
    assert_eq!(hooks.len(), 2);
    let added = hooks.iter().find(|h| !h.from_config).unwrap();
    assert_eq!(added.url, url);
    assert_eq!(added.secret, secret);
    assert_eq!(added.events, [riposte::domain::notify::Event::Deleted]);
    let list = app.admin_get(&admin.cookie, "/admin/sites/blog/webhooks").await.text();
    assert!(list.contains(&url) && list.contains("comment.deleted"), "{list}");
    assert!(
        !list.contains(&secret) && !list.contains("whsec_"),
        "shown once, then never: {list}"
    );
    let audit = app.state.store.audit(i64::MAX).await.unwrap();
    assert!(format!("{audit:?}").contains("webhook-add"), "{audit:?}");

    let hook_id = added.id.to_string();
    let r = app
        .admin_post(
            Some(&admin.cookie),
            "/admin/sites/blog/webhooks/test",
            &[("csrf", &admin.csrf), ("hook", &hook_id)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    drain(&app, &w).await;
    let seen = rx.seen();
    assert_eq!(seen.len(), 1, "the test event goes to that hook only: {seen:?}");
    assert_eq!(seen[0].path, "/added");
    assert_eq!(seen[0].kind(), "test");
    assert_eq!(seen[0].header("x-riposte-event"), "test");
    assert!(seen[0].json().get("comment").is_none());
    assert_signed(&seen[0], &secret);

    let r = app
        .admin_post(
            Some(&admin.cookie),
            "/admin/sites/blog/webhooks/remove",
            &[("csrf", &admin.csrf), ("hook", &hook_id)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let hooks = app.state.store.webhooks(site.clone()).await.unwrap();
    assert_eq!(hooks.len(), 1);
    assert!(hooks[0].from_config);
    // The configuration file's hook stays: the page says where it is removed.
    let config_id = hooks[0].id.to_string();
    let r = app
        .admin_post(
            Some(&admin.cookie),
            "/admin/sites/blog/webhooks/remove",
            &[("csrf", &admin.csrf), ("hook", &config_id)],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("configuration file"), "{}", r.text());
    assert_eq!(app.state.store.webhooks(site).await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_admin_page_refuses_bad_urls_and_events_and_changes_nothing() {
    let app = TestApp::with(with_hooks(Vec::new(), false)).await;
    app.add_moderator("mod", PASSWORD, &["blog"]).await;
    let admin = app.login("mod", PASSWORD).await;
    let site = riposte::domain::SiteId::parse("blog").unwrap();
    let long = format!("https://hooks.example/{}", "a".repeat(3000));
    for (fields, says) in [
        (vec![("url", "")], "give the URL"),
        (vec![("url", "not a url")], "not a usable URL"),
        (vec![("url", "ftp://hooks.example/in")], "http or https"),
        (vec![("url", "javascript:alert(1)")], "http or https"),
        (
            vec![("url", "https://user:pass@hooks.example/")],
            "user name or password",
        ),
        (vec![("url", "http://127.0.0.1:9/")], "webhooks_allow_private = true"),
        (vec![("url", "http://[::1]/")], "private address"),
        (vec![("url", "http://localhost/")], "private address"),
        (
            vec![("url", "http://169.254.169.254/latest/meta-data")],
            "private address",
        ),
        (vec![("url", long.as_str())], "at most"),
        (
            vec![("url", "https://hooks.example/in"), ("events", "comment.exploded")],
            "each must be one of",
        ),
        (
            vec![("url", "https://hooks.example/in"), ("events", "test")],
            "each must be one of",
        ),
    ] {
        let mut form = vec![("csrf", admin.csrf.as_str())];
        form.extend(fields.iter().copied());
        let r = app
            .admin_post(Some(&admin.cookie), "/admin/sites/blog/webhooks", &form)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}: {}", r.text());
        assert!(r.text().contains(says), "{fields:?}: {}", r.text());
        assert!(!r.text().contains("whsec_"));
    }
    assert!(app.state.store.webhooks(site.clone()).await.unwrap().is_empty());
    // A public address is taken (nothing is sent to it here).
    let r = app
        .admin_post(
            Some(&admin.cookie),
            "/admin/sites/blog/webhooks",
            &[("csrf", &admin.csrf), ("url", "https://hooks.example/in")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let hooks = app.state.store.webhooks(site).await.unwrap();
    assert_eq!(hooks.len(), 1);
    assert!(hooks[0].events.is_empty(), "none checked: every comment event");
    // Unknown hooks are 404, and nothing is queued for them.
    for path in ["/admin/sites/blog/webhooks/test", "/admin/sites/blog/webhooks/remove"] {
        for id in ["999", "x", ""] {
            let r = app
                .admin_post(Some(&admin.cookie), path, &[("csrf", &admin.csrf), ("hook", id)])
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path} {id}");
        }
    }
    assert!(outbox(&app).await.is_empty());
}

#[tokio::test]
async fn a_moderator_of_another_site_gets_404() {
    let mut c = with_hooks(vec![hook("https://hooks.example/in", &[])], true);
    let mut other: SiteConfig = c.sites[0].clone();
    other.id = "other".into();
    other.webhooks = Vec::new();
    c.sites.push(other);
    let app = TestApp::with(c).await;
    app.add_moderator("otto", PASSWORD, &["other"]).await;
    let otto = app.login("otto", PASSWORD).await;
    let blog = riposte::domain::SiteId::parse("blog").unwrap();
    let before = app.state.store.webhooks(blog.clone()).await.unwrap();
    let id = before[0].id.to_string();
    assert_eq!(
        app.admin_get(&otto.cookie, "/admin/sites/other/webhooks").await.status,
        StatusCode::OK,
        "their own site"
    );
    let r = app.admin_get(&otto.cookie, "/admin/sites/blog/webhooks").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.text().contains("hooks.example"));
    assert_eq!(
        app.admin_get(&otto.cookie, "/admin/sites/nowhere/webhooks")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    for (path, fields) in [
        ("/admin/sites/blog/webhooks", vec![("url", "https://evil.example/")]),
        ("/admin/sites/blog/webhooks/test", vec![("hook", id.as_str())]),
        ("/admin/sites/blog/webhooks/remove", vec![("hook", id.as_str())]),
        // Another site's hook through one's own site's address.
        ("/admin/sites/other/webhooks/remove", vec![("hook", id.as_str())]),
        ("/admin/sites/other/webhooks/test", vec![("hook", id.as_str())]),
    ] {
        let mut form = vec![("csrf", otto.csrf.as_str())];
        form.extend(fields.iter().copied());
        let r = app.admin_post(Some(&otto.cookie), path, &form).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(app.state.store.webhooks(blog).await.unwrap(), before);
    assert!(outbox(&app).await.is_empty(), "no test event was queued");
}
