//! Thread pages: top-level comments with their first replies, bounded in rows, and the rest of a long reply
//! chain page by page.

use std::sync::LazyLock;

use rusqlite::{Connection, Statement, params};

use super::comments::{COMMENT_COLUMN_COUNT, COMMENT_COLUMNS, comment};
use super::{events, threads};
use crate::domain::Site;
use crate::domain::comment::{Comment, REPLIES_PER_PAGE, ROWS_PER_PAGE, RepliesPage, ReplyCursor, ThreadPage};
use crate::domain::site::Sort;

const SHOWN: &str = "status IN ('published', 'deleted')";

/// One page of a thread in the order `sort`: the pinned top-level comments first (on the first page, in the
/// order they were pinned), then up to `limit` others after the position `after` (the `next` of the page
/// before: an id for oldest and newest, a count of comments for top), each with its first
/// [`REPLIES_PER_PAGE`] replies, published ones and placeholders only, and never more than [`ROWS_PER_PAGE`]
/// rows; where the next page starts, and where each cut reply chain goes on. Indexed queries whose cost is
/// bounded by the page, whatever the size of the database (`top` sorts the thread's top-level comments).
fn page(conn: &Connection, thread_id: i64, sort: Sort, after: i64, limit: i64) -> rusqlite::Result<ThreadPage> {
    let mut tops: Vec<Comment> = Vec::new();
    if after == 0 {
        tops = conn
            .prepare_cached(&tops_sql("AND pinned > 0 ORDER BY pinned, id"))?
            .query_map(params![thread_id], comment)?
            .collect::<rusqlite::Result<_>>()?;
    }
    let pinned = tops.len();
    let rest = conn
        .prepare_cached(&unpinned_sql(sort))?
        .query_map(params![thread_id, after, limit], comment)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    tops.extend(rest);
    let mut out = ThreadPage::default();
    let mut more = false;
    let (mut shown, mut last) = (0, None);
    // One statement for every top-level comment's replies, looked up in the cache once per page.
    let mut replies_sql = conn.prepare_cached(&REPLIES_SQL)?;
    for (i, top) in tops.into_iter().enumerate() {
        if i == pinned + limit as usize {
            more = true;
            break;
        }
        let (mut replies, mut cursors) = replies_after(
            &mut replies_sql,
            thread_id,
            top.id,
            ReplyCursor::START,
            REPLIES_PER_PAGE + 1,
        )?;
        if replies.len() > REPLIES_PER_PAGE {
            replies.truncate(REPLIES_PER_PAGE);
            cursors.truncate(REPLIES_PER_PAGE);
            out.replies_next.insert(top.id, cursors[REPLIES_PER_PAGE - 1]);
        }
        if !out.comments.is_empty() && out.comments.len() + 1 + replies.len() > ROWS_PER_PAGE {
            out.replies_next.remove(&top.id);
            more = true;
            break;
        }
        if i >= pinned {
            shown += 1;
            last = Some(top.id);
        }
        out.comments.push(top);
        out.comments.extend(replies);
    }
    out.next = match (more, sort, last) {
        (false, _, _) | (true, _, None) => None,
        (true, Sort::Top, Some(_)) => Some(after + shown),
        (true, _, Some(id)) => Some(id),
    };
    Ok(out)
}

/// The shown top-level comments of thread ?1, narrowed, ordered and limited by `tail`.
fn tops_sql(tail: &str) -> String {
    format!(
        "SELECT {COMMENT_COLUMNS} FROM comments WHERE thread_id = ?1 AND root_id IS NULL AND depth = 0 AND {SHOWN} {tail}"
    )
}

/// The unpinned top-level comments of thread ?1 in the order `sort`, after position ?2, at most ?3 + 1.
fn unpinned_sql(sort: Sort) -> String {
    tops_sql(match sort {
        Sort::Oldest => "AND pinned = 0 AND id > ?2 ORDER BY id LIMIT ?3 + 1",
        Sort::Newest => "AND pinned = 0 AND (?2 = 0 OR id < ?2) ORDER BY id DESC LIMIT ?3 + 1",
        Sort::Top => "AND pinned = 0 ORDER BY likes - dislikes DESC, id LIMIT ?3 + 1 OFFSET ?2",
    })
}

/// Replies of thread ?1 below root ?2 after the position (?3 depth, ?4 id), at most ?5; the depth follows
/// the comment's own columns. Made once: it runs once per top-level comment of every page read.
static REPLIES_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {COMMENT_COLUMNS}, depth FROM comments
         WHERE thread_id = ?1 AND root_id = ?2 AND (depth > ?3 OR (depth = ?3 AND id > ?4)) AND {SHOWN}
         ORDER BY depth, id LIMIT ?5"
    )
});

/// Replies below `root` in breadth-first order (by depth, then id), after the position `from`, with each
/// one's position. Every reply's parent comes before it, so any prefix is a tree: a cut chain never leaves a
/// reply without its parent, whatever order an import stored them in.
/// `replies_sql` is [`REPLIES_SQL`] prepared.
fn replies_after(
    replies_sql: &mut Statement<'_>,
    thread_id: i64,
    root: i64,
    from: ReplyCursor,
    n: usize,
) -> rusqlite::Result<(Vec<Comment>, Vec<ReplyCursor>)> {
    let rows: Vec<(Comment, ReplyCursor)> = replies_sql
        .query_map(params![thread_id, root, from.depth, from.id, n as i64], |r| {
            let c = comment(r)?;
            let at = ReplyCursor {
                depth: r.get(COMMENT_COLUMN_COUNT)?,
                id: c.id,
            };
            Ok((c, at))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows.into_iter().unzip())
}

/// A page of the thread of `site`'s page `uri`, with the thread's newest live-update event; an empty page
/// when the page has no thread yet. One read transaction: the page's queries (one per top-level comment)
/// see one snapshot, and take and drop the database's read lock once instead of once each.
pub fn thread_page(
    conn: &Connection,
    site: &Site,
    uri: &str,
    sort: Sort,
    after: i64,
    limit: i64,
    now: i64,
) -> rusqlite::Result<ThreadPage> {
    let tx = conn.unchecked_transaction()?;
    let Some(t) = threads::find(&tx, &site.id, uri)? else {
        return Ok(ThreadPage::default());
    };
    let last_event = events::last_id(&tx, &site.id, uri)?;
    let page = ThreadPage {
        title: t.title,
        total: t.published,
        closed: site.closes(t.created, t.closed, now),
        last_event,
        ..page(&tx, t.id, sort, after, limit)?
    };
    tx.commit()?;
    Ok(page)
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
    let (mut comments, at) = replies_after(&mut *conn.prepare_cached(&REPLIES_SQL)?, t.id, root, after, limit + 1)?;
    let next = (comments.len() > limit).then(|| {
        comments.truncate(limit);
        at[limit - 1]
    });
    Ok(Some(RepliesPage { comments, next }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::SiteId;
    use rusqlite::StatementStatus;

    /// A database in memory with site `s` and its thread of page `/` holding the comments `values` (rows of
    /// id, parent, root, depth; all published).
    fn thread_of(values: &[(i64, Option<i64>, Option<i64>, i64)]) -> (Connection, Site) {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrate(&mut conn).unwrap();
        super::super::configure(&conn).unwrap();
        conn.execute_batch(
            "INSERT INTO sites (id, name, created) VALUES ('s', 's', 0);
             INSERT INTO threads (id, site_id, uri, created) VALUES (1, 's', '/', 0);",
        )
        .unwrap();
        for (id, parent, root, depth) in values {
            conn.execute(
                "INSERT INTO comments (id, thread_id, parent_id, root_id, depth, status, text, html, avatar, created)
                 VALUES (?1, 1, ?2, ?3, ?4, 'published', '', '', '', 0)",
                params![id, parent, root, depth],
            )
            .unwrap();
        }
        (conn, Site::new(&SiteId::parse("s").unwrap()))
    }

    /// A thread read runs its cached statements as prepared: none is parsed and planned again because a
    /// value was bound to it (a bare `LIMIT ?5` did that on every reply query until the connections turned
    /// on the query planner stability guarantee).
    #[test]
    fn reading_a_thread_never_prepares_a_statement_again() {
        let (conn, site) = thread_of(&[
            (1, None, None, 0),
            (2, Some(1), Some(1), 1),
            (3, Some(2), Some(1), 2),
            (4, None, None, 0),
            (5, Some(4), Some(4), 1),
        ]);
        for sort in [Sort::Oldest, Sort::Newest, Sort::Top] {
            for limit in [20, 1, 5] {
                let page = thread_page(&conn, &site, "/", sort, 0, limit, 0).unwrap();
                assert!(!page.comments.is_empty());
            }
        }
        let statements = [
            unpinned_sql(Sort::Oldest),
            unpinned_sql(Sort::Newest),
            unpinned_sql(Sort::Top),
            REPLIES_SQL.clone(),
        ];
        for sql in &statements {
            let st = conn.prepare_cached(sql).unwrap();
            assert!(st.get_status(StatementStatus::Run) >= 3, "{sql} ran");
            assert_eq!(st.get_status(StatementStatus::RePrepare), 0, "{sql} was prepared again");
        }
    }

    /// A page is read in a transaction of its own that ends with the read, found or not (a transaction
    /// left open would hold its snapshot, and SQLite's WAL, for good), and it carries the thread's newest
    /// event from the same snapshot.
    #[test]
    fn a_page_read_ends_its_transaction_and_names_the_newest_event() {
        let (conn, site) = thread_of(&[(1, None, None, 0), (2, Some(1), Some(1), 1)]);
        let newest: i64 = conn
            .query_row("SELECT max(id) FROM thread_events WHERE thread_id = 1", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert!(newest > 0, "the inserts made events");
        let page = thread_page(&conn, &site, "/", Sort::Oldest, 0, 20, 0).unwrap();
        assert_eq!((page.comments.len(), page.last_event), (2, newest));
        assert!(conn.is_autocommit(), "the read's transaction ended");
        let none = thread_page(&conn, &site, "/nothing-here/", Sort::Oldest, 0, 20, 0).unwrap();
        assert_eq!((none.comments.len(), none.last_event), (0, 0));
        assert!(
            conn.is_autocommit(),
            "the read of a page without a thread ended its transaction too"
        );
    }
}
