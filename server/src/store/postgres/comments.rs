//! Comments: one by id, counts, and a visitor's create, edit and delete. Thread pages are in
//! `thread_pages.rs`, votes in `votes.rs`, feeds in `feed.rs`.
//! Size: the twin of `sqlite/comments.rs`, kept function for function so that the two read side by side
//! (its statements are a few lines longer); the create path is one use case and stays together.

use std::sync::LazyLock;

use super::bans::BANNED;
use super::outbox::{self, Change, Noticed};
use super::threads::THREAD_OF_PAGE;
use super::{GenericClient, exec, one, opt, rows};
use super::{bans, guards, moderators, review, spam, subscriptions};
use crate::domain::Site;
use crate::domain::comment::{Changes, Comment, CommentMeta, Commenter, Created, Guard, NewComment, Status, place};
use crate::domain::moderation::{self, Facts};
use crate::store::{Result, StoreError};

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

/// Places, moderates and stores a visitor's new comment: a repeated `Idempotency-Key` answers the first
/// comment again; then the parent and depth rule, proof of work, bans, bot traps, first-time moderation and
/// the content rules, then the thread (created by its first comment) and the row.
pub async fn create(
    tx: &impl GenericClient,
    mail: bool,
    site: &Site,
    c: &NewComment,
    by: &Commenter,
    guard: &Guard,
    now: i64,
) -> Result<Created> {
    let site_id = c.site.as_str();
    if let Some(key) = &guard.idempotency_key {
        if let Some(first) = guards::repeated(tx, site_id, key, now).await? {
            return Ok(first);
        }
    }
    let page = page(tx, c, by, now).await?;
    if let Some((created, closed)) = page.closing {
        if site.closes(created, closed, now) {
            return Err(StoreError::Closed);
        }
    }
    if let Some(e) = guard.proof_error {
        return Err(StoreError::Challenge(e));
    }
    // A badge token of a moderator who (still) moderates the site: their comment is marked and trusted.
    let moderator = match guard.moderator {
        Some(claim) => moderators::by_id(tx, claim.id)
            .await?
            .is_some_and(|m| m.created == claim.created && m.badge_version == claim.version && m.may(site_id)),
        None => false,
    };
    // The browser shows it wrote a published comment here: a returning commenter, no proof of work asked.
    let returning = moderator
        || match guard.returning {
            Some(comment) => guards::published_on(tx, comment, site_id).await?,
            None => false,
        };
    // A moderator's own comment needs no proof of work: the badge token is the proof.
    if !moderator {
        guards::check_pow(tx, site, &by.ip_hashes, returning, guard.proof.as_ref(), now).await?;
    }
    // For first-time moderation an address confirmed by mail counts too (the contract; a typed
    // address proves less than the browser's token, see docs/security.md).
    let verified = returning
        || match &c.email {
            Some(email) => subscriptions::confirmed(tx, site_id, email.as_str()).await?,
            None => false,
        };
    let (comment, noticed) = insert_new(
        tx,
        site,
        c,
        by,
        guard,
        Known {
            page: &page,
            returning: verified,
            moderator,
        },
        now,
    )
    .await?;
    let published_at_once = comment.status == Status::Published;
    if let Some(key) = &guard.idempotency_key {
        guards::remember(tx, site_id, key, comment.id, published_at_once, now).await?;
    }
    outbox::notice_of(tx, mail, &noticed, Change::Created, Status::Pending, now).await?;
    if let (true, Some(scope), Some(email)) = (mail, c.notify, &c.email) {
        if comment.status != Status::Spam {
            // Only the browser that wrote a published comment with this address may skip the opt-in.
            let vouched = match guard.returning {
                Some(earlier) if returning => subscriptions::same_author(tx, earlier.0, email.as_str()).await?,
                _ => false,
            };
            subscriptions::subscribe(tx, comment.id, email.as_str(), scope, vouched, now).await?;
        }
    }
    Ok(Created {
        comment,
        published_at_once,
        repeated: false,
    })
}

/// What a post's page and author are before it: read in one statement, as each post of a batch asks it
/// in the one transaction that all of them wait for (`posting.rs`).
struct Page {
    /// The page's thread, if it has one.
    thread: Option<i64>,
    /// The thread's creation and closing times.
    closing: Option<(i64, Option<i64>)>,
    /// Whether a ban in force covers the author's address or IP.
    banned: bool,
}

async fn page(tx: &impl GenericClient, c: &NewComment, by: &Commenter, now: i64) -> Result<Page> {
    let email = c.email.as_ref().map(|e| e.as_str());
    let [ip_hash, ip_hash_before] = &by.ip_hashes;
    let r = one(
        tx,
        &format!(
            "SELECT t.id, t.created, t.closed, {BANNED}
             FROM (SELECT 1) AS one LEFT JOIN threads t ON t.site_id = $1 AND t.uri = $6"
        ),
        &[&c.site.as_str(), &email, ip_hash, ip_hash_before, &now, &c.uri.as_str()],
    )
    .await?;
    let thread: Option<i64> = r.get(0);
    Ok(Page {
        thread,
        closing: thread.map(|_| (r.get(1), r.get(2))),
        banned: r.get(3),
    })
}

/// What the post's reads found: its page, and what it proved about its author (a returning commenter, or
/// one of the site's moderators).
struct Known<'a> {
    page: &'a Page,
    returning: bool,
    moderator: bool,
}

async fn insert_new(
    tx: &impl GenericClient,
    site: &Site,
    c: &NewComment,
    by: &Commenter,
    guard: &Guard,
    known: Known<'_>,
    now: i64,
) -> Result<(Comment, Noticed)> {
    let Known {
        page,
        returning,
        moderator,
    } = known;
    let (site_id, uri) = (c.site.as_str(), c.uri.as_str());
    let placement = match c.parent {
        None => place(None, None, None),
        Some(pid) => place(meta(tx, pid).await?.as_ref(), page.thread, Some(pid)),
    }
    .map_err(StoreError::Refused)?;
    let email = c.email.as_ref().map(|e| e.as_str());
    let ip_hash = &by.ip_hashes[0];
    let author = c.author.as_ref().map(|a| a.as_str());
    let website = c.website.as_ref().map(|w| w.as_str());
    let banned = page.banned;
    let mut verdict = moderation::decide(
        site,
        &Facts {
            html: &c.html,
            fields: [c.text.as_str(), author.unwrap_or(""), website.unwrap_or("")],
            banned,
            returning,
            has_email: email.is_some(),
            trap: guard.trap.as_deref(),
            spam: guard.spam.as_deref(),
        },
    );
    if moderator && verdict.status == Status::Pending {
        verdict.status = Status::Published;
        verdict.reason = None;
    }
    // Only a published comment names its page: a held or spam one must not set the title everyone sees.
    let title = c.title.as_ref().filter(|_| verdict.status == Status::Published);
    insert(
        tx,
        &Insert {
            site: site_id,
            thread: page.thread,
            uri,
            title: title.map(|t| t.as_str()),
            parent: placement.parent,
            root: placement.root,
            depth: placement.depth,
            status: verdict.status,
            author,
            email,
            website,
            text: c.text.as_str(),
            html: &c.html,
            avatar: &by.avatar,
            ip_hash,
            created: now,
            held_reason: verdict.reason.as_deref(),
            moderator,
        },
    )
    .await
}

struct Insert<'a> {
    /// The page: its thread is made by its first comment.
    site: &'a str,
    /// The page's thread, when it had one as the post began.
    thread: Option<i64>,
    uri: &'a str,
    /// The page's title, when the thread has none yet.
    title: Option<&'a str>,
    parent: Option<i64>,
    /// The top-level comment of the parent's branch; `None` for a top-level comment.
    root: Option<i64>,
    depth: i64,
    status: Status,
    author: Option<&'a str>,
    email: Option<&'a str>,
    website: Option<&'a str>,
    text: &'a str,
    html: &'a str,
    avatar: &'a str,
    ip_hash: &'a str,
    created: i64,
    held_reason: Option<&'a str>,
    moderator: bool,
}

/// The statement of [`insert`] for a page without a thread when its post began: the page's thread (made by
/// its first comment, or by a post of the same batch before it), the row, and what [`outbox::noticed`]
/// would read of it, in one statement. The thread and the row it writes are not yet visible to the
/// statement's own reads: the page's uri and title come from the parameters (a title the thread had
/// before wins, as in [`THREAD_OF_PAGE`]).
static INSERT: LazyLock<String> = LazyLock::new(|| insert_sql(THREAD_OF_PAGE));

/// The statement of [`insert`] for a page whose thread `$18` the post read ([`page`]): no upsert of the
/// thread (PostgreSQL locks the row it conflicts with, about a fifth of the insert's time), only a title
/// given to a thread that had none. The write lock keeps the thread in place between the read and this.
static INSERT_INTO_THREAD: LazyLock<String> = LazyLock::new(|| {
    insert_sql(
        "titled AS (UPDATE threads SET title = $3 WHERE id = $18 AND title IS NULL AND $3::TEXT IS NOT NULL),
         thread AS (SELECT $18::BIGINT AS id)",
    )
});

/// The insert of a comment after `thread`, CTEs that end in the relation `thread (id)`.
fn insert_sql(thread: &str) -> String {
    let stored = COMMENT_COLUMNS
        .split(", ")
        .map(|column| format!("c.{column}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "WITH {thread},
         c AS (
             INSERT INTO comments (thread_id, parent_id, depth, status, author, email, website, text, html, avatar,
                                   ip_hash, created, held_reason, root_id, moderator, site_id)
             SELECT thread.id, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $4, $15, $16, $17, $1 FROM thread
             RETURNING *)
         SELECT {stored},
                c.id, c.site_id, s.name, $2::TEXT, coalesce((SELECT title FROM threads WHERE id = c.thread_id), $3::TEXT),
                c.parent_id, c.status, c.author, c.website, c.html, c.text, c.held_reason, c.created, c.email,
                c.thread_id, s.notify, s.language, EXISTS (SELECT 1 FROM webhooks w WHERE w.site_id = c.site_id)
         FROM c JOIN sites s ON s.id = c.site_id"
    )
}

/// Stores the row, and its page's thread when it is the first; the comment as stored and as its
/// notifications see it.
async fn insert(tx: &impl GenericClient, c: &Insert<'_>) -> Result<(Comment, Noticed)> {
    let moderator = i64::from(c.moderator);
    let status = c.status.as_str();
    let mut params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = vec![
        &c.site,
        &c.uri,
        &c.title,
        &c.created,
        &c.parent,
        &c.depth,
        &status,
        &c.author,
        &c.email,
        &c.website,
        &c.text,
        &c.html,
        &c.avatar,
        &c.ip_hash,
        &c.held_reason,
        &c.root,
        &moderator,
    ];
    let sql = match &c.thread {
        Some(thread) => {
            params.push(thread);
            &*INSERT_INTO_THREAD
        }
        None => &*INSERT,
    };
    let row = one(tx, sql, &params).await?;
    Ok((comment(&row)?, outbox::noticed_at(&row, COMMENT_COLUMN_COUNT)))
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
