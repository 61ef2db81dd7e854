//! The audit trail: who did what to which comment, and when.

use rusqlite::{Connection, Row, Transaction, params};

use super::json_list;
use crate::domain::moderator::AuditEntry;

fn entry(r: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        at: r.get(0)?,
        moderator: r.get(1)?,
        action: r.get(2)?,
        comment_id: r.get(3)?,
        detail: r.get(4)?,
    })
}

pub fn record(
    tx: &Transaction<'_>,
    now: i64,
    moderator: &str,
    action: &str,
    comment_id: Option<i64>,
    detail: Option<&str>,
) -> rusqlite::Result<()> {
    tx.prepare_cached("INSERT INTO audit (at, moderator, action, comment_id, detail) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![now, moderator, action, comment_id, detail])?;
    Ok(())
}

/// The audit entries of some comments, oldest first.
pub fn of_comments(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<AuditEntry>> {
    let ids_json = json_list(ids);
    conn.prepare_cached(
        "SELECT at, moderator, action, comment_id, detail FROM audit
         WHERE comment_id IN (SELECT value FROM json_each(?1)) ORDER BY id",
    )?
    .query_map([ids_json], entry)?
    .collect()
}

/// The newest entries, newest first.
pub fn newest(conn: &Connection, limit: i64) -> rusqlite::Result<Vec<AuditEntry>> {
    conn.prepare_cached("SELECT at, moderator, action, comment_id, detail FROM audit ORDER BY id DESC LIMIT ?1")?
        .query_map([limit], entry)?
        .collect()
}
