//! The shape docs/architecture.md promises, checked on the source: imports run downward only, `api` and
//! `admin` never import each other, SQL and rusqlite live only in the SQLite backend, and a long file says
//! why it is long.

use std::path::{Path, PathBuf};

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/server/src");

/// Every Rust file under `server/src`, with its path relative to it.
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(Path::new(SRC), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(SRC).unwrap().to_string_lossy().into_owned();
            (rel, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// The top-level module a file belongs to (`routes/api/feed.rs` -> `routes`).
fn module(rel: &str) -> &str {
    rel.split('/').next().unwrap().trim_end_matches(".rs")
}

/// Lower layers come first; a module may import only modules of a lower layer (and itself).
fn layer(module: &str) -> usize {
    match module {
        // The language files and plural rules: a leaf every layer may use.
        "i18n" => 0,
        "domain" | "render" => 1,
        "store" | "http" | "keys" | "import" => 2,
        "config" | "error" => 3,
        "state" | "transfer" | "migrate_db" | "notify" => 4,
        "routes" => 5,
        // lib.rs wires everything; main.rs and cli.rs use the crate from outside, as `riposte::`.
        "lib" | "main" | "cli" => 6,
        other => panic!("{other} has no layer: add it to docs/architecture.md and to this test"),
    }
}

/// The `crate::x` modules a file names, wherever it names them.
fn imports(text: &str) -> Vec<String> {
    text.match_indices("crate::")
        .map(|(i, _)| {
            text[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|m| !m.is_empty())
        .collect()
}

#[test]
fn imports_run_downward_only() {
    let mut wrong = Vec::new();
    for (rel, text) in sources() {
        let from = module(&rel);
        for to in imports(&text) {
            if to != from && layer(&to) >= layer(from) {
                wrong.push(format!("{rel} imports crate::{to}"));
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the layers:\n{}", wrong.join("\n"));
}

#[test]
fn api_and_admin_do_not_import_each_other() {
    for (rel, text) in sources() {
        if rel.starts_with("routes/api/") {
            assert!(!text.contains("admin::"), "{rel} imports the admin routes");
        }
        if rel.starts_with("routes/admin/") {
            assert!(!text.contains("api::"), "{rel} imports the API routes");
        }
    }
}

#[test]
fn sql_lives_only_in_the_backends_and_each_client_in_its_own() {
    for (rel, text) in sources() {
        if rel.starts_with("store/sqlite/") {
            assert!(!text.contains("tokio_postgres"), "{rel} names tokio_postgres");
            continue;
        }
        assert!(!text.contains("rusqlite"), "{rel} names rusqlite");
        if rel.starts_with("store/postgres/") {
            continue;
        }
        assert!(!text.contains("tokio_postgres"), "{rel} names tokio_postgres");
        for keyword in ["SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM", "PRAGMA "] {
            assert!(!text.contains(keyword), "{rel} holds SQL ({keyword:?})");
        }
    }
}

/// A file over 400 lines says why in its module header, on a `//! Size:` line.
#[test]
fn files_stay_readable_or_say_why_not() {
    for (rel, text) in sources() {
        let lines = text.lines().count();
        let reason = text
            .lines()
            .take_while(|l| l.starts_with("//!") || l.trim().is_empty())
            .any(|l| l.starts_with("//! Size: "));
        assert!(
            lines <= 400 || reason,
            "{rel} has {lines} lines: split it by concern, or say why not on a `//! Size:` line at its top"
        );
    }
}
