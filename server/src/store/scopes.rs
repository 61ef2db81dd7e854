//! The generations the response cache checks its entries against, one per page and one per site, moved
//! after each commit by what the backend saw the commit change ([`Touched`]): SQLite's TEMP triggers on the
//! writer connection, PostgreSQL's notifications to every server. Shared by both backends.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// More pages than this in one commit (a large import) move everything instead: one stamp instead of
/// thousands, and the map keeps its bound.
pub const MAX_PAGES_PER_COMMIT: usize = 1024;

/// What one transaction changed that a public answer shows.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Touched {
    /// (site, uri) of every page whose thread changed.
    pub pages: Vec<(String, String)>,
    /// A change the triggers cannot pin to pages (a site's settings, a thread gone with its comments).
    pub everything: bool,
}

impl Touched {
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty() && !self.everything
    }
}

/// Pages stamped at most, with their sites. Past it the maps start over and `epoch` moves: everything built
/// before is stale once, and the memory stays put however many threads a site has (a stamp is kept per page
/// ever written, not per page read, so nothing else would bound it). 50,000 pages are about 1.5 MB.
const MAX_PAGES: usize = 50_000;

/// The generations the response cache checks its entries against.
pub struct Scopes {
    /// The clock: every commit that changed something public takes the next value.
    clock: AtomicU64,
    /// Everything built at a generation below this is stale (site changes, another process writing, the
    /// maps starting over).
    epoch: AtomicU64,
    stamps: RwLock<Stamps>,
    /// The clock again, for those who wait for the next commit (live event streams) rather than ask.
    changes: tokio::sync::watch::Sender<u64>,
}

impl Default for Scopes {
    fn default() -> Self {
        Self {
            clock: AtomicU64::default(),
            epoch: AtomicU64::default(),
            stamps: RwLock::default(),
            changes: tokio::sync::watch::Sender::new(0),
        }
    }
}

#[derive(Default)]
struct Stamps {
    /// Keyed by a hash of (site, uri) and of the site, so that a read allocates nothing. Two pages of one
    /// hash share a stamp: a write to one also refreshes the other, never the reverse.
    pages: HashMap<u64, u64>,
    sites: HashMap<u64, u64>,
}

fn page_key(site: &str, uri: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    (site, uri).hash(&mut h);
    h.finish()
}

fn site_key(site: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    site.hash(&mut h);
    h.finish()
}

impl Scopes {
    /// The generation of one page's thread: of its pages of comments and replies.
    pub fn page(&self, site: &str, uri: &str) -> u64 {
        let stamps = self.stamps.read().unwrap_or_else(|e| e.into_inner());
        let stamp = stamps.pages.get(&page_key(site, uri)).copied().unwrap_or(0);
        stamp.max(self.epoch.load(Ordering::Acquire))
    }

    /// The generation of a site as a whole: of its counts and feeds.
    pub fn site(&self, site: &str) -> u64 {
        let stamps = self.stamps.read().unwrap_or_else(|e| e.into_inner());
        let stamp = stamps.sites.get(&site_key(site)).copied().unwrap_or(0);
        stamp.max(self.epoch.load(Ordering::Acquire))
    }

    /// Called after the commit of `touched` (never before: a read that saw the new stamp must find the
    /// new rows).
    pub fn committed(&self, touched: &Touched) {
        if touched.is_empty() {
            return;
        }
        let generation = self.stamp(touched);
        // After the stamps: whoever wakes finds the generations moved.
        self.changes.send_replace(generation);
    }

    fn stamp(&self, touched: &Touched) -> u64 {
        let mut stamps = self.stamps.write().unwrap_or_else(|e| e.into_inner());
        let generation = self.clock.fetch_add(1, Ordering::AcqRel) + 1;
        if touched.everything || stamps.pages.len() + touched.pages.len() > MAX_PAGES {
            stamps.pages.clear();
            stamps.sites.clear();
            self.epoch.store(generation, Ordering::Release);
            return generation;
        }
        for (site, uri) in &touched.pages {
            stamps.pages.insert(page_key(site, uri), generation);
            stamps.sites.insert(site_key(site), generation);
        }
        generation
    }

    /// Changes with every commit that moved a generation ([`Self::committed`], [`Self::everything`]).
    pub fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// Moves everything: for changes made outside this handle (another process).
    pub fn everything(&self) {
        self.committed(&Touched {
            pages: Vec::new(),
            everything: true,
        });
    }

    /// How many pages carry a stamp (for tests of the bound).
    #[cfg(test)]
    pub fn stamped(&self) -> usize {
        self.stamps.read().unwrap().pages.len()
    }
}
