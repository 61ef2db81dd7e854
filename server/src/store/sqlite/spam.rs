//! The learning spam filter's counts: per site and token, how many trained spam and ham comments held it.
//! Moderators' approve and spam actions train it; `riposte spam retrain` rebuilds it from those labels.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::json_list;
use crate::domain::spam::{Counts, Totals, tokens};

/// The site's totals and its counts of these tokens (absent tokens were never trained on the site).
pub fn counts(conn: &Connection, site: &str, tokens: &[String]) -> rusqlite::Result<(Totals, HashMap<String, Counts>)> {
    let totals = conn
        .prepare_cached("SELECT spam, ham FROM spam_totals WHERE site_id = ?1")?
        .query_row([site], |r| {
            Ok(Totals {
                spam: r.get(0)?,
                ham: r.get(1)?,
            })
        })
        .optional()?
        .unwrap_or_default();
    let counts = conn
        .prepare_cached(
            "SELECT token, spam, ham FROM spam_tokens
             WHERE site_id = ?1 AND token IN (SELECT value FROM json_each(?2))",
        )?
        .query_map(params![site, json_list(tokens)], |r| {
            Ok((
                r.get(0)?,
                Counts {
                    spam: r.get(1)?,
                    ham: r.get(2)?,
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok((totals, counts))
}

/// A comment as the filter reads it: site, text, author, website, how it was trained and with which tokens.
struct Trainee {
    site: String,
    text: String,
    author: Option<String>,
    website: Option<String>,
    trained: Option<String>,
    trained_tokens: Option<String>,
}

fn trainee(r: &rusqlite::Row<'_>) -> rusqlite::Result<Trainee> {
    Ok(Trainee {
        site: r.get(0)?,
        text: r.get(1)?,
        author: r.get(2)?,
        website: r.get(3)?,
        trained: r.get(4)?,
        trained_tokens: r.get(5)?,
    })
}

const TRAINEE: &str = "SELECT t.site_id, c.text, c.author, c.website, c.trained, c.trained_tokens
                       FROM comments c JOIN threads t ON t.id = c.thread_id";

fn stored_tokens(c: &Trainee) -> Vec<String> {
    c.trained_tokens
        .as_deref()
        .unwrap_or("")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Adds (`delta` 1) or takes back (-1) one comment of a class.
fn learn(tx: &Transaction<'_>, site: &str, toks: &[String], spam: bool, delta: i64) -> rusqlite::Result<()> {
    let (s, h) = if spam { (delta, 0) } else { (0, delta) };
    tx.prepare_cached(
        "INSERT INTO spam_totals (site_id, spam, ham) VALUES (?1, max(?2, 0), max(?3, 0))
         ON CONFLICT (site_id) DO UPDATE SET spam = max(spam + ?2, 0), ham = max(ham + ?3, 0)",
    )?
    .execute(params![site, s, h])?;
    let mut each = tx.prepare_cached(
        "INSERT INTO spam_tokens (site_id, token, spam, ham) VALUES (?1, ?2, max(?3, 0), max(?4, 0))
         ON CONFLICT (site_id, token) DO UPDATE SET spam = max(spam + ?3, 0), ham = max(ham + ?4, 0)",
    )?;
    for t in toks {
        each.execute(params![site, t, s, h])?;
    }
    Ok(())
}

/// Trains the filter with a moderator's decision on comment `id` (spam or not). A comment trained the
/// other way before is taken back out of that class first; one trained this way already changes nothing.
pub fn train(tx: &Transaction<'_>, id: i64, spam: bool) -> rusqlite::Result<()> {
    let row = tx
        .prepare_cached(&format!("{TRAINEE} WHERE c.id = ?1"))?
        .query_row([id], trainee)
        .optional()?;
    let Some(c) = row else {
        return Ok(());
    };
    let label = if spam { "spam" } else { "ham" };
    if c.trained.as_deref() == Some(label) {
        return Ok(());
    }
    if c.trained.is_some() {
        learn(tx, &c.site, &stored_tokens(&c), !spam, -1)?;
    }
    let toks = tokens(&c.text, c.author.as_deref(), c.website.as_deref());
    learn(tx, &c.site, &toks, spam, 1)?;
    tx.prepare_cached("UPDATE comments SET trained = ?2, trained_tokens = ?3 WHERE id = ?1")?
        .execute(params![id, label, toks.join("\n")])?;
    Ok(())
}

/// Takes a comment that goes (deleted, erased, purged) out of the filter: its words, name and website leave
/// the counts with it.
pub fn forget(tx: &Transaction<'_>, id: i64) -> rusqlite::Result<()> {
    let row = tx
        .prepare_cached(&format!("{TRAINEE} WHERE c.id = ?1 AND c.trained IS NOT NULL"))?
        .query_row([id], trainee)
        .optional()?;
    if let Some(c) = row {
        learn(
            tx,
            &c.site,
            &stored_tokens(&c),
            c.trained.as_deref() == Some("spam"),
            -1,
        )?;
        tx.prepare_cached("UPDATE comments SET trained = NULL, trained_tokens = NULL WHERE id = ?1")?
            .execute([id])?;
    }
    Ok(())
}

/// Rebuilds the counts of one site (or every site) from the comments' training labels; returns how many
/// comments were trained.
pub fn retrain(tx: &Transaction<'_>, site: Option<&str>) -> rusqlite::Result<usize> {
    tx.prepare_cached("DELETE FROM spam_tokens WHERE ?1 IS NULL OR site_id = ?1")?
        .execute([site])?;
    tx.prepare_cached("DELETE FROM spam_totals WHERE ?1 IS NULL OR site_id = ?1")?
        .execute([site])?;
    let rows: Vec<(i64, Trainee)> = tx
        .prepare_cached(
            "SELECT c.id, t.site_id, c.text, c.author, c.website, c.trained, c.trained_tokens
             FROM comments c JOIN threads t ON t.id = c.thread_id
             WHERE c.trained IS NOT NULL AND (?1 IS NULL OR t.site_id = ?1)",
        )?
        .query_map([site], |r| {
            Ok((
                r.get(0)?,
                Trainee {
                    site: r.get(1)?,
                    text: r.get(2)?,
                    author: r.get(3)?,
                    website: r.get(4)?,
                    trained: r.get(5)?,
                    trained_tokens: r.get(6)?,
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (id, c) in &rows {
        let toks = tokens(&c.text, c.author.as_deref(), c.website.as_deref());
        learn(tx, &c.site, &toks, c.trained.as_deref() == Some("spam"), 1)?;
        tx.prepare_cached("UPDATE comments SET trained_tokens = ?2 WHERE id = ?1")?
            .execute(params![id, toks.join("\n")])?;
    }
    Ok(rows.len())
}
