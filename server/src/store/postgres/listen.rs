//! Every server hears every commit: one connection per server runs `LISTEN riposte_touched` and stamps the
//! pages the notifications name in [`Scopes`] (the response cache and the live streams follow them). A
//! write of this server ends with a notification of its own (`sync NONCE N`) and waits until it comes
//! back: PostgreSQL delivers a transaction's notifications in order, so by then its pages are stamped here.
//!
//! Another server's write reaches this server's listener a moment after its author had the answer, so
//! reads of cached answers first pass a read barrier ([`Listener::caught_up`]): the number of the latest
//! commit (`riposte_commits`, taken by every write just before it commits and named in its closing
//! notification) is read once for all the reads waiting, and they go on once the listener has heard up to
//! it. One round trip shared by every concurrent read, and a client that posted to one server and reads
//! from another never gets the answer from before its comment.
//!
//! The safety nets: when the listening connection drops, the listener reconnects and moves everything
//! (notifications sent meanwhile are lost); and everything moves every [`TTL`] regardless, so an answer
//! cached here is never older than that even if a notification went missing (a write made with `psql`
//! outside a trigger, say).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio_postgres::AsyncMessage;

use crate::store::scopes::{MAX_PAGES_PER_COMMIT, Scopes, Touched};

/// The longest a cached answer lives on a PostgreSQL store, whatever the notifications say.
pub const TTL: Duration = Duration::from_secs(30);
/// How long a write waits for its own notification before it moves everything instead.
const ECHO_WAIT: Duration = Duration::from_secs(2);
/// How long a read waits at the barrier for a commit's notification (a write that took its number and then
/// failed to commit never sends one) before it moves everything instead.
const BARRIER_WAIT: Duration = Duration::from_millis(100);
/// The latest commit's number (0 before the first).
const LATEST: &str = "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM riposte_commits";
const RECONNECT_PAUSE: Duration = Duration::from_millis(500);

pub struct Listener {
    /// Tells this server's notifications from the others'.
    nonce: u64,
    next: AtomicU64,
    waiting: Mutex<HashMap<u64, oneshot::Sender<()>>>,
    scopes: Arc<Scopes>,
    /// The highest commit number heard (or, after listening anew, known to be covered).
    heard: tokio::sync::watch::Sender<i64>,
    /// Reads waiting at the barrier, and the barrier task's bell.
    barrier: Mutex<Vec<oneshot::Sender<()>>>,
    bell: Arc<tokio::sync::Notify>,
}

/// A write's ticket for its own notification.
pub struct Echo {
    id: u64,
    answer: oneshot::Receiver<()>,
}

impl Listener {
    /// Connects the listening connection (an error when it cannot) and keeps it up in the background.
    pub async fn start(
        config: tokio_postgres::Config,
        tls: tokio_postgres_rustls::MakeRustlsConnect,
        scopes: Arc<Scopes>,
    ) -> anyhow::Result<Arc<Self>> {
        let (notes, inbox, latest) = connect(&config, &tls).await?;
        let listener = Arc::new(Self {
            nonce: rand::random(),
            next: AtomicU64::new(0),
            waiting: Mutex::default(),
            scopes,
            heard: tokio::sync::watch::Sender::new(latest),
            barrier: Mutex::default(),
            bell: Arc::default(),
        });
        let weak = Arc::downgrade(&listener);
        tokio::spawn(serve(weak.clone(), config.clone(), tls.clone(), notes, inbox));
        let barrier = config.connect(tls).await?;
        tokio::spawn(barrier.1);
        tokio::spawn(gate(weak, barrier.0));
        Ok(listener)
    }

    /// The statement a write runs just before it commits, and the ticket to wait on after: it takes the
    /// commit's number and notifies it with this server's nonce.
    pub fn sync(&self) -> (String, Echo) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (send, answer) = oneshot::channel();
        self.lock().insert(id, send);
        let statement = format!(
            "SELECT pg_notify('riposte_touched', 'sync {} {id} ' || nextval('riposte_commits'))",
            self.nonce
        );
        (statement, Echo { id, answer })
    }

    /// Returns once this server has heard every commit made before the call (or after [`BARRIER_WAIT`],
    /// having moved everything).
    pub async fn caught_up(&self) {
        let (send, done) = oneshot::channel();
        self.barrier.lock().unwrap_or_else(|e| e.into_inner()).push(send);
        self.bell.notify_one();
        if tokio::time::timeout(BARRIER_WAIT * 2, done).await.is_err() {
            self.scopes.everything();
        }
    }

    /// Waits until the write's notification came back; after [`ECHO_WAIT`] (the listener is reconnecting)
    /// moves everything instead, which is never wrong.
    pub async fn wait(&self, echo: Echo) {
        if tokio::time::timeout(ECHO_WAIT, echo.answer).await.is_err() {
            self.lock().remove(&echo.id);
            self.scopes.everything();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, oneshot::Sender<()>>> {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Applies a run of notifications: the pages stamped at once, then the writes waiting for them told.
    fn apply(&self, payloads: &[String]) {
        let mut touched = Touched::default();
        let mut echoes = Vec::new();
        let mut heard = None;
        let own = self.nonce.to_string();
        for p in payloads {
            if p == "*" {
                touched.everything = true;
            } else if let Some(sync) = p.strip_prefix("sync ") {
                // `sync NONCE ID NUMBER`: a write's last notification, after its pages.
                let mut parts = sync.split(' ');
                let (nonce, id, number) = (parts.next(), parts.next(), parts.next());
                if nonce == Some(own.as_str()) {
                    echoes.extend(id.and_then(|i| i.parse::<u64>().ok()));
                }
                heard = heard.max(number.and_then(|n| n.parse::<i64>().ok()));
            } else {
                match serde_json::from_str::<(String, String)>(p) {
                    Ok(page) => touched.pages.push(page),
                    Err(_) => touched.everything = true,
                }
            }
        }
        if touched.pages.len() > MAX_PAGES_PER_COMMIT {
            touched.pages.clear();
            touched.everything = true;
        }
        // The writes waiting for their echo are let go before the live streams wake.
        self.scopes.committed_then(&touched, || {
            if let Some(n) = heard {
                self.heard.send_if_modified(|h| {
                    let newer = n > *h;
                    *h = (*h).max(n);
                    newer
                });
            }
            let mut waiting = self.lock();
            for id in echoes {
                if let Some(send) = waiting.remove(&id) {
                    let _ = send.send(());
                }
            }
        });
    }

    /// After a gap in listening: everything moves and every waiting write is let go; commits up to
    /// `latest` are covered by the move.
    fn reset(&self, latest: i64) {
        self.scopes.everything();
        self.heard.send_modify(|h| *h = (*h).max(latest));
        for (_, send) in self.lock().drain() {
            let _ = send.send(());
        }
    }
}

/// The listening connection: its client (kept alive while listening), the notifications it receives, and
/// the latest commit's number when it began to listen.
type Connected = (tokio_postgres::Client, mpsc::UnboundedReceiver<String>, i64);

async fn connect(
    config: &tokio_postgres::Config,
    tls: &tokio_postgres_rustls::MakeRustlsConnect,
) -> anyhow::Result<Connected> {
    let (client, mut connection) = config.connect(tls.clone()).await?;
    let (send, inbox) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                Some(Ok(AsyncMessage::Notification(n))) => {
                    if send.send(n.payload().to_owned()).is_err() {
                        return;
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "the listening database connection failed");
                    return;
                }
                None => return,
            }
        }
    });
    client.batch_execute("LISTEN riposte_touched").await?;
    let latest = client.query_one(LATEST, &[]).await?.get(0);
    Ok((client, inbox, latest))
}

/// The read barrier: whenever reads wait, one query reads the latest commit's number, and the reads that
/// were waiting before it was sent go on once the listener heard that far.
async fn gate(listener: std::sync::Weak<Listener>, client: tokio_postgres::Client) {
    loop {
        let Some(l) = listener.upgrade() else { return };
        let waiting: Vec<oneshot::Sender<()>> = {
            let mut queue = l.barrier.lock().unwrap_or_else(|e| e.into_inner());
            std::mem::take(&mut *queue)
        };
        if waiting.is_empty() {
            let bell = l.bell.clone();
            drop(l);
            let bell = bell.notified();
            // Woken by the next read (a permit is kept when it rang meanwhile); the handle is let go while
            // idle so that a dropped store ends this task.
            if tokio::time::timeout(Duration::from_secs(1), bell).await.is_err() && listener.strong_count() == 0 {
                return;
            }
            continue;
        }
        match client.query_one(LATEST, &[]).await {
            Ok(row) => {
                let latest: i64 = row.get(0);
                let mut heard = l.heard.subscribe();
                let reached = tokio::time::timeout(BARRIER_WAIT, heard.wait_for(|h| *h >= latest)).await;
                if !matches!(reached, Ok(Ok(_))) {
                    l.scopes.everything();
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "the read barrier's query failed");
                l.scopes.everything();
            }
        }
        for w in waiting {
            let _ = w.send(());
        }
    }
}

async fn serve(
    listener: std::sync::Weak<Listener>,
    config: tokio_postgres::Config,
    tls: tokio_postgres_rustls::MakeRustlsConnect,
    mut client: tokio_postgres::Client,
    mut inbox: mpsc::UnboundedReceiver<String>,
) {
    let mut latest;
    let mut ttl = tokio::time::interval(TTL);
    ttl.tick().await;
    loop {
        let mut batch = Vec::new();
        tokio::select! {
            n = inbox.recv() => match n {
                Some(p) => batch.push(p),
                None => {
                    // The connection ended: listen again, then nothing heard meanwhile can be trusted.
                    drop(client);
                    loop {
                        if listener.strong_count() == 0 {
                            return;
                        }
                        tokio::time::sleep(RECONNECT_PAUSE).await;
                        match connect(&config, &tls).await {
                            Ok((c, i, n)) => {
                                (client, inbox, latest) = (c, i, n);
                                break;
                            }
                            Err(e) => tracing::warn!(error = %e, "cannot listen to the database yet"),
                        }
                    }
                    let Some(l) = listener.upgrade() else { return };
                    l.reset(latest);
                    continue;
                }
            },
            _ = ttl.tick() => {
                let Some(l) = listener.upgrade() else { return };
                l.scopes.everything();
                continue;
            }
        }
        while let Ok(p) = inbox.try_recv() {
            batch.push(p);
        }
        let Some(l) = listener.upgrade() else { return };
        l.apply(&batch);
    }
}
