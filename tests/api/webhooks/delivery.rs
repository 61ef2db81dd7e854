//! How deliveries end: retried, given up, a hook disabled by 410, private addresses refused, and the
//! binary's own worker.

use super::*;

#[tokio::test]
async fn a_receiver_answering_500_then_200_gets_the_event_again() {
    let rx = Receiver::start().await;
    rx.answer(&[500]);
    let app = TestApp::with(with_hooks(vec![hook(&rx.url, &["comment.created"])], true)).await;
    let w = worker(&app);
    app.comment("Zweimal zugestellt", None).await;
    let items = drain(&app, &w).await;
    let seen = rx.seen();
    assert_eq!(seen.len(), 2, "the 500 was tried again");
    assert_eq!(seen[0].body, seen[1].body, "the same event");
    assert_signed(&seen[1], SECRET);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].state, DeliveryState::Sent);
    assert_eq!(items[0].attempts, 2);
    assert!(
        items[0].last_error.as_deref().unwrap_or("").contains("500"),
        "the 500 stays visible: {:?}",
        items[0].last_error
    );
}

#[tokio::test]
async fn a_429_a_503_and_a_refused_connection_are_retried_and_a_404_is_not() {
    let rx = Receiver::start().await;
    rx.answer(&[429, 503, 404]);
    let app = TestApp::with(with_hooks(vec![hook(&rx.url, &["comment.created"])], true)).await;
    let w = worker(&app);
    app.comment("Dreimal versucht", None).await;
    let items = drain(&app, &w).await;
    assert_eq!(rx.seen().len(), 3);
    assert_eq!(items[0].state, DeliveryState::Failed, "a 404 is not tried again");
    assert_eq!(items[0].attempts, 3);
    assert_eq!(
        items[0].last_error.as_deref(),
        Some("the receiver answered 404 Not Found")
    );
    // Nobody listens on the port of a stopped receiver: connection refused, tried again.
    let gone = Receiver::start().await;
    let url = gone.url.clone();
    drop(gone);
    let sender = riposte::notify::webhook::Sender::new(true).unwrap();
    let body = riposte::domain::notify::webhook_body(riposte::domain::notify::Event::Test, None, now_ms());
    // The aborted server task may take a moment to close its socket: wait for the refusal.
    let deadline = Instant::now() + PATIENCE;
    loop {
        match sender.send(&url, SECRET, &body).await {
            riposte::domain::notify::Attempt::Retry(e) => {
                assert!(e.contains("could not connect"), "{e}");
                break;
            }
            other => assert!(Instant::now() < deadline, "{other:?}"),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let rx = Receiver::start().await;
    rx.answer(&[307]);
    let app = TestApp::with(with_hooks(vec![hook(&rx.url, &["comment.created"])], true)).await;
    let w = worker(&app);
    app.comment("Umgeleitet", None).await;
    let items = drain(&app, &w).await;
    assert_eq!(rx.seen().len(), 1, "one request, no second one anywhere");
    assert_eq!(items[0].state, DeliveryState::Failed);
    assert_eq!(
        items[0].last_error.as_deref(),
        Some("the receiver answered 307 Temporary Redirect (redirects are not followed)")
    );
}

#[tokio::test]
async fn a_410_disables_the_hook_and_later_events_are_not_sent_to_it() {
    let rx = Receiver::start().await;
    rx.answer(&[410; 10]);
    let app = TestApp::with(with_hooks(vec![hook(&rx.url, &[])], true)).await;
    let w = worker(&app);
    app.comment("Niemand hört zu", None).await;
    let items = drain(&app, &w).await;
    assert!(items.iter().all(|i| i.state == DeliveryState::Failed), "{items:#?}");
    let site = riposte::domain::SiteId::parse("blog").unwrap();
    let hooks = app.state.store.webhooks(site.clone()).await.unwrap();
    let why = hooks[0].disabled.as_deref().expect("the hook is disabled");
    assert!(why.contains("410"), "{why}");
    let heard = rx.seen().len();
    assert!(
        (1..=2).contains(&heard),
        "one or both of the two events went out before the 410: {heard}"
    );
    app.comment("Noch einer", None).await;
    app.comment("Und noch einer", None).await;
    let after = drain(&app, &w).await;
    assert_eq!(rx.seen().len(), heard, "nothing more goes to a disabled hook");
    assert_eq!(after.len(), items.len(), "and nothing more is queued for it");
    // The admin page says why.
    app.add_moderator("mod", PASSWORD, &["blog"]).await;
    let admin = app.login("mod", PASSWORD).await;
    let page = app.admin_get(&admin.cookie, "/admin/sites/blog/webhooks").await.text();
    assert!(page.contains("disabled") && page.contains("410 Gone"), "{page}");
}

#[tokio::test]
async fn without_allow_private_a_hook_on_loopback_fails_and_receives_nothing() {
    let rx = Receiver::start().await;
    let hooks = vec![
        hook(&format!("{}/literal", rx.url), &["comment.created"]),
        hook(&format!("http://localhost:{}/name", rx.port), &["comment.created"]),
    ];
    let app = TestApp::with(with_hooks(hooks, false)).await;
    let w = worker(&app);
    app.comment("Bleibt hier", None).await;
    let mut items = drain(&app, &w).await;
    items.sort_by_key(|i| i.id);
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|i| i.state == DeliveryState::Failed), "{items:#?}");
    assert_eq!(
        items[0].last_error.as_deref(),
        Some("refused: 127.0.0.1 resolves to a private address (set webhooks_allow_private = true to allow)")
    );
    assert_eq!(
        items[1].last_error.as_deref(),
        Some("refused: localhost resolves to a private address (set webhooks_allow_private = true to allow)")
    );
    assert!(rx.seen().is_empty(), "{:?}", rx.seen());
    // A name found only through the resolver: this machine's own name, where it resolves to loopback or
    // a private address, is refused by address at connection time.
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap_or_default()
        .trim()
        .to_owned();
    let addrs: Vec<_> = tokio::net::lookup_host((name.as_str(), 0))
        .await
        .map(|a| a.collect())
        .unwrap_or_default();
    if !name.is_empty() && !addrs.is_empty() && addrs.iter().all(|a: &std::net::SocketAddr| a.ip().is_loopback()) {
        let url = format!("http://{name}:{}/resolved", rx.port);
        let body = riposte::domain::notify::webhook_body(riposte::domain::notify::Event::Test, None, now_ms());
        let strict = riposte::notify::webhook::Sender::new(false).unwrap();
        assert_eq!(
            strict.send(&url, SECRET, &body).await,
            riposte::domain::notify::Attempt::Failed(format!(
                "refused: {name} resolves to a private address (set webhooks_allow_private = true to allow)"
            ))
        );
        assert!(rx.seen().is_empty());
        let open = riposte::notify::webhook::Sender::new(true).unwrap();
        assert_eq!(
            open.send(&url, SECRET, &body).await,
            riposte::domain::notify::Attempt::Sent
        );
        assert_eq!(rx.seen()[0].path, "/resolved", "allowed, the same name is reached");
    } else {
        eprintln!("skipped the resolver half: {name:?} resolves to {addrs:?}, not to loopback only");
    }
}

#[tokio::test]
async fn the_binary_delivers_from_its_own_worker_to_a_hook_of_its_config_file() {
    let rx = Receiver::start().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("riposte.toml"),
        format!(
            "webhooks_allow_private = true\n\
             [rate_limits]\ncomments = {{ burst = 100, every_ms = 1 }}\n\
             [[sites]]\nid = \"blog\"\norigins = [\"{ORIGIN}\"]\npow = \"off\"\n\
             [[sites.webhooks]]\nurl = \"{}/bin\"\nsecret = \"{SECRET}\"\nevents = [\"comment.published\"]\n",
            rx.url
        ),
    )
    .unwrap();
    let server = process::start(dir.path());
    let port = server.port;
    let body = json!({"site": "blog", "uri": "/p/", "text": "Vom Binary"}).to_string();
    let (status, answer) = tokio::task::spawn_blocking(move || {
        process::http_with(port, "POST", "/api/v1/comments", &[("Origin", ORIGIN)], Some(&body))
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(status, 201, "{answer}");
    let deadline = Instant::now() + PATIENCE;
    while rx.seen().is_empty() {
        assert!(Instant::now() < deadline, "no event within {PATIENCE:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let got = &rx.seen()[0];
    assert_eq!(got.path, "/bin");
    assert_eq!(got.kind(), "comment.published");
    assert_eq!(got.json()["comment"]["text"], "Vom Binary");
    assert_signed(got, SECRET);
    drop(server);
}
