//! The feeds: the newest published comments of a site, or of one of its pages. Both are indexed reads
//! that stop after `limit` rows, so neither grows with the comments of other sites or pages.

use rusqlite::{Connection, Row, params};

use crate::domain::comment::FeedEntry;

/// A site's published comments, newest first, through `comments_feed (site_id, id) WHERE status =
/// 'published'` (migration 0005): the condition must name the status literally for SQLite to use it.
const SITE: &str = "SELECT c.id, t.uri, t.title, c.author, c.html, c.created, c.edited
     FROM comments c JOIN threads t ON t.id = c.thread_id
     WHERE c.site_id = ?1 AND c.status = 'published' ORDER BY c.id DESC LIMIT ?2";

/// One page's published comments, newest first: the thread by its unique key, then `comments_thread`.
const PAGE: &str = "SELECT c.id, t.uri, t.title, c.author, c.html, c.created, c.edited
     FROM comments c JOIN threads t ON t.id = c.thread_id
     WHERE t.site_id = ?1 AND t.uri = ?2 AND c.status = 'published' ORDER BY c.id DESC LIMIT ?3";

fn entry(r: &Row<'_>) -> rusqlite::Result<FeedEntry> {
    Ok(FeedEntry {
        id: r.get(0)?,
        uri: r.get(1)?,
        title: r.get(2)?,
        author: r.get(3)?,
        html: r.get(4)?,
        created: r.get(5)?,
        edited: r.get(6)?,
    })
}

/// The newest published comments of a site, or of one page of it.
pub fn newest(conn: &Connection, site: &str, uri: Option<&str>, limit: i64) -> rusqlite::Result<Vec<FeedEntry>> {
    match uri {
        Some(uri) => conn
            .prepare_cached(PAGE)?
            .query_map(params![site, uri, limit], entry)?
            .collect(),
        None => conn
            .prepare_cached(SITE)?
            .query_map(params![site, limit], entry)?
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The detail column of each step of the query's plan.
    fn plan(conn: &Connection, sql: &str, args: impl rusqlite::Params) -> Vec<String> {
        conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap()
            .query_map(args, |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    fn migrated() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrate(&mut conn).unwrap();
        conn
    }

    #[test]
    fn the_site_feed_reads_its_own_index_and_scans_nothing() {
        let conn = migrated();
        let steps = plan(&conn, SITE, params!["quiet", 50]);
        // Comments come from the site's range of the feed index, already newest first (no sort step); the
        // thread of each is one primary-key lookup.
        assert!(
            steps
                .iter()
                .any(|s| s == "SEARCH c USING INDEX comments_feed (site_id=?)"),
            "{steps:?}"
        );
        assert!(
            steps
                .iter()
                .all(|s| !s.starts_with("SCAN") && !s.contains("TEMP B-TREE")),
            "{steps:?}"
        );
        assert!(
            steps
                .iter()
                .filter(|s| s.contains(" c "))
                .all(|s| s.contains("comments_feed")),
            "{steps:?}"
        );
    }

    #[test]
    fn the_page_feed_reads_one_thread_and_scans_nothing() {
        let conn = migrated();
        let steps = plan(&conn, PAGE, params!["quiet", "/", 50]);
        assert!(
            steps
                .iter()
                .any(|s| s.starts_with("SEARCH t USING INDEX sqlite_autoindex_threads_1")),
            "{steps:?}"
        );
        assert!(
            steps
                .iter()
                .any(|s| s.starts_with("SEARCH c USING INDEX comments_thread (thread_id=?")),
            "{steps:?}"
        );
        assert!(
            steps
                .iter()
                .all(|s| !s.starts_with("SCAN") && !s.contains("TEMP B-TREE")),
            "{steps:?}"
        );
    }

    #[test]
    fn every_comment_knows_its_site_whichever_way_it_was_inserted() {
        let conn = migrated();
        conn.execute_batch(
            "INSERT INTO sites (id, name, created) VALUES ('a', 'a', 0), ('b', 'b', 0);
             INSERT INTO threads (id, site_id, uri, created) VALUES (1, 'a', '/', 0), (2, 'b', '/', 0);
             INSERT INTO comments (id, thread_id, status, text, html, avatar, created) VALUES
               (1, 1, 'published', '', '', '', 0), (2, 2, 'published', '', '', '', 0),
               (3, 1, 'pending', '', '', '', 0);",
        )
        .unwrap();
        let site_of = |id: i64| -> String {
            conn.query_row("SELECT site_id FROM comments WHERE id = ?1", [id], |r| r.get(0))
                .unwrap()
        };
        assert_eq!([site_of(1), site_of(2), site_of(3)], ["a", "b", "a"]);
        let ids = |site: &str| -> Vec<i64> { newest(&conn, site, None, 10).unwrap().iter().map(|e| e.id).collect() };
        assert_eq!(ids("a"), [1]);
        assert_eq!(ids("b"), [2]);
        conn.execute("UPDATE comments SET thread_id = 2 WHERE id = 1", [])
            .unwrap();
        assert_eq!(ids("b"), [2, 1]);
        assert!(ids("a").is_empty());
    }

    #[test]
    fn the_migration_gives_existing_comments_their_site() {
        let mut conn = Connection::open_in_memory().unwrap();
        for (_, sql) in &super::super::MIGRATIONS[..4] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 4).unwrap();
        conn.execute_batch(
            "INSERT INTO sites (id, name, created) VALUES ('a', 'a', 0), ('b', 'b', 0);
             INSERT INTO threads (id, site_id, uri, created) VALUES (1, 'a', '/', 0), (2, 'b', '/', 0);
             INSERT INTO comments (id, thread_id, status, text, html, avatar, created) VALUES
               (1, 1, 'published', '', '', '', 0), (2, 2, 'published', '', '', '', 0),
               (3, 1, 'published', '', '', '', 0);",
        )
        .unwrap();
        super::super::migrate(&mut conn).unwrap();
        let ids = |site: &str| -> Vec<i64> { newest(&conn, site, None, 10).unwrap().iter().map(|e| e.id).collect() };
        assert_eq!(ids("a"), [3, 1]);
        assert_eq!(ids("b"), [2]);
    }
}
