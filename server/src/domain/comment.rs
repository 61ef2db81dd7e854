//! Comments: their states, the views the store returns, and the values a change is made of.

use super::fields::{AuthorName, CommentText, Email, FieldError, PageTitle, PageUri, SiteId, Website};
use super::pow::{ChallengeError, Proof};

/// A comment's life-cycle state as stored. The API shows only published, pending (to its author) and
/// deleted (placeholders); spam is shown to its author as pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Published,
    Pending,
    Deleted,
    Spam,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Published => "published",
            Self::Pending => "pending",
            Self::Deleted => "deleted",
            Self::Spam => "spam",
        }
    }

    pub fn from_stored(s: &str) -> Self {
        match s {
            "published" => Self::Published,
            "pending" => Self::Pending,
            "deleted" => Self::Deleted,
            _ => Self::Spam,
        }
    }
}

/// A comment as the public sees it: never an email, an IP hash or the Markdown source.
#[derive(Debug, Clone)]
pub struct Comment {
    pub id: i64,
    pub parent: Option<i64>,
    pub status: Status,
    pub author: Option<String>,
    pub website: Option<String>,
    pub html: String,
    pub avatar: String,
    pub created: i64,
    pub edited: Option<i64>,
    pub likes: i64,
    pub dislikes: i64,
    /// A moderator pinned it: it comes first in its thread.
    pub pinned: bool,
    /// A moderator wrote it with their badge token.
    pub moderator: bool,
}

/// A comment as moderators see it: everything stored, with its page.
#[derive(Debug, Clone)]
pub struct CommentRecord {
    pub id: i64,
    pub site: String,
    pub uri: String,
    pub title: Option<String>,
    pub parent: Option<i64>,
    pub status: Status,
    pub author: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub text: String,
    pub html: String,
    pub ip_hash: Option<String>,
    pub created: i64,
    pub reason: Option<String>,
    pub deleted_at: Option<i64>,
    /// Published comments of the same commenter (by email, else by IP hash) on the same site: a moderator
    /// of one site learns nothing of the commenter's other sites.
    pub published_before: i64,
    /// A moderator pinned it (top-level comments only).
    pub pinned: bool,
    /// A moderator closed its thread.
    pub thread_closed: bool,
}

/// Pinned comments a thread may have at once: they all open its first page.
pub const MAX_PINNED: i64 = 10;

/// Where a comment sits, for the checks before a change.
#[derive(Debug, Clone)]
pub struct CommentMeta {
    pub id: i64,
    pub thread_id: i64,
    pub site_id: String,
    pub parent: Option<i64>,
    /// The top-level comment this one hangs under (itself, for a top-level comment).
    pub root: i64,
    pub depth: i64,
    pub status: Status,
    pub created: i64,
}

/// A visitor's new comment, parsed. `html` is `text` rendered, once, at write time.
#[derive(Debug, Clone)]
pub struct NewComment {
    pub site: SiteId,
    pub uri: PageUri,
    pub title: Option<PageTitle>,
    pub parent: Option<i64>,
    pub author: Option<AuthorName>,
    pub email: Option<Email>,
    pub website: Option<Website>,
    pub text: CommentText,
    pub html: String,
    /// The commenter asks to be mailed of replies (or of every new comment on the page); needs `email`.
    pub notify: Option<super::notify::SubscriptionScope>,
}

/// What the server knows of who wrote a comment, derived under its secret.
#[derive(Debug, Clone)]
pub struct Commenter {
    /// The client address hashed under the current key and the previous one.
    pub ip_hashes: [String; 2],
    pub avatar: String,
}

/// What guards a new comment beyond its fields, checked by the store in the posting transaction.
#[derive(Debug, Clone, Default)]
pub struct Guard {
    /// The earlier comment (id, creation time) of the same site the commenter proved to be theirs (by its
    /// author token): when it is published, the commenter is a returning one.
    pub returning: Option<(i64, i64)>,
    /// A proof-of-work payload that failed its check: refused, unless the post repeats an earlier one
    /// (an `Idempotency-Key` seen before answers the first comment, whatever the payload says now).
    pub proof_error: Option<ChallengeError>,
    /// A checked proof-of-work solution, recorded so that it counts once.
    pub proof: Option<Proof>,
    /// The client's `Idempotency-Key`: a repeat answers the first comment again.
    pub idempotency_key: Option<String>,
    /// Why the widget form's bot traps fired (a honeypot filled, a form sent too fast): held as spam.
    pub trap: Option<String>,
    /// The learning filter's explanation (`spam score 0.97 (casino, bit.ly)`) when it scored the comment
    /// as spam: held for a moderator.
    pub spam: Option<String>,
    /// The moderator whose badge came with the post: their comment carries the badge and skips the queue
    /// and the proof of work, when the claim still matches the account and they moderate the site.
    pub moderator: Option<BadgeClaim>,
}

/// Who a post says wrote it, as a badge token (or the admin session) vouches: the account's id, creation
/// time and badge generation, each checked against the stored account in the posting transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadgeClaim {
    pub id: i64,
    pub created: i64,
    pub version: i64,
}

/// A stored new comment, or with an `Idempotency-Key` seen before, the first one again.
#[derive(Debug, Clone)]
pub struct Created {
    pub comment: Comment,
    /// Whether the first comment was published at once (201) or held (202); for a repeat, as it was then.
    pub published_at_once: bool,
    pub repeated: bool,
}

/// Idempotency keys are remembered this long.
pub const IDEMPOTENCY_KEEP_MS: i64 = 24 * 3600 * 1000;

/// An `Idempotency-Key` as a client may send it: 1 to 255 visible ASCII characters.
pub fn idempotency_key(raw: &str) -> Result<String, FieldError> {
    let ok = !raw.is_empty() && raw.len() <= 255 && raw.bytes().all(|b| b.is_ascii_graphic());
    ok.then(|| raw.to_owned())
        .ok_or_else(|| FieldError::new("Idempotency-Key", "must be 1 to 255 visible ASCII characters"))
}

/// An author's edit: `None` leaves a field as it is; `Some(None)` clears it.
#[derive(Debug, Default, Clone)]
pub struct Changes {
    /// The new text and its rendered HTML.
    pub text: Option<(CommentText, String)>,
    pub author: Option<Option<AuthorName>>,
    pub website: Option<Option<Website>>,
    /// The learning filter's reason, when it scores the edited comment as spam.
    pub spam: Option<String>,
}

/// A moderator's edit: every field at once.
#[derive(Debug, Clone)]
pub struct ModeratorEdit {
    pub text: CommentText,
    pub html: String,
    pub author: Option<AuthorName>,
    pub website: Option<Website>,
}

/// Replies deeper than this are attached to their parent's parent, so that no thread nests without bound.
pub const MAX_DEPTH: i64 = 50;

/// Where a new comment goes: its parent, the top-level comment of its branch and its depth.
/// The default is a top-level comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Placement {
    pub parent: Option<i64>,
    pub root: Option<i64>,
    pub depth: i64,
}

/// A reply must answer a published comment of the same thread; beyond [`MAX_DEPTH`] it becomes a sibling
/// of its parent.
pub fn place(
    parent: Option<&CommentMeta>,
    thread_id: Option<i64>,
    wanted: Option<i64>,
) -> Result<Placement, FieldError> {
    let Some(_) = wanted else {
        return Ok(Placement {
            parent: None,
            root: None,
            depth: 0,
        });
    };
    match (parent, thread_id) {
        (Some(m), Some(t)) if m.thread_id == t && m.status == Status::Published => Ok(if m.depth + 1 > MAX_DEPTH {
            Placement {
                parent: m.parent,
                root: Some(m.root),
                depth: m.depth,
            }
        } else {
            Placement {
                parent: Some(m.id),
                root: Some(m.root),
                depth: m.depth + 1,
            }
        }),
        _ => Err(FieldError::new(
            "parent",
            "must be a published comment on the same page",
        )),
    }
}

/// Replies of one top-level comment in one answer; the rest come from the replies endpoint, page by page.
pub const REPLIES_PER_PAGE: usize = 50;
/// Rows in one thread answer at most (a page ends early, before a top-level comment that would not fit).
pub const ROWS_PER_PAGE: usize = 1000;

/// One page of a thread: top-level comments with their first replies, oldest first.
#[derive(Debug, Clone, Default)]
pub struct ThreadPage {
    pub title: Option<String>,
    /// Published comments in the whole thread.
    pub total: i64,
    pub comments: Vec<Comment>,
    /// Whether the thread takes no new comments (closed by a moderator or by the site's age rule).
    pub closed: bool,
    /// The `after` of the next page in this order; `None` on the last page.
    pub next: Option<i64>,
    /// Top-level comments with more replies than the page holds, and where to continue.
    pub replies_next: std::collections::HashMap<i64, ReplyCursor>,
    /// The thread's newest live-update event when the page was read (0: none yet); events after it may be
    /// in the page already, none before it is missing from it.
    pub last_event: i64,
}

/// Where a page of replies goes on: after the reply of this depth and id (breadth-first order). It names the
/// position, not a row, so it holds when that reply is deleted meanwhile. Written `DEPTH.ID`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyCursor {
    pub depth: i64,
    pub id: i64,
}

impl ReplyCursor {
    /// Before the first reply.
    pub const START: Self = Self { depth: -1, id: 0 };

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let bad = || {
            FieldError::new(
                "after",
                "must be the replies_next or next of an earlier answer (DEPTH.ID)",
            )
        };
        let (depth, id) = s.split_once('.').ok_or_else(bad)?;
        let (depth, id) = (
            depth.parse::<i64>().map_err(|_| bad())?,
            id.parse::<i64>().map_err(|_| bad())?,
        );
        if depth < 0 || id < 0 {
            return Err(bad());
        }
        Ok(Self { depth, id })
    }
}

impl std::fmt::Display for ReplyCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.depth, self.id)
    }
}

/// A page of the replies below one top-level comment, breadth-first: by depth, then oldest first.
#[derive(Debug, Clone, Default)]
pub struct RepliesPage {
    pub comments: Vec<Comment>,
    /// Where to continue; `None` on the last page.
    pub next: Option<ReplyCursor>,
}

/// A published comment in a feed.
#[derive(Debug, Clone)]
pub struct FeedEntry {
    pub id: i64,
    pub uri: String,
    pub title: Option<String>,
    pub author: Option<String>,
    pub html: String,
    pub created: i64,
    pub edited: Option<i64>,
}

/// A visitor's vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vote {
    Like,
    Dislike,
}

impl Vote {
    pub fn parse(value: i64) -> Result<Self, FieldError> {
        match value {
            1 => Ok(Self::Like),
            -1 => Ok(Self::Dislike),
            _ => Err(FieldError::new("value", "must be 1 or -1")),
        }
    }

    pub fn value(self) -> i64 {
        match self {
            Self::Like => 1,
            Self::Dislike => -1,
        }
    }
}

/// A comment's votes after a vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Votes {
    pub likes: i64,
    pub dislikes: i64,
}
