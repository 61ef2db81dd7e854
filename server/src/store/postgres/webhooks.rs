//! Sites' webhooks: from the configuration file and from the admin UI.
//! STUB: to be ported from `sqlite/webhooks.rs`.

#![allow(unused_variables, unused_imports, dead_code)]

use super::{GenericClient, Params, exec, one, opt, rows};
use crate::domain::notify::{Event, NewWebhook, Webhook};
use crate::store::{Result, StoreError};

pub async fn of_site(conn: &impl GenericClient, site: &str) -> Result<Vec<Webhook>> {
    todo!("port webhooks::of_site")
}

pub async fn get(conn: &impl GenericClient, site: &str, id: i64) -> Result<Option<Webhook>> {
    todo!("port webhooks::get")
}

pub async fn add(tx: &impl GenericClient, site: &str, hook: &NewWebhook, from_config: bool, now: i64) -> Result<i64> {
    todo!("port webhooks::add")
}

pub async fn remove(tx: &impl GenericClient, site: &str, id: i64) -> Result<bool> {
    todo!("port webhooks::remove")
}

/// Replaces the hooks of the configuration file. A hook kept with the same site, URL and secret keeps
/// its id and its disabled state.
pub async fn replace_configured(tx: &impl GenericClient, hooks: &[(String, NewWebhook)], now: i64) -> Result<()> {
    todo!("port webhooks::replace_configured")
}

/// Stops sends to a hook (its receiver answered 410 Gone).
pub async fn disable(tx: &impl GenericClient, id: i64, reason: &str) -> Result<()> {
    todo!("port webhooks::disable")
}
