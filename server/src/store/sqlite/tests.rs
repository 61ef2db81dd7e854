//! The backend as a whole: migrations, concurrent openers, backups, the writer's batches and what it
//! tells the response cache.

use super::*;

#[test]
fn migrations_are_numbered_in_order_and_match_files() {
    crate::store::migrations::assert_migrations_match_files("sqlite", MIGRATIONS);
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
fn two_openers_of_a_fresh_database_apply_each_migration_once() {
    for _ in 0..10 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("race.db");
        let start = std::sync::Barrier::new(2);
        std::thread::scope(|s| {
            let openers: Vec<_> = (0..2)
                .map(|_| {
                    s.spawn(|| {
                        start.wait();
                        SqliteStore::open(&path).map(drop)
                    })
                })
                .collect();
            for o in openers {
                // A migration applied twice fails ("table ... already exists").
                o.join().unwrap().unwrap();
            }
        });
        let conn = Connection::open(&path).unwrap();
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
    }
}

#[test]
fn a_backup_of_a_database_that_stays_locked_gives_up_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("locked.db");
    let target = dir.path().join("copy.db");
    // A rollback-journal database with a writer that never lets go (in WAL mode readers never wait).
    let holder = Connection::open(&source).unwrap();
    holder
        .execute_batch("CREATE TABLE t (x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1);")
        .unwrap();
    let err = backup_trying(&source, &target, 2).unwrap_err().to_string();
    assert!(err.contains("stayed locked"), "{err}");
    assert!(!target.exists());
    assert!(!target.with_extension("partial").exists());
    holder.execute_batch("COMMIT").unwrap();
    backup_trying(&source, &target, 2).unwrap();
    let n: i64 = Connection::open(&target)
        .unwrap()
        .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn migrating_twice_is_a_no_op() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    drop(SqliteStore::open(&path).unwrap());
    let store = SqliteStore::open(&path).unwrap();
    let reader = store.inner.readers.conn(0);
    let version: i64 = reader.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(version, MIGRATIONS.len() as i64);
}

mod writes {
    use std::sync::Arc;

    use super::*;
    use crate::domain::comment::{Commenter, NewComment};
    use crate::domain::{CommentText, PageUri, Site, SiteId};
    use crate::store::Store;

    fn opened() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        (dir, store)
    }

    fn site_named(id: &str) -> Site {
        Site {
            pow: crate::domain::pow::Pow::Off,
            ..Site::new(&SiteId::parse(id).unwrap())
        }
    }

    fn site() -> Arc<Site> {
        Arc::new(site_named("s"))
    }

    fn comment(uri: &str, parent: Option<i64>, text: &str) -> NewComment {
        NewComment {
            site: SiteId::parse("s").unwrap(),
            uri: PageUri::parse(uri).unwrap(),
            title: None,
            parent,
            author: None,
            email: None,
            website: None,
            text: CommentText::parse(text).unwrap(),
            html: format!("<p>{text}</p>"),
            notify: None,
        }
    }

    fn by() -> Commenter {
        Commenter {
            ip_hashes: ["a".into(), "b".into()],
            avatar: "a".into(),
        }
    }

    /// Holds the writer in a job of its own until the returned sender is dropped or sent to, so that the
    /// writes sent meanwhile wait in the queue together.
    async fn hold_writer(store: &Arc<SqliteStore>) -> (std::sync::mpsc::Sender<()>, tokio::task::JoinHandle<()>) {
        let (release, held) = std::sync::mpsc::channel::<()>();
        let (started, running) = tokio::sync::oneshot::channel();
        let s = store.clone();
        let task = tokio::spawn(async move {
            s.write(move |_tx| {
                let _ = started.send(());
                let _ = held.recv();
                Ok(())
            })
            .await
            .unwrap()
        });
        running.await.unwrap();
        (release, task)
    }

    async fn queued(store: &SqliteStore, n: usize) {
        while store.inner.stats.waiting.load(Ordering::Relaxed) < n as isize {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writes_waiting_together_commit_in_one_batch_and_a_refused_one_fails_alone() {
        let (_dir, store) = opened();
        let store = Arc::new(store);
        store.save_site((*site()).clone(), None, 0).await.unwrap();
        // The site's batch is counted just after its answer: wait for the count before taking it.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while store.inner.stats.batches.load(Ordering::Relaxed) < 1 && std::time::Instant::now() < deadline {
            tokio::task::yield_now().await;
        }
        let (release, holder) = hold_writer(&store).await;
        let batches = store.inner.stats.batches.load(Ordering::Relaxed);
        let posts: Vec<_> = (0..20)
            .map(|i| {
                let s = store.clone();
                // The eleventh replies to a comment that does not exist: refused, in the middle of the batch.
                let parent = (i == 10).then_some(999_999);
                tokio::spawn(async move {
                    s.create_comment(
                        site(),
                        comment("/p/", parent, &format!("c{i}")),
                        by(),
                        Default::default(),
                        1,
                    )
                    .await
                })
            })
            .collect();
        queued(&store, 20).await;
        drop(release);
        holder.await.unwrap();
        let mut ids = Vec::new();
        for (i, post) in posts.into_iter().enumerate() {
            match post.await.unwrap() {
                Ok(created) => ids.push(created.comment.id),
                Err(crate::store::StoreError::Refused(e)) if i == 10 => assert_eq!(e.field, "parent"),
                other => panic!("post {i}: {:?}", other.map(|c| c.comment.id)),
            }
        }
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 19, "each acknowledged with its own id");
        assert_eq!(store.totals().await.unwrap().comments, 19);
        // The holder's batch, then one batch of the twenty. The writer counts a batch after answering its
        // writes, so the count may trail the answers for a moment.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while store.inner.stats.batches.load(Ordering::Relaxed) < batches + 2 && std::time::Instant::now() < deadline {
            tokio::task::yield_now().await;
        }
        assert_eq!(store.inner.stats.batches.load(Ordering::Relaxed), batches + 2);
        assert_eq!(store.inner.stats.largest.load(Ordering::Relaxed), 20);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_commit_fails_every_write_of_its_batch() {
        let (_dir, store) = opened();
        let store = Arc::new(store);
        let (release, holder) = hold_writer(&store).await;
        let good: Vec<_> = (0..5)
            .map(|i| {
                let s = store.clone();
                tokio::spawn(async move { s.write(move |tx| Ok(settings::set(tx, &format!("k{i}"), "v")?)).await })
            })
            .collect();
        // A deferred foreign key passes its statement and fails the COMMIT of the whole batch.
        let s = store.clone();
        let breaker = tokio::spawn(async move {
            s.write(|tx| {
                tx.execute_batch(
                    "PRAGMA defer_foreign_keys = ON; INSERT INTO votes (comment_id, voter, value) VALUES (424242, 'x', 1);",
                )?;
                Ok(())
            })
            .await
        });
        queued(&store, 6).await;
        drop(release);
        holder.await.unwrap();
        for g in good {
            let err = g.await.unwrap().unwrap_err().to_string();
            assert!(err.contains("failed to commit"), "{err}");
        }
        assert!(breaker.await.unwrap().is_err());
        let kept = "SELECT count(*) FROM settings WHERE key LIKE 'k%'";
        let kept: i64 = store
            .read(move |c| Ok(c.query_row(kept, [], |r| r.get(0))?))
            .await
            .unwrap();
        assert_eq!(kept, 0);
        // The writer goes on.
        store.write(|tx| Ok(settings::set(tx, "after", "v")?)).await.unwrap();
    }

    #[tokio::test]
    async fn a_write_moves_its_page_and_site_and_nothing_else() {
        let (_dir, store) = opened();
        for id in ["s", "t"] {
            store
                .save_site(Site::new(&SiteId::parse(id).unwrap()), None, 0)
                .await
                .unwrap();
        }
        let (a, b, t) = (
            store.thread_generation("s", "/a/"),
            store.thread_generation("s", "/b/"),
            store.site_generation("t"),
        );
        let site_s = store.site_generation("s");
        store
            .create_comment(site(), comment("/a/", None, "x"), by(), Default::default(), 1)
            .await
            .unwrap();
        assert!(store.thread_generation("s", "/a/") > a);
        assert!(store.site_generation("s") > site_s);
        assert_eq!(store.thread_generation("s", "/b/"), b);
        assert_eq!(store.site_generation("t"), t);
        // A write no public answer shows moves nothing.
        let (a, s) = (store.thread_generation("s", "/a/"), store.site_generation("s"));
        store.write_unseen(|tx| Ok(settings::set(tx, "k", "v")?)).await.unwrap();
        store.write(|tx| Ok(settings::set(tx, "k", "w")?)).await.unwrap();
        assert_eq!(
            (store.thread_generation("s", "/a/"), store.site_generation("s")),
            (a, s)
        );
        // A refused write moves nothing either: its rows, and the triggers' notes of them, are undone.
        assert!(
            store
                .create_comment(site(), comment("/b/", Some(999), "x"), by(), Default::default(), 1)
                .await
                .is_err()
        );
        assert_eq!(store.thread_generation("s", "/b/"), b);
    }

    #[tokio::test]
    async fn another_writer_of_the_file_moves_everything() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let store = SqliteStore::open(&path).unwrap();
        let before = store.thread_generation("s", "/a/");
        // Another handle is another connection, as the command line's would be.
        let other = SqliteStore::open(&path).unwrap();
        other.write(|tx| Ok(settings::set(tx, "k", "v")?)).await.unwrap();
        // The next batch of this handle looks first.
        store.write(|tx| Ok(settings::set(tx, "l", "v")?)).await.unwrap();
        assert!(store.thread_generation("s", "/a/") > before);
    }

    #[test]
    fn the_stamps_stay_bounded_and_starting_over_moves_everything() {
        let scopes = touched::Scopes::default();
        let mut last = 0;
        for i in 0..60_000 {
            scopes.committed(&touched::Touched {
                pages: vec![("s".into(), format!("/{i}/"))],
                everything: false,
            });
            assert!(scopes.stamped() <= 50_000);
            let now = scopes.page("s", &format!("/{i}/"));
            assert!(now > last, "page {i}");
            last = now;
        }
        // Every page is at least as new as the last start-over; an unstamped one too.
        assert!(scopes.page("s", "/never/") > 0);
        assert!(scopes.page("s", "/0/") >= scopes.page("s", "/never/"));
    }
}
