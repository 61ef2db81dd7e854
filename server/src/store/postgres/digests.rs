//! Moderators' digests: one mail an hour or a day with a site's new comments, when there were any. The
//! comments are noted in `digest_items` by the transaction that stored (or held) them, so none is
//! missed, whatever its timestamp; a digest takes at most [`DIGEST_MAX`] and leaves the rest for the next.

use super::outbox::{moderators_of, noticed, queue};
use super::{GenericClient, exec, rows};
use crate::domain::notify::{Job, Language, NotifyMode};
use crate::store::Result;

/// The most comments one digest lists.
pub const DIGEST_MAX: i64 = 200;

/// Queues the digests due at `now` and moves each digest site's mark to `now`.
pub async fn queue_digests(tx: &impl GenericClient, now: i64) -> Result<usize> {
    let sites: Vec<(String, String, String, String, i64)> = rows(
        tx,
        "SELECT id, name, notify, language, digest_until FROM sites WHERE notify IN ('digest-hourly', 'digest-daily')",
        &[],
    )
    .await?
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
    .collect();
    let mut queued = 0;
    for (site, site_name, notify, language, until) in sites {
        let Some(every) = NotifyMode::parse(&notify).ok().and_then(NotifyMode::digest_every_ms) else {
            continue;
        };
        if until != 0 && until + every > now {
            continue;
        }
        exec(tx, "UPDATE sites SET digest_until = $2 WHERE id = $1", &[&site, &now]).await?;
        if until == 0 {
            // The first check starts the clock: the first digest goes out a period later.
            continue;
        }
        let ids: Vec<i64> = rows(
            tx,
            "SELECT comment_id FROM digest_items WHERE site_id = $1 ORDER BY comment_id LIMIT $2",
            &[&site, &DIGEST_MAX],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
        let mut comments = Vec::with_capacity(ids.len());
        for id in ids {
            exec(tx, "DELETE FROM digest_items WHERE comment_id = $1", &[&id]).await?;
            // One a moderator already handled is still news: the digest shows it as it is now.
            if let Some(n) = noticed(tx, id).await? {
                if matches!(n.snapshot.status.as_str(), "pending" | "published") {
                    comments.push(n.snapshot);
                }
            }
        }
        if comments.is_empty() {
            continue;
        }
        for to in moderators_of(tx, &site).await? {
            let job = Job::Digest {
                to,
                language: Language::parse(&language).unwrap_or_default(),
                site: site.clone(),
                site_name: site_name.clone(),
                since: until,
                comments: comments.clone(),
            };
            queue(tx, Some(&site), None, &job, now).await?;
            queued += 1;
        }
    }
    Ok(queued)
}
