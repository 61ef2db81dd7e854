//! Hostile input in mails (CR/LF in names and titles, markup and links in comments) and deliveries that
//! cannot succeed (a bounce, a server that is down, TLS against a plain server, an unusable address).

use riposte::config::SmtpSecurity;
use riposte::domain::notify::{Attempt, Job, Language};
use riposte::notify::mail::Mailer;

use super::{PUBLIC_URL, assert_urls_only_under_public_url, comment, deliver, links, mailer, moderator, reply, smtp};
use crate::helpers::smtp::{SmtpServer, closed_port};

fn unescape(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let entity = rest[i + 1..].split_once(';').map(|(e, _)| e).unwrap_or("");
        let c = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e => e
                .strip_prefix('#')
                .and_then(|n| n.parse::<u32>().ok())
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[i + entity.len() + 2..];
            }
            None => {
                out.push('&');
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_or_title_with_crlf_adds_no_header() {
    let server = SmtpServer::start();
    let hostile = comment(
        "Anna\r\nBcc: author@evil.example",
        "Title\r\nBcc: title@evil.example\r\n\r\nbody",
        "text",
    );
    let mut mails = vec![deliver(&server, &moderator(Language::EN, hostile.clone())).await];
    mails.push(deliver(&server, &reply(hostile)).await);
    let expected = [
        "From",
        "To",
        "Subject",
        "Message-ID",
        "Auto-Submitted",
        "MIME-Version",
        "Date",
        "Content-Type",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
        "Content-Transfer-Encoding",
    ];
    for mail in &mails {
        for (name, _) in &mail.headers {
            assert!(
                expected.iter().any(|e| e.eq_ignore_ascii_case(name)),
                "an injected header: {name:?} in {:?}",
                mail.headers
            );
        }
        assert_eq!(mail.count("Bcc"), 0);
        assert_eq!(mail.count("Subject"), 1);
        let subject = mail.subject();
        assert!(subject.contains("Anna Bcc: author[@]evil[.]example"), "{subject}");
        assert!(!subject.contains(['\r', '\n']));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn comment_markup_and_links_reach_a_mail_only_as_inert_text() {
    let server = SmtpServer::start();
    let text = "<script>alert(1)</script> <a href=\"https://spam.example/buy\">cheap</a> \
                or www.pills.example or mail sales@spam.example";
    let mut c = comment("Visit https://spam.example", "Win at www.spam.example", text);
    c.reason = Some("links to http://spam.example".into());
    for job in [moderator(Language::EN, c.clone()), reply(c)] {
        let mail = deliver(&server, &job).await;
        assert!(!mail.html.contains("<script"), "{}", mail.html);
        assert!(!mail.html.contains("<a href=\"https://spam"), "{}", mail.html);
        let shown = unescape(&mail.html);
        assert!(
            shown.contains("<script>alert(1)</script>"),
            "the markup shows as text: {}",
            mail.html
        );
        assert!(
            shown.contains("<a href=\"https[:]//spam[.]example/buy\">cheap</a>"),
            "{shown}"
        );
        assert!(
            mail.text.contains("<script>alert(1)</script>"),
            "the text part shows the text as written"
        );
        for part in [&mail.text, &mail.html, &mail.subject()] {
            assert!(!part.contains("spam.example"), "a live address in\n{part}");
            assert!(!part.contains("www.pills"), "a live address in\n{part}");
        }
        assert_urls_only_under_public_url(&mail.text);
        assert_urls_only_under_public_url(&mail.html);
        assert!(mail.hrefs().iter().all(|h| h.starts_with(&format!("{PUBLIC_URL}/"))));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bounce_is_a_refusal_and_a_server_down_a_retry() {
    let server = SmtpServer::start();
    let mut job = reply(comment("Bob", "Hello", "Hi"));
    if let Job::Reply { to, .. } = &mut job {
        *to = "bounce-me@mail.example".into();
    }
    match mailer(server.port()).await.send(&job, &links()).await {
        Attempt::Refused(e) => assert!(e.contains("550 5.1.1 mailbox unavailable"), "{e}"),
        other => panic!("a hard bounce is a refusal: {other:?}"),
    }
    assert!(server.messages().is_empty());

    let port = closed_port();
    match mailer(port)
        .await
        .send(&reply(comment("Bob", "Hello", "Hi")), &links())
        .await
    {
        Attempt::Retry(e) => assert!(e.starts_with(&format!("could not connect to 127.0.0.1:{port}:")), "{e}"),
        other => panic!("a server that is down is tried again: {other:?}"),
    }

    let mut tls = smtp(server.port());
    tls.security = SmtpSecurity::Tls;
    match Mailer::new(&tls)
        .unwrap()
        .send(&reply(comment("Bob", "Hello", "Hi")), &links())
        .await
    {
        Attempt::Retry(e) => assert!(
            e.contains("TLS") && e.contains("security = \"tls\" for port 465"),
            "{e}"
        ),
        other => panic!("a TLS failure is the configuration's, tried again: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_address_no_mail_can_go_to_fails_without_a_send() {
    let server = SmtpServer::start();
    let mut job = reply(comment("Bob", "Hello", "Hi"));
    if let Job::Reply { to, .. } = &mut job {
        *to = "reader@mail.example\r\nBcc: x@evil.example".into();
    }
    assert!(matches!(
        mailer(server.port()).await.send(&job, &links()).await,
        Attempt::Failed(_)
    ));
    assert!(server.messages().is_empty());
}
