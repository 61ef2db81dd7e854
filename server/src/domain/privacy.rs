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
