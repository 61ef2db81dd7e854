//! What moderators see and do to comments: the queue, browsing, the trash, their actions and edits.

use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::outbox::{self, Change};
use super::{GenericClient, exec, one, opt, rows};
use super::{audit, bans, comments, spam};
use crate::domain::comment::{CommentRecord, ModeratorEdit, Status};
use crate::domain::moderator::{Action, Filter, Moderator, NewBan};
use crate::store::Result;

const ITEM: &str = "SELECT c.id, t.site_id, t.uri, t.title, c.parent_id, c.status, c.author, c.email, c.website,
       c.text, c.html, c.ip_hash, c.created, c.held_reason, c.deleted_at,
       CASE WHEN c.email IS NOT NULL
            THEN (SELECT count(*) FROM comments o JOIN threads ot ON ot.id = o.thread_id
                  WHERE (o.email COLLATE nocase) = c.email AND o.status = 'published' AND ot.site_id = t.site_id)
            ELSE (SELECT count(*) FROM comments o JOIN threads ot ON ot.id = o.thread_id
                  WHERE o.ip_hash = c.ip_hash AND o.status = 'published' AND ot.site_id = t.site_id) END,
       c.pinned, t.closed
  FROM comments c JOIN threads t ON t.id = c.thread_id";

fn record(r: &Row) -> CommentRecord {
    let status: String = r.get(5);
    CommentRecord {
        id: r.get(0),
        site: r.get(1),
        uri: r.get(2),
        title: r.get(3),
        parent: r.get(4),
        status: Status::from_stored(&status),
        author: r.get(6),
        email: r.get(7),
        website: r.get(8),
        text: r.get(9),
        html: r.get(10),
        ip_hash: r.get(11),
        created: r.get(12),
        reason: r.get(13),
        deleted_at: r.get(14),
        published_before: r.get(15),
        pinned: r.get::<_, i64>(16) > 0,
        thread_closed: r.get::<_, Option<i64>>(17).is_some(),
    }
}

/// The parameters of a query whose clauses are chosen at run time.
#[derive(Default)]
struct Args(Vec<Box<dyn ToSql + Sync + Send>>);

impl Args {
    /// Adds a parameter; its placeholder.
    fn push(&mut self, value: impl ToSql + Sync + Send + 'static) -> String {
        self.0.push(Box::new(value));
        format!("${}", self.0.len())
    }

    fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.0.iter().map(|v| v.as_ref() as &(dyn ToSql + Sync)).collect()
    }
}

/// `AND t.site_id = ANY(...)` for a moderator limited to some sites (none of them: no row); nothing for one
/// who may see all.
fn site_clause(sites: Option<&[String]>, args: &mut Args) -> String {
    match sites {
        None => String::new(),
        Some(list) => format!(" AND t.site_id = ANY({})", args.push(list.to_vec())),
    }
}

pub async fn get(conn: &impl GenericClient, id: i64) -> Result<Option<CommentRecord>> {
    Ok(opt(conn, &format!("{ITEM} WHERE c.id = $1"), &[&id])
        .await?
        .as_ref()
        .map(record))
}

/// Pending comments, newest first.
pub async fn queue(conn: &impl GenericClient, sites: Option<&[String]>) -> Result<Vec<CommentRecord>> {
    let mut args = Args::default();
    let clause = site_clause(sites, &mut args);
    Ok(rows(
        conn,
        &format!("{ITEM} WHERE c.status = 'pending'{clause} ORDER BY c.id DESC LIMIT 500"),
        &args.refs(),
    )
    .await?
    .iter()
    .map(record)
    .collect())
}

/// One page of comments matching the filter, newest first, and how many match in all.
pub async fn browse(
    conn: &impl GenericClient,
    sites: Option<&[String]>,
    filter: &Filter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<CommentRecord>, i64)> {
    let mut args = Args::default();
    let mut clause = site_clause(sites, &mut args);
    if let Some(site) = &filter.site {
        clause.push_str(&format!(" AND t.site_id = {}", args.push(site.clone())));
    }
    if let Some(status) = filter.status {
        clause.push_str(&format!(" AND c.status = {}", args.push(status.as_str().to_owned())));
    }
    if let Some(uri) = &filter.uri {
        clause.push_str(&format!(" AND t.uri = {}", args.push(uri.clone())));
    }
    if let Some(text) = &filter.text {
        let pattern = format!(
            "%{}%",
            text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
        );
        let p = args.push(pattern);
        clause.push_str(&format!(
            " AND (c.text ILIKE {p} ESCAPE '\\' OR c.author ILIKE {p} ESCAPE '\\' OR c.email ILIKE {p} ESCAPE '\\')"
        ));
    }
    let total: i64 = one(
        conn,
        &format!("SELECT count(*) FROM comments c JOIN threads t ON t.id = c.thread_id WHERE 1=1{clause}"),
        &args.refs(),
    )
    .await?
    .get(0);
    let page = format!(
        "{ITEM} WHERE 1=1{clause} ORDER BY c.id DESC LIMIT {} OFFSET {}",
        args.push(limit),
        args.push(offset)
    );
    let items = rows(conn, &page, &args.refs()).await?.iter().map(record).collect();
    Ok((items, total))
}

/// Comments in the trash, newest deletion first.
pub async fn trash(conn: &impl GenericClient, sites: Option<&[String]>) -> Result<Vec<CommentRecord>> {
    let mut args = Args::default();
    let clause = site_clause(sites, &mut args);
    Ok(rows(
        conn,
        &format!(
            "{ITEM} WHERE c.status = 'deleted' AND c.deleted_at IS NOT NULL{clause} ORDER BY c.deleted_at DESC LIMIT 500"
        ),
        &args.refs(),
    )
    .await?
    .iter()
    .map(record)
    .collect())
}

async fn set_status(tx: &impl GenericClient, id: i64, status: Status) -> Result<()> {
    exec(
        tx,
        "UPDATE comments SET status = $2, deleted_at = NULL WHERE id = $1",
        &[&id, &status.as_str()],
    )
    .await?;
    Ok(())
}

/// A moderator's delete: the comment leaves every public view but keeps its content for 30 days.
async fn trash_comment(tx: &impl GenericClient, id: i64, now: i64) -> Result<()> {
    exec(
        tx,
        "UPDATE comments SET status = 'deleted', deleted_at = $2 WHERE id = $1",
        &[&id, &now],
    )
    .await?;
    Ok(())
}

/// Takes a comment back out of the trash as published.
async fn restore(tx: &impl GenericClient, id: i64) -> Result<bool> {
    Ok(exec(
        tx,
        "UPDATE comments SET status = 'published', deleted_at = NULL
         WHERE id = $1 AND status = 'deleted' AND deleted_at IS NOT NULL",
        &[&id],
    )
    .await?
        == 1)
}

/// Purges trashed comments deleted before `before`: the author's content goes for good.
pub async fn purge(tx: &impl GenericClient, before: i64, now: i64) -> Result<usize> {
    let ids: Vec<i64> = rows(
        tx,
        "SELECT id FROM comments WHERE status = 'deleted' AND deleted_at < $1",
        &[&before],
    )
    .await?
    .iter()
    .map(|r| r.get(0))
    .collect();
    comments::remove_all(tx, &ids, now).await?;
    Ok(ids.len())
}

/// A moderator's edit of every field, audited.
pub async fn edit(tx: &impl GenericClient, id: i64, e: &ModeratorEdit, by: &str, now: i64) -> Result<()> {
    let before = get(tx, id).await?.map_or(Status::Deleted, |c| c.status);
    exec(
        tx,
        "UPDATE comments SET text = $2, html = $3, author = $4, website = $5, edited = $6 WHERE id = $1",
        &[
            &id,
            &e.text.as_str(),
            &e.html,
            &e.author.as_ref().map(|a| a.as_str()),
            &e.website.as_ref().map(|w| w.as_str()),
            &now,
        ],
    )
    .await?;
    outbox::notice(tx, false, id, Change::Edited, before, now).await?;
    audit::record(tx, now, by, "edit", Some(id), None).await
}

/// The comments of these ids that exist, in the order asked.
pub async fn records(conn: &impl GenericClient, ids: &[i64]) -> Result<Vec<CommentRecord>> {
    let mut found = Vec::with_capacity(ids.len());
    for &id in ids {
        if let Some(c) = get(conn, id).await? {
            found.push(c);
        }
    }
    Ok(found)
}

/// One action on each comment of `ids` the moderator may act on, each audited; returns how many changed.
pub async fn moderate(
    tx: &impl GenericClient,
    mail: bool,
    by: &Moderator,
    action: Action,
    ids: &[i64],
    now: i64,
) -> Result<usize> {
    let mut changed = 0;
    for &id in ids {
        let Some(c) = get(tx, id).await? else {
            continue;
        };
        if !by.may(&c.site) {
            continue;
        }
        match action {
            Action::Approve => {
                set_status(tx, id, Status::Published).await?;
                spam::train(tx, id, false).await?;
            }
            Action::Spam => {
                set_status(tx, id, Status::Spam).await?;
                spam::train(tx, id, true).await?;
            }
            Action::Delete => trash_comment(tx, id, now).await?,
            Action::Restore => {
                if !restore(tx, id).await? {
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
                    bans::add(tx, &ban, now).await?;
                }
                set_status(tx, id, Status::Spam).await?;
                spam::train(tx, id, true).await?;
            }
        }
        let change = match action {
            Action::Approve | Action::Restore => Change::Published,
            Action::Spam | Action::Delete | Action::Ban => Change::Deleted,
        };
        outbox::notice(tx, mail, id, change, c.status, now).await?;
        audit::record(tx, now, &by.name, action.as_str(), Some(id), None).await?;
        changed += 1;
    }
    Ok(changed)
}

/// Holds a comment as pending or spam, with the reason moderators see.
pub async fn hold_as(tx: &impl GenericClient, id: i64, status: Status, reason: &str) -> Result<()> {
    exec(
        tx,
        "UPDATE comments SET status = $2, held_reason = $3 WHERE id = $1",
        &[&id, &status.as_str(), &reason],
    )
    .await?;
    Ok(())
}

/// Forgets the IP hashes of comments older than `before`: kept only as long as moderation needs them.
pub async fn forget_ip_hashes(tx: &impl GenericClient, before: i64) -> Result<usize> {
    Ok(exec(
        tx,
        "UPDATE comments SET ip_hash = NULL WHERE created < $1 AND ip_hash IS NOT NULL",
        &[&before],
    )
    .await? as usize)
}
