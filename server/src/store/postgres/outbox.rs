//! The outbox: messages queued in the transaction of the change that caused them (so a crash between a
//! commit and its delivery loses nothing). Who hears of what is decided here from the site's settings
//! and the domain's rules; how deliveries are claimed and recorded is in `deliveries.rs`.

use super::{GenericClient, exec, one, opt, rows};
use super::{subscriptions, webhooks};
use crate::domain::Status;
use crate::domain::notify::{
    CommentSnapshot, Event, Job, Language, NotifyMode, Recipient, SENT_KEEP_MS, events_of, webhook_body,
};
use crate::store::{Result, StoreError};

pub use crate::domain::notify::Change;

/// A comment with what its notifications need to know besides the snapshot.
pub struct Noticed {
    pub snapshot: CommentSnapshot,
    pub thread: i64,
    pub email: Option<String>,
    pub notify: NotifyMode,
    pub language: Language,
    /// Whether the site has a webhook at all (asked with the comment: most sites have none, and a post
    /// then spares the query for them).
    pub hooked: bool,
}

pub async fn noticed(conn: &impl GenericClient, id: i64) -> Result<Option<Noticed>> {
    Ok(opt(
        conn,
        "SELECT c.id, t.site_id, s.name, t.uri, t.title, c.parent_id, c.status, c.author, c.website, c.html,
                c.text, c.held_reason, c.created, c.email, t.id, s.notify, s.language,
                EXISTS (SELECT 1 FROM webhooks w WHERE w.site_id = t.site_id)
         FROM comments c JOIN threads t ON t.id = c.thread_id JOIN sites s ON s.id = t.site_id
         WHERE c.id = $1",
        &[&id],
    )
    .await?
    .map(|r| noticed_at(&r, 0)))
}

/// A [`Noticed`] from a row's columns from `at` on, in the order of [`noticed`]'s statement: comment id,
/// site, site name, uri, title, parent, status, author, website, html, text, held reason, created, email,
/// thread, the site's notify mode and language, whether the site has a webhook.
pub(super) fn noticed_at(r: &tokio_postgres::Row, at: usize) -> Noticed {
    let notify: &str = r.get(at + 15);
    let language: &str = r.get(at + 16);
    Noticed {
        snapshot: CommentSnapshot {
            id: r.get(at),
            site: r.get(at + 1),
            site_name: r.get(at + 2),
            uri: r.get(at + 3),
            title: r.get(at + 4),
            parent: r.get(at + 5),
            status: r.get(at + 6),
            author: r.get(at + 7),
            website: r.get(at + 8),
            html: r.get(at + 9),
            text: r.get(at + 10),
            reason: r.get(at + 11),
            created: r.get(at + 12),
        },
        email: r.get(at + 13),
        thread: r.get(at + 14),
        notify: NotifyMode::parse(notify).unwrap_or_default(),
        language: Language::parse(language).unwrap_or_default(),
        hooked: r.get(at + 17),
    }
}

/// Queues what `change` to comment `id` makes known: moderator mails (when `mail`), subscribers' mails
/// (when `mail`) and webhook events. `before`: the comment's status before the change.
pub async fn notice(
    tx: &impl GenericClient,
    mail: bool,
    id: i64,
    change: Change,
    before: Status,
    now: i64,
) -> Result<()> {
    match noticed(tx, id).await? {
        Some(n) => notice_of(tx, mail, &n, change, before, now).await,
        None => Ok(()),
    }
}

/// [`notice`] for a comment read already.
pub async fn notice_of(
    tx: &impl GenericClient,
    mail: bool,
    n: &Noticed,
    change: Change,
    before: Status,
    now: i64,
) -> Result<()> {
    let id = n.snapshot.id;
    let status = Status::from_stored(&n.snapshot.status);
    let events = events_of(change, before, status);
    if mail
        && matches!(change, Change::Created | Change::Held)
        && n.notify.digest_every_ms().is_some()
        && matches!(status, Status::Pending | Status::Published)
    {
        exec(
            tx,
            "INSERT INTO digest_items (comment_id, site_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&id, &n.snapshot.site],
        )
        .await?;
    }
    if mail && matches!(change, Change::Created | Change::Held) && n.notify.mails_at_once(status) {
        for to in moderators_of(tx, &n.snapshot.site).await? {
            let job = Job::Moderator {
                to,
                language: n.language,
                comment: n.snapshot.clone(),
            };
            queue(tx, Some(&n.snapshot.site), Some(id), &job, now).await?;
        }
    }
    if mail && events.contains(&Event::Published) {
        for h in subscriptions::hearing_of(tx, n).await? {
            let job = Job::Reply {
                subscription: h.subscription,
                created: h.created,
                to: h.email,
                language: n.language,
                scope: h.scope,
                comment: n.snapshot.clone(),
            };
            queue(tx, Some(&n.snapshot.site), Some(id), &job, now).await?;
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
    let hooks = if events.is_empty() || !n.hooked {
        Vec::new()
    } else {
        webhooks::of_site(tx, &n.snapshot.site).await?
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
            queue(tx, Some(&n.snapshot.site), Some(id), &job, now).await?;
        }
    }
    Ok(())
}

/// The moderators of a site who have an address that has not bounced.
pub async fn moderators_of(conn: &impl GenericClient, site: &str) -> Result<Vec<Recipient>> {
    Ok(rows(
        conn,
        "SELECT m.id, m.name, m.email, m.created FROM moderators m
         WHERE m.email IS NOT NULL
           AND (m.all_sites > 0 OR EXISTS (SELECT 1 FROM moderator_sites ms WHERE ms.moderator_id = m.id AND ms.site_id = $1))
           AND NOT EXISTS (SELECT 1 FROM mail_blocked b WHERE b.email = m.email)
         ORDER BY m.id",
        &[&site],
    )
    .await?
    .iter()
    .map(|r| Recipient {
        moderator_id: r.get(0),
        name: r.get(1),
        email: r.get(2),
        created: r.get(3),
    })
    .collect())
}

/// A job as the outbox stores it.
fn job_text(job: &Job) -> Result<String> {
    serde_json::to_string(job).map_err(|e| StoreError::Failed(anyhow::Error::new(e).context("cannot encode a message")))
}

/// Puts one message in the outbox, due at once.
pub async fn queue(
    tx: &impl GenericClient,
    site: Option<&str>,
    comment: Option<i64>,
    job: &Job,
    now: i64,
) -> Result<i64> {
    let text = job_text(job)?;
    Ok(one(
        tx,
        "INSERT INTO outbox (site_id, comment_id, channel, target, job, next_at, created, since)
         VALUES ($1, $2, $3, $4, $5, $6, $6, $6) RETURNING id",
        &[&site, &comment, &job.channel().as_str(), &job.target(), &text, &now],
    )
    .await?
    .get(0))
}

/// Forgets sent messages after [`SENT_KEEP_MS`], failed ones that long after their last attempt, and
/// used links past their expiry.
pub async fn forget(tx: &impl GenericClient, now: i64) -> Result<usize> {
    let messages = exec(
        tx,
        "DELETE FROM outbox WHERE (state = 'sent' AND sent_at < $1) OR (state = 'failed' AND next_at < $1)",
        &[&(now - SENT_KEEP_MS)],
    )
    .await?;
    let links = exec(tx, "DELETE FROM used_links WHERE expires < $1", &[&now]).await?;
    Ok((messages + links) as usize)
}

/// Marks a single-use link used; `false` when it was already.
pub async fn use_link(tx: &impl GenericClient, mac: &str, expires: i64) -> Result<bool> {
    Ok(exec(
        tx,
        "INSERT INTO used_links (mac, expires) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        &[&mac, &expires],
    )
    .await?
        == 1)
}

/// Drops the messages about these comments (their author's data is being erased), sent or not, and
/// takes them out of the digests that list them.
pub async fn forget_comments(tx: &impl GenericClient, ids: &[i64]) -> Result<()> {
    for id in ids {
        exec(tx, "DELETE FROM outbox WHERE comment_id = $1", &[id]).await?;
        exec(tx, "DELETE FROM digest_items WHERE comment_id = $1", &[id]).await?;
    }
    let digests: Vec<(i64, String)> = rows(
        tx,
        "SELECT id, job FROM outbox WHERE job::json ->> 'kind' = 'digest'",
        &[],
    )
    .await?
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
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
            exec(tx, "DELETE FROM outbox WHERE id = $1", &[&row]).await?;
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
        let text = job_text(&job)?;
        exec(tx, "UPDATE outbox SET job = $2 WHERE id = $1", &[&row, &text]).await?;
    }
    Ok(())
}
