//! Nothing acknowledged is lost on the way to a mailbox: the real binary, its own notify worker, a real
//! SMTP server that is down for a while, and a SIGKILL between the commit and the delivery.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use riposte::domain::notify::DeliveryState;

use crate::helpers::database::TestDb;
use crate::helpers::process::{BIN, Server, http, start_with};
use crate::helpers::smtp::{Mail, SmtpServer, closed_port};

const WAIT: Duration = Duration::from_secs(30);

/// A config whose site holds every comment, with mail to `smtp_port` and retries a fifth of a second
/// apart (the "minute" an outage lasts is made short by configuration, not by sleeping), and a moderator
/// with an address.
fn prepare(dir: &Path, db: &Path, smtp_port: u16) {
    std::fs::write(
        dir.join("riposte.toml"),
        format!(
            "[smtp]\nhost = \"127.0.0.1\"\nport = {smtp_port}\nsecurity = \"none\"\nfrom = \"Ein Blog <riposte@blog.example>\"\n\
             [outbox]\nfirst_retry_seconds = 0.2\n\
             [rate_limits]\ncomments = {{ burst = 1000, every_ms = 1 }}\n\
             [[sites]]\nid = \"blog\"\norigins = [\"https://blog.example\"]\nmoderation = \"all\"\npow = \"off\"\n"
        ),
    )
    .unwrap();
    let mut add = Command::new(BIN)
        .args([
            "moderator",
            "add",
            "mo",
            "--all-sites",
            "--password-stdin",
            "--email",
            "mo@blog.example",
        ])
        .arg("--config")
        .arg(dir.join("riposte.toml"))
        .arg("--database")
        .arg(db)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    add.stdin.take().unwrap().write_all(b"a long password 1\n").unwrap();
    assert!(add.wait().unwrap().success());
}

fn post(server: &Server, text: &str) {
    let body = format!(r#"{{"site":"blog","uri":"/post/","text":"{text}"}}"#);
    let (status, answer) = http(server.port, "POST", "/api/v1/comments", Some(&body)).unwrap();
    assert_eq!(status, 202, "{answer}");
}

/// The outbox as the database says, read through a store of its own (the server keeps running).
async fn states(db: &Path) -> Vec<(DeliveryState, Option<String>)> {
    let store = riposte::store::open(db).await.unwrap();
    let items = store.outbox(None, None, 100).await.unwrap();
    items.into_iter().map(|i| (i.state, i.last_error)).collect()
}

async fn wait_until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let until = Instant::now() + WAIT;
    while !done().await {
        assert!(Instant::now() < until, "{what}: not within {WAIT:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mail_server_down_for_a_while_gets_the_mail_once_it_is_back() {
    let dir = tempfile::tempdir().unwrap();
    let port = closed_port();
    let db = TestDb::new(dir.path());
    prepare(dir.path(), &db.path, port);
    let server = start_with(dir.path(), &db.path);
    post(&server, "Wartet auf den Mailserver");
    // The first attempts fail and are kept for later, with the reason.
    wait_until("a failed attempt recorded", async || {
        let s = states(&db.path).await;
        matches!(s.as_slice(), [(DeliveryState::Retrying, Some(_))])
    })
    .await;
    let error = states(&db.path).await[0].1.clone().unwrap();
    assert!(
        error.contains(&port.to_string()) || error.to_lowercase().contains("connect"),
        "{error}"
    );
    // The server comes back on the same port: the next retry delivers.
    let smtp = SmtpServer::start_on(port);
    let mails = smtp.wait_for(1, WAIT);
    let mail = Mail::parse(&mails[0]);
    assert!(mail.text.contains("Wartet auf den Mailserver"), "{}", mail.text);
    wait_until("the message marked sent", async || {
        states(&db.path).await.iter().all(|(s, _)| *s == DeliveryState::Sent)
    })
    .await;
    assert_eq!(smtp.messages().len(), 1, "sent once");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sigkill_between_commit_and_delivery_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let port = closed_port();
    // SQLite on both passes of the suite: releasing a killed worker's claims at start is right only when
    // one server owns the database (on PostgreSQL, where servers share the outbox, a dead server's claims
    // run out after `CLAIM_MS` instead; docs/scaling.md).
    let db = dir.path().join("riposte.db");
    prepare(dir.path(), &db, port);
    let mut server = start_with(dir.path(), &db);
    let texts: Vec<String> = (1..=5).map(|i| format!("Kommentar {i} vor dem Absturz")).collect();
    for text in &texts {
        post(&server, text);
    }
    // Killed at once: whatever the worker did or did not try, every acknowledged comment's mail is in the
    // database file.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    assert_eq!(states(&db).await.len(), 5);
    // As if the process had died in the middle of an attempt: a claim it could not give back.
    let store = riposte::store::open(&db).await.unwrap();
    let now = riposte::domain::time::now_ms();
    let held = store.claim_outbox(now + 1_000, 1).await.unwrap();
    assert_eq!(held.len(), 1, "one message claimed for a minute");
    drop(store);
    let smtp = SmtpServer::start_on(port);
    let _again = start_with(dir.path(), &db);
    let mails: Vec<Mail> = smtp.wait_for(5, WAIT).iter().map(|m| Mail::parse(m)).collect();
    for text in &texts {
        assert_eq!(
            mails.iter().filter(|m| m.text.contains(text.as_str())).count(),
            1,
            "{text}"
        );
    }
    wait_until("every message marked sent", async || {
        states(&db).await.iter().all(|(s, _)| *s == DeliveryState::Sent)
    })
    .await;
}

/// Two servers on one PostgreSQL database, each with its notify worker: every message is delivered once,
/// by one of them (claims are taken with `FOR UPDATE SKIP LOCKED`).
#[tokio::test(flavor = "multi_thread")]
async fn two_servers_on_one_database_deliver_each_message_once() {
    let dir = tempfile::tempdir().unwrap();
    let smtp = SmtpServer::start();
    let db = TestDb::postgres(&crate::helpers::database::cluster());
    prepare(dir.path(), &db.path, smtp.port());
    let servers = [start_with(dir.path(), &db.path), start_with(dir.path(), &db.path)];
    let texts: Vec<String> = (1..=10).map(|i| format!("Kommentar {i} für zwei Server")).collect();
    for (i, text) in texts.iter().enumerate() {
        post(&servers[i % 2], text);
    }
    let mails: Vec<Mail> = smtp.wait_for(10, WAIT).iter().map(|m| Mail::parse(m)).collect();
    wait_until("every message marked sent", async || {
        states(&db.path).await.iter().all(|(s, _)| *s == DeliveryState::Sent)
    })
    .await;
    // A second delivery would come within the workers' next rounds (each looks twice a second).
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(smtp.messages().len(), 10, "ten messages, ten mails");
    for text in &texts {
        assert_eq!(
            mails.iter().filter(|m| m.text.contains(text.as_str())).count(),
            1,
            "{text}"
        );
    }
}
