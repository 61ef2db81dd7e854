//! What a store reports of itself: its row counts, its connections and its group commit's batches.

/// How many rows each kind of record has: for operators, for checking a copy, and for tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub sites: i64,
    pub threads: i64,
    pub comments: i64,
    pub votes: i64,
    pub moderators: i64,
    pub sessions: i64,
    pub bans: i64,
    pub audit: i64,
}

/// The database connections of a store, for `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Connections {
    pub open: i64,
    /// In use now (SQLite: the writer while writes wait for it, and the readers running a read).
    pub busy: i64,
    pub max: i64,
}

/// What the group commit has done since the start, for `/metrics`: transactions committed in batches and
/// the writes they held (SQLite: every write; PostgreSQL: visitors' new comments, `postgres/posting.rs`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Batches {
    pub batches: u64,
    pub writes: u64,
}
