//! The real `riposte` binary: serves on a free port with a temporary database, manages sites, and stops
//! gracefully on SIGTERM.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::helpers::process::{BIN, http, start};

#[test]
fn serves_health_and_comments_then_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = start(dir.path());
    let port = server.port;
    let (status, body) = http(port, "GET", "/healthz", None).unwrap();
    assert_eq!(status, 200);
    assert!(body.contains("ok"));
    // The built-in demo site takes comments.
    let (status, body) = http(
        port,
        "POST",
        "/api/v1/comments",
        Some(r#"{"site":"demo","uri":"/","text":"Hallo vom Test"}"#),
    )
    .unwrap();
    assert_eq!(status, 201, "{body}");
    let (status, body) = http(port, "GET", "/api/v1/threads?site=demo&uri=/", None).unwrap();
    assert_eq!(status, 200);
    assert!(body.contains("Hallo vom Test"));
    // A SQLite database is a file in the directory (on PostgreSQL, a database of the test cluster).
    let on_postgres = server.db.as_ref().is_some_and(|db| db.is_postgres());
    assert_eq!(dir.path().join("riposte.db").exists(), !on_postgres);
    // A mail link's token is a credential: the log names the route, never the token.
    for path in [
        "/admin/mail/m.1.2.3.4.5.6.SECRETMAC",
        "/notify/unsubscribe/u.7.8.SECRETMAC",
    ] {
        let (status, _) = http(port, "GET", path, None).unwrap();
        assert_eq!(status, 404, "{path}");
    }

    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "riposte did not stop within 10 s of SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "exit status {status:?}");
    let log = server.log();
    // One line per request, without bodies.
    assert!(log.contains("path=\"/api/v1/comments\""), "{log}");
    assert!(!log.contains("Hallo vom Test"), "{log}");
    assert!(log.contains("path=\"/admin/mail/{token}\""), "{log}");
    assert!(log.contains("path=\"/notify/unsubscribe/{token}\""), "{log}");
    assert!(!log.contains("SECRETMAC"), "{log}");
}

#[test]
fn site_add_and_list_manage_sites_in_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sites.db");
    let run = |args: &[&str]| {
        let out = Command::new(BIN)
            .args(args)
            .arg("--database")
            .arg(&db)
            .env_remove("RIPOSTE_CONFIG")
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (ok, out) = run(&[
        "site",
        "add",
        "blog",
        "--origin",
        "https://blog.example",
        "--name",
        "Mein Blog",
        "--moderation",
        "first-time",
    ]);
    assert!(ok, "{out}");
    let (ok, _) = run(&["site", "add", "blog", "--origin", "https://www.blog.example"]);
    assert!(ok);
    let (ok, out) = run(&[
        "site",
        "add",
        "blog",
        "--origin",
        "https://blog.example",
        "--notify",
        "digest-daily",
        "--language",
        "de",
    ]);
    assert!(ok, "{out}");
    let (ok, out) = run(&["site", "list"]);
    assert!(ok);
    assert!(
        out.contains(
            "blog\tname=\"Mein Blog\" moderation=first-time pow=adaptive notify=digest-daily language=de origins=https://blog.example,https://www.blog.example"
        ),
        "{out}"
    );
    for (flag, value) in [("--notify", "weekly"), ("--language", "xx")] {
        let (ok, out) = run(&["site", "add", "blog", "--origin", "https://blog.example", flag, value]);
        assert!(!ok);
        assert!(out.contains(flag) && out.contains("must be one of"), "{out}");
    }
    let (ok, out) = run(&["site", "add", "blog", "--origin", "not-an-origin"]);
    assert!(!ok);
    assert!(out.contains("not an origin"), "{out}");
    let (ok, out) = run(&[
        "site",
        "add",
        "blog",
        "--origin",
        "https://x.example",
        "--moderation",
        "sometimes",
    ]);
    assert!(!ok);
    assert!(out.contains("moderation"), "{out}");
}

#[test]
fn an_unknown_config_key_stops_the_start_naming_key_and_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("riposte.toml");
    std::fs::write(&file, "listen = \"127.0.0.1:0\"\nlisen = \"typo\"\n").unwrap();
    let out = Command::new(BIN)
        .arg("--config")
        .arg(&file)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("lisen") && err.contains("riposte.toml"), "{err}");
}

#[test]
fn help_explains_each_command() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for word in ["serve", "site", "--listen", "--database", "--config", "RIPOSTE_LISTEN"] {
        assert!(help.contains(word), "--help lacks {word}: {help}");
    }
}

#[test]
fn slow_and_idle_connections_are_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let port = server.port;
    let started = Instant::now();
    // A slowloris client: half a request line, then silence.
    let mut slow = TcpStream::connect(("127.0.0.1", port)).unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .unwrap();
    // A keep-alive client that goes quiet after one request.
    let mut idle = TcpStream::connect(("127.0.0.1", port)).unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    let mut first = [0u8; 512];
    let n = idle.read(&mut first).unwrap();
    assert!(String::from_utf8_lossy(&first[..n]).starts_with("HTTP/1.1 200"));
    // Meanwhile others are served.
    assert_eq!(http(port, "GET", "/healthz", None).unwrap().0, 200);
    for (name, mut conn) in [("slow", slow), ("idle", idle)] {
        conn.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut rest = Vec::new();
        let closed = conn.read_to_end(&mut rest).is_ok();
        assert!(closed, "the {name} connection was not closed");
        assert!(started.elapsed() < Duration::from_secs(20), "{name}");
    }
}

#[test]
fn moderators_get_and_change_their_notification_address_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let run = |args: &[&str], stdin: &str| {
        let mut child = Command::new(BIN)
            .args(args)
            .arg("--database")
            .arg(&db)
            .env_remove("RIPOSTE_CONFIG")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
        (out.status.success(), text)
    };
    let pw = "a long password here\n";
    let (ok, out) = run(
        &[
            "moderator",
            "add",
            "anna",
            "--all-sites",
            "--password-stdin",
            "--email",
            "anna@blog.example",
        ],
        pw,
    );
    assert!(ok, "{out}");
    let (ok, out) = run(
        &[
            "moderator",
            "add",
            "ben",
            "--all-sites",
            "--password-stdin",
            "--email",
            "nope",
        ],
        pw,
    );
    assert!(!ok);
    assert!(out.contains("--email"), "{out}");
    let (_, out) = run(&["moderator", "list"], "");
    assert!(out.contains("anna\tall sites\tanna@blog.example"), "{out}");
    assert!(!out.contains("ben"), "a refused add adds nobody: {out}");
    let (ok, out) = run(&["moderator", "email", "anna", "a.neu@blog.example"], "");
    assert!(ok, "{out}");
    let (ok, _) = run(&["moderator", "email", "anna"], "");
    assert!(ok);
    let (_, out) = run(&["moderator", "list"], "");
    assert!(out.contains("anna\tall sites\tno email"), "{out}");
    let (ok, out) = run(&["moderator", "email", "nobody", "x@blog.example"], "");
    assert!(!ok);
    assert!(out.contains("no moderator"), "{out}");
}

/// A failing subcommand says what went wrong in a line or two, exits non-zero, and never prints a
/// backtrace, even with `RUST_BACKTRACE` set.
#[test]
fn a_failing_subcommand_prints_one_error_line_and_no_backtrace() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["moderator", "add", "anna", "--all-sites", "--database"])
        .arg(dir.path().join("r.db"))
        .env("RUST_BACKTRACE", "1")
        .env_remove("RIPOSTE_CONFIG")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(
        lines,
        ["error: standard input is not a terminal: pass --password-stdin to read the password from it"],
        "{stderr}"
    );
    // A cause chain stays on the same line.
    let out = Command::new(BIN)
        .args(["site", "list", "--database", "/nonexistent-dir/r.db"])
        .env("RUST_BACKTRACE", "full")
        .env_remove("RIPOSTE_CONFIG")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: failed to open database /nonexistent-dir/r.db: "),
        "{stderr}"
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(!stderr.contains("backtrace"), "{stderr}");
}

#[test]
fn json_logs_are_one_object_a_line_and_readyz_answers() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = crate::helpers::process::start_env(
        dir.path(),
        &dir.path().join("riposte.db"),
        &[("RIPOSTE_LOG_FORMAT", "json"), ("RUST_LOG", "info")],
    );
    let (status, body) = http(server.port, "GET", "/readyz", None).unwrap();
    assert_eq!((status, body.contains("ready")), (200, true), "{body}");
    let _ = http(server.port, "GET", "/api/v1/threads?site=demo&uri=/", None).unwrap();
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    server.child.wait().unwrap();
    let log = server.log();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect();
    assert!(!lines.is_empty(), "the server logged nothing");
    assert!(
        lines
            .iter()
            .all(|l| l["level"].is_string() && l["timestamp"].is_string()),
        "{log}"
    );
    assert!(log.contains("/api/v1/threads"), "the request log line is there: {log}");
}
