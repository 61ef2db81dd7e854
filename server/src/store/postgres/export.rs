//! A site's threads, comments and bans for `riposte export`.

use super::{GenericClient, rows};
use crate::domain::Site;
use crate::domain::export::{BanExport, CommentExport, FORMAT, SiteExport, SiteSettings, ThreadExport, VERSION};
use crate::domain::time::rfc3339;
use crate::store::Result;

pub async fn site(conn: &impl GenericClient, site: &Site, now: i64) -> Result<SiteExport> {
    let threads: Vec<(i64, String, Option<String>)> = rows(
        conn,
        "SELECT id, uri, title FROM threads WHERE site_id = $1 ORDER BY id",
        &[&site.id],
    )
    .await?
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2)))
    .collect();
    let mut out = Vec::with_capacity(threads.len());
    for (id, uri, title) in threads {
        let comments: Vec<CommentExport> = rows(
            conn,
            "SELECT id, parent_id, status, author, email, website, text, created, edited, likes, dislikes, held_reason
             FROM comments WHERE thread_id = $1 ORDER BY id",
            &[&id],
        )
        .await?
        .iter()
        .map(|r| CommentExport {
            id: r.get(0),
            parent: r.get(1),
            status: r.get(2),
            author: r.get(3),
            email: r.get(4),
            website: r.get(5),
            text: r.get(6),
            created: rfc3339(r.get(7)),
            edited: r.get::<_, Option<i64>>(8).map(rfc3339),
            likes: r.get(9),
            dislikes: r.get(10),
            held_reason: r.get(11),
        })
        .collect();
        if !comments.is_empty() {
            out.push(ThreadExport { uri, title, comments });
        }
    }
    let bans = rows(
        conn,
        "SELECT email, reason, created, expires, created_by FROM bans
         WHERE site_id = $1 AND email IS NOT NULL AND (expires IS NULL OR expires > $2) ORDER BY id",
        &[&site.id, &now],
    )
    .await?
    .iter()
    .map(|r| BanExport {
        email: r.get(0),
        reason: r.get(1),
        created: rfc3339(r.get(2)),
        expires: r.get::<_, Option<i64>>(3).map(rfc3339),
        created_by: r.get(4),
    })
    .collect();
    Ok(SiteExport {
        format: FORMAT.into(),
        version: VERSION,
        exported: rfc3339(now),
        site: SiteSettings {
            id: site.id.clone(),
            name: site.name.clone(),
            moderation: site.moderation.as_str().into(),
            origins: site.origins.clone(),
            max_links: site.max_links,
            blocked_words: site.blocked_words.clone(),
            pow: Some(site.pow.as_str().into()),
        },
        threads: out,
        bans,
    })
}
