//! Group commit for posting on PostgreSQL: visitors' new comments that queue while a batch runs share the
//! next one, as they do on SQLite's writer. One task per server takes every comment waiting, opens one
//! transaction under the write lock ([`super::LOCK_WRITES`]), checks every post in it side by side, so
//! their statements travel pipelined on one connection, and stores all their rows in one statement
//! (`create.rs`): the batch pays one lock, one insert, one commit (one WAL flush) and one echo of its
//! notifications instead of one each. Every comment is answered only after the commit.
//!
//! A batch commits only when every comment in it succeeded. When one fails (a refused reply, a used
//! challenge, a database error), the batch is rolled back and each of its comments runs again alone, in a
//! transaction of its own: the failing one gets its own answer and the others are stored as if they had
//! never met it. Posts in one batch are checked before any of their rows is stored, so none reads what
//! another of the batch writes; where that could change a decision it is made up for: a second post with
//! the same `Idempotency-Key` or the same e-mail address waits for the next batch ([`Post::keys`]), and
//! the adaptive proof of work counts the batch's earlier posts ([`Earlier`]).
//!
//! Round trips cost a post more than the disk: a batch's transaction begins with the lock in one message
//! and ends with its notification and COMMIT in another. One batch is under way at a time ([`IN_FLIGHT`]):
//! a second one sent ahead to wait for the lock saves a round trip, but it splits the posts waiting in two
//! smaller batches, and the batch's size is what pays for the commit. Only new comments take this path
//! (they are what arrives in numbers); every other write keeps its own transaction (`writing!`), under the
//! same lock.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use deadpool_postgres::Pool;
use tokio::sync::{Semaphore, mpsc, oneshot};

use futures_util::future::join_all;

use super::GenericClient;
use super::create::{self, Checked, Row};
use super::guards::Earlier;
use super::listen::{Echo, Listener};
use super::outbox::Noticed;
use crate::domain::Site;
use crate::domain::comment::{Comment, Commenter, Created, Guard, NewComment};
use crate::store::{Batches, Result, StoreError};

/// A batch's first round trip: its transaction, and the write lock ([`super::LOCK_WRITES`]).
const BEGIN_LOCKED: &str = "BEGIN; SELECT pg_advisory_xact_lock(7596857829470611001)";

/// Comments in one batch at most: a bound on the transaction, not a target (a batch takes what waits).
const MAX_BATCH: usize = 64;
/// Batches under way at once. With two, the next waited for the lock with its statements already sent,
/// but 64 posting connections then made batches of 20 posts instead of 31, and one server posted 4-41%
/// less (a quarter at the median) in five interleaved runs of `bench/fleet.py --posting-only`
/// (bench/RESULTS.md, "Issue 14, round three").
const IN_FLIGHT: usize = 1;
/// Comments waiting for a batch at most; a post beyond waits to be queued.
const QUEUE: usize = 1024;

/// One visitor's comment, with where to send its answer.
pub struct Post {
    pub site: Arc<Site>,
    pub comment: NewComment,
    pub by: Commenter,
    pub guard: Guard,
    pub now: i64,
    pub mail: bool,
    pub answer: oneshot::Sender<Result<Created>>,
}

impl Post {
    /// What no other comment of its batch may carry: its idempotency key (a repeat must see the first
    /// comment stored), and its e-mail address (a subscription the first one confirms decides whether the
    /// second is held for moderation).
    fn keys(&self) -> impl Iterator<Item = (&'static str, String, String)> + '_ {
        let site = self.comment.site.as_str();
        let key = self
            .guard
            .idempotency_key
            .as_ref()
            .map(|k| ("key", site.to_owned(), k.clone()));
        let email = self
            .comment
            .email
            .as_ref()
            .map(|e| ("email", site.to_owned(), e.as_str().to_lowercase()));
        key.into_iter().chain(email)
    }

    async fn check<'a>(&'a self, tx: &impl GenericClient, earlier: Earlier) -> Result<Checked<'a>> {
        create::check(tx, &self.site, &self.comment, &self.by, &self.guard, earlier, self.now).await
    }

    async fn finish(&self, tx: &impl GenericClient, returning: bool, stored: Stored) -> Result<Created> {
        create::finish(tx, self.mail, &self.comment, &self.guard, returning, stored, self.now).await
    }
}

/// A comment as [`create::insert`] stored it.
type Stored = (Comment, Noticed);

/// Batches committed and the posts they held, since the start.
#[derive(Default)]
pub struct Counts {
    batches: AtomicU64,
    posts: AtomicU64,
}

impl Counts {
    pub fn read(&self) -> Batches {
        Batches {
            batches: self.batches.load(Ordering::Relaxed),
            writes: self.posts.load(Ordering::Relaxed),
        }
    }

    fn committed(&self, posts: usize) {
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.posts.fetch_add(posts as u64, Ordering::Relaxed);
        tracing::debug!(posts, "committed a batch of posts");
    }
}

/// The queue that posting feeds; its task ends when the queue's last sender (the store) is gone.
pub fn start(pool: Pool, listener: Arc<Listener>, counts: Arc<Counts>) -> mpsc::Sender<Post> {
    let (queue, waiting) = mpsc::channel(QUEUE);
    tokio::spawn(run(pool, listener, counts, waiting));
    queue
}

async fn run(pool: Pool, listener: Arc<Listener>, counts: Arc<Counts>, mut waiting: mpsc::Receiver<Post>) {
    let mut held = VecDeque::new();
    let lanes = Arc::new(Semaphore::new(IN_FLIGHT));
    loop {
        let Ok(lane) = lanes.clone().acquire_owned().await else {
            return;
        };
        let first = match held.pop_front() {
            Some(post) => post,
            None => match waiting.recv().await {
                Some(post) => post,
                None => return,
            },
        };
        let batch = gather(first, &mut held, &mut waiting);
        let (pool, listener, counts) = (pool.clone(), listener.clone(), counts.clone());
        tokio::spawn(async move {
            together(&pool, &listener, &counts, batch).await;
            drop(lane);
        });
    }
}

/// `first` and what waits behind it, up to [`MAX_BATCH`]; a post with a key ([`Post::keys`]) already in
/// the batch waits in `held` for the next one, in its order.
fn gather(first: Post, held: &mut VecDeque<Post>, waiting: &mut mpsc::Receiver<Post>) -> Vec<Post> {
    let mut keys: HashSet<_> = first.keys().collect();
    let mut batch = vec![first];
    let mut later = VecDeque::new();
    while batch.len() < MAX_BATCH {
        let Some(post) = held.pop_front().or_else(|| waiting.try_recv().ok()) else {
            break;
        };
        let mine: Vec<_> = post.keys().collect();
        if mine.iter().all(|key| !keys.contains(key)) {
            keys.extend(mine);
            batch.push(post);
        } else {
            later.push_back(post);
        }
    }
    later.append(held);
    *held = later;
    batch
}

/// Runs a batch in one transaction; when any of it fails, each post again alone. Once the batch has
/// committed, its answers wait for the echo of its notifications in a task of their own, so that the next
/// batch takes the lock meanwhile.
async fn together(pool: &Pool, listener: &Arc<Listener>, counts: &Counts, batch: Vec<Post>) {
    let client = match pool.get().await {
        Ok(client) => client,
        Err(e) => return fail(batch, &StoreError::from(e)),
    };
    let outcome = run_batch(&client, listener, &batch).await;
    // Short of its commit the transaction ends here, whatever state it is in (a failed statement leaves
    // it aborted); a connection that cannot roll back does not go back to the pool.
    if !matches!(outcome, Ok(Failed::No(_))) && client.batch_execute("ROLLBACK").await.is_err() {
        let _ = deadpool_postgres::Object::take(client);
    } else {
        drop(client);
    }
    match outcome {
        Ok(Failed::No((created, echo))) => {
            counts.committed(batch.len());
            let listener = listener.clone();
            tokio::spawn(async move {
                listener.wait(echo).await;
                for (post, created) in batch.into_iter().zip(created) {
                    let _ = post.answer.send(Ok(created));
                }
            });
        }
        Ok(Failed::Alone(e)) => {
            let post = batch.into_iter().next().expect("a batch of one");
            let _ = post.answer.send(Err(e));
        }
        Ok(Failed::Together) => {
            for post in batch {
                let created = alone(pool, listener, &post).await;
                let _ = post.answer.send(created);
            }
        }
        // The lock, the commit or the connection failed: the whole batch did, as on SQLite.
        Err(e) => fail(batch, &e),
    }
}

/// The batch's transaction on `client`, begun with the lock and committed with the notification of its
/// end in one round trip each (the transaction is managed by hand for that, so every way out that does
/// not commit must roll it back: [`together`] does). In it, every post is checked, then every new row is
/// stored in one statement, then what follows from each row is written ([`create`]).
async fn run_batch(
    client: &deadpool_postgres::Client,
    listener: &Listener,
    batch: &[Post],
) -> Result<Failed<(Vec<Created>, Echo)>> {
    // Pipelined: the posts' statements are sent behind the lock and run the moment it is granted (a
    // connection's requests run in the order they were sent, and `join` polls, so sends, `begin` first).
    let begin = client.batch_execute(BEGIN_LOCKED);
    let checks = batch
        .iter()
        .zip(earlier(batch))
        .map(|(post, earlier)| post.check(client, earlier));
    let (begun, checked) = futures_util::future::join(begin, join_all(checks)).await;
    begun?;
    let checked = match checked.into_iter().collect::<Result<Vec<_>>>() {
        Ok(checked) => checked,
        Err(e) => return Ok(failed(batch.len(), e)),
    };
    let rows: Vec<&Row> = checked.iter().filter_map(Checked::row).collect();
    let stored = match rows.is_empty() {
        true => Vec::new(),
        false => match create::insert(client, &rows).await {
            Ok(stored) => stored,
            Err(e) => return Ok(failed(batch.len(), e)),
        },
    };
    let mut stored = stored.into_iter();
    let finishes = batch.iter().zip(checked).map(|(post, checked)| {
        let row = matches!(checked, Checked::Ready(_)).then(|| stored.next()).flatten();
        async move {
            match (checked, row) {
                (Checked::Repeated(first), _) => Ok(first),
                (Checked::Ready(ready), Some(row)) => post.finish(client, ready.returning, row).await,
                (Checked::Ready(_), None) => Err(StoreError::Failed(anyhow::anyhow!("a checked post was not stored"))),
            }
        }
    });
    let created = match join_all(finishes).await.into_iter().collect::<Result<Vec<_>>>() {
        Ok(created) => created,
        Err(e) => return Ok(failed(batch.len(), e)),
    };
    let (statement, echo) = listener.sync();
    client.batch_execute(&format!("{statement}; COMMIT")).await?;
    Ok(Failed::No((created, echo)))
}

/// What each post's proof-of-work pace cannot read of the posts before it in its batch ([`Earlier`]):
/// their rows are stored after every post is checked.
fn earlier(batch: &[Post]) -> Vec<Earlier> {
    let counted = |post: &Post, before: &[Post]| Earlier {
        by_site: before
            .iter()
            .filter(|b| b.comment.site.as_str() == post.comment.site.as_str())
            .count() as i64,
        by_address: before
            .iter()
            .filter(|b| post.by.ip_hashes.contains(&b.by.ip_hashes[0]))
            .count() as i64,
    };
    (0..batch.len()).map(|k| counted(&batch[k], &batch[..k])).collect()
}

/// How a batch of `posts` goes on after a step failed with `e`: a post alone has had its answer (the
/// same run again would give it again); of several, each runs again alone.
fn failed<T>(posts: usize, e: StoreError) -> Failed<T> {
    match posts {
        1 => Failed::Alone(e),
        _ => Failed::Together,
    }
}

/// Answers every post of a batch that failed as a whole.
fn fail(batch: Vec<Post>, e: &StoreError) {
    let cause = format!("{e}");
    for post in batch {
        let _ = post
            .answer
            .send(Err(StoreError::Failed(anyhow::anyhow!("the batch failed: {cause}"))));
    }
}

/// How a batch went: committed, or rolled back because a post failed.
enum Failed<T> {
    No(T),
    /// The batch's one post failed, with this error.
    Alone(StoreError),
    /// A post of several failed: each runs again alone.
    Together,
}

/// One post in a transaction of its own.
async fn alone(pool: &Pool, listener: &Listener, post: &Post) -> Result<Created> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.batch_execute(super::LOCK_WRITES).await?;
    let created = create::create(
        &tx,
        post.mail,
        &post.site,
        &post.comment,
        &post.by,
        &post.guard,
        post.now,
    )
    .await?;
    super::commit(listener, tx, true).await?;
    Ok(created)
}
