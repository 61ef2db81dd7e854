//! The outbox's deliveries: claimed by the notify worker, marked sent, retried or failed, listed for the
//! admin UI and sent again on a moderator's word.
//! STUB: to be ported from `sqlite/deliveries.rs`.

#![allow(unused_variables, unused_imports, dead_code)]

use super::webhooks;
use super::{GenericClient, Params, exec, one, opt, rows};
use crate::domain::notify::{Attempt, CLAIM_MS, DeliveryState, Job, OutboxItem, Retries};
use crate::store::{Result, StoreError};

/// Up to `limit` due messages no worker holds, now held until `now + CLAIM_MS`.
pub async fn claim(tx: &impl GenericClient, now: i64, limit: usize) -> Result<Vec<OutboxItem>> {
    todo!("port deliveries::claim")
}

/// Fails what still waits for hook `id` (it was removed).
pub async fn fail_hook(tx: &impl GenericClient, id: i64, reason: &str) -> Result<usize> {
    todo!("port deliveries::fail_hook")
}

pub async fn release_claims(tx: &impl GenericClient) -> Result<usize> {
    todo!("port deliveries::release_claims")
}

/// Records an attempt's outcome; a refusal also blocks its target and fails what else waits for it.
pub async fn finish(tx: &impl GenericClient, id: i64, attempt: &Attempt, retries: Retries, now: i64) -> Result<()> {
    todo!("port deliveries::finish")
}

pub async fn next_due(conn: &impl GenericClient) -> Result<Option<i64>> {
    todo!("port deliveries::next_due")
}

/// The newest messages in scope, optionally only in one state.
pub async fn list(
    conn: &impl GenericClient,
    scope: Option<&[String]>,
    state: Option<DeliveryState>,
    limit: i64,
) -> Result<Vec<OutboxItem>> {
    todo!("port deliveries::list")
}

/// Makes failed or retrying messages in scope due now, with a fresh retry window; never one to a bounced
/// address or to a webhook that is gone, disabled or moved.
pub async fn retry(tx: &impl GenericClient, scope: Option<&[String]>, ids: &[i64], now: i64) -> Result<usize> {
    todo!("port deliveries::retry")
}
