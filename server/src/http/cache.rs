//! Rendered answers of the hottest reads (thread pages, counts and feeds) kept in memory until the next write.
//!
//! Every committed write bumps the store's generation number (`Store::generation`); an entry is
//! served only while the generation it was made at is still current, so no write path can forget to
//! invalidate it. Writes by another process (the command line) are not counted there, so entries also
//! expire after [`FRESH_FOR`]. Each entry carries an ETag (a revalidation answers 304) and is gzipped
//! once, when a client first asks for gzip.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;

use super::headers::{Encoding, Representation};

pub const FRESH_FOR: Duration = Duration::from_secs(2);
/// All entries together; past this the cache starts over.
const MAX_BYTES: usize = 8 << 20;

pub struct Cached {
    generation: u64,
    made: Instant,
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
}

impl ResponseCache {
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            entries: Mutex::default(),
        }
    }

    pub fn get(&self, key: &str, generation: u64) -> Option<Arc<Cached>> {
        if !self.enabled {
            return None;
        }
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .0
            .get(key)
            .filter(|c| c.generation == generation && c.made.elapsed() < FRESH_FOR)
            .cloned()
    }

    /// Wraps a freshly made JSON answer, and keeps it when the cache is on.
    pub fn put(&self, key: String, generation: u64, json: Vec<u8>) -> Arc<Cached> {
        self.put_as(key, generation, json, "application/json")
    }

    /// As [`Self::put`], for an answer of another type.
    pub fn put_as(&self, key: String, generation: u64, body: Vec<u8>, content_type: &'static str) -> Arc<Cached> {
        let mut hasher = std::hash::DefaultHasher::new();
        body.hash(&mut hasher);
        let tag = format!("{:016x}", hasher.finish());
        let etags = [Encoding::Identity.etag(&tag), Encoding::Gzip.etag(&tag)];
        let entry = Arc::new(Cached {
            generation,
            made: Instant::now(),
            content_type,
            body: Bytes::from(body),
            gzip: OnceLock::new(),
            etags,
        });
        if self.enabled {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            let (map, bytes) = &mut *entries;
            if *bytes + entry.body.len() > MAX_BYTES {
                map.clear();
                *bytes = 0;
            }
            *bytes += entry.body.len();
            if let Some(old) = map.insert(key, entry.clone()) {
                *bytes -= old.body.len();
            }
        }
        entry
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
