//! Nothing acknowledged is lost: comments survive SIGKILL at a random moment, also those the writer
//! committed in batches (group commit), and `riposte backup` takes a consistent copy while the server keeps
//! taking writes.
//!
//! SQLite on both passes of the suite: these check SQLite's group commit, its file and its backup. Killing
//! a server on PostgreSQL is in `fleet.rs`.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rand::RngExt;
use riposte::Store;

use crate::helpers::process::{BIN, http, start_with};

const FAST: &str =
    "[rate_limits]\ncomments = { burst = 100000, every_ms = 1 }\nreads = { burst = 100000, every_ms = 1 }\n";

fn post(port: u16, text: &str) -> Option<i64> {
    let body = serde_json::json!({"site": "demo", "uri": "/crash/", "text": text}).to_string();
    match http(port, "POST", "/api/v1/comments", Some(&body)) {
        Ok((201 | 202, body)) => serde_json::from_str::<serde_json::Value>(&body).ok()?["comment"]["id"].as_i64(),
        _ => None,
    }
}

/// Posts from several threads until told to stop; returns the ids the server acknowledged.
fn writers(port: u16, n: usize, stop: Arc<AtomicBool>) -> Vec<std::thread::JoinHandle<Vec<(i64, String)>>> {
    (0..n)
        .map(|w| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut acked = Vec::new();
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    let text = format!("writer {w} comment {i}");
                    match post(port, &text) {
                        Some(id) => acked.push((id, text)),
                        None if stop.load(Ordering::Relaxed) => break,
                        // The server is gone (killed): nothing more will be acknowledged.
                        None => break,
                    }
                    i += 1;
                }
                acked
            })
        })
        .collect()
}

/// The binary on a free port with the writer's debug log on (one line per committed batch, with its number
/// of jobs), as a child process; its log is read to the end once it is killed.
struct Logged {
    child: std::process::Child,
    port: u16,
    log: std::thread::JoinHandle<String>,
}

fn start_logged(dir: &Path) -> Logged {
    let mut child = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--config"])
        .arg(dir.join("riposte.toml"))
        .arg("--database")
        .arg(dir.join("riposte.db"))
        .env_remove("RIPOSTE_CONFIG")
        .env("RUST_LOG", "warn,riposte::store::sqlite::writer=debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let log = std::thread::spawn(move || {
        let mut log = String::new();
        let _ = stderr.read_to_string(&mut log);
        log
    });
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = lines
        .find_map(|l| l.ok()?.strip_prefix("riposte listening on http://").map(str::to_owned))
        .expect("the server reports its address");
    // Keep reading stdout so that the pipe stays open.
    std::thread::spawn(move || lines.for_each(drop));
    let port = addr.trim().parse::<std::net::SocketAddr>().unwrap().port();
    Logged { child, port, log }
}

/// The job counts of the batches a writer's log reports.
fn batches(log: &str) -> Vec<usize> {
    log.lines()
        .filter(|l| l.contains("committed a batch"))
        .filter_map(|l| l.split("jobs=").nth(1)?.split_whitespace().next()?.parse().ok())
        .collect()
}

/// Opens the database file through the store, as the server does, and runs `check` on it, on a small
/// runtime of its own (the tests here are synchronous: writers and servers are threads and processes).
fn inspect<T>(database: &Path, check: impl AsyncFnOnce(Arc<dyn Store>) -> T) -> T {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = riposte::store::open(database).await.unwrap();
        check(store).await
    })
}

#[test]
fn acknowledged_comments_survive_sigkill_and_the_database_stays_intact() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("riposte.toml"), FAST).unwrap();
    let db = dir.path().join("riposte.db");
    let mut all_acked: Vec<(i64, String)> = Vec::new();
    let mut batched = Vec::new();
    let mut rng = rand::rng();
    for round in 0..4 {
        let mut server = start_logged(dir.path());
        let port = server.port;
        let stop = Arc::new(AtomicBool::new(false));
        // More writers than cores: while one batch is on its way to disk, the next one gathers.
        let handles = writers(port, 12, stop.clone());
        std::thread::sleep(Duration::from_millis(rng.random_range(150..700)));
        server.child.kill().unwrap(); // SIGKILL: no shutdown, no flush, mid-write
        server.child.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        let acked: Vec<(i64, String)> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
        assert!(
            !acked.is_empty(),
            "round {round}: nothing was acknowledged before the kill"
        );
        all_acked.extend(acked);
        batched.extend(batches(&server.log.join().unwrap()));

        // Restart on the same file: every acknowledged comment is there, with its text.
        let server = start_with(dir.path(), &db);
        let port = server.port;
        let stored: HashMap<i64, String> = inspect(&db, async |store| {
            if let Err(e) = store.check().await {
                panic!("round {round}: {e}");
            }
            let ids = all_acked.iter().map(|(id, _)| *id).collect();
            store
                .records(ids)
                .await
                .unwrap()
                .into_iter()
                .map(|c| (c.id, c.text))
                .collect()
        });
        for (id, text) in &all_acked {
            assert_eq!(
                stored.get(id).map(String::as_str),
                Some(text.as_str()),
                "round {round}: acknowledged comment {id} was lost"
            );
        }
        let (status, _) = http(port, "GET", "/api/v1/threads?site=demo&uri=/crash/&limit=1", None).unwrap();
        assert_eq!(status, 200);
    }
    // The rounds covered the batched path: some transactions held several comments.
    let shared = batched.iter().filter(|&&n| n > 1).count();
    assert!(shared > 0, "no batch held more than one write: {batched:?}");
    println!(
        "{} acknowledged comments checked after 4 SIGKILLs; {} batches, {shared} of them shared, the largest {}",
        all_acked.len(),
        batched.len(),
        batched.iter().max().unwrap_or(&0)
    );
}

#[test]
fn backup_takes_a_consistent_copy_under_writes_and_the_copy_serves_the_same_threads() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("riposte.toml"), FAST).unwrap();
    // SQLite on both passes: `riposte backup` copies a SQLite file (PostgreSQL has pg_dump).
    let db = dir.path().join("riposte.db");
    let server = start_with(dir.path(), &db);
    let port = server.port;
    for i in 0..50 {
        post(port, &format!("vorher {i}")).unwrap();
    }
    let stop = Arc::new(AtomicBool::new(false));
    let handles = writers(port, 2, stop.clone());
    std::thread::sleep(Duration::from_millis(100));
    let copy = dir.path().join("copy.db");
    let out = std::process::Command::new(BIN)
        .arg("backup")
        .arg(&copy)
        .arg("--database")
        .arg(&db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::thread::sleep(Duration::from_millis(100));
    stop.store(true, Ordering::Relaxed);
    let written: usize = handles.into_iter().map(|h| h.join().unwrap().len()).sum();
    assert!(written > 0, "the server took writes while the backup ran");

    let in_copy = inspect(&copy, async |store| {
        if let Err(e) = store.check().await {
            panic!("the copy: {e}");
        }
        store.totals().await.unwrap().comments
    });
    assert!(in_copy >= 50);

    // Restore = serve from the copy. Its thread is the original's thread as of the backup: the same
    // comments, in the same order, with the same content, up to the newest one the copy holds.
    let restored_dir = tempfile::tempdir().unwrap();
    std::fs::write(restored_dir.path().join("riposte.toml"), FAST).unwrap();
    let restored_server = start_with(restored_dir.path(), &copy);
    let thread = |port: u16| -> Vec<serde_json::Value> {
        let (status, body) = http(port, "GET", "/api/v1/threads?site=demo&uri=/crash/&limit=500", None).unwrap();
        assert_eq!(status, 200);
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["comments"]
            .as_array()
            .unwrap()
            .clone()
    };
    let restored = thread(restored_server.port);
    let original = thread(port);
    assert_eq!(restored.len() as i64, in_copy.min(500));
    assert_eq!(restored[..], original[..restored.len()]);
}
