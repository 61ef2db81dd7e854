//! Comments: one by id, counts, and a visitor's edit and delete. A new comment is in `create.rs` (in
//! steps, for the batches of `posting.rs`), thread pages are in `thread_pages.rs`, votes in `votes.rs`,
//! feeds in `feed.rs`.

use super::outbox::{self, Change};
use super::{GenericClient, exec, one, opt, rows};
use super::{bans, review, spam};
use crate::domain::Site;
use crate::domain::comment::{Changes, Comment, CommentMeta, Status};
use crate::domain::moderation;
use crate::store::Result;

pub(super) const COMMENT_COLUMNS: &str =
    "id, parent_id, status, author, website, html, avatar, created, edited, likes, dislikes, pinned, moderator";

/// The number of [`COMMENT_COLUMNS`]: the first column a query adds after them.
pub(super) const COMMENT_COLUMN_COUNT: usize = 13;

/// A comment from a row that starts with [`COMMENT_COLUMNS`]. Never fails (a `Result` for its callers'
/// `?`): a column of another type is a bug, and `get` panics on it.
pub(super) fn comment(r: &tokio_postgres::Row) -> Result<Comment> {
    let status: &str = r.get(2);
    Ok(Comment {
        id: r.get(0),
        parent: r.get(1),
        status: Status::from_stored(status),
        author: r.get(3),
        website: r.get(4),
        html: r.get(5),
        avatar: r.get(6),
        created: r.get(7),
        edited: r.get(8),
        likes: r.get(9),
        dislikes: r.get(10),
        pinned: r.get::<_, i64>(11) > 0,
        moderator: r.get::<_, i64>(12) != 0,
    })
}

pub async fn get(conn: &impl GenericClient, id: i64) -> Result<Option<Comment>> {
    match opt(
        conn,
        &format!("SELECT {COMMENT_COLUMNS} FROM comments WHERE id = $1"),
        &[&id],
    )
    .await?
    {
        Some(r) => Ok(Some(comment(&r)?)),
        None => Ok(None),
    }
}

pub async fn meta(conn: &impl GenericClient, id: i64) -> Result<Option<CommentMeta>> {
    Ok(opt(
        conn,
        "SELECT c.id, c.thread_id, t.site_id, c.parent_id, c.depth, c.status, c.created, coalesce(c.root_id, c.id)
         FROM comments c JOIN threads t ON t.id = c.thread_id WHERE c.id = $1",
        &[&id],
    )
    .await?
    .map(|r| {
        let status: &str = r.get(5);
        CommentMeta {
            id: r.get(0),
            thread_id: r.get(1),
            site_id: r.get(2),
            parent: r.get(3),
            depth: r.get(4),
            status: Status::from_stored(status),
            created: r.get(6),
            root: r.get(7),
        }
    }))
}

/// An author's edit. Spammers post something harmless and edit the links in later: the edited comment
/// meets the rules again ([`moderation::after_edit`]); a banned editor's comment goes to spam.
pub async fn edit(
    tx: &impl GenericClient,
    mail: bool,
    id: i64,
    site: &Site,
    changes: &Changes,
    editor: &[String; 2],
    now: i64,
) -> Result<Option<Comment>> {
    let Some(before) = meta(tx, id).await? else {
        return Ok(None);
    };
    update(tx, id, changes, now).await?;
    let Some(c) = review::get(tx, id).await? else {
        return Ok(None);
    };
    let fields = [
        c.text.as_str(),
        c.author.as_deref().unwrap_or(""),
        c.website.as_deref().unwrap_or(""),
    ];
    let hashes = [editor[0].as_str(), editor[1].as_str()];
    let banned = bans::is_banned(tx, &site.id, c.email.as_deref(), hashes, now).await?
        || match &c.ip_hash {
            Some(h) => bans::is_banned(tx, &site.id, None, [h, h], now).await?,
            None => false,
        };
    match moderation::after_edit(site, c.status, banned, changes.spam.as_deref(), &c.html, fields) {
        Some(v) => {
            review::hold_as(tx, id, v.status, v.reason.as_deref().unwrap_or("")).await?;
            let change = if v.status == Status::Pending {
                Change::Held
            } else {
                Change::Deleted
            };
            outbox::notice(tx, mail, id, change, before.status, now).await?;
        }
        None => outbox::notice(tx, mail, id, Change::Edited, before.status, now).await?,
    }
    get(tx, id).await
}

async fn update(tx: &impl GenericClient, id: i64, changes: &Changes, edited: i64) -> Result<()> {
    if let Some((text, html)) = &changes.text {
        exec(
            tx,
            "UPDATE comments SET text = $2, html = $3 WHERE id = $1",
            &[&id, &text.as_str(), html],
        )
        .await?;
    }
    if let Some(author) = &changes.author {
        exec(
            tx,
            "UPDATE comments SET author = $2 WHERE id = $1",
            &[&id, &author.as_ref().map(|a| a.as_str())],
        )
        .await?;
    }
    if let Some(website) = &changes.website {
        exec(
            tx,
            "UPDATE comments SET website = $2 WHERE id = $1",
            &[&id, &website.as_ref().map(|w| w.as_str())],
        )
        .await?;
    }
    exec(tx, "UPDATE comments SET edited = $2 WHERE id = $1", &[&id, &edited]).await?;
    Ok(())
}

async fn has_replies(tx: &impl GenericClient, id: i64) -> Result<bool> {
    Ok(opt(tx, "SELECT 1 FROM comments WHERE parent_id = $1 LIMIT 1", &[&id])
        .await?
        .is_some())
}

/// Deletes a comment. One with replies stays as a placeholder without author, website or text; a
/// placeholder left without replies by this deletion goes too, up the chain.
pub async fn remove(tx: &impl GenericClient, id: i64, now: i64) -> Result<()> {
    if let Some(m) = meta(tx, id).await? {
        outbox::notice(tx, false, id, Change::Deleted, m.status, now).await?;
    }
    spam::forget(tx, id).await?;
    if has_replies(tx, id).await? {
        exec(
            tx,
            "UPDATE comments SET status = 'deleted', author = NULL, email = NULL, website = NULL, text = '', avatar = '',
             ip_hash = NULL, held_reason = NULL, deleted_at = NULL,
             html = '', likes = 0, dislikes = 0 WHERE id = $1",
            &[&id],
        )
        .await?;
        exec(tx, "DELETE FROM votes WHERE comment_id = $1", &[&id]).await?;
        return Ok(());
    }
    let mut current = Some(id);
    while let Some(id) = current {
        spam::forget(tx, id).await?;
        let parent: Option<i64> = one(tx, "DELETE FROM comments WHERE id = $1 RETURNING parent_id", &[&id])
            .await?
            .get(0);
        current = match parent {
            Some(p) if !has_replies(tx, p).await? && is_placeholder(tx, p).await? => Some(p),
            _ => None,
        };
    }
    Ok(())
}

/// Removes several comments as [`remove`] does. One may be gone already: removing a reply can take its
/// placeholder parent with it.
pub async fn remove_all(tx: &impl GenericClient, ids: &[i64], now: i64) -> Result<()> {
    for &id in ids {
        if opt(tx, "SELECT 1 FROM comments WHERE id = $1", &[&id]).await?.is_some() {
            remove(tx, id, now).await?;
        }
    }
    Ok(())
}

/// A placeholder kept only for its replies; a comment a moderator moved to the trash is not one (it keeps
/// its content for 30 days, restorable, whatever happens to its replies).
async fn is_placeholder(tx: &impl GenericClient, id: i64) -> Result<bool> {
    Ok(opt(
        tx,
        "SELECT 1 FROM comments WHERE id = $1 AND status = 'deleted' AND deleted_at IS NULL",
        &[&id],
    )
    .await?
    .is_some())
}

/// Published comments per page, for the pages that have any thread; others are absent.
pub async fn counts(conn: &impl GenericClient, site: &str, uris: &[String]) -> Result<Vec<(String, i64)>> {
    Ok(rows(
        conn,
        "SELECT t.uri, (SELECT count(*) FROM comments c WHERE c.thread_id = t.id AND c.status = 'published')
         FROM threads t WHERE t.site_id = $1 AND t.uri = ANY($2)",
        &[&site, &uris],
    )
    .await?
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect())
}
