//! Threads: one per site and page, created by the page's first comment.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

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

pub fn find(conn: &Connection, site: &str, uri: &str) -> rusqlite::Result<Option<Thread>> {
    conn.prepare_cached(
        "SELECT id, title, (SELECT count(*) FROM comments c WHERE c.thread_id = threads.id AND c.status = 'published'),
                created, closed
         FROM threads WHERE site_id = ?1 AND uri = ?2",
    )?
    .query_row(params![site, uri], |r| {
        Ok(Thread {
            id: r.get(0)?,
            title: r.get(1)?,
            published: r.get(2)?,
            created: r.get(3)?,
            closed: r.get(4)?,
        })
    })
    .optional()
}

/// The thread of a page, created if this is its first comment. A title fills in a missing one.
pub fn get_or_create(
    tx: &Transaction<'_>,
    site: &str,
    uri: &str,
    title: Option<&str>,
    now_ms: i64,
) -> rusqlite::Result<i64> {
    tx.prepare_cached(
        "INSERT INTO threads (site_id, uri, title, created) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (site_id, uri) DO UPDATE SET title = coalesce(threads.title, excluded.title)
         RETURNING id",
    )?
    .query_row(params![site, uri, title, now_ms], |r| r.get(0))
}

/// Sets the title of the thread of comment `id`.
pub fn set_title(tx: &Transaction<'_>, comment_id: i64, title: Option<&str>) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE threads SET title = ?2 WHERE id = (SELECT thread_id FROM comments WHERE id = ?1)")?
        .execute(params![comment_id, title])?;
    Ok(())
}

/// The id of the page's thread, if it has one (without [`find`]'s count over the thread).
pub fn id_of(conn: &Connection, site: &str, uri: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT id FROM threads WHERE site_id = ?1 AND uri = ?2")?
        .query_row(params![site, uri], |r| r.get(0))
        .optional()
}

/// Published comments in a thread.
pub fn published(conn: &Connection, thread_id: i64) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT count(*) FROM comments WHERE thread_id = ?1 AND status = 'published'")?
        .query_row([thread_id], |r| r.get(0))
}

/// When the page's thread began and when a moderator closed it, if it has a thread: what the closing rule
/// needs on every post, without the published count that [`find`] adds (a count over the whole thread).
pub fn closing(conn: &Connection, site: &str, uri: &str) -> rusqlite::Result<Option<(i64, Option<i64>)>> {
    conn.prepare_cached("SELECT created, closed FROM threads WHERE site_id = ?1 AND uri = ?2")?
        .query_row(params![site, uri], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}

/// Closes the thread of a comment (`closed` the time, ms) or opens it again (`None`); whether it changed.
pub fn set_closed(tx: &Transaction<'_>, thread_id: i64, closed: Option<i64>) -> rusqlite::Result<bool> {
    Ok(tx
        .prepare_cached("UPDATE threads SET closed = ?2 WHERE id = ?1 AND (closed IS NULL) = (?2 IS NOT NULL)")?
        .execute(params![thread_id, closed])?
        > 0)
}
