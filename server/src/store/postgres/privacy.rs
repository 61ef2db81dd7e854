//! What the GDPR asks of us for one email address: everything stored, and erasing it.

use super::{GenericClient, exec, rows};
use super::{audit, comments, outbox, subscriptions};
use crate::domain::privacy::{Export, ExportedBan, ExportedComment, ExportedSubscription};
use crate::domain::time::rfc3339;
use crate::store::Result;

pub async fn export(conn: &impl GenericClient, email: &str) -> Result<Export> {
    let comments = rows(
        conn,
        "SELECT c.id, t.site_id, t.uri, c.author, c.website, c.text, c.status, c.created, c.edited
         FROM comments c JOIN threads t ON t.id = c.thread_id
         WHERE (c.email COLLATE nocase) = $1 ORDER BY c.id",
        &[&email],
    )
    .await?
    .iter()
    .map(|r| ExportedComment {
        id: r.get(0),
        site: r.get(1),
        page: r.get(2),
        author: r.get(3),
        website: r.get(4),
        text: r.get(5),
        status: r.get(6),
        created: rfc3339(r.get(7)),
        edited: r.get::<_, Option<i64>>(8).map(rfc3339),
    })
    .collect();
    let bans = rows(
        conn,
        "SELECT id, site_id, reason, created, expires FROM bans WHERE email = $1 ORDER BY id",
        &[&email],
    )
    .await?
    .iter()
    .map(|r| ExportedBan {
        id: r.get(0),
        site: r.get(1),
        reason: r.get(2),
        created: rfc3339(r.get(3)),
        expires: r.get::<_, Option<i64>>(4).map(rfc3339),
    })
    .collect();
    let subscriptions = rows(
        conn,
        "SELECT s.site_id, t.uri, s.scope, s.comment_id, s.created, s.confirmed
         FROM subscriptions s JOIN threads t ON t.id = s.thread_id
         WHERE s.email = $1 ORDER BY s.id",
        &[&email],
    )
    .await?
    .iter()
    .map(|r| ExportedSubscription {
        site: r.get(0),
        page: r.get(1),
        scope: r.get(2),
        comment: r.get(3),
        created: rfc3339(r.get(4)),
        confirmed: r.get::<_, Option<i64>>(5).map(rfc3339),
    })
    .collect();
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
/// (SQLite runs with `secure_delete`; PostgreSQL leaves erased row versions until vacuum reclaims them.)
pub async fn erase(tx: &impl GenericClient, email: &str, now: i64, by: &str) -> Result<usize> {
    let ids: Vec<i64> = rows(
        tx,
        "SELECT id FROM comments WHERE (email COLLATE nocase) = $1 ORDER BY id DESC",
        &[&email],
    )
    .await?
    .iter()
    .map(|r| r.get(0))
    .collect();
    outbox::forget_comments(tx, &ids).await?;
    comments::remove_all(tx, &ids, now).await?;
    exec(tx, "DELETE FROM bans WHERE email = $1", &[&email]).await?;
    subscriptions::forget_email(tx, email).await?;
    exec(
        tx,
        "DELETE FROM outbox WHERE channel = 'mail' AND (target COLLATE nocase) = $1",
        &[&email],
    )
    .await?;
    exec(tx, "DELETE FROM mail_blocked WHERE email = $1", &[&email]).await?;
    audit::record(
        tx,
        now,
        by,
        "gdpr-erase",
        None,
        Some(&format!("{} comments", ids.len())),
    )
    .await?;
    Ok(ids.len())
}
