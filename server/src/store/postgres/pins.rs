//! A moderator's hand on a thread: pinning top-level comments and closing the thread to new comments.
//! STUB: to be ported from `sqlite/pins.rs`.

#![allow(unused_variables, unused_imports, dead_code)]

use super::{GenericClient, Params, exec, one, opt, rows};
use super::{audit, review, threads};
use crate::domain::FieldError;
use crate::domain::comment::{MAX_PINNED, Status};
use crate::domain::moderator::Moderator;
use crate::store::{Result, StoreError};

/// Pins (`true`) or unpins comment `id`; whether it changed. Only a published top-level comment of a site
/// the moderator moderates can be pinned, and at most [`MAX_PINNED`] per thread; unpinning always works.
pub async fn pin(tx: &impl GenericClient, by: &Moderator, id: i64, pinned: bool, now: i64) -> Result<bool> {
    todo!("port pins::pin")
}

/// Closes (`true`) or reopens the thread of comment `id`; whether it changed.
pub async fn close(tx: &impl GenericClient, by: &Moderator, id: i64, closed: bool, now: i64) -> Result<bool> {
    todo!("port pins::close")
}
