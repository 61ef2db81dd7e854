//! What moderators see and do to comments: the queue, browsing, the trash, their actions and edits.

use rusqlite::{Connection, OptionalExtension, Transaction, params, params_from_iter, types::Value};

use super::outbox::{self, Change};
use super::{audit, bans, comments, spam};
use crate::domain::comment::{CommentRecord, ModeratorEdit, Status};
use crate::domain::moderator::{Action, Filter, Moderator, NewBan};

const ITEM: &str = "SELECT c.id, t.site_id, t.uri, t.title, c.parent_id, c.status, c.author, c.email, c.website,
       c.text, c.html, c.ip_hash, c.created, c.held_reason, c.deleted_at,
       CASE WHEN c.email IS NOT NULL
            THEN (SELECT count(*) FROM comments o JOIN threads ot ON ot.id = o.thread_id
                  WHERE o.email = c.email COLLATE NOCASE AND o.status = 'published' AND ot.site_id = t.site_id)
            ELSE (SELECT count(*) FROM comments o JOIN threads ot ON ot.id = o.thread_id
                  WHERE o.ip_hash = c.ip_hash AND o.status = 'published' AND ot.site_id = t.site_id) END,
       c.pinned, t.closed
  FROM comments c JOIN threads t ON t.id = c.thread_id";

fn record(r: &rusqlite::Row<'_>) -> rusqlite::Result<CommentRecord> {
    let status: String = r.get(5)?;
    Ok(CommentRecord {
        id: r.get(0)?,
        site: r.get(1)?,
        uri: r.get(2)?,
        title: r.get(3)?,
        parent: r.get(4)?,
        status: Status::from_stored(&status),
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
        pinned: r.get::<_, i64>(16)? > 0,
        thread_closed: r.get::<_, Option<i64>>(17)?.is_some(),
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

pub fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<CommentRecord>> {
    conn.prepare_cached(&format!("{ITEM} WHERE c.id = ?1"))?
        .query_row([id], record)
        .optional()
}

/// Pending comments, newest first.
pub fn queue(conn: &Connection, sites: Option<&[String]>) -> rusqlite::Result<Vec<CommentRecord>> {
    let mut args = Vec::new();
    let clause = site_clause(sites, &mut args);
    conn.prepare(&format!(
        "{ITEM} WHERE c.status = 'pending'{clause} ORDER BY c.id DESC LIMIT 500"
    ))?
    .query_map(params_from_iter(args), record)?
    .collect()
}

/// One page of comments matching the filter, newest first, and how many match in all.
pub fn browse(
    conn: &Connection,
    sites: Option<&[String]>,
    filter: &Filter,
    offset: i64,
    limit: i64,
) -> rusqlite::Result<(Vec<CommentRecord>, i64)> {
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
        .query_map(params_from_iter(page_args), record)?
        .collect::<rusqlite::Result<_>>()?;
    Ok((items, total))
}

/// Comments in the trash, newest deletion first.
pub fn trash(conn: &Connection, sites: Option<&[String]>) -> rusqlite::Result<Vec<CommentRecord>> {
    let mut args = Vec::new();
    let clause = site_clause(sites, &mut args);
    conn.prepare(&format!(
        "{ITEM} WHERE c.status = 'deleted' AND c.deleted_at IS NOT NULL{clause} ORDER BY c.deleted_at DESC LIMIT 500"
    ))?
    .query_map(params_from_iter(args), record)?
    .collect()
}

fn set_status(tx: &Transaction<'_>, id: i64, status: Status) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE comments SET status = ?2, deleted_at = NULL WHERE id = ?1")?
        .execute(params![id, status.as_str()])?;
    Ok(())
}

/// A moderator's delete: the comment leaves every public view but keeps its content for 30 days.
fn trash_comment(tx: &Transaction<'_>, id: i64, now: i64) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE comments SET status = 'deleted', deleted_at = ?2 WHERE id = ?1")?
        .execute(params![id, now])?;
    Ok(())
}

/// Takes a comment back out of the trash as published.
fn restore(tx: &Transaction<'_>, id: i64) -> rusqlite::Result<bool> {
    Ok(tx
        .prepare_cached(
            "UPDATE comments SET status = 'published', deleted_at = NULL
             WHERE id = ?1 AND status = 'deleted' AND deleted_at IS NOT NULL",
        )?
        .execute([id])?
        == 1)
}

/// Purges trashed comments deleted before `before`: the author's content goes for good.
pub fn purge(tx: &Transaction<'_>, before: i64, now: i64) -> rusqlite::Result<usize> {
    let ids: Vec<i64> = tx
        .prepare_cached("SELECT id FROM comments WHERE status = 'deleted' AND deleted_at < ?1")?
        .query_map([before], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    comments::remove_all(tx, &ids, now)?;
    Ok(ids.len())
}

/// A moderator's edit of every field, audited.
pub fn edit(tx: &Transaction<'_>, id: i64, e: &ModeratorEdit, by: &str, now: i64) -> rusqlite::Result<()> {
    let before = get(tx, id)?.map_or(Status::Deleted, |c| c.status);
    tx.prepare_cached(
        "UPDATE comments SET text = ?2, html = ?3, author = ?4, website = ?5, edited = ?6 WHERE id = ?1",
    )?
    .execute(params![
        id,
        e.text.as_str(),
        e.html,
        e.author.as_ref().map(|a| a.as_str()),
        e.website.as_ref().map(|w| w.as_str()),
        now
    ])?;
    outbox::notice(tx, false, id, Change::Edited, before, now)?;
    audit::record(tx, now, by, "edit", Some(id), None)
}

/// The comments of these ids that exist, in the order asked.
pub fn records(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<CommentRecord>> {
    ids.iter().filter_map(|&id| get(conn, id).transpose()).collect()
}

/// One action on each comment of `ids` the moderator may act on, each audited; returns how many changed.
pub fn moderate(
    tx: &Transaction<'_>,
    mail: bool,
    by: &Moderator,
    action: Action,
    ids: &[i64],
    now: i64,
) -> rusqlite::Result<usize> {
    let mut changed = 0;
    for &id in ids {
        let Some(c) = get(tx, id)? else {
            continue;
        };
        if !by.may(&c.site) {
            continue;
        }
        match action {
            Action::Approve => {
                set_status(tx, id, Status::Published)?;
                spam::train(tx, id, false)?;
            }
            Action::Spam => {
                set_status(tx, id, Status::Spam)?;
                spam::train(tx, id, true)?;
            }
            Action::Delete => trash_comment(tx, id, now)?,
            Action::Restore => {
                if !restore(tx, id)? {
                    continue;
                }
            }
            Action::Ban => {
                let ban = NewBan {
                    site: Some(c.site.clone()),
                    email: c.email.clone(),
                    ip_hash: c.ip_hash.clone(),
                    reason: Some(format!("comment #{id}")),
                    expires: None,
                    created_by: by.name.clone(),
                };
                if ban.email.is_some() || ban.ip_hash.is_some() {
                    bans::add(tx, &ban, now)?;
                }
                set_status(tx, id, Status::Spam)?;
                spam::train(tx, id, true)?;
            }
        }
        let change = match action {
            Action::Approve | Action::Restore => Change::Published,
            Action::Spam | Action::Delete | Action::Ban => Change::Deleted,
        };
        outbox::notice(tx, mail, id, change, c.status, now)?;
        audit::record(tx, now, &by.name, action.as_str(), Some(id), None)?;
        changed += 1;
    }
    Ok(changed)
}

/// Holds a comment as pending or spam, with the reason moderators see.
pub fn hold_as(tx: &Transaction<'_>, id: i64, status: Status, reason: &str) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE comments SET status = ?2, held_reason = ?3 WHERE id = ?1")?
        .execute(params![id, status.as_str(), reason])?;
    Ok(())
}

/// Forgets the IP hashes of comments older than `before`: kept only as long as moderation needs them.
pub fn forget_ip_hashes(tx: &Transaction<'_>, before: i64) -> rusqlite::Result<usize> {
    tx.prepare_cached("UPDATE comments SET ip_hash = NULL WHERE created < ?1 AND ip_hash IS NOT NULL")?
        .execute([before])
}
