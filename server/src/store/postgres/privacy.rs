//! What the GDPR asks of us for one email address: everything stored, and erasing it.
//! STUB: to be ported from `sqlite/privacy.rs`.

#![allow(unused_variables, unused_imports, dead_code)]

use super::{GenericClient, Params, exec, one, opt, rows};
use super::{audit, comments, outbox, subscriptions};
use crate::domain::privacy::{Export, ExportedBan, ExportedComment, ExportedSubscription};
use crate::domain::time::rfc3339;
use crate::store::{Result, StoreError};

pub async fn export(conn: &impl GenericClient, email: &str) -> Result<Export> {
    todo!("port privacy::export")
}

/// Erases every comment of this email: removed outright, or a content-free placeholder where replies hang
/// below it; and the bans of the address (a moderator who still wants one bans again, by IP hash or
/// email). Returns how many comments were erased. The erasure itself is recorded, without the address.
/// The database runs with `secure_delete`, so erased text is overwritten in the file, not just unlinked.
pub async fn erase(tx: &impl GenericClient, email: &str, now: i64, by: &str) -> Result<usize> {
    todo!("port privacy::erase")
}
