//! Bans of an email or an IP hash, on one site or on every site.

use super::{GenericClient, exec, one, opt, rows};
use crate::domain::moderator::{Ban, NewBan};
use crate::store::Result;

pub async fn add(tx: &impl GenericClient, ban: &NewBan, now: i64) -> Result<i64> {
    Ok(one(
        tx,
        "INSERT INTO bans (site_id, email, ip_hash, reason, created, expires, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        &[
            &ban.site,
            &ban.email,
            &ban.ip_hash,
            &ban.reason,
            &now,
            &ban.expires,
            &ban.created_by,
        ],
    )
    .await?
    .get(0))
}

pub async fn remove(tx: &impl GenericClient, id: i64, sites: Option<&[String]>) -> Result<bool> {
    let ban = opt(tx, "SELECT site_id FROM bans WHERE id = $1", &[&id])
        .await?
        .map(|r| r.get::<_, Option<String>>(0));
    let allowed = match (ban, sites) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(Some(site)), Some(list)) => list.contains(&site),
        // A ban on every site belongs to moderators of every site.
        (Some(None), Some(_)) => false,
    };
    if allowed {
        exec(tx, "DELETE FROM bans WHERE id = $1", &[&id]).await?;
    }
    Ok(allowed)
}

pub async fn in_force(conn: &impl GenericClient, sites: Option<&[String]>, now: i64) -> Result<Vec<Ban>> {
    let all = rows(
        conn,
        "SELECT id, site_id, email, ip_hash, reason, created, expires, created_by FROM bans
         WHERE expires IS NULL OR expires > $1 ORDER BY id DESC",
        &[&now],
    )
    .await?
    .iter()
    .map(|r| Ban {
        id: r.get(0),
        site: r.get(1),
        email: r.get(2),
        ip_hash: r.get(3),
        reason: r.get(4),
        created: r.get(5),
        expires: r.get(6),
        created_by: r.get(7),
    })
    .collect::<Vec<_>>();
    Ok(all
        .into_iter()
        .filter(|b| match (sites, &b.site) {
            (None, _) => true,
            (Some(list), Some(site)) => list.contains(site),
            (Some(_), None) => false,
        })
        .collect())
}

/// Whether a ban in force covers an email (`$2`) or IP (by its current or previous hash, `$3` and `$4`) on
/// a site (`$1`) at `$5`: an SQL expression, for [`is_banned`] and statements that ask it with more.
pub(super) const BANNED: &str = "EXISTS (SELECT 1 FROM bans WHERE (site_id IS NULL OR site_id = $1)
    AND (expires IS NULL OR expires > $5) AND (($2::TEXT IS NOT NULL AND email = $2) OR ip_hash IN ($3, $4)))";

/// Whether a ban in force covers this email or IP (by its current or previous hash) on this site.
pub async fn is_banned(
    conn: &impl GenericClient,
    site: &str,
    email: Option<&str>,
    ip_hashes: [&str; 2],
    now: i64,
) -> Result<bool> {
    Ok(one(
        conn,
        &format!("SELECT {BANNED}"),
        &[&site, &email, &ip_hashes[0], &ip_hashes[1], &now],
    )
    .await?
    .get(0))
}
