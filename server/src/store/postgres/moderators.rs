//! Moderator accounts, the sites each may moderate, and their login sessions.
//! STUB: to be ported from `sqlite/moderators.rs`.

#![allow(unused_variables, unused_imports, dead_code)]

use super::{GenericClient, Params, exec, one, opt, rows};
use crate::domain::moderator::Moderator;
use crate::store::{Result, StoreError};

pub async fn by_name(conn: &impl GenericClient, name: &str) -> Result<Option<Moderator>> {
    todo!("port moderators::by_name")
}

pub async fn by_id(conn: &impl GenericClient, id: i64) -> Result<Option<Moderator>> {
    todo!("port moderators::by_id")
}

pub async fn list(conn: &impl GenericClient) -> Result<Vec<Moderator>> {
    todo!("port moderators::list")
}

/// Sets (or with `None` clears) a moderator's address for notifications; `false` when there is no such
/// moderator.
/// A bounce recorded for the address is forgotten: setting it again says it works now.
/// Makes every badge token of the moderator stop working; whether the moderator exists.
pub async fn new_badge(tx: &impl GenericClient, name: &str) -> Result<bool> {
    todo!("port moderators::new_badge")
}

pub async fn set_email(tx: &impl GenericClient, name: &str, email: Option<&str>) -> Result<bool> {
    todo!("port moderators::set_email")
}

/// Creates a moderator of these sites (`None`: every site); `false` when the name is taken.
pub async fn add(
    tx: &impl GenericClient,
    name: &str,
    password_hash: &str,
    email: Option<&str>,
    sites: Option<&[String]>,
    now: i64,
) -> Result<bool> {
    todo!("port moderators::add")
}

pub async fn remove(tx: &impl GenericClient, name: &str) -> Result<bool> {
    todo!("port moderators::remove")
}

/// Sets a new password and ends every session of the account.
pub async fn set_password(tx: &impl GenericClient, name: &str, password_hash: &str) -> Result<bool> {
    todo!("port moderators::set_password")
}

pub async fn create_session(tx: &impl GenericClient, token_hash: &str, moderator_id: i64, now: i64) -> Result<()> {
    todo!("port moderators::create_session")
}

/// The moderator of a session begun after `born_after`, and when it was last used.
pub async fn session(conn: &impl GenericClient, token_hash: &str, born_after: i64) -> Result<Option<(Moderator, i64)>> {
    todo!("port moderators::session")
}

pub async fn touch_session(tx: &impl GenericClient, token_hash: &str, now: i64) -> Result<()> {
    todo!("port moderators::touch_session")
}

pub async fn end_session(tx: &impl GenericClient, token_hash: &str) -> Result<()> {
    todo!("port moderators::end_session")
}

/// Ends sessions idle since before `idle_before` or begun before `born_before`.
pub async fn purge_sessions(tx: &impl GenericClient, idle_before: i64, born_before: i64) -> Result<usize> {
    todo!("port moderators::purge_sessions")
}
