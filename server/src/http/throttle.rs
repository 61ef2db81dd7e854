//! Login attempts counted per key (an address or an account name) in a fixed window, and the few password
//! verifications allowed at once, each run on one of a few threads of their own.
//!
//! An attempt is counted when it is let through, before its password is checked: counting only after the
//! check let a burst of concurrent guesses all pass a throttle that still read zero.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

/// Failed logins allowed per key within [`THROTTLE_WINDOW`]; also the most password verifications one key
/// can cause in that window, however many requests arrive at once.
pub const MAX_FAILURES: u32 = 5;
pub const THROTTLE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Password verifications (argon2id, about 19 MiB of memory each) running at once, server-wide. A login
/// beyond that is answered 503 at once rather than queued.
pub const VERIFICATIONS_AT_ONCE: usize = 2;

type Job = Box<dyn FnOnce() + Send>;

/// Counts login attempts per key (an IP or an account name) in a fixed window, and hands out the
/// verification slots.
pub struct Throttle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
    slots: Arc<Semaphore>,
    jobs: Sender<Job>,
}

impl Default for Throttle {
    /// Starts the verifier threads; they end when the throttle is dropped. Verifications run on threads of
    /// their own rather than on tokio's blocking pool: the allocator keeps a freed argon2 buffer in the
    /// arena of the thread that used it, so on the pool every one of its hundreds of threads could end
    /// up keeping 19 MiB, while here the few verifier threads reuse theirs.
    fn default() -> Self {
        let (jobs, queue) = channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..VERIFICATIONS_AT_ONCE {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("riposte-verify-{n}"))
                .spawn(move || verifier(&queue));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password verifier thread");
            }
        }
        Self {
            failures: Mutex::default(),
            slots: Arc::new(Semaphore::new(VERIFICATIONS_AT_ONCE)),
            jobs,
        }
    }
}

fn verifier(queue: &Mutex<Receiver<Job>>) {
    loop {
        let job = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
        match job {
            // A panicking job drops its answer channel (its caller sees an error); the thread goes on.
            Ok(job) => drop(std::panic::catch_unwind(AssertUnwindSafe(job))),
            Err(_) => return,
        }
    }
}

/// A reserved verification slot, held until its job has run.
pub struct Verification {
    permit: OwnedSemaphorePermit,
    jobs: Sender<Job>,
}

impl Verification {
    /// Runs `f` on a verifier thread; `None` when it could not run or panicked.
    pub async fn run<T: Send + 'static>(self, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (tx, rx) = oneshot::channel();
        let permit = self.permit;
        let job: Job = Box::new(move || {
            let _ = tx.send(f());
            drop(permit);
        });
        self.jobs.send(job).ok()?;
        rx.await.ok()
    }
}

impl Throttle {
    /// Counts an attempt for every key at once, unless any key is locked out: then nothing is counted and
    /// the answer is the seconds to wait.
    pub fn reserve(&self, keys: &[String]) -> Result<(), u64> {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, (_, first)| first.elapsed() < THROTTLE_WINDOW);
        let wait = keys
            .iter()
            .filter_map(|k| map.get(k))
            .filter(|(n, _)| *n >= MAX_FAILURES)
            .map(|(_, first)| (THROTTLE_WINDOW.saturating_sub(first.elapsed())).as_secs() + 1)
            .max();
        if let Some(wait) = wait {
            return Err(wait);
        }
        for k in keys {
            map.entry(k.clone()).or_insert((0, Instant::now())).0 += 1;
        }
        Ok(())
    }

    /// Gives back an attempt [`Throttle::reserve`] counted but that never checked a password.
    pub fn release(&self, keys: &[String]) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for k in keys {
            if let Some((n, _)) = map.get_mut(k) {
                *n = n.saturating_sub(1);
            }
        }
    }

    /// A correct password clears the keys' counts.
    pub fn succeeded(&self, keys: &[String]) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for k in keys {
            map.remove(k);
        }
    }

    /// A slot for one password verification, if one is free now; it never waits.
    pub fn verification(&self) -> Option<Verification> {
        let permit = self.slots.clone().try_acquire_owned().ok()?;
        Some(Verification {
            permit,
            jobs: self.jobs.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_are_counted_when_let_through() {
        let t = Throttle::default();
        let keys = vec!["ip:a".to_owned(), "user:x".to_owned()];
        for _ in 0..MAX_FAILURES {
            assert!(t.reserve(&keys).is_ok());
        }
        assert!(
            t.reserve(&keys).is_err(),
            "the sixth attempt is refused before any check"
        );
        // Another address for the same account is refused too, and nothing was counted for it.
        assert!(t.reserve(&["ip:b".to_owned(), "user:x".to_owned()]).is_err());
        assert!(t.reserve(&["ip:b".to_owned(), "user:y".to_owned()]).is_ok());
        t.release(&keys);
        assert!(t.reserve(&keys).is_ok(), "a released attempt is given back");
        t.succeeded(&keys);
        assert!(t.reserve(&keys).is_ok());
    }

    #[tokio::test]
    async fn verifications_are_few_and_never_wait() {
        let t = Throttle::default();
        let held: Vec<_> = (0..VERIFICATIONS_AT_ONCE).map(|_| t.verification().unwrap()).collect();
        assert!(t.verification().is_none());
        drop(held);
        let slot = t.verification().unwrap();
        assert_eq!(slot.run(|| 6 * 7).await, Some(42));
        assert_eq!(t.verification().unwrap().run(|| panic!("boom")).await, None::<()>);
        assert_eq!(
            t.verification().unwrap().run(|| 1).await,
            Some(1),
            "the thread survived"
        );
    }
}
