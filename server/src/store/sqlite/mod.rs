//! The SQLite backend, the only code that knows SQL. One writer connection (SQLite allows one writer at a
//! time anyway) on a thread of its own that commits waiting writes together (`writer.rs`), and a small pool
//! of readers used from the blocking thread pool, so async workers never wait on disk. The submodules hold plain sync query functions on `&Connection`, one file per aggregate;
//! `store.rs` puts them behind the [`crate::store::Store`] trait, one transaction per use case.

mod audit;
mod bans;
mod comments;
mod copy;
mod deliveries;
mod digests;
mod events;
mod export;
mod feed;
mod guards;
mod import;
pub mod isso;
mod moderators;
mod outbox;
mod pins;
mod privacy;
mod readers;
mod review;
mod settings;
mod sites;
mod spam;
mod store;
mod subscriptions;
mod thread_pages;
mod threads;
mod touched;
mod votes;
mod webhooks;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard, mpsc};

use anyhow::Context;
use readers::Readers;
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
    (
        "0006_feed_index",
        include_str!("../../../../migrations/sqlite/0006_feed_index.sql"),
    ),
    (
        "0007_sites_version",
        include_str!("../../../../migrations/sqlite/0007_sites_version.sql"),
    ),
    (
        "0008_notifications",
        include_str!("../../../../migrations/sqlite/0008_notifications.sql"),
    ),
    (
        "0009_thread_features",
        include_str!("../../../../migrations/sqlite/0009_thread_features.sql"),
    ),
    (
        "0010_events",
        include_str!("../../../../migrations/sqlite/0010_events.sql"),
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
    /// The generations of pages and sites, moved by the writer after each commit; see `touched.rs`.
    scopes: Arc<touched::Scopes>,
    stats: Arc<writer::Stats>,
    /// The writer thread's queue; `None` only while the handle is dropped.
    queue: Option<mpsc::Sender<writer::Job>>,
    writer: Option<std::thread::JoinHandle<()>>,
    readers: Arc<Readers>,
    /// Whether mail is delivered: changes queue mail only then ([`crate::store::Store::set_channels`]).
    mail: std::sync::atomic::AtomicBool,
}

impl Drop for Inner {
    /// Lets the writer finish the jobs already sent and close its connection (SQLite checkpoints the WAL
    /// as the last connection closes), so a command that drops its store leaves a closed database behind.
    fn drop(&mut self) {
        drop(self.queue.take());
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic inside a query leaves the connection usable: SQLite rolls back an unfinished transaction.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    // synchronous=FULL: a comment acknowledged to its author survives a power cut, not just a crash.
    // secure_delete: erased comments (GDPR, trash purge) are overwritten in the file, not only unlinked.
    conn.execute_batch(
        "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = FULL; PRAGMA secure_delete = ON;",
    )?;
    // A page cache of 512 KiB per connection instead of SQLite's 2,000: five connections filled theirs
    // under the mixed load (a database far larger than the caches) and the server's RSS peaked at 47 MB;
    // with 512 KiB at 40 to 41 MB, reads and posts within the machine's noise, the OS's page cache holding
    // the file either way (bench/RESULTS.md, "Issue 15: SQLite's page caches").
    conn.execute_batch("PRAGMA cache_size = -512")?;
    // The query planner stability guarantee: a plan never depends on the values bound to it. Without it, a
    // statement with a bare `LIMIT ?` (or a bound value the planner looked at) is marked expired each time
    // the value is bound, and every run parses and plans it again: 51% of the server's CPU in the mixed
    // load went to re-preparing the replies query (bench/RESULTS.md).
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let mut writer =
            Connection::open(path).with_context(|| format!("failed to open database {}", path.display()))?;
        // Another process may be creating or migrating the same file: wait for it rather than fail.
        writer.busy_timeout(std::time::Duration::from_secs(5))?;
        switch_to_wal(&writer).context("failed to switch the database to WAL")?;
        configure(&writer)?;
        migrate(&mut writer).context("failed to migrate the database")?;
        touched::watch(&writer).context("failed to set up the change triggers")?;
        let readers = Arc::new(Readers::open(path, READERS).context("failed to open reader connections")?);
        let scopes = Arc::new(touched::Scopes::default());
        let stats = Arc::new(writer::Stats::default());
        let (queue, jobs) = mpsc::channel();
        let seen_version = writer::data_version(&writer).ok();
        let thread = {
            let (scopes, stats) = (scopes.clone(), stats.clone());
            std::thread::Builder::new()
                .name("riposte-writer".into())
                .spawn(move || writer::serve(writer, seen_version, jobs, scopes, stats))
                .context("failed to start the writer thread")?
        };
        Ok(Self {
            path: path.to_owned(),
            inner: Arc::new(Inner {
                scopes,
                stats,
                queue: Some(queue),
                writer: Some(thread),
                readers,
                mail: std::sync::atomic::AtomicBool::new(false),
            }),
        })
    }

    /// Runs `f` on a reader connection, off the async threads.
    async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        self.inner.readers.clone().run(f).await
    }

    /// Runs `f` on the writer, inside one transaction that it may share with other writes waiting at the same
    /// moment (in a savepoint of its own); answers once the transaction committed, or with `f`'s error, its
    /// changes undone, when `f` fails.
    async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        self.run(f, writer::Mode::Batch).await
    }

    /// As [`Self::write`], in a transaction of its own (a long job, the streamed import); when `commit` is
    /// false the transaction is always rolled back (a dry run).
    async fn transaction<T, F>(&self, f: F, commit: bool) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        self.run(f, writer::Mode::Alone { commit }).await
    }

    /// A write that changes nothing a public answer shows (the outbox, subscriptions, webhooks). It runs as
    /// [`Self::write`] does: the triggers of `touched.rs` find that it touched no page, so the response
    /// cache stays warm. The name says so where it is called.
    async fn write_unseen<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        self.run(f, writer::Mode::Batch).await
    }

    async fn run<T, F>(&self, f: F, mode: writer::Mode) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        let (send, answer) = tokio::sync::oneshot::channel::<Result<T>>();
        let run = Box::new(move |tx: &Transaction<'_>| {
            let value = f(tx);
            writer::Ran {
                ok: value.is_ok(),
                answer: Box::new(move |ended: std::result::Result<(), String>| {
                    let _ = send.send(match (value, ended) {
                        (Err(e), _) => Err(e),
                        (Ok(v), Ok(())) => Ok(v),
                        (Ok(_), Err(why)) => Err(StoreError::Failed(anyhow::anyhow!(why))),
                    });
                }),
            }
        });
        let queue = self.inner.queue.as_ref().context("the database writer has stopped")?;
        if queue.send(writer::Job { mode, run }).is_err() {
            return Err(anyhow::anyhow!("the database writer has stopped").into());
        }
        // Counted once sent (the writer may take it first: the count dips below zero for a moment).
        self.inner.stats.waiting.fetch_add(1, Ordering::Relaxed);
        answer.await.context("the database writer failed (see the log)")?
    }

    fn mail(&self) -> bool {
        self.inner.mail.load(Ordering::Relaxed)
    }
}

/// How often a backup step may find the database locked (each after a wait of up to a second, then a
/// pause of [`BACKUP_PAUSE`]) before the backup gives up.
const BACKUP_TRIES: u32 = 20;
const BACKUP_PAUSE: std::time::Duration = std::time::Duration::from_millis(250);

/// Copies the database at `source` to `target` with SQLite's online backup, in one step so that the copy is
/// one consistent snapshot; the server may keep writing meanwhile (WAL lets readers and a writer coexist).
/// The copy is written beside `target`, synced to disk and renamed into place (and the directory synced),
/// so `target` is never a half-written file, and is on disk when this returns.
fn backup(source: &Path, target: &Path) -> anyhow::Result<()> {
    backup_trying(source, target, BACKUP_TRIES)
}

fn backup_trying(source: &Path, target: &Path, tries: u32) -> anyhow::Result<()> {
    use rusqlite::backup::{Backup, StepResult};
    let src = Connection::open_with_flags(source, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("cannot open {}", source.display()))?;
    src.busy_timeout(std::time::Duration::from_secs(1))?;
    let partial = target.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    {
        let mut dst = Connection::open(&partial).with_context(|| format!("cannot create {}", partial.display()))?;
        let backup = Backup::new(&src, &mut dst)?;
        let mut busy = 0;
        loop {
            match backup.step(-1)? {
                StepResult::Done => break,
                StepResult::More => continue,
                // A writer holds a lock for a moment: try again shortly, but not forever.
                _ => {
                    busy += 1;
                    if busy >= tries {
                        drop(backup);
                        drop(dst);
                        let _ = std::fs::remove_file(&partial);
                        anyhow::bail!(
                            "the database {} stayed locked through {tries} attempts; try again later",
                            source.display()
                        );
                    }
                    std::thread::sleep(BACKUP_PAUSE);
                }
            }
        }
    }
    let check: String = Connection::open(&partial)?.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if check != "ok" {
        anyhow::bail!("the copy failed its integrity check: {check}");
    }
    std::fs::File::open(&partial)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("cannot sync {} to disk", partial.display()))?;
    std::fs::rename(&partial, target).with_context(|| format!("cannot move the copy to {}", target.display()))?;
    // The rename is durable only once the directory entry is.
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot sync the directory {}", dir.display()))?;
    Ok(())
}

/// Switching the journal mode needs the file to itself, and SQLite does not wait for that with the busy
/// timeout: while another process creates or migrates the same file, try again a few times.
fn switch_to_wal(conn: &Connection) -> rusqlite::Result<()> {
    let mut tries = 0;
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if matches!(
                    e.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) && tries < 100 =>
            {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

/// Applies the migrations not yet recorded in `user_version`, one transaction each. The version is read
/// inside the `IMMEDIATE` (write-locked) transaction that applies the next migration, so a CLI command and
/// the server opening the database at once never both apply one.
fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let done: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let Some((_name, sql)) = MIGRATIONS.get(usize::try_from(done).unwrap_or(0)) else {
            return Ok(());
        };
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", done.max(0) + 1)?;
        tx.commit()?;
    }
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
mod tests;
