//! Key/value settings kept in the database, such as the generated secret.

use super::{GenericClient, exec, one, opt};
use crate::store::Result;

pub async fn get(c: &impl GenericClient, key: &str) -> Result<Option<String>> {
    Ok(opt(c, "SELECT value FROM settings WHERE key = $1", &[&key])
        .await?
        .map(|r| r.get(0)))
}

pub async fn set(c: &impl GenericClient, key: &str, value: &str) -> Result<()> {
    exec(
        c,
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[&key, &value],
    )
    .await?;
    Ok(())
}

/// The random IP-hash keys of `period` and the period before, each made on first use. Keys of earlier
/// periods are deleted by [`forget_ip_keys`].
pub async fn ip_keys(tx: &impl GenericClient, period: i64) -> Result<[Vec<u8>; 2]> {
    Ok([key(tx, period).await?, key(tx, period - 1).await?])
}

async fn key(tx: &impl GenericClient, period: i64) -> Result<Vec<u8>> {
    let mut fresh = vec![0u8; 32];
    rand::fill(&mut fresh[..]);
    exec(
        tx,
        "INSERT INTO ip_keys (period, key) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        &[&period, &fresh],
    )
    .await?;
    Ok(one(tx, "SELECT key FROM ip_keys WHERE period = $1", &[&period])
        .await?
        .get(0))
}

/// Deletes the IP-hash keys of periods before `period - 1`: no hash made under them can be matched again.
pub async fn forget_ip_keys(tx: &impl GenericClient, period: i64) -> Result<usize> {
    Ok(exec(tx, "DELETE FROM ip_keys WHERE period < $1::BIGINT - 1", &[&period]).await? as usize)
}
