//! Where a message stands, how an attempt went, and when a failed one is tried again.

use super::Job;

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// Not tried yet.
    Queued,
    /// Tried and failed; tried again at `next_at`.
    Retrying,
    Sent,
    /// Given up: after [`Retries::give_up_ms`], or at once on a permanent refusal.
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Retrying => "retrying",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    pub fn from_stored(s: &str) -> Self {
        match s {
            "queued" => Self::Queued,
            "retrying" => Self::Retrying,
            "sent" => Self::Sent,
            _ => Self::Failed,
        }
    }
}

/// A message as the outbox holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    pub id: i64,
    pub site: Option<String>,
    pub job: Job,
    pub state: DeliveryState,
    pub attempts: i64,
    /// When it is (next) due, in milliseconds since the epoch.
    pub next_at: i64,
    pub last_error: Option<String>,
    pub created: i64,
    pub sent_at: Option<i64>,
}

/// How one delivery attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Sent,
    /// A temporary failure (the server is down, a 4xx SMTP answer, a 5xx HTTP answer): try again later.
    Retry(String),
    /// A permanent refusal (a hard bounce, a webhook's 410 Gone): give up on this message and send
    /// nothing more to its target.
    Refused(String),
    /// A permanent failure of this message only (a 4xx HTTP answer other than 410, an unsafe URL).
    Failed(String),
}

/// When failed deliveries are tried again: after `first_retry_ms`, then twice as long each time, never
/// more than an hour apart, until `give_up_ms` after the message was queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retries {
    pub first_retry_ms: i64,
    pub give_up_ms: i64,
}

/// The longest wait between two attempts.
pub const MAX_RETRY_GAP_MS: i64 = 3_600_000;

impl Default for Retries {
    fn default() -> Self {
        Self {
            first_retry_ms: 30_000,
            give_up_ms: 24 * 3_600_000,
        }
    }
}

impl Retries {
    /// When to try again after the `attempts`-th failed attempt (1 for the first) of a message queued at
    /// `created`; `None` when it is time to give up.
    pub fn next_attempt(&self, attempts: i64, created: i64, now: i64) -> Option<i64> {
        let doublings = u32::try_from((attempts - 1).clamp(0, 30)).unwrap_or(30);
        let gap = self
            .first_retry_ms
            .max(1)
            .saturating_mul(1i64 << doublings)
            .min(MAX_RETRY_GAP_MS.max(self.first_retry_ms));
        let at = now.saturating_add(gap);
        (at < created.saturating_add(self.give_up_ms)).then_some(at)
    }
}

/// Sent messages stay visible in the admin UI this long, then upkeep removes them; failed ones stay
/// until a moderator retries them or this long after their last attempt.
pub const SENT_KEEP_MS: i64 = 7 * 86_400_000;

/// A worker holds a claimed message this long; a crash mid-delivery lets another attempt take it after.
pub const CLAIM_MS: i64 = 60_000;
