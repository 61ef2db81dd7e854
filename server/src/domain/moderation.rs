//! Whether a new or edited comment is published, held for a moderator, or silently sent to spam, and why.

use super::comment::Status;
use super::site::{Moderation, Site};
use super::time::DAY_MS;

/// Comments in the trash are purged after this long.
pub const TRASH_KEEP_MS: i64 = 30 * DAY_MS;
/// IP hashes stay with a comment this long.
pub const IP_HASH_KEEP_MS: i64 = 90 * DAY_MS;

/// What the rules need to know about a comment and its author.
pub struct Facts<'a> {
    pub html: &'a str,
    /// Text, author and website, searched for blocked words.
    pub fields: [&'a str; 3],
    /// The author's email or IP hash is banned on this site.
    pub banned: bool,
    /// The author's email already has a published comment on this site.
    pub known_email: bool,
    pub has_email: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub status: Status,
    /// Why the comment was held, shown to moderators in the queue.
    pub reason: Option<String>,
}

impl Verdict {
    fn held(status: Status, reason: impl Into<String>) -> Self {
        Self {
            status,
            reason: Some(reason.into()),
        }
    }
}

pub fn links_in(html: &str) -> i64 {
    html.matches("<a ").count() as i64
}

/// The content rules alone (links, blocked words), which also apply when an author edits.
pub fn content_rule(site: &Site, html: &str, fields: [&str; 3]) -> Option<String> {
    let links = links_in(html);
    if links > site.max_links {
        return Some(format!("{links} links (more than {})", site.max_links));
    }
    let haystack: Vec<String> = fields.iter().map(|f| f.to_lowercase()).collect();
    site.blocked_words
        .iter()
        .find(|w| haystack.iter().any(|h| h.contains(w.as_str())))
        .map(|w| format!("blocked word \"{w}\""))
}

pub fn decide(site: &Site, facts: &Facts<'_>) -> Verdict {
    // A banned commenter sees the same answer as a held one, so bans are not probed.
    if facts.banned {
        return Verdict::held(Status::Spam, "banned commenter");
    }
    if let Some(reason) = content_rule(site, facts.html, facts.fields) {
        return Verdict::held(Status::Pending, reason);
    }
    match site.moderation {
        Moderation::None => Verdict {
            status: Status::Published,
            reason: None,
        },
        Moderation::All => Verdict::held(Status::Pending, "the site holds every comment"),
        Moderation::FirstTime if facts.known_email => Verdict {
            status: Status::Published,
            reason: None,
        },
        Moderation::FirstTime if facts.has_email => Verdict::held(Status::Pending, "first comment with this email"),
        Moderation::FirstTime => Verdict::held(Status::Pending, "no email given"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(moderation: Moderation) -> Site {
        Site {
            id: "s".into(),
            name: "s".into(),
            moderation,
            origins: vec![],
            max_links: 2,
            blocked_words: vec!["casino".into(), "cheap pills".into()],
        }
    }

    fn facts(html: &str) -> Facts<'_> {
        Facts {
            html,
            fields: ["text", "Anna", ""],
            banned: false,
            known_email: false,
            has_email: false,
        }
    }

    #[test]
    fn rules_in_order() {
        let s = site(Moderation::None);
        assert_eq!(decide(&s, &facts("<p>hi</p>")).status, Status::Published);
        let three = r#"<a href="x">1</a><a href="y">2</a><a href="z">3</a>"#;
        let v = decide(&s, &facts(three));
        assert_eq!(v.status, Status::Pending);
        assert!(v.reason.unwrap().contains("3 links"));
        let mut f = facts("<p>ok</p>");
        f.fields = ["Best CASINO in town", "", ""];
        assert!(decide(&s, &f).reason.unwrap().contains("casino"));
        f.banned = true;
        assert_eq!(decide(&s, &f).status, Status::Spam);
        assert_eq!(
            decide(&site(Moderation::All), &facts("<p>x</p>")).status,
            Status::Pending
        );
        let mut known = facts("<p>x</p>");
        known.known_email = true;
        known.has_email = true;
        assert_eq!(decide(&site(Moderation::FirstTime), &known).status, Status::Published);
    }
}
