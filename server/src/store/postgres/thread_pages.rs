//! Thread pages: top-level comments with their first replies, bounded in rows, and the rest of a long reply
//! chain page by page.
//! STUB: to be ported from `sqlite/thread_pages.rs`.

#![allow(unused_variables, unused_imports, dead_code)]

use super::comments::{COMMENT_COLUMN_COUNT, COMMENT_COLUMNS, comment};
use super::threads;
use super::{GenericClient, Params, exec, one, opt, rows};
use crate::domain::Site;
use crate::domain::comment::{Comment, REPLIES_PER_PAGE, ROWS_PER_PAGE, RepliesPage, ReplyCursor, ThreadPage};
use crate::domain::site::Sort;
use crate::store::{Result, StoreError};

/// A page of the thread of `site`'s page `uri`; an empty page when the page has no thread yet.
pub async fn thread_page(
    conn: &impl GenericClient,
    site: &Site,
    uri: &str,
    sort: Sort,
    after: i64,
    limit: i64,
    now: i64,
) -> Result<ThreadPage> {
    todo!("port thread_pages::thread_page")
}

/// Up to `limit` replies below top-level comment `root` of the page's thread, after the position `after`;
/// `None` when `root` is not a top-level comment of that page.
pub async fn replies(
    conn: &impl GenericClient,
    site: &str,
    uri: &str,
    root: i64,
    after: ReplyCursor,
    limit: usize,
) -> Result<Option<RepliesPage>> {
    todo!("port thread_pages::replies")
}
