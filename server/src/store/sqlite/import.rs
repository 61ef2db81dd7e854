//! Storing an import: every comment of the feed in the one transaction of the caller, keyed by the source's
//! ids so that a second run adds nothing; replies are tied to their parents once all are in (a reply may
//! come before its parent), and the tree's roots and depths are computed for the threads it touched.

use std::collections::{BTreeSet, HashMap};
use std::sync::mpsc::Receiver;

use rusqlite::{OptionalExtension, Transaction, params};

use super::threads;
use crate::domain::Status;
use crate::domain::comment::{MAX_DEPTH, Placement};
use crate::domain::import::{Feed, Incoming, Report, place_thread};
use crate::store::{Result, StoreError};

/// Reads the feed to its end and stores what is new. Fails, so that the caller rolls back, when the feed
/// stops before [`Feed::End`]. Memory holds the threads touched, the deleted comments and the replies that
/// came before their parents; every other lookup goes through the `imported` table's index.
pub fn import(tx: &Transaction<'_>, site: &str, source: &str, feed: &Receiver<Feed>) -> Result<Report> {
    let mut report = Report::default();
    let mut state = State::default();
    // Rows of `imported` after this one are this run's.
    let before: i64 = tx.query_row("SELECT coalesce(max(rowid), 0) FROM imported", [], |r| r.get(0))?;
    loop {
        let batch = match feed.recv() {
            Ok(Feed::Comments(batch)) => batch,
            Ok(Feed::End) => break,
            Err(_) => {
                return Err(StoreError::Failed(anyhow::anyhow!(
                    "the import stopped before the end of its file; nothing was stored"
                )));
            }
        };
        for c in batch {
            store_one(tx, site, source, &c, &mut state, &mut report)?;
        }
    }
    let State {
        pending_parents,
        mut placeholders,
        touched,
        unsettled,
        ..
    } = state;
    for (id, thread, key) in pending_parents {
        match stored(tx, site, source, &key)?.flatten() {
            Some(p) if p.thread == thread => {
                tx.prepare_cached("UPDATE comments SET parent_id = ?2 WHERE id = ?1")?
                    .execute(params![id, p.id])?;
            }
            Some(_) => report.repair(OTHER_PAGE),
            None => report.repair("reply to a comment not in the file, made top-level"),
        }
    }
    for &thread in &unsettled {
        place(tx, thread, &mut report)?;
    }
    // A deleted comment stays only as a placeholder where replies hang below it; removing one can leave its
    // parent placeholder without replies, so repeat until nothing changes.
    loop {
        let mut removed = false;
        for id in std::mem::take(&mut placeholders) {
            if has_replies(tx, id)? {
                placeholders.push(id);
                continue;
            }
            tx.prepare_cached("DELETE FROM comments WHERE id = ?1")?.execute([id])?;
            report.new -= 1;
            report.skip("deleted, without replies");
            removed = true;
        }
        if !removed {
            break;
        }
    }
    report.deleted = placeholders.len();
    report.threads = touched.len();
    report.replies = tx.query_row(
        "SELECT count(*) FROM imported i JOIN comments c ON c.id = i.comment_id
         WHERE i.rowid > ?1 AND c.parent_id IS NOT NULL",
        [before],
        |r| r.get::<_, i64>(0),
    )? as usize;
    Ok(report)
}

/// What an import keeps between comments: little, and nothing that grows with the comments but the
/// deleted ones and the replies that came before their parents.
#[derive(Default)]
struct State {
    /// Replies whose parent had not come yet: (comment id, thread id, parent key).
    pending_parents: Vec<(i64, i64, String)>,
    placeholders: Vec<i64>,
    touched: BTreeSet<i64>,
    /// Page path -> thread id, so that each comment does not look its thread up again.
    threads_by_uri: HashMap<String, i64>,
    /// Threads whose tree must be settled at the end (replies before their parents, nesting past the limit).
    unsettled: BTreeSet<i64>,
}

fn store_one(
    tx: &Transaction<'_>,
    site: &str,
    source: &str,
    c: &Incoming,
    state: &mut State,
    report: &mut Report,
) -> rusqlite::Result<()> {
    if stored(tx, site, source, &c.key)?.is_some() {
        report.already += 1;
        return Ok(());
    }
    let thread = match state.threads_by_uri.get(&c.uri) {
        Some(&t) => t,
        None => {
            let t = threads::get_or_create(tx, site, &c.uri, c.title.as_deref(), c.created)?;
            state.threads_by_uri.insert(c.uri.clone(), t);
            t
        }
    };
    // Where it goes, when its parent is already in: as a new reply would. Anything else (a parent still to
    // come, nesting past the limit) is settled for the whole thread at the end.
    let (place, wait) = match &c.parent {
        None => (Placement::default(), false),
        Some(key) => match stored(tx, site, source, key)? {
            Some(Some(p)) if p.thread == thread && p.depth < MAX_DEPTH => (
                Placement {
                    parent: Some(p.id),
                    root: Some(p.root),
                    depth: p.depth + 1,
                },
                false,
            ),
            Some(Some(p)) if p.thread == thread => {
                state.unsettled.insert(thread);
                (
                    Placement {
                        parent: Some(p.id),
                        root: Some(p.root),
                        depth: p.depth,
                    },
                    false,
                )
            }
            Some(Some(_)) => {
                report.repair(OTHER_PAGE);
                (Placement::default(), false)
            }
            Some(None) => {
                report.repair("reply to a comment removed since an earlier import, made top-level");
                (Placement::default(), false)
            }
            None => (Placement::default(), true),
        },
    };
    let id = insert(tx, thread, &place, c)?;
    if wait {
        state.unsettled.insert(thread);
        state
            .pending_parents
            .push((id, thread, c.parent.clone().unwrap_or_default()));
    }
    tx.prepare_cached("INSERT INTO imported (site_id, source, key, comment_id) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![site, source, c.key, id])?;
    state.touched.insert(thread);
    report.new += 1;
    match c.status {
        Status::Pending => report.pending += 1,
        Status::Spam => report.spam += 1,
        Status::Deleted => state.placeholders.push(id),
        Status::Published => {}
    }
    Ok(())
}

/// A comment an import stored, where it sits; `None` when it was removed since.
type Found = Option<Placed>;

#[derive(Debug, Clone, Copy)]
struct Placed {
    id: i64,
    thread: i64,
    /// The top-level comment of its branch (itself, for a top-level comment) and its depth.
    root: i64,
    depth: i64,
}

const OTHER_PAGE: &str = "reply to a comment on another page, made top-level";

/// Why an imported comment waits in the queue.
const HELD_BEFORE: &str = "held in the system it was imported from";

/// `Some(the comment and its thread, if the comment still exists)` when an import (an earlier one, or this
/// one) stored this key.
fn stored(tx: &Transaction<'_>, site: &str, source: &str, key: &str) -> rusqlite::Result<Option<Found>> {
    tx.prepare_cached(
        "SELECT c.id, c.thread_id, coalesce(c.root_id, c.id), c.depth
         FROM imported i LEFT JOIN comments c ON c.id = i.comment_id
         WHERE i.site_id = ?1 AND i.source = ?2 AND i.key = ?3",
    )?
    .query_row(params![site, source, key], |r| {
        Ok(match (r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?) {
            (Some(id), Some(thread)) => Some(Placed {
                id,
                thread,
                root: r.get(2)?,
                depth: r.get(3)?,
            }),
            _ => None,
        })
    })
    .optional()
}

fn insert(tx: &Transaction<'_>, thread: i64, place: &Placement, c: &Incoming) -> rusqlite::Result<i64> {
    tx.prepare_cached(
        "INSERT INTO comments (thread_id, parent_id, root_id, depth, status, author, email, website, text, html,
                               avatar, created, likes, dislikes, held_reason, site_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                 (SELECT site_id FROM threads WHERE id = ?1))",
    )?
    .execute(params![
        thread,
        place.parent,
        place.root,
        place.depth,
        c.status.as_str(),
        c.author,
        c.email,
        c.website,
        c.text,
        c.html,
        c.avatar,
        c.created,
        c.likes,
        c.dislikes,
        (c.status == Status::Pending).then_some(HELD_BEFORE)
    ])?;
    Ok(tx.last_insert_rowid())
}

fn has_replies(tx: &Transaction<'_>, id: i64) -> rusqlite::Result<bool> {
    tx.prepare_cached("SELECT 1 FROM comments WHERE parent_id = ?1")?
        .exists([id])
}

/// Sets every comment's root and depth in a thread from its parent links ([`place_thread`]).
fn place(tx: &Transaction<'_>, thread: i64, report: &mut Report) -> rusqlite::Result<()> {
    let rows: Vec<(i64, Option<i64>, Option<i64>, i64)> = tx
        .prepare_cached("SELECT id, parent_id, root_id, depth FROM comments WHERE thread_id = ?1 ORDER BY id")?
        .query_map([thread], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, parent, root, depth) in place_thread(&rows, report) {
        tx.prepare_cached("UPDATE comments SET parent_id = ?2, root_id = ?3, depth = ?4 WHERE id = ?1")?
            .execute(params![id, parent, root, depth])?;
    }
    Ok(())
}
