//! What guards a new comment in its posting transaction: repeated `Idempotency-Key`s, returning commenters,
//! and single-use proofs of work with the pace the adaptive rule looks at.
//! STUB: to be ported from `sqlite/guards.rs`.

#![allow(unused_variables, unused_imports, dead_code)]

use super::comments;
use super::{GenericClient, Params, exec, one, opt, rows};
use crate::domain::Site;
use crate::domain::comment::{Created, IDEMPOTENCY_KEEP_MS};
use crate::domain::pow::{self, BURST_WINDOW_MS, ChallengeError, Pace, Pow, Proof, SITE_BURST_FLOOR};
use crate::store::{Result, StoreError};

/// The first comment posted with this key on this site in the last 24 hours, as it is now.
pub async fn repeated(tx: &impl GenericClient, site: &str, key: &str, now: i64) -> Result<Option<Created>> {
    todo!("port guards::repeated")
}

pub async fn remember(
    tx: &impl GenericClient,
    site: &str,
    key: &str,
    comment_id: i64,
    published: bool,
    now: i64,
) -> Result<()> {
    todo!("port guards::remember")
}

/// Whether comment `id`, made at `created`, is a published comment of `site` (the one an author token
/// names; the moment tells it from a later comment that got a deleted one's id).
pub async fn published_on(conn: &impl GenericClient, (id, created): (i64, i64), site: &str) -> Result<bool> {
    todo!("port guards::published_on")
}

/// Refuses the post when the site asks for proof of work and none came, and records a given proof so
/// that it counts once (a reused one is refused).
pub async fn check_pow(
    tx: &impl GenericClient,
    site: &Site,
    ip_hashes: &[String; 2],
    returning: bool,
    proof: Option<&Proof>,
    now: i64,
) -> Result<()> {
    todo!("port guards::check_pow")
}

/// Forgets idempotency keys older than 24 hours and proofs of work past their expiry.
pub async fn forget(tx: &impl GenericClient, now: i64) -> Result<usize> {
    todo!("port guards::forget")
}
