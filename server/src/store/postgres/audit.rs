//! The audit trail: who did what to which comment, and when.

use tokio_postgres::Row;

use super::{GenericClient, exec, rows};
use crate::domain::moderator::AuditEntry;
use crate::store::Result;

fn entry(r: &Row) -> AuditEntry {
    AuditEntry {
        at: r.get(0),
        moderator: r.get(1),
        action: r.get(2),
        comment_id: r.get(3),
        detail: r.get(4),
    }
}

pub async fn record(
    tx: &impl GenericClient,
    now: i64,
    moderator: &str,
    action: &str,
    comment_id: Option<i64>,
    detail: Option<&str>,
) -> Result<()> {
    exec(
        tx,
        "INSERT INTO audit (at, moderator, action, comment_id, detail) VALUES ($1, $2, $3, $4, $5)",
        &[&now, &moderator, &action, &comment_id, &detail],
    )
    .await?;
    Ok(())
}

/// The audit entries of some comments, oldest first.
pub async fn of_comments(c: &impl GenericClient, ids: &[i64]) -> Result<Vec<AuditEntry>> {
    Ok(rows(
        c,
        "SELECT at, moderator, action, comment_id, detail FROM audit WHERE comment_id = ANY($1) ORDER BY id",
        &[&ids],
    )
    .await?
    .iter()
    .map(entry)
    .collect())
}

/// The newest entries, newest first.
pub async fn newest(c: &impl GenericClient, limit: i64) -> Result<Vec<AuditEntry>> {
    Ok(rows(
        c,
        "SELECT at, moderator, action, comment_id, detail FROM audit ORDER BY id DESC LIMIT $1",
        &[&limit],
    )
    .await?
    .iter()
    .map(entry)
    .collect())
}
