//! Rendered answers of the hottest reads (thread pages, counts and feeds) kept in memory until a write changes them.
//!
//! Each entry is made at a generation of its scope: a thread page or replies page at its thread's
//! (`Store::thread_generation`), counts and feeds at their site's (`Store::site_generation`). The store
//! moves a scope's generation after every commit that changed rows of it, seen by the database itself, so
//! no write path can forget to invalidate, and a write to one thread leaves every other thread's entries
//! in place. Writes by another process (the command line) move every scope, within about a second. Each
//! entry carries an ETag (a revalidation answers 304) and is gzipped once, when a client first asks for
//! gzip.
//!
//! Concurrent misses of one key at one generation share one build ([`ResponseCache::get_or_build`]), and
//! no entry larger than [`MAX_ENTRY`] is kept, so one huge answer cannot push every other one out.

use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;

use super::headers::{Encoding, Representation};

/// All entries together. Past this, the entries not read since the last time it was reached go (a second
/// chance: the head of a Zipf-shaped load stays in memory while the tail comes and goes); when that frees
/// too little, the cache starts over.
const MAX_BYTES: usize = 8 << 20;
/// The largest entry kept: a sixteenth of the budget.
pub const MAX_ENTRY: usize = MAX_BYTES / 16;

/// One build in progress, shared by every request that missed the same key at the same generation.
type Flight = Arc<tokio::sync::OnceCell<Arc<Cached>>>;

pub struct Cached {
    generation: u64,
    /// Read since the last sweep.
    read: std::sync::atomic::AtomicBool,
    content_type: &'static str,
    body: Bytes,
    gzip: OnceLock<Bytes>,
    /// Entity tags of the identity and the gzip answer.
    etags: [HeaderValue; 2],
}

#[derive(Default)]
pub struct ResponseCache {
    enabled: bool,
    entries: Mutex<(HashMap<String, Arc<Cached>>, usize)>,
    flights: Mutex<HashMap<(String, u64), Flight>>,
    /// Answers made (every miss), kept or not: tests watch it to see which reads the cache served.
    made: AtomicU64,
    /// Answers served from the cache.
    hits: AtomicU64,
}

impl ResponseCache {
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            ..Self::default()
        }
    }

    /// The cached answer for `key`, or one made by `build`: concurrent callers that miss the same key at
    /// the same generation wait for one build and share its answer (also when it is too large to keep).
    pub async fn get_or_build<E, F, Fut>(&self, key: String, generation: u64, build: F) -> Result<Arc<Cached>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Vec<u8>, E>>,
    {
        if let Some(hit) = self.get(&key, generation) {
            return Ok(hit);
        }
        let flight_key = (key, generation);
        let flight: Flight = self
            .flights
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(flight_key.clone())
            .or_default()
            .clone();
        // Ends the flight when this caller is done or dropped (a client gone, a timeout): no flight outlives
        // its callers, and a caller never ends a newer flight of the same key.
        let _landing = Landing {
            flights: &self.flights,
            key: &flight_key,
            flight: &flight,
        };
        flight
            .get_or_try_init(|| async { Ok(self.put(flight_key.0.clone(), generation, build().await?)) })
            .await
            .cloned()
    }

    pub fn get(&self, key: &str, generation: u64) -> Option<Arc<Cached>> {
        if !self.enabled {
            return None;
        }
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let found = entries.0.get(key).filter(|c| c.generation == generation)?;
        found.read.store(true, Ordering::Relaxed);
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(found.clone())
    }

    /// Wraps a freshly made JSON answer, and keeps it when the cache is on.
    pub fn put(&self, key: String, generation: u64, json: Vec<u8>) -> Arc<Cached> {
        self.put_as(key, generation, json, "application/json")
    }

    /// As [`Self::put`], for an answer of another type.
    pub fn put_as(&self, key: String, generation: u64, body: Vec<u8>, content_type: &'static str) -> Arc<Cached> {
        self.made.fetch_add(1, Ordering::Relaxed);
        // A CRC-32 of the body with its length: a changed answer gets a new tag but for a 1 in 4 billion
        // chance, at the memory's speed (SipHash of a 100 KB thread page was 1.4% of a cache-missing load's
        // CPU); and it is the same for every server of a fleet.
        let mut crc = flate2::Crc::new();
        crc.update(&body);
        let tag = format!("{:08x}{:x}", crc.sum(), crc.amount());
        let etags = [Encoding::Identity.etag(&tag), Encoding::Gzip.etag(&tag)];
        let entry = Arc::new(Cached {
            generation,
            read: std::sync::atomic::AtomicBool::new(false),
            content_type,
            body: Bytes::from(body),
            gzip: OnceLock::new(),
            etags,
        });
        if self.enabled && entry.body.len() <= MAX_ENTRY {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            let (map, bytes) = &mut *entries;
            if *bytes + entry.body.len() > MAX_BYTES {
                map.retain(|_, c| {
                    let keep = c.read.swap(false, Ordering::Relaxed);
                    if !keep {
                        *bytes -= c.body.len();
                    }
                    keep
                });
                if *bytes + entry.body.len() > MAX_BYTES {
                    map.clear();
                    *bytes = 0;
                }
            }
            *bytes += entry.body.len();
            if let Some(old) = map.insert(key, entry.clone()) {
                *bytes -= old.body.len();
            }
        }
        entry
    }
}

impl ResponseCache {
    /// How many answers were made since the start (each miss makes one; a hit makes none).
    pub fn made(&self) -> u64 {
        self.made.load(Ordering::Relaxed)
    }

    /// How many answers were served from the cache since the start.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }
}

struct Landing<'a> {
    flights: &'a Mutex<HashMap<(String, u64), Flight>>,
    key: &'a (String, u64),
    flight: &'a Flight,
}

impl Drop for Landing<'_> {
    fn drop(&mut self) {
        let mut flights = self.flights.lock().unwrap_or_else(|e| e.into_inner());
        if flights.get(self.key).is_some_and(|f| Arc::ptr_eq(f, self.flight)) {
            flights.remove(self.key);
        }
    }
}

impl Cached {
    /// The answer: 304 when the client's copy is current, gzipped when the client takes gzip.
    pub fn respond(&self, headers: &HeaderMap) -> Response {
        let encoding = if self.body.len() > 1024 {
            Encoding::negotiate(headers, &[Encoding::Gzip])
        } else {
            Encoding::Identity
        };
        let answer = Representation {
            etag: &self.etags[usize::from(encoding != Encoding::Identity)],
            content_type: self.content_type,
            encoding,
            // Comments change: a browser may keep the answer but must ask (cheaply, with the ETag) each time.
            cache_control: "no-cache",
        };
        answer.respond(headers, || match encoding {
            Encoding::Identity => self.body.clone(),
            _ => self
                .gzip
                .get_or_init(|| {
                    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
                    enc.write_all(&self.body).expect("writing to memory");
                    Bytes::from(enc.finish().expect("writing to memory"))
                })
                .clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn concurrent_misses_of_one_key_share_one_build() {
        let cache = Arc::new(ResponseCache::new(true));
        let builds = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..32)
            .map(|_| {
                let (cache, builds) = (cache.clone(), builds.clone());
                tokio::spawn(async move {
                    cache
                        .get_or_build("k".into(), 1, || async {
                            builds.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            Ok::<_, ()>(b"[1]".to_vec())
                        })
                        .await
                        .unwrap()
                        .body
                        .clone()
                })
            })
            .collect();
        for t in tasks {
            assert_eq!(&t.await.unwrap()[..], b"[1]");
        }
        assert_eq!(builds.load(Ordering::SeqCst), 1);
        // A new generation builds again.
        cache
            .get_or_build("k".into(), 2, || async { Ok::<_, ()>(b"[2]".to_vec()) })
            .await
            .unwrap();
        assert_eq!(&cache.get("k", 2).unwrap().body[..], b"[2]");
    }

    #[tokio::test]
    async fn a_build_whose_callers_all_went_away_leaves_no_flight_behind() {
        let cache = Arc::new(ResponseCache::new(true));
        for after in 0..20 {
            let c = cache.clone();
            let task = tokio::spawn(async move {
                c.get_or_build(format!("k{after}"), 1, || async {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                    Ok::<_, ()>(b"[]".to_vec())
                })
                .await
            });
            // Until the build is under way, then the caller goes.
            while cache.flights.lock().unwrap().is_empty() {
                tokio::task::yield_now().await;
            }
            task.abort();
            let _ = task.await;
        }
        assert!(
            cache.flights.lock().unwrap().is_empty(),
            "before: one entry per abandoned key, forever"
        );
    }

    #[tokio::test]
    async fn an_entry_over_a_sixteenth_of_the_budget_is_served_but_not_kept() {
        let cache = ResponseCache::new(true);
        let big = vec![b' '; MAX_ENTRY + 1];
        let entry = cache.put("big".into(), 1, big);
        assert_eq!(entry.body.len(), MAX_ENTRY + 1);
        assert!(cache.get("big", 1).is_none());
        cache.put("small".into(), 1, b"{}".to_vec());
        assert!(cache.get("small", 1).is_some());
    }

    #[test]
    fn when_full_the_entries_read_since_the_last_sweep_stay() {
        let cache = ResponseCache::new(true);
        // Sixteen entries of a sixteenth each fill the budget; the first four are read, the rest not.
        let body = || vec![b'x'; MAX_ENTRY - 100];
        for i in 0..16 {
            cache.put(format!("page{i}"), 1, body());
        }
        for i in 0..4 {
            assert!(cache.get(&format!("page{i}"), 1).is_some());
        }
        cache.put("newcomer".into(), 1, body());
        for i in 0..4 {
            assert!(cache.get(&format!("page{i}"), 1).is_some(), "the read page{i} stays");
        }
        for i in 4..16 {
            assert!(cache.get(&format!("page{i}"), 1).is_none(), "the unread page{i} went");
        }
        assert!(cache.get("newcomer", 1).is_some());
    }
}
