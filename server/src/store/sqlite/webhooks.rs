//! Sites' webhooks: from the configuration file and from the admin UI.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::domain::notify::{Event, NewWebhook, Webhook};

pub fn of_site(conn: &Connection, site: &str) -> rusqlite::Result<Vec<Webhook>> {
    conn.prepare_cached(
        "SELECT id, site_id, url, secret, events, from_config, disabled, created FROM webhooks
         WHERE site_id = ?1 ORDER BY id",
    )?
    .query_map([site], |r| {
        let events: String = r.get(4)?;
        Ok(Webhook {
            id: r.get(0)?,
            site: r.get(1)?,
            url: r.get(2)?,
            secret: r.get(3)?,
            events: events.lines().filter_map(|e| Event::parse(e).ok()).collect(),
            from_config: r.get(5)?,
            disabled: r.get(6)?,
            created: r.get(7)?,
        })
    })?
    .collect()
}

pub fn get(conn: &Connection, site: &str, id: i64) -> rusqlite::Result<Option<Webhook>> {
    Ok(of_site(conn, site)?.into_iter().find(|h| h.id == id))
}

pub fn add(tx: &Transaction<'_>, site: &str, hook: &NewWebhook, from_config: bool, now: i64) -> rusqlite::Result<i64> {
    let events: Vec<&str> = hook.events.iter().map(|e| e.as_str()).collect();
    tx.prepare_cached(
        "INSERT INTO webhooks (site_id, url, secret, events, from_config, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        site,
        hook.url,
        hook.secret,
        events.join("\n"),
        from_config,
        now
    ])?;
    Ok(tx.last_insert_rowid())
}

pub fn remove(tx: &Transaction<'_>, site: &str, id: i64) -> rusqlite::Result<bool> {
    Ok(tx
        .prepare_cached("DELETE FROM webhooks WHERE site_id = ?1 AND id = ?2")?
        .execute(params![site, id])?
        == 1)
}

/// Replaces the hooks of the configuration file. A hook kept with the same site, URL and secret keeps
/// its id and its disabled state.
pub fn replace_configured(tx: &Transaction<'_>, hooks: &[(String, NewWebhook)], now: i64) -> rusqlite::Result<()> {
    let mut keep = Vec::new();
    for (site, hook) in hooks {
        let events: Vec<&str> = hook.events.iter().map(|e| e.as_str()).collect();
        let existing: Option<i64> = tx
            .prepare_cached(
                "SELECT id FROM webhooks WHERE from_config = 1 AND site_id = ?1 AND url = ?2 AND secret = ?3",
            )?
            .query_row(params![site, hook.url, hook.secret], |r| r.get(0))
            .optional()?;
        let id = match existing {
            Some(id) => {
                tx.prepare_cached("UPDATE webhooks SET events = ?2 WHERE id = ?1")?
                    .execute(params![id, events.join("\n")])?;
                id
            }
            None => add(tx, site, hook, true, now)?,
        };
        keep.push(id);
    }
    tx.prepare_cached("DELETE FROM webhooks WHERE from_config = 1 AND id NOT IN (SELECT value FROM json_each(?1))")?
        .execute([super::json_list(&keep)])?;
    Ok(())
}

/// Stops sends to a hook (its receiver answered 410 Gone).
pub fn disable(tx: &Transaction<'_>, id: i64, reason: &str) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE webhooks SET disabled = ?2 WHERE id = ?1")?
        .execute(params![id, reason])?;
    Ok(())
}
