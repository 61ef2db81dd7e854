//! Threads: one per site and page, created by the page's first comment.
//! STUB: to be ported from `sqlite/threads.rs`.

#![allow(unused_variables, unused_imports, dead_code)]

use super::{GenericClient, Params, exec, one, opt, rows};
use crate::store::{Result, StoreError};

#[derive(Debug, Clone)]
pub struct Thread {
    pub id: i64,
    pub title: Option<String>,
    /// Published comments in the whole thread.
    pub published: i64,
    /// When its first comment came (ms).
    pub created: i64,
    /// When a moderator closed it (ms).
    pub closed: Option<i64>,
}

pub async fn find(conn: &impl GenericClient, site: &str, uri: &str) -> Result<Option<Thread>> {
    todo!("port threads::find")
}

/// The thread of a page, created if this is its first comment. A title fills in a missing one.
pub async fn get_or_create(
    tx: &impl GenericClient,
    site: &str,
    uri: &str,
    title: Option<&str>,
    now_ms: i64,
) -> Result<i64> {
    todo!("port threads::get_or_create")
}

/// Sets the title of the thread of comment `id`.
pub async fn set_title(tx: &impl GenericClient, comment_id: i64, title: Option<&str>) -> Result<()> {
    todo!("port threads::set_title")
}

/// The id of the page's thread, if it has one (without [`find`]'s count over the thread).
pub async fn id_of(conn: &impl GenericClient, site: &str, uri: &str) -> Result<Option<i64>> {
    todo!("port threads::id_of")
}

/// Published comments in a thread.
pub async fn published(conn: &impl GenericClient, thread_id: i64) -> Result<i64> {
    todo!("port threads::published")
}

/// When the page's thread began and when a moderator closed it, if it has a thread: what the closing rule
/// needs on every post, without the published count that [`find`] adds (a count over the whole thread).
pub async fn closing(conn: &impl GenericClient, site: &str, uri: &str) -> Result<Option<(i64, Option<i64>)>> {
    todo!("port threads::closing")
}

/// Closes the thread of a comment (`closed` the time, ms) or opens it again (`None`); whether it changed.
pub async fn set_closed(tx: &impl GenericClient, thread_id: i64, closed: Option<i64>) -> Result<bool> {
    todo!("port threads::set_closed")
}
