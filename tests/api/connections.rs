//! Connection slots: one address cannot hold more than its share, trusted proxies can, and when the slots
//! run short idle keep-alive connections make room for waiting clients.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use riposte::http::serve::{HEADER_TIMEOUT, Limits, serve};
use std::io::{Read, Write};
use std::net::TcpStream;

use crate::helpers::database::TestDb;
use crate::helpers::process::{self, start, start_with_ulimit};

const REQUEST: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

async fn connect_from(from: &str, port: u16) -> TcpStream {
    process::connect_from(from, port).await.unwrap()
}

/// Sends one keep-alive request and returns the status line, or `None` when the server closed the
/// connection instead of answering.
fn ask(conn: &mut TcpStream) -> Option<String> {
    conn.write_all(REQUEST).ok()?;
    let mut buf = vec![0u8; 4096];
    let mut got = Vec::new();
    // Read until the end of the (small, fixed-length) answer's head and body.
    loop {
        let n = match conn.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut => {
                panic!("the server neither answered nor closed the connection")
            }
            Err(_) => return None,
        };
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&got);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .map(str::to_owned)
                })
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if body.len() >= length {
                break;
            }
        }
    }
    let text = String::from_utf8_lossy(&got).into_owned();
    text.lines()
        .next()
        .filter(|l| l.starts_with("HTTP/1.1"))
        .map(str::to_owned)
}

#[tokio::test]
async fn connections_beyond_a_peers_cap_are_closed_at_once_and_its_others_stay_usable() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("riposte.toml"), "max_connections_per_peer = 8\n").unwrap();
    let server = start(dir.path());
    let port = server.port;
    let mut held = Vec::new();
    for _ in 0..8 {
        held.push(connect_from("127.0.0.2", port).await);
    }
    // The first of them is served, so all eight were accepted before the extra ones arrive.
    assert_eq!(ask(&mut held[0]).as_deref(), Some("HTTP/1.1 200 OK"));
    for n in 0..4 {
        let mut extra = connect_from("127.0.0.2", port).await;
        assert_eq!(ask(&mut extra), None, "extra connection {n} was served");
    }
    // The eight still work, the last accepted one included.
    for conn in held.iter_mut().rev() {
        assert_eq!(ask(conn).as_deref(), Some("HTTP/1.1 200 OK"));
    }
    // Another address is not affected.
    let mut other = connect_from("127.0.0.3", port).await;
    assert_eq!(ask(&mut other).as_deref(), Some("HTTP/1.1 200 OK"));
    // A closed connection gives its slot back.
    drop(held.pop());
    let mut again = loop {
        let mut conn = connect_from("127.0.0.2", port).await;
        if let Some(status) = ask(&mut conn) {
            assert_eq!(status, "HTTP/1.1 200 OK");
            break conn;
        }
        // The server may not have seen the close yet.
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(ask(&mut again).as_deref(), Some("HTTP/1.1 200 OK"));
}

#[tokio::test]
async fn trusted_proxies_have_no_per_peer_connection_cap() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("riposte.toml"),
        "max_connections_per_peer = 2\ntrusted_proxies = [\"127.0.0.2\"]\n",
    )
    .unwrap();
    let server = start(dir.path());
    let mut conns = Vec::new();
    for _ in 0..6 {
        conns.push(connect_from("127.0.0.2", server.port).await);
    }
    for conn in &mut conns {
        assert_eq!(ask(conn).as_deref(), Some("HTTP/1.1 200 OK"));
    }
    // An address that is not a proxy still has its cap.
    let mut direct = Vec::new();
    for _ in 0..3 {
        direct.push(connect_from("127.0.0.3", server.port).await);
    }
    assert_eq!(ask(&mut direct[0]).as_deref(), Some("HTTP/1.1 200 OK"));
    assert_eq!(ask(&mut direct[2]), None);
}

/// `app` served on a free loopback port with four connection slots, until the sender is used or dropped.
async fn serve_with_four_slots(
    app: Router,
) -> (
    u16,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let limits = Limits {
        max_connections: 4,
        per_peer: 64,
        exempt: Arc::from([]),
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, app, limits, async {
        let _ = stopped.await;
    }));
    (port, stop, server)
}

// Multi-threaded: the server's tasks run on the workers while this test blocks on its sockets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_connection_slots_run_short_idle_keep_alive_connections_make_room() {
    let app = Router::new().route("/healthz", get(|| async { "ok" }));
    let (port, stop, server) = serve_with_four_slots(app).await;
    // Four keep-alive clients, each served once and then idle: every slot is taken.
    let mut idle = Vec::new();
    for _ in 0..4 {
        let mut conn = connect_from("127.0.0.1", port).await;
        // A connection the server already asked to close may refuse; the others answer.
        let _ = ask(&mut conn);
        idle.push(conn);
    }
    // A fifth client is served well within HEADER_TIMEOUT, the only other way an idle connection would
    // give its slot back.
    let mut fifth = connect_from("127.0.0.1", port).await;
    fifth.set_read_timeout(Some(HEADER_TIMEOUT / 2)).unwrap();
    fifth.write_all(REQUEST).unwrap();
    let mut buf = [0u8; 64];
    let n = fifth
        .read(&mut buf)
        .expect("the fifth client waited for an idle connection to time out");
    assert!(
        buf[..n].starts_with(b"HTTP/1.1 200"),
        "{:?}",
        String::from_utf8_lossy(&buf[..n])
    );
    // The oldest idle connection was the one closed.
    idle[0].set_read_timeout(Some(HEADER_TIMEOUT / 2)).unwrap();
    match idle[0].read(&mut buf) {
        Ok(n) => assert_eq!(n, 0, "the oldest idle connection answered"),
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
    }
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}

/// The soft and hard limits on open files of process `pid`.
fn open_files_limits(pid: u32) -> (u64, u64) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = limits.lines().find(|l| l.starts_with("Max open files")).unwrap();
    let n: Vec<u64> = line.split_whitespace().filter_map(|w| w.parse().ok()).collect();
    (n[0], n[1])
}

// Multi-threaded: the server's tasks run on the workers while this test blocks on its sockets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_open_files_limit_is_raised_or_else_the_connections_fit_it_and_idle_ones_make_room() {
    // A soft limit below the hard one is raised to it: each connection is a file.
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path());
    let server = start_with_ulimit(dir.path(), &db.path, "-Sn 256");
    let (soft, hard) = open_files_limits(server.child.id());
    assert_eq!(soft, hard);
    assert!(hard > 256, "this machine's hard limit is {hard}");
    drop(server);

    // A hard limit of 300 files leaves room for 172 connections (128 files are the server's own): the
    // server says so, and serves that many. Beyond them, idle keep-alive connections make room for new
    // clients; without the cap the server would accept until it ran out of files and then accept no one.
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path());
    let mut server = start_with_ulimit(dir.path(), &db.path, "-n 300");
    let port = server.port;
    let mut idle = Vec::new();
    for peer in 2..7 {
        for _ in 0..60 {
            let mut conn = connect_from(&format!("127.0.0.{peer}"), port).await;
            // Well within HEADER_TIMEOUT, after which idle connections would give their files back anyway.
            conn.set_read_timeout(Some(HEADER_TIMEOUT / 2)).unwrap();
            // A connection the server asked to close to make room may refuse; the others answer.
            let _ = ask(&mut conn);
            idle.push(conn);
        }
    }
    let mut late = connect_from("127.0.0.7", port).await;
    late.set_read_timeout(Some(HEADER_TIMEOUT / 2)).unwrap();
    assert_eq!(ask(&mut late).as_deref(), Some("HTTP/1.1 200 OK"));
    let _ = server.child.kill();
    let _ = server.child.wait();
    let log = server.log();
    assert!(
        log.contains("serving at most max_connections") && log.contains("max_connections=172"),
        "{log}"
    );
}

/// Reads from `conn` until `want` came `times` times (more often than a chunk holds it); false when the
/// connection ended or went quiet for the read timeout first.
fn read_until(conn: &mut TcpStream, want: &[u8], times: usize) -> bool {
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    while got.windows(want.len()).filter(|w| *w == want).count() < times {
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => return false,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    true
}

// Multi-threaded: the server's tasks run on the workers while this test blocks on its sockets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_slots_run_short_a_streaming_answer_and_a_fresh_connection_are_not_taken_for_idle_ones() {
    // A stream that never ends, as a live event stream: a line every 50 ms.
    let ticks = || {
        let tick = tokio::time::interval(Duration::from_millis(50));
        futures_util::stream::unfold(tick, |mut tick| async move {
            tick.tick().await;
            Some((Ok::<_, std::convert::Infallible>("tick\n"), tick))
        })
    };
    let app = Router::new().route("/healthz", get(|| async { "ok" })).route(
        "/stream",
        get(move || async move { axum::body::Body::from_stream(ticks()) }),
    );
    let (port, stop, server) = serve_with_four_slots(app).await;
    let timeout = Some(HEADER_TIMEOUT / 2);
    // The oldest connection streams; then one served and idle; then a fresh one that has sent nothing yet;
    // then another served and idle. Every slot is taken.
    let mut stream = connect_from("127.0.0.1", port).await;
    stream.set_read_timeout(timeout).unwrap();
    stream
        .write_all(b"GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    assert!(read_until(&mut stream, b"tick", 1));
    let mut idle = connect_from("127.0.0.1", port).await;
    assert_eq!(ask(&mut idle).as_deref(), Some("HTTP/1.1 200 OK"));
    let mut fresh = connect_from("127.0.0.1", port).await;
    fresh.set_read_timeout(timeout).unwrap();
    let mut idle2 = connect_from("127.0.0.1", port).await;
    assert_eq!(ask(&mut idle2).as_deref(), Some("HTTP/1.1 200 OK"));
    // A fifth client is served within half the header timeout: the oldest idle connection made room.
    let mut fifth = connect_from("127.0.0.1", port).await;
    fifth.set_read_timeout(timeout).unwrap();
    assert_eq!(ask(&mut fifth).as_deref(), Some("HTTP/1.1 200 OK"));
    idle.set_read_timeout(timeout).unwrap();
    assert_eq!(
        ask(&mut idle),
        None,
        "the oldest idle connection was not the one closed"
    );
    // The stream streams on, and the fresh connection is answered when its request comes.
    assert!(read_until(&mut stream, b"tick", 2), "the stream was closed");
    assert_eq!(ask(&mut fresh).as_deref(), Some("HTTP/1.1 200 OK"));
    let _ = stop.send(());
    drop((stream, fresh, idle2, fifth));
    let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
}
