//! Moderator accounts, the sites each may moderate, and their login sessions.

use tokio_postgres::Row;

use super::{GenericClient, exec, one, opt, rows};
use crate::domain::moderator::Moderator;
use crate::store::Result;

/// The sites a moderator may moderate: `None` for every site (only with the explicit `all_sites` flag; a
/// moderator whose last site was deleted moderates nothing, not everything).
async fn sites_of(conn: &impl GenericClient, id: i64) -> Result<Option<Vec<String>>> {
    let all: i64 = one(conn, "SELECT all_sites FROM moderators WHERE id = $1", &[&id])
        .await?
        .get(0);
    if all != 0 {
        return Ok(None);
    }
    let sites: Vec<String> = rows(
        conn,
        "SELECT site_id FROM moderator_sites WHERE moderator_id = $1 ORDER BY site_id",
        &[&id],
    )
    .await?
    .iter()
    .map(|r| r.get(0))
    .collect();
    Ok(Some(sites))
}

const COLUMNS: &str = "id, name, password_hash, email, created, badge_version";

async fn moderator(conn: &impl GenericClient, r: &Row) -> Result<Moderator> {
    let id = r.get(0);
    Ok(Moderator {
        id,
        name: r.get(1),
        password_hash: r.get(2),
        email: r.get(3),
        created: r.get(4),
        badge_version: r.get(5),
        sites: sites_of(conn, id).await?,
    })
}

async fn moderator_opt(conn: &impl GenericClient, r: Option<Row>) -> Result<Option<Moderator>> {
    match r {
        Some(r) => Ok(Some(moderator(conn, &r).await?)),
        None => Ok(None),
    }
}

pub async fn by_name(conn: &impl GenericClient, name: &str) -> Result<Option<Moderator>> {
    let r = opt(
        conn,
        &format!("SELECT {COLUMNS} FROM moderators WHERE name = $1"),
        &[&name],
    )
    .await?;
    moderator_opt(conn, r).await
}

pub async fn by_id(conn: &impl GenericClient, id: i64) -> Result<Option<Moderator>> {
    let r = opt(conn, &format!("SELECT {COLUMNS} FROM moderators WHERE id = $1"), &[&id]).await?;
    moderator_opt(conn, r).await
}

pub async fn list(conn: &impl GenericClient) -> Result<Vec<Moderator>> {
    let found = rows(conn, &format!("SELECT {COLUMNS} FROM moderators ORDER BY name"), &[]).await?;
    let mut all = Vec::with_capacity(found.len());
    for r in &found {
        all.push(moderator(conn, r).await?);
    }
    Ok(all)
}

/// Sets (or with `None` clears) a moderator's address for notifications; `false` when there is no such
/// moderator.
/// A bounce recorded for the address is forgotten: setting it again says it works now.
/// Makes every badge token of the moderator stop working; whether the moderator exists.
pub async fn new_badge(tx: &impl GenericClient, name: &str) -> Result<bool> {
    Ok(exec(
        tx,
        "UPDATE moderators SET badge_version = badge_version + 1 WHERE name = $1",
        &[&name],
    )
    .await?
        == 1)
}

pub async fn set_email(tx: &impl GenericClient, name: &str, email: Option<&str>) -> Result<bool> {
    if let Some(email) = email {
        exec(tx, "DELETE FROM mail_blocked WHERE email = $1", &[&email]).await?;
    }
    Ok(exec(tx, "UPDATE moderators SET email = $2 WHERE name = $1", &[&name, &email]).await? == 1)
}

/// Creates a moderator of these sites (`None`: every site); `false` when the name is taken.
pub async fn add(
    tx: &impl GenericClient,
    name: &str,
    password_hash: &str,
    email: Option<&str>,
    sites: Option<&[String]>,
    now: i64,
) -> Result<bool> {
    let all_sites = i64::from(sites.is_none());
    let inserted = opt(
        tx,
        "INSERT INTO moderators (name, password_hash, created, all_sites, email) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING RETURNING id",
        &[&name, &password_hash, &now, &all_sites, &email],
    )
    .await?;
    let Some(inserted) = inserted else { return Ok(false) };
    let id: i64 = inserted.get(0);
    for site in sites.unwrap_or_default() {
        exec(
            tx,
            "INSERT INTO moderator_sites (moderator_id, site_id) VALUES ($1, $2)",
            &[&id, site],
        )
        .await?;
    }
    Ok(true)
}

pub async fn remove(tx: &impl GenericClient, name: &str) -> Result<bool> {
    Ok(exec(tx, "DELETE FROM moderators WHERE name = $1", &[&name]).await? == 1)
}

/// Sets a new password and ends every session of the account.
pub async fn set_password(tx: &impl GenericClient, name: &str, password_hash: &str) -> Result<bool> {
    let changed = exec(
        tx,
        "UPDATE moderators SET password_hash = $2 WHERE name = $1",
        &[&name, &password_hash],
    )
    .await?;
    exec(
        tx,
        "DELETE FROM sessions WHERE moderator_id = (SELECT id FROM moderators WHERE name = $1)",
        &[&name],
    )
    .await?;
    Ok(changed == 1)
}

pub async fn create_session(tx: &impl GenericClient, token_hash: &str, moderator_id: i64, now: i64) -> Result<()> {
    exec(
        tx,
        "INSERT INTO sessions (token_hash, moderator_id, created, last_seen) VALUES ($1, $2, $3, $3)",
        &[&token_hash, &moderator_id, &now],
    )
    .await?;
    Ok(())
}

/// The moderator of a session begun after `born_after`, and when it was last used.
pub async fn session(conn: &impl GenericClient, token_hash: &str, born_after: i64) -> Result<Option<(Moderator, i64)>> {
    let found = opt(
        conn,
        "SELECT moderator_id, last_seen FROM sessions WHERE token_hash = $1 AND created > $2",
        &[&token_hash, &born_after],
    )
    .await?;
    let Some(found) = found else { return Ok(None) };
    let (id, last_seen): (i64, i64) = (found.get(0), found.get(1));
    Ok(by_id(conn, id).await?.map(|m| (m, last_seen)))
}

pub async fn touch_session(tx: &impl GenericClient, token_hash: &str, now: i64) -> Result<()> {
    exec(
        tx,
        "UPDATE sessions SET last_seen = $2 WHERE token_hash = $1",
        &[&token_hash, &now],
    )
    .await?;
    Ok(())
}

pub async fn end_session(tx: &impl GenericClient, token_hash: &str) -> Result<()> {
    exec(tx, "DELETE FROM sessions WHERE token_hash = $1", &[&token_hash]).await?;
    Ok(())
}

/// Ends sessions idle since before `idle_before` or begun before `born_before`.
pub async fn purge_sessions(tx: &impl GenericClient, idle_before: i64, born_before: i64) -> Result<usize> {
    Ok(exec(
        tx,
        "DELETE FROM sessions WHERE last_seen < $1 OR created <= $2",
        &[&idle_before, &born_before],
    )
    .await? as usize)
}
