//! Commenters' subscriptions to replies or to a page, and the double opt-in of their addresses.

use super::outbox::{self, Noticed};
use super::{GenericClient, exec, one, opt, rows};
use crate::domain::notify::{CONFIRM_EVERY_MS, Job, Language, Subscription, SubscriptionScope};
use crate::store::Result;

/// A subscriber who hears of a comment.
pub struct Hearing {
    pub subscription: i64,
    pub created: i64,
    pub email: String,
    pub scope: SubscriptionScope,
}

/// Whether `email` confirmed a subscription on `site` (a verified returning commenter). A moderator's
/// address never counts: it is often public, and anyone could type it.
pub async fn confirmed(conn: &impl GenericClient, site: &str, email: &str) -> Result<bool> {
    Ok(opt(
        conn,
        "SELECT 1 FROM mail_addresses WHERE site_id = $1 AND email = $2 AND confirmed IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM moderators WHERE email = $2 COLLATE nocase)",
        &[&site, &email],
    )
    .await?
    .is_some())
}

async fn blocked(conn: &impl GenericClient, email: &str) -> Result<bool> {
    Ok(opt(conn, "SELECT 1 FROM mail_blocked WHERE email = $1", &[&email])
        .await?
        .is_some())
}

/// Whether comment `earlier` was written with `email` (the browser's author token names it).
pub async fn same_author(conn: &impl GenericClient, earlier: i64, email: &str) -> Result<bool> {
    Ok(opt(
        conn,
        "SELECT 1 FROM comments WHERE id = $1 AND (email COLLATE nocase) = $2",
        &[&earlier, &email],
    )
    .await?
    .is_some())
}

/// The subscription a new comment's author asked for. Each subscription is confirmed on its own: a
/// confirmed address does not let anyone who types it subscribe it to more (nor again after an
/// unsubscribe). It starts at once only when `vouched` (the browser proved it wrote a published comment
/// with this address); otherwise a confirmation mail goes out, at most one per address and site in
/// [`CONFIRM_EVERY_MS`] (that mail's link also confirms the subscriptions made while it was the latest).
pub async fn subscribe(
    tx: &impl GenericClient,
    comment: i64,
    email: &str,
    scope: SubscriptionScope,
    vouched: bool,
    now: i64,
) -> Result<()> {
    let Some(n) = outbox::noticed(tx, comment).await? else {
        return Ok(());
    };
    let site = n.snapshot.site.as_str();
    if blocked(tx, email).await? {
        return Ok(());
    }
    let subscription: i64 = one(
        tx,
        "INSERT INTO subscriptions (site_id, email, scope, thread_id, comment_id, created, confirmed)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        &[
            &site,
            &email,
            &scope.as_str(),
            &n.thread,
            &comment,
            &now,
            &vouched.then_some(now),
        ],
    )
    .await?
    .get(0);
    if vouched {
        return Ok(());
    }
    let last_asked: Option<i64> = opt(
        tx,
        "SELECT last_asked FROM mail_addresses WHERE site_id = $1 AND email = $2",
        &[&site, &email],
    )
    .await?
    .and_then(|r| r.get(0));
    if last_asked.is_some_and(|last| last > now - CONFIRM_EVERY_MS) {
        return Ok(());
    }
    exec(
        tx,
        "INSERT INTO mail_addresses (site_id, email, last_asked) VALUES ($1, $2, $3)
         ON CONFLICT (site_id, email) DO UPDATE SET last_asked = excluded.last_asked",
        &[&site, &email, &now],
    )
    .await?;
    let job = Job::Confirm {
        subscription,
        to: email.to_owned(),
        language: n.language,
        site_name: n.snapshot.site_name.clone(),
        uri: n.snapshot.uri.clone(),
        title: n.snapshot.title.clone(),
        created: now,
    };
    outbox::queue(tx, Some(site), Some(comment), &job, now).await?;
    Ok(())
}

/// The confirmed subscribers who hear of published comment `n`: those subscribed to replies to its
/// parent, then those subscribed to its page; one message per address, never to its own author.
pub async fn hearing_of(conn: &impl GenericClient, n: &Noticed) -> Result<Vec<Hearing>> {
    let found = rows(
        conn,
        "SELECT s.id, s.email, s.scope, s.created FROM subscriptions s
         WHERE s.confirmed IS NOT NULL AND ((s.scope = 'replies' AND s.comment_id = $1) OR (s.scope = 'page' AND s.thread_id = $2))
           AND ($3::TEXT IS NULL OR s.email <> $3)
           AND NOT EXISTS (SELECT 1 FROM mail_blocked b WHERE b.email = s.email)
         ORDER BY s.scope = 'replies' DESC, s.id",
        &[&n.snapshot.parent, &n.thread, &n.email],
    )
    .await?;
    let mut seen = std::collections::HashSet::new();
    Ok(found
        .iter()
        .map(|r| {
            (
                r.get::<_, i64>(0),
                r.get::<_, String>(1),
                r.get::<_, String>(2),
                r.get::<_, i64>(3),
            )
        })
        .filter(|(_, email, _, _)| seen.insert(email.to_lowercase()))
        .map(|(subscription, email, scope, created)| Hearing {
            subscription,
            created,
            email,
            scope: SubscriptionScope::from_stored(&scope),
        })
        .collect())
}

pub async fn get(conn: &impl GenericClient, id: i64) -> Result<Option<Subscription>> {
    Ok(opt(
        conn,
        "SELECT s.id, s.site_id, si.name, si.language, s.email, s.scope, t.uri, t.title, s.comment_id, s.created,
                s.confirmed
         FROM subscriptions s JOIN sites si ON si.id = s.site_id JOIN threads t ON t.id = s.thread_id
         WHERE s.id = $1",
        &[&id],
    )
    .await?
    .map(|r| {
        let language: &str = r.get(3);
        let scope: &str = r.get(5);
        Subscription {
            id: r.get(0),
            site: r.get(1),
            site_name: r.get(2),
            language: Language::parse(language).unwrap_or_default(),
            email: r.get(4),
            scope: SubscriptionScope::from_stored(scope),
            uri: r.get(6),
            title: r.get(7),
            comment: r.get(8),
            created: r.get(9),
            confirmed: r.get(10),
        }
    }))
}

/// Confirms subscription `id` made at `created`, and those of the same address and site made within
/// [`CONFIRM_EVERY_MS`] after it (no mail of their own went out for them); the address now counts as
/// verified on the site.
pub async fn confirm(tx: &impl GenericClient, id: i64, created: i64, now: i64) -> Result<bool> {
    let Some(found) = opt(
        tx,
        "SELECT site_id, email FROM subscriptions WHERE id = $1 AND created = $2",
        &[&id, &created],
    )
    .await?
    else {
        return Ok(false);
    };
    let (site, email): (&str, &str) = (found.get(0), found.get(1));
    exec(
        tx,
        "UPDATE subscriptions SET confirmed = $4
         WHERE confirmed IS NULL AND site_id = $1 AND email = $2 AND created >= $3 AND created < $3 + $5
           AND created <= $4",
        &[&site, &email, &created, &now, &CONFIRM_EVERY_MS],
    )
    .await?;
    exec(
        tx,
        "INSERT INTO mail_addresses (site_id, email, confirmed) VALUES ($1, $2, $3)
         ON CONFLICT (site_id, email) DO UPDATE SET confirmed = coalesce(mail_addresses.confirmed, excluded.confirmed)",
        &[&site, &email, &now],
    )
    .await?;
    Ok(true)
}

pub async fn unsubscribe(tx: &impl GenericClient, id: i64, created: i64) -> Result<bool> {
    Ok(exec(
        tx,
        "DELETE FROM subscriptions WHERE id = $1 AND created = $2",
        &[&id, &created],
    )
    .await?
        == 1)
}

/// Forgets an address everywhere (a privacy erasure): its subscriptions and its confirmation.
pub async fn forget_email(tx: &impl GenericClient, email: &str) -> Result<()> {
    exec(tx, "DELETE FROM subscriptions WHERE email = $1", &[&email]).await?;
    exec(tx, "DELETE FROM mail_addresses WHERE email = $1", &[&email]).await?;
    Ok(())
}
