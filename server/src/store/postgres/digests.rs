//! Moderators' digests: one mail an hour or a day with a site's new comments, when there were any. The
//! comments are noted in `digest_items` by the transaction that stored (or held) them, so none is
//! missed, whatever its timestamp; a digest takes at most [`DIGEST_MAX`] and leaves the rest for the next.
//! STUB: to be ported from `sqlite/digests.rs`.

#![allow(unused_variables, unused_imports, dead_code)]

use super::outbox::{moderators_of, noticed, queue};
use super::{GenericClient, Params, exec, one, opt, rows};
use crate::domain::notify::{Job, Language, NotifyMode};
use crate::store::{Result, StoreError};

/// The most comments one digest lists.
pub const DIGEST_MAX: i64 = 200;

/// Queues the digests due at `now` and moves each digest site's mark to `now`.
pub async fn queue_digests(tx: &impl GenericClient, now: i64) -> Result<usize> {
    todo!("port digests::queue_digests")
}
