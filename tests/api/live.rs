//! Live updates (`GET /api/v1/events`) against the real router served on loopback: what arrives and how
//! fast, resuming with `Last-Event-ID`, the limits on open streams, heartbeats, headers, writes by another
//! process, and shutdown ending the streams.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use riposte::config::{Config, LiveConfig};
use riposte::domain::Moderation;
use riposte::http::serve::{Limits, serve};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;

use crate::helpers::{ORIGIN, TestApp, config, site};

/// The test app served on a loopback port by the real accept loop, until `stop`.
struct Served {
    app: TestApp,
    port: u16,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    served: JoinHandle<std::io::Result<()>>,
}

async fn served(config: Config) -> Served {
    let app = TestApp::with(config).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(serve(
        listener,
        app.router.clone(),
        Limits::new(64, Arc::from([])),
        async {
            let _ = stopped.await;
        },
    ));
    Served {
        app,
        port,
        stop: Some(stop),
        served,
    }
}

fn live(config: LiveConfig) -> Config {
    Config {
        live: config,
        ..crate::helpers::config()
    }
}

/// One event (or comment line) of the stream.
#[derive(Debug, Default)]
struct Block {
    event: Option<String>,
    id: Option<String>,
    data: Option<String>,
    comment: Option<String>,
}

impl Block {
    fn json(&self) -> Value {
        serde_json::from_str(self.data.as_deref().unwrap_or("null")).unwrap()
    }

    fn id(&self) -> i64 {
        self.id.as_deref().unwrap().parse().unwrap()
    }
}

/// A client of the stream over a raw socket: the head, then the chunked body parsed into events.
struct Events {
    conn: BufReader<TcpStream>,
    status: u16,
    head: String,
    text: String,
}

impl Events {
    /// `GET /api/v1/events?QUERY` from loopback address `from`, with extra header lines.
    async fn open_from(from: &str, port: u16, query: &str, headers: &str) -> Self {
        let conn = crate::helpers::process::connect_from(from, port).await.unwrap();
        conn.set_nonblocking(true).unwrap();
        let mut conn = BufReader::new(TcpStream::from_std(conn).unwrap());
        let request = format!(
            "GET /api/v1/events?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n{headers}\r\n"
        );
        conn.get_mut().write_all(request.as_bytes()).await.unwrap();
        let mut head = String::new();
        loop {
            let mut line = String::new();
            assert!(
                conn.read_line(&mut line).await.unwrap() > 0,
                "closed before the head ended"
            );
            if line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        Self {
            conn,
            status,
            head: head.to_ascii_lowercase(),
            text: String::new(),
        }
    }

    async fn open(port: u16, query: &str) -> Self {
        Self::open_from("127.0.0.1", port, query, "").await
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.head
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .map(str::trim)
    }

    /// The next block, comment lines included; `None` when the stream ended. Panics after `within`.
    async fn block(&mut self, within: Duration) -> Option<Block> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(end) = self.text.find("\n\n") {
                let raw: String = self.text.drain(..end + 2).collect();
                let mut b = Block::default();
                for line in raw.lines().filter(|l| !l.is_empty()) {
                    let (field, value) = line.split_once(':').unwrap_or((line, ""));
                    let value = value.strip_prefix(' ').unwrap_or(value).to_owned();
                    match field {
                        "" => b.comment = Some(value),
                        "event" => b.event = Some(value),
                        "id" => b.id = Some(value),
                        "data" => b.data = Some(value),
                        _ => {}
                    }
                }
                return Some(b);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let chunk = tokio::time::timeout(left, self.chunk())
                .await
                .unwrap_or_else(|_| panic!("nothing arrived within {within:?}; so far: {:?}", self.text))?;
            self.text.push_str(&chunk);
        }
    }

    /// One chunk of the chunked body; `None` at its end or when the connection closed.
    async fn chunk(&mut self) -> Option<String> {
        let mut size = String::new();
        if self.conn.read_line(&mut size).await.ok()? == 0 {
            return None;
        }
        let size = usize::from_str_radix(size.trim(), 16).ok()?;
        let mut data = vec![0; size + 2];
        self.conn.read_exact(&mut data).await.ok()?;
        data.truncate(size);
        (size > 0).then(|| String::from_utf8(data).unwrap())
    }

    /// The next event, skipping heartbeats.
    async fn event(&mut self, within: Duration) -> Block {
        loop {
            let b = self.block(within).await.expect("the stream ended");
            if b.event.is_some() || b.id.is_some() {
                return b;
            }
        }
    }

    /// Nothing but heartbeats for `quiet`.
    async fn silent_for(&mut self, quiet: Duration) {
        let until = Instant::now() + quiet;
        while let Ok(b) =
            tokio::time::timeout(until.saturating_duration_since(Instant::now()), self.block(quiet * 2)).await
        {
            let b = b.expect("the stream ended");
            assert!(b.comment.is_some(), "unexpected event {b:?}");
        }
    }
}

const SECOND: Duration = Duration::from_secs(1);
const THREAD: &str = "site=blog&uri=/post/";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_comment_posted_by_another_client_arrives_within_a_second_with_its_id() {
    let s = served(config()).await;
    let mut events = Events::open(s.port, THREAD).await;
    assert_eq!(events.status, 200);
    assert_eq!(events.header("content-type"), Some("text/event-stream"));
    assert_eq!(events.header("cache-control"), Some("no-cache, no-transform"));
    assert_eq!(events.header("x-accel-buffering"), Some("no"));
    // The stream starts by naming where it starts: nothing old is sent.
    let ready = events.event(SECOND).await;
    assert_eq!(ready.event.as_deref(), Some("ready"));
    let start = ready.id();
    let posted = Instant::now();
    let (id, _) = s.app.comment("Hallo, live", None).await;
    let created = events.event(SECOND).await;
    let latency = posted.elapsed();
    assert!(latency < SECOND, "arrived after {latency:?}");
    assert_eq!(created.event.as_deref(), Some("comment.created"));
    assert!(created.id() > start);
    let data = created.json();
    assert_eq!(data["total"], 1);
    // The comment exactly as the thread answer gives it.
    assert_eq!(data["comment"], s.app.thread("/post/").await["comments"][0]);
    assert_eq!(data["comment"]["id"], id);
    // Another page's thread is not this one's.
    s.app
        .post(json!({"site": "blog", "uri": "/other/", "text": "Woanders"}))
        .await;
    events.silent_for(Duration::from_millis(300)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_and_deletes_arrive_once_each_with_the_count() {
    let s = served(config()).await;
    let (id, token) = s.app.comment("Erst so", None).await;
    let mut events = Events::open(s.port, THREAD).await;
    events.event(SECOND).await;
    let r = s
        .app
        .write(
            Method::PATCH,
            &format!("/api/v1/comments/{id}"),
            json!({"text": "Dann so", "author": "Anna", "website": "https://anna.example"}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let edited = events.event(SECOND).await;
    assert_eq!(edited.event.as_deref(), Some("comment.edited"));
    let data = edited.json();
    assert_eq!(data["comment"]["html"], "<p>Dann so</p>\n");
    assert_eq!(data["comment"]["author"], "Anna");
    assert_eq!(data["total"], 1);
    // Three columns changed, one event was sent: the next one is the deletion.
    let r = s
        .app
        .write(
            Method::DELETE,
            &format!("/api/v1/comments/{id}"),
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let deleted = events.event(SECOND).await;
    assert_eq!(deleted.event.as_deref(), Some("comment.deleted"));
    assert_eq!(deleted.json(), json!({"id": id, "total": 0}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_comment_sends_nothing_until_a_moderator_approves_it() {
    let mut c = config();
    c.sites.push(site("held", ORIGIN, Moderation::All));
    let s = served(c).await;
    let mut events = Events::open(s.port, "site=held&uri=/post/").await;
    events.event(SECOND).await;
    let r = s
        .app
        .post(json!({"site": "held", "uri": "/post/", "text": "Wartet"}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let id = r.json()["comment"]["id"].as_i64().unwrap();
    events.silent_for(Duration::from_millis(500)).await;
    s.app.add_moderator("mod", "ein langes Passwort", &[]).await;
    let admin = s.app.login("mod", "ein langes Passwort").await;
    assert_eq!(s.app.act(&admin, &format!("approve:{id}")).await, StatusCode::SEE_OTHER);
    let created = events.event(SECOND).await;
    assert_eq!(created.event.as_deref(), Some("comment.created"));
    assert_eq!(created.json()["comment"]["status"], "published");
    // A moderator's delete takes it out again.
    assert_eq!(s.app.act(&admin, &format!("delete:{id}")).await, StatusCode::SEE_OTHER);
    assert_eq!(events.event(SECOND).await.json(), json!({"id": id, "total": 0}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconnect_with_last_event_id_gets_exactly_the_missed_events() {
    let s = served(config()).await;
    let mut first = Events::open(s.port, THREAD).await;
    let start = first.event(SECOND).await.id();
    drop(first);
    // Posted while no stream was open: the client resumes from the id it was given at the start.
    let (a, _) = s.app.comment("Verpasst 1", None).await;
    let (b, _) = s.app.comment("Verpasst 2", Some(a)).await;
    let mut again = Events::open_from("127.0.0.1", s.port, THREAD, &format!("Last-Event-ID: {start}\r\n")).await;
    assert_eq!(again.event(SECOND).await.id(), start);
    let one = again.event(SECOND).await;
    let two = again.event(SECOND).await;
    assert_eq!(one.json()["comment"]["id"], a);
    assert_eq!(one.json()["total"], 1);
    assert_eq!(two.json()["comment"]["id"], b);
    assert_eq!(two.json()["comment"]["parent"], a);
    assert_eq!(two.json()["total"], 2);
    again.silent_for(Duration::from_millis(300)).await;
    // The parameter does the same for a client that opens a fresh EventSource; from the last id seen,
    // nothing is sent twice.
    let mut param = Events::open(s.port, &format!("{THREAD}&last_event_id={}", one.id())).await;
    param.event(SECOND).await;
    assert_eq!(param.event(SECOND).await.id(), two.id());
    param.silent_for(Duration::from_millis(300)).await;
    // An id from the future (a restored backup) starts from the newest instead of hiding what comes.
    let mut future = Events::open(s.port, &format!("{THREAD}&last_event_id=999999")).await;
    assert_eq!(future.event(SECOND).await.id(), two.id());
    let bad = Events::open(s.port, &format!("{THREAD}&last_event_id=soon")).await;
    assert_eq!(bad.status, 422);
}

/// The streams of one page share a read when they wake at the same position, and only then: streams at the
/// newest position and one resuming from an older id, opened between the same two commits, each get
/// exactly their events.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_of_one_page_share_reads_only_at_the_same_position() {
    let s = served(config()).await;
    let mut first = Events::open(s.port, THREAD).await;
    let start = first.event(SECOND).await.id();
    let (a, _) = s.app.comment("Eins", None).await;
    assert_eq!(first.event(SECOND).await.json()["comment"]["id"], a);
    // Three streams start at the newest position: they read nothing.
    let mut current = Vec::new();
    for _ in 0..3 {
        let mut e = Events::open(s.port, THREAD).await;
        e.event(SECOND).await;
        current.push(e);
    }
    // No commit since: one resuming from before the comment reads at the same generation, from its own
    // position, and gets the comment.
    let mut behind = Events::open_from("127.0.0.1", s.port, THREAD, &format!("Last-Event-ID: {start}\r\n")).await;
    assert_eq!(behind.event(SECOND).await.id(), start);
    assert_eq!(behind.event(SECOND).await.json()["comment"]["id"], a);
    // The next comment reaches all five once, with the count.
    let (b, _) = s.app.comment("Zwei", Some(a)).await;
    for e in current.iter_mut().chain([&mut first, &mut behind]) {
        let got = e.event(SECOND).await;
        assert_eq!(got.event.as_deref(), Some("comment.created"));
        assert_eq!(
            (got.json()["comment"]["id"].clone(), got.json()["total"].clone()),
            (json!(b), json!(2))
        );
    }
    for e in current.iter_mut().chain([&mut first, &mut behind]) {
        e.silent_for(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_are_limited_per_address_and_in_all_and_free_their_slot_when_they_close() {
    let s = served(live(LiveConfig {
        max_connections: 3,
        per_address: 2,
        ..LiveConfig::default()
    }))
    .await;
    let open = |from: &'static str| Events::open_from(from, s.port, THREAD, "");
    let mut held = vec![open("127.0.0.2").await, open("127.0.0.2").await];
    for e in &mut held {
        assert_eq!(e.status, 200);
        e.event(SECOND).await;
    }
    let refused = open("127.0.0.2").await;
    assert_eq!(refused.status, 503);
    assert_eq!(refused.header("retry-after"), Some("30"));
    assert_eq!(refused.header("content-type"), Some("application/json"));
    let third = open("127.0.0.3").await;
    assert_eq!(third.status, 200);
    // Three open: the total is reached, for every address.
    assert_eq!(open("127.0.0.4").await.status, 503);
    // A client goes away: its slot is free again as soon as the server sees the connection closed.
    drop(held.pop());
    let since = Instant::now();
    loop {
        let next = open("127.0.0.2").await;
        if next.status == 200 {
            break;
        }
        assert!(since.elapsed() < 2 * SECOND, "the closed stream kept its slot");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(third);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiet_stream_carries_heartbeats() {
    let s = served(live(LiveConfig {
        heartbeat_seconds: 1,
        ..LiveConfig::default()
    }))
    .await;
    let mut events = Events::open(s.port, THREAD).await;
    events.event(SECOND).await;
    let beat = events.block(3 * SECOND).await.unwrap();
    assert_eq!(beat.comment.as_deref(), Some("heartbeat"));
    assert!(beat.event.is_none() && beat.data.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_by_another_process_wakes_the_stream() {
    let s = served(config()).await;
    let (root, _) = s.app.comment("Wurzel", None).await;
    let mut events = Events::open(s.port, THREAD).await;
    events.event(SECOND).await;
    // Another handle on the file has its own writer connection, as `riposte` on the command line would.
    let other = riposte::store::open(&s.app.state.config.database).await.unwrap();
    let removed = Instant::now();
    other.remove_comment(root).await.unwrap();
    let deleted = events.event(3 * SECOND).await;
    assert_eq!(deleted.json(), json!({"id": root, "total": 0}));
    // Seen by the writer's once-a-second look at the file.
    assert!(removed.elapsed() < 2 * SECOND, "took {:?}", removed.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_the_streams_at_once() {
    let mut s = served(config()).await;
    let mut events = Events::open(s.port, THREAD).await;
    events.event(SECOND).await;
    let stopping = Instant::now();
    s.stop.take().unwrap().send(()).unwrap();
    assert!(events.block(2 * SECOND).await.is_none(), "the stream went on");
    tokio::time::timeout(2 * SECOND, &mut s.served)
        .await
        .expect("shutdown waited for the stream")
        .unwrap()
        .unwrap();
    assert!(stopping.elapsed() < 2 * SECOND);
}

#[tokio::test]
async fn unknown_sites_are_404_cors_is_the_reads_and_off_means_404() {
    let app = TestApp::new().await;
    let r = app.get("/api/v1/events?site=nope&uri=/post/").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "not_found");
    let r = app.get("/api/v1/events?site=blog").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app.get("/api/v1/events?site=blog&uri=post").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let off = TestApp::with(live(LiveConfig {
        enabled: false,
        ..LiveConfig::default()
    }))
    .await;
    let r = off.get(&format!("/api/v1/events?{THREAD}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // An allowed origin may read the stream from its pages (EventSource is a CORS request).
    let s = served(config()).await;
    let events = Events::open_from("127.0.0.1", s.port, THREAD, &format!("Origin: {ORIGIN}\r\n")).await;
    assert_eq!(events.header("access-control-allow-origin"), Some(ORIGIN));
    let js = app.get("/live.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.text().contains("riposteLive"));
}
