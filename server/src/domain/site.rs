//! Sites: who may post to them and how their new comments are treated.

use super::fields::{FieldError, Origin, SiteId};
use super::notify::{Language, NotifyMode};
use super::pow::Pow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub id: String,
    pub name: String,
    pub moderation: Moderation,
    /// Normalized `scheme://host[:port]` origins.
    pub origins: Vec<String>,
    /// A comment with more links than this is held for moderation.
    pub max_links: i64,
    /// A comment containing any of these (case-insensitively) is held for moderation.
    pub blocked_words: Vec<String>,
    /// When a comment must carry a solved proof-of-work challenge.
    pub pow: Pow,
    /// Which mails the site's moderators get.
    pub notify: NotifyMode,
    /// The language of the site's mails and pages.
    pub language: Language,
    /// The order of top-level comments a reader sees unless they pick another.
    pub sort: Sort,
    /// Threads whose first comment is older than this many days take no new comments.
    pub close_after_days: Option<i64>,
}

/// The default for [`Site::max_links`].
pub const DEFAULT_MAX_LINKS: i64 = 3;

impl Site {
    /// A new site with the defaults: named by its id, no moderation, no origins yet.
    pub fn new(id: &SiteId) -> Self {
        Self {
            id: id.as_str().to_owned(),
            name: id.as_str().to_owned(),
            moderation: Moderation::None,
            origins: Vec::new(),
            max_links: DEFAULT_MAX_LINKS,
            blocked_words: Vec::new(),
            pow: Pow::default(),
            notify: NotifyMode::default(),
            language: Language::default(),
            sort: Sort::default(),
            close_after_days: None,
        }
    }

    /// Whether a thread created at `created` (ms) is closed at `now`: closed by a moderator, or by the
    /// site's age rule.
    pub fn closes(&self, created: i64, closed: Option<i64>, now: i64) -> bool {
        closed.is_some()
            || self
                .close_after_days
                .is_some_and(|days| now - created > days * 86_400_000)
    }

    /// Adds origins, keeping the list sorted and free of repeats.
    pub fn allow(&mut self, origins: impl IntoIterator<Item = Origin>) {
        self.origins.extend(origins.into_iter().map(Origin::into_inner));
        self.origins.sort();
        self.origins.dedup();
    }

    pub fn allows_origin(&self, origin: &[u8]) -> bool {
        self.origins.iter().any(|o| o.as_bytes() == origin)
    }
}

/// Blocked words as stored: trimmed, lower-case, one per entry, no blanks.
pub fn clean_words<S: AsRef<str>>(words: &[S]) -> Vec<String> {
    words
        .iter()
        .map(|w| w.as_ref().trim().to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// How a site treats new comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Moderation {
    /// Published at once.
    #[default]
    None,
    /// Held until the commenter's email has an approved comment on the site.
    FirstTime,
    /// Every comment held.
    All,
}

impl Moderation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::FirstTime => "first-time",
            Self::All => "all",
        }
    }

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        match s {
            "none" => Ok(Self::None),
            "first-time" => Ok(Self::FirstTime),
            "all" => Ok(Self::All),
            _ => Err(FieldError::new("moderation", "must be one of none, first-time, all")),
        }
    }
}

/// The order of a thread's top-level comments (replies stay oldest first under their parent). Pinned
/// comments come before all others in every order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Oldest,
    Newest,
    /// Most liked first (likes minus dislikes), then oldest.
    Top,
}

impl Sort {
    pub const ALL: [Self; 3] = [Self::Oldest, Self::Newest, Self::Top];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Oldest => "oldest",
            Self::Newest => "newest",
            Self::Top => "top",
        }
    }

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| FieldError::new("sort", "must be one of oldest, newest, top"))
    }
}

/// A site's closing rule as the admin UI and config give it: a number of days from 1 to 36,500, or nothing.
pub fn close_after_days(days: Option<i64>) -> Result<Option<i64>, FieldError> {
    match days {
        Some(d) if !(1..=36_500).contains(&d) => Err(FieldError::new(
            "close_after_days",
            "must be a number of days from 1 to 36500, or left out",
        )),
        d => Ok(d),
    }
}

#[cfg(test)]
mod thread_rules {
    use super::*;

    #[test]
    fn threads_close_by_hand_or_by_age() {
        let mut site = Site::new(&SiteId::parse("blog").unwrap());
        let day = 86_400_000;
        assert!(!site.closes(0, None, 1000 * day));
        assert!(site.closes(0, Some(5), 1));
        site.close_after_days = Some(90);
        assert!(!site.closes(0, None, 90 * day));
        assert!(site.closes(0, None, 90 * day + 1));
        assert_eq!(Sort::parse("top").unwrap(), Sort::Top);
        assert!(Sort::parse("best").is_err());
        assert!(close_after_days(Some(0)).is_err());
        assert_eq!(close_after_days(None).unwrap(), None);
    }
}
