//! Comments: one by id, counts, and a visitor's create, edit and delete. Thread pages are in
//! `thread_pages.rs`, votes in `votes.rs`, feeds in `feed.rs`.
//! STUB: to be ported from `sqlite/comments.rs`.

#![allow(unused_variables, unused_imports, dead_code)]

use super::outbox::{self, Change};
use super::{GenericClient, Params, exec, one, opt, rows};
use super::{bans, guards, moderators, review, spam, subscriptions, threads};
use crate::domain::Site;
use crate::domain::comment::{Changes, Comment, CommentMeta, Commenter, Created, Guard, NewComment, Status, place};
use crate::domain::moderation::{self, Facts};
use crate::store::{Result, StoreError};

pub(super) const COMMENT_COLUMNS: &str =
    "id, parent_id, status, author, website, html, avatar, created, edited, likes, dislikes, pinned, moderator";

/// The number of [`COMMENT_COLUMNS`]: the first column a query adds after them.
pub(super) const COMMENT_COLUMN_COUNT: usize = 13;

pub(super) fn comment(r: &tokio_postgres::Row) -> Result<Comment> {
    todo!("port comments::comment")
}

pub async fn get(conn: &impl GenericClient, id: i64) -> Result<Option<Comment>> {
    todo!("port comments::get")
}

pub async fn meta(conn: &impl GenericClient, id: i64) -> Result<Option<CommentMeta>> {
    todo!("port comments::meta")
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
    todo!("port comments::create")
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
    todo!("port comments::edit")
}

/// Deletes a comment. One with replies stays as a placeholder without author, website or text; a
/// placeholder left without replies by this deletion goes too, up the chain.
pub async fn remove(tx: &impl GenericClient, id: i64, now: i64) -> Result<()> {
    todo!("port comments::remove")
}

/// Removes several comments as [`remove`] does. One may be gone already: removing a reply can take its
/// placeholder parent with it.
pub async fn remove_all(tx: &impl GenericClient, ids: &[i64], now: i64) -> Result<()> {
    todo!("port comments::remove_all")
}

/// Published comments per page, for the pages that have any thread; others are absent.
pub async fn counts(conn: &impl GenericClient, site: &str, uris: &[String]) -> Result<Vec<(String, i64)>> {
    todo!("port comments::counts")
}
