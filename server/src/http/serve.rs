//! The accept loop. axum's own `serve` sets no timeouts, so a client that sends its headers one byte a
//! minute would hold a connection forever; thousands of them would starve the server. Here every
//! connection must send its request headers within [`HEADER_TIMEOUT`] (also between keep-alive requests),
//! every request must be answered within [`REQUEST_TIMEOUT`] (slow bodies included, in `routes`), at most
//! [`Limits::max_connections`] are open at once and at most [`Limits::per_peer`] from one address (its /64
//! for IPv6; trusted proxies are exempt, all traffic arrives from them). When the free slots run short,
//! idle keep-alive connections (served before, nothing in flight) are asked to close, oldest first, so
//! that waiting clients get their turn; a fresh connection still sending its first request is left alone.
//! A response that streams on (a live event stream: its head came within the timeout) ends when
//! [`Draining`] says the server is shutting down.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Notify, Semaphore};
use tower::ServiceExt;

use super::client::{TrustedProxies, normalize};

pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The default of `max_connections` (the configuration's), which [`Limits::new`] takes.
pub const MAX_CONNECTIONS: usize = 4096;
/// How long shutdown waits for in-flight requests.
const DRAIN: Duration = Duration::from_secs(30);

/// In every request's extensions: tells a response that never ends by itself (a live event stream) that
/// the server is shutting down, so that it ends at once instead of holding shutdown for [`DRAIN`].
#[derive(Clone)]
pub struct Draining(tokio::sync::watch::Receiver<bool>);

impl Draining {
    /// Resolves once the server begins to shut down.
    pub async fn wait(mut self) {
        // An error: the accept loop is gone, which is a shutdown too.
        let _ = self.0.wait_for(|draining| *draining).await;
    }
}

/// How many connections may be open.
#[derive(Clone)]
pub struct Limits {
    /// In all.
    pub max_connections: usize,
    /// From one peer address (IPv6: one /64).
    pub per_peer: usize,
    /// Peers without a per-peer cap: the trusted proxies.
    pub exempt: TrustedProxies,
}

impl Limits {
    /// The defaults: [`MAX_CONNECTIONS`] in all and `per_peer` from each peer but `exempt`.
    pub fn new(per_peer: usize, exempt: TrustedProxies) -> Self {
        Self {
            max_connections: MAX_CONNECTIONS,
            per_peer,
            exempt,
        }
    }

    /// Free slots below which idle connections are asked to close: a sixteenth of them, at least one.
    fn low_water(&self) -> usize {
        (self.max_connections / 16).max(1)
    }
}

/// One open connection, as the accept loop sees it.
#[derive(Default)]
struct Conn {
    /// Requests being answered now; 0 is an idle keep-alive connection (or one still sending headers).
    in_flight: AtomicUsize,
    /// Set once a request reached the app: only such a connection is idle when nothing is in flight. A
    /// fresh one is about to send its request; closing it would answer a client of a burst with nothing.
    served: AtomicBool,
    /// Set once the connection was asked to close.
    asked: AtomicBool,
    close: Notify,
}

impl Conn {
    fn ask_to_close(&self) {
        if !self.asked.swap(true, Ordering::AcqRel) {
            self.close.notify_one();
        }
    }
}

/// The open connections, by age, and how many each peer holds.
#[derive(Default)]
struct Registry {
    next: u64,
    open: BTreeMap<u64, Arc<Conn>>,
    per_peer: HashMap<IpAddr, usize>,
}

type Shared = Arc<Mutex<Registry>>;

fn lock(r: &Shared) -> std::sync::MutexGuard<'_, Registry> {
    r.lock().unwrap_or_else(|e| e.into_inner())
}

/// Takes a connection out of the registry when its task ends.
struct Registered {
    registry: Shared,
    id: u64,
    peer: Option<IpAddr>,
}

impl Drop for Registered {
    fn drop(&mut self) {
        let mut r = lock(&self.registry);
        r.open.remove(&self.id);
        let Some(peer) = self.peer else { return };
        if let Some(n) = r.per_peer.get_mut(&peer) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                r.per_peer.remove(&peer);
            }
        }
    }
}

/// Registers a connection from `peer` (`None`: exempt from the per-peer cap), unless that peer holds
/// `per_peer` already.
fn register(registry: &Shared, peer: Option<IpAddr>, per_peer: usize) -> Option<(Registered, Arc<Conn>)> {
    let mut r = lock(registry);
    if let Some(peer) = peer {
        let n = r.per_peer.entry(peer).or_default();
        if *n >= per_peer {
            return None;
        }
        *n += 1;
    }
    let id = r.next;
    r.next += 1;
    let conn = Arc::new(Conn::default());
    r.open.insert(id, conn.clone());
    Some((
        Registered {
            registry: registry.clone(),
            id,
            peer,
        },
        conn,
    ))
}

/// Asks up to `n` idle keep-alive connections to close, oldest first.
fn close_idle(registry: &Shared, n: usize) {
    let r = lock(registry);
    r.open
        .values()
        .filter(|c| {
            c.served.load(Ordering::Acquire)
                && c.in_flight.load(Ordering::Acquire) == 0
                && !c.asked.load(Ordering::Acquire)
        })
        .take(n)
        .for_each(|c| c.ask_to_close());
}

/// Counts a request as in flight on its connection until its response is sent ([`Tracked`]).
struct Busy(Arc<Conn>);

impl Busy {
    fn new(conn: Arc<Conn>) -> Self {
        conn.in_flight.fetch_add(1, Ordering::AcqRel);
        conn.served.store(true, Ordering::Release);
        Self(conn)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A response body that keeps its request in flight until hyper is done with it: a connection whose answer
/// streams on (a live event stream) is never taken for an idle one.
struct Tracked {
    body: axum::body::Body,
    _busy: Busy,
}

impl hyper::body::Body for Tracked {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}

pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let registry = Shared::default();
    let (drain, draining) = tokio::sync::watch::channel(false);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        if slots.available_permits() < limits.low_water() {
            close_idle(&registry, limits.low_water() - slots.available_permits());
        }
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let exempt = limits.exempt.iter().any(|net| net.contains(&peer.ip()));
        let key = (!exempt).then(|| normalize(peer.ip()));
        let Some((registered, conn)) = register(&registry, key, limits.per_peer) else {
            // Closed at once: this address holds its share of the slots already.
            tracing::debug!("connection refused: too many from one address");
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let in_service = conn.clone();
        let draining = draining.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            req.extensions_mut().insert(Draining(draining.clone()));
            let busy = Busy::new(in_service.clone());
            let answer = app.clone().oneshot(req.map(axum::body::Body::new));
            async move {
                let response = answer.await;
                response.map(|r| r.map(|body| Tracked { body, _busy: busy }))
            }
        });
        let connection = http.serve_connection(TokioIo::new(stream), service);
        tokio::spawn(async move {
            tokio::pin!(connection);
            let mut closing = false;
            loop {
                tokio::select! {
                    ended = connection.as_mut() => {
                        // A client's broken request or a reset: hyper answered what it could (a 400 for an
                        // unparsable head) or closed; said at debug, as no request reached the app.
                        if let Err(e) = ended {
                            tracing::debug!(error = %e, %peer, "connection ended with an error");
                        }
                        break;
                    }
                    // hyper closes an idle connection at once, a busy one after its current answer.
                    () = conn.close.notified(), if !closing => {
                        closing = true;
                        connection.as_mut().graceful_shutdown();
                    }
                }
            }
            drop(registered);
            drop(permit);
        });
    }
    drop(listener);
    drain.send_replace(true);
    for conn in lock(&registry).open.values() {
        conn.ask_to_close();
    }
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    if tokio::time::timeout(DRAIN, slots.acquire_many(all)).await.is_err() {
        tracing::warn!("some connections were still busy after {DRAIN:?}; closing them");
    }
    Ok(())
}
