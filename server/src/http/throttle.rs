//! Failed logins counted per key (an address or an account name) in a fixed window.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed logins allowed per key within [`THROTTLE_WINDOW`].
pub const MAX_FAILURES: u32 = 5;
pub const THROTTLE_WINDOW: Duration = Duration::from_secs(15 * 60);

/// Counts failed logins per key (an IP or an account name) in a fixed window.
#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Throttle {
    /// Seconds to wait when any of the keys is locked out.
    pub fn locked(&self, keys: &[String]) -> Option<u64> {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, (_, first)| first.elapsed() < THROTTLE_WINDOW);
        keys.iter()
            .filter_map(|k| map.get(k))
            .filter(|(n, _)| *n >= MAX_FAILURES)
            .map(|(_, first)| (THROTTLE_WINDOW - first.elapsed()).as_secs() + 1)
            .max()
    }

    pub fn failed(&self, keys: &[String]) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for k in keys {
            map.entry(k.clone()).or_insert((0, Instant::now())).0 += 1;
        }
    }

    pub fn succeeded(&self, keys: &[String]) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for k in keys {
            map.remove(k);
        }
    }
}
