//! A job as a mail: its subject and its text and HTML parts, from askama templates
//! (`server/templates/mail/`, HTML escaped) and the language's [`Words`].
//!
//! Whatever a commenter wrote is shown as plain text only, and made inert first ([`inert`]): a mail
//! client turns addresses in text into links, and a mail from the site must not carry a commenter's
//! link. The only links are those of [`Links`], all under `public_url`.

use std::sync::LazyLock;

use askama::Template;

use super::words::{Words, fill, words};
use crate::domain::notify::{CommentSnapshot, Job, LinkAction, SubscriptionScope, header_text};
use crate::domain::time::rfc3339;
use crate::notify::Links;

/// The longest piece of user text a subject carries.
const SUBJECT_PART: usize = 60;

/// A mail, ready to be put in an envelope.
#[derive(Debug)]
pub struct Rendered {
    /// One line, no controls: safe for the header.
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The unsubscribe link, for `List-Unsubscribe` (reply notifications only).
    pub unsubscribe: Option<String>,
}

/// A comment as a mail shows it: every field plain text, made inert.
pub struct CommentView {
    pub page: String,
    pub uri: String,
    pub author: String,
    pub written: String,
    pub status: String,
    pub reason: Option<String>,
    pub text: String,
    pub admin: String,
}

/// A signed link with its label.
pub struct Action {
    pub label: &'static str,
    pub url: String,
}

/// What every mail's template shares.
pub struct Frame {
    pub t: &'static Words,
    pub subject: String,
    pub intro: String,
    pub footer: String,
}

pub struct ModeratorMail {
    pub f: Frame,
    pub c: CommentView,
    pub actions: Vec<Action>,
}

pub struct DigestMail {
    pub f: Frame,
    pub comments: Vec<CommentView>,
    pub queue: String,
}

pub struct ConfirmMail {
    pub f: Frame,
    pub confirm: String,
}

pub struct ReplyMail {
    pub f: Frame,
    pub c: CommentView,
    pub unsubscribe: String,
    pub unsubscribe_note: String,
}

macro_rules! parts {
    ($data:ty, $text:ident = $text_path:literal, $html:ident = $html_path:literal) => {
        #[derive(Template)]
        #[template(path = $text_path)]
        struct $text<'a> {
            m: &'a $data,
        }

        #[derive(Template)]
        #[template(path = $html_path)]
        struct $html<'a> {
            m: &'a $data,
        }
    };
}

parts!(
    ModeratorMail,
    ModeratorText = "mail/moderator.txt",
    ModeratorHtml = "mail/moderator.html"
);
parts!(
    DigestMail,
    DigestText = "mail/digest.txt",
    DigestHtml = "mail/digest.html"
);
parts!(
    ConfirmMail,
    ConfirmText = "mail/confirm.txt",
    ConfirmHtml = "mail/confirm.html"
);
parts!(ReplyMail, ReplyText = "mail/reply.txt", ReplyHtml = "mail/reply.html");

static FINDER: LazyLock<linkify::LinkFinder> = LazyLock::new(|| {
    let mut f = linkify::LinkFinder::new();
    f.url_must_have_scheme(false);
    f
});

/// User text with every address in it broken the way abuse reports write them (`https[:]//spam[.]example`,
/// `anna[@]mail[.]example`): still readable, but no mail client makes a link of it.
pub fn inert(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    let mut last = 0;
    for link in FINDER.links(s) {
        out.push_str(&s[last..link.start()]);
        out.push_str(
            &link
                .as_str()
                .replace("://", "[:]//")
                .replace('.', "[.]")
                .replace('@', "[@]"),
        );
        last = link.end();
    }
    out.push_str(&s[last..]);
    out
}

/// A piece of user text for a subject: inert, one line, cut short.
fn subject_part(s: &str) -> String {
    header_text(&inert(s), SUBJECT_PART)
}

fn view(c: &CommentSnapshot, t: &Words, links: &Links) -> CommentView {
    let title = c.title.as_deref().map(str::trim).filter(|s| !s.is_empty());
    CommentView {
        page: inert(&header_text(title.unwrap_or(&c.uri), 200)),
        uri: inert(&c.uri),
        author: author(c, t),
        written: rfc3339(c.created),
        status: t.status_word(&c.status).to_owned(),
        reason: c.reason.as_deref().map(inert),
        text: inert(&c.text),
        admin: links.admin_comment(c.id),
    }
}

fn author(c: &CommentSnapshot, t: &Words) -> String {
    match c.author.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(a) => inert(&header_text(a, 100)),
        None => t.anonymous.to_owned(),
    }
}

/// The page a subject names: its title, or its path.
fn subject_page(title: Option<&str>, uri: &str) -> String {
    subject_part(title.map(str::trim).filter(|s| !s.is_empty()).unwrap_or(uri))
}

fn frame(t: &'static Words, subject: String, intro: String, site: &str) -> Frame {
    Frame {
        t,
        subject,
        intro,
        footer: fill(t.footer, &[("site", site)]),
    }
}

/// The mail of `job` (not a webhook), with the moderators' links valid from `now`.
pub fn render(job: &Job, links: &Links, now: i64) -> Result<Rendered, askama::Error> {
    match job {
        Job::Moderator { to, language, comment } => {
            let t = words(*language);
            let site = header_text(&comment.site_name, SUBJECT_PART);
            let pending = comment.status == "pending";
            let values = [
                ("site", site.as_str()),
                ("author", &subject_part(&author(comment, t))),
                ("page", &subject_page(comment.title.as_deref(), &comment.uri)),
            ];
            let (subject, intro) = match pending {
                true => (t.subject_pending, t.intro_pending),
                false => (t.subject_published, t.intro_published),
            };
            let actions = [
                (LinkAction::Approve, t.approve),
                (LinkAction::Spam, t.spam),
                (LinkAction::Delete, t.delete),
            ]
            .into_iter()
            .filter(|(a, _)| pending || *a != LinkAction::Approve)
            .map(|(a, label)| Action {
                label,
                url: links.moderate(to, comment, a, now),
            })
            .collect();
            let m = ModeratorMail {
                f: frame(t, fill(subject, &values), fill(intro, &values), &site),
                c: view(comment, t, links),
                actions,
            };
            finish(&m.f, ModeratorText { m: &m }, ModeratorHtml { m: &m }, None)
        }
        Job::Digest {
            language,
            site_name,
            since,
            comments,
            ..
        } => {
            let t = words(*language);
            let site = header_text(site_name, SUBJECT_PART);
            let n = comments.len().to_string();
            let values = [("site", site.as_str()), ("n", &n), ("since", &rfc3339(*since))];
            let subject = t.subject_digest(comments.len());
            let m = DigestMail {
                f: frame(t, fill(subject, &values), fill(t.intro_digest, &values), &site),
                comments: comments.iter().map(|c| view(c, t, links)).collect(),
                queue: links.queue(),
            };
            finish(&m.f, DigestText { m: &m }, DigestHtml { m: &m }, None)
        }
        Job::Confirm {
            subscription,
            language,
            site_name,
            uri,
            title,
            created,
            ..
        } => {
            let t = words(*language);
            let site = header_text(site_name, SUBJECT_PART);
            let page = inert(&header_text(
                title.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or(uri),
                200,
            ));
            let values = [("site", site.as_str()), ("page", &page)];
            let m = ConfirmMail {
                f: frame(
                    t,
                    fill(t.subject_confirm, &values),
                    fill(t.intro_confirm, &values),
                    &site,
                ),
                confirm: links.confirm(*subscription, *created),
            };
            finish(&m.f, ConfirmText { m: &m }, ConfirmHtml { m: &m }, None)
        }
        Job::Reply {
            subscription,
            created,
            language,
            scope,
            comment,
            ..
        } => {
            let t = words(*language);
            let site = header_text(&comment.site_name, SUBJECT_PART);
            let name = author(comment, t);
            let values = [
                ("site", site.as_str()),
                ("author", &subject_part(&name)),
                ("page", &subject_page(comment.title.as_deref(), &comment.uri)),
            ];
            let (subject, intro) = match scope {
                SubscriptionScope::Replies => (t.subject_reply, t.intro_reply),
                SubscriptionScope::Page => (t.subject_page, t.intro_page),
            };
            let unsubscribe = links.unsubscribe(*subscription, *created);
            let m = ReplyMail {
                f: frame(
                    t,
                    fill(subject, &values),
                    fill(intro, &[("site", &site), ("author", &name)]),
                    &site,
                ),
                c: view(comment, t, links),
                unsubscribe_note: fill(t.unsubscribe_note, &[("site", &site)]),
                unsubscribe: unsubscribe.clone(),
            };
            finish(&m.f, ReplyText { m: &m }, ReplyHtml { m: &m }, Some(unsubscribe))
        }
        Job::Webhook { .. } => Err(askama::Error::Custom("a webhook is not a mail".into())),
    }
}

fn finish(
    f: &Frame,
    text: impl Template,
    html: impl Template,
    unsubscribe: Option<String>,
) -> Result<Rendered, askama::Error> {
    Ok(Rendered {
        subject: header_text(&f.subject, 200),
        text: text.render()?,
        html: html.render()?,
        unsubscribe,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::domain::notify::{Language, Recipient};
    use crate::keys::Keys;

    fn snapshot(id: i64) -> CommentSnapshot {
        CommentSnapshot {
            id,
            site: "blog".into(),
            site_name: "Blog".into(),
            uri: "/post/".into(),
            title: None,
            parent: None,
            status: "pending".into(),
            author: None,
            website: None,
            html: String::new(),
            text: "Hello".into(),
            reason: None,
            created: 0,
        }
    }

    fn digest(code: &str, n: i64) -> Rendered {
        let job = Job::Digest {
            to: Recipient {
                moderator_id: 1,
                created: 0,
                name: "Mod".into(),
                email: "mod@blog.example".into(),
            },
            language: Language::parse(code).unwrap(),
            site: "blog".into(),
            site_name: "Blog".into(),
            since: 0,
            comments: (0..n).map(snapshot).collect(),
        };
        let links = Links::new(
            "https://c.example".into(),
            Arc::new(Keys::new("a secret long enough for links")),
        );
        render(&job, &links, 0).unwrap()
    }

    #[test]
    fn a_digest_counts_by_the_plural_rules_and_the_html_has_the_direction() {
        assert_eq!(digest("en", 1).subject, "[Blog] 1 new comment");
        assert_eq!(digest("en", 3).subject, "[Blog] 3 new comments");
        assert_eq!(digest("de", 1).subject, "[Blog] 1 neuer Kommentar");
        assert_eq!(digest("de", 2).subject, "[Blog] 2 neue Kommentare");
        let html = digest("de", 1).html;
        assert!(html.contains(r#"<html lang="de" dir="ltr">"#), "{html}");
        assert!(html.contains("wartet auf Freigabe"), "the status in words");
        // Arabic has six forms; Hebrew has one for two.
        assert_eq!(digest("ar", 1).subject, "[Blog] تعليق جديد واحد");
        assert_eq!(digest("ar", 3).subject, "[Blog] 3 تعليقات جديدة");
        assert_eq!(digest("ar", 11).subject, "[Blog] 11 تعليقًا جديدًا");
        assert_eq!(digest("he", 2).subject, "[Blog] שתי תגובות חדשות");
        for rtl in ["ar", "he"] {
            let html = digest(rtl, 1).html;
            assert!(html.contains(&format!(r#"<html lang="{rtl}" dir="rtl">"#)), "{html}");
        }
    }

    #[test]
    fn addresses_in_user_text_are_made_inert() {
        let s = inert("see https://spam.example/x and www.pills.example or mail me@spam.example.");
        assert!(!s.contains("https://"), "{s}");
        assert!(!s.contains("spam.example"), "{s}");
        assert!(!s.contains("www.pills"), "{s}");
        assert!(s.contains("https[:]//spam[.]example/x"), "{s}");
        assert_eq!(inert("no links here, e.g. this."), "no links here, e.g. this.");
    }
}
