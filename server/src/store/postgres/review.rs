//! What moderators see and do to comments: the queue, browsing, the trash, their actions and edits.
//! STUB: to be ported from `sqlite/review.rs`.

#![allow(unused_variables, unused_imports, dead_code)]

use super::outbox::{self, Change};
use super::{GenericClient, Params, exec, one, opt, rows};
use super::{audit, bans, comments, spam};
use crate::domain::comment::{CommentRecord, ModeratorEdit, Status};
use crate::domain::moderator::{Action, Filter, Moderator, NewBan};
use crate::store::{Result, StoreError};

pub async fn get(conn: &impl GenericClient, id: i64) -> Result<Option<CommentRecord>> {
    todo!("port review::get")
}

/// Pending comments, newest first.
pub async fn queue(conn: &impl GenericClient, sites: Option<&[String]>) -> Result<Vec<CommentRecord>> {
    todo!("port review::queue")
}

/// One page of comments matching the filter, newest first, and how many match in all.
pub async fn browse(
    conn: &impl GenericClient,
    sites: Option<&[String]>,
    filter: &Filter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<CommentRecord>, i64)> {
    todo!("port review::browse")
}

/// Comments in the trash, newest deletion first.
pub async fn trash(conn: &impl GenericClient, sites: Option<&[String]>) -> Result<Vec<CommentRecord>> {
    todo!("port review::trash")
}

/// Purges trashed comments deleted before `before`: the author's content goes for good.
pub async fn purge(tx: &impl GenericClient, before: i64, now: i64) -> Result<usize> {
    todo!("port review::purge")
}

/// A moderator's edit of every field, audited.
pub async fn edit(tx: &impl GenericClient, id: i64, e: &ModeratorEdit, by: &str, now: i64) -> Result<()> {
    todo!("port review::edit")
}

/// The comments of these ids that exist, in the order asked.
pub async fn records(conn: &impl GenericClient, ids: &[i64]) -> Result<Vec<CommentRecord>> {
    todo!("port review::records")
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
    todo!("port review::moderate")
}

/// Holds a comment as pending or spam, with the reason moderators see.
pub async fn hold_as(tx: &impl GenericClient, id: i64, status: Status, reason: &str) -> Result<()> {
    todo!("port review::hold_as")
}

/// Forgets the IP hashes of comments older than `before`: kept only as long as moderation needs them.
pub async fn forget_ip_hashes(tx: &impl GenericClient, before: i64) -> Result<usize> {
    todo!("port review::forget_ip_hashes")
}
