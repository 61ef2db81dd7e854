//! What the outbox holds: one message per job, with everything its delivery needs.

use serde::{Deserialize, Serialize};

use super::{Event, Language};

/// What a message says about one comment, copied when it was queued: the mail shows the comment as it
/// was then, even after a moderator acted on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentSnapshot {
    pub id: i64,
    pub site: String,
    pub site_name: String,
    pub uri: String,
    pub title: Option<String>,
    pub parent: Option<i64>,
    /// `published`, `pending`, `spam` or `deleted`.
    pub status: String,
    pub author: Option<String>,
    pub website: Option<String>,
    /// The sanitized HTML rendered when the comment was written.
    pub html: String,
    /// The Markdown source, for plain-text mails.
    pub text: String,
    /// Why it was held, when it was.
    pub reason: Option<String>,
    /// Milliseconds since the epoch.
    pub created: i64,
}

/// Which new comments a commenter's subscription mails them about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SubscriptionScope {
    /// Direct replies to their comment.
    #[default]
    Replies,
    /// Every new comment on the page.
    Page,
}

impl SubscriptionScope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Replies => "replies",
            Self::Page => "page",
        }
    }

    pub fn from_stored(s: &str) -> Self {
        match s {
            "page" => Self::Page,
            _ => Self::Replies,
        }
    }
}

/// A commenter's subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: i64,
    pub site: String,
    pub site_name: String,
    pub language: Language,
    pub email: String,
    pub scope: SubscriptionScope,
    pub uri: String,
    pub title: Option<String>,
    /// The comment whose replies it is about (scope `replies`).
    pub comment: Option<i64>,
    pub created: i64,
    /// When its address was confirmed for the site; nothing is mailed before.
    pub confirmed: Option<i64>,
}

/// A moderator who hears of a site's comments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    pub moderator_id: i64,
    /// When the account was made (its mail links are bound to it).
    pub created: i64,
    pub name: String,
    pub email: String,
}

/// One message in the outbox: everything its delivery needs, so that it survives restarts as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// A moderator hears of one comment: held for them, or published (under `notify = "all"`). The mail
    /// carries Approve / Spam / Delete links signed for this moderator.
    Moderator {
        to: Recipient,
        language: Language,
        comment: CommentSnapshot,
    },
    /// A moderator's hourly or daily summary of a site's new comments since `since`.
    Digest {
        to: Recipient,
        language: Language,
        site: String,
        site_name: String,
        since: i64,
        comments: Vec<CommentSnapshot>,
    },
    /// The double opt-in: asks the address to confirm subscription `subscription`.
    Confirm {
        subscription: i64,
        to: String,
        language: Language,
        site_name: String,
        uri: String,
        title: Option<String>,
        /// When the subscription was made (its confirmation link is signed over it).
        created: i64,
    },
    /// A confirmed subscriber hears of a new published comment (a reply to theirs, or one on the page).
    Reply {
        subscription: i64,
        /// When the subscription was made (its unsubscribe link is signed over it).
        created: i64,
        to: String,
        language: Language,
        scope: SubscriptionScope,
        comment: CommentSnapshot,
    },
    /// A webhook's POST: `body` is the exact JSON text sent and signed.
    Webhook {
        hook: i64,
        url: String,
        event: Event,
        body: String,
    },
}

/// How a message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Mail,
    Webhook,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mail => "mail",
            Self::Webhook => "webhook",
        }
    }
}

impl Job {
    pub fn channel(&self) -> Channel {
        match self {
            Self::Webhook { .. } => Channel::Webhook,
            _ => Channel::Mail,
        }
    }

    /// The address or URL it goes to.
    pub fn target(&self) -> &str {
        match self {
            Self::Moderator { to, .. } | Self::Digest { to, .. } => &to.email,
            Self::Confirm { to, .. } | Self::Reply { to, .. } => to,
            Self::Webhook { url, .. } => url,
        }
    }

    /// A short description for the admin UI's delivery list.
    pub fn summary(&self) -> String {
        match self {
            Self::Moderator { comment, .. } => format!("comment #{} ({})", comment.id, comment.status),
            Self::Digest { comments, .. } => format!("digest of {} comments", comments.len()),
            Self::Confirm { subscription, .. } => format!("confirmation of subscription #{subscription}"),
            Self::Reply { comment, .. } => format!("new comment #{}", comment.id),
            Self::Webhook { event, .. } => event.as_str().to_owned(),
        }
    }
}
