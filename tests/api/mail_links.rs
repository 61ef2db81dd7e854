//! The pages behind the links in mails, through the real router: a moderator's Approve / Spam / Delete,
//! a commenter's confirmation and unsubscription (with the RFC 8058 one-click POST). A GET never changes
//! anything; a link works once, expires, and only for what it was signed for.
//! Size: the moderators' and the commenters' links share their set-up and helpers, which `outbox_admin`
//! uses too; apart, each half would repeat them.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use riposte::domain::notify::{Job, LINK_VALID_MS, Language, LinkAction, MailLink, SubscriptionScope};
use riposte::domain::time::now_ms;
use riposte::domain::{Moderation, Status};
use riposte::notify::Links;
use serde_json::json;

use crate::helpers::smtp::with_mail;
use crate::helpers::{ORIGIN, Reply, TestApp, config};

const PASSWORD: &str = "a long enough password";

/// The token of moderator `moderator`'s `action` on `comment`, valid until `expires`, bound to both
/// creation times as the mails' links are.
pub async fn moderate_token(app: &TestApp, moderator: i64, comment: i64, action: LinkAction, expires: i64) -> String {
    let moderators = app.state.store.moderators().await.unwrap();
    let m = moderators.iter().find(|m| m.id == moderator).unwrap();
    app.state.keys.link_token(&MailLink::Moderate {
        moderator,
        moderator_created: m.created,
        comment,
        comment_created: app.record(comment).await.created,
        action,
        expires,
    })
}

/// The path of a fresh link, as a mail sent now would carry it.
pub async fn moderate_link(app: &TestApp, moderator: i64, comment: i64, action: LinkAction) -> String {
    let token = moderate_token(app, moderator, comment, action, now_ms() + LINK_VALID_MS).await;
    format!("/admin/mail/{token}")
}

/// Every queued message's job, oldest first.
pub async fn jobs(app: &TestApp) -> Vec<Job> {
    let mut items = app.state.store.outbox(None, None, 10_000).await.unwrap();
    items.reverse();
    items.into_iter().map(|i| i.job).collect()
}

fn links(app: &TestApp) -> Links {
    Links::new(app.state.public_url.clone(), app.state.keys.clone())
}

/// The path of a full link under the test server's `public_url`.
fn path(app: &TestApp, url: &str) -> String {
    url.strip_prefix(&*app.state.public_url).unwrap().to_owned()
}

/// A POST of a link's button: a form from our own pages.
async fn press(app: &TestApp, path: &str) -> Reply {
    app.admin_post(None, path, &[]).await
}

/// The RFC 8058 one-click POST a mail provider sends: no Origin, no cookie.
async fn one_click(app: &TestApp, path: &str) -> Reply {
    let req = Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("List-Unsubscribe=One-Click"))
        .unwrap();
    app.send(req).await
}

/// `blog` holds every comment for its moderator `mo`, who has an address; mail is on.
async fn held_for_mo(language: Language) -> (TestApp, i64) {
    let mut c = with_mail(config());
    c.sites[0].moderation = Moderation::All;
    c.sites[0].language = language;
    c.sites.push(crate::helpers::site("other", ORIGIN, Moderation::All));
    let app = TestApp::with(c).await;
    app.add_moderator_mailed("mo", PASSWORD, &["blog"], Some("mo@blog.example"))
        .await;
    let mo = app.state.store.moderator("mo".into()).await.unwrap().unwrap().id;
    (app, mo)
}

/// Posts a comment on `/post/` of `blog`, which holds it (202), and returns its id.
pub async fn held(app: &TestApp, body: serde_json::Value) -> i64 {
    let r = app.post(body).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    r.json()["comment"]["id"].as_i64().unwrap()
}

fn strict(r: &Reply) {
    let csp = r.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(r.headers["cache-control"], "no-store");
    assert_eq!(r.headers["x-frame-options"], "DENY");
    assert!(!r.text().contains("<script"), "{}", r.text());
}

#[tokio::test]
async fn a_moderators_link_shows_the_comment_on_get_and_acts_once_on_post() {
    let (app, mo) = held_for_mo(Language::EN).await;
    let id = held(
        &app,
        json!({"site": "blog", "uri": "/post/", "author": "Eve <b>", "text": "Hi <script>alert(1)</script>\n\nsecond"}),
    )
    .await;
    assert_eq!(app.status_of(id).await, "pending");
    assert!(
        jobs(&app).await.iter().any(
            |j| matches!(j, Job::Moderator { to, comment, .. } if to.email == "mo@blog.example" && comment.id == id)
        ),
        "the held comment is mailed to its moderator"
    );
    let link = moderate_link(&app, mo, id, LinkAction::Approve).await;
    let audit_before = app.state.store.audit(1000).await.unwrap().len();

    // What a mail scanner does: fetch, twice. Nothing changes.
    for _ in 0..2 {
        let r = app.get(&link).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        strict(&r);
        let page = r.text();
        assert!(page.contains("<html lang=\"en\""), "{page}");
        assert!(page.contains("Approve this comment?"), "{page}");
        assert!(page.contains("Ein Blog"), "the site's name: {page}");
        assert!(page.contains("Eve &#60;b&#62;"), "the author, escaped: {page}");
        assert!(
            page.contains("Hi &#60;script&#62;alert(1)&#60;/script&#62;"),
            "the text, escaped: {page}"
        );
        assert!(page.contains(&format!("method=\"post\" action=\"{link}\"")), "{page}");
    }
    assert_eq!(app.status_of(id).await, "pending");
    assert_eq!(app.state.store.audit(1000).await.unwrap().len(), audit_before);

    // A cross-site form carrying the link is refused.
    let req = Request::post(&link)
        .header("origin", "https://evil.example")
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.status_of(id).await, "pending");

    let r = press(&app, &link).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    strict(&r);
    assert!(r.text().contains("The comment was approved."), "{}", r.text());
    assert!(
        r.text().contains(&format!("href=\"/admin/comments/{id}\"")),
        "{}",
        r.text()
    );
    assert_eq!(app.status_of(id).await, "published");
    let audit = app.state.store.audit(1000).await.unwrap();
    assert_eq!(audit.len(), audit_before + 1);
    assert!(
        audit
            .iter()
            .any(|a| a.moderator == "mo (mail)" && a.comment_id == Some(id)),
        "{audit:?}"
    );

    // Used: 409, and nothing more happens, not even after a moderator changed the comment again.
    assert_eq!(
        app.state
            .store
            .moderate(
                app.state.store.moderator("mo".into()).await.unwrap().unwrap(),
                riposte::domain::moderator::Action::Delete,
                vec![id],
                now_ms(),
            )
            .await
            .unwrap(),
        1
    );
    let r = press(&app, &link).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    assert!(r.text().contains("This link was used already"), "{}", r.text());
    assert_eq!(app.status_of(id).await, "deleted");
    assert_eq!(app.state.store.audit(1000).await.unwrap().len(), audit_before + 2);
}

#[tokio::test]
async fn spam_and_delete_links_do_what_they_say() {
    let (app, mo) = held_for_mo(Language::EN).await;
    let a = held(&app, json!({"site": "blog", "uri": "/post/", "text": "spam me"})).await;
    let b = held(&app, json!({"site": "blog", "uri": "/post/", "text": "delete me"})).await;
    let spam = moderate_link(&app, mo, a, LinkAction::Spam).await;
    let delete = moderate_link(&app, mo, b, LinkAction::Delete).await;
    assert!(app.get(&spam).await.text().contains("Mark this comment as spam?"));
    assert_eq!(press(&app, &spam).await.status, StatusCode::OK);
    assert_eq!(press(&app, &delete).await.status, StatusCode::OK);
    assert_eq!(app.record(a).await.status, Status::Spam);
    assert_eq!(app.record(b).await.status, Status::Deleted);
}

#[tokio::test]
async fn links_of_another_sites_moderator_expired_or_tampered_change_nothing() {
    let (app, mo) = held_for_mo(Language::EN).await;
    app.add_moderator_mailed("bea", PASSWORD, &["other"], Some("bea@other.example"))
        .await;
    let bea = app.state.store.moderator("bea".into()).await.unwrap().unwrap().id;
    let id = held(&app, json!({"site": "blog", "uri": "/post/", "text": "Wartet"})).await;
    let audit_before = app.state.store.audit(1000).await.unwrap().len();
    let keys = &app.state.keys;

    let foreign = moderate_link(&app, bea, id, LinkAction::Approve).await;
    assert_eq!(app.get(&foreign).await.status, StatusCode::NOT_FOUND);
    assert_eq!(press(&app, &foreign).await.status, StatusCode::NOT_FOUND);

    let expired = moderate_token(&app, mo, id, LinkAction::Approve, now_ms() - 1).await;
    let expired = format!("/admin/mail/{expired}");
    let r = app.get(&expired).await;
    assert_eq!(r.status, StatusCode::GONE, "{}", r.text());
    assert!(r.text().contains("This link has expired"), "{}", r.text());
    assert_eq!(press(&app, &expired).await.status, StatusCode::GONE);

    let good = moderate_token(&app, mo, id, LinkAction::Approve, now_ms() + LINK_VALID_MS).await;
    // A second held comment that exists: the first link's MAC must not carry over to it.
    let other = held(&app, json!({"site": "blog", "uri": "/post/", "text": "Anderer"})).await;
    let other_created = app.record(other).await.created;
    // Another comment under the same MAC, another action, a cut MAC, a confirmation link, garbage.
    let (kind, rest) = good.split_once('.').unwrap();
    let (fields, mac) = rest.rsplit_once('.').unwrap();
    let f: Vec<&str> = fields.split('.').collect();
    let tampered = [
        format!(
            "{kind}.{}.{}.{other}.{other_created}.{}.{}.{mac}",
            f[0], f[1], f[4], f[5]
        ),
        format!("{kind}.{}.{}.{}.{}.1.{}.{mac}", f[0], f[1], f[2], f[3], f[5]),
        good[..good.len() - 2].to_owned(),
        keys.link_token(&MailLink::Confirm {
            subscription: id,
            created: now_ms(),
        }),
        "m.1.2.3".to_owned(),
        "%00%0d%0a".to_owned(),
    ];
    for t in tampered {
        let p = format!("/admin/mail/{t}");
        let r = app.get(&p).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "GET {p}: {}", r.text());
        strict(&r);
        assert_eq!(press(&app, &p).await.status, StatusCode::NOT_FOUND, "POST {p}");
    }
    assert_eq!(app.status_of(id).await, "pending");
    assert_eq!(app.state.store.audit(1000).await.unwrap().len(), audit_before);
    // The good link still works: the refusals used nothing up.
    assert_eq!(press(&app, &format!("/admin/mail/{good}")).await.status, StatusCode::OK);
    assert_eq!(app.status_of(id).await, "published");
}

/// The subscription a post with `"notify": true` made, from its confirmation mail: (id, created).
async fn confirmation_for(app: &TestApp, email: &str) -> (i64, i64) {
    jobs(app)
        .await
        .into_iter()
        .find_map(|j| match j {
            Job::Confirm {
                subscription,
                created,
                to,
                ..
            } if to == email => Some((subscription, created)),
            _ => None,
        })
        .expect("a confirmation mail is queued")
}

async fn replies_to(app: &TestApp, email: &str) -> usize {
    jobs(app)
        .await
        .iter()
        .filter(|j| matches!(j, Job::Reply { to, .. } if to == email))
        .count()
}

async fn reply(app: &TestApp, parent: i64, email: Option<&str>) {
    let r = app
        .post(json!({"site": "blog", "uri": "/post/", "text": "Eine Antwort", "parent": parent, "email": email}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

#[tokio::test]
async fn double_opt_in_then_reply_mails_then_one_click_unsubscribe() {
    let app = TestApp::with(with_mail(config())).await;
    let reader = "leser@example.org";
    let r = app
        .post(json!({"site": "blog", "uri": "/post/", "text": "Sagt mir Bescheid", "email": reader, "notify": true}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let mine = r.json()["comment"]["id"].as_i64().unwrap();
    let (sub, created) = confirmation_for(&app, reader).await;
    let store = &app.state.store;

    // Nothing but the confirmation before it is confirmed.
    reply(&app, mine, None).await;
    assert_eq!(replies_to(&app, reader).await, 0);

    let confirm = path(&app, &links(&app).confirm(sub, created));
    for _ in 0..2 {
        let r = app.get(&confirm).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        strict(&r);
        assert!(r.text().contains("Confirm your subscription"), "{}", r.text());
        assert!(r.text().contains("replies to your comment"), "{}", r.text());
        assert!(r.text().contains("Ein Blog"), "{}", r.text());
    }
    assert_eq!(store.subscription(sub).await.unwrap().unwrap().confirmed, None);
    let req = Request::post(&confirm)
        .header("origin", "https://evil.example")
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN);
    assert_eq!(store.subscription(sub).await.unwrap().unwrap().confirmed, None);

    let r = press(&app, &confirm).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains("Your subscription is confirmed."), "{}", r.text());
    assert!(store.subscription(sub).await.unwrap().unwrap().confirmed.is_some());

    // A reply by someone else is mailed; one by the subscriber themself is not.
    reply(&app, mine, Some("other@example.org")).await;
    assert_eq!(replies_to(&app, reader).await, 1);
    reply(&app, mine, Some(reader)).await;
    assert_eq!(replies_to(&app, reader).await, 1);

    let unsubscribe = path(&app, &links(&app).unsubscribe(sub, created));
    let r = app.get(&unsubscribe).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    strict(&r);
    assert!(r.text().contains(">Unsubscribe</button>"), "{}", r.text());
    assert!(store.subscription(sub).await.unwrap().is_some(), "a GET ends nothing");

    let r = one_click(&app, &unsubscribe).await;
    assert!(r.status.is_success(), "{}: {}", r.status, r.text());
    assert!(
        r.text().contains("You will get no more mails about this."),
        "{}",
        r.text()
    );
    assert!(store.subscription(sub).await.unwrap().is_none());
    let again = one_click(&app, &unsubscribe).await;
    assert!(again.status.is_success(), "{}", again.status);
    assert!(app.get(&unsubscribe).await.status.is_success());

    reply(&app, mine, None).await;
    assert_eq!(replies_to(&app, reader).await, 1, "no mail after the unsubscription");
    // The confirmation link of an ended subscription names nothing.
    assert_eq!(app.get(&confirm).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_confirmation_link_expires_and_a_forged_one_names_nothing() {
    let app = TestApp::with(with_mail(config())).await;
    let site = app.state.sites.get("blog").await.unwrap().unwrap();
    let old = now_ms() - LINK_VALID_MS - 60_000;
    let comment = riposte::domain::comment::NewComment {
        site: riposte::domain::SiteId::parse("blog").unwrap(),
        uri: riposte::domain::PageUri::parse("/post/").unwrap(),
        title: None,
        parent: None,
        author: None,
        email: riposte::domain::Email::parse(Some("spaet@example.org")).unwrap(),
        website: None,
        text: riposte::domain::CommentText::parse("Vor acht Tagen").unwrap(),
        html: "<p>Vor acht Tagen</p>".into(),
        notify: Some(SubscriptionScope::Replies),
    };
    let by = riposte::domain::comment::Commenter {
        ip_hashes: ["a".into(), "b".into()],
        avatar: "a".into(),
    };
    app.state
        .store
        .create_comment(site, comment, by, Default::default(), old)
        .await
        .unwrap();
    let (sub, created) = confirmation_for(&app, "spaet@example.org").await;
    assert_eq!(created, old);
    let confirm = path(&app, &links(&app).confirm(sub, created));
    let r = app.get(&confirm).await;
    assert_eq!(r.status, StatusCode::GONE, "{}", r.text());
    assert_eq!(press(&app, &confirm).await.status, StatusCode::GONE);
    assert_eq!(
        app.state.store.subscription(sub).await.unwrap().unwrap().confirmed,
        None
    );

    // Signed over another moment than the subscription's: not its link.
    let forged = app.state.keys.link_token(&MailLink::Confirm {
        subscription: sub,
        created: now_ms(),
    });
    let forged = format!("/notify/confirm/{forged}");
    assert_eq!(app.get(&forged).await.status, StatusCode::NOT_FOUND);
    assert_eq!(press(&app, &forged).await.status, StatusCode::NOT_FOUND);
    let unsigned = format!("/notify/unsubscribe/u.{sub}.{created}.AAAA");
    assert_eq!(one_click(&app, &unsigned).await.status, StatusCode::NOT_FOUND);
    assert!(app.state.store.subscription(sub).await.unwrap().is_some());
    assert_eq!(
        app.state.store.subscription(sub).await.unwrap().unwrap().confirmed,
        None
    );
}

#[tokio::test]
async fn a_german_sites_pages_are_in_german() {
    let (app, mo) = held_for_mo(Language::parse("de").unwrap()).await;
    let id = held(
        &app,
        json!({"site": "blog", "uri": "/post/", "text": "Hallo", "email": "leser@example.org", "notify": true}),
    )
    .await;
    let link = moderate_link(&app, mo, id, LinkAction::Approve).await;
    let page = app.get(&link).await.text();
    assert!(page.contains("<html lang=\"de\""), "{page}");
    assert!(page.contains("Diesen Kommentar freigeben?"), "{page}");
    assert!(page.contains(">Freigeben</button>"), "{page}");
    let done = press(&app, &link).await.text();
    assert!(done.contains("Der Kommentar wurde freigegeben."), "{done}");

    let (sub, created) = confirmation_for(&app, "leser@example.org").await;
    let confirm = app.get(&path(&app, &links(&app).confirm(sub, created))).await.text();
    assert!(confirm.contains("<html lang=\"de\""), "{confirm}");
    assert!(confirm.contains("Abonnement bestätigen"), "{confirm}");
    assert!(confirm.contains("Antworten auf Ihren Kommentar"), "{confirm}");
    let unsubscribe = path(&app, &links(&app).unsubscribe(sub, created));
    assert!(app.get(&unsubscribe).await.text().contains(">Abbestellen</button>"));
    let done = one_click(&app, &unsubscribe).await.text();
    assert!(done.contains("Sie erhalten keine E-Mails mehr hierzu."), "{done}");
}

#[tokio::test]
async fn an_unknown_links_page_follows_the_browser() {
    let app = TestApp::with(with_mail(config())).await;
    let req = Request::get("/notify/confirm/c.1.2.AAAA")
        .header("accept-language", "de")
        .body(Body::empty())
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    strict(&r);
    assert!(r.text().contains("Link nicht gefunden"), "{}", r.text());
}

#[tokio::test]
async fn a_link_never_acts_on_a_later_comment_that_got_the_same_id() {
    let (app, mo) = held_for_mo(Language::EN).await;
    let r = app
        .post(json!({"site": "blog", "uri": "/post/", "text": "Harmlos"}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let (id, token) = (
        r.json()["comment"]["id"].as_i64().unwrap(),
        r.json()["edit_token"].as_str().unwrap().to_owned(),
    );
    let approve = moderate_link(&app, mo, id, LinkAction::Approve).await;
    // Its author deletes it (gone for good: no replies), and the next comment gets its id back.
    let del = app
        .write(
            axum::http::Method::DELETE,
            &format!("/api/v1/comments/{id}"),
            json!({}),
            Some(&token),
        )
        .await;
    assert!(del.status.is_success(), "{}", del.text());
    std::thread::sleep(std::time::Duration::from_millis(2));
    let spam = held(
        &app,
        json!({"site": "blog", "uri": "/post/", "text": "Kaufen Sie jetzt"}),
    )
    .await;
    // SQLite hands the highest free id out again; PostgreSQL never repeats one, and the link must stay
    // dead either way.
    match app.on_postgres() {
        true => assert_ne!(spam, id, "PostgreSQL never reuses an id"),
        false => assert_eq!(spam, id, "SQLite reused the id"),
    }
    assert_eq!(app.get(&approve).await.status, StatusCode::NOT_FOUND);
    assert_eq!(press(&app, &approve).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.status_of(spam).await, "pending", "the old link approved nothing");
}
