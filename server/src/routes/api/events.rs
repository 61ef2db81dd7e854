//! `GET /api/v1/events?site=S&uri=U`: the thread of one page as a stream of Server-Sent Events: comments
//! published, edited and deleted, with the thread's count, each with an `id:` that `Last-Event-ID` resumes
//! from. A stream sleeps until the store says a commit touched its page, and reads only when its thread's
//! generation moved; the streams of a page that wake at one position share that read and its serialized
//! events. It ends when the client goes, and when the server shuts down.
//!
//! Streams have a router of their own: their own rate-limit bucket (with the reads' numbers), so that
//! reconnects never eat into the budget of thread reads, and the `[live]` limits on open streams.

use std::sync::atomic::AtomicI64;

use prometheus_client::metrics::gauge::Gauge;

use crate::http::metrics::{Metrics, StreamOpen};
use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use tokio::sync::watch;
use tracing::instrument;

mod read;
use read::{BATCH, Read, SharedRead};

use super::known_site;
use super::openapi::LiveErrors;
use crate::config::LiveConfig;
use crate::domain::{FieldError, PageUri, SiteId};
use crate::error::{AppError, Result};
use crate::http::client::ClientIp;
use crate::http::error_response;
use crate::http::query::Query;
use crate::http::serve::Draining;
use crate::state::AppState;
use crate::store::Store;

/// Seconds a refused client is asked to wait.
const RETRY_AFTER: u64 = 30;

/// The route, with the count of open streams it keeps within `config`.
pub fn router(config: &LiveConfig, metrics: Option<&Metrics>) -> Router<AppState> {
    let mut live = Live::new(config.clone());
    live.gauge = metrics.map(|m| m.live_streams.clone());
    Router::new()
        .route("/events", get(events))
        .layer(Extension(Arc::new(live)))
}

/// The open streams, counted in all and per client address, and the reads they share.
pub struct Live {
    config: LiveConfig,
    open: Mutex<Open>,
    /// `riposte_live_streams` of `/metrics`, when metrics are on.
    gauge: Option<Gauge<i64, AtomicI64>>,
    reads: Mutex<Reads>,
}

/// Per page (site, uri), the newest read of its events: (generation, position read after, the read).
type Reads = HashMap<(String, String), (u64, i64, SharedRead)>;

#[derive(Default)]
struct Open {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

impl Live {
    fn new(config: LiveConfig) -> Self {
        Self {
            config,
            open: Mutex::default(),
            gauge: None,
            reads: Mutex::default(),
        }
    }

    /// The read of `site`'s page `uri` after `after` at `generation`: the one another stream started, or a
    /// new one. Kept per page, the newest only; the map starts over past one entry per stream allowed.
    fn read(&self, site: &str, uri: &str, generation: u64, after: i64) -> SharedRead {
        let mut reads = self.reads.lock().unwrap_or_else(|e| e.into_inner());
        let key = (site.to_owned(), uri.to_owned());
        if let Some((g, a, read)) = reads.get(&key)
            && (*g, *a) == (generation, after)
        {
            return read.clone();
        }
        if reads.len() >= self.config.max_connections {
            reads.clear();
        }
        let read = SharedRead::default();
        reads.insert(key, (generation, after, read.clone()));
        read
    }

    /// A place for one more stream from `address`, or why there is none.
    fn take(self: &Arc<Self>, address: IpAddr) -> std::result::Result<Slot, &'static str> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if open.total >= self.config.max_connections {
            return Err("too many live connections to this server; try again later");
        }
        let n = open.by_address.entry(address).or_default();
        if *n >= self.config.per_address {
            return Err("too many live connections from this address; try again later");
        }
        *n += 1;
        open.total += 1;
        Ok(Slot {
            live: self.clone(),
            address,
            _counted: self.gauge.as_ref().map(StreamOpen::new),
        })
    }
}

/// One stream's place, given back when the stream is dropped: the client went away (seen at once, or at
/// the latest when the next heartbeat cannot be written), or the server shuts down.
struct Slot {
    live: Arc<Live>,
    address: IpAddr,
    _counted: Option<StreamOpen>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.live.open.lock().unwrap_or_else(|e| e.into_inner());
        open.total = open.total.saturating_sub(1);
        if let Some(n) = open.by_address.get_mut(&self.address) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.by_address.remove(&self.address);
            }
        }
    }
}

/// One event of the stream as a client sees it: the OpenAPI document describes a `text/event-stream`
/// answer by its events (schemathesis checks each one against this).
#[derive(utoipa::ToSchema)]
#[allow(dead_code, reason = "a schema only: the events themselves are axum's `Event`s")]
pub struct StreamEvent {
    /// `ready` first, then `comment.created`, `comment.edited` or `comment.deleted`; absent on a line that
    /// only moves the position.
    #[schema(pattern = r"^(ready|comment\.(created|edited|deleted))$")]
    event: Option<String>,
    /// The position to resume from (`Last-Event-ID`).
    #[schema(pattern = "^[0-9]+$")]
    id: Option<String>,
    /// JSON: `{"comment": {...}, "total": N}` for created and edited, `{"id": ID, "total": N}` for
    /// deleted, `{}` for ready.
    data: Option<String>,
    /// Milliseconds to wait before reconnecting, on `ready`.
    retry: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/events", tag = "threads",
    params(
        ("site" = String, Query, description = "site id", example = "demo"),
        ("uri" = String, Query, description = "page path, starting with /", example = "/"),
        ("last_event_id" = Option<i64>, Query, description = "resume after this event id, as the `Last-Event-ID` header does (which wins)"),
        ("Last-Event-ID" = Option<i64>, Header, description = "resume after this event id (EventSource sends it when it reconnects)"),
    ),
    responses(
        (status = 200, description = "a stream of `comment.created`, `comment.edited` and `comment.deleted` events; see docs/api.md", body = StreamEvent, content_type = "text/event-stream"),
        LiveErrors
    ))]
/// `GET /api/v1/events?site=S&uri=U[&last_event_id=ID]`
#[instrument(level = "debug", skip_all)]
pub async fn events(
    State(state): State<AppState>,
    Extension(live): Extension<Arc<Live>>,
    client: Option<Extension<ClientIp>>,
    draining: Option<Extension<Draining>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response> {
    if !live.config.enabled {
        return Err(AppError::NotFound("live updates are off on this server"));
    }
    let q = Query::parse(raw.as_deref());
    let (site, _) = known_site(&state, q.required("site")?).await?;
    let uri = PageUri::parse(q.required("uri")?)?;
    let resume = resume_after(&headers, &q)?;
    let address = client.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |Extension(ClientIp(ip))| ip);
    let slot = match live.take(address) {
        Ok(slot) => slot,
        Err(why) => return Ok(busy(why)),
    };
    let newest = state.store.last_event_id(site.clone(), uri.clone()).await?;
    // An id beyond the newest (a database restored from a backup) must not hide the events to come.
    let start = resume.map_or(newest, |id| id.min(newest));
    // The first event names where the stream starts: a client that loses the connection before any other
    // event came resumes from there, and misses nothing. The retry delay is spread, so that the clients of
    // a restarted server do not all come back in the same instant.
    let first = Event::default()
        .event("ready")
        .id(start.to_string())
        .retry(Duration::from_millis(rand::random_range(1000..4000)))
        .data("{}");
    let follower = Follower {
        store: state.store.clone(),
        changes: state.store.page_changes(site.as_str(), uri.as_str()),
        site,
        uri,
        last: start,
        read_at: None,
        queue: VecDeque::from([first]),
        draining: match draining {
            Some(Extension(d)) => Box::pin(d.wait()),
            None => Box::pin(std::future::pending()),
        },
        slot,
    };
    let stream = futures_util::stream::unfold(follower, Follower::next);
    let heartbeat = KeepAlive::new()
        .interval(Duration::from_secs(live.config.heartbeat_seconds))
        .text("heartbeat");
    let mut response = Sse::new(stream).keep_alive(heartbeat).into_response();
    let h = response.headers_mut();
    // No cache, no proxy buffering or compressing the stream (nginx reads X-Accel-Buffering).
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-transform"),
    );
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

/// The event id to resume after: the `Last-Event-ID` header (sent by EventSource when it reconnects), or
/// the `last_event_id` parameter (a client that opens a new EventSource after a refusal).
fn resume_after(headers: &HeaderMap, q: &Query) -> Result<Option<i64>> {
    let given = match headers.get("last-event-id") {
        Some(v) => Some(v.to_str().unwrap_or("-")),
        None => q.one("last_event_id"),
    }
    .filter(|v| !v.trim().is_empty());
    given
        .map(|v| {
            v.trim()
                .parse::<i64>()
                .ok()
                .filter(|id| *id >= 0)
                .ok_or_else(|| FieldError::new("last_event_id", "must be an event id (a number of 0 or more)").into())
        })
        .transpose()
}

/// 503 with a JSON error and `Retry-After`, as the other limits answer.
fn busy(why: &'static str) -> Response {
    let mut response = error_response(StatusCode::SERVICE_UNAVAILABLE, "busy", why, None);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER));
    response
}

/// One client's stream: where it is, and what waits to be sent.
struct Follower {
    store: Arc<dyn Store>,
    changes: watch::Receiver<u64>,
    site: SiteId,
    uri: PageUri,
    /// The id the client has last: sent, or where the stream started.
    last: i64,
    /// The thread's generation when its events were last read; `None`: read now.
    read_at: Option<u64>,
    queue: VecDeque<Event>,
    draining: Pin<Box<dyn Future<Output = ()> + Send>>,
    /// Held for the stream's life; its `Live` shares the reads.
    slot: Slot,
}

impl Follower {
    /// The next event to send; `None` ends the stream.
    async fn next(mut self) -> Option<(std::result::Result<Event, Infallible>, Self)> {
        loop {
            if let Some(event) = self.queue.pop_front() {
                return Some((Ok(event), self));
            }
            // Seen before the generation is read: a commit after this point wakes the wait below.
            self.changes.borrow_and_update();
            let generation = self.store.thread_generation(self.site.as_str(), self.uri.as_str());
            if self.read_at != Some(generation) {
                let shared = self
                    .slot
                    .live
                    .read(self.site.as_str(), self.uri.as_str(), generation, self.last);
                let (store, site, uri, after) = (self.store.clone(), self.site.clone(), self.uri.clone(), self.last);
                let read = shared
                    .get_or_try_init(|| async move {
                        let batch = store.events_after(site, uri, after, BATCH).await?;
                        Ok::<_, crate::store::StoreError>(Arc::new(Read::new(batch)))
                    })
                    .await;
                match read {
                    Ok(read) => {
                        // A full batch: more may wait, so read again before sleeping.
                        self.read_at = (!read.full).then_some(generation);
                        self.queue.extend(read.events.iter().cloned());
                        if let Some(last) = read.last {
                            self.last = last;
                        }
                    }
                    Err(e) => {
                        // The client reconnects with its Last-Event-ID and misses nothing.
                        tracing::error!(error = %e, "failed to read live events; the stream ends");
                        return None;
                    }
                }
                continue;
            }
            tokio::select! {
                changed = self.changes.changed() => if changed.is_err() {
                    return None;
                },
                () = self.draining.as_mut() => return None,
            }
        }
    }
}
