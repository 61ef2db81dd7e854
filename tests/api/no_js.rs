//! Comments without JavaScript: the page `/t/{site}?uri=U` and its plain form, with the API's guards,
//! and the thread endpoint's HTML fragment (`Accept: text/html`), read by an HTML5 parser.

mod dom;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use riposte::config::Rate;
use riposte::domain::Moderation;
use riposte::domain::pow::Pow;
use riposte::domain::time::now_ms;
use serde_json::json;

use crate::helpers::{OWN, Reply, TestApp, config, site, urlencode};
use dom::{El, parse};

fn page_path(site: &str, uri: &str, extra: &str) -> String {
    format!("/t/{site}?uri={}{extra}", urlencode(uri))
}

/// The form's token on a page.
fn token_of(page: &El) -> String {
    page.find(|e| e.attr("name") == Some("csrf"))[0]
        .attr("value")
        .unwrap()
        .to_owned()
}

/// A token for `/post/` of `site` shown ten seconds ago: posted now, the fill time is a person's.
fn aged_token(app: &TestApp, site: &str, uri: &str) -> String {
    app.state.keys.form_token(site, uri, now_ms() - 10_000)
}

/// The form posted from this server's own page (`origin`: which `Origin` it carries).
async fn send_form(app: &TestApp, site: &str, fields: &[(&str, &str)], origin: Option<&str>) -> Reply {
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let mut req = Request::post(format!("/t/{site}")).header("content-type", "application/x-www-form-urlencoded");
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    app.send(req.body(Body::from(body)).unwrap()).await
}

async fn post_form(app: &TestApp, fields: &[(&str, &str)]) -> Reply {
    send_form(app, "blog", fields, Some(OWN)).await
}

/// The form of `/post/` on `blog`, shown ten seconds ago, sent with `text` and `more`.
async fn post_text(app: &TestApp, text: &str, more: &[(&str, &str)]) -> Reply {
    let token = aged_token(app, "blog", "/post/");
    let mut fields = vec![("uri", "/post/"), ("csrf", token.as_str()), ("text", text)];
    fields.extend_from_slice(more);
    post_form(app, &fields).await
}

/// The comment id a 303 names in its `#riposte-ID` anchor.
fn anchored(r: &Reply) -> i64 {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let location = r.headers["location"].to_str().unwrap();
    location.rsplit_once("#riposte-").unwrap().1.parse().unwrap()
}

fn with_site(moderation: Moderation, pow: Pow) -> riposte::Config {
    let mut c = config();
    c.sites[0].moderation = moderation;
    c.sites[0].pow = pow;
    c
}

#[tokio::test]
async fn the_page_lists_published_comments_only_with_hostile_fields_inert() {
    let app = TestApp::new().await;
    let hostile = "<img src=x onerror=alert(1)>\"'><script>alert(2)</script>";
    let r = app
        .post(
            json!({"site": "blog", "uri": "/post/", "text": hostile, "author": hostile,
            "website": "https://evil.example/\"onmouseover=alert(3)"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let published = r.json()["comment"]["id"].as_i64().unwrap();
    // Four links are more than the site allows: held, and not shown.
    let r = app
        .post(json!({"site": "blog", "uri": "/post/", "text": "Geheim www.a.example www.b.example www.c.example www.d.example"}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let held = r.json()["comment"]["id"].as_i64().unwrap();

    let r = app.get(&page_path("blog", "/post/", "")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "text/html; charset=utf-8");
    let csp = r.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'none'") && csp.contains("style-src 'self'"),
        "{csp}"
    );
    let html = r.text();
    assert!(!html.contains("Geheim"), "a held comment is shown to nobody");
    let page = parse(&html);
    assert_eq!((page.attr("lang"), page.attr("dir")), (Some("en"), Some("ltr")));
    assert!(page.find(|e| e.tag == "script" || e.tag == "img").is_empty(), "{html}");
    assert!(
        page.find(|e| e.attrs.keys().any(|k| k.starts_with("on"))).is_empty(),
        "{html}"
    );
    assert!(page.find(|e| e.has("style")).is_empty(), "no inline styles");
    let sheets: Vec<_> = page.find(|e| e.tag == "link" && e.attr("rel") == Some("stylesheet"));
    assert_eq!(sheets[0].attr("href"), Some("/embed.css"));
    let c = page
        .by_id(&format!("riposte-{published}"))
        .expect("the published comment");
    assert!(page.by_id(&format!("riposte-{held}")).is_none());
    let author = &c.classed("riposte-author")[0];
    assert_eq!(author.text, hostile, "the name is text");
    assert_eq!(
        author.attr("href"),
        Some("https://evil.example/%22onmouseover=alert(3)")
    );
    assert_eq!(author.attr("rel"), Some("nofollow ugc noopener noreferrer"));
    assert!(c.classed("riposte-body")[0].text.contains("<script>alert(2)</script>"));
    assert_eq!(page.classed("riposte-heading")[0].text, "1 comment");
    // The way back to the blog, and each comment's Reply link.
    assert_eq!(
        page.classed("riposte-back")[0].children[0].attr("href"),
        Some("https://blog.example/post/")
    );
    let reply = &c.classed("riposte-actions")[0].children[0];
    assert_eq!(reply.text, "Reply");
    assert_eq!(
        reply.attr("href").unwrap(),
        format!("/t/blog?uri=%2Fpost%2F&reply={published}#riposte-form")
    );
}

#[tokio::test]
async fn the_form_stores_a_comment_and_sends_the_reader_to_it_then_a_reply() {
    let app = TestApp::new().await;
    let page = parse(&app.get(&page_path("blog", "/post/", "")).await.text());
    let form = page.by_id("riposte-form").expect("the form");
    assert_eq!(
        (form.attr("method"), form.attr("action")),
        (Some("post"), Some("/t/blog"))
    );
    let names: Vec<&str> = form
        .find(|e| e.has("name"))
        .iter()
        .map(|e| e.attr("name").unwrap())
        .collect();
    for name in ["uri", "csrf", "text", "author", "email", "website", "homepage"] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    let r = post_text(&app, "Ohne *Skript*", &[("author", "Bea")]).await;
    let id = anchored(&r);
    assert_eq!(
        r.headers["location"],
        format!("/t/blog?uri=%2Fpost%2F#riposte-{id}").as_str()
    );
    let stored = app.record(id).await;
    assert_eq!(
        (stored.status.as_str(), stored.author.as_deref()),
        ("published", Some("Bea"))
    );
    assert_eq!(stored.html, "<p>Ohne <em>Skript</em></p>\n");
    let page = parse(&app.get(r.headers["location"].to_str().unwrap()).await.text());
    assert!(page.by_id(&format!("riposte-{id}")).is_some());

    // Reply: the link opens the form under the comment, naming it, with a way back.
    let page = parse(
        &app.get(&page_path("blog", "/post/", &format!("&reply={id}")))
            .await
            .text(),
    );
    let c = page.by_id(&format!("riposte-{id}")).unwrap();
    let form = c.by_id("riposte-form").expect("the reply form sits in the comment");
    assert_eq!(page.find(|e| e.tag == "form").len(), 1);
    assert_eq!(
        form.find(|e| e.attr("name") == Some("parent"))[0].attr("value"),
        Some(id.to_string().as_str())
    );
    assert_eq!(form.find(|e| e.tag == "label")[0].text, "Reply to Bea");
    let cancel = form.find(|e| e.text == "Cancel" && e.tag == "a");
    assert_eq!(
        cancel[0].attr("href").unwrap(),
        format!("/t/blog?uri=%2Fpost%2F#riposte-{id}")
    );
    let token = aged_token(&app, "blog", "/post/");
    let fields = [
        ("uri", "/post/"),
        ("csrf", &token),
        ("text", "Antwort"),
        ("parent", &id.to_string()),
    ];
    let r = post_form(&app, &fields).await;
    let reply = anchored(&r);
    assert_eq!(app.record(reply).await.parent, Some(id));
    let page = parse(&app.get(r.headers["location"].to_str().unwrap()).await.text());
    let nested = page.by_id(&format!("riposte-{id}")).unwrap().classed("riposte-replies")[0];
    assert!(nested.by_id(&format!("riposte-{reply}")).is_some());
    // The same form sent twice (a double click) stores it once.
    let again = post_form(&app, &fields).await;
    assert_eq!(anchored(&again), reply);
    assert_eq!(app.stored_comments().await, 2);
}

#[tokio::test]
async fn a_held_comment_shows_its_notice_to_its_author_and_nothing_to_others() {
    let app = TestApp::with(with_site(Moderation::All, Pow::Off)).await;
    let r = post_text(&app, "Wartet auf Freigabe", &[]).await;
    let id = anchored(&r);
    assert_eq!(app.status_of(id).await, "pending");
    let location = r.headers["location"].to_str().unwrap().to_owned();
    assert!(location.contains("&held="), "{location}");
    let html = app.get(&location).await.text();
    assert!(!html.contains("Wartet auf Freigabe"));
    let page = parse(&html);
    let notice = page
        .by_id(&format!("riposte-{id}"))
        .expect("the anchor lands on the notice");
    assert_eq!(notice.attr("role"), Some("status"));
    assert!(notice.text.contains("awaiting moderation"), "{}", notice.text);
    // Without the mark (another reader), or with a forged one: nothing.
    for path in [
        page_path("blog", "/post/", ""),
        page_path("blog", "/post/", &format!("&held={id}.99999999999999.AAAA")),
    ] {
        let html = app.get(&path).await.text();
        assert!(
            !html.contains("Wartet auf Freigabe") && !html.contains("awaiting moderation"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_bad_or_foreign_form_is_refused_and_nothing_is_stored() {
    let app = TestApp::new().await;
    let token = aged_token(&app, "blog", "/post/");
    let mut tampered = token.clone();
    tampered.replace_range(0..1, if token.starts_with('1') { "2" } else { "1" });
    let expired = app.state.keys.form_token("blog", "/post/", now_ms() - 7 * 3600 * 1000);
    let other_page = app.state.keys.form_token("blog", "/other/", now_ms() - 10_000);
    for bad in ["", "junk", &tampered, &expired, &other_page] {
        let r = post_form(
            &app,
            &[
                ("uri", "/post/"),
                ("csrf", bad),
                ("text", "Mein Text"),
                ("author", "Bea"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{bad}");
        assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/html"));
        let page = parse(&r.text());
        let form = page.by_id("riposte-form").expect("the form again");
        assert_eq!(form.find(|e| e.tag == "textarea")[0].text, "Mein Text", "kept");
        assert_eq!(page.by_id("riposte-f-author").unwrap().attr("value"), Some("Bea"));
        assert_eq!(page.by_id("riposte-form-error").unwrap().attr("role"), Some("alert"));
        let fresh = token_of(&page);
        assert!(app.state.keys.verify_form_token("blog", "/post/", &fresh).is_some());
    }
    // A cross-site form: 403 even with a good token.
    let r = send_form(
        &app,
        "blog",
        &[("uri", "/post/"), ("csrf", &token), ("text", "x")],
        Some("https://evil.example"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(app.stored_comments().await, 0);
    // Without an Origin (not a browser's cross-site post), the token decides.
    let r = send_form(
        &app,
        "blog",
        &[("uri", "/post/"), ("csrf", &token), ("text", "x")],
        None,
    )
    .await;
    anchored(&r);
}

#[tokio::test]
async fn a_refused_field_comes_back_marked_with_the_input_kept() {
    let app = TestApp::new().await;
    let token = aged_token(&app, "blog", "/post/");
    let typed = [
        ("uri", "/post/"),
        ("csrf", &token),
        ("text", "Guter Text"),
        ("author", "Bea"),
        ("website", "javascript:alert(1)"),
    ];
    let r = post_form(&app, &typed).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.headers["content-type"].to_str().unwrap().starts_with("text/html"),
        "never JSON"
    );
    let page = parse(&r.text());
    let website = page.by_id("riposte-f-website").unwrap();
    assert_eq!(website.attr("value"), Some("javascript:alert(1)"));
    assert_eq!(website.attr("aria-invalid"), Some("true"));
    let error = page
        .by_id("riposte-f-website-error")
        .expect("the message beside the field");
    assert_eq!(error.text, "Please check the field “Website”.");
    assert!(
        website
            .attr("aria-describedby")
            .unwrap()
            .contains("riposte-f-website-error")
    );
    assert_eq!(page.find(|e| e.tag == "textarea")[0].text, "Guter Text");
    assert_eq!(page.by_id("riposte-f-author").unwrap().attr("aria-invalid"), None);
    // The same token still works once the field is fixed.
    assert_eq!(token_of(&page), token);
    // A reply to a comment that is not there: the message above the form.
    let r = post_text(&app, "x", &[("parent", "999")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        parse(&r.text())
            .by_id("riposte-form-error")
            .unwrap()
            .text
            .contains("Reply")
    );
    assert_eq!(app.stored_comments().await, 0);
}

#[tokio::test]
async fn the_traps_send_a_form_to_spam_silently() {
    let app = TestApp::new().await;
    let r = post_text(&app, "Bot", &[("homepage", "http://spam.example")]).await;
    let id = anchored(&r);
    assert!(
        r.headers["location"].to_str().unwrap().contains("&held="),
        "answered as held"
    );
    let stored = app.record(id).await;
    assert_eq!(stored.status.as_str(), "spam");
    assert!(stored.reason.unwrap().contains("hidden form field"));
    // A form sent at once after it was shown: the token dates it.
    let page = parse(&app.get(&page_path("blog", "/post/", "")).await.text());
    let r = post_form(
        &app,
        &[("uri", "/post/"), ("csrf", &token_of(&page)), ("text", "Schnell")],
    )
    .await;
    let stored = app.record(anchored(&r)).await;
    assert_eq!(stored.status.as_str(), "spam");
    assert!(stored.reason.unwrap().contains("ms after it was shown"));
}

#[tokio::test]
async fn where_the_api_asks_for_proof_of_work_the_form_is_held_instead() {
    for pow in [Pow::Always, Pow::Adaptive] {
        let app = TestApp::with(with_site(Moderation::None, pow)).await;
        let r = app
            .post(json!({"site": "blog", "uri": "/post/", "text": "API ohne Lösung"}))
            .await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::FORBIDDEN, "challenge_required".into())
        );
        let r = post_text(&app, "Formular ohne Skript", &[]).await;
        let stored = app.record(anchored(&r)).await;
        assert_eq!(stored.status.as_str(), "pending", "{pow:?}");
        assert_eq!(stored.reason.as_deref(), Some(riposte::routes::post::HELD_WITHOUT_POW));
    }
    // Without proof of work the form publishes as the API does.
    let app = TestApp::new().await;
    let r = post_text(&app, "Frei", &[]).await;
    assert_eq!(app.status_of(anchored(&r)).await, "published");
}

#[tokio::test]
async fn the_posting_limit_counts_form_and_api_posts_together() {
    let mut c = config();
    c.rate_limits.comments = Rate {
        burst: 2,
        every_ms: 60_000.0,
    };
    let app = TestApp::with(c).await;
    anchored(&post_text(&app, "eins", &[]).await);
    assert_eq!(
        app.post(json!({"site": "blog", "uri": "/post/", "text": "zwei"}))
            .await
            .status,
        StatusCode::CREATED
    );
    let r = post_text(&app, "drei", &[]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers["retry-after"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(
        parse(&r.text()).classed("riposte-error")[0]
            .text
            .contains("posting too quickly")
    );
    assert_eq!(
        app.post(json!({"site": "blog", "uri": "/post/", "text": "vier"}))
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Reading the page is not posting.
    assert_eq!(app.get(&page_path("blog", "/post/", "")).await.status, StatusCode::OK);
    assert_eq!(app.stored_comments().await, 2);
}

#[tokio::test]
async fn unknown_sites_and_pages_answer_pages_not_json() {
    let app = TestApp::new().await;
    for (path, status) in [
        (page_path("nope", "/post/", ""), StatusCode::NOT_FOUND),
        (page_path("Not%20A%20Site%21", "/post/", ""), StatusCode::NOT_FOUND),
        (
            page_path("blog", "//evil.example/", ""),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("/t/blog".to_owned(), StatusCode::UNPROCESSABLE_ENTITY),
        (page_path("blog", "/post/", "&root=999"), StatusCode::NOT_FOUND),
    ] {
        let r = app.get(&path).await;
        assert_eq!(r.status, status, "{path}");
        assert!(
            r.headers["content-type"].to_str().unwrap().starts_with("text/html"),
            "{path}"
        );
        assert!(!parse(&r.text()).classed("riposte-error").is_empty(), "{path}");
    }
    let token = aged_token(&app, "nope", "/post/");
    let r = send_form(
        &app,
        "nope",
        &[("uri", "/post/"), ("csrf", &token), ("text", "x")],
        Some(OWN),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/html"));
}

#[tokio::test]
async fn the_page_speaks_the_sites_language_or_the_one_asked_for() {
    let mut c = config();
    c.sites.push(riposte::config::SiteConfig {
        language: riposte::domain::notify::Language::parse("de").unwrap(),
        ..site("de", "https://de.example", Moderation::None)
    });
    let app = TestApp::with(c).await;
    let page = parse(&app.get(&page_path("de", "/post/", "")).await.text());
    assert_eq!(page.attr("lang"), Some("de"));
    assert_eq!(page.classed("riposte-heading")[0].text, "Noch keine Kommentare");
    assert!(page.find(|e| e.tag == "button")[0].text.contains("Kommentar senden"));
    let page = parse(&app.get(&page_path("de", "/post/", "&lang=en")).await.text());
    assert_eq!(page.attr("lang"), Some("en"));
    // The language asked for goes with the form and comes back with the redirect.
    assert_eq!(
        page.find(|e| e.attr("name") == Some("lang"))[0].attr("value"),
        Some("en")
    );
    let token = aged_token(&app, "de", "/post/");
    let r = send_form(
        &app,
        "de",
        &[("uri", "/post/"), ("csrf", &token), ("text", "x"), ("lang", "en")],
        Some(OWN),
    )
    .await;
    assert!(r.headers["location"].to_str().unwrap().contains("&lang=en"));
}

#[tokio::test]
async fn long_threads_page_with_plain_links() {
    let app = TestApp::new().await;
    let first = app.store_comment("/long/", None, 1_000).await;
    for i in 0..55 {
        app.store_comment("/long/", Some(first.id), 2_000 + i).await;
    }
    let second = app.store_comment("/long/", None, 5_000).await;
    let page = parse(&app.get(&page_path("blog", "/long/", "&limit=1")).await.text());
    assert!(page.by_id(&format!("riposte-{}", second.id)).is_none());
    let more = page.classed("riposte-more");
    let hrefs: Vec<&str> = more.iter().map(|m| m.attr("href").unwrap()).collect();
    assert_eq!(hrefs.len(), 2, "more replies, more comments: {hrefs:?}");
    let replies = parse(&app.get(hrefs[0]).await.text());
    assert_eq!(
        replies.classed("riposte-replies")[0].children.len(),
        5,
        "the last five replies"
    );
    let next = parse(&app.get(hrefs[1]).await.text());
    assert!(next.by_id(&format!("riposte-{}", second.id)).is_some());
    assert!(next.by_id(&format!("riposte-{}", first.id)).is_none());
}

#[tokio::test]
async fn the_thread_endpoint_answers_an_html_fragment_for_html_readers() {
    let app = TestApp::new().await;
    let (a, _) = app.comment("Erster *Kommentar*", None).await;
    let r = app
        .post(json!({"site": "blog", "uri": "/post/", "text": "Antwort", "parent": a, "author": "Bea <b>", "website": "https://bea.example"}))
        .await;
    let b = r.json()["comment"]["id"].as_i64().unwrap();
    let path = "/api/v1/threads?site=blog&uri=%2Fpost%2F";
    let get = |accept: Option<&'static str>| {
        let mut req = Request::get(path);
        if let Some(a) = accept {
            req = req.header("accept", a);
        }
        app.send(req.body(Body::empty()).unwrap())
    };
    let r = get(Some("text/html")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "text/html; charset=utf-8");
    let vary: Vec<&str> = r.headers.get_all("vary").iter().map(|v| v.to_str().unwrap()).collect();
    assert!(vary.contains(&"Accept"), "{vary:?}");
    assert_eq!(r.headers["cache-control"], "no-cache");
    let csp = r.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("sandbox"),
        "opened in a browser, it runs nothing: {csp}"
    );
    let html = r.text();
    assert!(!html.contains("<form") && !html.contains("<button"), "{html}");
    let root = parse(&html);
    let fragment = root.classed("riposte-fragment")[0];
    assert_eq!(fragment.attr("data-site"), Some("blog"));
    assert_eq!(fragment.attr("data-uri"), Some("/post/"));
    assert_eq!(fragment.attr("data-total"), Some("2"));
    let items = fragment.find(|e| e.attr("itemtype") == Some("https://schema.org/Comment"));
    assert_eq!(items.len(), 2);
    for (item, id, name, text) in [
        (items[0], a, "Anonymous", "Erster Kommentar"),
        (items[1], b, "Bea <b>", "Antwort"),
    ] {
        assert_eq!(item.tag, "article");
        assert_eq!(item.attr("id"), Some(format!("riposte-{id}").as_str()));
        assert!(item.has("itemscope"));
        let author = item.prop("author").expect("author");
        assert_eq!(author.attr("itemtype"), Some("https://schema.org/Person"));
        assert_eq!(author.prop("name").unwrap().text, name);
        let created = item.prop("dateCreated").expect("dateCreated");
        assert!(created.attr("datetime").unwrap().ends_with('Z'));
        assert_eq!(item.prop("text").unwrap().text.trim(), text);
        assert_eq!(
            item.prop("url").unwrap().attr("href"),
            Some(format!("#riposte-{id}").as_str())
        );
    }
    // The reply is a `comment` of its parent, in the widget's replies element.
    let replies: Vec<&El> = items[0]
        .props()
        .into_iter()
        .filter(|(p, _)| *p == "comment")
        .map(|(_, e)| e)
        .collect();
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].attr("id"), Some(format!("riposte-{b}").as_str()));
    // A link for readers without JavaScript.
    let nojs = root.classed("riposte-nojs")[0].children[0].attr("href").unwrap();
    assert_eq!(
        nojs,
        "http://127.0.0.1:8080/t/blog?uri=%2Fpost%2F&lang=en&sort=oldest#riposte-form"
    );

    // JSON for anything else, the same answer as before; the fragment is cached and revalidated like JSON.
    let json = get(None).await.bytes;
    for accept in [
        None,
        Some("*/*"),
        Some("application/json"),
        Some("application/json, text/html"),
    ] {
        let r = get(accept).await;
        assert_eq!(r.headers["content-type"], "application/json", "{accept:?}");
        assert_eq!(r.bytes, json, "{accept:?}");
        assert_eq!(r.json()["total"], 2);
        let vary: Vec<&str> = r.headers.get_all("vary").iter().map(|v| v.to_str().unwrap()).collect();
        assert!(vary.contains(&"Accept"), "{vary:?}");
    }
    let made = app.state.cache.made();
    let again = get(Some("text/html")).await;
    assert_eq!(again.text(), html);
    assert_eq!(app.state.cache.made(), made, "served from the cache");
    let etag = again.headers["etag"].to_str().unwrap().to_owned();
    let r = app
        .send(
            Request::get(path)
                .header("accept", "text/html")
                .header("if-none-match", &etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    // A new comment makes a new fragment.
    app.comment("Dritter", None).await;
    assert!(get(Some("text/html")).await.text().contains("Dritter"));
}

#[tokio::test]
async fn a_closed_thread_shows_why_without_a_form_and_refuses_the_post() {
    let app = TestApp::new().await;
    let (top, _) = app.comment("vor dem Schließen", None).await;
    app.add_moderator("mod", "a long password", &[]).await;
    let admin = app.login("mod", "a long password").await;
    let r = app
        .admin_post(
            Some(&admin.cookie),
            &format!("/admin/comments/{top}/close"),
            &[("csrf", &admin.csrf), ("closed", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = parse(&app.get(&page_path("blog", "/post/", "")).await.text());
    assert_eq!(page.classed("riposte-closed").len(), 1);
    assert!(page.find(|e| e.tag == "form").is_empty(), "no form");
    assert!(
        page.find(|e| e.tag == "a" && e.text.trim() == "Reply").is_empty(),
        "no Reply link"
    );
    let stored = app.stored_comments().await;
    let r = post_text(&app, "zu spät", &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("This thread is closed"), "{}", r.text());
    assert_eq!(app.stored_comments().await, stored);
}

#[tokio::test]
async fn a_moderator_logged_in_in_the_same_browser_posts_with_the_badge_and_past_the_queue() {
    let app = TestApp::with(with_site(Moderation::All, Pow::Always)).await;
    app.add_moderator("mod", "a long password", &[]).await;
    let admin = app.login("mod", "a long password").await;
    let token = aged_token(&app, "blog", "/post/");
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("uri", "/post/"),
            ("csrf", token.as_str()),
            ("text", "Aus der Redaktion"),
        ])
        .finish();
    let req = Request::post("/t/blog")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", OWN)
        .header("cookie", &admin.cookie)
        .body(Body::from(body))
        .unwrap();
    let r = app.send(req).await;
    let id = anchored(&r);
    assert_eq!(
        app.status_of(id).await,
        "published",
        "neither held for moderation nor for the proof of work"
    );
    let thread = app.thread("/post/").await;
    assert_eq!(thread["comments"][0]["moderator"], true);
    let page = parse(&app.get(&page_path("blog", "/post/", "")).await.text());
    assert_eq!(page.classed("riposte-badge").len(), 1);
    // The same form without the session: held, no badge.
    let r = post_text(&app, "Ein Leser", &[]).await;
    let other = app.record(anchored(&r)).await;
    assert_eq!(other.status.as_str(), "pending");
}

#[tokio::test]
async fn a_refused_reply_to_a_comment_on_another_page_stays_a_reply() {
    let app = TestApp::new().await;
    // A hundred top-level comments fill the first page; the 101st is on the second.
    for i in 0..100 {
        app.store_comment("/post/", None, 1_000 + i).await;
    }
    let (later, _) = app.comment("auf Seite zwei", None).await;
    let first_page = app.get(&page_path("blog", "/post/", "")).await.text();
    assert!(
        !first_page.contains(&format!("id=\"riposte-{later}\"")),
        "not on the first page"
    );
    let token = aged_token(&app, "blog", "/post/");
    let later_s = later.to_string();
    // Shown again on the first page (limit 1 holds only `first`), the form keeps the parent.
    let r = post_form(
        &app,
        &[
            ("uri", "/post/"),
            ("csrf", &token),
            ("parent", &later_s),
            ("text", "Antwort"),
            ("email", "kaputt"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let page = parse(&r.text());
    let parents: Vec<&str> = page
        .find(|e| e.attr("name") == Some("parent"))
        .iter()
        .filter_map(|e| e.attr("value"))
        .collect();
    assert_eq!(parents, [later_s.as_str()], "the reply's parent survives");
}

#[tokio::test]
async fn a_long_comment_in_a_non_latin_script_fits_the_form() {
    let app = TestApp::new().await;
    let text = "評論".repeat(4_900); // 9,800 characters, 29 KB of UTF-8, 88 KB form-encoded
    let r = post_text(&app, &text, &[]).await;
    let id = anchored(&r);
    assert_eq!(app.record(id).await.text.chars().count(), 9_800);
}

#[tokio::test]
async fn the_fragments_links_keep_its_order_which_the_page_then_follows() {
    let app = TestApp::new().await;
    for i in 0..3 {
        app.comment(&format!("Nummer {i}"), None).await;
    }
    let r = app
        .send(
            Request::get("/api/v1/threads?site=blog&uri=%2Fpost%2F&sort=newest&limit=1&lang=de")
                .header("accept", "text/html")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let root = parse(&r.text());
    let more = root.classed("riposte-more")[0].attr("href").unwrap().to_owned();
    assert!(more.contains("sort=newest") && more.contains("lang=de"), "{more}");
    // The page behind it goes on in that order: the second newest.
    let path = more.trim_start_matches("http://127.0.0.1:8080");
    let page = parse(&app.get(path).await.text());
    let shown: Vec<String> = page
        .classed("riposte-body")
        .iter()
        .map(|e| e.text.trim().to_owned())
        .collect();
    assert_eq!(shown, ["Nummer 1"], "{path}");
}
