//! Key/value settings kept in the database, such as the generated secret.

use rusqlite::{Connection, OptionalExtension, params};

pub fn get(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()
}

pub fn set(conn: &Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key, value])?;
    Ok(())
}

/// The random IP-hash keys of `period` and the period before, each made on first use. Keys of earlier
/// periods are deleted by [`forget_ip_keys`].
pub fn ip_keys(tx: &Connection, period: i64) -> rusqlite::Result<[Vec<u8>; 2]> {
    let key = |period: i64| -> rusqlite::Result<Vec<u8>> {
        let mut fresh = vec![0u8; 32];
        rand::fill(&mut fresh[..]);
        tx.prepare_cached("INSERT OR IGNORE INTO ip_keys (period, key) VALUES (?1, ?2)")?
            .execute(params![period, fresh])?;
        tx.prepare_cached("SELECT key FROM ip_keys WHERE period = ?1")?
            .query_row([period], |r| r.get(0))
    };
    Ok([key(period)?, key(period - 1)?])
}

/// Deletes the IP-hash keys of periods before `period - 1`: no hash made under them can be matched again.
pub fn forget_ip_keys(tx: &Connection, period: i64) -> rusqlite::Result<usize> {
    tx.prepare_cached("DELETE FROM ip_keys WHERE period < ?1 - 1")?
        .execute([period])
}
