//! Threads: one per site and page, created by the page's first comment.

use super::{GenericClient, exec, one, opt};
use crate::store::Result;

#[derive(Debug, Clone)]
pub struct Thread {
    pub id: i64,
    pub title: Option<String>,
    /// Published comments in the whole thread.
    pub published: i64,
    /// When its first comment came (ms).
    pub created: i64,
    /// When a moderator closed it (ms).
    pub closed: Option<i64>,
}

pub async fn find(conn: &impl GenericClient, site: &str, uri: &str) -> Result<Option<Thread>> {
    Ok(opt(
        conn,
        "SELECT id, title, (SELECT count(*) FROM comments c WHERE c.thread_id = threads.id AND c.status = 'published'),
                created, closed
         FROM threads WHERE site_id = $1 AND uri = $2",
        &[&site, &uri],
    )
    .await?
    .map(|r| Thread {
        id: r.get(0),
        title: r.get(1),
        published: r.get(2),
        created: r.get(3),
        closed: r.get(4),
    }))
}

/// The statement part that finds the thread of a page, creating it for its first comment, as the
/// relation `thread (id)`; parameters `$1` site, `$2` uri, `$3` title (fills in a missing one), `$4` now.
/// The row is written only when it is new or gains its first title: an update for every comment would
/// leave a dead row version behind each one and notify the page's servers of it once more.
pub(super) const THREAD_OF_PAGE: &str = "made AS (
         INSERT INTO threads (site_id, uri, title, created) VALUES ($1, $2, $3, $4)
         ON CONFLICT (site_id, uri) DO UPDATE SET title = excluded.title
             WHERE threads.title IS NULL AND excluded.title IS NOT NULL
         RETURNING id),
     thread AS (
         SELECT id FROM made
         UNION ALL SELECT id FROM threads WHERE site_id = $1 AND uri = $2 AND NOT EXISTS (SELECT 1 FROM made))";

/// The thread of a page, created if this is its first comment ([`THREAD_OF_PAGE`]).
pub async fn get_or_create(
    tx: &impl GenericClient,
    site: &str,
    uri: &str,
    title: Option<&str>,
    now_ms: i64,
) -> Result<i64> {
    Ok(one(
        tx,
        &format!("WITH {THREAD_OF_PAGE} SELECT id FROM thread"),
        &[&site, &uri, &title, &now_ms],
    )
    .await?
    .get(0))
}

/// Sets the title of the thread of comment `id`.
pub async fn set_title(tx: &impl GenericClient, comment_id: i64, title: Option<&str>) -> Result<()> {
    exec(
        tx,
        "UPDATE threads SET title = $2 WHERE id = (SELECT thread_id FROM comments WHERE id = $1)",
        &[&comment_id, &title],
    )
    .await?;
    Ok(())
}

/// The id of the page's thread, if it has one (without [`find`]'s count over the thread).
pub async fn id_of(conn: &impl GenericClient, site: &str, uri: &str) -> Result<Option<i64>> {
    Ok(opt(
        conn,
        "SELECT id FROM threads WHERE site_id = $1 AND uri = $2",
        &[&site, &uri],
    )
    .await?
    .map(|r| r.get(0)))
}

/// Closes the thread of a comment (`closed` the time, ms) or opens it again (`None`); whether it changed.
pub async fn set_closed(tx: &impl GenericClient, thread_id: i64, closed: Option<i64>) -> Result<bool> {
    Ok(exec(
        tx,
        "UPDATE threads SET closed = $2 WHERE id = $1 AND (closed IS NULL) = ($2::BIGINT IS NOT NULL)",
        &[&thread_id, &closed],
    )
    .await?
        > 0)
}
