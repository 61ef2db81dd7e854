//! Login floods: a burst of concurrent guesses gets no more verifications than the throttle allows, memory
//! stays flat and the public API keeps answering; oversized names and passwords cost nothing.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use axum::http::StatusCode;

use crate::helpers::process::{BIN, connect_from, http, http_raw, start};
use crate::helpers::{PEER, TestApp};

const PASSWORD: &str = "correct horse battery";
/// `MAX_FAILURES` in `http/throttle.rs`, as docs/security.md states it.
const GUESSES_PER_WINDOW: usize = 5;

/// One form POST to `/admin/login` on a fresh connection from the loopback address `from`; the status,
/// or `None` when the server closed the connection without an answer.
async fn login_from(from: &'static str, port: u16, username: &str, password: &str) -> Option<u16> {
    let mut s = connect_from(from, port).await.ok()?;
    let body = format!("username={username}&password={password}");
    tokio::task::spawn_blocking(move || {
        let request = format!(
            "POST /admin/login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        s.write_all(request.as_bytes()).ok()?;
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        let head = String::from_utf8_lossy(&out);
        head.split(' ').nth(1).and_then(|c| c.parse().ok())
    })
    .await
    .ok()?
}

fn vm_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn a_burst_of_a_thousand_logins_checks_at_most_five_passwords_in_little_memory() {
    let dir = tempfile::tempdir().unwrap();
    let mut add = Command::new(BIN)
        .args([
            "moderator",
            "add",
            "anna",
            "--all-sites",
            "--password-stdin",
            "--database",
        ])
        .arg(dir.path().join("riposte.db"))
        .env_remove("RIPOSTE_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    writeln!(add.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    assert!(add.wait().unwrap().success());
    let mut server = start(dir.path());
    let (port, pid) = (server.port, server.child.id());
    let baseline = vm_rss_kb(pid).unwrap();

    let done = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(AtomicU64::new(baseline));
    let sampler = {
        let (done, peak) = (done.clone(), peak.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                if let Some(kb) = vm_rss_kb(pid) {
                    peak.fetch_max(kb, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    // The public API, read from another address (127.0.0.1) throughout.
    let reader = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut statuses = Vec::new();
            while !done.load(Ordering::Relaxed) {
                // The whole answer to anything but a 200 is kept, head and body, to say what answered
                // (hyper's own answer to a request it could not parse carries none of riposte's headers).
                let answer = http_raw(port, "GET", "/api/v1/threads?site=demo&uri=/", &[], None).ok();
                statuses.push(answer.map(|raw| {
                    let status: u16 = raw.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
                    (status, if status == 200 { String::new() } else { raw })
                }));
                std::thread::sleep(Duration::from_millis(20));
            }
            statuses
        })
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(1000)
        .enable_all()
        .build()
        .unwrap();
    // A thousand concurrent guesses from one address, 127.0.0.2.
    let burst: Vec<Option<u16>> = runtime.block_on(async {
        let tasks: Vec<_> = (0..1000)
            .map(|i| {
                tokio::spawn(async move { login_from("127.0.0.2", port, "anna", &format!("guess-number-{i}")).await })
            })
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.unwrap());
        }
        out
    });
    let count = |s: u16| burst.iter().filter(|x| **x == Some(s)).count();
    let mut unauthorized = count(401);
    eprintln!(
        "burst: {} × 401, {} × 429, {} × 503, {} closed without an answer",
        unauthorized,
        count(429),
        count(503),
        burst.iter().filter(|x| x.is_none()).count()
    );
    assert!(burst.iter().flatten().all(|s| [401, 429, 503].contains(s)), "{burst:?}");
    assert!(
        unauthorized <= GUESSES_PER_WINDOW,
        "{unauthorized} guesses were checked"
    );

    // Further guesses at the account from fresh addresses are checked until the account is locked: in
    // all, never more than the documented number.
    const OTHERS: [&str; 12] = [
        "127.0.0.3",
        "127.0.0.4",
        "127.0.0.5",
        "127.0.0.6",
        "127.0.0.7",
        "127.0.0.8",
        "127.0.0.9",
        "127.0.0.10",
        "127.0.0.11",
        "127.0.0.12",
        "127.0.0.13",
        "127.0.0.14",
    ];
    let mut locked = false;
    for from in OTHERS {
        match runtime.block_on(login_from(from, port, "anna", "another-wrong-guess")) {
            Some(401) => unauthorized += 1,
            Some(429) => {
                locked = true;
                break;
            }
            other => panic!("unexpected answer {other:?}"),
        }
    }
    assert!(locked, "the account was never locked");
    assert_eq!(unauthorized, GUESSES_PER_WINDOW);
    // While the throttle holds, even the right password from yet another address is refused.
    assert_eq!(
        runtime.block_on(login_from("127.0.0.20", port, "anna", PASSWORD)),
        Some(429)
    );

    done.store(true, Ordering::Relaxed);
    sampler.join().unwrap();
    let reads = reader.join().unwrap();
    let peak_kb = peak.load(Ordering::Relaxed);
    eprintln!("RSS: {baseline} kB before the burst, at most {peak_kb} kB during it");
    assert!(peak_kb < 100 * 1024, "RSS reached {peak_kb} kB");
    assert!(!reads.is_empty());
    let failed: Vec<_> = reads.iter().filter(|r| !matches!(r, Some((200, _)))).collect();
    assert!(
        failed.is_empty(),
        "{} of {} reads failed: {failed:?}",
        failed.len(),
        reads.len()
    );
    assert_eq!(
        http(port, "GET", "/api/v1/threads?site=demo&uri=/", None).unwrap().0,
        200
    );

    let _ = server.child.kill();
    let _ = server.child.wait();
    let log = server.log();
    assert_eq!(log.matches("failed admin login").count(), GUESSES_PER_WINDOW, "{log}");
    // Failed logins name the client by its keyed hash, never by its address.
    assert!(log.contains("ip_hash="), "{log}");
    assert!(!log.contains("127.0.0.2") && !log.contains("127.0.0.3"), "{log}");
}

#[tokio::test]
async fn an_oversized_login_is_refused_without_counting_or_checking() {
    let app = TestApp::new().await;
    app.add_moderator("anna", PASSWORD, &[]).await;
    let long_name = "a".repeat(65);
    let long_password = "p".repeat(1025);
    // With every verification slot taken, a normal login is answered 503 at once, while an oversized one
    // is refused as a failed login: it needs no verification.
    let held: Vec<_> = (0..2)
        .map(|_| app.state.login_throttle.verification().unwrap())
        .collect();
    let busy = app.login_from(PEER, "anna", "wrong password!").await;
    assert_eq!(busy.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(busy.headers["retry-after"], "1");
    for _ in 0..10 {
        assert_eq!(
            app.login_from(PEER, &long_name, "wrong password!").await.status,
            StatusCode::UNAUTHORIZED
        );
        let r = app.login_from(PEER, "anna", &long_password).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.text().contains("Wrong username or password."), "{}", r.text());
    }
    drop(held);
    // Nothing of that was counted: not for the address, the long name, or anna (busy answers are given
    // back), so the right password still gets in.
    assert_eq!(
        app.login_from(PEER, "anna", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    for _ in 0..10 {
        assert_eq!(
            app.login_from("203.0.113.7:1", &long_name, "wrong password!")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
}
