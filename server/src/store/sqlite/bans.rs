//! Bans of an email or an IP hash, on one site or on every site.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::domain::moderator::{Ban, NewBan};

pub fn add(tx: &Transaction<'_>, ban: &NewBan, now: i64) -> rusqlite::Result<i64> {
    tx.prepare_cached(
        "INSERT INTO bans (site_id, email, ip_hash, reason, created, expires, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![ban.site, ban.email, ban.ip_hash, ban.reason, now, ban.expires, ban.created_by])?;
    Ok(tx.last_insert_rowid())
}

pub fn remove(tx: &Transaction<'_>, id: i64, sites: Option<&[String]>) -> rusqlite::Result<bool> {
    let ban = tx
        .prepare_cached("SELECT site_id FROM bans WHERE id = ?1")?
        .query_row([id], |r| r.get::<_, Option<String>>(0))
        .optional()?;
    let allowed = match (ban, sites) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(Some(site)), Some(list)) => list.contains(&site),
        // A ban on every site belongs to moderators of every site.
        (Some(None), Some(_)) => false,
    };
    if allowed {
        tx.prepare_cached("DELETE FROM bans WHERE id = ?1")?.execute([id])?;
    }
    Ok(allowed)
}

pub fn in_force(conn: &Connection, sites: Option<&[String]>, now: i64) -> rusqlite::Result<Vec<Ban>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, site_id, email, ip_hash, reason, created, expires, created_by FROM bans
         WHERE expires IS NULL OR expires > ?1 ORDER BY id DESC",
    )?;
    let all = stmt
        .query_map([now], |r| {
            Ok(Ban {
                id: r.get(0)?,
                site: r.get(1)?,
                email: r.get(2)?,
                ip_hash: r.get(3)?,
                reason: r.get(4)?,
                created: r.get(5)?,
                expires: r.get(6)?,
                created_by: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(all
        .into_iter()
        .filter(|b| match (sites, &b.site) {
            (None, _) => true,
            (Some(list), Some(site)) => list.contains(site),
            (Some(_), None) => false,
        })
        .collect())
}

/// Whether a ban in force covers this email or IP (by its current or previous hash) on this site.
pub fn is_banned(
    conn: &Connection,
    site: &str,
    email: Option<&str>,
    ip_hashes: [&str; 2],
    now: i64,
) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT 1 FROM bans WHERE (site_id IS NULL OR site_id = ?1) AND (expires IS NULL OR expires > ?5)
           AND ((?2 IS NOT NULL AND email = ?2) OR ip_hash IN (?3, ?4)) LIMIT 1",
    )?
    .exists(params![site, email, ip_hashes[0], ip_hashes[1], now])
}
