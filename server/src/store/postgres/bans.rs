//! Bans of an email or an IP hash, on one site or on every site.
//! STUB: to be ported from `sqlite/bans.rs`.

#![allow(unused_variables, unused_imports, dead_code)]

use super::{GenericClient, Params, exec, one, opt, rows};
use crate::domain::moderator::{Ban, NewBan};
use crate::store::{Result, StoreError};

pub async fn add(tx: &impl GenericClient, ban: &NewBan, now: i64) -> Result<i64> {
    todo!("port bans::add")
}

pub async fn remove(tx: &impl GenericClient, id: i64, sites: Option<&[String]>) -> Result<bool> {
    todo!("port bans::remove")
}

pub async fn in_force(conn: &impl GenericClient, sites: Option<&[String]>, now: i64) -> Result<Vec<Ban>> {
    todo!("port bans::in_force")
}

/// Whether a ban in force covers this email or IP (by its current or previous hash) on this site.
pub async fn is_banned(
    conn: &impl GenericClient,
    site: &str,
    email: Option<&str>,
    ip_hashes: [&str; 2],
    now: i64,
) -> Result<bool> {
    todo!("port bans::is_banned")
}
