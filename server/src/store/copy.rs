//! Copying a whole database between backends (`riposte migrate-db`): the tables in an order that keeps
//! every foreign key satisfied, and rows as plain cells. Both backends have the same tables and columns
//! (`migrations/postgres/0001_init.sql` mirrors SQLite's schema), so a row read from one is written to the
//! other by column name.

/// Every table, parents before children. `sites_version` is not copied (each database keeps its own,
/// moved by triggers); `thread_events` comes last and replaces the events that the copied comments'
/// triggers wrote on the way.
pub const TABLES: &[&str] = &[
    "settings",
    "sites",
    "site_origins",
    "threads",
    "comments",
    "votes",
    "moderators",
    "moderator_sites",
    "sessions",
    "bans",
    "audit",
    "imported",
    "ip_keys",
    "idempotency",
    "pow_used",
    "spam_tokens",
    "spam_totals",
    "digest_items",
    "webhooks",
    "subscriptions",
    "mail_addresses",
    "mail_blocked",
    "used_links",
    "outbox",
    "thread_events",
];

/// Tables whose rows are paged by their `id` (the large ones, and those whose identity a copy keeps);
/// the others are read whole.
pub fn has_id(table: &str) -> bool {
    matches!(
        table,
        "threads"
            | "comments"
            | "moderators"
            | "bans"
            | "audit"
            | "webhooks"
            | "subscriptions"
            | "outbox"
            | "thread_events"
    )
}

/// One value of a row, as both backends store it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// Some rows of one table: the column names, then the rows' cells in that order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}
