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
    /// The commenter proved an earlier published comment on this site to be theirs.
    pub returning: bool,
    pub has_email: bool,
    /// Why the form's bot traps fired, if they did.
    pub trap: Option<&'a str>,
    /// The learning filter's explanation, when it scored the comment as spam.
    pub spam: Option<&'a str>,
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
    if let Some(trap) = facts.trap {
        return Verdict::held(Status::Spam, trap);
    }
    if let Some(reason) = content_rule(site, facts.html, facts.fields) {
        return Verdict::held(Status::Pending, reason);
    }
    // Held for a moderator, not sent to spam: a moderator's "approve" then teaches the filter its mistake.
    if let Some(reason) = facts.spam {
        return Verdict::held(Status::Pending, reason);
    }
    match site.moderation {
        Moderation::None => Verdict {
            status: Status::Published,
            reason: None,
        },
        Moderation::All => Verdict::held(Status::Pending, "the site holds every comment"),
        Moderation::FirstTime if facts.returning => Verdict {
            status: Status::Published,
            reason: None,
        },
        Moderation::FirstTime if facts.has_email => Verdict::held(Status::Pending, "first comment from this commenter"),
        Moderation::FirstTime => Verdict::held(Status::Pending, "first comment from this commenter (no email given)"),
    }
}

/// What an author's edit does to a comment's state: the content rules again for a published comment, and
/// under `all` moderation any change of a published comment goes back to the queue; a banned editor's comment
/// goes to spam; a held or spam comment stays where it is (an edit never moves spam into the queue).
/// `spam` is the learning filter's reason when it scores the edited comment as spam.
pub fn after_edit(
    site: &Site,
    status: Status,
    banned: bool,
    spam: Option<&str>,
    html: &str,
    fields: [&str; 3],
) -> Option<Verdict> {
    if banned {
        return (status != Status::Spam).then(|| Verdict::held(Status::Spam, "banned commenter"));
    }
    if status != Status::Published {
        return None;
    }
    if let Some(reason) = content_rule(site, html, fields).or_else(|| spam.map(str::to_owned)) {
        return Some(Verdict::held(Status::Pending, reason));
    }
    (site.moderation == Moderation::All).then(|| Verdict::held(Status::Pending, "edited; the site holds every comment"))
}

/// The widget form's bot traps: a filled honeypot field, or a form sent faster than a person types.
pub const MIN_FILL_MS: i64 = 1500;

pub fn trap(honeypot: Option<&str>, fill_ms: Option<i64>) -> Option<String> {
    if honeypot.is_some_and(|h| !h.trim().is_empty()) {
        return Some("bot trap: the hidden form field was filled".into());
    }
    match fill_ms {
        Some(ms) if ms < MIN_FILL_MS => Some(format!("bot trap: the form was sent {ms} ms after it was shown")),
        _ => None,
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
            pow: crate::domain::pow::Pow::Off,
            notify: Default::default(),
            language: Default::default(),
            sort: Default::default(),
            close_after_days: None,
        }
    }

    fn facts(html: &str) -> Facts<'_> {
        Facts {
            html,
            fields: ["text", "Anna", ""],
            banned: false,
            returning: false,
            has_email: false,
            trap: None,
            spam: None,
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
        known.returning = true;
        known.has_email = true;
        assert_eq!(decide(&site(Moderation::FirstTime), &known).status, Status::Published);
        known.trap = Some("bot trap");
        assert_eq!(decide(&site(Moderation::None), &known).status, Status::Spam);
    }

    #[test]
    fn edits_keep_spam_out_of_the_queue_and_re_hold_under_all() {
        let f = ["text", "", ""];
        let none = site(Moderation::None);
        let three = r#"<a href="x">1</a><a href="y">2</a><a href="z">3</a>"#;
        // A spam comment edited into a rule break stays spam (before: moved to the queue).
        assert_eq!(after_edit(&none, Status::Spam, false, None, three, f), None);
        assert_eq!(after_edit(&none, Status::Pending, false, None, three, f), None);
        assert_eq!(
            after_edit(&none, Status::Published, false, None, three, f)
                .unwrap()
                .status,
            Status::Pending
        );
        assert_eq!(after_edit(&none, Status::Published, false, None, "<p>ok</p>", f), None);
        let all = site(Moderation::All);
        assert_eq!(
            after_edit(&all, Status::Published, false, None, "<p>ok</p>", f)
                .unwrap()
                .status,
            Status::Pending
        );
        assert_eq!(
            after_edit(&none, Status::Published, true, None, "<p>ok</p>", f)
                .unwrap()
                .status,
            Status::Spam
        );
        assert_eq!(after_edit(&none, Status::Spam, true, None, "<p>ok</p>", f), None);
        let spam = Some("spam score 0.99 (casino)");
        assert_eq!(
            after_edit(&none, Status::Published, false, spam, "<p>ok</p>", f)
                .unwrap()
                .status,
            Status::Pending
        );
        assert_eq!(after_edit(&none, Status::Pending, false, spam, "<p>ok</p>", f), None);
    }

    #[test]
    fn traps() {
        assert!(trap(Some("http://spam.example"), Some(9000)).is_some());
        assert!(trap(Some("  "), Some(9000)).is_none());
        assert!(trap(None, Some(300)).unwrap().contains("300 ms"));
        assert!(trap(None, Some(MIN_FILL_MS)).is_none());
        assert!(trap(None, None).is_none(), "API clients send neither");
    }
}
