//! What moderators see and do: the queue, browsing, status changes, the trash, bans and the audit log.

use rusqlite::{Connection, OptionalExtension, Transaction, params, params_from_iter, types::Value};

use crate::domain::Status;

/// Comments in the trash are purged after this long.
pub const TRASH_KEEP_MS: i64 = 30 * 24 * 3600 * 1000;

/// A comment as moderators see it: everything, including the email.
#[derive(Debug, Clone)]
pub struct Item {
    pub id: i64,
    pub site: String,
    pub uri: String,
    pub title: Option<String>,
    pub parent: Option<i64>,
    pub status: Status,
    pub author: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub text: String,
    pub html: String,
    pub ip_hash: Option<String>,
    pub created: i64,
    pub reason: Option<String>,
    pub deleted_at: Option<i64>,
    /// Published comments of the same commenter (by email, else by IP hash).
    pub published_before: i64,
}

const ITEM: &str = "SELECT c.id, t.site_id, t.uri, t.title, c.parent_id, c.status, c.author, c.email, c.website,
       c.text, c.html, c.ip_hash, c.created, c.held_reason, c.deleted_at,
       CASE WHEN c.email IS NOT NULL
            THEN (SELECT count(*) FROM comments o WHERE o.email = c.email COLLATE NOCASE AND o.status = 'published')
            ELSE (SELECT count(*) FROM comments o WHERE o.ip_hash = c.ip_hash AND o.status = 'published') END
  FROM comments c JOIN threads t ON t.id = c.thread_id";

fn item(r: &rusqlite::Row<'_>) -> rusqlite::Result<Item> {
    let status: String = r.get(5)?;
    Ok(Item {
        id: r.get(0)?,
        site: r.get(1)?,
        uri: r.get(2)?,
        title: r.get(3)?,
        parent: r.get(4)?,
        status: Status::from_db(&status),
        author: r.get(6)?,
        email: r.get(7)?,
        website: r.get(8)?,
        text: r.get(9)?,
        html: r.get(10)?,
        ip_hash: r.get(11)?,
        created: r.get(12)?,
        reason: r.get(13)?,
        deleted_at: r.get(14)?,
        published_before: r.get(15)?,
    })
}

/// `AND t.site_id IN (...)` for a moderator limited to some sites; nothing for one who may see all.
fn site_clause(sites: Option<&[String]>, args: &mut Vec<Value>) -> String {
    match sites {
        None => String::new(),
        Some(list) => {
            let marks: Vec<&str> = list.iter().map(|_| "?").collect();
            args.extend(list.iter().map(|s| Value::Text(s.clone())));
            format!(
                " AND t.site_id IN ({})",
                if marks.is_empty() {
                    "NULL".into()
                } else {
                    marks.join(",")
                }
            )
        }
    }
}

pub fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<Item>> {
    conn.prepare_cached(&format!("{ITEM} WHERE c.id = ?1"))?
        .query_row([id], item)
        .optional()
}

/// Pending comments, newest first.
pub fn queue(conn: &Connection, sites: Option<&[String]>) -> rusqlite::Result<Vec<Item>> {
    let mut args = Vec::new();
    let clause = site_clause(sites, &mut args);
    conn.prepare(&format!(
        "{ITEM} WHERE c.status = 'pending'{clause} ORDER BY c.id DESC LIMIT 500"
    ))?
    .query_map(params_from_iter(args), item)?
    .collect()
}

#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub site: Option<String>,
    pub status: Option<Status>,
    pub uri: Option<String>,
    pub text: Option<String>,
}

/// One page of comments matching the filter, newest first, and how many match in all.
pub fn browse(
    conn: &Connection,
    sites: Option<&[String]>,
    filter: &Filter,
    offset: i64,
    limit: i64,
) -> rusqlite::Result<(Vec<Item>, i64)> {
    let mut args = Vec::new();
    let mut clause = site_clause(sites, &mut args);
    if let Some(site) = &filter.site {
        clause.push_str(" AND t.site_id = ?");
        args.push(Value::Text(site.clone()));
    }
    if let Some(status) = filter.status {
        clause.push_str(" AND c.status = ?");
        args.push(Value::Text(status.as_str().into()));
    }
    if let Some(uri) = &filter.uri {
        clause.push_str(" AND t.uri = ?");
        args.push(Value::Text(uri.clone()));
    }
    if let Some(text) = &filter.text {
        clause
            .push_str(" AND (c.text LIKE ? ESCAPE '\\' OR c.author LIKE ? ESCAPE '\\' OR c.email LIKE ? ESCAPE '\\')");
        let pattern = format!(
            "%{}%",
            text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
        );
        args.extend(std::iter::repeat_n(Value::Text(pattern), 3));
    }
    let total: i64 = conn
        .prepare(&format!(
            "SELECT count(*) FROM comments c JOIN threads t ON t.id = c.thread_id WHERE 1=1{clause}"
        ))?
        .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
    let mut page_args = args;
    page_args.push(Value::Integer(limit));
    page_args.push(Value::Integer(offset));
    let items = conn
        .prepare(&format!("{ITEM} WHERE 1=1{clause} ORDER BY c.id DESC LIMIT ? OFFSET ?"))?
        .query_map(params_from_iter(page_args), item)?
        .collect::<rusqlite::Result<_>>()?;
    Ok((items, total))
}

/// Comments in the trash, newest deletion first.
pub fn trash(conn: &Connection, sites: Option<&[String]>) -> rusqlite::Result<Vec<Item>> {
    let mut args = Vec::new();
    let clause = site_clause(sites, &mut args);
    conn.prepare(&format!(
        "{ITEM} WHERE c.status = 'deleted' AND c.deleted_at IS NOT NULL{clause} ORDER BY c.deleted_at DESC LIMIT 500"
    ))?
    .query_map(params_from_iter(args), item)?
    .collect()
}

pub fn set_status(tx: &Transaction<'_>, id: i64, status: Status) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE comments SET status = ?2, deleted_at = NULL WHERE id = ?1")?
        .execute(params![id, status.as_str()])?;
    Ok(())
}

/// A moderator's delete: the comment leaves every public view but keeps its content for 30 days.
pub fn trash_comment(tx: &Transaction<'_>, id: i64, now: i64) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE comments SET status = 'deleted', deleted_at = ?2 WHERE id = ?1")?
        .execute(params![id, now])?;
    Ok(())
}

/// Takes a comment back out of the trash as published.
pub fn restore(tx: &Transaction<'_>, id: i64) -> rusqlite::Result<bool> {
    Ok(tx
        .prepare_cached(
            "UPDATE comments SET status = 'published', deleted_at = NULL
             WHERE id = ?1 AND status = 'deleted' AND deleted_at IS NOT NULL",
        )?
        .execute([id])?
        == 1)
}

/// Purges trashed comments deleted before `before`: the author's content goes for good.
pub fn purge(tx: &Transaction<'_>, before: i64) -> rusqlite::Result<usize> {
    let ids: Vec<i64> = tx
        .prepare_cached("SELECT id FROM comments WHERE status = 'deleted' AND deleted_at < ?1")?
        .query_map([before], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    super::comments::remove_all(tx, &ids)?;
    Ok(ids.len())
}

/// A moderator's edit of any field.
pub fn edit(
    tx: &Transaction<'_>,
    id: i64,
    text: &str,
    html: &str,
    author: Option<&str>,
    website: Option<&str>,
    now: i64,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE comments SET text = ?2, html = ?3, author = ?4, website = ?5, edited = ?6 WHERE id = ?1",
    )?
    .execute(params![id, text, html, author, website, now])?;
    Ok(())
}

pub fn hold(tx: &Transaction<'_>, id: i64, reason: &str) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE comments SET status = 'pending', held_reason = ?2 WHERE id = ?1")?
        .execute(params![id, reason])?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Ban {
    pub id: i64,
    pub site: Option<String>,
    pub email: Option<String>,
    pub ip_hash: Option<String>,
    pub reason: Option<String>,
    pub created: i64,
    pub expires: Option<i64>,
    pub created_by: String,
}

pub struct NewBan<'a> {
    pub site: Option<&'a str>,
    pub email: Option<&'a str>,
    pub ip_hash: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub expires: Option<i64>,
    pub created_by: &'a str,
}

pub fn add_ban(tx: &Transaction<'_>, ban: &NewBan<'_>, now: i64) -> rusqlite::Result<i64> {
    tx.prepare_cached(
        "INSERT INTO bans (site_id, email, ip_hash, reason, created, expires, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![ban.site, ban.email, ban.ip_hash, ban.reason, now, ban.expires, ban.created_by])?;
    Ok(tx.last_insert_rowid())
}

pub fn remove_ban(tx: &Transaction<'_>, id: i64, sites: Option<&[String]>) -> rusqlite::Result<bool> {
    let ban = tx
        .prepare_cached("SELECT site_id FROM bans WHERE id = ?1")?
        .query_row([id], |r| r.get::<_, Option<String>>(0))
        .optional()?;
    let allowed = match (ban, sites) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(Some(site)), Some(list)) => list.contains(&site),
        // A ban on every site belongs to moderators of every site.
        (Some(None), Some(_)) => false,
    };
    if allowed {
        tx.prepare_cached("DELETE FROM bans WHERE id = ?1")?.execute([id])?;
    }
    Ok(allowed)
}

pub fn bans(conn: &Connection, sites: Option<&[String]>, now: i64) -> rusqlite::Result<Vec<Ban>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, site_id, email, ip_hash, reason, created, expires, created_by FROM bans
         WHERE expires IS NULL OR expires > ?1 ORDER BY id DESC",
    )?;
    let all = stmt
        .query_map([now], |r| {
            Ok(Ban {
                id: r.get(0)?,
                site: r.get(1)?,
                email: r.get(2)?,
                ip_hash: r.get(3)?,
                reason: r.get(4)?,
                created: r.get(5)?,
                expires: r.get(6)?,
                created_by: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(all
        .into_iter()
        .filter(|b| match (sites, &b.site) {
            (None, _) => true,
            (Some(list), Some(site)) => list.contains(site),
            (Some(_), None) => false,
        })
        .collect())
}

/// Whether a ban in force covers this email or IP (by its current or previous hash) on this site.
pub fn is_banned(
    conn: &Connection,
    site: &str,
    email: Option<&str>,
    ip_hashes: [&str; 2],
    now: i64,
) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT 1 FROM bans WHERE (site_id IS NULL OR site_id = ?1) AND (expires IS NULL OR expires > ?5)
           AND ((?2 IS NOT NULL AND email = ?2) OR ip_hash IN (?3, ?4)) LIMIT 1",
    )?
    .exists(params![site, email, ip_hashes[0], ip_hashes[1], now])
}

/// Forgets the IP hashes of comments older than `before`: kept only as long as moderation needs them.
pub fn forget_ip_hashes(tx: &Transaction<'_>, before: i64) -> rusqlite::Result<usize> {
    tx.prepare_cached("UPDATE comments SET ip_hash = NULL WHERE created < ?1 AND ip_hash IS NOT NULL")?
        .execute([before])
}

/// IP hashes stay with a comment this long.
pub const IP_HASH_KEEP_MS: i64 = 90 * 24 * 3600 * 1000;

#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub at: i64,
    pub moderator: String,
    pub action: String,
    pub comment_id: Option<i64>,
    pub detail: Option<String>,
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
pub fn audit_for(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<AuditEntry>> {
    let ids_json = serde_json::to_string(ids).expect("numbers serialize");
    conn.prepare_cached(
        "SELECT at, moderator, action, comment_id, detail FROM audit
         WHERE comment_id IN (SELECT value FROM json_each(?1)) ORDER BY id",
    )?
    .query_map([ids_json], |r| {
        Ok(AuditEntry {
            at: r.get(0)?,
            moderator: r.get(1)?,
            action: r.get(2)?,
            comment_id: r.get(3)?,
            detail: r.get(4)?,
        })
    })?
    .collect()
}
