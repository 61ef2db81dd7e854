//! A moderator's hand on a thread: pinning top-level comments and closing the thread to new comments.

use super::{GenericClient, exec, one};
use super::{audit, review, threads};
use crate::domain::FieldError;
use crate::domain::comment::{MAX_PINNED, Status};
use crate::domain::moderator::Moderator;
use crate::store::{Result, StoreError};

/// Pins (`true`) or unpins comment `id`; whether it changed. Only a published top-level comment of a site
/// the moderator moderates can be pinned, and at most [`MAX_PINNED`] per thread; unpinning always works.
pub async fn pin(tx: &impl GenericClient, by: &Moderator, id: i64, pinned: bool, now: i64) -> Result<bool> {
    let Some(c) = review::get(tx, id).await?.filter(|c| by.may(&c.site)) else {
        return Ok(false);
    };
    if pinned == c.pinned {
        return Ok(false);
    }
    if pinned {
        if c.parent.is_some() || c.status != Status::Published {
            return Err(StoreError::Refused(FieldError::new(
                "id",
                "only a published top-level comment can be pinned",
            )));
        }
        let count: i64 = one(
            tx,
            "SELECT count(*) FROM comments WHERE pinned > 0
             AND thread_id = (SELECT thread_id FROM comments WHERE id = $1)",
            &[&id],
        )
        .await?
        .get(0);
        if count >= MAX_PINNED {
            return Err(StoreError::Refused(FieldError::new(
                "id",
                format!("a thread holds at most {MAX_PINNED} pinned comments"),
            )));
        }
    }
    let value: i64 = if pinned { now.max(1) } else { 0 };
    exec(tx, "UPDATE comments SET pinned = $2 WHERE id = $1", &[&id, &value]).await?;
    audit::record(tx, now, &by.name, if pinned { "pin" } else { "unpin" }, Some(id), None).await?;
    Ok(true)
}

/// Closes (`true`) or reopens the thread of comment `id`; whether it changed.
pub async fn close(tx: &impl GenericClient, by: &Moderator, id: i64, closed: bool, now: i64) -> Result<bool> {
    let Some(c) = review::get(tx, id).await?.filter(|c| by.may(&c.site)) else {
        return Ok(false);
    };
    let thread: i64 = one(tx, "SELECT thread_id FROM comments WHERE id = $1", &[&id])
        .await?
        .get(0);
    if !threads::set_closed(tx, thread, closed.then_some(now)).await? {
        return Ok(false);
    }
    let action = if closed { "close thread" } else { "reopen thread" };
    audit::record(tx, now, &by.name, action, Some(id), Some(&c.uri)).await?;
    Ok(true)
}
