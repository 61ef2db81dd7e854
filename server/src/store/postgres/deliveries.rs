//! The outbox's deliveries: claimed by the notify worker, marked sent, retried or failed, listed for the
//! admin UI and sent again on a moderator's word.

use super::webhooks;
use super::{GenericClient, exec, one, opt, rows};
use crate::domain::notify::{Attempt, CLAIM_MS, DeliveryState, Job, OutboxItem, Retries};
use crate::store::Result;

const ITEM: &str = "SELECT id, site_id, job, state, attempts, next_at, last_error, created, sent_at FROM outbox";

/// A row as stored, its job still text: one this version cannot read (written by a newer one, or by
/// hand) must not stop the others.
struct Row {
    item: OutboxItem,
    job: Result<Job, String>,
}

fn row(r: &tokio_postgres::Row) -> Row {
    let job: &str = r.get(2);
    let state: &str = r.get(3);
    let job = serde_json::from_str::<Job>(job).map_err(|e| e.to_string());
    Row {
        item: OutboxItem {
            id: r.get(0),
            site: r.get(1),
            // Replaced by the decoded job below; a placeholder only for rows that do not decode.
            job: Job::Webhook {
                hook: 0,
                url: String::new(),
                event: crate::domain::notify::Event::Test,
                body: String::new(),
            },
            state: DeliveryState::from_stored(state),
            attempts: r.get(4),
            next_at: r.get(5),
            last_error: r.get(6),
            created: r.get(7),
            sent_at: r.get(8),
        },
        job,
    }
}

impl Row {
    fn readable(self) -> Option<OutboxItem> {
        let job = self.job.ok()?;
        Some(OutboxItem { job, ..self.item })
    }
}

/// Up to `limit` due messages no worker holds, now held until `now + CLAIM_MS`. The rows are locked
/// with `FOR UPDATE SKIP LOCKED`: servers draining the same outbox each get other messages.
pub async fn claim(tx: &impl GenericClient, now: i64, limit: usize) -> Result<Vec<OutboxItem>> {
    let found = rows(
        tx,
        &format!(
            "{ITEM} WHERE state IN ('queued', 'retrying') AND next_at <= $1 AND claimed_until <= $1
             ORDER BY next_at, id LIMIT $2 FOR UPDATE SKIP LOCKED"
        ),
        &[&now, &(limit as i64)],
    )
    .await?;
    let mut items = Vec::with_capacity(found.len());
    for found in found.iter().map(row) {
        let id = found.item.id;
        match found.job {
            Ok(job) => {
                exec(
                    tx,
                    "UPDATE outbox SET claimed_until = $2 WHERE id = $1",
                    &[&id, &(now + CLAIM_MS)],
                )
                .await?;
                items.push(OutboxItem { job, ..found.item });
            }
            Err(e) => {
                exec(
                    tx,
                    "UPDATE outbox SET state = 'failed', last_error = $2, claimed_until = 0 WHERE id = $1",
                    &[&id, &format!("unreadable message: {e}")],
                )
                .await?;
            }
        }
    }
    Ok(items)
}

/// Fails what still waits for hook `id` (it was removed).
pub async fn fail_hook(tx: &impl GenericClient, id: i64, reason: &str) -> Result<usize> {
    Ok(exec(
        tx,
        "UPDATE outbox SET state = 'failed', last_error = $2, claimed_until = 0
         WHERE channel = 'webhook' AND (job::json ->> 'hook')::BIGINT = $1 AND state IN ('queued', 'retrying')",
        &[&id, &reason],
    )
    .await? as usize)
}

/// Releases nothing, unlike SQLite's (where the one server that owns the file frees every claim when
/// its worker starts): here several servers drain one outbox, and the claims held now may be another
/// live server's. The claims of a server that was killed run out [`CLAIM_MS`] after they were made.
pub async fn release_claims(_tx: &impl GenericClient) -> Result<usize> {
    Ok(0)
}

/// Sets a message's state after an attempt, and frees its claim.
async fn set(
    tx: &impl GenericClient,
    id: i64,
    attempts: i64,
    state: DeliveryState,
    next_at: i64,
    error: Option<&str>,
    sent: Option<i64>,
) -> Result<u64> {
    exec(
        tx,
        "UPDATE outbox SET state = $2, attempts = $3, next_at = $4, last_error = coalesce($5, last_error),
                           sent_at = $6, claimed_until = 0 WHERE id = $1",
        &[&id, &state.as_str(), &attempts, &next_at, &error, &sent],
    )
    .await
}

/// Records an attempt's outcome; a refusal also blocks its target and fails what else waits for it.
pub async fn finish(tx: &impl GenericClient, id: i64, attempt: &Attempt, retries: Retries, now: i64) -> Result<()> {
    let Some(r) = opt(
        tx,
        "SELECT attempts, since, channel, target, job FROM outbox WHERE id = $1",
        &[&id],
    )
    .await?
    else {
        return Ok(());
    };
    let attempts = r.get::<_, i64>(0) + 1;
    let since: i64 = r.get(1);
    let channel: &str = r.get(2);
    let target: &str = r.get(3);
    let job: &str = r.get(4);
    match attempt {
        Attempt::Sent => {
            set(tx, id, attempts, DeliveryState::Sent, now, None, Some(now)).await?;
        }
        Attempt::Retry(e) => {
            match retries.next_attempt(attempts, since, now) {
                Some(at) => set(tx, id, attempts, DeliveryState::Retrying, at, Some(e), None).await?,
                None => {
                    set(
                        tx,
                        id,
                        attempts,
                        DeliveryState::Failed,
                        now,
                        Some(&format!("gave up: {e}")),
                        None,
                    )
                    .await?
                }
            };
        }
        Attempt::Failed(e) => {
            set(tx, id, attempts, DeliveryState::Failed, now, Some(e), None).await?;
        }
        Attempt::Refused(e) => {
            set(tx, id, attempts, DeliveryState::Failed, now, Some(e), None).await?;
            match serde_json::from_str::<Job>(job) {
                Ok(Job::Webhook { hook, .. }) => webhooks::disable(tx, hook, e).await?,
                _ if channel == "mail" => {
                    exec(
                        tx,
                        "INSERT INTO mail_blocked (email, reason, created) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                        &[&target, e, &now],
                    )
                    .await?;
                }
                _ => {}
            }
            exec(
                tx,
                "UPDATE outbox SET state = 'failed', last_error = 'not sent: ' || $3::TEXT || ' refused an earlier message',
                                   claimed_until = 0
                 WHERE channel = $1 AND target = $2 COLLATE nocase AND state IN ('queued', 'retrying')",
                &[
                    &channel,
                    &target,
                    &if channel == "mail" {
                        "the address"
                    } else {
                        "the webhook"
                    },
                ],
            )
            .await?;
        }
    }
    Ok(())
}

pub async fn next_due(conn: &impl GenericClient) -> Result<Option<i64>> {
    Ok(one(
        conn,
        "SELECT min(greatest(next_at, claimed_until)) FROM outbox WHERE state IN ('queued', 'retrying')",
        &[],
    )
    .await?
    .get(0))
}

/// The newest messages in scope, optionally only in one state.
pub async fn list(
    conn: &impl GenericClient,
    scope: Option<&[String]>,
    state: Option<DeliveryState>,
    limit: i64,
) -> Result<Vec<OutboxItem>> {
    Ok(rows(
        conn,
        &format!(
            "{ITEM} WHERE ($1::TEXT IS NULL OR state = $1)
               AND ($3::TEXT[] IS NULL OR site_id = ANY($3))
             ORDER BY id DESC LIMIT $2"
        ),
        &[&state.map(DeliveryState::as_str), &limit, &scope],
    )
    .await?
    .iter()
    // A row this version cannot read is not shown (the worker marks it failed with the reason).
    .filter_map(|r| row(r).readable())
    .collect())
}

/// Makes failed or retrying messages in scope due now, with a fresh retry window; never one to a bounced
/// address or to a webhook that is gone, disabled or moved.
pub async fn retry(tx: &impl GenericClient, scope: Option<&[String]>, ids: &[i64], now: i64) -> Result<usize> {
    let mut changed = 0;
    for &id in ids {
        changed += exec(
            tx,
            "UPDATE outbox SET state = 'queued', attempts = 0, next_at = $2, since = $2, claimed_until = 0
             WHERE id = $1 AND state IN ('failed', 'retrying')
               AND ($3::TEXT[] IS NULL OR site_id = ANY($3))
               AND NOT (channel = 'mail' AND target IN (SELECT email FROM mail_blocked))
               AND NOT (channel = 'webhook' AND NOT EXISTS (
                   SELECT 1 FROM webhooks w WHERE w.id = (outbox.job::json ->> 'hook')::BIGINT
                     AND w.url = outbox.target AND w.disabled IS NULL))",
            &[&id, &now, &scope],
        )
        .await?;
    }
    Ok(changed as usize)
}
