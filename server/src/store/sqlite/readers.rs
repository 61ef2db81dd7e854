//! The reader connections: a few read-only connections used from tokio's blocking threads, so async workers
//! never wait on disk. A read waits for a free connection as a future, behind a semaphore of one permit per
//! connection, and takes whichever connection is free: 64 reads at once are 64 cheap futures, not 64 blocked
//! threads waking and sleeping in turn, and a short read never waits behind a long one while another
//! connection is idle.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

use anyhow::Context;
use rusqlite::Connection;
use tokio::sync::Semaphore;

use super::{configure, lock};
use crate::store::Result;

pub(super) struct Readers {
    conns: Vec<Mutex<Connection>>,
    free: Arc<Semaphore>,
    /// Where the search for a free connection starts, moved by every read so all of them get used.
    next: AtomicUsize,
}

impl Readers {
    /// Opens `n` read-only connections to the database at `path`.
    pub(super) fn open(path: &Path, n: usize) -> rusqlite::Result<Self> {
        let conns = (0..n)
            .map(|_| {
                let conn = Connection::open(path)?;
                configure(&conn)?;
                conn.pragma_update(None, "query_only", true)?;
                Ok(Mutex::new(conn))
            })
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Self {
            conns,
            free: Arc::new(Semaphore::new(n)),
            next: AtomicUsize::new(0),
        })
    }

    pub(super) fn len(&self) -> usize {
        self.conns.len()
    }

    /// Connections running a read now.
    pub(super) fn busy(&self) -> usize {
        self.conns.len() - self.free.available_permits()
    }

    /// Connection `i`, held until the guard goes (tests read through it, or hold it busy).
    #[cfg(test)]
    pub(super) fn conn(&self, i: usize) -> MutexGuard<'_, Connection> {
        lock(&self.conns[i])
    }

    /// Runs `f` on a free connection, off the async threads.
    pub(super) async fn run<T, F>(self: Arc<Self>, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let permit = self
            .free
            .clone()
            .acquire_owned()
            .await
            .context("database readers closed")?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            // With a permit, at most n - 1 other reads hold a connection, so one is free; the blocking lock
            // is the fallback for a test holding a connection of its own.
            f(&self.take())
        })
        .await
        .context("database reader task failed")?
    }

    fn take(&self) -> MutexGuard<'_, Connection> {
        let n = self.conns.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..n)
            .find_map(|k| match self.conns[(start + k) % n].try_lock() {
                Ok(conn) => Some(conn),
                // A panic inside a query leaves the connection usable, as `lock` says.
                Err(TryLockError::Poisoned(e)) => Some(e.into_inner()),
                Err(TryLockError::WouldBlock) => None,
            })
            .unwrap_or_else(|| lock(&self.conns[start % n]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A read takes whichever connection is free: one held by a long read (here, by a thread of the test)
    /// does not stall the reads that round-robin would have sent to it.
    #[tokio::test]
    async fn a_busy_connection_does_not_hold_up_other_reads() {
        let dir = tempfile::tempdir().unwrap();
        let readers = Arc::new(Readers::open(&dir.path().join("r.db"), 4).unwrap());
        let (held_tx, held) = std::sync::mpsc::channel();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let holder = {
            let readers = readers.clone();
            std::thread::spawn(move || {
                let _busy = readers.conn(0);
                held_tx.send(()).unwrap();
                let _ = released.recv();
            })
        };
        held.recv().unwrap();
        for _ in 0..2 * readers.len() {
            let read = readers
                .clone()
                .run(|c| Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?));
            let one = tokio::time::timeout(std::time::Duration::from_secs(5), read)
                .await
                .expect("a read waited for the busy connection")
                .unwrap();
            assert_eq!(one, 1);
        }
        assert_eq!(readers.busy(), 0, "every permit is back");
        drop(release);
        holder.join().unwrap();
    }
}
