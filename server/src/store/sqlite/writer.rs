//! The single writer: a thread that owns the writer connection and commits the write jobs waiting in its
//! queue together (group commit). Each job runs inside its own `SAVEPOINT` of one `IMMEDIATE`
//! transaction, so a job that fails is rolled back alone; the batch commits once (one fsync with
//! `synchronous=FULL`), and only then is each job answered. A failed commit fails every job of the batch.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicIsize, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::touched::{self, Scopes};

/// Jobs in one transaction at most: the first of them waits for the last before it is answered.
pub const MAX_BATCH: usize = 64;

/// How often an idle writer looks whether another process (the command line) wrote to the file: its
/// changes reach the cache within this, since they move `Scopes`' epoch.
const LOOK_OUT_EVERY: Duration = Duration::from_secs(1);

/// How a job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Beside the other jobs waiting, in one transaction.
    Batch,
    /// In a transaction of its own (the streamed import), rolled back whatever happens when `commit` is
    /// false (a dry run).
    Alone { commit: bool },
}

/// What the writer hears once a job's transaction ended: `Ok` when it committed (or, for a dry run, rolled
/// back as asked), the reason otherwise.
pub type Answer = Box<dyn FnOnce(Result<(), String>) + Send>;

/// What a job left: whether it succeeded (its savepoint is released) or not (rolled back), and how to
/// answer it.
pub struct Ran {
    pub ok: bool,
    pub answer: Answer,
}

pub struct Job {
    pub mode: Mode,
    pub run: Box<dyn FnOnce(&Transaction<'_>) -> Ran + Send>,
}

/// The writer's counters: how batches form (tests and the debug log read them).
#[derive(Default)]
pub struct Stats {
    /// Jobs sent and not yet taken by the writer.
    pub waiting: AtomicIsize,
    /// Transactions committed, and the jobs they held.
    pub batches: AtomicU64,
    pub jobs: AtomicU64,
    /// The most jobs one transaction held.
    pub largest: AtomicUsize,
}

/// Takes jobs until every sender is gone, then closes the connection. `seen_version`: the connection's
/// `data_version` as the store opened (read before this thread starts, so that another process's commit
/// made before the thread runs still counts as one).
pub fn serve(
    mut conn: Connection,
    mut seen_version: Option<i64>,
    queue: Receiver<Job>,
    scopes: Arc<Scopes>,
    stats: Arc<Stats>,
) {
    let mut next: Option<Job> = None;
    loop {
        let first = match next.take() {
            Some(job) => job,
            None => match queue.recv_timeout(LOOK_OUT_EVERY) {
                Ok(job) => job,
                Err(RecvTimeoutError::Timeout) => {
                    look_out(&conn, &mut seen_version, &scopes);
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => return,
            },
        };
        stats.waiting.fetch_sub(1, Ordering::Relaxed);
        let mut batch = vec![first];
        if batch[0].mode == Mode::Batch {
            while batch.len() < MAX_BATCH {
                match queue.try_recv() {
                    Ok(job) => {
                        stats.waiting.fetch_sub(1, Ordering::Relaxed);
                        if job.mode == Mode::Batch {
                            batch.push(job);
                        } else {
                            next = Some(job);
                            break;
                        }
                    }
                    Err(_) => break,
                }
            }
        }
        look_out(&conn, &mut seen_version, &scopes);
        let (jobs, mode) = (batch.len(), batch[0].mode);
        if run_batch(&mut conn, batch, mode, &scopes) {
            stats.batches.fetch_add(1, Ordering::Relaxed);
            stats.jobs.fetch_add(jobs as u64, Ordering::Relaxed);
            stats.largest.fetch_max(jobs, Ordering::Relaxed);
            tracing::debug!(jobs, "committed a batch");
        }
    }
}

pub fn data_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA data_version", [], |r| r.get(0))
}

/// `data_version` changes on this connection only when another connection committed: no other connection
/// of this handle writes, so that is another process, whose changes the triggers never saw.
fn look_out(conn: &Connection, seen: &mut Option<i64>, scopes: &Scopes) {
    let Ok(now) = data_version(conn) else { return };
    if seen.is_some_and(|v| v != now) {
        scopes.everything();
    }
    *seen = Some(now);
}

/// Runs the jobs in one transaction, commits it when the mode says so and a job succeeded, answers each
/// job; returns whether the transaction committed.
fn run_batch(conn: &mut Connection, batch: Vec<Job>, mode: Mode, scopes: &Scopes) -> bool {
    let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => {
            // Dropping the jobs drops their answers: each caller hears that the writer failed.
            tracing::error!(error = %e, jobs = batch.len(), "failed to begin a write transaction");
            return false;
        }
    };
    // A job alone in its transaction (the import) needs no savepoint: the transaction is its own.
    let savepoints = mode == Mode::Batch;
    // Answered Ok once the commit is on disk, with the reason when it is not.
    let mut done: Vec<Answer> = Vec::with_capacity(batch.len());
    // Jobs that failed or were refused carry their own error: they are answered when the transaction ends.
    let mut failed: Vec<Answer> = Vec::new();
    for job in batch {
        if savepoints && let Err(e) = tx.execute_batch("SAVEPOINT job") {
            return abort(tx, done, failed, format!("failed to open a savepoint: {e}"));
        }
        let ran = std::panic::catch_unwind(AssertUnwindSafe(|| (job.run)(&tx)));
        if tx.is_autocommit() {
            // SQLite rolled the whole transaction back itself (an I/O error, a full disk): the jobs before
            // this one are undone too.
            match ran {
                Ok(Ran { ok: true, answer }) => done.push(answer),
                Ok(Ran { answer, .. }) => failed.push(answer),
                Err(_) => {}
            }
            return abort(tx, done, failed, "the database rolled the transaction back".into());
        }
        match ran {
            Ok(Ran { ok: true, answer }) => {
                done.push(answer);
                if savepoints && let Err(e) = tx.execute_batch("RELEASE job") {
                    return abort(tx, done, failed, format!("failed to release a savepoint: {e}"));
                }
            }
            // A refusal, an error or a panic (whose answer went with it): undo this job only.
            other => {
                if let Ok(ran) = other {
                    failed.push(ran.answer);
                }
                if savepoints && let Err(e) = tx.execute_batch("ROLLBACK TO job; RELEASE job") {
                    return abort(tx, done, failed, format!("failed to roll back a savepoint: {e}"));
                }
            }
        }
    }
    let commit = mode != (Mode::Alone { commit: false }) && !done.is_empty();
    if !commit {
        // A dry run, or every job failed: nothing to keep, no fsync.
        drop(tx);
        done.into_iter().chain(failed).for_each(|a| a(Ok(())));
        return false;
    }
    let touched = match touched::take(&tx) {
        Ok(t) => t,
        Err(e) => return abort(tx, done, failed, format!("failed to read what changed: {e}")),
    };
    if let Err(e) = tx.commit() {
        // The transaction is rolled back as it drops.
        let why = format!("failed to commit: {e}");
        done.into_iter().for_each(|a| a(Err(why.clone())));
        failed.into_iter().for_each(|a| a(Ok(())));
        return false;
    }
    scopes.committed_then(&touched, || done.into_iter().chain(failed).for_each(|a| a(Ok(()))));
    true
}

/// Rolls the transaction back and answers every job: those that had succeeded with `why`.
fn abort(tx: Transaction<'_>, done: Vec<Answer>, failed: Vec<Answer>, why: String) -> bool {
    drop(tx);
    done.into_iter().for_each(|a| a(Err(why.clone())));
    failed.into_iter().for_each(|a| a(Ok(())));
    false
}
