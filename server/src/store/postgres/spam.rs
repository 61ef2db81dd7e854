//! The learning spam filter's counts: per site and token, how many trained spam and ham comments held it.
//! Moderators' approve and spam actions train it; `riposte spam retrain` rebuilds it from those labels.

use std::collections::HashMap;

use super::{GenericClient, exec, opt, rows};
use crate::domain::spam::{Counts, Totals, tokens};
use crate::store::Result;

/// A stored count (BIGINT, never negative: [`learn`] keeps it at 0 or more) as the filter reads it.
fn count(r: &tokio_postgres::Row, i: usize) -> u32 {
    r.get::<_, i64>(i).clamp(0, i64::from(u32::MAX)) as u32
}

/// The site's totals and its counts of these tokens (absent tokens were never trained on the site).
pub async fn counts(
    conn: &impl GenericClient,
    site: &str,
    tokens: &[String],
) -> Result<(Totals, HashMap<String, Counts>)> {
    // One statement: the totals are the row without a token, ahead of the tokens' rows.
    let found = rows(
        conn,
        "SELECT NULL::TEXT, spam, ham FROM spam_totals WHERE site_id = $1
         UNION ALL SELECT token, spam, ham FROM spam_tokens WHERE site_id = $1 AND token = ANY($2)",
        &[&site, &tokens],
    )
    .await?;
    let mut totals = Totals::default();
    let mut counts = HashMap::with_capacity(found.len());
    for r in &found {
        let tallies = Counts {
            spam: count(r, 1),
            ham: count(r, 2),
        };
        match r.get::<_, Option<String>>(0) {
            Some(token) => {
                counts.insert(token, tallies);
            }
            None => {
                totals = Totals {
                    spam: tallies.spam,
                    ham: tallies.ham,
                }
            }
        }
    }
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

/// A [`Trainee`] from the row's columns from `at` on, in [`TRAINEE`]'s order.
fn trainee(r: &tokio_postgres::Row, at: usize) -> Trainee {
    Trainee {
        site: r.get(at),
        text: r.get(at + 1),
        author: r.get(at + 2),
        website: r.get(at + 3),
        trained: r.get(at + 4),
        trained_tokens: r.get(at + 5),
    }
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
async fn learn(tx: &impl GenericClient, site: &str, toks: &[String], spam: bool, delta: i64) -> Result<()> {
    let (s, h) = if spam { (delta, 0) } else { (0, delta) };
    exec(
        tx,
        "INSERT INTO spam_totals (site_id, spam, ham) VALUES ($1, greatest($2::BIGINT, 0), greatest($3::BIGINT, 0))
         ON CONFLICT (site_id) DO UPDATE SET spam = greatest(spam_totals.spam + $2::BIGINT, 0),
             ham = greatest(spam_totals.ham + $3::BIGINT, 0)",
        &[&site, &s, &h],
    )
    .await?;
    for t in toks {
        exec(
            tx,
            "INSERT INTO spam_tokens (site_id, token, spam, ham)
             VALUES ($1, $2, greatest($3::BIGINT, 0), greatest($4::BIGINT, 0))
             ON CONFLICT (site_id, token) DO UPDATE SET spam = greatest(spam_tokens.spam + $3::BIGINT, 0),
                 ham = greatest(spam_tokens.ham + $4::BIGINT, 0)",
            &[&site, t, &s, &h],
        )
        .await?;
    }
    Ok(())
}

/// Trains the filter with a moderator's decision on comment `id` (spam or not). A comment trained the
/// other way before is taken back out of that class first; one trained this way already changes nothing.
pub async fn train(tx: &impl GenericClient, id: i64, spam: bool) -> Result<()> {
    let row = opt(tx, &format!("{TRAINEE} WHERE c.id = $1"), &[&id]).await?;
    let Some(c) = row.map(|r| trainee(&r, 0)) else {
        return Ok(());
    };
    let label = if spam { "spam" } else { "ham" };
    if c.trained.as_deref() == Some(label) {
        return Ok(());
    }
    if c.trained.is_some() {
        learn(tx, &c.site, &stored_tokens(&c), !spam, -1).await?;
    }
    let toks = tokens(&c.text, c.author.as_deref(), c.website.as_deref());
    learn(tx, &c.site, &toks, spam, 1).await?;
    exec(
        tx,
        "UPDATE comments SET trained = $2, trained_tokens = $3 WHERE id = $1",
        &[&id, &label, &toks.join("\n")],
    )
    .await?;
    Ok(())
}

/// Takes a comment that goes (deleted, erased, purged) out of the filter: its words, name and website leave
/// the counts with it.
pub async fn forget(tx: &impl GenericClient, id: i64) -> Result<()> {
    let row = opt(
        tx,
        &format!("{TRAINEE} WHERE c.id = $1 AND c.trained IS NOT NULL"),
        &[&id],
    )
    .await?;
    if let Some(c) = row.map(|r| trainee(&r, 0)) {
        learn(
            tx,
            &c.site,
            &stored_tokens(&c),
            c.trained.as_deref() == Some("spam"),
            -1,
        )
        .await?;
        exec(
            tx,
            "UPDATE comments SET trained = NULL, trained_tokens = NULL WHERE id = $1",
            &[&id],
        )
        .await?;
    }
    Ok(())
}

/// Rebuilds the counts of one site (or every site) from the comments' training labels; returns how many
/// comments were trained.
pub async fn retrain(tx: &impl GenericClient, site: Option<&str>) -> Result<usize> {
    exec(
        tx,
        "DELETE FROM spam_tokens WHERE $1::TEXT IS NULL OR site_id = $1",
        &[&site],
    )
    .await?;
    exec(
        tx,
        "DELETE FROM spam_totals WHERE $1::TEXT IS NULL OR site_id = $1",
        &[&site],
    )
    .await?;
    let rows: Vec<(i64, Trainee)> = rows(
        tx,
        "SELECT c.id, t.site_id, c.text, c.author, c.website, c.trained, c.trained_tokens
         FROM comments c JOIN threads t ON t.id = c.thread_id
         WHERE c.trained IS NOT NULL AND ($1::TEXT IS NULL OR t.site_id = $1)",
        &[&site],
    )
    .await?
    .iter()
    .map(|r| (r.get(0), trainee(r, 1)))
    .collect();
    for (id, c) in &rows {
        let toks = tokens(&c.text, c.author.as_deref(), c.website.as_deref());
        learn(tx, &c.site, &toks, c.trained.as_deref() == Some("spam"), 1).await?;
        exec(
            tx,
            "UPDATE comments SET trained_tokens = $2 WHERE id = $1",
            &[id, &toks.join("\n")],
        )
        .await?;
    }
    Ok(rows.len())
}
