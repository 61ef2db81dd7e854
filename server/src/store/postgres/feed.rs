//! The feeds: the newest published comments of a site, or of one of its pages. Both are indexed reads
//! that stop after `limit` rows, so neither grows with the comments of other sites or pages.

use super::{GenericClient, rows};
use crate::domain::comment::FeedEntry;
use crate::store::Result;

/// A site's published comments, newest first, through the partial index `comments_feed (site_id, id) WHERE
/// status = 'published'`: the condition names the status literally so that the planner can use it.
const SITE: &str = "SELECT c.id, t.uri, t.title, c.author, c.html, c.created, c.edited
     FROM comments c JOIN threads t ON t.id = c.thread_id
     WHERE c.site_id = $1 AND c.status = 'published' ORDER BY c.id DESC LIMIT $2";

/// One page's published comments, newest first: the thread by its unique key, then `comments_thread`.
const PAGE: &str = "SELECT c.id, t.uri, t.title, c.author, c.html, c.created, c.edited
     FROM comments c JOIN threads t ON t.id = c.thread_id
     WHERE t.site_id = $1 AND t.uri = $2 AND c.status = 'published' ORDER BY c.id DESC LIMIT $3";

fn entry(r: &tokio_postgres::Row) -> FeedEntry {
    FeedEntry {
        id: r.get(0),
        uri: r.get(1),
        title: r.get(2),
        author: r.get(3),
        html: r.get(4),
        created: r.get(5),
        edited: r.get(6),
    }
}

/// The newest published comments of a site, or of one page of it.
pub async fn newest(conn: &impl GenericClient, site: &str, uri: Option<&str>, limit: i64) -> Result<Vec<FeedEntry>> {
    let found = match uri {
        Some(uri) => rows(conn, PAGE, &[&site, &uri, &limit]).await?,
        None => rows(conn, SITE, &[&site, &limit]).await?,
    };
    Ok(found.iter().map(entry).collect())
}
