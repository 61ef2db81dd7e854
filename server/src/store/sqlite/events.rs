//! Live updates: the events that the triggers of migration 0010 write for every change to what a thread
//! shows, read back for one thread with the comment each names as it is now, and pruned after a day.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::comments::{COMMENT_COLUMNS, comment};
use super::threads;
use crate::domain::live::{EventKind, ThreadEvent, count_change, fill_totals};

/// Up to `limit` events of the thread of `site` and `uri` after event `after`, oldest first, in one
/// snapshot: the events, their comments and the count agree.
pub fn after(conn: &Connection, site: &str, uri: &str, after: i64, limit: i64) -> rusqlite::Result<Vec<ThreadEvent>> {
    let tx = conn.unchecked_transaction()?;
    let Some(thread_id) = threads::id_of(&tx, site, uri)? else {
        return Ok(Vec::new());
    };
    let rows: Vec<(i64, String, i64)> = tx
        .prepare_cached(
            "SELECT id, kind, comment_id FROM thread_events WHERE thread_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
        )?
        .query_map(params![thread_id, after, limit], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut events = Vec::with_capacity(rows.len());
    let mut current = tx.prepare_cached(&format!(
        "SELECT {COMMENT_COLUMNS} FROM comments WHERE id = ?1 AND thread_id = ?2"
    ))?;
    for (id, kind, comment_id) in rows {
        // The CHECK constraint admits no other kind.
        let Some(kind) = EventKind::from_stored(&kind) else {
            continue;
        };
        events.push(ThreadEvent {
            id,
            kind,
            comment_id,
            comment: current.query_row(params![comment_id, thread_id], comment).optional()?,
            total: 0,
        });
    }
    let last = events.last().map_or(after, |e| e.id);
    let later: Vec<(String, i64)> = tx
        .prepare_cached("SELECT kind, count(*) FROM thread_events WHERE thread_id = ?1 AND id > ?2 GROUP BY kind")?
        .query_map(params![thread_id, last], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let later = count_change(later.iter().filter_map(|(k, n)| Some((EventKind::from_stored(k)?, *n))));
    fill_totals(&mut events, threads::published(&tx, thread_id)?, later);
    Ok(events)
}

/// The id of the newest event of the thread of `site` and `uri`; 0 when it has none (or no thread yet).
pub fn last_id(conn: &Connection, site: &str, uri: &str) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "SELECT coalesce(max(e.id), 0) FROM thread_events e
         WHERE e.thread_id = (SELECT id FROM threads WHERE site_id = ?1 AND uri = ?2)",
    )?
    .query_row(params![site, uri], |r| r.get(0))
}

/// Deletes the events made before `before`; returns how many.
pub fn prune(tx: &Transaction<'_>, before: i64) -> rusqlite::Result<usize> {
    // The newest event stays, whatever its age: it keeps the next id above every one handed out.
    tx.prepare_cached("DELETE FROM thread_events WHERE created < ?1 AND id < (SELECT max(id) FROM thread_events)")?
        .execute([before])
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::*;
    use crate::domain::Status;

    fn db() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
        super::super::migrate(&mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO sites (id, name, created) VALUES ('s', 's', 0);
             INSERT INTO threads (id, site_id, uri, created) VALUES (1, 's', '/a/', 0), (2, 's', '/b/', 0);",
        )
        .unwrap();
        conn
    }

    fn add(conn: &Connection, id: i64, status: &str) {
        conn.execute(
            "INSERT INTO comments (id, thread_id, status, text, html, avatar, created) VALUES (?1, 1, ?2, 't', 'h', '', 0)",
            params![id, status],
        )
        .unwrap();
    }

    /// (kind, comment) of every event, oldest first.
    fn log(conn: &Connection) -> Vec<(String, i64)> {
        conn.prepare("SELECT kind, comment_id FROM thread_events ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    fn ev(kind: &str, id: i64) -> (String, i64) {
        (kind.to_owned(), id)
    }

    #[test]
    fn the_triggers_note_what_the_public_thread_shows_change_and_nothing_else() {
        let conn = db();
        add(&conn, 1, "published");
        add(&conn, 2, "pending");
        conn.execute_batch(
            "UPDATE comments SET status = 'published' WHERE id = 2;       -- approved
             UPDATE comments SET html = 'h2' WHERE id = 1;                -- edited
             UPDATE comments SET html = 'h2', likes = 3 WHERE id = 1;     -- the same text, a vote: nothing
             UPDATE comments SET author = 'A' WHERE id = 2;               -- edited
             UPDATE comments SET status = 'spam' WHERE id = 2;            -- gone
             UPDATE comments SET html = 'h3' WHERE id = 2;                -- not public: nothing
             UPDATE comments SET thread_id = 2 WHERE id = 1;              -- moved: gone here, new there
             DELETE FROM comments WHERE id = 2;                           -- not public: nothing
             DELETE FROM comments WHERE id = 1;                           -- gone",
        )
        .unwrap();
        assert_eq!(
            log(&conn),
            [
                ev("created", 1),
                ev("created", 2),
                ev("edited", 1),
                ev("edited", 2),
                ev("deleted", 2),
                ev("deleted", 1),
                ev("created", 1),
                ev("deleted", 1)
            ]
        );
        let threads: Vec<i64> = conn
            .prepare("SELECT thread_id FROM thread_events ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(threads, [1, 1, 1, 1, 1, 1, 2, 2]);
    }

    #[test]
    fn pruning_keeps_the_newest_event_so_no_id_is_handed_out_twice() {
        let mut conn = db();
        for id in 1..=3 {
            add(&conn, id, "published");
        }
        let newest: i64 = conn
            .query_row("SELECT max(id) FROM thread_events", [], |r| r.get(0))
            .unwrap();
        let tx = conn.transaction().unwrap();
        assert_eq!(prune(&tx, i64::MAX).unwrap(), 2, "all but the newest");
        tx.commit().unwrap();
        add(&conn, 4, "published");
        let next: i64 = conn
            .query_row("SELECT max(id) FROM thread_events", [], |r| r.get(0))
            .unwrap();
        assert_eq!(next, newest + 1, "a client that saw {newest} misses nothing");
    }

    #[test]
    fn a_site_deleted_with_its_threads_and_comments_takes_nothing_down_with_it() {
        let conn = db();
        add(&conn, 1, "published");
        conn.execute("DELETE FROM sites WHERE id = 's'", []).unwrap();
        assert_eq!(log(&conn), [ev("created", 1), ev("deleted", 1)]);
    }

    #[test]
    fn events_are_read_with_the_comment_as_it_is_now_and_the_count_after_each() {
        let conn = db();
        add(&conn, 1, "published");
        add(&conn, 2, "published");
        conn.execute_batch("UPDATE comments SET status = 'deleted' WHERE id = 1;")
            .unwrap();
        add(&conn, 3, "published");
        let all = after(&conn, "s", "/a/", 0, 100).unwrap();
        let seen: Vec<(i64, EventKind, Option<Status>, i64)> = all
            .iter()
            .map(|e| (e.comment_id, e.kind, e.comment.as_ref().map(|c| c.status), e.total))
            .collect();
        assert_eq!(
            seen,
            [
                (1, EventKind::Created, Some(Status::Deleted), 1),
                (2, EventKind::Created, Some(Status::Published), 2),
                (1, EventKind::Deleted, Some(Status::Deleted), 1),
                (3, EventKind::Created, Some(Status::Published), 2),
            ]
        );
        // A page of them counts from the events after it.
        let page = after(&conn, "s", "/a/", all[0].id, 2).unwrap();
        assert_eq!(page.iter().map(|e| e.total).collect::<Vec<_>>(), [2, 1]);
        assert_eq!(last_id(&conn, "s", "/a/").unwrap(), all[3].id);
        assert_eq!(last_id(&conn, "s", "/b/").unwrap(), 0);
        assert_eq!(last_id(&conn, "s", "/none/").unwrap(), 0);
        assert!(after(&conn, "s", "/none/", 0, 100).unwrap().is_empty());
    }

    #[test]
    fn pruning_keeps_the_ids_growing() {
        let mut conn = db();
        add(&conn, 1, "published");
        let first = last_id(&conn, "s", "/a/").unwrap();
        let tx = conn.transaction().unwrap();
        assert_eq!(prune(&tx, i64::MAX).unwrap(), 0, "the newest event stays, however old");
        tx.commit().unwrap();
        assert_eq!(last_id(&conn, "s", "/a/").unwrap(), first);
        add(&conn, 2, "published");
        assert!(last_id(&conn, "s", "/a/").unwrap() > first);
    }
}
