//! Sites and the origins allowed to post for them.

use rusqlite::{Connection, Transaction, params};

use crate::domain::notify::{Language, NotifyMode};
use crate::domain::pow::Pow;
use crate::domain::site::Sort;
use crate::domain::{Moderation, Site};

pub fn list(conn: &Connection) -> rusqlite::Result<Vec<Site>> {
    let mut sites: Vec<Site> = conn
        .prepare_cached(
            "SELECT id, name, moderation, max_links, blocked_words, pow, notify, language, sort, close_after_days
             FROM sites ORDER BY id",
        )?
        .query_map([], |r| {
            let moderation: String = r.get(2)?;
            let words: String = r.get(4)?;
            let pow: String = r.get(5)?;
            let notify: String = r.get(6)?;
            let language: String = r.get(7)?;
            let sort: String = r.get(8)?;
            Ok(Site {
                id: r.get(0)?,
                name: r.get(1)?,
                moderation: Moderation::parse(&moderation).unwrap_or(Moderation::All),
                origins: Vec::new(),
                max_links: r.get(3)?,
                blocked_words: words.lines().map(str::to_owned).collect(),
                pow: Pow::parse(&pow).unwrap_or(Pow::Always),
                notify: NotifyMode::parse(&notify).unwrap_or_default(),
                language: Language::parse(&language).unwrap_or_default(),
                sort: Sort::parse(&sort).unwrap_or_default(),
                close_after_days: r.get(9)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare_cached("SELECT site_id, origin FROM site_origins ORDER BY site_id, origin")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let site_id: String = row.get(0)?;
        if let Some(site) = sites.iter_mut().find(|s| s.id == site_id) {
            site.origins.push(row.get(1)?);
        }
    }
    Ok(sites)
}

/// Bumped by triggers on every change to `sites` and `site_origins`, whichever process makes it (0006).
pub fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT version FROM sites_version")?
        .query_row([], |r| r.get(0))
}

/// Creates the site or replaces its name, moderation mode and origins.
pub fn upsert(tx: &Transaction<'_>, site: &Site, now_ms: i64) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO sites (id, name, moderation, created, max_links, blocked_words, pow, notify, language, sort,
                            close_after_days)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, moderation = excluded.moderation,
             max_links = excluded.max_links, blocked_words = excluded.blocked_words, pow = excluded.pow,
             notify = excluded.notify, language = excluded.language, sort = excluded.sort,
             close_after_days = excluded.close_after_days",
    )?
    .execute(params![
        site.id,
        site.name,
        site.moderation.as_str(),
        now_ms,
        site.max_links,
        site.blocked_words.join("\n"),
        site.pow.as_str(),
        site.notify.as_str(),
        site.language.as_str(),
        site.sort.as_str(),
        site.close_after_days
    ])?;
    tx.prepare_cached("DELETE FROM site_origins WHERE site_id = ?1")?
        .execute([&site.id])?;
    let mut insert = tx.prepare_cached("INSERT OR IGNORE INTO site_origins (site_id, origin) VALUES (?1, ?2)")?;
    for origin in &site.origins {
        insert.execute(params![site.id, origin])?;
    }
    Ok(())
}
