//! Which pages a write changed, as SQLite itself sees it: TEMP triggers on the writer connection note every
//! row of `comments` and `threads` inserted, updated or deleted, by any statement of any write path, and
//! [`Scopes`] stamps those pages and their sites with a fresh generation once the change is committed. The
//! response cache serves an entry only while the generation of its scope is the one it was built at.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::{Connection, Transaction};

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

/// More pages than this in one commit (a large import) move everything instead: one stamp instead of
/// thousands, and the map keeps its bound.
const MAX_PAGES_PER_COMMIT: usize = 1024;

/// What one transaction changed that a public answer shows.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Touched {
    /// (site, uri) of every page whose thread changed.
    pub pages: Vec<(String, String)>,
    /// A change the triggers cannot pin to pages (a site's settings, a thread gone with its comments).
    pub everything: bool,
}

impl Touched {
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty() && !self.everything
    }
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

/// Pages stamped at most, with their sites. Past it the maps start over and `epoch` moves: everything built
/// before is stale once, and the memory stays put however many threads a site has (a stamp is kept per page
/// ever written, not per page read, so nothing else would bound it). 50,000 pages are about 1.5 MB.
const MAX_PAGES: usize = 50_000;

/// The generations the response cache checks its entries against.
pub struct Scopes {
    /// The clock: every commit that changed something public takes the next value.
    clock: AtomicU64,
    /// Everything built at a generation below this is stale (site changes, another process writing, the
    /// maps starting over).
    epoch: AtomicU64,
    stamps: RwLock<Stamps>,
    /// The clock again, for those who wait for the next commit (live event streams) rather than ask.
    changes: tokio::sync::watch::Sender<u64>,
}

impl Default for Scopes {
    fn default() -> Self {
        Self {
            clock: AtomicU64::default(),
            epoch: AtomicU64::default(),
            stamps: RwLock::default(),
            changes: tokio::sync::watch::Sender::new(0),
        }
    }
}

#[derive(Default)]
struct Stamps {
    /// Keyed by a hash of (site, uri) and of the site, so that a read allocates nothing. Two pages of one
    /// hash share a stamp: a write to one also refreshes the other, never the reverse.
    pages: HashMap<u64, u64>,
    sites: HashMap<u64, u64>,
}

fn page_key(site: &str, uri: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    (site, uri).hash(&mut h);
    h.finish()
}

fn site_key(site: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    site.hash(&mut h);
    h.finish()
}

impl Scopes {
    /// The generation of one page's thread: of its pages of comments and replies.
    pub fn page(&self, site: &str, uri: &str) -> u64 {
        let stamps = self.stamps.read().unwrap_or_else(|e| e.into_inner());
        let stamp = stamps.pages.get(&page_key(site, uri)).copied().unwrap_or(0);
        stamp.max(self.epoch.load(Ordering::Acquire))
    }

    /// The generation of a site as a whole: of its counts and feeds.
    pub fn site(&self, site: &str) -> u64 {
        let stamps = self.stamps.read().unwrap_or_else(|e| e.into_inner());
        let stamp = stamps.sites.get(&site_key(site)).copied().unwrap_or(0);
        stamp.max(self.epoch.load(Ordering::Acquire))
    }

    /// Called after the commit of `touched` (never before: a read that saw the new stamp must find the
    /// new rows).
    pub fn committed(&self, touched: &Touched) {
        if touched.is_empty() {
            return;
        }
        let generation = self.stamp(touched);
        // After the stamps: whoever wakes finds the generations moved.
        self.changes.send_replace(generation);
    }

    fn stamp(&self, touched: &Touched) -> u64 {
        let mut stamps = self.stamps.write().unwrap_or_else(|e| e.into_inner());
        let generation = self.clock.fetch_add(1, Ordering::AcqRel) + 1;
        if touched.everything || stamps.pages.len() + touched.pages.len() > MAX_PAGES {
            stamps.pages.clear();
            stamps.sites.clear();
            self.epoch.store(generation, Ordering::Release);
            return generation;
        }
        for (site, uri) in &touched.pages {
            stamps.pages.insert(page_key(site, uri), generation);
            stamps.sites.insert(site_key(site), generation);
        }
        generation
    }

    /// Changes with every commit that moved a generation ([`Self::committed`], [`Self::everything`]).
    pub fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// Moves everything: for changes made outside this handle (another process).
    pub fn everything(&self) {
        self.committed(&Touched {
            pages: Vec::new(),
            everything: true,
        });
    }

    /// How many pages carry a stamp (for tests of the bound).
    #[cfg(test)]
    pub fn stamped(&self) -> usize {
        self.stamps.read().unwrap().pages.len()
    }
}
