//! Which pages a write changed, as SQLite itself sees it: TEMP triggers on the writer connection note every
//! row of `comments` and `threads` inserted, updated or deleted, by any statement of any write path, and
//! [`crate::store::scopes::Scopes`] stamps those pages and their sites with a fresh generation once the
//! change is committed. The response cache serves an entry only while the generation of its scope is the
//! one it was built at.

use rusqlite::{Connection, Transaction};

pub use crate::store::scopes::{MAX_PAGES_PER_COMMIT, Scopes, Touched};

/// The tables a public answer (thread pages, replies, counts, feeds) reads. A change to `comments` or
/// `threads` is a change to the page of its thread; a change to a site or its origins could show
/// anywhere, so it moves everything. Every other table is bookkeeping no public answer shows; the unit test
/// `every_table_is_watched_or_named_as_unseen` fails until a new table is put on one side or the other.
#[cfg(test)]
pub const WATCHED: &[&str] = &["comments", "threads", "sites", "site_origins"];

/// Created on the writer connection when it opens. TEMP: they live and die with that connection, write
/// only to its temporary database (never the file), and see every statement it runs, triggers and
/// foreign-key cascades included. `WHERE NOT EXISTS` rather than `INSERT OR IGNORE`: the conflict policy
/// of the statement that fires a trigger overrides the trigger's own (an upsert's would fail the insert).
const TRIGGERS: &str = "
PRAGMA temp_store = MEMORY;
CREATE TEMP TABLE touched_threads (id INTEGER PRIMARY KEY);
CREATE TEMP TABLE touched_pages (site_id TEXT NOT NULL, uri TEXT NOT NULL, PRIMARY KEY (site_id, uri)) WITHOUT ROWID;
CREATE TEMP TABLE touched_everything (id INTEGER PRIMARY KEY);
CREATE TEMP TRIGGER touched_comment_insert AFTER INSERT ON main.comments BEGIN
    INSERT INTO touched_threads SELECT NEW.thread_id WHERE NOT EXISTS (SELECT 1 FROM touched_threads WHERE id = NEW.thread_id);
END;
CREATE TEMP TRIGGER touched_comment_update AFTER UPDATE ON main.comments BEGIN
    INSERT INTO touched_threads SELECT OLD.thread_id WHERE NOT EXISTS (SELECT 1 FROM touched_threads WHERE id = OLD.thread_id);
    INSERT INTO touched_threads SELECT NEW.thread_id WHERE NOT EXISTS (SELECT 1 FROM touched_threads WHERE id = NEW.thread_id);
END;
CREATE TEMP TRIGGER touched_comment_delete AFTER DELETE ON main.comments BEGIN
    INSERT INTO touched_threads SELECT OLD.thread_id WHERE NOT EXISTS (SELECT 1 FROM touched_threads WHERE id = OLD.thread_id);
END;
CREATE TEMP TRIGGER touched_thread_insert AFTER INSERT ON main.threads BEGIN
    INSERT INTO touched_pages SELECT NEW.site_id, NEW.uri
        WHERE NOT EXISTS (SELECT 1 FROM touched_pages WHERE site_id = NEW.site_id AND uri = NEW.uri);
END;
CREATE TEMP TRIGGER touched_thread_update AFTER UPDATE ON main.threads BEGIN
    INSERT INTO touched_pages SELECT OLD.site_id, OLD.uri
        WHERE NOT EXISTS (SELECT 1 FROM touched_pages WHERE site_id = OLD.site_id AND uri = OLD.uri);
    INSERT INTO touched_pages SELECT NEW.site_id, NEW.uri
        WHERE NOT EXISTS (SELECT 1 FROM touched_pages WHERE site_id = NEW.site_id AND uri = NEW.uri);
END;
CREATE TEMP TRIGGER touched_thread_delete AFTER DELETE ON main.threads BEGIN
    INSERT INTO touched_pages SELECT OLD.site_id, OLD.uri
        WHERE NOT EXISTS (SELECT 1 FROM touched_pages WHERE site_id = OLD.site_id AND uri = OLD.uri);
END;
CREATE TEMP TRIGGER touched_site_insert AFTER INSERT ON main.sites BEGIN
    INSERT INTO touched_everything SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM touched_everything);
END;
CREATE TEMP TRIGGER touched_site_update AFTER UPDATE ON main.sites BEGIN
    INSERT INTO touched_everything SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM touched_everything);
END;
CREATE TEMP TRIGGER touched_site_delete AFTER DELETE ON main.sites BEGIN
    INSERT INTO touched_everything SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM touched_everything);
END;
CREATE TEMP TRIGGER touched_origin_insert AFTER INSERT ON main.site_origins BEGIN
    INSERT INTO touched_everything SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM touched_everything);
END;
CREATE TEMP TRIGGER touched_origin_update AFTER UPDATE ON main.site_origins BEGIN
    INSERT INTO touched_everything SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM touched_everything);
END;
CREATE TEMP TRIGGER touched_origin_delete AFTER DELETE ON main.site_origins BEGIN
    INSERT INTO touched_everything SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM touched_everything);
END;
";

/// Installs the triggers on the writer connection.
pub fn watch(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(TRIGGERS)
}

/// Reads and empties what the triggers noted, inside the transaction, just before it commits: the notes
/// vanish with a rollback, as the changes they describe do.
pub fn take(tx: &Transaction<'_>) -> rusqlite::Result<Touched> {
    let mut touched = Touched {
        everything: tx.query_row("SELECT EXISTS (SELECT 1 FROM temp.touched_everything)", [], |r| {
            r.get(0)
        })?,
        ..Touched::default()
    };
    {
        // A thread id that no longer resolves is a thread deleted with its comments: its page is in
        // touched_pages from the thread's own trigger, but nothing is lost by moving everything then.
        let mut threads = tx.prepare_cached(
            "SELECT t.site_id, t.uri FROM temp.touched_threads x LEFT JOIN main.threads t ON t.id = x.id",
        )?;
        let mut rows = threads.query([])?;
        while let Some(row) = rows.next()? {
            match (row.get::<_, Option<String>>(0)?, row.get::<_, Option<String>>(1)?) {
                (Some(site), Some(uri)) => touched.pages.push((site, uri)),
                _ => touched.everything = true,
            }
        }
        let mut pages = tx.prepare_cached("SELECT site_id, uri FROM temp.touched_pages")?;
        let mut rows = pages.query([])?;
        while let Some(row) = rows.next()? {
            touched.pages.push((row.get(0)?, row.get(1)?));
        }
    }
    tx.execute_batch(
        "DELETE FROM temp.touched_threads; DELETE FROM temp.touched_pages; DELETE FROM temp.touched_everything;",
    )?;
    if touched.pages.len() > MAX_PAGES_PER_COMMIT {
        touched.pages.clear();
        touched.everything = true;
    }
    Ok(touched)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_is_watched_or_named_as_unseen() {
        // A public answer reading a table without a trigger would be served stale: put every new table on a side.
        const UNSEEN: &[&str] = &[
            "settings",
            "votes",
            "moderators",
            "moderator_sites",
            "sessions",
            "bans",
            "audit",
            "imported",
            "ip_keys",
            "idempotency",
            "pow_used",
            "spam_tokens",
            "spam_totals",
            "sites_version",
            "webhooks",
            "subscriptions",
            "mail_addresses",
            "mail_blocked",
            "used_links",
            "outbox",
            "digest_items",
            "thread_events", // written by triggers beside changes to `comments`, read by event streams, never cached
        ];
        let dir = tempfile::tempdir().unwrap();
        let store = super::super::SqliteStore::open(&dir.path().join("t.db")).unwrap();
        let reader = store.inner.readers.conn(0);
        let tables: Vec<String> = reader
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        for table in &tables {
            let watched = WATCHED.contains(&table.as_str());
            let unseen = UNSEEN.contains(&table.as_str());
            assert!(
                watched != unseen,
                "{table}: watched by a trigger, or named as unseen, not both or neither"
            );
        }
        assert_eq!(
            tables.len(),
            WATCHED.len() + UNSEEN.len(),
            "a listed table no longer exists"
        );
    }
}
