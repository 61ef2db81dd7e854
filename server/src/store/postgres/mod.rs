//! The PostgreSQL backend: the same store as SQLite's, for several riposte servers sharing one database.
//! A pool of connections (deadpool-postgres, each with its statement cache) serves reads and writes;
//! the submodules hold async query functions over any [`GenericClient`] (a pooled connection or a
//! transaction), one file per aggregate as in `sqlite/`; `store.rs` puts them behind the
//! [`crate::store::Store`] trait, one transaction per use case.
//!
//! Writes keep SQLite's rule of one writer at a time, across every server: each write transaction first
//! takes one advisory lock ([`LOCK_WRITES`]) and holds it until it commits, so the use cases' read-then-
//! write steps (a thread's first comment, an idempotency key, the pinned limit) see what they decide on,
//! exactly as with SQLite's single writer. Reads take no lock and run side by side on every server.
//!
//! What each server keeps in memory stays right when another one writes: triggers on the tables that
//! public answers read notify `riposte_touched` at commit with the pages changed (`listen.rs` stamps them in
//! [`Scopes`], so every server's response cache and live streams move); the sites snapshot reloads from
//! `sites_version` as with SQLite; the outbox is claimed with `FOR UPDATE SKIP LOCKED`.

mod listen;
mod posting;
mod store;

mod audit;
mod bans;
mod comments;
mod copy;
mod create;
mod deliveries;
mod digests;
mod events;
mod export;
mod feed;
mod guards;
mod import;
mod moderators;
mod outbox;
mod pins;
mod privacy;
mod review;
mod settings;
mod sites;
mod spam;
mod subscriptions;
mod thread_pages;
mod threads;
mod votes;
mod webhooks;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::Context;
pub use deadpool_postgres::GenericClient;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::scopes::Scopes;
use super::{Result, StoreError};

/// Numbered, append-only migrations of this backend; the table `riposte_migrations` records which ran.
/// PostgreSQL's series starts at the schema SQLite reached with its tenth migration.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_init",
        include_str!("../../../../migrations/postgres/0001_init.sql"),
    ),
    (
        "0002_one_comment_trigger",
        include_str!("../../../../migrations/postgres/0002_one_comment_trigger.sql"),
    ),
    (
        "0003_insert_statement_trigger",
        include_str!("../../../../migrations/postgres/0003_insert_statement_trigger.sql"),
    ),
];

/// The advisory lock every write transaction holds until it ends: one writer at a time across all servers.
const LOCK_WRITES: &str = "SELECT pg_advisory_xact_lock(7596857829470611001)";
/// The advisory lock held while migrating, so that servers starting at once apply each migration once.
const LOCK_MIGRATIONS: i64 = 7596857829470611002;

/// Connections per server at most (reads and writes together; writes wait for each other on the lock). More
/// connections than PostgreSQL's cores only add processes competing for them: on the 2-core benchmark
/// machine posting ran 18% faster with 6 than with 16 (bench/RESULTS.md, "Issue 14"); 8 leaves room for
/// an import or export holding one while posting and reads hold theirs.
const POOL_SIZE: usize = 8;

/// A query parameter list.
pub(super) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        Self::Failed(anyhow::Error::new(e).context("database query failed"))
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        Self::Failed(anyhow::Error::new(e).context("no database connection"))
    }
}

/// Whether `database` names a PostgreSQL database (`postgres://` or `postgresql://`) rather than a file.
pub fn is_url(database: &str) -> bool {
    database.starts_with("postgres://") || database.starts_with("postgresql://")
}

/// The URL without its password, for logs and messages.
pub fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("<redacted>"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "<a PostgreSQL URL that does not parse>".into(),
    }
}

pub struct PgStore {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    scopes: Arc<Scopes>,
    listener: Arc<listen::Listener>,
    /// Whether mail is delivered: changes queue mail only then ([`crate::store::Store::set_channels`]).
    mail: AtomicBool,
    /// Visitors' new comments, committed in batches (`posting.rs`), and the count of those batches.
    posts: tokio::sync::mpsc::Sender<posting::Post>,
    batches: Arc<posting::Counts>,
}

/// TLS for connections that ask for it (`sslmode=require` in the URL; `prefer`, the default, uses it
/// when the server offers it): rustls on ring with the webpki roots, as for SMTP and webhooks.
fn tls() -> anyhow::Result<tokio_postgres_rustls::MakeRustlsConnect> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

impl PgStore {
    /// Connects to the database at `url` and applies the migrations it lacks.
    pub async fn open(url: &str) -> anyhow::Result<Self> {
        let config: tokio_postgres::Config = url
            .parse()
            .with_context(|| format!("not a PostgreSQL URL: {}", redacted(url)))?;
        let tls = tls()?;
        let manager = Manager::from_config(
            config.clone(),
            tls.clone(),
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .context("failed to set up the connection pool")?;
        {
            let mut client = pool
                .get()
                .await
                .with_context(|| format!("cannot connect to {}", redacted(url)))?;
            migrate(&mut client).await.context("failed to migrate the database")?;
        }
        let scopes = Arc::new(Scopes::default());
        let listener = listen::Listener::start(config, tls, scopes.clone())
            .await
            .context("failed to listen for other servers' changes")?;
        let batches = Arc::new(posting::Counts::default());
        let posts = posting::start(pool.clone(), listener.clone(), batches.clone());
        Ok(Self {
            inner: Arc::new(Inner {
                pool,
                scopes,
                listener,
                mail: AtomicBool::new(false),
                posts,
                batches,
            }),
        })
    }

    /// A pooled connection, for reads and for [`writing!`].
    async fn client(&self) -> Result<deadpool_postgres::Client> {
        Ok(self.inner.pool.get().await?)
    }

    /// Commits a write transaction ([`commit`]).
    async fn commit(&self, tx: deadpool_postgres::Transaction<'_>, seen: bool) -> Result<()> {
        commit(&self.inner.listener, tx, seen).await
    }

    fn mail(&self) -> bool {
        self.inner.mail.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Commits a write transaction; once this returns, this server's scopes have moved for everything the
/// transaction changed (its notifications came back through the listener), so a read that follows finds
/// no stale cached answer. `seen: false` for writes no public answer reads: they skip that wait.
async fn commit(listener: &listen::Listener, tx: deadpool_postgres::Transaction<'_>, seen: bool) -> Result<()> {
    if !seen {
        tx.commit().await?;
        return Ok(());
    }
    let (statement, echo) = listener.sync();
    tx.batch_execute(&statement).await?;
    tx.commit().await?;
    listener.wait(echo).await;
    Ok(())
}

/// Runs `$body` with `$c` a pooled connection (a read).
macro_rules! reading {
    ($store:expr, |$c:ident| $body:expr) => {{
        let client = $store.client().await?;
        let $c = &client;
        let value: $crate::store::Result<_> = async { $body }.await;
        value
    }};
}

/// Runs `$body` with `$tx` a transaction that holds the write lock, committed when `$body` succeeds and
/// rolled back (by dropping it) when it fails. `writing!(unseen: ...)` for writes to tables no public answer
/// reads (the outbox, subscriptions, webhooks): they skip waiting for their own notification.
macro_rules! writing {
    ($store:expr, |$tx:ident| $body:expr) => {
        writing!(@run $store, true, |$tx| $body)
    };
    (unseen: $store:expr, |$tx:ident| $body:expr) => {
        writing!(@run $store, false, |$tx| $body)
    };
    (@run $store:expr, $seen:expr, |$tx:ident| $body:expr) => {{
        let mut client = $store.client().await?;
        let transaction = client.transaction().await.map_err($crate::store::StoreError::from)?;
        transaction.batch_execute(super::LOCK_WRITES).await?;
        let value: $crate::store::Result<_> = {
            let $tx = &transaction;
            async { $body }.await
        };
        match value {
            Ok(v) => $store.commit(transaction, $seen).await.map(|()| v),
            Err(e) => Err(e),
        }
    }};
}
pub(super) use {reading, writing};

/// Applies the migrations not yet recorded, each in its own transaction, under an advisory lock so that
/// servers starting at once never both apply one.
async fn migrate(client: &mut deadpool_postgres::Client) -> anyhow::Result<()> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&LOCK_MIGRATIONS])
        .await?;
    let result = apply(client).await;
    let unlocked = client
        .execute("SELECT pg_advisory_unlock($1)", &[&LOCK_MIGRATIONS])
        .await;
    result?;
    unlocked?;
    Ok(())
}

async fn apply(client: &mut deadpool_postgres::Client) -> anyhow::Result<()> {
    // Asked first rather than `IF NOT EXISTS`, whose notice the client would log at every start.
    let exists: bool = client
        .query_one("SELECT to_regclass('riposte_migrations') IS NOT NULL", &[])
        .await?
        .get(0);
    if !exists {
        client
            .batch_execute(
                "CREATE TABLE riposte_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied BIGINT NOT NULL)",
            )
            .await?;
    }
    let done = applied(client).await?;
    if done > MIGRATIONS.len() as i64 {
        anyhow::bail!(
            "the database was migrated by a newer riposte ({done} migrations, this build knows {})",
            MIGRATIONS.len()
        );
    }
    for (i, (name, sql)) in MIGRATIONS.iter().enumerate().skip(done.max(0) as usize) {
        let tx = client.transaction().await?;
        tx.batch_execute(sql)
            .await
            .with_context(|| format!("migration {name} failed"))?;
        tx.execute(
            "INSERT INTO riposte_migrations (version, name, applied) VALUES ($1, $2, $3)",
            &[&(i as i64 + 1), name, &crate::domain::time::now_ms()],
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

/// How many migrations the database has had.
async fn applied(c: &tokio_postgres::Client) -> std::result::Result<i64, tokio_postgres::Error> {
    c.query_one("SELECT coalesce(max(version), 0)::BIGINT FROM riposte_migrations", &[])
        .await
        .map(|r| r.get(0))
}

/// Rows per table.
async fn totals(c: &impl GenericClient) -> Result<super::Totals> {
    let r = one(
        c,
        "SELECT (SELECT count(*) FROM sites), (SELECT count(*) FROM threads), (SELECT count(*) FROM comments),
                (SELECT count(*) FROM votes), (SELECT count(*) FROM moderators), (SELECT count(*) FROM sessions),
                (SELECT count(*) FROM bans), (SELECT count(*) FROM audit)",
        &[],
    )
    .await?;
    Ok(super::Totals {
        sites: r.get(0),
        threads: r.get(1),
        comments: r.get(2),
        votes: r.get(3),
        moderators: r.get(4),
        sessions: r.get(5),
        bans: r.get(6),
        audit: r.get(7),
    })
}

// Query helpers: every statement through the connection's statement cache (one parse per connection).

/// Every row of a query.
pub(super) async fn rows(c: &impl GenericClient, sql: &str, params: Params<'_>) -> Result<Vec<Row>> {
    let statement = c.prepare_cached(sql).await?;
    Ok(c.query(&statement, params).await?)
}

/// The one row of a query; an error when there is none.
pub(super) async fn one(c: &impl GenericClient, sql: &str, params: Params<'_>) -> Result<Row> {
    let statement = c.prepare_cached(sql).await?;
    Ok(c.query_one(&statement, params).await?)
}

/// The row of a query, if there is one (an error when there are several).
pub(super) async fn opt(c: &impl GenericClient, sql: &str, params: Params<'_>) -> Result<Option<Row>> {
    let statement = c.prepare_cached(sql).await?;
    Ok(c.query_opt(&statement, params).await?)
}

/// Runs a statement; how many rows it changed.
pub(super) async fn exec(c: &impl GenericClient, sql: &str, params: Params<'_>) -> Result<u64> {
    let statement = c.prepare_cached(sql).await?;
    Ok(c.execute(&statement, params).await?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_numbered_in_order_and_match_files() {
        crate::store::migrations::assert_migrations_match_files("postgres", super::MIGRATIONS);
    }
}
