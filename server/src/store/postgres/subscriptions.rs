//! Commenters' subscriptions to replies or to a page, and the double opt-in of their addresses.
//! STUB: to be ported from `sqlite/subscriptions.rs`.

#![allow(unused_variables, unused_imports, dead_code)]

use super::outbox::{self, Noticed};
use super::{GenericClient, Params, exec, one, opt, rows};
use crate::domain::notify::{CONFIRM_EVERY_MS, Job, Language, Subscription, SubscriptionScope};
use crate::store::{Result, StoreError};

/// A subscriber who hears of a comment.
pub struct Hearing {
    pub subscription: i64,
    pub created: i64,
    pub email: String,
    pub scope: SubscriptionScope,
}

/// Whether `email` confirmed a subscription on `site` (a verified returning commenter). A moderator's
/// address never counts: it is often public, and anyone could type it.
pub async fn confirmed(conn: &impl GenericClient, site: &str, email: &str) -> Result<bool> {
    todo!("port subscriptions::confirmed")
}

/// Whether comment `earlier` was written with `email` (the browser's author token names it).
pub async fn same_author(conn: &impl GenericClient, earlier: i64, email: &str) -> Result<bool> {
    todo!("port subscriptions::same_author")
}

/// The subscription a new comment's author asked for. Each subscription is confirmed on its own: a
/// confirmed address does not let anyone who types it subscribe it to more (nor again after an
/// unsubscribe). It starts at once only when `vouched` (the browser proved it wrote a published comment
/// with this address); otherwise a confirmation mail goes out, at most one per address and site in
/// [`CONFIRM_EVERY_MS`] (that mail's link also confirms the subscriptions made while it was the latest).
pub async fn subscribe(
    tx: &impl GenericClient,
    comment: i64,
    email: &str,
    scope: SubscriptionScope,
    vouched: bool,
    now: i64,
) -> Result<()> {
    todo!("port subscriptions::subscribe")
}

/// The confirmed subscribers who hear of published comment `n`: those subscribed to replies to its
/// parent, then those subscribed to its page; one message per address, never to its own author.
pub async fn hearing_of(conn: &impl GenericClient, n: &Noticed) -> Result<Vec<Hearing>> {
    todo!("port subscriptions::hearing_of")
}

pub async fn get(conn: &impl GenericClient, id: i64) -> Result<Option<Subscription>> {
    todo!("port subscriptions::get")
}

/// Confirms subscription `id` made at `created`, and those of the same address and site made within
/// [`CONFIRM_EVERY_MS`] after it (no mail of their own went out for them); the address now counts as
/// verified on the site.
pub async fn confirm(tx: &impl GenericClient, id: i64, created: i64, now: i64) -> Result<bool> {
    todo!("port subscriptions::confirm")
}

pub async fn unsubscribe(tx: &impl GenericClient, id: i64, created: i64) -> Result<bool> {
    todo!("port subscriptions::unsubscribe")
}

/// Forgets an address everywhere (a privacy erasure): its subscriptions and its confirmation.
pub async fn forget_email(tx: &impl GenericClient, email: &str) -> Result<()> {
    todo!("port subscriptions::forget_email")
}
