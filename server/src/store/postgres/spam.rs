//! The learning spam filter's counts: per site and token, how many trained spam and ham comments held it.
//! Moderators' approve and spam actions train it; `riposte spam retrain` rebuilds it from those labels.
//! STUB: to be ported from `sqlite/spam.rs`.

#![allow(unused_variables, unused_imports, dead_code)]

use super::{GenericClient, Params, exec, one, opt, rows};
use crate::domain::spam::{Counts, Totals, tokens};
use crate::store::{Result, StoreError};
use std::collections::HashMap;

/// The site's totals and its counts of these tokens (absent tokens were never trained on the site).
pub async fn counts(
    conn: &impl GenericClient,
    site: &str,
    tokens: &[String],
) -> Result<(Totals, HashMap<String, Counts>)> {
    todo!("port spam::counts")
}

/// Trains the filter with a moderator's decision on comment `id` (spam or not). A comment trained the
/// other way before is taken back out of that class first; one trained this way already changes nothing.
pub async fn train(tx: &impl GenericClient, id: i64, spam: bool) -> Result<()> {
    todo!("port spam::train")
}

/// Takes a comment that goes (deleted, erased, purged) out of the filter: its words, name and website leave
/// the counts with it.
pub async fn forget(tx: &impl GenericClient, id: i64) -> Result<()> {
    todo!("port spam::forget")
}

/// Rebuilds the counts of one site (or every site) from the comments' training labels; returns how many
/// comments were trained.
pub async fn retrain(tx: &impl GenericClient, site: Option<&str>) -> Result<usize> {
    todo!("port spam::retrain")
}
