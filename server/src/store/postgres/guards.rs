//! What guards a new comment in its posting transaction: repeated `Idempotency-Key`s, returning commenters,
//! and single-use proofs of work with the pace the adaptive rule looks at.

use super::comments;
use super::{GenericClient, exec, one, opt};
use crate::domain::Site;
use crate::domain::comment::{Created, IDEMPOTENCY_KEEP_MS};
use crate::domain::pow::{self, BURST_WINDOW_MS, ChallengeError, Pace, Pow, Proof, SITE_BURST_FLOOR};
use crate::store::{Result, StoreError};

/// The first comment posted with this key on this site in the last 24 hours, as it is now.
pub async fn repeated(tx: &impl GenericClient, site: &str, key: &str, now: i64) -> Result<Option<Created>> {
    // The comment must be the one this key made: same site and same moment. An id taken by a deleted row
    // must not let the key answer with a stranger's comment (and its edit token).
    let first: Option<(i64, bool)> = opt(
        tx,
        "SELECT i.comment_id, i.published FROM idempotency i
         WHERE i.site_id = $1 AND i.key = $2 AND i.created > $3
           AND EXISTS (SELECT 1 FROM comments c WHERE c.id = i.comment_id AND c.created = i.created
                       AND c.site_id = i.site_id)",
        &[&site, &key, &(now - IDEMPOTENCY_KEEP_MS)],
    )
    .await?
    .map(|r| (r.get(0), r.get::<_, i64>(1) != 0));
    if let Some((id, published_at_once)) = first {
        if let Some(comment) = comments::get(tx, id).await? {
            return Ok(Some(Created {
                comment,
                published_at_once,
                repeated: true,
            }));
        }
    }
    let used = opt(
        tx,
        "SELECT 1 FROM idempotency WHERE site_id = $1 AND key = $2 AND created > $3",
        &[&site, &key, &(now - IDEMPOTENCY_KEEP_MS)],
    )
    .await?
    .is_some();
    if used {
        return Err(StoreError::Conflict(
            "this Idempotency-Key was used for a comment that is gone; send a new key",
        ));
    }
    Ok(None)
}

pub async fn remember(
    tx: &impl GenericClient,
    site: &str,
    key: &str,
    comment_id: i64,
    published: bool,
    now: i64,
) -> Result<()> {
    // An expired row with the same key is replaced.
    exec(
        tx,
        "INSERT INTO idempotency (site_id, key, comment_id, published, created) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (site_id, key) DO UPDATE SET comment_id = excluded.comment_id,
             published = excluded.published, created = excluded.created",
        &[&site, &key, &comment_id, &i64::from(published), &now],
    )
    .await?;
    Ok(())
}

/// Whether comment `id`, made at `created`, is a published comment of `site` (the one an author token
/// names; the moment tells it from a later comment that got a deleted one's id).
pub async fn published_on(conn: &impl GenericClient, (id, created): (i64, i64), site: &str) -> Result<bool> {
    Ok(opt(
        conn,
        "SELECT 1 FROM comments c JOIN threads t ON t.id = c.thread_id
         WHERE c.id = $1 AND c.created = $3 AND t.site_id = $2 AND c.status = 'published'",
        &[&id, &site, &created],
    )
    .await?
    .is_some())
}

/// Refuses the post when the site asks for proof of work and none came, and records a given proof so
/// that it counts once (a reused one is refused).
pub async fn check_pow(
    tx: &impl GenericClient,
    site: &Site,
    ip_hashes: &[String; 2],
    returning: bool,
    proof: Option<&Proof>,
    earlier: Earlier,
    now: i64,
) -> Result<()> {
    if let Some(proof) = proof {
        let fresh = exec(
            tx,
            "INSERT INTO pow_used (signature, expires) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&proof.signature, &proof.expires_ms],
        )
        .await?
            == 1;
        if !fresh {
            return Err(StoreError::Challenge(ChallengeError::Invalid(
                "this challenge was used already; ask for a new one",
            )));
        }
        return Ok(());
    }
    // Counting costs queries: only the adaptive rule, for a returning commenter, looks at the pace.
    let pace = if site.pow == Pow::Adaptive && returning {
        pace(tx, &site.id, ip_hashes, earlier, now).await?
    } else {
        Pace {
            returning,
            ..Pace::default()
        }
    };
    if pow::required(site.pow, &pace) {
        return Err(StoreError::Challenge(ChallengeError::Required));
    }
    Ok(())
}

/// Comments posted on `site` since `since` (ms).
async fn site_since(conn: &impl GenericClient, site: &str, since: i64) -> Result<i64> {
    Ok(one(
        conn,
        "SELECT count(*) FROM comments WHERE site_id = $2 AND created > $1",
        &[&since, &site],
    )
    .await?
    .get(0))
}

/// Comments that the counts of [`check_pow`] cannot see yet: those of the posts before this one in the
/// same batch, stored after every post of it is checked (`create.rs`). An earlier post that turns out to
/// repeat a comment (its `Idempotency-Key`) stores nothing but is counted: the pace errs towards asking.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Earlier {
    /// Of them, the comments from the post's address (either of its two hashes).
    pub by_address: i64,
    /// Of them, the comments to the post's site.
    pub by_site: i64,
}

/// How fast a returning commenter's address and the site post now, and (only during a burst) how fast the
/// site usually does.
async fn pace(
    conn: &impl GenericClient,
    site: &str,
    ip_hashes: &[String; 2],
    earlier: Earlier,
    now: i64,
) -> Result<Pace> {
    let since = now - BURST_WINDOW_MS;
    let by_address: i64 = one(
        conn,
        "SELECT count(*) FROM comments WHERE ip_hash IN ($1, $2) AND created > $3",
        &[&ip_hashes[0], &ip_hashes[1], &since],
    )
    .await?
    .get::<_, i64>(0)
        + earlier.by_address;
    let by_site = site_since(conn, site, since).await? + earlier.by_site;
    // The week's average is counted only when the window is busy at all: a quiet site pays nothing.
    const WEEK_MS: i64 = 7 * 24 * 3600 * 1000;
    let site_usual = if by_site > SITE_BURST_FLOOR {
        (site_since(conn, site, now - WEEK_MS).await? + earlier.by_site) as f64 / (WEEK_MS / BURST_WINDOW_MS) as f64
    } else {
        0.0
    };
    Ok(Pace {
        returning: true,
        by_address,
        by_site,
        site_usual,
    })
}

/// Forgets idempotency keys older than 24 hours and proofs of work past their expiry.
pub async fn forget(tx: &impl GenericClient, now: i64) -> Result<usize> {
    let keys = exec(
        tx,
        "DELETE FROM idempotency WHERE created <= $1",
        &[&(now - IDEMPOTENCY_KEEP_MS)],
    )
    .await?;
    let proofs = exec(tx, "DELETE FROM pow_used WHERE expires < $1", &[&now]).await?;
    Ok((keys + proofs) as usize)
}
