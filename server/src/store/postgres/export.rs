//! A site's threads, comments and bans for `riposte export`.
//! STUB: to be ported from `sqlite/export.rs`.

#![allow(unused_variables, unused_imports, dead_code)]

use super::{GenericClient, Params, exec, one, opt, rows};
use crate::domain::Site;
use crate::domain::export::{BanExport, CommentExport, FORMAT, SiteExport, SiteSettings, ThreadExport, VERSION};
use crate::domain::time::rfc3339;
use crate::store::{Result, StoreError};

pub async fn site(conn: &impl GenericClient, site: &Site, now: i64) -> Result<SiteExport> {
    todo!("port export::site")
}
