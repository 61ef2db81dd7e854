//! Votes: one per voter (an IP hash) and comment, counted on the comment.

use super::bans;
use super::{GenericClient, exec, one, opt};
use crate::domain::comment::{Vote, Votes};
use crate::store::Result;

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
    let value = vote.value();
    let site: Option<String> = opt(
        tx,
        "SELECT t.site_id FROM comments c JOIN threads t ON t.id = c.thread_id
         WHERE c.id = $1 AND c.status = 'published'",
        &[&id],
    )
    .await?
    .map(|r| r.get(0));
    let Some(site) = site else {
        return Ok(None);
    };
    if bans::is_banned(tx, &site, None, [voter[0].as_str(), voter[1].as_str()], now).await? {
        return votes_of(tx, id).await.map(Some);
    }
    let previous: Option<(String, i64)> = opt(
        tx,
        "SELECT voter, value FROM votes WHERE comment_id = $1 AND voter IN ($2, $3)",
        &[&id, &voter[0], &voter[1]],
    )
    .await?
    .map(|r| (r.get(0), r.get(1)));
    let (voter, previous) = match &previous {
        Some((stored, v)) => (stored.as_str(), Some(*v)),
        None => (voter[0].as_str(), None),
    };
    if previous != Some(value) {
        exec(
            tx,
            "INSERT INTO votes (comment_id, voter, value) VALUES ($1, $2, $3)
             ON CONFLICT (comment_id, voter) DO UPDATE SET value = excluded.value",
            &[&id, &voter, &value],
        )
        .await?;
        let (like_delta, dislike_delta): (i64, i64) = match (previous, value) {
            (None, 1) => (1, 0),
            (None, _) => (0, 1),
            (Some(_), 1) => (1, -1),
            (Some(_), _) => (-1, 1),
        };
        exec(
            tx,
            "UPDATE comments SET likes = likes + $2, dislikes = dislikes + $3 WHERE id = $1",
            &[&id, &like_delta, &dislike_delta],
        )
        .await?;
    }
    votes_of(tx, id).await.map(Some)
}

async fn votes_of(tx: &impl GenericClient, id: i64) -> Result<Votes> {
    let r = one(tx, "SELECT likes, dislikes FROM comments WHERE id = $1", &[&id]).await?;
    Ok(Votes {
        likes: r.get(0),
        dislikes: r.get(1),
    })
}
