//! Thread pages: top-level comments with their first replies, bounded in rows, and the rest of a long reply
//! chain page by page.

use super::comments::{COMMENT_COLUMN_COUNT, COMMENT_COLUMNS, comment};
use super::{GenericClient, opt, rows};
use super::{events, threads};
use crate::domain::Site;
use crate::domain::comment::{Comment, REPLIES_PER_PAGE, ROWS_PER_PAGE, RepliesPage, ReplyCursor, ThreadPage};
use crate::domain::site::Sort;
use crate::store::Result;

const SHOWN: &str = "status IN ('published', 'deleted')";

/// The statement of [`page`] for `sort`: `$1` the thread, `$2` the position after which the page starts,
/// `$3` the number of top-level comments. Its rows are the page's top-level comments in order (the pinned ones,
/// on the first page only, then up to `$3 + 1` others: one more tells whether a next page exists), each
/// followed by its first [`REPLIES_PER_PAGE`]` + 1` replies in breadth-first order; its columns
/// [`COMMENT_COLUMNS`], then the depth, the part (0 pinned, 1 the others), the position in the part and
/// whether the row is a reply (0 or 1). Only the top-level comments that may fit into [`ROWS_PER_PAGE`] rows
/// come (every one that fits and the first that does not), and no replies of the one more: what the loop of
/// [`page`] reads, in one statement, one snapshot and one round trip.
fn page_sql(sort: Sort) -> String {
    let tops_where = format!("thread_id = $1 AND root_id IS NULL AND depth = 0 AND {SHOWN}");
    let (order, rest) = match sort {
        Sort::Oldest => ("id", "AND id > $2 ORDER BY id LIMIT $3::BIGINT + 1"),
        Sort::Newest => (
            "id DESC",
            "AND ($2 = 0 OR id < $2) ORDER BY id DESC LIMIT $3::BIGINT + 1",
        ),
        Sort::Top => (
            "likes - dislikes DESC, id",
            "ORDER BY likes - dislikes DESC, id LIMIT $3::BIGINT + 1 OFFSET $2",
        ),
    };
    let replies = REPLIES_PER_PAGE + 1;
    format!(
        "WITH tops AS (
             SELECT {COMMENT_COLUMNS}, 0::BIGINT AS part, row_number() OVER (ORDER BY pinned, id) AS n
             FROM comments WHERE {tops_where} AND pinned > 0 AND $2::BIGINT = 0
             UNION ALL
             SELECT {COMMENT_COLUMNS}, 1::BIGINT, row_number() OVER (ORDER BY {order}) FROM (
                 SELECT {COMMENT_COLUMNS} FROM comments WHERE {tops_where} AND pinned = 0 {rest}
             ) r
         ), replies AS (
             SELECT r.*, t.part, t.n, count(*) OVER (PARTITION BY t.part, t.n) AS k
             FROM tops t CROSS JOIN LATERAL (
                 SELECT {COMMENT_COLUMNS}, depth FROM comments
                 WHERE thread_id = $1 AND root_id = t.id AND {SHOWN}
                 ORDER BY depth, id LIMIT {replies}
             ) r
         ), sized AS (
             SELECT t.part, t.n, 1 + least(coalesce(k.k, 0), {REPLIES_PER_PAGE}) AS size
             FROM tops t LEFT JOIN (SELECT DISTINCT part, n, k FROM replies) k USING (part, n)
         ), placed AS (
             SELECT part, n, sum(size) OVER (ORDER BY part, n ROWS UNBOUNDED PRECEDING) - size AS before
             FROM sized
         )
         SELECT {COMMENT_COLUMNS}, 0::BIGINT AS depth, part, n, 0::BIGINT AS reply
         FROM tops JOIN placed USING (part, n) WHERE before <= {ROWS_PER_PAGE}
         UNION ALL
         SELECT {COMMENT_COLUMNS}, depth, part, n, 1::BIGINT
         FROM replies JOIN placed USING (part, n)
         WHERE before <= {ROWS_PER_PAGE} AND NOT (part = 1 AND n > $3)
         ORDER BY part, n, reply, depth, id"
    )
}

/// A top-level comment with the first of its replies and their positions, as [`page_sql`] gives them.
struct Top {
    comment: Comment,
    pinned: bool,
    replies: Vec<Comment>,
    cursors: Vec<ReplyCursor>,
}

/// One page of a thread in the order `sort`: the pinned top-level comments first (on the first page, in the
/// order they were pinned), then up to `limit` others after the position `after` (the `next` of the page
/// before: an id for oldest and newest, a count of comments for top), each with its first
/// [`REPLIES_PER_PAGE`] replies, published ones and placeholders only, and never more than [`ROWS_PER_PAGE`]
/// rows; where the next page starts, and where each cut reply chain goes on. One indexed query whose cost is
/// bounded by the page, whatever the size of the database (`top` sorts the thread's top-level comments).
async fn page(conn: &impl GenericClient, thread_id: i64, sort: Sort, after: i64, limit: i64) -> Result<ThreadPage> {
    let found = rows(conn, &page_sql(sort), &[&thread_id, &after, &limit]).await?;
    let mut tops: Vec<Top> = Vec::new();
    for r in &found {
        let c = comment(r)?;
        if r.get::<_, i64>(COMMENT_COLUMN_COUNT + 3) == 0 {
            tops.push(Top {
                comment: c,
                pinned: r.get::<_, i64>(COMMENT_COLUMN_COUNT + 1) == 0,
                replies: Vec::new(),
                cursors: Vec::new(),
            });
        } else if let Some(top) = tops.last_mut() {
            // The statement orders each top-level comment's replies right after it.
            top.cursors.push(ReplyCursor {
                depth: r.get(COMMENT_COLUMN_COUNT),
                id: c.id,
            });
            top.replies.push(c);
        }
    }
    let pinned = tops.iter().filter(|t| t.pinned).count();
    let mut out = ThreadPage::default();
    let mut more = false;
    let (mut shown, mut last) = (0, None);
    for (i, top) in tops.into_iter().enumerate() {
        if i == pinned + limit as usize {
            more = true;
            break;
        }
        let Top {
            comment: top,
            mut replies,
            mut cursors,
            ..
        } = top;
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

/// Replies below `root` in breadth-first order (by depth, then id), after the position `from`, with each
/// one's position. Every reply's parent comes before it, so any prefix is a tree: a cut chain never leaves a
/// reply without its parent, whatever order an import stored them in.
async fn replies_after(
    conn: &impl GenericClient,
    thread_id: i64,
    root: i64,
    from: ReplyCursor,
    n: usize,
) -> Result<(Vec<Comment>, Vec<ReplyCursor>)> {
    // The depth follows the comment's own columns.
    let found = rows(
        conn,
        &format!(
            "SELECT {COMMENT_COLUMNS}, depth FROM comments
             WHERE thread_id = $1 AND root_id = $2 AND (depth > $3 OR (depth = $3 AND id > $4)) AND {SHOWN}
             ORDER BY depth, id LIMIT $5"
        ),
        &[&thread_id, &root, &from.depth, &from.id, &(n as i64)],
    )
    .await?;
    let mut comments = Vec::with_capacity(found.len());
    let mut at = Vec::with_capacity(found.len());
    for r in &found {
        let c = comment(r)?;
        at.push(ReplyCursor {
            depth: r.get(COMMENT_COLUMN_COUNT),
            id: c.id,
        });
        comments.push(c);
    }
    Ok((comments, at))
}

/// A page of the thread of `site`'s page `uri`, with the thread's newest live-update event; an empty page
/// when the page has no thread yet.
pub async fn thread_page(
    conn: &impl GenericClient,
    site: &Site,
    uri: &str,
    sort: Sort,
    after: i64,
    limit: i64,
    now: i64,
) -> Result<ThreadPage> {
    let Some(t) = threads::find(conn, &site.id, uri).await? else {
        return Ok(ThreadPage::default());
    };
    // Read before the page: an event in between is sent again (and ignored), never lost.
    let last_event = events::last_id(conn, &site.id, uri).await?;
    Ok(ThreadPage {
        title: t.title,
        total: t.published,
        closed: site.closes(t.created, t.closed, now),
        last_event,
        ..page(conn, t.id, sort, after, limit).await?
    })
}

/// Up to `limit` replies below top-level comment `root` of the page's thread, after the position `after`;
/// `None` when `root` is not a top-level comment of that page.
pub async fn replies(
    conn: &impl GenericClient,
    site: &str,
    uri: &str,
    root: i64,
    after: ReplyCursor,
    limit: usize,
) -> Result<Option<RepliesPage>> {
    let Some(t) = threads::find(conn, site, uri).await? else {
        return Ok(None);
    };
    let is_root = opt(
        conn,
        "SELECT 1::BIGINT FROM comments WHERE id = $1 AND thread_id = $2 AND root_id IS NULL",
        &[&root, &t.id],
    )
    .await?
    .is_some();
    if !is_root {
        return Ok(None);
    }
    let (mut comments, at) = replies_after(conn, t.id, root, after, limit + 1).await?;
    let next = (comments.len() > limit).then(|| {
        comments.truncate(limit);
        at[limit - 1]
    });
    Ok(Some(RepliesPage { comments, next }))
}
