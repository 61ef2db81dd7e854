//! The feeds: the newest published comments of a site, or of one of its pages.

use rusqlite::{Connection, Row, params};

use crate::domain::comment::FeedEntry;

/// The newest published comments of a site, or of one page of it.
pub fn newest(conn: &Connection, site: &str, uri: Option<&str>, limit: i64) -> rusqlite::Result<Vec<FeedEntry>> {
    let map = |r: &Row<'_>| {
        Ok(FeedEntry {
            id: r.get(0)?,
            uri: r.get(1)?,
            title: r.get(2)?,
            author: r.get(3)?,
            html: r.get(4)?,
            created: r.get(5)?,
            edited: r.get(6)?,
        })
    };
    let select = "SELECT c.id, t.uri, t.title, c.author, c.html, c.created, c.edited
                  FROM comments c JOIN threads t ON t.id = c.thread_id";
    match uri {
        Some(uri) => conn
            .prepare_cached(&format!(
                "{select} WHERE t.site_id = ?1 AND t.uri = ?2 AND c.status = 'published' ORDER BY c.id DESC LIMIT ?3"
            ))?
            .query_map(params![site, uri, limit], map)?
            .collect(),
        None => conn
            .prepare_cached(&format!(
                "{select} WHERE t.site_id = ?1 AND c.status = 'published' ORDER BY c.id DESC LIMIT ?2"
            ))?
            .query_map(params![site, limit], map)?
            .collect(),
    }
}
