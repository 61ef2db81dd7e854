//! The database of a test server: a SQLite file in the test's directory, or, when the suite runs against
//! PostgreSQL (`RIPOSTE_TEST_POSTGRES=postgres://USER@HOST:PORT/postgres`, set by `tests/run`), a new
//! database of its own on that cluster, dropped again with the test.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The cluster the suite runs against, if any.
pub fn postgres() -> Option<String> {
    std::env::var("RIPOSTE_TEST_POSTGRES").ok().filter(|u| !u.is_empty())
}

/// The cluster of the tests that need PostgreSQL whatever the suite's backend (the fleet tests):
/// `RIPOSTE_TEST_CLUSTER` (tests/run sets it for both passes) or `RIPOSTE_TEST_POSTGRES`. Fails the test
/// when neither is set: such a test never passes by skipping.
pub fn cluster() -> String {
    std::env::var("RIPOSTE_TEST_CLUSTER")
        .ok()
        .filter(|u| !u.is_empty())
        .or_else(postgres)
        .expect("this test needs PostgreSQL: set RIPOSTE_TEST_CLUSTER=postgres://USER@HOST:PORT/postgres (tests/run starts one with tests/postgres)")
}

/// A database for one test server; a PostgreSQL one is dropped when this is.
pub struct TestDb {
    /// What `--database` / `Config::database` takes: the file, or the database's URL.
    pub path: PathBuf,
    dropped: Option<(String, String)>,
}

impl TestDb {
    /// `dir/riposte.db`, or a fresh PostgreSQL database when the suite runs against one.
    pub fn new(dir: &Path) -> Self {
        match postgres() {
            Some(cluster) => Self::postgres(&cluster),
            None => Self {
                path: dir.join("riposte.db"),
                dropped: None,
            },
        }
    }

    /// A fresh database on the cluster at `cluster` (the URL of a database to connect to for that).
    pub fn postgres(cluster: &str) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "t{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            rand_suffix()
        );
        admin(cluster, &format!("CREATE DATABASE {name}"));
        let (base, _) = cluster.rsplit_once('/').expect("a PostgreSQL URL ends in /DATABASE");
        Self {
            path: PathBuf::from(format!("{base}/{name}")),
            dropped: Some((cluster.to_owned(), name)),
        }
    }
}

impl TestDb {
    pub fn is_postgres(&self) -> bool {
        self.dropped.is_some()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((cluster, name)) = self.dropped.take() {
            admin(&cluster, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// Runs `sql` on the database a test server uses, behind the server's back (to stage what a newer build
/// or a damaged row would leave): rusqlite on a file, a connection of its own on PostgreSQL.
pub fn execute(database: &Path, sql: &str) {
    match database.to_str().filter(|d| d.starts_with("postgres://")) {
        Some(url) => admin(url, sql),
        None => rusqlite::Connection::open(database)
            .unwrap()
            .execute_batch(sql)
            .unwrap(),
    }
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
    );
    h.finish() % 1_000_000
}

/// Runs one statement on the cluster from a thread of its own (callers may be inside a runtime).
fn admin(cluster: &str, sql: &str) {
    let (cluster, sql) = (cluster.to_owned(), sql.to_owned());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let (client, connection) = tokio_postgres::connect(&cluster, tokio_postgres::NoTls)
                .await
                .unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL at {cluster}: {e}"));
            tokio::spawn(connection);
            client
                .batch_execute(&sql)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        });
    })
    .join()
    .unwrap();
}
