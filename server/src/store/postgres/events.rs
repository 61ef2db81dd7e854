//! Live updates: the events that the triggers `comments_inserted` (migration 0003) and `comments_changed`
//! (0002) write for every change to what a thread shows, read back for one thread with the comment each
//! names as it is now, and pruned after a day.

use super::comments::{COMMENT_COLUMN_COUNT, COMMENT_COLUMNS, comment};
use super::threads;
use super::{GenericClient, exec, one, rows};
use crate::domain::live::{EventKind, ThreadEvent, count_change, fill_totals};
use crate::store::Result;

/// Up to `limit` events of the thread of `site` and `uri` after event `after`, oldest first, in one
/// snapshot: the events, their comments and the count agree. One statement reads them all (a statement
/// sees one snapshot): each event's row carries the comment as it is now in this thread (its columns NULL
/// when it is gone), then the thread's published comments now and, by kind, the events after the last one
/// read.
pub async fn after(
    conn: &impl GenericClient,
    site: &str,
    uri: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<ThreadEvent>> {
    let Some(thread_id) = threads::id_of(conn, site, uri).await? else {
        return Ok(Vec::new());
    };
    let found = rows(
        conn,
        &format!(
            "WITH e AS (
                 SELECT id, kind, comment_id FROM thread_events
                 WHERE thread_id = $1 AND id > $2 ORDER BY id LIMIT $3
             ), later AS (
                 SELECT kind, count(*) AS n FROM thread_events
                 WHERE thread_id = $1 AND id > (SELECT max(id) FROM e) GROUP BY kind
             )
             SELECT c.*, e.id, e.kind, e.comment_id,
                    (SELECT count(*) FROM comments WHERE thread_id = $1 AND status = 'published'),
                    (SELECT coalesce(max(n), 0) FROM later WHERE kind = 'created'),
                    (SELECT coalesce(max(n), 0) FROM later WHERE kind = 'edited'),
                    (SELECT coalesce(max(n), 0) FROM later WHERE kind = 'deleted')
             FROM e LEFT JOIN LATERAL (
                 SELECT {COMMENT_COLUMNS} FROM comments WHERE id = e.comment_id AND thread_id = $1
             ) c ON true
             ORDER BY e.id"
        ),
        &[&thread_id, &after, &limit],
    )
    .await?;
    let Some(first) = found.first() else {
        return Ok(Vec::new());
    };
    let at = COMMENT_COLUMN_COUNT;
    let now: i64 = first.get(at + 3);
    let later = count_change([
        (EventKind::Created, first.get::<_, i64>(at + 4)),
        (EventKind::Edited, first.get::<_, i64>(at + 5)),
        (EventKind::Deleted, first.get::<_, i64>(at + 6)),
    ]);
    let mut events = Vec::with_capacity(found.len());
    for r in &found {
        // The CHECK constraint admits no other kind.
        let Some(kind) = EventKind::from_stored(r.get(at + 1)) else {
            continue;
        };
        // The comment's id is NULL when it is no longer in this thread.
        let current = match r.get::<_, Option<i64>>(0) {
            Some(_) => Some(comment(r)?),
            None => None,
        };
        events.push(ThreadEvent {
            id: r.get(at),
            kind,
            comment_id: r.get(at + 2),
            comment: current,
            total: 0,
        });
    }
    fill_totals(&mut events, now, later);
    Ok(events)
}

/// The id of the newest event of the thread of `site` and `uri`; 0 when it has none (or no thread yet).
pub async fn last_id(conn: &impl GenericClient, site: &str, uri: &str) -> Result<i64> {
    let r = one(
        conn,
        "SELECT coalesce(max(e.id), 0) FROM thread_events e
         WHERE e.thread_id = (SELECT id FROM threads WHERE site_id = $1 AND uri = $2)",
        &[&site, &uri],
    )
    .await?;
    Ok(r.get(0))
}

/// Deletes the events made before `before`; returns how many.
pub async fn prune(tx: &impl GenericClient, before: i64) -> Result<usize> {
    // The newest event stays, whatever its age, as with SQLite (where it keeps the next id above every one
    // handed out; an identity column never hands one out twice anyway).
    let n = exec(
        tx,
        "DELETE FROM thread_events WHERE created < $1 AND id < (SELECT max(id) FROM thread_events)",
        &[&before],
    )
    .await?;
    Ok(n as usize)
}
