//! Votes: one per voter (an IP hash) and comment, counted on the comment.

use rusqlite::{OptionalExtension, Transaction, params};

use super::bans;
use crate::domain::comment::{Vote, Votes};

/// Records one voter's vote; a repeat changes nothing, the opposite value switches it. The voter is known by
/// the IP hash under the current key, or the previous one (a vote from just before a key rotation).
/// `None` when the comment is not a published one. A banned voter's vote changes nothing and is answered
/// like any other (bans are silent).
pub fn vote(
    tx: &Transaction<'_>,
    id: i64,
    voter: &[String; 2],
    vote: Vote,
    now: i64,
) -> rusqlite::Result<Option<Votes>> {
    let value = vote.value();
    let site: Option<String> = tx
        .prepare_cached(
            "SELECT t.site_id FROM comments c JOIN threads t ON t.id = c.thread_id
             WHERE c.id = ?1 AND c.status = 'published'",
        )?
        .query_row([id], |r| r.get(0))
        .optional()?;
    let Some(site) = site else {
        return Ok(None);
    };
    if bans::is_banned(tx, &site, None, [voter[0].as_str(), voter[1].as_str()], now)? {
        return votes_of(tx, id).map(Some);
    }
    let previous: Option<(String, i64)> = tx
        .prepare_cached("SELECT voter, value FROM votes WHERE comment_id = ?1 AND voter IN (?2, ?3)")?
        .query_row(params![id, voter[0], voter[1]], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (voter, previous) = match &previous {
        Some((stored, v)) => (stored.as_str(), Some(*v)),
        None => (voter[0].as_str(), None),
    };
    if previous != Some(value) {
        tx.prepare_cached(
            "INSERT INTO votes (comment_id, voter, value) VALUES (?1, ?2, ?3)
             ON CONFLICT (comment_id, voter) DO UPDATE SET value = excluded.value",
        )?
        .execute(params![id, voter, value])?;
        let (like_delta, dislike_delta) = match (previous, value) {
            (None, 1) => (1, 0),
            (None, _) => (0, 1),
            (Some(_), 1) => (1, -1),
            (Some(_), _) => (-1, 1),
        };
        tx.prepare_cached("UPDATE comments SET likes = likes + ?2, dislikes = dislikes + ?3 WHERE id = ?1")?
            .execute(params![id, like_delta, dislike_delta])?;
    }
    votes_of(tx, id).map(Some)
}

fn votes_of(tx: &Transaction<'_>, id: i64) -> rusqlite::Result<Votes> {
    tx.prepare_cached("SELECT likes, dislikes FROM comments WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(Votes {
                likes: r.get(0)?,
                dislikes: r.get(1)?,
            })
        })
}
