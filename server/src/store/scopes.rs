//! The generations the response cache checks its entries against, one per page and one per site, moved
//! after each commit by what the backend saw the commit change ([`Touched`]): SQLite's TEMP triggers on the
//! writer connection, PostgreSQL's notifications to every server. Shared by both backends. Live streams
//! wait on a signal of their page's, so that a commit wakes the streams of the pages it touched and no
//! others (with 10,000 streams open, waking all of them cost 39 ms of CPU per comment: bench/RESULTS.md).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};

use tokio::sync::watch;

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
#[derive(Default)]
pub struct Scopes {
    /// The clock: every commit that changed something public takes the next value.
    clock: AtomicU64,
    /// Everything built at a generation below this is stale (site changes, another process writing, the
    /// maps starting over).
    epoch: AtomicU64,
    stamps: RwLock<Stamps>,
    /// The clock again, per followed page, for those who wait for their page's next commit (live event
    /// streams) rather than ask.
    followed: Mutex<Followed>,
}

/// A signal per page that someone follows, by the pages' key of [`Stamps`] (two pages of one hash share a
/// signal: a follower of one wakes for the other too, and finds its generation unmoved).
#[derive(Default)]
struct Followed {
    pages: HashMap<u64, watch::Sender<u64>>,
    /// How many signals were left after the last sweep of those nobody follows any more.
    swept: usize,
}

impl Followed {
    /// Takes out the signals of pages nobody follows once the map has doubled since the last sweep: the
    /// map stays within twice the pages followed, at a cost spread over the follows.
    fn sweep(&mut self) {
        if self.pages.len() >= 2 * self.swept.max(64) {
            self.pages.retain(|_, signal| signal.receiver_count() > 0);
            self.swept = self.pages.len();
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
        self.committed_then(touched, || {});
    }

    /// As [`Self::committed`], calling `answer` (the writers' acknowledgements) once the stamps moved and
    /// before the followers wake: with thousands of live streams on the page, the writer's answer does not
    /// wait behind their wake-ups in the runtime's queue.
    pub fn committed_then(&self, touched: &Touched, answer: impl FnOnce()) {
        if touched.is_empty() {
            answer();
            return;
        }
        let (generation, all) = self.stamp(touched);
        answer();
        // After the stamps: whoever wakes finds the generations moved.
        let followed = self.followed.lock().unwrap_or_else(|e| e.into_inner());
        if all {
            followed.pages.values().for_each(|signal| {
                signal.send_replace(generation);
            });
            return;
        }
        for (site, uri) in &touched.pages {
            if let Some(signal) = followed.pages.get(&page_key(site, uri)) {
                signal.send_replace(generation);
            }
        }
    }

    /// Stamps the pages of `touched` with the next generation; true when it moved everything instead.
    fn stamp(&self, touched: &Touched) -> (u64, bool) {
        let mut stamps = self.stamps.write().unwrap_or_else(|e| e.into_inner());
        let generation = self.clock.fetch_add(1, Ordering::AcqRel) + 1;
        if touched.everything || stamps.pages.len() + touched.pages.len() > MAX_PAGES {
            stamps.pages.clear();
            stamps.sites.clear();
            self.epoch.store(generation, Ordering::Release);
            return (generation, true);
        }
        for (site, uri) in &touched.pages {
            stamps.pages.insert(page_key(site, uri), generation);
            stamps.sites.insert(site_key(site), generation);
        }
        (generation, false)
    }

    /// Changes with every commit that moved the generation of `site`'s page `uri` ([`Self::committed`]),
    /// and when everything moved ([`Self::everything`]).
    pub fn page_changes(&self, site: &str, uri: &str) -> watch::Receiver<u64> {
        let mut followed = self.followed.lock().unwrap_or_else(|e| e.into_inner());
        followed.sweep();
        followed
            .pages
            .entry(page_key(site, uri))
            .or_insert_with(|| watch::Sender::new(0))
            .subscribe()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn page(site: &str, uri: &str) -> Touched {
        Touched {
            pages: vec![(site.into(), uri.into())],
            everything: false,
        }
    }

    /// A commit wakes the followers of the pages it touched, and no one else; a change to everything wakes
    /// them all.
    #[test]
    fn a_commit_wakes_the_followers_of_its_pages_only() {
        let scopes = Scopes::default();
        let mut a = scopes.page_changes("s", "/a/");
        let mut a2 = scopes.page_changes("s", "/a/");
        let mut b = scopes.page_changes("s", "/b/");
        let mut other_site = scopes.page_changes("t", "/a/");
        scopes.committed(&page("s", "/a/"));
        assert!(a.has_changed().unwrap() && a2.has_changed().unwrap());
        assert!(!b.has_changed().unwrap() && !other_site.has_changed().unwrap());
        assert_eq!(*a.borrow_and_update(), scopes.page("s", "/a/"));
        a2.borrow_and_update();
        // Nothing touched: nobody wakes.
        scopes.committed(&Touched::default());
        assert!(!a.has_changed().unwrap());
        scopes.everything();
        for signal in [&mut a, &mut a2, &mut b, &mut other_site] {
            assert!(signal.has_changed().unwrap());
            assert_eq!(*signal.borrow_and_update(), scopes.page("s", "/b/"));
        }
        // A commit of more pages than the stamps hold moves everything, and wakes everyone too.
        let many = Touched {
            pages: (0..=MAX_PAGES).map(|i| ("u".to_owned(), format!("/{i}/"))).collect(),
            everything: false,
        };
        scopes.committed(&many);
        assert!(b.has_changed().unwrap());
    }

    /// Signals nobody follows any more are swept out as new follows come: the map stays bounded by the
    /// pages followed, however many pages were ever followed.
    #[test]
    fn signals_of_pages_nobody_follows_are_swept_out() {
        let scopes = Scopes::default();
        let kept = scopes.page_changes("s", "/kept/");
        for i in 0..10_000 {
            drop(scopes.page_changes("s", &format!("/{i}/")));
        }
        let followed = scopes.followed.lock().unwrap().pages.len();
        assert!(followed <= 128, "{followed} signals kept");
        // The one still followed is still signalled.
        scopes.committed(&page("s", "/kept/"));
        assert!(kept.has_changed().unwrap());
    }
}
