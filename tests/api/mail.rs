//! Notification mails through a real SMTP server (aiosmtpd on loopback): every kind of mail with its
//! headers and both parts, in English and German; hostile names, titles and comment text; bounces and
//! a server that is down (`hostile.rs`); and `riposte mail test` through the real binary (`cli.rs`).

use std::sync::Arc;
use std::time::Duration;

use riposte::domain::notify::{
    Attempt, CommentSnapshot, Job, Language, LinkAction, MailLink, Recipient, SubscriptionScope,
};
use riposte::keys::Keys;
use riposte::notify::Links;
use riposte::notify::mail::Mailer;

use crate::helpers::smtp::{Mail, SmtpServer};

mod cli;
mod hostile;
mod worker;

const PUBLIC_URL: &str = "https://comments.blog.example";
const WAIT: Duration = Duration::from_secs(30);
const CREATED: i64 = 1_780_000_000_000;

use crate::helpers::smtp::config as smtp;

fn keys() -> Arc<Keys> {
    Arc::new(Keys::new("a test secret that is long enough for the links"))
}

fn links() -> Links {
    Links::new(PUBLIC_URL.into(), keys())
}

fn comment(author: &str, title: &str, text: &str) -> CommentSnapshot {
    CommentSnapshot {
        id: 42,
        site: "blog".into(),
        site_name: "Ein Blog".into(),
        uri: "/posts/hello".into(),
        title: Some(title.into()),
        parent: Some(7),
        status: "pending".into(),
        author: Some(author.into()),
        website: Some("https://anna.example".into()),
        html: "<p>IGNORED-HTML</p>".into(),
        text: text.into(),
        reason: Some("first comment from this address".into()),
        created: CREATED,
    }
}

fn moderator(language: Language, c: CommentSnapshot) -> Job {
    Job::Moderator {
        to: Recipient {
            moderator_id: 3,
            created: 1_700_000_000_000,
            name: "Mod\r\nBcc: name@evil.example".into(),
            email: "mod@blog.example".into(),
        },
        language,
        comment: c,
    }
}

fn reply(c: CommentSnapshot) -> Job {
    Job::Reply {
        subscription: 11,
        created: CREATED - 5_000,
        to: "reader@mail.example".into(),
        language: Language::EN,
        scope: SubscriptionScope::Replies,
        comment: c,
    }
}

async fn mailer(port: u16) -> Mailer {
    Mailer::new(&smtp(port)).unwrap()
}

/// Sends `job` and returns the one message it delivered.
async fn deliver(server: &SmtpServer, job: &Job) -> Mail {
    let before = server.messages().len();
    let attempt = mailer(server.port()).await.send(job, &links()).await;
    assert_eq!(attempt, Attempt::Sent);
    let all = server.wait_for(before + 1, WAIT);
    Mail::parse(&all[before])
}

/// Every URL in `s` (anything that follows `://`) lies under the public URL.
fn assert_urls_only_under_public_url(s: &str) {
    let mut rest = s;
    while let Some(i) = rest.find("://") {
        let start = rest[..i]
            .rfind(|c: char| !c.is_ascii_alphanumeric())
            .map_or(0, |j| j + 1);
        assert!(
            rest[start..].starts_with(&format!("{PUBLIC_URL}/")),
            "a URL not under {PUBLIC_URL}: {:?}",
            &rest[start..(i + 40).min(rest.len())]
        );
        rest = &rest[i + 3..];
    }
}

/// HTML text as a reader sees it: the entities askama's escaping writes, decoded.
fn assert_common_headers(mail: &Mail, to: &str) {
    assert_eq!(
        mail.header("From").as_deref(),
        Some("\"Ein Blog\" <riposte@blog.example>")
    );
    let sent_to = mail.header("To").unwrap();
    assert!(
        sent_to == to || sent_to == format!("<{to}>"),
        "To carries the bare address only: {sent_to:?}"
    );
    assert_eq!(mail.header("Auto-Submitted").as_deref(), Some("auto-generated"));
    assert!(mail.header("Message-ID").is_some());
    assert!(mail.header("Date").is_some());
    assert!(
        mail.content_type.starts_with("multipart/alternative"),
        "{}",
        mail.content_type
    );
    assert!(
        !mail.text.is_empty() && mail.html.contains("<html"),
        "both parts are there"
    );
    assert!(
        !mail.html.contains("IGNORED-HTML"),
        "the comment's HTML never reaches a mail"
    );
    assert!(!mail.text.contains("IGNORED-HTML"));
    assert_urls_only_under_public_url(&mail.text);
    assert_urls_only_under_public_url(&mail.html);
}

fn token_of(url: &str) -> MailLink {
    let token = url.rsplit('/').next().unwrap();
    keys().verify_link(token).expect("a link signed by the server").0
}

#[tokio::test(flavor = "multi_thread")]
async fn a_moderator_mail_holds_the_comment_and_signed_action_links() {
    let server = SmtpServer::start();
    let job = moderator(Language::EN, comment("Anna", "Hello world", "First!\nSecond line."));
    let mail = deliver(&server, &job).await;
    assert_common_headers(&mail, "mod@blog.example");
    assert_eq!(
        mail.subject(),
        "[Ein Blog] New comment by Anna waiting for approval on Hello world"
    );
    for part in [&mail.text, &mail.html] {
        for needle in [
            "Hello world",
            "/posts/hello",
            "Anna",
            "first comment from this address",
            "First!",
        ] {
            assert!(part.contains(needle), "{needle} missing from\n{part}");
        }
    }
    assert!(mail.html.contains("white-space:pre-wrap"));
    let hrefs = mail.hrefs();
    let actions: Vec<MailLink> = hrefs
        .iter()
        .filter(|h| h.contains("/admin/mail/"))
        .map(|h| token_of(h))
        .collect();
    let kinds: Vec<LinkAction> = actions
        .iter()
        .map(|l| match l {
            MailLink::Moderate {
                moderator,
                comment,
                action,
                ..
            } => {
                assert_eq!((*moderator, *comment), (3, 42));
                *action
            }
            other => panic!("not a moderator's link: {other:?}"),
        })
        .collect();
    assert_eq!(kinds, [LinkAction::Approve, LinkAction::Spam, LinkAction::Delete]);
    assert!(hrefs.contains(&format!("{PUBLIC_URL}/admin/comments/42")), "{hrefs:?}");
    for h in &hrefs {
        assert!(mail.text.contains(h.as_str()), "the text part carries {h} too");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_published_comment_mail_offers_no_approve_link() {
    let server = SmtpServer::start();
    let mut c = comment("Anna", "Hello world", "Fine post.");
    c.status = "published".into();
    c.reason = None;
    let mail = deliver(&server, &moderator(Language::EN, c)).await;
    assert_eq!(mail.subject(), "[Ein Blog] New comment by Anna on Hello world");
    let approve = mail.hrefs().iter().filter(|h| h.contains("/admin/mail/")).any(|h| {
        matches!(
            token_of(h),
            MailLink::Moderate {
                action: LinkAction::Approve,
                ..
            }
        )
    });
    assert!(!approve);
    assert!(!mail.text.contains("Held because"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_digest_lists_each_comment_with_its_admin_link_and_the_queue() {
    let server = SmtpServer::start();
    let mut second = comment("Bob", "Other post", "Second comment.");
    second.id = 43;
    second.status = "published".into();
    let job = Job::Digest {
        to: Recipient {
            moderator_id: 3,
            created: 1_700_000_000_000,
            name: "Mod".into(),
            email: "mod@blog.example".into(),
        },
        language: Language::EN,
        site: "blog".into(),
        site_name: "Ein Blog".into(),
        since: CREATED - 3_600_000,
        comments: vec![comment("Anna", "Hello world", "First comment."), second],
    };
    let mail = deliver(&server, &job).await;
    assert_common_headers(&mail, "mod@blog.example");
    assert_eq!(mail.subject(), "[Ein Blog] 2 new comments");
    let hrefs = mail.hrefs();
    for want in ["/admin/comments/42", "/admin/comments/43", "/admin"] {
        assert!(hrefs.contains(&format!("{PUBLIC_URL}{want}")), "{want} in {hrefs:?}");
    }
    for part in [&mail.text, &mail.html] {
        assert!(part.contains("First comment.") && part.contains("Second comment."));
        assert!(part.contains("waiting for approval") && part.contains("published"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_confirmation_mail_asks_once_with_a_signed_link() {
    let server = SmtpServer::start();
    let job = Job::Confirm {
        subscription: 11,
        to: "reader@mail.example".into(),
        language: Language::EN,
        site_name: "Ein Blog".into(),
        uri: "/posts/hello".into(),
        title: Some("Hello world".into()),
        created: CREATED,
    };
    let mail = deliver(&server, &job).await;
    assert_common_headers(&mail, "reader@mail.example");
    assert_eq!(mail.subject(), "[Ein Blog] Please confirm your reply notifications");
    assert_eq!(mail.header("List-Unsubscribe"), None, "nothing to unsubscribe from yet");
    let confirm: Vec<String> = mail
        .hrefs()
        .into_iter()
        .filter(|h| h.contains("/notify/confirm/"))
        .collect();
    assert_eq!(confirm.len(), 1);
    assert_eq!(
        token_of(&confirm[0]),
        MailLink::Confirm {
            subscription: 11,
            created: CREATED
        }
    );
    for part in [&mail.text, &mail.html] {
        assert!(part.contains("ignore this mail"), "{part}");
        assert!(part.contains("Hello world"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_mail_carries_the_one_click_unsubscribe_headers() {
    let server = SmtpServer::start();
    let mail = deliver(&server, &reply(comment("Bob", "Hello world", "I disagree."))).await;
    assert_common_headers(&mail, "reader@mail.example");
    assert_eq!(mail.subject(), "[Ein Blog] Bob replied to your comment on Hello world");
    let url = links().unsubscribe(11, CREATED - 5_000);
    assert_eq!(mail.header("List-Unsubscribe"), Some(format!("<{url}>")));
    assert_eq!(
        mail.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    assert_eq!(
        token_of(&url),
        MailLink::Unsubscribe {
            subscription: 11,
            created: CREATED - 5_000
        }
    );
    assert!(mail.hrefs().contains(&url));
    assert!(mail.text.contains(&url));
    assert!(mail.text.contains("I disagree."));
    assert!(
        !mail.hrefs().iter().any(|h| h.contains("/admin")),
        "a commenter gets no admin links"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn german_sites_get_german_mails() {
    let server = SmtpServer::start();
    let mail = deliver(
        &server,
        &moderator(Language::parse("de").unwrap(), comment("Anna", "Grüße", "Hallo!")),
    )
    .await;
    assert_eq!(
        mail.subject(),
        "[Ein Blog] Neuer Kommentar von Anna wartet auf Freigabe: Grüße"
    );
    for part in [&mail.text, &mail.html] {
        for needle in ["Freigeben", "Löschen", "Zurückgehalten, weil", "Hallo!", "Grüße"] {
            assert!(part.contains(needle), "{needle} missing from\n{part}");
        }
        assert!(!part.contains("Approve"), "no English left in\n{part}");
    }
    assert!(mail.html.contains("lang=\"de\""));
}
