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

/// The thread of a page, created if this is its first comment. A title fills in a missing one.
pub async fn get_or_create(
    tx: &impl GenericClient,
    site: &str,
    uri: &str,
    title: Option<&str>,
    now_ms: i64,
) -> Result<i64> {
    Ok(one(
        tx,
        "INSERT INTO threads (site_id, uri, title, created) VALUES ($1, $2, $3, $4)
         ON CONFLICT (site_id, uri) DO UPDATE SET title = coalesce(threads.title, excluded.title)
         RETURNING id",
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

/// When the page's thread began and when a moderator closed it, if it has a thread: what the closing rule
/// needs on every post, without the published count that [`find`] adds (a count over the whole thread).
pub async fn closing(conn: &impl GenericClient, site: &str, uri: &str) -> Result<Option<(i64, Option<i64>)>> {
    Ok(opt(
        conn,
        "SELECT created, closed FROM threads WHERE site_id = $1 AND uri = $2",
        &[&site, &uri],
    )
    .await?
    .map(|r| (r.get(0), r.get(1))))
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
