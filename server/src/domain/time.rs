//! Time as the store keeps it (milliseconds since the Unix epoch) and as clients read it (RFC 3339).

/// Milliseconds since the Unix epoch, the unit of every stored time.
pub fn now_ms() -> i64 {
    time::OffsetDateTime::now_utc()
        .unix_timestamp_nanos()
        .div_euclid(1_000_000) as i64
}

/// `2026-11-26T22:38:44.172Z`; times outside what RFC 3339 can write show as the epoch.
pub fn rfc3339(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

pub const DAY_MS: i64 = 24 * 3600 * 1000;
