//! Moderator accounts, the sites each may moderate, and their login sessions.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::domain::moderator::Moderator;

/// The sites a moderator may moderate: `None` for every site (only with the explicit `all_sites` flag; a
/// moderator whose last site was deleted moderates nothing, not everything).
fn sites_of(conn: &Connection, id: i64) -> rusqlite::Result<Option<Vec<String>>> {
    let all: bool = conn
        .prepare_cached("SELECT all_sites FROM moderators WHERE id = ?1")?
        .query_row([id], |r| r.get(0))?;
    if all {
        return Ok(None);
    }
    let sites: Vec<String> = conn
        .prepare_cached("SELECT site_id FROM moderator_sites WHERE moderator_id = ?1 ORDER BY site_id")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(sites))
}

const COLUMNS: &str = "id, name, password_hash, email, created, badge_version";

fn moderator(conn: &Connection, r: &rusqlite::Row<'_>) -> rusqlite::Result<Moderator> {
    let id = r.get(0)?;
    Ok(Moderator {
        id,
        name: r.get(1)?,
        password_hash: r.get(2)?,
        email: r.get(3)?,
        created: r.get(4)?,
        badge_version: r.get(5)?,
        sites: sites_of(conn, id)?,
    })
}

pub fn by_name(conn: &Connection, name: &str) -> rusqlite::Result<Option<Moderator>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM moderators WHERE name = ?1"))?
        .query_row([name], |r| moderator(conn, r))
        .optional()
}

pub fn by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<Moderator>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM moderators WHERE id = ?1"))?
        .query_row([id], |r| moderator(conn, r))
        .optional()
}

pub fn list(conn: &Connection) -> rusqlite::Result<Vec<Moderator>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM moderators ORDER BY name"))?
        .query_map([], |r| moderator(conn, r))?
        .collect()
}

/// Sets (or with `None` clears) a moderator's address for notifications; `false` when there is no such
/// moderator.
/// A bounce recorded for the address is forgotten: setting it again says it works now.
/// Makes every badge token of the moderator stop working; whether the moderator exists.
pub fn new_badge(tx: &Transaction<'_>, name: &str) -> rusqlite::Result<bool> {
    Ok(tx
        .prepare_cached("UPDATE moderators SET badge_version = badge_version + 1 WHERE name = ?1")?
        .execute([name])?
        == 1)
}

pub fn set_email(tx: &Transaction<'_>, name: &str, email: Option<&str>) -> rusqlite::Result<bool> {
    if let Some(email) = email {
        tx.prepare_cached("DELETE FROM mail_blocked WHERE email = ?1")?
            .execute([email])?;
    }
    Ok(tx
        .prepare_cached("UPDATE moderators SET email = ?2 WHERE name = ?1")?
        .execute(params![name, email])?
        == 1)
}

/// Creates a moderator of these sites (`None`: every site); `false` when the name is taken.
pub fn add(
    tx: &Transaction<'_>,
    name: &str,
    password_hash: &str,
    email: Option<&str>,
    sites: Option<&[String]>,
    now: i64,
) -> rusqlite::Result<bool> {
    let inserted = tx
        .prepare_cached(
            "INSERT INTO moderators (name, password_hash, created, all_sites, email) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT DO NOTHING",
        )?
        .execute(params![name, password_hash, now, sites.is_none(), email])?;
    if inserted == 0 {
        return Ok(false);
    }
    let id = tx.last_insert_rowid();
    for site in sites.unwrap_or_default() {
        tx.prepare_cached("INSERT INTO moderator_sites (moderator_id, site_id) VALUES (?1, ?2)")?
            .execute(params![id, site])?;
    }
    Ok(true)
}

pub fn remove(tx: &Transaction<'_>, name: &str) -> rusqlite::Result<bool> {
    Ok(tx
        .prepare_cached("DELETE FROM moderators WHERE name = ?1")?
        .execute([name])?
        == 1)
}

/// Sets a new password and ends every session of the account.
pub fn set_password(tx: &Transaction<'_>, name: &str, password_hash: &str) -> rusqlite::Result<bool> {
    let changed = tx
        .prepare_cached("UPDATE moderators SET password_hash = ?2 WHERE name = ?1")?
        .execute([name, password_hash])?;
    tx.prepare_cached("DELETE FROM sessions WHERE moderator_id = (SELECT id FROM moderators WHERE name = ?1)")?
        .execute([name])?;
    Ok(changed == 1)
}

pub fn create_session(tx: &Transaction<'_>, token_hash: &str, moderator_id: i64, now: i64) -> rusqlite::Result<()> {
    tx.prepare_cached("INSERT INTO sessions (token_hash, moderator_id, created, last_seen) VALUES (?1, ?2, ?3, ?3)")?
        .execute(params![token_hash, moderator_id, now])?;
    Ok(())
}

/// The moderator of a session begun after `born_after`, and when it was last used.
pub fn session(conn: &Connection, token_hash: &str, born_after: i64) -> rusqlite::Result<Option<(Moderator, i64)>> {
    let found: Option<(i64, i64)> = conn
        .prepare_cached("SELECT moderator_id, last_seen FROM sessions WHERE token_hash = ?1 AND created > ?2")?
        .query_row(params![token_hash, born_after], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((id, last_seen)) = found else { return Ok(None) };
    Ok(by_id(conn, id)?.map(|m| (m, last_seen)))
}

pub fn touch_session(tx: &Transaction<'_>, token_hash: &str, now: i64) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE sessions SET last_seen = ?2 WHERE token_hash = ?1")?
        .execute(params![token_hash, now])?;
    Ok(())
}

pub fn end_session(tx: &Transaction<'_>, token_hash: &str) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM sessions WHERE token_hash = ?1")?
        .execute([token_hash])?;
    Ok(())
}

/// Ends sessions idle since before `idle_before` or begun before `born_before`.
pub fn purge_sessions(tx: &Transaction<'_>, idle_before: i64, born_before: i64) -> rusqlite::Result<usize> {
    tx.prepare_cached("DELETE FROM sessions WHERE last_seen < ?1 OR created <= ?2")?
        .execute([idle_before, born_before])
}
