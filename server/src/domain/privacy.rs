//! What the GDPR asks of us for one email address: everything stored about it.

use serde::Serialize;

use super::time::DAY_MS;

/// How long one IP-hash key lives: 30 days.
pub const IP_KEY_PERIOD_MS: i64 = 30 * DAY_MS;

/// The IP-hash period a moment falls in.
pub fn ip_period(now_ms: i64) -> i64 {
    now_ms.div_euclid(IP_KEY_PERIOD_MS)
}

#[derive(Debug, Serialize)]
pub struct Export {
    pub email: String,
    pub comments: Vec<ExportedComment>,
    /// Bans of this address: moderators' records about the person, so theirs to see (and erased with them).
    pub bans: Vec<ExportedBan>,
    /// Reply subscriptions of this address, confirmed or not.
    pub subscriptions: Vec<ExportedSubscription>,
}

#[derive(Debug, Serialize)]
pub struct ExportedSubscription {
    pub site: String,
    pub page: String,
    /// `replies` (to `comment`) or `page`.
    pub scope: String,
    pub comment: Option<i64>,
    pub created: String,
    /// When the address confirmed it; nothing is mailed before.
    pub confirmed: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ExportedBan {
    pub id: i64,
    /// `None`: every site.
    pub site: Option<String>,
    pub reason: Option<String>,
    pub created: String,
    pub expires: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ExportedComment {
    pub id: i64,
    pub site: String,
    pub page: String,
    pub author: Option<String>,
    pub website: Option<String>,
    pub text: String,
    pub status: String,
    pub created: String,
    pub edited: Option<String>,
}
