//! Sites and the origins allowed to post for them.

use super::{GenericClient, exec, one, rows};
use crate::domain::notify::{Language, NotifyMode};
use crate::domain::pow::Pow;
use crate::domain::site::Sort;
use crate::domain::{Moderation, Site};
use crate::store::Result;

pub async fn list(c: &impl GenericClient) -> Result<Vec<Site>> {
    let mut sites: Vec<Site> = rows(
        c,
        "SELECT id, name, moderation, max_links, blocked_words, pow, notify, language, sort, close_after_days
         FROM sites ORDER BY id",
        &[],
    )
    .await?
    .iter()
    .map(|r| {
        let words: String = r.get(4);
        Site {
            id: r.get(0),
            name: r.get(1),
            moderation: Moderation::parse(r.get(2)).unwrap_or(Moderation::All),
            origins: Vec::new(),
            max_links: r.get(3),
            blocked_words: words.lines().map(str::to_owned).collect(),
            pow: Pow::parse(r.get(5)).unwrap_or(Pow::Always),
            notify: NotifyMode::parse(r.get(6)).unwrap_or_default(),
            language: Language::parse(r.get(7)).unwrap_or_default(),
            sort: Sort::parse(r.get(8)).unwrap_or_default(),
            close_after_days: r.get(9),
        }
    })
    .collect();
    for row in rows(
        c,
        "SELECT site_id, origin FROM site_origins ORDER BY site_id, origin",
        &[],
    )
    .await?
    {
        let site_id: &str = row.get(0);
        if let Some(site) = sites.iter_mut().find(|s| s.id == site_id) {
            site.origins.push(row.get(1));
        }
    }
    Ok(sites)
}

/// Bumped by triggers on every change to `sites` and `site_origins`, whichever server makes it.
pub async fn version(c: &impl GenericClient) -> Result<i64> {
    Ok(one(c, "SELECT version FROM sites_version", &[]).await?.get(0))
}

/// Creates the site or replaces its name, moderation mode and origins.
pub async fn upsert(tx: &impl GenericClient, site: &Site, now_ms: i64) -> Result<()> {
    exec(
        tx,
        "INSERT INTO sites (id, name, moderation, created, max_links, blocked_words, pow, notify, language, sort,
                            close_after_days)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, moderation = excluded.moderation,
             max_links = excluded.max_links, blocked_words = excluded.blocked_words, pow = excluded.pow,
             notify = excluded.notify, language = excluded.language, sort = excluded.sort,
             close_after_days = excluded.close_after_days",
        &[
            &site.id,
            &site.name,
            &site.moderation.as_str(),
            &now_ms,
            &site.max_links,
            &site.blocked_words.join("\n"),
            &site.pow.as_str(),
            &site.notify.as_str(),
            &site.language.as_str(),
            &site.sort.as_str(),
            &site.close_after_days,
        ],
    )
    .await?;
    exec(tx, "DELETE FROM site_origins WHERE site_id = $1", &[&site.id]).await?;
    for origin in &site.origins {
        exec(
            tx,
            "INSERT INTO site_origins (site_id, origin) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&site.id, origin],
        )
        .await?;
    }
    Ok(())
}
