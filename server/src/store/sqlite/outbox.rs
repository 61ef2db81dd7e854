//! The outbox: messages queued in the transaction of the change that caused them (so a crash between a
//! commit and its delivery loses nothing). Who hears of what is decided here from the site's settings
//! and the domain's rules; how deliveries are claimed and recorded is in `deliveries.rs`.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{subscriptions, webhooks};
use crate::domain::Status;
use crate::domain::notify::{
    CommentSnapshot, Event, Job, Language, NotifyMode, Recipient, SENT_KEEP_MS, events_of, webhook_body,
};

pub use crate::domain::notify::Change;

/// A comment with what its notifications need to know besides the snapshot.
pub struct Noticed {
    pub snapshot: CommentSnapshot,
    pub thread: i64,
    pub email: Option<String>,
    pub notify: NotifyMode,
    pub language: Language,
}

pub fn noticed(conn: &Connection, id: i64) -> rusqlite::Result<Option<Noticed>> {
    conn.prepare_cached(
        "SELECT c.id, t.site_id, s.name, t.uri, t.title, c.parent_id, c.status, c.author, c.website, c.html,
                c.text, c.held_reason, c.created, c.email, t.id, s.notify, s.language
         FROM comments c JOIN threads t ON t.id = c.thread_id JOIN sites s ON s.id = t.site_id
         WHERE c.id = ?1",
    )?
    .query_row([id], |r| {
        let notify: String = r.get(15)?;
        let language: String = r.get(16)?;
        Ok(Noticed {
            snapshot: CommentSnapshot {
                id: r.get(0)?,
                site: r.get(1)?,
                site_name: r.get(2)?,
                uri: r.get(3)?,
                title: r.get(4)?,
                parent: r.get(5)?,
                status: r.get(6)?,
                author: r.get(7)?,
                website: r.get(8)?,
                html: r.get(9)?,
                text: r.get(10)?,
                reason: r.get(11)?,
                created: r.get(12)?,
            },
            email: r.get(13)?,
            thread: r.get(14)?,
            notify: NotifyMode::parse(&notify).unwrap_or_default(),
            language: Language::parse(&language).unwrap_or_default(),
        })
    })
    .optional()
}

/// Queues what `change` to comment `id` makes known: moderator mails (when `mail`), subscribers' mails
/// (when `mail`) and webhook events. `before`: the comment's status before the change.
pub fn notice(
    tx: &Transaction<'_>,
    mail: bool,
    id: i64,
    change: Change,
    before: Status,
    now: i64,
) -> rusqlite::Result<()> {
    let Some(n) = noticed(tx, id)? else {
        return Ok(());
    };
    let status = Status::from_stored(&n.snapshot.status);
    let events = events_of(change, before, status);
    if mail
        && matches!(change, Change::Created | Change::Held)
        && n.notify.digest_every_ms().is_some()
        && matches!(status, Status::Pending | Status::Published)
    {
        tx.prepare_cached("INSERT OR IGNORE INTO digest_items (comment_id, site_id) VALUES (?1, ?2)")?
            .execute(params![id, n.snapshot.site])?;
    }
    if mail && matches!(change, Change::Created | Change::Held) && n.notify.mails_at_once(status) {
        for to in moderators_of(tx, &n.snapshot.site)? {
            let job = Job::Moderator {
                to,
                language: n.language,
                comment: n.snapshot.clone(),
            };
            queue(tx, Some(&n.snapshot.site), Some(id), &job, now)?;
        }
    }
    if mail && events.contains(&Event::Published) {
        for h in subscriptions::hearing_of(tx, &n)? {
            let job = Job::Reply {
                subscription: h.subscription,
                created: h.created,
                to: h.email,
                language: n.language,
                scope: h.scope,
                comment: n.snapshot.clone(),
            };
            queue(tx, Some(&n.snapshot.site), Some(id), &job, now)?;
        }
    }
    // A deleted comment's content goes nowhere (it may be an erasure): receivers get where it was.
    let gone = CommentSnapshot {
        author: None,
        website: None,
        html: String::new(),
        text: String::new(),
        reason: None,
        ..n.snapshot.clone()
    };
    let hooks = if events.is_empty() {
        Vec::new()
    } else {
        webhooks::of_site(tx, &n.snapshot.site)?
    };
    for event in events {
        let shown = if event == Event::Deleted { &gone } else { &n.snapshot };
        for hook in hooks.iter().filter(|h| h.wants(event)) {
            let job = Job::Webhook {
                hook: hook.id,
                url: hook.url.clone(),
                event,
                body: webhook_body(event, Some(shown), now),
            };
            queue(tx, Some(&n.snapshot.site), Some(id), &job, now)?;
        }
    }
    Ok(())
}

/// The moderators of a site who have an address that has not bounced.
pub fn moderators_of(conn: &Connection, site: &str) -> rusqlite::Result<Vec<Recipient>> {
    conn.prepare_cached(
        "SELECT m.id, m.name, m.email, m.created FROM moderators m
         WHERE m.email IS NOT NULL
           AND (m.all_sites OR EXISTS (SELECT 1 FROM moderator_sites ms WHERE ms.moderator_id = m.id AND ms.site_id = ?1))
           AND NOT EXISTS (SELECT 1 FROM mail_blocked b WHERE b.email = m.email)
         ORDER BY m.id",
    )?
    .query_map([site], |r| {
        Ok(Recipient {
            moderator_id: r.get(0)?,
            name: r.get(1)?,
            email: r.get(2)?,
            created: r.get(3)?,
        })
    })?
    .collect()
}

/// Puts one message in the outbox, due at once.
pub fn queue(
    tx: &Transaction<'_>,
    site: Option<&str>,
    comment: Option<i64>,
    job: &Job,
    now: i64,
) -> rusqlite::Result<i64> {
    let text = serde_json::to_string(job).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    tx.prepare_cached(
        "INSERT INTO outbox (site_id, comment_id, channel, target, job, next_at, created, since)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?6)",
    )?
    .execute(params![site, comment, job.channel().as_str(), job.target(), text, now])?;
    Ok(tx.last_insert_rowid())
}

/// Forgets sent messages after [`SENT_KEEP_MS`], failed ones that long after their last attempt, and
/// used links past their expiry.
pub fn forget(tx: &Transaction<'_>, now: i64) -> rusqlite::Result<usize> {
    let messages = tx
        .prepare_cached(
            "DELETE FROM outbox WHERE (state = 'sent' AND sent_at < ?1) OR (state = 'failed' AND next_at < ?1)",
        )?
        .execute([now - SENT_KEEP_MS])?;
    let links = tx
        .prepare_cached("DELETE FROM used_links WHERE expires < ?1")?
        .execute([now])?;
    Ok(messages + links)
}

/// Marks a single-use link used; `false` when it was already.
pub fn use_link(tx: &Transaction<'_>, mac: &str, expires: i64) -> rusqlite::Result<bool> {
    Ok(tx
        .prepare_cached("INSERT INTO used_links (mac, expires) VALUES (?1, ?2) ON CONFLICT DO NOTHING")?
        .execute(params![mac, expires])?
        == 1)
}

/// Drops the messages about these comments (their author's data is being erased), sent or not, and
/// takes them out of the digests that list them.
pub fn forget_comments(tx: &Transaction<'_>, ids: &[i64]) -> rusqlite::Result<()> {
    for id in ids {
        tx.prepare_cached("DELETE FROM outbox WHERE comment_id = ?1")?
            .execute([id])?;
        tx.prepare_cached("DELETE FROM digest_items WHERE comment_id = ?1")?
            .execute([id])?;
    }
    let digests: Vec<(i64, String)> = tx
        .prepare_cached("SELECT id, job FROM outbox WHERE json_extract(job, '$.kind') = 'digest'")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (row, text) in digests {
        let Ok(Job::Digest {
            to,
            language,
            site,
            site_name,
            since,
            comments,
        }) = serde_json::from_str::<Job>(&text)
        else {
            continue;
        };
        let kept: Vec<CommentSnapshot> = comments.iter().filter(|c| !ids.contains(&c.id)).cloned().collect();
        if kept.len() == comments.len() {
            continue;
        }
        if kept.is_empty() {
            tx.prepare_cached("DELETE FROM outbox WHERE id = ?1")?.execute([row])?;
            continue;
        }
        let job = Job::Digest {
            to,
            language,
            site,
            site_name,
            since,
            comments: kept,
        };
        let text = serde_json::to_string(&job).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        tx.prepare_cached("UPDATE outbox SET job = ?2 WHERE id = ?1")?
            .execute(params![row, text])?;
    }
    Ok(())
}
