//! Live updates: the events that the triggers of migration 0010 write for every change to what a thread
//! shows, read back for one thread with the comment each names as it is now, and pruned after a day.
//! STUB: to be ported from `sqlite/events.rs`.

#![allow(unused_variables, unused_imports, dead_code)]

use super::comments::{COMMENT_COLUMNS, comment};
use super::threads;
use super::{GenericClient, Params, exec, one, opt, rows};
use crate::domain::live::{EventKind, ThreadEvent, count_change, fill_totals};
use crate::store::{Result, StoreError};

/// Up to `limit` events of the thread of `site` and `uri` after event `after`, oldest first, in one
/// snapshot: the events, their comments and the count agree.
pub async fn after(
    conn: &impl GenericClient,
    site: &str,
    uri: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<ThreadEvent>> {
    todo!("port events::after")
}

/// The id of the newest event of the thread of `site` and `uri`; 0 when it has none (or no thread yet).
pub async fn last_id(conn: &impl GenericClient, site: &str, uri: &str) -> Result<i64> {
    todo!("port events::last_id")
}

/// Deletes the events made before `before`; returns how many.
pub async fn prune(tx: &impl GenericClient, before: i64) -> Result<usize> {
    todo!("port events::prune")
}
