//! The outbox: messages queued in the transaction of the change that caused them (so a crash between a
//! commit and its delivery loses nothing). Who hears of what is decided here from the site's settings
//! and the domain's rules; how deliveries are claimed and recorded is in `deliveries.rs`.
//! STUB: to be ported from `sqlite/outbox.rs`.

#![allow(unused_variables, unused_imports, dead_code)]

use super::{GenericClient, Params, exec, one, opt, rows};
use super::{subscriptions, webhooks};
use crate::domain::Status;
use crate::domain::notify::{CommentSnapshot, Event, Job, Language, NotifyMode, Recipient, SENT_KEEP_MS, webhook_body};
use crate::store::{Result, StoreError};

/// What happened to a comment, for those who hear of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A visitor's new comment, stored with whatever status the rules gave it.
    Created,
    /// A moderator approved or restored it: it is visible now.
    Published,
    /// Its author or a moderator changed it.
    Edited,
    /// An author's edit sent it back to the moderators.
    Held,
    /// It left the public view or the queue (removed, trashed, marked spam).
    Deleted,
}

/// A comment with what its notifications need to know besides the snapshot.
pub struct Noticed {
    pub snapshot: CommentSnapshot,
    pub thread: i64,
    pub email: Option<String>,
    pub notify: NotifyMode,
    pub language: Language,
}

pub async fn noticed(conn: &impl GenericClient, id: i64) -> Result<Option<Noticed>> {
    todo!("port outbox::noticed")
}

/// Queues what `change` to comment `id` makes known: moderator mails (when `mail`), subscribers' mails
/// (when `mail`) and webhook events. `before`: the comment's status before the change.
pub async fn notice(
    tx: &impl GenericClient,
    mail: bool,
    id: i64,
    change: Change,
    before: Status,
    now: i64,
) -> Result<()> {
    todo!("port outbox::notice")
}

/// The moderators of a site who have an address that has not bounced.
pub async fn moderators_of(conn: &impl GenericClient, site: &str) -> Result<Vec<Recipient>> {
    todo!("port outbox::moderators_of")
}

/// Puts one message in the outbox, due at once.
pub async fn queue(
    tx: &impl GenericClient,
    site: Option<&str>,
    comment: Option<i64>,
    job: &Job,
    now: i64,
) -> Result<i64> {
    todo!("port outbox::queue")
}

/// Forgets sent messages after [`SENT_KEEP_MS`], failed ones that long after their last attempt, and
/// used links past their expiry.
pub async fn forget(tx: &impl GenericClient, now: i64) -> Result<usize> {
    todo!("port outbox::forget")
}

/// Marks a single-use link used; `false` when it was already.
pub async fn use_link(tx: &impl GenericClient, mac: &str, expires: i64) -> Result<bool> {
    todo!("port outbox::use_link")
}

/// Drops the messages about these comments (their author's data is being erased), sent or not, and
/// takes them out of the digests that list them.
pub async fn forget_comments(tx: &impl GenericClient, ids: &[i64]) -> Result<()> {
    todo!("port outbox::forget_comments")
}
