//! A `[[sites]]` entry of the configuration file: what it may say, and the site it stands for.

use serde::Deserialize;

use super::WebhookConfig;
use crate::domain::notify::{Event, Language, NotifyMode};
use crate::domain::pow::Pow;
use crate::domain::site::{Sort, clean_words, close_after_days};
use crate::domain::{Moderation, Origin, Site, SiteId};

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub id: String,
    pub name: Option<String>,
    pub origins: Vec<String>,
    #[serde(default)]
    pub moderation: Moderation,
    /// More links than this hold a comment for moderation.
    #[serde(default = "default_max_links")]
    pub max_links: i64,
    /// Words or phrases that hold a comment for moderation (case-insensitive).
    #[serde(default)]
    pub blocked_words: Vec<String>,
    /// When a comment must carry a solved proof-of-work challenge: off, always, adaptive (the default).
    #[serde(default)]
    pub pow: Pow,
    /// Which mails the site's moderators get: pending (the default), all, digest-hourly, digest-daily, off.
    #[serde(default)]
    pub notify: NotifyMode,
    /// The language of the site's mails and pages: a code of `widget/i18n/` (en, the default, de, fr ...).
    #[serde(default)]
    pub language: Language,
    /// The order readers see top-level comments in unless they pick another: oldest (the default), newest, top.
    #[serde(default)]
    pub sort: Sort,
    /// Threads whose first comment is older than this many days take no new comments (1 to 36500).
    #[serde(default)]
    pub close_after_days: Option<i64>,
    #[serde(default)]
    pub webhooks: Vec<WebhookConfig>,
}

fn default_max_links() -> i64 {
    crate::domain::site::DEFAULT_MAX_LINKS
}

impl SiteConfig {
    /// The site as stored; origins were checked by [`SiteConfig::validate`] when the file was read.
    pub fn to_site(&self) -> Site {
        Site {
            id: self.id.clone(),
            name: self.name.clone().unwrap_or_else(|| self.id.clone()),
            moderation: self.moderation,
            origins: self
                .origins
                .iter()
                .filter_map(|o| Origin::parse(o).ok())
                .map(Origin::into_inner)
                .collect(),
            max_links: self.max_links,
            blocked_words: clean_words(&self.blocked_words),
            pow: self.pow,
            notify: self.notify,
            language: self.language,
            sort: self.sort,
            close_after_days: self.close_after_days,
        }
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        SiteId::parse(&self.id).map_err(|e| anyhow::anyhow!("site {:?}: {}", self.id, e.message))?;
        if self.max_links < 0 {
            anyhow::bail!("site {:?}: max_links must not be negative", self.id);
        }
        close_after_days(self.close_after_days).map_err(|e| anyhow::anyhow!("site {:?}: {}", self.id, e.message))?;
        for origin in &self.origins {
            Origin::parse(origin).map_err(|e| anyhow::anyhow!("site {:?}: {}", self.id, e.message))?;
        }
        for hook in &self.webhooks {
            match url::Url::parse(&hook.url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
                _ => anyhow::bail!(
                    "site {:?}: webhook url {:?} must be an http or https URL",
                    self.id,
                    hook.url
                ),
            }
            if hook.secret.len() < 16 {
                anyhow::bail!("site {:?}: webhook secret must be at least 16 characters", self.id);
            }
            for e in &hook.events {
                Event::parse(e)
                    .map_err(|err| anyhow::anyhow!("site {:?}: webhook events: {e:?} {}", self.id, err.message))?;
            }
        }
        Ok(())
    }
}
