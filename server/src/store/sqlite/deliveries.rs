//! The outbox's deliveries: claimed by the notify worker, marked sent, retried or failed, listed for the
//! admin UI and sent again on a moderator's word.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::webhooks;
use crate::domain::notify::{Attempt, CLAIM_MS, DeliveryState, Job, OutboxItem, Retries};

const ITEM: &str = "SELECT id, site_id, job, state, attempts, next_at, last_error, created, sent_at FROM outbox";

/// A row as stored, its job still text: one this version cannot read (written by a newer one, or by
/// hand) must not stop the others.
struct Row {
    item: OutboxItem,
    job: Result<Job, String>,
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let job: String = r.get(2)?;
    let state: String = r.get(3)?;
    let job = serde_json::from_str::<Job>(&job).map_err(|e| e.to_string());
    Ok(Row {
        item: OutboxItem {
            id: r.get(0)?,
            site: r.get(1)?,
            // Replaced by the decoded job below; a placeholder only for rows that do not decode.
            job: Job::Webhook {
                hook: 0,
                url: String::new(),
                event: crate::domain::notify::Event::Test,
                body: String::new(),
            },
            state: DeliveryState::from_stored(&state),
            attempts: r.get(4)?,
            next_at: r.get(5)?,
            last_error: r.get(6)?,
            created: r.get(7)?,
            sent_at: r.get(8)?,
        },
        job,
    })
}

impl Row {
    fn readable(self) -> Option<OutboxItem> {
        let job = self.job.ok()?;
        Some(OutboxItem { job, ..self.item })
    }
}

/// Up to `limit` due messages no worker holds, now held until `now + CLAIM_MS`.
pub fn claim(tx: &Transaction<'_>, now: i64, limit: usize) -> rusqlite::Result<Vec<OutboxItem>> {
    let ids: Vec<i64> = tx
        .prepare_cached(
            "SELECT id FROM outbox WHERE state IN ('queued', 'retrying') AND next_at <= ?1 AND claimed_until <= ?1
             ORDER BY next_at, id LIMIT ?2",
        )?
        .query_map(params![now, limit as i64], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(found) = tx
            .prepare_cached(&format!("{ITEM} WHERE id = ?1"))?
            .query_row([id], row)
            .optional()?
        else {
            continue;
        };
        match found.job {
            Ok(job) => {
                tx.prepare_cached("UPDATE outbox SET claimed_until = ?2 WHERE id = ?1")?
                    .execute(params![id, now + CLAIM_MS])?;
                items.push(OutboxItem { job, ..found.item });
            }
            Err(e) => {
                tx.prepare_cached(
                    "UPDATE outbox SET state = 'failed', last_error = ?2, claimed_until = 0 WHERE id = ?1",
                )?
                .execute(params![id, format!("unreadable message: {e}")])?;
            }
        }
    }
    Ok(items)
}

/// Fails what still waits for hook `id` (it was removed).
pub fn fail_hook(tx: &Transaction<'_>, id: i64, reason: &str) -> rusqlite::Result<usize> {
    tx.prepare_cached(
        "UPDATE outbox SET state = 'failed', last_error = ?2, claimed_until = 0
         WHERE channel = 'webhook' AND json_extract(job, '$.hook') = ?1 AND state IN ('queued', 'retrying')",
    )?
    .execute(params![id, reason])
}

pub fn release_claims(tx: &Transaction<'_>) -> rusqlite::Result<usize> {
    tx.prepare_cached(
        "UPDATE outbox SET claimed_until = 0 WHERE claimed_until > 0 AND state IN ('queued', 'retrying')",
    )?
    .execute([])
}

/// Records an attempt's outcome; a refusal also blocks its target and fails what else waits for it.
pub fn finish(tx: &Transaction<'_>, id: i64, attempt: &Attempt, retries: Retries, now: i64) -> rusqlite::Result<()> {
    let Some((attempts, since, channel, target, job)) = tx
        .prepare_cached("SELECT attempts, since, channel, target, job FROM outbox WHERE id = ?1")?
        .query_row([id], |r| {
            Ok((
                r.get::<_, i64>(0)? + 1,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })
        .optional()?
    else {
        return Ok(());
    };
    let set = |state: DeliveryState, next_at: i64, error: Option<&str>, sent: Option<i64>| {
        tx.prepare_cached(
            "UPDATE outbox SET state = ?2, attempts = ?3, next_at = ?4, last_error = coalesce(?5, last_error),
                               sent_at = ?6, claimed_until = 0 WHERE id = ?1",
        )?
        .execute(params![id, state.as_str(), attempts, next_at, error, sent])
    };
    match attempt {
        Attempt::Sent => {
            set(DeliveryState::Sent, now, None, Some(now))?;
        }
        Attempt::Retry(e) => {
            match retries.next_attempt(attempts, since, now) {
                Some(at) => set(DeliveryState::Retrying, at, Some(e), None)?,
                None => set(DeliveryState::Failed, now, Some(&format!("gave up: {e}")), None)?,
            };
        }
        Attempt::Failed(e) => {
            set(DeliveryState::Failed, now, Some(e), None)?;
        }
        Attempt::Refused(e) => {
            set(DeliveryState::Failed, now, Some(e), None)?;
            match serde_json::from_str::<Job>(&job) {
                Ok(Job::Webhook { hook, .. }) => webhooks::disable(tx, hook, e)?,
                _ if channel == "mail" => {
                    tx.prepare_cached(
                        "INSERT INTO mail_blocked (email, reason, created) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                    )?
                    .execute(params![target, e, now])?;
                }
                _ => {}
            }
            tx.prepare_cached(
                "UPDATE outbox SET state = 'failed', last_error = 'not sent: ' || ?3 || ' refused an earlier message',
                                   claimed_until = 0
                 WHERE channel = ?1 AND target = ?2 COLLATE NOCASE AND state IN ('queued', 'retrying')",
            )?
            .execute(params![
                channel,
                target,
                if channel == "mail" {
                    "the address"
                } else {
                    "the webhook"
                }
            ])?;
        }
    }
    Ok(())
}

pub fn next_due(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT min(max(next_at, claimed_until)) FROM outbox WHERE state IN ('queued', 'retrying')")?
        .query_row([], |r| r.get(0))
}

/// The scope as a bound parameter: `NULL` for every site, else a JSON list of site ids.
fn scope_json(scope: Option<&[String]>) -> Option<String> {
    scope.map(super::json_list)
}

/// The newest messages in scope, optionally only in one state.
pub fn list(
    conn: &Connection,
    scope: Option<&[String]>,
    state: Option<DeliveryState>,
    limit: i64,
) -> rusqlite::Result<Vec<OutboxItem>> {
    conn.prepare_cached(&format!(
        "{ITEM} WHERE (?1 IS NULL OR state = ?1)
           AND (?3 IS NULL OR site_id IN (SELECT value FROM json_each(?3)))
         ORDER BY id DESC LIMIT ?2"
    ))?
    .query_map(params![state.map(DeliveryState::as_str), limit, scope_json(scope)], row)?
    // A row this version cannot read is not shown (the worker marks it failed with the reason).
    .filter_map(|r| r.map(Row::readable).transpose())
    .collect()
}

/// Makes failed or retrying messages in scope due now, with a fresh retry window; never one to a bounced
/// address or to a webhook that is gone, disabled or moved.
pub fn retry(tx: &Transaction<'_>, scope: Option<&[String]>, ids: &[i64], now: i64) -> rusqlite::Result<usize> {
    let scope = scope_json(scope);
    let mut changed = 0;
    for &id in ids {
        changed += tx
            .prepare_cached(
                "UPDATE outbox SET state = 'queued', attempts = 0, next_at = ?2, since = ?2, claimed_until = 0
                 WHERE id = ?1 AND state IN ('failed', 'retrying')
                   AND (?3 IS NULL OR site_id IN (SELECT value FROM json_each(?3)))
                   AND NOT (channel = 'mail' AND target IN (SELECT email FROM mail_blocked))
                   AND NOT (channel = 'webhook' AND NOT EXISTS (
                       SELECT 1 FROM webhooks w WHERE w.id = json_extract(outbox.job, '$.hook')
                         AND w.url = outbox.target AND w.disabled IS NULL))",
            )?
            .execute(params![id, now, scope])?;
    }
    Ok(changed)
}
