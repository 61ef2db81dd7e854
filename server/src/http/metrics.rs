//! Prometheus metrics (`metrics = true`, `GET /metrics`): requests by route, method and status with a
//! latency histogram per route, and, read when scraped, response-cache hits and misses, database
//! connections, the outbox's depth and open live-update streams. One registry per server state (no global
//! recorder), encoded in the OpenMetrics text format that Prometheus scrapes.

use std::sync::atomic::AtomicI64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The content type of [`Metrics::render`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LookupLabels {
    result: &'static str,
}

/// What a scrape reads from the rest of the server at that moment.
#[derive(Debug, Default, Clone, Copy)]
pub struct Snapshot {
    /// Answers served from the response cache, and answers built (misses), since the start.
    pub cache_hits: u64,
    pub cache_misses: u64,
    /// Database connections open, in use, and at most (SQLite: the writer and its readers).
    pub db_open: i64,
    pub db_busy: i64,
    pub db_max: i64,
    /// Messages queued or waiting for a retry; `None` when the database did not answer.
    pub outbox_depth: Option<i64>,
    /// Transactions the group commit committed, and the writes they held, since the start.
    pub commit_batches: u64,
    pub batched_writes: u64,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    lookups: Family<LookupLabels, Counter>,
    db_open: Gauge,
    db_busy: Gauge,
    db_max: Gauge,
    outbox_depth: Gauge,
    commit_batches: Counter,
    batched_writes: Counter,
    /// Open live-update streams, counted by the events route as they open and close.
    pub live_streams: Gauge<i64, AtomicI64>,
}

fn latency_histogram() -> Histogram {
    // 100 µs to about 6.5 s, doubling.
    Histogram::new(exponential_buckets(0.0001, 2.0, 17))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("riposte");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        let lookups = Family::<LookupLabels, Counter>::default();
        let (db_open, db_busy, db_max, outbox_depth) =
            (Gauge::default(), Gauge::default(), Gauge::default(), Gauge::default());
        let live_streams = Gauge::<i64, AtomicI64>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route, method and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time from request to response head, by route",
            latency.clone(),
        );
        registry.register(
            "cache_lookups",
            "Cacheable reads, by result (hit or miss)",
            lookups.clone(),
        );
        registry.register("db_connections_open", "Database connections open", db_open.clone());
        registry.register("db_connections_busy", "Database connections in use", db_busy.clone());
        registry.register("db_connections_max", "Database connections at most", db_max.clone());
        registry.register(
            "outbox_depth",
            "Notifications queued or waiting for a retry",
            outbox_depth.clone(),
        );
        let (commit_batches, batched_writes) = (Counter::default(), Counter::default());
        registry.register(
            "commit_batches",
            "Transactions committed by the group commit (SQLite: every write; PostgreSQL: new comments)",
            commit_batches.clone(),
        );
        registry.register(
            "batched_writes",
            "Writes those transactions held",
            batched_writes.clone(),
        );
        registry.register("live_streams", "Open live-update (SSE) streams", live_streams.clone());
        Self {
            registry,
            requests,
            latency,
            lookups,
            db_open,
            db_busy,
            db_max,
            outbox_depth,
            commit_batches,
            batched_writes,
            live_streams,
        }
    }
}

impl Metrics {
    /// Counts one answered request. `route` is the matched route pattern (`/api/v1/comments/{id}`), never
    /// the path itself, so that the label set stays small.
    pub fn request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_owned(),
                method: method.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_owned(),
            })
            .observe(seconds);
    }

    /// The text a scrape answers, with the values read at this moment.
    pub fn render(&self, now: Snapshot) -> String {
        let catch_up = |result: &'static str, total: u64| {
            let counter = self.lookups.get_or_create(&LookupLabels { result });
            counter.inc_by(total.saturating_sub(counter.get()));
        };
        catch_up("hit", now.cache_hits);
        catch_up("miss", now.cache_misses);
        for (counter, total) in [
            (&self.commit_batches, now.commit_batches),
            (&self.batched_writes, now.batched_writes),
        ] {
            counter.inc_by(total.saturating_sub(counter.get()));
        }
        self.db_open.set(now.db_open);
        self.db_busy.set(now.db_busy);
        self.db_max.set(now.db_max);
        self.outbox_depth.set(now.outbox_depth.unwrap_or(-1));
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry).expect("writing to a String");
        text
    }

    /// Open streams now (tests).
    pub fn live_streams(&self) -> i64 {
        self.live_streams.get()
    }
}

/// Counts a stream open while it lives.
pub struct StreamOpen(Gauge<i64, AtomicI64>);

impl StreamOpen {
    pub fn new(gauge: &Gauge<i64, AtomicI64>) -> Self {
        gauge.inc();
        Self(gauge.clone())
    }
}

impl Drop for StreamOpen {
    fn drop(&mut self) {
        self.0.dec();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_requests_latency_and_snapshot() {
        let m = Metrics::default();
        m.request("/api/v1/threads", "GET", 200, 0.0003);
        m.request("/api/v1/threads", "GET", 200, 0.002);
        let _open = StreamOpen::new(&m.live_streams);
        let text = m.render(Snapshot {
            cache_hits: 7,
            cache_misses: 2,
            db_open: 3,
            db_busy: 1,
            db_max: 16,
            outbox_depth: Some(4),
            commit_batches: 5,
            batched_writes: 12,
        });
        assert!(
            text.contains(r#"riposte_http_requests_total{route="/api/v1/threads",method="GET",status="200"} 2"#),
            "{text}"
        );
        assert!(
            text.contains(r#"riposte_http_request_duration_seconds_count{route="/api/v1/threads"} 2"#),
            "{text}"
        );
        assert!(
            text.contains(r#"riposte_cache_lookups_total{result="hit"} 7"#),
            "{text}"
        );
        assert!(text.contains("riposte_outbox_depth 4"), "{text}");
        assert!(text.contains("riposte_live_streams 1"), "{text}");
        assert!(text.contains("riposte_commit_batches_total 5"), "{text}");
        assert!(text.contains("riposte_batched_writes_total 12"), "{text}");
        assert!(text.ends_with("# EOF\n"));
        // A second scrape counts on from the first.
        let text = m.render(Snapshot {
            cache_hits: 9,
            ..Snapshot::default()
        });
        assert!(
            text.contains(r#"riposte_cache_lookups_total{result="hit"} 9"#),
            "{text}"
        );
    }
}
