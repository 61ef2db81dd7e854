//! Sites changed with `riposte site add` while the server runs: the running server applies the change
//! (origins, moderation mode, name) within 2 seconds, as it does for new sites.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use riposte::domain::{Moderation, Site};

use crate::helpers::TestApp;
use crate::helpers::database::TestDb;
use crate::helpers::process::{BIN, http, http_with, start_with};

/// How soon a change made by another process must apply.
const APPLIES_WITHIN: Duration = Duration::from_secs(2);

fn cli(db: &Path, args: &[&str]) {
    let out = Command::new(BIN)
        .args(args)
        .arg("--database")
        .arg(db)
        .env_remove("RIPOSTE_CONFIG")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "riposte {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Posts a comment to `blog` from `origin`; the status code.
fn post_from(port: u16, origin: &str, text: &str) -> u16 {
    let body = format!(r#"{{"site":"blog","uri":"/post/","text":"{text}"}}"#);
    http_with(port, "POST", "/api/v1/comments", &[("Origin", origin)], Some(&body))
        .unwrap()
        .0
}

/// Asks `check` every 50 ms until it answers `Ok`, for at most [`APPLIES_WITHIN`] from `since`; fails with
/// its last answer after that.
fn within_deadline(since: Instant, what: &str, mut check: impl FnMut() -> Result<(), String>) {
    loop {
        let answer = check();
        if answer.is_ok() {
            return;
        }
        if since.elapsed() > APPLIES_WITHIN {
            panic!(
                "{what} did not apply within {APPLIES_WITHIN:?}: {}",
                answer.unwrap_err()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_running_server_applies_site_changes_made_by_the_command_line_within_2_s() {
    let dir = tempfile::tempdir().unwrap();
    let test_db = TestDb::new(dir.path());
    let db = test_db.path.clone();
    // Posting limits out of the way: the test posts until the change shows.
    std::fs::write(
        dir.path().join("riposte.toml"),
        "[rate_limits]\ncomments = { burst = 10000, every_ms = 1 }\n",
    )
    .unwrap();
    cli(
        &db,
        &[
            "site",
            "add",
            "blog",
            "--origin",
            "https://blog.example",
            "--name",
            "Erster Name",
            "--moderation",
            "none",
            "--pow",
            "off",
        ],
    );
    let server = start_with(dir.path(), &db);
    let port = server.port;
    assert_eq!(post_from(port, "https://blog.example", "vorher"), 201);
    assert_eq!(post_from(port, "https://www.blog.example", "fremd"), 403);
    let (_, feed) = http(port, "GET", "/api/v1/feed?site=blog", None).unwrap();
    assert!(feed.contains("<title>Comments on Erster Name</title>"), "{feed}");

    // The same origin again: a change that names no origin or site the server has not seen yet, so that
    // nothing but the change itself can make the server look at the sites again.
    cli(
        &db,
        &[
            "site",
            "add",
            "blog",
            "--origin",
            "https://blog.example",
            "--name",
            "Zweiter Name",
            "--moderation",
            "all",
        ],
    );
    let changed = Instant::now();
    within_deadline(changed, "the moderation mode", || {
        match post_from(port, "https://blog.example", "nachher") {
            202 => Ok(()),
            other => Err(format!("a post answered {other}, not 202 (held)")),
        }
    });
    within_deadline(changed, "the name", || {
        let (_, feed) = http(port, "GET", "/api/v1/feed?site=blog", None).unwrap();
        match feed.contains("<title>Comments on Zweiter Name</title>") {
            true => Ok(()),
            false => Err(feed),
        }
    });

    // Back to `none` with one more origin: both apply, and the first origin stays (site add adds origins).
    cli(
        &db,
        &[
            "site",
            "add",
            "blog",
            "--origin",
            "https://www.blog.example",
            "--moderation",
            "none",
        ],
    );
    let changed = Instant::now();
    within_deadline(changed, "the new origin and moderation mode", || {
        match post_from(port, "https://www.blog.example", "neuer Ursprung") {
            201 => Ok(()),
            other => Err(format!("a post from the new origin answered {other}, not 201")),
        }
    });
    assert_eq!(post_from(port, "https://blog.example", "alter Ursprung"), 201);

    // A site added meanwhile comes the same way.
    cli(&db, &["site", "add", "neu", "--origin", "https://neu.example"]);
    let added = Instant::now();
    within_deadline(added, "the new site", || {
        match http(port, "GET", "/api/v1/threads?site=neu&uri=/", None).unwrap().0 {
            200 => Ok(()),
            other => Err(format!("its thread answered {other}")),
        }
    });
}

#[tokio::test]
async fn every_site_write_moves_the_sites_version() {
    let app = TestApp::new().await;
    let store = &app.state.store;
    let mut seen = vec![store.sites_version().await.unwrap()];
    let mut site = Site::new(&riposte::domain::SiteId::parse("neu").unwrap());
    let mut save = async |site: &Site| {
        store.save_site(site.clone(), None, 0).await.unwrap();
        let v = store.sites_version().await.unwrap();
        assert!(!seen.contains(&v), "version {v} again after saving {site:?}");
        seen.push(v);
    };
    save(&site).await;
    site.moderation = Moderation::All;
    save(&site).await;
    site.name = "Neu".into();
    save(&site).await;
    site.origins = vec!["https://neu.example".into()];
    save(&site).await;
    site.origins.clear();
    save(&site).await;
    site.blocked_words = vec!["kaufen".into()];
    save(&site).await;
}
