//! The signed links a mail carries.

/// How long a confirmation link and a moderator's action link stay valid.
pub const LINK_VALID_MS: i64 = 7 * 86_400_000;

/// At most one confirmation mail per address and site in this time: someone typing a stranger's address
/// under many comments sends them one mail, not one per comment.
pub const CONFIRM_EVERY_MS: i64 = 86_400_000;

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
    /// Bound to the moderator's and the comment's creation times too: SQLite may give a deleted row's id
    /// to a new one, and a link must never act on a comment (or for a moderator) it was not made for.
    Moderate {
        moderator: i64,
        moderator_created: i64,
        comment: i64,
        comment_created: i64,
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
                moderator_created,
                comment,
                comment_created,
                action,
                expires,
            } => {
                let a = LinkAction::ALL.iter().position(|x| *x == action).unwrap_or(0) as i64;
                (
                    "m",
                    vec![moderator, moderator_created, comment, comment_created, a, expires],
                )
            }
            Self::Confirm { subscription, created } => ("c", vec![subscription, created]),
            Self::Unsubscribe { subscription, created } => ("u", vec![subscription, created]),
        }
    }

    pub fn from_fields(kind: &str, f: &[i64]) -> Option<Self> {
        match (kind, f) {
            ("m", &[moderator, moderator_created, comment, comment_created, a, expires]) => Some(Self::Moderate {
                moderator,
                moderator_created,
                comment,
                comment_created,
                action: *LinkAction::ALL.get(usize::try_from(a).ok()?)?,
                expires,
            }),
            ("c", &[subscription, created]) => Some(Self::Confirm { subscription, created }),
            ("u", &[subscription, created]) => Some(Self::Unsubscribe { subscription, created }),
            _ => None,
        }
    }
}
