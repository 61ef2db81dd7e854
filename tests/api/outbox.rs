//! The outbox: which changes queue which messages (in the change's own transaction), how claims,
//! retries, give-ups and refusals move them, digests, and what an erasure takes with it. Read through
//! the store's public API; delivery itself is tested in `mail`, `webhooks` and `notify_delivery`.

use riposte::config::Config;
use riposte::domain::Moderation;
use riposte::domain::notify::{Attempt, DeliveryState, Job, NotifyMode, OutboxItem, Retries};
use riposte::domain::time::now_ms;
use serde_json::json;

use crate::helpers::{TestApp, config};

/// `blog` with this moderation and notify mode, and mail on.
fn mailing(moderation: Moderation, notify: NotifyMode) -> Config {
    let mut c = config();
    c.sites[0].moderation = moderation;
    c.sites[0].notify = notify;
    crate::helpers::smtp::with_mail(c)
}

async fn outbox(app: &TestApp) -> Vec<OutboxItem> {
    let mut all = app.state.store.outbox(None, None, 1000).await.unwrap();
    all.reverse();
    all
}

fn targets(items: &[OutboxItem]) -> Vec<&str> {
    items.iter().map(|i| i.job.target()).collect()
}

/// Presses the confirmation a `Confirm` job links to; returns the subscription and its creation time.
async fn confirm(app: &TestApp, job: &Job) -> (i64, i64) {
    let Job::Confirm {
        subscription, created, ..
    } = *job
    else {
        panic!("not a confirmation: {job:?}")
    };
    assert!(
        app.state
            .store
            .confirm_subscription(subscription, created, now_ms())
            .await
            .unwrap()
    );
    (subscription, created)
}

async fn post(app: &TestApp, body: serde_json::Value) -> i64 {
    let r = app.post(body).await;
    assert!(r.status.is_success(), "{}", r.text());
    r.json()["comment"]["id"].as_i64().unwrap()
}

async fn with_moderators(config: Config) -> TestApp {
    let app = TestApp::with(config).await;
    app.add_moderator_mailed("anna", "a long password 1", &["blog"], Some("anna@blog.example"))
        .await;
    app.add_moderator_mailed("ben", "a long password 2", &[], Some("ben@ops.example"))
        .await;
    app.add_moderator("carla", "a long password 3", &["blog"]).await;
    app
}

#[tokio::test]
async fn a_held_comment_queues_one_mail_per_moderator_with_an_address() {
    let app = with_moderators(mailing(Moderation::All, NotifyMode::Pending)).await;
    let id = post(
        &app,
        json!({"site": "blog", "uri": "/post/", "text": "Wartet auf Freigabe", "author": "Dora"}),
    )
    .await;
    let items = outbox(&app).await;
    assert_eq!(
        targets(&items),
        ["anna@blog.example", "ben@ops.example"],
        "carla has no address"
    );
    for item in &items {
        assert_eq!(item.state, DeliveryState::Queued);
        assert_eq!(item.site.as_deref(), Some("blog"));
        let Job::Moderator { comment, .. } = &item.job else {
            panic!("{:?}", item.job)
        };
        assert_eq!(comment.id, id);
        assert_eq!(comment.status, "pending");
        assert_eq!(comment.author.as_deref(), Some("Dora"));
        assert_eq!(comment.text, "Wartet auf Freigabe");
    }
}

#[tokio::test]
async fn notify_decides_which_comments_are_mailed() {
    // pending: published comments are not mailed.
    let app = with_moderators(mailing(Moderation::None, NotifyMode::Pending)).await;
    post(
        &app,
        json!({"site": "blog", "uri": "/post/", "text": "Sofort sichtbar"}),
    )
    .await;
    assert!(outbox(&app).await.is_empty());
    // all: they are.
    let app = with_moderators(mailing(Moderation::None, NotifyMode::All)).await;
    post(
        &app,
        json!({"site": "blog", "uri": "/post/", "text": "Sofort sichtbar"}),
    )
    .await;
    assert_eq!(outbox(&app).await.len(), 2);
    // off, and the digests: nothing at once.
    for mode in [NotifyMode::Off, NotifyMode::DigestDaily] {
        let app = with_moderators(mailing(Moderation::All, mode)).await;
        post(&app, json!({"site": "blog", "uri": "/post/", "text": "Wartet"})).await;
        assert!(outbox(&app).await.is_empty(), "{mode:?}");
    }
    // Spam waits in its folder unannounced.
    let app = with_moderators(mailing(Moderation::None, NotifyMode::All)).await;
    post(
        &app,
        json!({"site": "blog", "uri": "/post/", "text": "Falle", "honeypot": "http://spam.example"}),
    )
    .await;
    assert!(outbox(&app).await.is_empty());
}

#[tokio::test]
async fn without_smtp_no_mail_is_queued_and_no_subscription_taken() {
    let mut c = config();
    c.sites[0].moderation = Moderation::All;
    let app = with_moderators(c).await;
    assert!(!app.state.store.mail_on());
    post(
        &app,
        json!({"site": "blog", "uri": "/post/", "text": "Still", "email": "leser@blog.example", "notify": true}),
    )
    .await;
    assert!(outbox(&app).await.is_empty());
    assert!(app.state.store.subscription(1).await.unwrap().is_none());
    assert_eq!(app.thread("/post/").await["notify"], false);
}

#[tokio::test]
async fn notify_needs_an_email_and_a_known_value() {
    let app = TestApp::with(mailing(Moderation::None, NotifyMode::Pending)).await;
    for (body, field) in [
        (
            json!({"site": "blog", "uri": "/p/", "text": "x", "notify": true}),
            "notify",
        ),
        (
            json!({"site": "blog", "uri": "/p/", "text": "x", "email": "a@b.example", "notify": "weekly"}),
            "notify",
        ),
    ] {
        let r = app.post(body).await;
        assert_eq!(r.status, 422, "{}", r.text());
        assert_eq!(r.json()["error"]["field"], field, "{}", r.text());
    }
    assert_eq!(app.stored_comments().await, 0);
    assert_eq!(app.thread("/p/").await["notify"], true);
}

#[tokio::test]
async fn claims_hold_a_message_and_retries_back_off_until_they_give_up() {
    let app = with_moderators(mailing(Moderation::All, NotifyMode::Pending)).await;
    post(&app, json!({"site": "blog", "uri": "/post/", "text": "Wartet"})).await;
    let store = &app.state.store;
    let now = now_ms();
    let claimed = store.claim_outbox(now, 10).await.unwrap();
    assert_eq!(claimed.len(), 2);
    assert!(
        store.claim_outbox(now, 10).await.unwrap().is_empty(),
        "held by the first claim"
    );
    let retries = Retries {
        first_retry_ms: 1_000,
        give_up_ms: 5_000,
    };
    let id = claimed[0].id;
    let created = claimed[0].created;
    store
        .finish_outbox(id, Attempt::Retry("connection refused".into()), retries, created)
        .await
        .unwrap();
    let item = |items: Vec<OutboxItem>| items.into_iter().find(|i| i.id == id).unwrap();
    let after_one = item(outbox(&app).await);
    assert_eq!(after_one.state, DeliveryState::Retrying);
    assert_eq!(after_one.attempts, 1);
    assert_eq!(after_one.next_at, created + 1_000);
    assert_eq!(after_one.last_error.as_deref(), Some("connection refused"));
    // Not due before its time; due after.
    assert!(
        store
            .claim_outbox(created + 999, 10)
            .await
            .unwrap()
            .iter()
            .all(|i| i.id != id)
    );
    assert_eq!(store.claim_outbox(created + 1_000, 10).await.unwrap()[0].id, id);
    store
        .finish_outbox(id, Attempt::Retry("still down".into()), retries, created + 1_000)
        .await
        .unwrap();
    assert_eq!(item(outbox(&app).await).next_at, created + 3_000, "the wait doubles");
    store
        .finish_outbox(id, Attempt::Retry("down".into()), retries, created + 3_000)
        .await
        .unwrap();
    // 3 s + 4 s would be past the 5 s limit: given up.
    let failed = item(outbox(&app).await);
    assert_eq!(failed.state, DeliveryState::Failed);
    assert_eq!(failed.attempts, 3);
    assert_eq!(failed.last_error.as_deref(), Some("gave up: down"));
    // Retry now: queued again, from scratch.
    let later = created + 60_000;
    assert_eq!(store.retry_outbox(None, vec![id], later).await.unwrap(), 1);
    let again = item(outbox(&app).await);
    assert_eq!(
        (again.state, again.attempts, again.next_at),
        (DeliveryState::Queued, 0, later)
    );
    // A sent message stays sent.
    store.finish_outbox(id, Attempt::Sent, retries, later).await.unwrap();
    let sent = item(outbox(&app).await);
    assert_eq!((sent.state, sent.sent_at), (DeliveryState::Sent, Some(later)));
    assert_eq!(store.retry_outbox(None, vec![id], later).await.unwrap(), 0);
    assert_eq!(
        store.outbox_next_due().await.unwrap(),
        Some(now + riposte::domain::notify::CLAIM_MS)
    );
}

#[tokio::test]
async fn a_hard_bounce_stops_mail_to_that_address() {
    let app = with_moderators(mailing(Moderation::All, NotifyMode::Pending)).await;
    post(&app, json!({"site": "blog", "uri": "/post/", "text": "Eins"})).await;
    post(&app, json!({"site": "blog", "uri": "/post/", "text": "Zwei"})).await;
    let store = &app.state.store;
    let anna = outbox(&app)
        .await
        .into_iter()
        .find(|i| i.job.target() == "anna@blog.example")
        .unwrap();
    store
        .finish_outbox(
            anna.id,
            Attempt::Refused("550 5.1.1 mailbox unavailable".into()),
            Retries::default(),
            now_ms(),
        )
        .await
        .unwrap();
    let items = outbox(&app).await;
    let to_anna: Vec<_> = items.iter().filter(|i| i.job.target() == "anna@blog.example").collect();
    assert_eq!(to_anna.len(), 2);
    assert!(to_anna.iter().all(|i| i.state == DeliveryState::Failed), "{to_anna:?}");
    assert!(
        to_anna[1]
            .last_error
            .as_deref()
            .unwrap()
            .contains("refused an earlier message"),
        "{to_anna:?}"
    );
    // Nothing new is queued for anna; ben still hears.
    post(&app, json!({"site": "blog", "uri": "/post/", "text": "Drei"})).await;
    let newest = outbox(&app).await.pop().unwrap();
    assert_eq!(newest.job.target(), "ben@ops.example");
    assert_eq!(outbox(&app).await.len(), 5);
}

#[tokio::test]
async fn digests_gather_what_came_since_the_last_one() {
    let app = with_moderators(mailing(Moderation::All, NotifyMode::DigestHourly)).await;
    let store = &app.state.store;
    let start = now_ms() - 10 * 3_600_000;
    // The first look starts the clock.
    assert_eq!(store.queue_digests(start).await.unwrap(), 0);
    let a = app.store_comment("/a/", None, start + 1_000).await;
    let b = app.store_comment("/b/", None, start + 2_000).await;
    assert_eq!(
        store.queue_digests(start + 1_800_000).await.unwrap(),
        0,
        "not an hour yet"
    );
    assert_eq!(
        store.queue_digests(start + 3_600_000).await.unwrap(),
        2,
        "one per moderator"
    );
    let items = outbox(&app).await;
    let Job::Digest { comments, since, .. } = &items[0].job else {
        panic!("{:?}", items[0].job)
    };
    assert_eq!(*since, start);
    assert_eq!(comments.iter().map(|c| c.id).collect::<Vec<_>>(), [a.id, b.id]);
    // Nothing new: no digest.
    assert_eq!(store.queue_digests(start + 7_200_000).await.unwrap(), 0);
    app.store_comment("/a/", None, start + 7_300_000).await;
    assert_eq!(store.queue_digests(start + 10_800_000).await.unwrap(), 2);
    let Job::Digest { comments, .. } = &outbox(&app).await.pop().unwrap().job else {
        panic!()
    };
    assert_eq!(comments.len(), 1);
}

#[tokio::test]
async fn a_confirmed_address_counts_as_a_returning_commenter() {
    let app = TestApp::with(mailing(Moderation::FirstTime, NotifyMode::Off)).await;
    let body =
        json!({"site": "blog", "uri": "/post/", "text": "Erstes Mal", "email": "Leser@Blog.example", "notify": true});
    let r = app.post(body).await;
    assert_eq!(r.status, 202, "first time: held");
    let items = outbox(&app).await;
    assert_eq!(items.len(), 1);
    let Job::Confirm {
        subscription, created, ..
    } = items[0].job
    else {
        panic!("{:?}", items[0].job)
    };
    assert_eq!(items[0].job.target(), "Leser@Blog.example");
    // A second comment within a day asks no second time.
    let r = app
        .post(json!({"site": "blog", "uri": "/other/", "text": "Noch mal", "email": "leser@blog.example", "notify": "page"}))
        .await;
    assert_eq!(r.status, 202);
    assert_eq!(outbox(&app).await.len(), 1);
    assert!(
        app.state
            .store
            .confirm_subscription(subscription, created, now_ms())
            .await
            .unwrap()
    );
    assert!(
        !app.state
            .store
            .confirm_subscription(subscription, created + 1, now_ms())
            .await
            .unwrap(),
        "the moment is part of the link"
    );
    let s = app.state.store.subscription(subscription).await.unwrap().unwrap();
    assert!(s.confirmed.is_some());
    // Now the address is verified: published at once.
    let r = app
        .post(json!({"site": "blog", "uri": "/post/", "text": "Wieder da", "email": "LESER@blog.example"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
}

#[tokio::test]
async fn a_moderators_address_never_vouches_for_a_typed_comment() {
    let app = TestApp::with(mailing(Moderation::FirstTime, NotifyMode::Off)).await;
    let r = app
        .post(
            json!({"site": "blog", "uri": "/p/", "text": "Ich bin es", "email": "owner@blog.example", "notify": true}),
        )
        .await;
    assert_eq!(r.status, 202);
    confirm(&app, &outbox(&app).await[0].job).await;
    // The owner's public address becomes a moderator's: typing it no longer publishes anything.
    app.add_moderator_mailed("owner", "a long password 1", &["blog"], Some("Owner@blog.example"))
        .await;
    let r = app
        .post(json!({"site": "blog", "uri": "/p/", "text": "Angeblich der Inhaber", "email": "owner@blog.example"}))
        .await;
    assert_eq!(r.status, 202, "{}", r.text());
}

#[tokio::test]
async fn subscribers_hear_of_published_replies_once_and_never_of_their_own() {
    let app = TestApp::with(mailing(Moderation::None, NotifyMode::Off)).await;
    let asked = post(
        &app,
        json!({"site": "blog", "uri": "/post/", "text": "Frage", "email": "frager@blog.example", "notify": true}),
    )
    .await;
    post(
        &app,
        json!({"site": "blog", "uri": "/post/", "text": "Alles", "email": "leser@blog.example", "notify": "page"}),
    )
    .await;
    // Nothing but the two confirmations before anyone confirmed.
    post(
        &app,
        json!({"site": "blog", "uri": "/post/", "text": "Antwort", "parent": asked}),
    )
    .await;
    let confirms: Vec<_> = outbox(&app).await;
    assert_eq!(confirms.len(), 2);
    for item in &confirms {
        confirm(&app, &item.job).await;
    }
    let reply = post(
        &app,
        json!({"site": "blog", "uri": "/post/", "text": "Zweite Antwort", "parent": asked, "email": "leser@blog.example"}),
    )
    .await;
    let new: Vec<_> = outbox(&app).await.into_iter().skip(2).collect();
    assert_eq!(
        targets(&new),
        ["frager@blog.example"],
        "the page subscriber wrote it herself"
    );
    let Job::Reply { comment, scope, .. } = &new[0].job else {
        panic!("{:?}", new[0].job)
    };
    assert_eq!(
        (comment.id, *scope),
        (reply, riposte::domain::notify::SubscriptionScope::Replies)
    );
    // A new top-level comment: only the page subscriber hears.
    post(&app, json!({"site": "blog", "uri": "/post/", "text": "Neu"})).await;
    let newest = outbox(&app).await.pop().unwrap();
    assert_eq!(newest.job.target(), "leser@blog.example");
}

#[tokio::test]
async fn an_erasure_takes_the_addresses_messages_and_subscriptions_with_it() {
    let app = with_moderators(mailing(Moderation::All, NotifyMode::Pending)).await;
    post(
        &app,
        json!({"site": "blog", "uri": "/post/", "text": "Bitte löschen", "email": "weg@blog.example", "notify": true}),
    )
    .await;
    assert_eq!(outbox(&app).await.len(), 3, "two moderators and the confirmation");
    let export = app.state.store.export("WEG@blog.example".into()).await.unwrap();
    assert_eq!(export.subscriptions.len(), 1);
    assert_eq!(
        (
            export.subscriptions[0].scope.as_str(),
            export.subscriptions[0].confirmed.as_deref()
        ),
        ("replies", None)
    );
    let erased = app
        .state
        .store
        .erase("weg@blog.example".into(), "anna".into(), now_ms())
        .await
        .unwrap();
    assert_eq!(erased, 1);
    assert!(
        outbox(&app).await.is_empty(),
        "the moderators' mails quoted the comment"
    );
    assert!(app.state.store.subscription(1).await.unwrap().is_none());
    assert!(
        app.state
            .store
            .export("weg@blog.example".into())
            .await
            .unwrap()
            .subscriptions
            .is_empty()
    );
}

#[tokio::test]
async fn a_confirmed_address_cannot_be_subscribed_by_someone_else_nor_again_after_an_unsubscribe() {
    let app = TestApp::with(mailing(Moderation::None, NotifyMode::Off)).await;
    let store = &app.state.store;
    let mine = post(
        &app,
        json!({"site": "blog", "uri": "/a/", "text": "Meins", "email": "opfer@blog.example", "notify": true}),
    )
    .await;
    let (subscription, created) = confirm(&app, &outbox(&app).await[0].job).await;
    // A stranger types the confirmed address under a busy page, asking for every comment there: the
    // subscription waits for its own confirmation (none is sent again within the day).
    post(
        &app,
        json!({"site": "blog", "uri": "/busy/", "text": "Fremd", "email": "opfer@blog.example", "notify": "page"}),
    )
    .await;
    let queued = outbox(&app).await.len();
    post(&app, json!({"site": "blog", "uri": "/busy/", "text": "Lärm"})).await;
    assert_eq!(
        outbox(&app).await.len(),
        queued,
        "nothing mailed for an unconfirmed subscription"
    );
    // The owner's own subscription works, until it is ended; a new one after that needs a new opt-in.
    post(
        &app,
        json!({"site": "blog", "uri": "/a/", "text": "Antwort", "parent": mine}),
    )
    .await;
    assert_eq!(outbox(&app).await.len(), queued + 1);
    assert!(store.unsubscribe(subscription, created).await.unwrap());
    post(
        &app,
        json!({"site": "blog", "uri": "/a/", "text": "Nochmal", "email": "opfer@blog.example", "notify": true, "parent": mine}),
    )
    .await;
    let before = outbox(&app).await.len();
    post(
        &app,
        json!({"site": "blog", "uri": "/a/", "text": "Antwort zwei", "parent": mine}),
    )
    .await;
    assert_eq!(outbox(&app).await.len(), before, "unsubscribed means no more mail");
}

#[tokio::test]
async fn the_browser_of_a_published_comment_with_the_address_skips_the_opt_in() {
    let app = TestApp::with(mailing(Moderation::None, NotifyMode::Off)).await;
    let r = app
        .post(json!({"site": "blog", "uri": "/a/", "text": "Erster", "email": "leserin@blog.example"}))
        .await;
    let token = r.json()["author_token"].as_str().unwrap().to_owned();
    let first = r.json()["comment"]["id"].as_i64().unwrap();
    // Someone else's token does not vouch for this address.
    let other = app
        .post(json!({"site": "blog", "uri": "/a/", "text": "Anders", "email": "anders@blog.example"}))
        .await;
    let other_token = other.json()["author_token"].as_str().unwrap().to_owned();
    post(
        &app,
        json!({"site": "blog", "uri": "/a/", "text": "Mit fremdem", "email": "leserin@blog.example",
               "notify": true, "author_token": other_token}),
    )
    .await;
    assert!(
        matches!(outbox(&app).await.last().unwrap().job, Job::Confirm { .. }),
        "a confirmation is asked"
    );
    let own = post(
        &app,
        json!({"site": "blog", "uri": "/a/", "text": "Mit eigenem", "email": "leserin@blog.example",
               "notify": true, "author_token": token, "parent": first}),
    )
    .await;
    let queued = outbox(&app).await.len();
    post(
        &app,
        json!({"site": "blog", "uri": "/a/", "text": "Antwort", "parent": own}),
    )
    .await;
    let newest = outbox(&app).await;
    assert_eq!(newest.len(), queued + 1);
    assert!(
        matches!(newest.last().unwrap().job, Job::Reply { .. }),
        "subscribed at once"
    );
}

#[tokio::test]
async fn digests_take_what_their_transactions_noted_whatever_its_timestamp() {
    let app = with_moderators(mailing(Moderation::All, NotifyMode::DigestHourly)).await;
    let store = &app.state.store;
    let start = now_ms() - 10 * 3_600_000;
    store.queue_digests(start).await.unwrap();
    // Stamped long before the digest's window, committed now: still reported.
    let early = app.store_comment("/a/", None, start - 5 * 3_600_000).await;
    assert_eq!(store.queue_digests(start + 3_600_000).await.unwrap(), 2);
    let Job::Digest { comments, .. } = outbox(&app).await.pop().unwrap().job else {
        panic!()
    };
    assert_eq!(comments.iter().map(|c| c.id).collect::<Vec<_>>(), [early.id]);
    // An author's edit that sends a published comment back to the queue is news for the next digest.
    let app = with_moderators(mailing(Moderation::None, NotifyMode::DigestHourly)).await;
    let store = &app.state.store;
    store.queue_digests(start).await.unwrap();
    let r = app.post(json!({"site": "blog", "uri": "/b/", "text": "harmlos"})).await;
    let (id, token) = (
        r.json()["comment"]["id"].as_i64().unwrap(),
        r.json()["edit_token"].as_str().unwrap().to_owned(),
    );
    store.queue_digests(start + 3_600_000).await.unwrap();
    let edited = app
        .write(
            axum::http::Method::PATCH,
            &format!("/api/v1/comments/{id}"),
            json!({"text": "jetzt mit casino casino casino https://a.example https://b.example https://c.example https://d.example"}),
            Some(&token),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text());
    assert_eq!(app.record(id).await.status, riposte::domain::Status::Pending);
    assert_eq!(store.queue_digests(start + 7_200_000).await.unwrap(), 2);
    let Job::Digest { comments, .. } = outbox(&app).await.pop().unwrap().job else {
        panic!()
    };
    assert_eq!((comments[0].id, comments[0].status.as_str()), (id, "pending"));
}

#[tokio::test]
async fn an_erasure_takes_its_comments_out_of_queued_digests() {
    let app = with_moderators(mailing(Moderation::All, NotifyMode::DigestDaily)).await;
    let store = &app.state.store;
    let start = now_ms() - 3 * 86_400_000;
    store.queue_digests(start).await.unwrap();
    post(
        &app,
        json!({"site": "blog", "uri": "/a/", "text": "Bleibt", "author": "Bleibt"}),
    )
    .await;
    post(
        &app,
        json!({"site": "blog", "uri": "/a/", "text": "Geht", "author": "Geheim", "email": "weg@blog.example"}),
    )
    .await;
    assert_eq!(store.queue_digests(start + 86_400_000).await.unwrap(), 2);
    store
        .erase("weg@blog.example".into(), "anna".into(), now_ms())
        .await
        .unwrap();
    let items = outbox(&app).await;
    assert_eq!(items.len(), 2);
    for item in items {
        let Job::Digest { comments, .. } = &item.job else {
            panic!()
        };
        assert_eq!(comments.len(), 1);
        assert_eq!(comments[0].author.as_deref(), Some("Bleibt"));
    }
}

#[tokio::test]
async fn retry_now_never_sends_to_a_bounced_address_and_keeps_when_it_was_queued() {
    let app = with_moderators(mailing(Moderation::All, NotifyMode::Pending)).await;
    post(&app, json!({"site": "blog", "uri": "/post/", "text": "Eins"})).await;
    let store = &app.state.store;
    let items = outbox(&app).await;
    let (anna, ben) = (&items[0], &items[1]);
    let later = now_ms() + 60_000;
    store
        .finish_outbox(
            anna.id,
            Attempt::Refused("550 5.1.1 no such user".into()),
            Retries::default(),
            later,
        )
        .await
        .unwrap();
    store
        .finish_outbox(
            ben.id,
            Attempt::Failed("554 rejected".into()),
            Retries::default(),
            later,
        )
        .await
        .unwrap();
    assert_eq!(store.retry_outbox(None, vec![anna.id, ben.id], later).await.unwrap(), 1);
    let after = outbox(&app).await;
    assert_eq!(
        after[0].state,
        DeliveryState::Failed,
        "the bounced address stays failed"
    );
    assert_eq!((after[1].state, after[1].created), (DeliveryState::Queued, ben.created));
}

#[tokio::test]
async fn a_message_this_version_cannot_read_fails_alone() {
    let app = with_moderators(mailing(Moderation::All, NotifyMode::Pending)).await;
    post(&app, json!({"site": "blog", "uri": "/post/", "text": "Eins"})).await;
    let first = outbox(&app).await[0].id;
    crate::helpers::database::execute(
        &app.state.config.database,
        &format!("UPDATE outbox SET job = '{{\"kind\":\"carrier_pigeon\"}}' WHERE id = {first}"),
    );
    let claimed = app.state.store.claim_outbox(now_ms(), 10).await.unwrap();
    assert_eq!(claimed.len(), 1, "the readable one is delivered");
    assert_ne!(claimed[0].id, first);
    let listed = app.state.store.outbox(None, None, 10).await.unwrap();
    assert_eq!(listed.len(), 1, "the admin page lists what it can read");
    assert!(
        app.state.store.claim_outbox(now_ms(), 10).await.unwrap().is_empty(),
        "failed, not due again"
    );
}
