//! The backend as a whole: migrations, concurrent openers, backups.

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
    let version: i64 = lock(&store.inner.readers[0])
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, MIGRATIONS.len() as i64);
}
