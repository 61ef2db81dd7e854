//! Every server hears every commit: one connection per server runs `LISTEN riposte_touched` and stamps the
//! pages the notifications name in [`Scopes`] (the response cache and the live streams follow them). A
//! write of this server ends with a notification of its own (`sync NONCE N`) and waits until it comes
//! back: PostgreSQL delivers a transaction's notifications in order, so by then its pages are stamped here.
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
const RECONNECT_PAUSE: Duration = Duration::from_millis(500);

pub struct Listener {
    /// Tells this server's notifications from the others'.
    nonce: u64,
    next: AtomicU64,
    waiting: Mutex<HashMap<u64, oneshot::Sender<()>>>,
    scopes: Arc<Scopes>,
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
        let listener = Arc::new(Self {
            nonce: rand::random(),
            next: AtomicU64::new(0),
            waiting: Mutex::default(),
            scopes,
        });
        let (notes, inbox) = connect(&config, &tls).await?;
        let weak = Arc::downgrade(&listener);
        tokio::spawn(serve(weak, config, tls, notes, inbox));
        Ok(listener)
    }

    /// The payload a write notifies before it commits, and the ticket to wait on after.
    pub fn sync(&self) -> (String, Echo) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (send, answer) = oneshot::channel();
        self.lock().insert(id, send);
        (format!("sync {} {id}", self.nonce), Echo { id, answer })
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
        let own = format!("sync {} ", self.nonce);
        for p in payloads {
            if p == "*" {
                touched.everything = true;
            } else if let Some(id) = p.strip_prefix(&own) {
                echoes.extend(id.parse::<u64>().ok());
            } else if p.starts_with("sync ") {
                // Another server's write: its pages came before it.
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
        self.scopes.committed(&touched);
        let mut waiting = self.lock();
        for id in echoes {
            if let Some(send) = waiting.remove(&id) {
                let _ = send.send(());
            }
        }
    }

    /// After a gap in listening: everything moves and every waiting write is let go.
    fn reset(&self) {
        self.scopes.everything();
        for (_, send) in self.lock().drain() {
            let _ = send.send(());
        }
    }
}

/// The listening connection: its client (kept alive while listening) and the notifications it receives.
type Connected = (tokio_postgres::Client, mpsc::UnboundedReceiver<String>);

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
    Ok((client, inbox))
}

async fn serve(
    listener: std::sync::Weak<Listener>,
    config: tokio_postgres::Config,
    tls: tokio_postgres_rustls::MakeRustlsConnect,
    mut client: tokio_postgres::Client,
    mut inbox: mpsc::UnboundedReceiver<String>,
) {
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
                            Ok((c, i)) => {
                                (client, inbox) = (c, i);
                                break;
                            }
                            Err(e) => tracing::warn!(error = %e, "cannot listen to the database yet"),
                        }
                    }
                    let Some(l) = listener.upgrade() else { return };
                    l.reset();
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
