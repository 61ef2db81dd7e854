//! Votes: one per voter (an IP hash) and comment, counted on the comment.
//! STUB: to be ported from `sqlite/votes.rs`.

#![allow(unused_variables, unused_imports, dead_code)]

use super::bans;
use super::{GenericClient, Params, exec, one, opt, rows};
use crate::domain::comment::{Vote, Votes};
use crate::store::{Result, StoreError};

/// Records one voter's vote; a repeat changes nothing, the opposite value switches it. The voter is known by
/// the IP hash under the current key, or the previous one (a vote from just before a key rotation).
/// `None` when the comment is not a published one. A banned voter's vote changes nothing and is answered
/// like any other (bans are silent).
pub async fn vote(
    tx: &impl GenericClient,
    id: i64,
    voter: &[String; 2],
    vote: Vote,
    now: i64,
) -> Result<Option<Votes>> {
    todo!("port votes::vote")
}
