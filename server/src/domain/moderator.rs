//! Moderators, what they may see, and what they do: actions on comments, bans, the audit trail.

use std::time::Duration;

use super::comment::Status;
use super::fields::FieldError;

#[derive(Debug, Clone)]
pub struct Moderator {
    pub id: i64,
    pub name: String,
    pub password_hash: String,
    /// Where notifications go; none without it.
    pub email: Option<String>,
    /// When the account was made.
    pub created: i64,
    /// The generation of the moderator's badge tokens (bumped to revoke them all).
    pub badge_version: i64,
    /// `None`: every site.
    pub sites: Option<Vec<String>>,
}

impl Moderator {
    /// The moderator as their badge tokens name them.
    pub fn badge(&self) -> crate::domain::comment::BadgeClaim {
        crate::domain::comment::BadgeClaim {
            id: self.id,
            created: self.created,
            version: self.badge_version,
        }
    }

    pub fn may(&self, site: &str) -> bool {
        self.sites.as_ref().is_none_or(|s| s.iter().any(|x| x == site))
    }
}

/// A login session ends after this long without a request.
pub const SESSION_IDLE: Duration = Duration::from_secs(12 * 3600);
/// And this long after the login at the latest, however busy: a stolen cookie does not last forever.
pub const SESSION_MAX: Duration = Duration::from_secs(7 * 24 * 3600);

/// What a moderator does to the comments they selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Approve,
    Spam,
    Delete,
    /// Bans the comment's email and IP hash on its site, and marks it spam.
    Ban,
    /// Takes a comment back out of the trash.
    Restore,
}

impl Action {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        match s {
            "approve" => Ok(Self::Approve),
            "spam" => Ok(Self::Spam),
            "delete" => Ok(Self::Delete),
            "ban" => Ok(Self::Ban),
            "restore" => Ok(Self::Restore),
            _ => Err(FieldError::new("act", "must be approve, spam, delete, ban or restore")),
        }
    }

    /// The name the audit trail records.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Spam => "spam",
            Self::Delete => "delete",
            Self::Ban => "ban",
            Self::Restore => "restore",
        }
    }
}

/// Which comments the browse page shows.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub site: Option<String>,
    pub status: Option<Status>,
    pub uri: Option<String>,
    pub text: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Ban {
    pub id: i64,
    pub site: Option<String>,
    pub email: Option<String>,
    pub ip_hash: Option<String>,
    pub reason: Option<String>,
    pub created: i64,
    pub expires: Option<i64>,
    pub created_by: String,
}

#[derive(Debug, Clone)]
pub struct NewBan {
    /// `None`: every site.
    pub site: Option<String>,
    pub email: Option<String>,
    pub ip_hash: Option<String>,
    pub reason: Option<String>,
    pub expires: Option<i64>,
    pub created_by: String,
}

#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub at: i64,
    pub moderator: String,
    pub action: String,
    pub comment_id: Option<i64>,
    pub detail: Option<String>,
}
