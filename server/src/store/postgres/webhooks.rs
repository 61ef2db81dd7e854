//! Sites' webhooks: from the configuration file and from the admin UI.

use super::{GenericClient, exec, one, opt, rows};
use crate::domain::notify::{Event, NewWebhook, Webhook};
use crate::store::Result;

fn webhook(r: &tokio_postgres::Row) -> Webhook {
    let events: &str = r.get(4);
    Webhook {
        id: r.get(0),
        site: r.get(1),
        url: r.get(2),
        secret: r.get(3),
        events: events.lines().filter_map(|e| Event::parse(e).ok()).collect(),
        from_config: r.get::<_, i64>(5) != 0,
        disabled: r.get(6),
        created: r.get(7),
    }
}

pub async fn of_site(conn: &impl GenericClient, site: &str) -> Result<Vec<Webhook>> {
    Ok(rows(
        conn,
        "SELECT id, site_id, url, secret, events, from_config, disabled, created FROM webhooks
         WHERE site_id = $1 ORDER BY id",
        &[&site],
    )
    .await?
    .iter()
    .map(webhook)
    .collect())
}

pub async fn get(conn: &impl GenericClient, site: &str, id: i64) -> Result<Option<Webhook>> {
    Ok(of_site(conn, site).await?.into_iter().find(|h| h.id == id))
}

pub async fn add(tx: &impl GenericClient, site: &str, hook: &NewWebhook, from_config: bool, now: i64) -> Result<i64> {
    let events: Vec<&str> = hook.events.iter().map(|e| e.as_str()).collect();
    Ok(one(
        tx,
        "INSERT INTO webhooks (site_id, url, secret, events, from_config, created) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING id",
        &[
            &site,
            &hook.url,
            &hook.secret,
            &events.join("\n"),
            &i64::from(from_config),
            &now,
        ],
    )
    .await?
    .get(0))
}

pub async fn remove(tx: &impl GenericClient, site: &str, id: i64) -> Result<bool> {
    Ok(exec(tx, "DELETE FROM webhooks WHERE site_id = $1 AND id = $2", &[&site, &id]).await? == 1)
}

/// Replaces the hooks of the configuration file. A hook kept with the same site, URL and secret keeps
/// its id and its disabled state.
pub async fn replace_configured(tx: &impl GenericClient, hooks: &[(String, NewWebhook)], now: i64) -> Result<()> {
    let mut keep: Vec<i64> = Vec::new();
    for (site, hook) in hooks {
        let events: Vec<&str> = hook.events.iter().map(|e| e.as_str()).collect();
        let existing: Option<i64> = opt(
            tx,
            "SELECT id FROM webhooks WHERE from_config = 1 AND site_id = $1 AND url = $2 AND secret = $3",
            &[site, &hook.url, &hook.secret],
        )
        .await?
        .map(|r| r.get(0));
        let id = match existing {
            Some(id) => {
                exec(
                    tx,
                    "UPDATE webhooks SET events = $2 WHERE id = $1",
                    &[&id, &events.join("\n")],
                )
                .await?;
                id
            }
            None => add(tx, site, hook, true, now).await?,
        };
        keep.push(id);
    }
    exec(
        tx,
        "DELETE FROM webhooks WHERE from_config = 1 AND NOT (id = ANY($1))",
        &[&keep],
    )
    .await?;
    Ok(())
}

/// Stops sends to a hook (its receiver answered 410 Gone).
pub async fn disable(tx: &impl GenericClient, id: i64, reason: &str) -> Result<()> {
    exec(tx, "UPDATE webhooks SET disabled = $2 WHERE id = $1", &[&id, &reason]).await?;
    Ok(())
}
