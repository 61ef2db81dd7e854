//! Thread pages: top-level comments with their first replies, bounded in rows, and the rest of a long reply
//! chain page by page.

use rusqlite::{Connection, params};

use super::comments::{COMMENT_COLUMNS, comment};
use super::threads;
use crate::domain::comment::{Comment, REPLIES_PER_PAGE, ROWS_PER_PAGE, RepliesPage, ReplyCursor, ThreadPage};

const SHOWN: &str = "status IN ('published', 'deleted')";

/// One page of a thread: up to `limit` top-level comments after the one with id `after` (oldest first),
/// each with its first [`REPLIES_PER_PAGE`] replies, published ones and placeholders only, and never more than
/// [`ROWS_PER_PAGE`] rows; whether more top-level comments follow, and where each cut reply chain goes on.
/// Indexed queries whose cost is bounded by the page, whatever the size of the thread or the database.
fn page(conn: &Connection, thread_id: i64, after: i64, limit: i64) -> rusqlite::Result<ThreadPage> {
    let tops: Vec<Comment> = conn
        .prepare_cached(&format!(
            "SELECT {COMMENT_COLUMNS} FROM comments
             WHERE thread_id = ?1 AND root_id IS NULL AND depth = 0 AND id > ?2 AND {SHOWN} ORDER BY id LIMIT ?3 + 1"
        ))?
        .query_map(params![thread_id, after, limit], comment)?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = ThreadPage::default();
    for (i, top) in tops.into_iter().enumerate() {
        if i as i64 == limit {
            out.more = true;
            break;
        }
        let (mut replies, mut last) = replies_after(conn, thread_id, top.id, ReplyCursor::START, REPLIES_PER_PAGE + 1)?;
        if replies.len() > REPLIES_PER_PAGE {
            replies.truncate(REPLIES_PER_PAGE);
            last.truncate(REPLIES_PER_PAGE);
            out.replies_next.insert(top.id, last[REPLIES_PER_PAGE - 1]);
        }
        if !out.comments.is_empty() && out.comments.len() + 1 + replies.len() > ROWS_PER_PAGE {
            out.replies_next.remove(&top.id);
            out.more = true;
            break;
        }
        out.comments.push(top);
        out.comments.extend(replies);
    }
    Ok(out)
}

/// Replies below `root` in breadth-first order (by depth, then id), after the position `from`, with each
/// one's position. Every reply's parent comes before it, so any prefix is a tree: a cut chain never leaves a
/// reply without its parent, whatever order an import stored them in.
fn replies_after(
    conn: &Connection,
    thread_id: i64,
    root: i64,
    from: ReplyCursor,
    n: usize,
) -> rusqlite::Result<(Vec<Comment>, Vec<ReplyCursor>)> {
    // The depth follows the comment's own columns.
    let rows: Vec<(Comment, ReplyCursor)> = conn
        .prepare_cached(&format!(
            "SELECT {COMMENT_COLUMNS}, depth FROM comments
             WHERE thread_id = ?1 AND root_id = ?2 AND (depth > ?3 OR (depth = ?3 AND id > ?4)) AND {SHOWN}
             ORDER BY depth, id LIMIT ?5"
        ))?
        .query_map(params![thread_id, root, from.depth, from.id, n as i64], |r| {
            let c = comment(r)?;
            let at = ReplyCursor {
                depth: r.get(11)?,
                id: c.id,
            };
            Ok((c, at))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows.into_iter().unzip())
}

/// A page of the thread of `site` and `uri`; an empty page when the page has no thread yet.
pub fn thread_page(conn: &Connection, site: &str, uri: &str, after: i64, limit: i64) -> rusqlite::Result<ThreadPage> {
    let Some(t) = threads::find(conn, site, uri)? else {
        return Ok(ThreadPage::default());
    };
    Ok(ThreadPage {
        title: t.title,
        total: t.published,
        ..page(conn, t.id, after, limit)?
    })
}

/// Up to `limit` replies below top-level comment `root` of the page's thread, after the position `after`;
/// `None` when `root` is not a top-level comment of that page.
pub fn replies(
    conn: &Connection,
    site: &str,
    uri: &str,
    root: i64,
    after: ReplyCursor,
    limit: usize,
) -> rusqlite::Result<Option<RepliesPage>> {
    let Some(t) = threads::find(conn, site, uri)? else {
        return Ok(None);
    };
    let is_root = conn
        .prepare_cached("SELECT 1 FROM comments WHERE id = ?1 AND thread_id = ?2 AND root_id IS NULL")?
        .exists(params![root, t.id])?;
    if !is_root {
        return Ok(None);
    }
    let (mut comments, at) = replies_after(conn, t.id, root, after, limit + 1)?;
    let next = (comments.len() > limit).then(|| {
        comments.truncate(limit);
        at[limit - 1]
    });
    Ok(Some(RepliesPage { comments, next }))
}
