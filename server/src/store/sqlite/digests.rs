//! Moderators' digests: one mail an hour or a day with a site's new comments, when there were any.

use rusqlite::{Transaction, params};

use super::outbox::{moderators_of, noticed, queue};
use crate::domain::notify::{Job, Language, NotifyMode};

/// Queues the digests due at `now` and moves each digest site's mark to `now`.
pub fn queue_digests(tx: &Transaction<'_>, now: i64) -> rusqlite::Result<usize> {
    let sites: Vec<(String, String, String, String, i64)> = tx
        .prepare_cached(
            "SELECT id, name, notify, language, digest_until FROM sites WHERE notify IN ('digest-hourly', 'digest-daily')",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut queued = 0;
    for (site, site_name, notify, language, until) in sites {
        let Some(every) = NotifyMode::parse(&notify).ok().and_then(NotifyMode::digest_every_ms) else {
            continue;
        };
        if until != 0 && until + every > now {
            continue;
        }
        tx.prepare_cached("UPDATE sites SET digest_until = ?2 WHERE id = ?1")?
            .execute(params![site, now])?;
        if until == 0 {
            // The first check starts the clock: the first digest reports from here.
            continue;
        }
        let ids: Vec<i64> = tx
            .prepare_cached(
                "SELECT id FROM comments WHERE site_id = ?1 AND created > ?2 AND created <= ?3
                   AND status IN ('pending', 'published') ORDER BY id LIMIT ?4",
            )?
            .query_map(params![site, until, now, DIGEST_MAX], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if ids.is_empty() {
            continue;
        }
        let mut comments = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(n) = noticed(tx, id)? {
                comments.push(n.snapshot);
            }
        }
        for to in moderators_of(tx, &site)? {
            let job = Job::Digest {
                to,
                language: Language::parse(&language).unwrap_or_default(),
                site: site.clone(),
                site_name: site_name.clone(),
                since: until,
                comments: comments.clone(),
            };
            queue(tx, Some(&site), None, &job, now)?;
            queued += 1;
        }
    }
    Ok(queued)
}

/// The most comments one digest lists.
pub const DIGEST_MAX: i64 = 200;
