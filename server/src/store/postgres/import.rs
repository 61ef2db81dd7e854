//! Storing an import: every comment of the feed in the one transaction of the caller, keyed by the source's
//! ids so that a second run adds nothing; replies are tied to their parents once all are in (a reply may
//! come before its parent), and the tree's roots and depths are computed for the threads it touched.
//! STUB: to be ported from `sqlite/import.rs`.

#![allow(unused_variables, unused_imports, dead_code)]

use super::threads;
use super::{GenericClient, Params, exec, one, opt, rows};
use crate::domain::Status;
use crate::domain::comment::{MAX_DEPTH, Placement};
use crate::domain::import::{Feed, Incoming, Report};
use crate::store::{Result, StoreError};
use std::collections::{BTreeSet, HashMap};
use std::sync::mpsc::Receiver;

/// Reads the feed to its end and stores what is new. Fails, so that the caller rolls back, when the feed
/// stops before [`Feed::End`]. Memory holds the threads touched, the deleted comments and the replies that
/// came before their parents; every other lookup goes through the `imported` table's index.
pub async fn import(
    tx: &impl GenericClient,
    site: &str,
    source: &str,
    feed: &mut tokio::sync::mpsc::Receiver<Feed>,
) -> Result<Report> {
    todo!("port import::import")
}
