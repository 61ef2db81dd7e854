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
        }
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
