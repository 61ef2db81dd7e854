//! What the GDPR asks of us for one email address: everything stored, and erasing it.

use rusqlite::{Connection, Transaction};

use super::{audit, comments, outbox, subscriptions};
use crate::domain::privacy::{Export, ExportedBan, ExportedComment, ExportedSubscription};
use crate::domain::time::rfc3339;

pub fn export(conn: &Connection, email: &str) -> rusqlite::Result<Export> {
    let comments = conn
        .prepare_cached(
            "SELECT c.id, t.site_id, t.uri, c.author, c.website, c.text, c.status, c.created, c.edited
             FROM comments c JOIN threads t ON t.id = c.thread_id
             WHERE c.email = ?1 COLLATE NOCASE ORDER BY c.id",
        )?
        .query_map([email], |r| {
            Ok(ExportedComment {
                id: r.get(0)?,
                site: r.get(1)?,
                page: r.get(2)?,
                author: r.get(3)?,
                website: r.get(4)?,
                text: r.get(5)?,
                status: r.get(6)?,
                created: rfc3339(r.get(7)?),
                edited: r.get::<_, Option<i64>>(8)?.map(rfc3339),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let bans = conn
        .prepare_cached(
            "SELECT id, site_id, reason, created, expires FROM bans WHERE email = ?1 COLLATE NOCASE ORDER BY id",
        )?
        .query_map([email], |r| {
            Ok(ExportedBan {
                id: r.get(0)?,
                site: r.get(1)?,
                reason: r.get(2)?,
                created: rfc3339(r.get(3)?),
                expires: r.get::<_, Option<i64>>(4)?.map(rfc3339),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let subscriptions = conn
        .prepare_cached(
            "SELECT s.site_id, t.uri, s.scope, s.comment_id, s.created, s.confirmed
             FROM subscriptions s JOIN threads t ON t.id = s.thread_id
             WHERE s.email = ?1 ORDER BY s.id",
        )?
        .query_map([email], |r| {
            Ok(ExportedSubscription {
                site: r.get(0)?,
                page: r.get(1)?,
                scope: r.get(2)?,
                comment: r.get(3)?,
                created: rfc3339(r.get(4)?),
                confirmed: r.get::<_, Option<i64>>(5)?.map(rfc3339),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Export {
        email: email.to_owned(),
        comments,
        bans,
        subscriptions,
    })
}

/// Erases every comment of this email: removed outright, or a content-free placeholder where replies hang
/// below it; and the bans of the address (a moderator who still wants one bans again, by IP hash or
/// email). Returns how many comments were erased. The erasure itself is recorded, without the address.
/// The database runs with `secure_delete`, so erased text is overwritten in the file, not just unlinked.
pub fn erase(tx: &Transaction<'_>, email: &str, now: i64, by: &str) -> rusqlite::Result<usize> {
    let ids: Vec<i64> = tx
        .prepare_cached("SELECT id FROM comments WHERE email = ?1 COLLATE NOCASE ORDER BY id DESC")?
        .query_map([email], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    outbox::forget_comments(tx, &ids)?;
    comments::remove_all(tx, &ids, now)?;
    tx.prepare_cached("DELETE FROM bans WHERE email = ?1 COLLATE NOCASE")?
        .execute([email])?;
    subscriptions::forget_email(tx, email)?;
    tx.prepare_cached("DELETE FROM outbox WHERE channel = 'mail' AND target = ?1 COLLATE NOCASE")?
        .execute([email])?;
    tx.prepare_cached("DELETE FROM mail_blocked WHERE email = ?1")?
        .execute([email])?;
    audit::record(
        tx,
        now,
        by,
        "gdpr-erase",
        None,
        Some(&format!("{} comments", ids.len())),
    )?;
    Ok(ids.len())
}
