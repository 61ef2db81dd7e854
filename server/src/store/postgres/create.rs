//! A visitor's new comment, in three steps so that a batch of posts (`posting.rs`) stores all of its rows
//! in one statement: [`check`] reads what a post depends on and decides it (a repeated `Idempotency-Key`,
//! the page, the parent and depth rule, proof of work, bans, bot traps, first-time moderation and the
//! content rules); [`insert`] stores the rows of any number of checked posts, with the threads of pages
//! that had none; [`finish`] writes what follows from each stored row (its idempotency key, its
//! notifications, its author's subscription). [`create`] is the three for one post.
//!
//! One statement for a batch's rows, not one per post: one executor start, one trigger queue and one
//! answer sent, which cost more than writing the rows (bench/RESULTS.md, "Issue 14, round four").

use std::sync::LazyLock;

use super::bans::BANNED;
use super::comments::{COMMENT_COLUMN_COUNT, COMMENT_COLUMNS, comment, meta};
use super::guards::Earlier;
use super::outbox::{self, Change, Noticed};
use super::{GenericClient, guards, moderators, one, subscriptions};
use crate::domain::Site;
use crate::domain::comment::{Comment, Commenter, Created, Guard, NewComment, Status, place};
use crate::domain::moderation::{self, Facts};
use crate::store::{Result, StoreError};

/// Checks, stores and finishes one post in `tx`.
pub async fn create(
    tx: &impl GenericClient,
    mail: bool,
    site: &Site,
    c: &NewComment,
    by: &Commenter,
    guard: &Guard,
    now: i64,
) -> Result<Created> {
    match check(tx, site, c, by, guard, Earlier::default(), now).await? {
        Checked::Repeated(first) => Ok(first),
        Checked::Ready(ready) => {
            let stored = insert(tx, &[&ready.row]).await?.into_iter().next();
            let stored = stored.ok_or_else(|| StoreError::Failed(anyhow::anyhow!("the insert stored no row")))?;
            finish(tx, mail, c, guard, ready.returning, stored, now).await
        }
    }
}

/// A post after [`check`].
pub enum Checked<'a> {
    /// Its `Idempotency-Key` made a comment before: that comment is the answer, nothing is stored.
    Repeated(Created),
    /// Decided, and ready for [`insert`].
    Ready(Ready<'a>),
}

/// A checked post: the row to store, and what [`finish`] needs to know of its author.
pub struct Ready<'a> {
    pub row: Row<'a>,
    /// The author proved an earlier published comment on the site (or is one of its moderators).
    pub returning: bool,
}

impl<'a> Checked<'a> {
    /// The row to store, unless the post repeats an earlier one.
    pub fn row(&self) -> Option<&Row<'a>> {
        match self {
            Checked::Repeated(_) => None,
            Checked::Ready(ready) => Some(&ready.row),
        }
    }
}

/// Reads what the post depends on and decides where it goes and in which status; writes only the proof
/// of work it used. `earlier`: the comments of posts before it in the same batch, which it cannot read.
pub async fn check<'a>(
    tx: &impl GenericClient,
    site: &Site,
    c: &'a NewComment,
    by: &'a Commenter,
    guard: &Guard,
    earlier: Earlier,
    now: i64,
) -> Result<Checked<'a>> {
    let site_id = c.site.as_str();
    if let Some(key) = &guard.idempotency_key {
        if let Some(first) = guards::repeated(tx, site_id, key, now).await? {
            return Ok(Checked::Repeated(first));
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
        let proof = guard.proof.as_ref();
        guards::check_pow(tx, site, &by.ip_hashes, returning, proof, earlier, now).await?;
    }
    // For first-time moderation an address confirmed by mail counts too (the contract; a typed
    // address proves less than the browser's token, see docs/security.md).
    let verified = returning
        || match &c.email {
            Some(email) => subscriptions::confirmed(tx, site_id, email.as_str()).await?,
            None => false,
        };
    let known = Known {
        page: &page,
        returning: verified,
        moderator,
    };
    let row = decide(tx, site, c, by, guard, known, now).await?;
    Ok(Checked::Ready(Ready { row, returning }))
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

/// The post's place (its parent, read) and status (the moderation rules): its row.
async fn decide<'a>(
    tx: &impl GenericClient,
    site: &Site,
    c: &'a NewComment,
    by: &'a Commenter,
    guard: &Guard,
    known: Known<'_>,
    now: i64,
) -> Result<Row<'a>> {
    let Known {
        page,
        returning,
        moderator,
    } = known;
    let placement = match c.parent {
        None => place(None, None, None),
        Some(pid) => place(meta(tx, pid).await?.as_ref(), page.thread, Some(pid)),
    }
    .map_err(StoreError::Refused)?;
    let email = c.email.as_ref().map(|e| e.as_str());
    let author = c.author.as_ref().map(|a| a.as_str());
    let website = c.website.as_ref().map(|w| w.as_str());
    let mut verdict = moderation::decide(
        site,
        &Facts {
            html: &c.html,
            fields: [c.text.as_str(), author.unwrap_or(""), website.unwrap_or("")],
            banned: page.banned,
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
    Ok(Row {
        site: c.site.as_str(),
        thread: page.thread,
        uri: c.uri.as_str(),
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
        ip_hash: &by.ip_hashes[0],
        created: now,
        held_reason: verdict.reason,
        moderator,
    })
}

/// A comment's row as [`insert`] stores it.
pub struct Row<'a> {
    /// The page: its thread is made by its first comment.
    site: &'a str,
    /// The page's thread, when it had one as the post was checked.
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
    held_reason: Option<String>,
    moderator: bool,
}

/// The statement of [`insert`]: the rows in the order given (`n`), each column one array parameter.
/// Pages without a thread get one (a title given before wins; the first title given in the rows after
/// it), threads without a title get the first one given; then the comments, and what
/// [`outbox::noticed`] would read of each. The statement's own reads do not see what it writes, so the
/// page's title for a notification is the thread's, or else the first one given among the rows before.
static INSERT: LazyLock<String> = LazyLock::new(|| {
    let stored = COMMENT_COLUMNS
        .split(", ")
        .map(|column| format!("c.{column}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "WITH v AS (
             SELECT * FROM unnest($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::BIGINT[], $5::BIGINT[], $6::BIGINT[],
                                  $7::TEXT[], $8::TEXT[], $9::TEXT[], $10::TEXT[], $11::TEXT[], $12::TEXT[],
                                  $13::TEXT[], $14::TEXT[], $15::TEXT[], $16::BIGINT[], $17::BIGINT[],
                                  $18::BIGINT[])
                 WITH ORDINALITY AS v (site_id, uri, title, created, parent_id, depth, status, author, email,
                                       website, text, html, avatar, ip_hash, held_reason, root_id, moderator,
                                       thread_id, n)),
         made AS (
             INSERT INTO threads (site_id, uri, title, created)
             SELECT site_id, uri, (array_agg(title ORDER BY n) FILTER (WHERE title IS NOT NULL))[1], min(created)
             FROM v WHERE thread_id IS NULL GROUP BY site_id, uri
             ON CONFLICT (site_id, uri) DO UPDATE SET title = coalesce(threads.title, excluded.title)
             RETURNING id, site_id, uri),
         titled AS (
             UPDATE threads t SET title = f.title
             FROM (SELECT thread_id, (array_agg(title ORDER BY n))[1] AS title FROM v
                   WHERE thread_id IS NOT NULL AND title IS NOT NULL GROUP BY thread_id) f
             WHERE t.id = f.thread_id AND t.title IS NULL),
         p AS (
             SELECT v.*, coalesce(v.thread_id, made.id) AS thread
             FROM v LEFT JOIN made ON v.thread_id IS NULL AND made.site_id = v.site_id AND made.uri = v.uri),
         c AS (
             INSERT INTO comments (thread_id, parent_id, depth, status, author, email, website, text, html, avatar,
                                   ip_hash, created, held_reason, root_id, moderator, site_id)
             SELECT thread, parent_id, depth, status, author, email, website, text, html, avatar, ip_hash, created,
                    held_reason, root_id, moderator, site_id
             FROM p ORDER BY n
             RETURNING *),
         r AS (SELECT c.*, row_number() OVER (ORDER BY c.id) AS n FROM c)
         SELECT {stored},
                c.id, c.site_id, s.name, p.uri,
                coalesce((SELECT title FROM threads WHERE id = c.thread_id),
                         (SELECT q.title FROM p q WHERE q.thread = c.thread_id AND q.title IS NOT NULL AND q.n <= c.n
                          ORDER BY q.n LIMIT 1)),
                c.parent_id, c.status, c.author, c.website, c.html, c.text, c.held_reason, c.created, c.email,
                c.thread_id, s.notify, s.language, EXISTS (SELECT 1 FROM webhooks w WHERE w.site_id = c.site_id)
         FROM r c JOIN p ON p.n = c.n JOIN sites s ON s.id = c.site_id
         ORDER BY c.n"
    )
});

/// Stores the rows, in their order, and the threads of their pages that had none; each comment as stored
/// and as its notifications see it. Ids are drawn in the rows' order (`r` in [`INSERT`] relies on it).
pub async fn insert(tx: &impl GenericClient, rows: &[&Row<'_>]) -> Result<Vec<(Comment, Noticed)>> {
    let site: Vec<&str> = rows.iter().map(|r| r.site).collect();
    let uri: Vec<&str> = rows.iter().map(|r| r.uri).collect();
    let title: Vec<Option<&str>> = rows.iter().map(|r| r.title).collect();
    let created: Vec<i64> = rows.iter().map(|r| r.created).collect();
    let parent: Vec<Option<i64>> = rows.iter().map(|r| r.parent).collect();
    let depth: Vec<i64> = rows.iter().map(|r| r.depth).collect();
    let status: Vec<&str> = rows.iter().map(|r| r.status.as_str()).collect();
    let author: Vec<Option<&str>> = rows.iter().map(|r| r.author).collect();
    let email: Vec<Option<&str>> = rows.iter().map(|r| r.email).collect();
    let website: Vec<Option<&str>> = rows.iter().map(|r| r.website).collect();
    let text: Vec<&str> = rows.iter().map(|r| r.text).collect();
    let html: Vec<&str> = rows.iter().map(|r| r.html).collect();
    let avatar: Vec<&str> = rows.iter().map(|r| r.avatar).collect();
    let ip_hash: Vec<&str> = rows.iter().map(|r| r.ip_hash).collect();
    let held_reason: Vec<Option<&str>> = rows.iter().map(|r| r.held_reason.as_deref()).collect();
    let root: Vec<Option<i64>> = rows.iter().map(|r| r.root).collect();
    let moderator: Vec<i64> = rows.iter().map(|r| i64::from(r.moderator)).collect();
    let thread: Vec<Option<i64>> = rows.iter().map(|r| r.thread).collect();
    let stored = super::rows(
        tx,
        &INSERT,
        &[
            &site,
            &uri,
            &title,
            &created,
            &parent,
            &depth,
            &status,
            &author,
            &email,
            &website,
            &text,
            &html,
            &avatar,
            &ip_hash,
            &held_reason,
            &root,
            &moderator,
            &thread,
        ],
    )
    .await?;
    if stored.len() != rows.len() {
        return Err(StoreError::Failed(anyhow::anyhow!(
            "{} comments to store, {} stored",
            rows.len(),
            stored.len()
        )));
    }
    stored
        .iter()
        .map(|row| Ok((comment(row)?, outbox::noticed_at(row, COMMENT_COLUMN_COUNT))))
        .collect()
}

/// What follows from a stored comment: its idempotency key, its notifications and its author's
/// subscription. `returning`: as [`Ready`] found it.
pub async fn finish(
    tx: &impl GenericClient,
    mail: bool,
    c: &NewComment,
    guard: &Guard,
    returning: bool,
    (comment, noticed): (Comment, Noticed),
    now: i64,
) -> Result<Created> {
    let published_at_once = comment.status == Status::Published;
    if let Some(key) = &guard.idempotency_key {
        guards::remember(tx, c.site.as_str(), key, comment.id, published_at_once, now).await?;
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
