//! Notifications: what a site's moderators, its commenters and its webhooks hear of, what each message
//! in the outbox holds, and when a failed delivery is tried again. Pure rules; the store queues the
//! messages in the transaction of the change that caused them, the notify worker delivers them.

use serde::{Deserialize, Serialize};

use super::comment::Status;
use super::fields::FieldError;

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

/// The language of a site's mails and pages (site setting `language`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    De,
}

impl Language {
    pub const ALL: [Self; 2] = [Self::En, Self::De];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
        }
    }

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| FieldError::new("language", "must be one of en, de"))
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

/// A site's webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: i64,
    pub site: String,
    pub url: String,
    pub secret: String,
    /// The events it receives; all comment events when empty.
    pub events: Vec<Event>,
    /// Written from the configuration file (replaced at every start) rather than the admin UI.
    pub from_config: bool,
    /// Why sends to it stopped (a 410 Gone), if they did.
    pub disabled: Option<String>,
    pub created: i64,
}

impl Webhook {
    pub fn wants(&self, event: Event) -> bool {
        self.disabled.is_none() && (self.events.is_empty() || self.events.contains(&event))
    }
}

/// A webhook to be written: from the configuration file or the admin UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebhook {
    pub url: String,
    pub secret: String,
    pub events: Vec<Event>,
}

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

/// A comment as webhooks receive it: what the public may see, plus its status and why it was held;
/// never an email or an IP hash.
#[derive(Serialize)]
struct HookComment<'a> {
    id: i64,
    site: &'a str,
    uri: &'a str,
    title: Option<&'a str>,
    parent: Option<i64>,
    status: &'a str,
    author: Option<&'a str>,
    website: Option<&'a str>,
    html: &'a str,
    text: &'a str,
    reason: Option<&'a str>,
    created: String,
}

#[derive(Serialize)]
struct HookBody<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    created: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<HookComment<'a>>,
}

/// The JSON body of a webhook event: `{"type", "created", "comment"}` (no comment for a test event).
pub fn webhook_body(event: Event, comment: Option<&CommentSnapshot>, now: i64) -> String {
    let body = HookBody {
        kind: event.as_str(),
        created: super::time::rfc3339(now),
        comment: comment.map(|c| HookComment {
            id: c.id,
            site: &c.site,
            uri: &c.uri,
            title: c.title.as_deref(),
            parent: c.parent,
            status: &c.status,
            author: c.author.as_deref(),
            website: c.website.as_deref(),
            html: &c.html,
            text: &c.text,
            reason: c.reason.as_deref(),
            created: super::time::rfc3339(c.created),
        }),
    };
    serde_json::to_string(&body).expect("a webhook body serializes")
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

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// Not tried yet.
    Queued,
    /// Tried and failed; tried again at `next_at`.
    Retrying,
    Sent,
    /// Given up: after [`Retries::give_up_ms`], or at once on a permanent refusal.
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Retrying => "retrying",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    pub fn from_stored(s: &str) -> Self {
        match s {
            "queued" => Self::Queued,
            "retrying" => Self::Retrying,
            "sent" => Self::Sent,
            _ => Self::Failed,
        }
    }
}

/// A message as the outbox holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    pub id: i64,
    pub site: Option<String>,
    pub job: Job,
    pub state: DeliveryState,
    pub attempts: i64,
    /// When it is (next) due, in milliseconds since the epoch.
    pub next_at: i64,
    pub last_error: Option<String>,
    pub created: i64,
    pub sent_at: Option<i64>,
}

/// How one delivery attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Sent,
    /// A temporary failure (the server is down, a 4xx SMTP answer, a 5xx HTTP answer): try again later.
    Retry(String),
    /// A permanent refusal (a hard bounce, a webhook's 410 Gone): give up on this message and send
    /// nothing more to its target.
    Refused(String),
    /// A permanent failure of this message only (a 4xx HTTP answer other than 410, an unsafe URL).
    Failed(String),
}

/// When failed deliveries are tried again: after `first_retry_ms`, then twice as long each time, never
/// more than an hour apart, until `give_up_ms` after the message was queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retries {
    pub first_retry_ms: i64,
    pub give_up_ms: i64,
}

/// The longest wait between two attempts.
pub const MAX_RETRY_GAP_MS: i64 = 3_600_000;

impl Default for Retries {
    fn default() -> Self {
        Self {
            first_retry_ms: 30_000,
            give_up_ms: 24 * 3_600_000,
        }
    }
}

impl Retries {
    /// When to try again after the `attempts`-th failed attempt (1 for the first) of a message queued at
    /// `created`; `None` when it is time to give up.
    pub fn next_attempt(&self, attempts: i64, created: i64, now: i64) -> Option<i64> {
        let doublings = u32::try_from((attempts - 1).clamp(0, 30)).unwrap_or(30);
        let gap = self
            .first_retry_ms
            .max(1)
            .saturating_mul(1i64 << doublings)
            .min(MAX_RETRY_GAP_MS.max(self.first_retry_ms));
        let at = now.saturating_add(gap);
        (at < created.saturating_add(self.give_up_ms)).then_some(at)
    }
}

/// How long a confirmation link and a moderator's action link stay valid.
pub const LINK_VALID_MS: i64 = 7 * 86_400_000;

/// At most one confirmation mail per address and site in this time: someone typing a stranger's address
/// under many comments sends them one mail, not one per comment.
pub const CONFIRM_EVERY_MS: i64 = 86_400_000;

/// Sent messages stay visible in the admin UI this long, then upkeep removes them; failed ones stay
/// until a moderator retries them or this long after their last attempt.
pub const SENT_KEEP_MS: i64 = 7 * 86_400_000;

/// A worker holds a claimed message this long; a crash mid-delivery lets another attempt take it after.
pub const CLAIM_MS: i64 = 60_000;

/// What a moderator may do from a mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkAction {
    Approve,
    Spam,
    Delete,
}

impl LinkAction {
    pub const ALL: [Self; 3] = [Self::Approve, Self::Spam, Self::Delete];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Spam => "spam",
            Self::Delete => "delete",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// A link in a mail, signed by the server (`keys::Keys::link_token`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailLink {
    /// A moderator's action on a comment; single use, valid until `expires`.
    Moderate {
        moderator: i64,
        comment: i64,
        action: LinkAction,
        expires: i64,
    },
    /// Confirms a subscription made at `created`; valid until `created +` [`LINK_VALID_MS`].
    Confirm { subscription: i64, created: i64 },
    /// Ends a subscription made at `created`; valid as long as the subscription.
    Unsubscribe { subscription: i64, created: i64 },
}

impl MailLink {
    /// The moment it stops working, if it ever does.
    pub fn expires(&self) -> Option<i64> {
        match *self {
            Self::Moderate { expires, .. } => Some(expires),
            Self::Confirm { created, .. } => Some(created.saturating_add(LINK_VALID_MS)),
            Self::Unsubscribe { .. } => None,
        }
    }

    /// Its kind and fields, as the token carries them.
    pub fn fields(&self) -> (&'static str, Vec<i64>) {
        match *self {
            Self::Moderate {
                moderator,
                comment,
                action,
                expires,
            } => {
                let a = LinkAction::ALL.iter().position(|x| *x == action).unwrap_or(0) as i64;
                ("m", vec![moderator, comment, a, expires])
            }
            Self::Confirm { subscription, created } => ("c", vec![subscription, created]),
            Self::Unsubscribe { subscription, created } => ("u", vec![subscription, created]),
        }
    }

    pub fn from_fields(kind: &str, f: &[i64]) -> Option<Self> {
        match (kind, f) {
            ("m", &[moderator, comment, a, expires]) => Some(Self::Moderate {
                moderator,
                comment,
                action: *LinkAction::ALL.get(usize::try_from(a).ok()?)?,
                expires,
            }),
            ("c", &[subscription, created]) => Some(Self::Confirm { subscription, created }),
            ("u", &[subscription, created]) => Some(Self::Unsubscribe { subscription, created }),
            _ => None,
        }
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
mod tests {
    use super::*;

    #[test]
    fn retries_double_and_give_up() {
        let r = Retries {
            first_retry_ms: 1_000,
            give_up_ms: 10_000,
        };
        assert_eq!(r.next_attempt(1, 0, 0), Some(1_000));
        assert_eq!(r.next_attempt(2, 0, 1_000), Some(3_000));
        assert_eq!(r.next_attempt(3, 0, 3_000), Some(7_000));
        assert_eq!(r.next_attempt(4, 0, 7_000), None, "15 s would be past the 10 s limit");
        let long = Retries::default();
        assert_eq!(
            long.next_attempt(40, 0, 0),
            Some(MAX_RETRY_GAP_MS),
            "gaps stop growing at an hour"
        );
    }

    #[test]
    fn modes_parse_and_decide() {
        for m in NotifyMode::ALL {
            assert_eq!(NotifyMode::parse(m.as_str()), Ok(m));
        }
        assert!(NotifyMode::parse("weekly").is_err());
        assert!(NotifyMode::Pending.mails_at_once(Status::Pending));
        assert!(!NotifyMode::Pending.mails_at_once(Status::Published));
        assert!(
            !NotifyMode::Pending.mails_at_once(Status::Spam),
            "spam waits in its folder, unannounced"
        );
        assert!(NotifyMode::All.mails_at_once(Status::Published));
        assert!(!NotifyMode::DigestDaily.mails_at_once(Status::Pending));
        assert_eq!(NotifyMode::DigestHourly.digest_every_ms(), Some(3_600_000));
    }

    #[test]
    fn events_serialize_as_their_names() {
        for e in Event::COMMENT {
            assert_eq!(serde_json::to_string(&e).unwrap(), format!("\"{}\"", e.as_str()));
            assert_eq!(Event::parse(e.as_str()), Ok(e));
        }
        assert!(Event::parse("test").is_err(), "a hook cannot subscribe to test events");
    }

    #[test]
    fn header_text_cannot_break_a_header() {
        assert_eq!(
            header_text("Anna\r\nBcc: victim@example.org", 100),
            "Anna Bcc: victim@example.org"
        );
        assert_eq!(header_text("a\u{0}b\tc", 100), "a b c");
        assert_eq!(header_text("Grüße aus Köln", 5), "Grüße…");
        assert!(!mailable("a@b.example\r\nBcc: x@y.example"));
        assert!(!mailable("Anna <a@b.example>"));
        assert!(mailable("anna@blog.example"));
    }

    #[test]
    fn jobs_round_trip_through_json() {
        let job = Job::Webhook {
            hook: 3,
            url: "https://hooks.example/r".into(),
            event: Event::Published,
            body: "{}".into(),
        };
        let text = serde_json::to_string(&job).unwrap();
        assert!(text.contains("\"kind\":\"webhook\""), "{text}");
        assert_eq!(serde_json::from_str::<Job>(&text).unwrap(), job);
        assert_eq!(job.channel(), Channel::Webhook);
        assert_eq!(job.target(), "https://hooks.example/r");
    }
}
