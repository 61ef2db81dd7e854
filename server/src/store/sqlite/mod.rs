//! The SQLite backend, the only code that knows SQL. One writer connection (SQLite allows one writer at a
//! time anyway) and a small pool of readers, used from the blocking thread pool so async workers never
//! wait on disk. The submodules hold plain sync query functions on `&Connection`, one file per aggregate;
//! `store.rs` puts them behind the [`crate::store::Store`] trait, one transaction per use case.

mod audit;
mod bans;
mod comments;
mod export;
mod guards;
mod import;
pub mod isso;
mod moderators;
mod privacy;
mod review;
mod settings;
mod sites;
mod spam;
mod store;
mod thread_pages;
mod threads;
mod votes;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use anyhow::Context;
use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::{Result, StoreError};

/// Numbered, append-only migrations; `PRAGMA user_version` records how many have run.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("../../../../migrations/sqlite/0001_init.sql")),
    (
        "0002_moderation",
        include_str!("../../../../migrations/sqlite/0002_moderation.sql"),
    ),
    (
        "0003_thread_pages",
        include_str!("../../../../migrations/sqlite/0003_thread_pages.sql"),
    ),
    (
        "0004_imported",
        include_str!("../../../../migrations/sqlite/0004_imported.sql"),
    ),
    (
        "0005_abuse",
        include_str!("../../../../migrations/sqlite/0005_abuse.sql"),
    ),
];

const READERS: usize = 4;

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Failed(anyhow::Error::new(e).context("database query failed"))
    }
}

pub struct SqliteStore {
    path: PathBuf,
    inner: Arc<Inner>,
}

struct Inner {
    /// Bumped after every committed write through this handle; see `http/cache.rs`.
    generation: AtomicU64,
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next: AtomicUsize,
}

fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic inside a query leaves the connection usable: SQLite rolls back an unfinished transaction.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    // synchronous=FULL: a comment acknowledged to its author survives a power cut, not just a crash.
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = FULL;")?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let mut writer =
            Connection::open(path).with_context(|| format!("failed to open database {}", path.display()))?;
        writer
            .pragma_update(None, "journal_mode", "WAL")
            .context("failed to switch the database to WAL")?;
        configure(&writer)?;
        migrate(&mut writer).context("failed to migrate the database")?;
        let readers = (0..READERS)
            .map(|_| {
                let conn = Connection::open(path)?;
                configure(&conn)?;
                conn.pragma_update(None, "query_only", true)?;
                Ok(Mutex::new(conn))
            })
            .collect::<rusqlite::Result<Vec<_>>>()
            .context("failed to open reader connections")?;
        Ok(Self {
            path: path.to_owned(),
            inner: Arc::new(Inner {
                generation: AtomicU64::default(),
                writer: Mutex::new(writer),
                readers,
                next: AtomicUsize::new(0),
            }),
        })
    }

    /// Runs `f` on a reader connection, off the async threads.
    async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let i = inner.next.fetch_add(1, Ordering::Relaxed) % inner.readers.len();
            f(&lock(&inner.readers[i]))
        })
        .await
        .context("database reader task failed")?
    }

    /// Runs `f` inside one transaction on the writer connection; commits when `f` returns `Ok`, rolls
    /// back otherwise.
    async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        self.transaction(f, true).await
    }

    /// As [`Self::write`], but when `commit` is false the transaction is always rolled back (a dry run).
    async fn transaction<T, F>(&self, f: F, commit: bool) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = lock(&inner.writer);
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = f(&tx)?;
            if commit {
                tx.commit()?;
                inner.generation.fetch_add(1, Ordering::Release);
            }
            Ok(value)
        })
        .await
        .context("database writer task failed")?
    }
}

/// Copies the database at `source` to `target` with SQLite's online backup, in one step so that the copy is
/// one consistent snapshot; the server may keep writing meanwhile (WAL lets readers and a writer coexist).
/// The copy is written beside `target` and renamed into place, so `target` is never a half-written file.
fn backup(source: &Path, target: &Path) -> anyhow::Result<()> {
    use rusqlite::backup::{Backup, StepResult};
    let src = Connection::open_with_flags(source, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("cannot open {}", source.display()))?;
    src.busy_timeout(std::time::Duration::from_secs(5))?;
    let partial = target.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    {
        let mut dst = Connection::open(&partial).with_context(|| format!("cannot create {}", partial.display()))?;
        let backup = Backup::new(&src, &mut dst)?;
        loop {
            match backup.step(-1)? {
                StepResult::Done => break,
                StepResult::More => continue,
                // A writer holds a lock for a moment: try again shortly.
                _ => std::thread::sleep(std::time::Duration::from_millis(50)),
            }
        }
    }
    let check: String = Connection::open(&partial)?.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if check != "ok" {
        anyhow::bail!("the copy failed its integrity check: {check}");
    }
    std::fs::rename(&partial, target).with_context(|| format!("cannot move the copy to {}", target.display()))?;
    Ok(())
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let done: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (n, (_name, sql)) in MIGRATIONS.iter().enumerate().skip(done.max(0) as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (n + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

/// Rows per table.
fn totals(conn: &Connection) -> rusqlite::Result<super::Totals> {
    let count = |table: &str| conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get::<_, i64>(0));
    Ok(super::Totals {
        sites: count("sites")?,
        threads: count("threads")?,
        comments: count("comments")?,
        votes: count("votes")?,
        moderators: count("moderators")?,
        sessions: count("sessions")?,
        bans: count("bans")?,
        audit: count("audit")?,
    })
}

/// `?1 IN (...)` over a list, as one JSON parameter (SQLite's `json_each`).
fn json_list<T: serde::Serialize>(items: &[T]) -> String {
    serde_json::to_string(items).expect("a list of numbers or strings serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_in_order_and_match_files() {
        let mut files: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        files.sort();
        let embedded: Vec<String> = MIGRATIONS.iter().map(|(n, _)| format!("{n}.sql")).collect();
        assert_eq!(
            files, embedded,
            "every migrations/sqlite/*.sql file must be listed in MIGRATIONS, in order"
        );
        for (i, name) in files.iter().enumerate() {
            assert!(name.starts_with(&format!("{:04}_", i + 1)), "{name} is out of sequence");
        }
    }

    #[test]
    fn thread_pages_migration_fills_in_the_root_of_existing_replies() {
        let mut conn = Connection::open_in_memory().unwrap();
        for (_, sql) in &MIGRATIONS[..2] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute_batch(
            "INSERT INTO sites (id, name, created) VALUES ('s', 's', 0);
             INSERT INTO threads (id, site_id, uri, created) VALUES (1, 's', '/', 0);
             INSERT INTO comments (id, thread_id, parent_id, status, text, html, avatar, created) VALUES
               (1, 1, NULL, 'published', '', '', '', 0), (2, 1, 1, 'published', '', '', '', 0),
               (3, 1, 2, 'published', '', '', '', 0), (4, 1, NULL, 'published', '', '', '', 0),
               (5, 1, 4, 'published', '', '', '', 0);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let roots: Vec<Option<i64>> = conn
            .prepare("SELECT root_id FROM comments ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(roots, [None, Some(1), Some(1), None, Some(4)]);
    }

    #[test]
    fn migrating_twice_is_a_no_op() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        drop(SqliteStore::open(&path).unwrap());
        let store = SqliteStore::open(&path).unwrap();
        let version: i64 = lock(&store.inner.writer)
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
    }
}
