//! Commenters' subscriptions to replies or to a page, and the double opt-in of their addresses.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::outbox::{self, Noticed};
use crate::domain::notify::{CONFIRM_EVERY_MS, Job, Language, Subscription, SubscriptionScope};

/// Whether `email` confirmed a subscription on `site` (a verified returning commenter). A moderator's
/// address never counts: it is often public, and anyone could type it.
pub fn confirmed(conn: &Connection, site: &str, email: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT 1 FROM mail_addresses WHERE site_id = ?1 AND email = ?2 AND confirmed IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM moderators WHERE email = ?2 COLLATE NOCASE)",
    )?
    .exists(params![site, email])
}

fn blocked(conn: &Connection, email: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM mail_blocked WHERE email = ?1")?
        .exists([email])
}

/// Whether comment `earlier` was written with `email` (the browser's author token names it).
pub fn same_author(conn: &Connection, earlier: i64, email: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM comments WHERE id = ?1 AND email = ?2 COLLATE NOCASE")?
        .exists(params![earlier, email])
}

/// The subscription a new comment's author asked for. Each subscription is confirmed on its own: a
/// confirmed address does not let anyone who types it subscribe it to more (nor again after an
/// unsubscribe). It starts at once only when `vouched` (the browser proved it wrote a published comment
/// with this address); otherwise a confirmation mail goes out, at most one per address and site in
/// [`CONFIRM_EVERY_MS`] (that mail's link also confirms the subscriptions made while it was the latest).
pub fn subscribe(
    tx: &Transaction<'_>,
    comment: i64,
    email: &str,
    scope: SubscriptionScope,
    vouched: bool,
    now: i64,
) -> rusqlite::Result<()> {
    let Some(n) = outbox::noticed(tx, comment)? else {
        return Ok(());
    };
    let site = n.snapshot.site.as_str();
    if blocked(tx, email)? {
        return Ok(());
    }
    tx.prepare_cached(
        "INSERT INTO subscriptions (site_id, email, scope, thread_id, comment_id, created, confirmed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        site,
        email,
        scope.as_str(),
        n.thread,
        comment,
        now,
        vouched.then_some(now)
    ])?;
    let subscription = tx.last_insert_rowid();
    if vouched {
        return Ok(());
    }
    let last_asked: Option<i64> = tx
        .prepare_cached("SELECT last_asked FROM mail_addresses WHERE site_id = ?1 AND email = ?2")?
        .query_row(params![site, email], |r| r.get(0))
        .optional()?
        .flatten();
    if last_asked.is_some_and(|last| last > now - CONFIRM_EVERY_MS) {
        return Ok(());
    }
    tx.prepare_cached(
        "INSERT INTO mail_addresses (site_id, email, last_asked) VALUES (?1, ?2, ?3)
         ON CONFLICT (site_id, email) DO UPDATE SET last_asked = excluded.last_asked",
    )?
    .execute(params![site, email, now])?;
    let job = Job::Confirm {
        subscription,
        to: email.to_owned(),
        language: n.language,
        site_name: n.snapshot.site_name.clone(),
        uri: n.snapshot.uri.clone(),
        title: n.snapshot.title.clone(),
        created: now,
    };
    outbox::queue(tx, Some(site), Some(comment), &job, now)?;
    Ok(())
}

/// A subscriber who hears of a comment.
pub struct Hearing {
    pub subscription: i64,
    pub created: i64,
    pub email: String,
    pub scope: SubscriptionScope,
}

/// The confirmed subscribers who hear of published comment `n`: those subscribed to replies to its
/// parent, then those subscribed to its page; one message per address, never to its own author.
pub fn hearing_of(conn: &Connection, n: &Noticed) -> rusqlite::Result<Vec<Hearing>> {
    let rows: Vec<(i64, String, String, i64)> = conn
        .prepare_cached(
            "SELECT s.id, s.email, s.scope, s.created FROM subscriptions s
             WHERE s.confirmed IS NOT NULL AND ((s.scope = 'replies' AND s.comment_id = ?1) OR (s.scope = 'page' AND s.thread_id = ?2))
               AND (?3 IS NULL OR s.email <> ?3)
               AND NOT EXISTS (SELECT 1 FROM mail_blocked b WHERE b.email = s.email)
             ORDER BY s.scope = 'replies' DESC, s.id",
        )?
        .query_map(params![n.snapshot.parent, n.thread, n.email], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut seen = std::collections::HashSet::new();
    Ok(rows
        .into_iter()
        .filter(|(_, email, _, _)| seen.insert(email.to_lowercase()))
        .map(|(subscription, email, scope, created)| Hearing {
            subscription,
            created,
            email,
            scope: SubscriptionScope::from_stored(&scope),
        })
        .collect())
}

pub fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<Subscription>> {
    conn.prepare_cached(
        "SELECT s.id, s.site_id, si.name, si.language, s.email, s.scope, t.uri, t.title, s.comment_id, s.created,
                s.confirmed
         FROM subscriptions s JOIN sites si ON si.id = s.site_id JOIN threads t ON t.id = s.thread_id
         WHERE s.id = ?1",
    )?
    .query_row([id], |r| {
        let language: String = r.get(3)?;
        let scope: String = r.get(5)?;
        Ok(Subscription {
            id: r.get(0)?,
            site: r.get(1)?,
            site_name: r.get(2)?,
            language: Language::parse(&language).unwrap_or_default(),
            email: r.get(4)?,
            scope: SubscriptionScope::from_stored(&scope),
            uri: r.get(6)?,
            title: r.get(7)?,
            comment: r.get(8)?,
            created: r.get(9)?,
            confirmed: r.get(10)?,
        })
    })
    .optional()
}

/// Confirms subscription `id` made at `created`, and those of the same address and site made within
/// [`CONFIRM_EVERY_MS`] after it (no mail of their own went out for them); the address now counts as
/// verified on the site.
pub fn confirm(tx: &Transaction<'_>, id: i64, created: i64, now: i64) -> rusqlite::Result<bool> {
    let found: Option<(String, String)> = tx
        .prepare_cached("SELECT site_id, email FROM subscriptions WHERE id = ?1 AND created = ?2")?
        .query_row(params![id, created], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((site, email)) = found else {
        return Ok(false);
    };
    tx.prepare_cached(
        "UPDATE subscriptions SET confirmed = ?4
         WHERE confirmed IS NULL AND site_id = ?1 AND email = ?2 AND created >= ?3 AND created < ?3 + ?5
           AND created <= ?4",
    )?
    .execute(params![site, email, created, now, CONFIRM_EVERY_MS])?;
    tx.prepare_cached(
        "INSERT INTO mail_addresses (site_id, email, confirmed) VALUES (?1, ?2, ?3)
         ON CONFLICT (site_id, email) DO UPDATE SET confirmed = coalesce(confirmed, excluded.confirmed)",
    )?
    .execute(params![site, email, now])?;
    Ok(true)
}

pub fn unsubscribe(tx: &Transaction<'_>, id: i64, created: i64) -> rusqlite::Result<bool> {
    Ok(tx
        .prepare_cached("DELETE FROM subscriptions WHERE id = ?1 AND created = ?2")?
        .execute(params![id, created])?
        == 1)
}

/// Forgets an address everywhere (a privacy erasure): its subscriptions and its confirmation.
pub fn forget_email(tx: &Transaction<'_>, email: &str) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM subscriptions WHERE email = ?1")?
        .execute([email])?;
    tx.prepare_cached("DELETE FROM mail_addresses WHERE email = ?1")?
        .execute([email])?;
    Ok(())
}
