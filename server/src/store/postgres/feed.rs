//! The feeds: the newest published comments of a site, or of one of its pages. Both are indexed reads
//! that stop after `limit` rows, so neither grows with the comments of other sites or pages.
//! STUB: to be ported from `sqlite/feed.rs`.

#![allow(unused_variables, unused_imports, dead_code)]

use super::{GenericClient, Params, exec, one, opt, rows};
use crate::domain::comment::FeedEntry;
use crate::store::{Result, StoreError};

/// The newest published comments of a site, or of one page of it.
pub async fn newest(conn: &impl GenericClient, site: &str, uri: Option<&str>, limit: i64) -> Result<Vec<FeedEntry>> {
    todo!("port feed::newest")
}
