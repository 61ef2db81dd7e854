//! Notifications: what a site's moderators, its commenters and its webhooks hear of, what each message
//! in the outbox holds, and when a failed delivery is tried again. Pure rules; the store queues the
//! messages in the transaction of the change that caused them, the notify worker delivers them.

mod hooks;
mod job;
mod links;
mod outbox;

pub use hooks::{NewWebhook, Webhook, webhook_body};
pub use job::{Channel, CommentSnapshot, Job, Recipient, Subscription, SubscriptionScope};
pub use links::{CONFIRM_EVERY_MS, LINK_VALID_MS, LinkAction, MailLink};
pub use outbox::{Attempt, CLAIM_MS, DeliveryState, MAX_RETRY_GAP_MS, OutboxItem, Retries, SENT_KEEP_MS};

use serde::{Deserialize, Serialize};

use super::comment::Status;
use super::fields::FieldError;
use crate::i18n::Lang;

/// Which mails a site's moderators get (site setting `notify`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NotifyMode {
    /// A mail for each comment that waits for them.
    #[default]
    Pending,
    /// A mail for each comment that waits and each one published.
    All,
    /// One mail an hour with what came in, when anything did.
    DigestHourly,
    /// One mail a day with what came in, when anything did.
    DigestDaily,
    Off,
}

impl NotifyMode {
    pub const ALL: [Self; 5] = [
        Self::Pending,
        Self::All,
        Self::DigestHourly,
        Self::DigestDaily,
        Self::Off,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::All => "all",
            Self::DigestHourly => "digest-hourly",
            Self::DigestDaily => "digest-daily",
            Self::Off => "off",
        }
    }

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        Self::ALL.into_iter().find(|m| m.as_str() == s).ok_or_else(|| {
            FieldError::new(
                "notify",
                "must be one of pending, all, digest-hourly, digest-daily, off",
            )
        })
    }

    /// How often a digest goes out, in milliseconds; `None` for the modes that mail at once.
    pub fn digest_every_ms(self) -> Option<i64> {
        match self {
            Self::DigestHourly => Some(3_600_000),
            Self::DigestDaily => Some(86_400_000),
            _ => None,
        }
    }

    /// Whether a moderator is mailed at once about a comment that now has `status`.
    pub fn mails_at_once(self, status: Status) -> bool {
        match self {
            Self::Pending => status == Status::Pending,
            Self::All => matches!(status, Status::Pending | Status::Published),
            _ => false,
        }
    }
}

/// The language of a site's mails and pages (site setting `language`): any language of the catalog,
/// written as its code (`en`, `de`, ...), English by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub struct Language(Lang);

impl Language {
    pub const EN: Self = Self(Lang::EN);

    /// Every language, sorted by code.
    pub fn all() -> impl Iterator<Item = Self> {
        Lang::all().map(Self)
    }

    pub fn as_str(self) -> &'static str {
        self.0.as_str()
    }

    pub fn lang(self) -> Lang {
        self.0
    }

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        Lang::parse(s)
            .map(Self)
            .map_err(|e| FieldError::new("language", e.to_string()))
    }
}

impl TryFrom<String> for Language {
    type Error = FieldError;

    fn try_from(s: String) -> Result<Self, FieldError> {
        Self::parse(&s)
    }
}

impl From<Language> for &'static str {
    fn from(l: Language) -> Self {
        l.as_str()
    }
}

/// What happened to a comment, for those who hear of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A visitor's new comment, stored with whatever status the rules gave it.
    Created,
    /// A moderator approved or restored it: it is visible now.
    Published,
    /// Its author or a moderator changed it.
    Edited,
    /// An author's edit sent it back to the moderators.
    Held,
    /// It left the public view or the queue (removed, trashed, marked spam).
    Deleted,
}

/// The webhook events of `change` to a comment whose status was `before` and is `now`.
pub fn events_of(change: Change, before: crate::domain::Status, now: crate::domain::Status) -> Vec<Event> {
    use crate::domain::Status;
    let public = now == Status::Published;
    match change {
        Change::Created if public => vec![Event::Created, Event::Published],
        Change::Created => vec![Event::Created],
        Change::Published if before != Status::Published && public => vec![Event::Published],
        Change::Edited | Change::Held => vec![Event::Edited],
        // Leaving the public view, or the queue: hooks heard of it when it was created.
        Change::Deleted if matches!(before, Status::Published | Status::Pending) => vec![Event::Deleted],
        _ => Vec::new(),
    }
}

/// What a webhook hears of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// A visitor's new comment, whatever became of it (published, held or spam).
    #[serde(rename = "comment.created")]
    Created,
    /// A comment became visible: published at once or approved by a moderator.
    #[serde(rename = "comment.published")]
    Published,
    /// Its author or a moderator changed it.
    #[serde(rename = "comment.edited")]
    Edited,
    /// Its author or a moderator removed it.
    #[serde(rename = "comment.deleted")]
    Deleted,
    /// The admin UI's "send test event".
    #[serde(rename = "test")]
    Test,
}

impl Event {
    /// The events a hook may ask for; `Test` goes to one hook when a moderator asks.
    pub const COMMENT: [Self; 4] = [Self::Created, Self::Published, Self::Edited, Self::Deleted];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "comment.created",
            Self::Published => "comment.published",
            Self::Edited => "comment.edited",
            Self::Deleted => "comment.deleted",
            Self::Test => "test",
        }
    }

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        Self::COMMENT.into_iter().find(|e| e.as_str() == s).ok_or_else(|| {
            FieldError::new(
                "events",
                "each must be one of comment.created, comment.published, comment.edited, comment.deleted",
            )
        })
    }
}

/// Whether an address looks like one a mail can go to; user input reaches headers only after this.
pub fn mailable(address: &str) -> bool {
    !address.is_empty()
        && address.len() <= 254
        && !address
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || matches!(c, '<' | '>' | ',' | ';'))
        && address
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.'))
}

/// A line of user text made safe for a mail header: controls (CR and LF above all) become spaces, and
/// it is cut to `max` characters.
pub fn header_text(s: &str, max: usize) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    match flat.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &flat[..i]),
        None => flat,
    }
}

#[cfg(test)]
mod tests;
