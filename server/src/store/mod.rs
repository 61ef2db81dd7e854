//! The storage seam: one typed async method per use case, taking and returning domain types. Handlers
//! call these and never see a connection, a transaction or SQL. Each backend lives in its own folder
//! (`sqlite/`, `postgres/`) with its own migrations, runs every change in one transaction, and calls the pure
//! rules of [`crate::domain::moderation`] inside it.

pub mod copy;
pub mod postgres;
mod report;
pub mod scopes;
pub mod sqlite;

#[cfg(test)]
mod migrations;

pub use report::{Batches, Connections, Totals};

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::Receiver;

use async_trait::async_trait;

use crate::domain::comment::{
    Changes, Comment, CommentMeta, CommentRecord, Commenter, Created, FeedEntry, Guard, ModeratorEdit, NewComment,
    RepliesPage, ReplyCursor, ThreadPage, Vote, Votes,
};
use crate::domain::export::SiteExport;
use crate::domain::import::{Feed, Report};
use crate::domain::live::ThreadEvent;
use crate::domain::moderator::{Action, AuditEntry, Ban, Filter, Moderator, NewBan};
use crate::domain::notify::{Attempt, DeliveryState, MailLink, NewWebhook, OutboxItem, Retries, Subscription, Webhook};
use crate::domain::pow::ChallengeError;
use crate::domain::privacy::Export;
use crate::domain::site::Sort;
use crate::domain::spam::Verdict;
use crate::domain::{FieldError, PageTitle, PageUri, Site, SiteId};

/// Why a store method failed.
#[derive(Debug)]
pub enum StoreError {
    /// A rule of the domain refused the change (a reply to a comment that cannot take one); nothing changed.
    Refused(FieldError),
    /// A post lacked the proof of work its site asks for, or carried a bad one; nothing changed.
    Challenge(ChallengeError),
    /// The thread is closed (by a moderator or the site's age rule) and takes no new comments.
    Closed,
    /// The request conflicts with what is stored (an idempotency key of a comment that is gone).
    Conflict(&'static str),
    /// The database failed; the cause is for the log, never for a client.
    Failed(anyhow::Error),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refused(e) => write!(f, "refused: {e}"),
            Self::Challenge(e) => write!(f, "refused: {}", e.code()),
            Self::Closed => write!(f, "refused: the thread is closed"),
            Self::Conflict(m) => write!(f, "conflict: {m}"),
            Self::Failed(e) => write!(f, "{e:#}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<anyhow::Error> for StoreError {
    fn from(e: anyhow::Error) -> Self {
        Self::Failed(e)
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which sites a moderator's request covers: `None` for every site.
pub type Scope = Option<Vec<String>>;

/// What the hourly upkeep removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Upkeep {
    pub purged_comments: usize,
    pub ended_sessions: usize,
    pub forgotten_ip_hashes: usize,
    pub forgotten_ip_keys: usize,
    /// Expired idempotency keys and used proofs of work.
    pub forgotten_guards: usize,
    /// Sent messages older than a week, and used mail links past their expiry.
    pub forgotten_messages: usize,
    /// Live-update events older than [`crate::domain::live::EVENTS_KEEP_MS`].
    pub forgotten_events: usize,
}

/// What came of a moderator's action from a mail link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkOutcome {
    Done,
    /// The link was used before; nothing changed.
    Used,
    /// The comment or the moderator is gone, or the moderator may no longer moderate its site.
    Gone,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    // The store as a whole.

    /// Changes after every committed write through this handle that changed the thread of this page (its
    /// comments, their votes, its title), and after changes the store cannot pin to pages (a site's
    /// settings, writes by another process, seen within about a second): the response cache keeps a thread
    /// page or replies page while this is the generation it was built at. No write path can forget it: the
    /// backend sees the changed rows themselves.
    fn thread_generation(&self, site: &str, uri: &str) -> u64;
    /// As [`Self::thread_generation`], for a whole site: changes with a change to any of its threads (its
    /// counts and feeds).
    fn site_generation(&self, site: &str) -> u64;
    /// Returns once the generations above reflect every commit made before this call, by any server
    /// (read-your-writes across servers behind one load balancer). SQLite, one server per file: at once.
    async fn caught_up(&self) {}
    /// Answers when the database does.
    async fn ping(&self) -> Result<()>;
    /// The connections open and in use now.
    fn connections(&self) -> Connections;
    /// Batches committed so far.
    fn batches(&self) -> Batches;
    /// Notifications queued or waiting for a retry.
    async fn outbox_depth(&self) -> Result<i64>;
    /// Whether the database answers with exactly the schema this build knows (every migration applied, none
    /// from a newer build): what `/readyz` reports.
    async fn ready(&self) -> Result<bool>;
    async fn totals(&self) -> Result<Totals>;
    /// The database's own consistency check; an error names what is broken.
    async fn check(&self) -> Result<()>;
    /// A consistent copy of everything at `target`, made while the server keeps writing.
    async fn backup(&self, target: PathBuf) -> Result<()>;
    /// The server secret, created on first use.
    async fn secret(&self, generate: fn() -> String) -> Result<String>;
    /// Purges the trash and idle sessions, forgets old IP hashes and IP-hash keys, and drops expired
    /// idempotency keys and used proofs of work, as of `now`.
    async fn upkeep(&self, now: i64) -> Result<Upkeep>;
    /// The random IP-hash keys of `period` and the period before (the keys module hashes addresses with
    /// them), made on first use.
    async fn ip_keys(&self, period: i64) -> Result<[Vec<u8>; 2]>;

    // Sites.

    async fn sites(&self) -> Result<Vec<Site>>;
    /// Changes with every change to a site's settings or origins, made by any process (the command line
    /// too): a cheap question whether [`Self::sites`] would answer something new.
    async fn sites_version(&self) -> Result<i64>;
    /// Replaces the webhooks written from the configuration file with these (site id, hook) pairs.
    async fn save_config_webhooks(&self, hooks: Vec<(String, NewWebhook)>, now: i64) -> Result<()>;
    /// Creates the site or replaces its settings; `by` names the moderator for the audit trail.
    async fn save_site(&self, site: Site, by: Option<String>, now: i64) -> Result<()>;
    /// Creates or replaces several sites in one transaction (the configured ones, at start).
    async fn save_sites(&self, sites: Vec<Site>, now: i64) -> Result<()>;

    // Public reads.

    /// Up to `limit` top-level comments after the one with id `after`, each with its replies, and the
    /// thread's newest live-update event as of the read.
    async fn thread_page(
        &self,
        site: Arc<Site>,
        uri: PageUri,
        sort: Sort,
        after: i64,
        limit: i64,
        now: i64,
    ) -> Result<ThreadPage>;
    /// Up to `limit` replies below top-level comment `root` of the page, after id `after`; `None` when
    /// `root` is not a top-level comment of that page.
    async fn thread_replies(
        &self,
        site: SiteId,
        uri: PageUri,
        root: i64,
        after: ReplyCursor,
        limit: usize,
    ) -> Result<Option<RepliesPage>>;
    /// Published comments per page, for the pages that have a thread; others are absent.
    async fn counts(&self, site: SiteId, uris: Vec<String>) -> Result<Vec<(String, i64)>>;
    /// The newest published comments of a site, or of one of its pages.
    async fn feed(&self, site: SiteId, uri: Option<PageUri>, limit: i64) -> Result<Vec<FeedEntry>>;
    async fn comment(&self, id: i64) -> Result<Option<Comment>>;
    async fn comment_meta(&self, id: i64) -> Result<Option<CommentMeta>>;

    // A visitor's writes.

    /// Places, guards (idempotency, proof of work), moderates (bans, bot traps, first-time, content rules)
    /// and stores a new comment, in one transaction.
    async fn create_comment(
        &self,
        site: Arc<Site>,
        comment: NewComment,
        by: Commenter,
        guard: Guard,
        now: i64,
    ) -> Result<Created>;
    /// An author's edit by a client with these IP hashes; the rules run again and may hold the comment.
    async fn edit_comment(
        &self,
        id: i64,
        site: Arc<Site>,
        changes: Changes,
        editor: [String; 2],
        now: i64,
    ) -> Result<Option<Comment>>;
    /// How the site's learning spam filter (on top of the built-in seed) scores these tokens.
    async fn spam_verdict(&self, site: SiteId, tokens: Vec<String>) -> Result<Verdict>;
    /// Rebuilds the spam filter of one site, or of every site, from its moderators' decisions; returns
    /// how many comments it learned from.
    async fn retrain_spam(&self, site: Option<SiteId>) -> Result<usize>;
    /// A moderator names the page of comment `id` (`None`: no title), audited.
    async fn set_title(&self, id: i64, title: Option<PageTitle>, by: String, now: i64) -> Result<()>;
    /// An author's delete: a placeholder where replies hang below, gone otherwise.
    async fn remove_comment(&self, id: i64) -> Result<()>;
    /// `None` when the comment is not a published one; a banned voter's vote changes nothing.
    async fn vote(&self, id: i64, voter: [String; 2], vote: Vote, now: i64) -> Result<Option<Votes>>;

    // Moderation.

    /// Pending comments, newest first.
    async fn queue(&self, scope: Scope) -> Result<Vec<CommentRecord>>;
    /// Comments in the trash, newest deletion first.
    async fn trash(&self, scope: Scope) -> Result<Vec<CommentRecord>>;
    /// One page of matching comments, newest first, and how many match in all.
    async fn browse(&self, scope: Scope, filter: Filter, offset: i64, limit: i64) -> Result<(Vec<CommentRecord>, i64)>;
    /// The comments of these ids that exist, in the order asked.
    async fn records(&self, ids: Vec<i64>) -> Result<Vec<CommentRecord>>;
    /// Applies one action to the comments of `ids` the moderator may act on; returns how many changed.
    async fn moderate(&self, by: Moderator, action: Action, ids: Vec<i64>, now: i64) -> Result<usize>;
    /// Pins or unpins a published top-level comment (audited); whether it changed. Refused past
    /// [`crate::domain::comment::MAX_PINNED`] per thread or for a reply.
    async fn pin(&self, by: Moderator, id: i64, pinned: bool, now: i64) -> Result<bool>;
    /// Closes or reopens the thread of comment `id` (audited); whether it changed.
    async fn close_thread(&self, by: Moderator, id: i64, closed: bool, now: i64) -> Result<bool>;
    async fn moderator_edit(&self, id: i64, edit: ModeratorEdit, by: String, now: i64) -> Result<()>;
    /// The audit entries of some comments, oldest first.
    async fn audit_for(&self, ids: Vec<i64>) -> Result<Vec<AuditEntry>>;
    /// The newest audit entries.
    async fn audit(&self, limit: i64) -> Result<Vec<AuditEntry>>;

    // Bans.

    /// Bans in force, newest first.
    async fn bans(&self, scope: Scope, now: i64) -> Result<Vec<Ban>>;
    async fn add_ban(&self, ban: NewBan, now: i64) -> Result<i64>;
    /// `false` when there is no such ban within the scope.
    async fn remove_ban(&self, id: i64, scope: Scope, by: String, now: i64) -> Result<bool>;

    // Moderators and their sessions.

    async fn moderator(&self, name: String) -> Result<Option<Moderator>>;
    async fn moderators(&self) -> Result<Vec<Moderator>>;
    /// A new moderator of these sites (`None`: every site), with an address for notifications or none;
    /// `false` when the name is taken.
    async fn add_moderator(
        &self,
        name: String,
        password_hash: String,
        email: Option<String>,
        sites: Scope,
        now: i64,
    ) -> Result<bool>;
    async fn remove_moderator(&self, name: String) -> Result<bool>;
    /// Sets a new password and ends every session of the account.
    async fn set_password(&self, name: String, password_hash: String) -> Result<bool>;
    async fn create_session(&self, token_hash: String, moderator_id: i64, now: i64) -> Result<()>;
    /// The moderator of a session and when it was last used; `None` also when the session began more than
    /// `SESSION_MAX` before `now`.
    async fn session(&self, token_hash: String, now: i64) -> Result<Option<(Moderator, i64)>>;
    async fn touch_session(&self, token_hash: String, now: i64) -> Result<()>;
    async fn end_session(&self, token_hash: String) -> Result<()>;

    /// Sets or clears a moderator's address for notifications; `false` when there is no such moderator.
    /// Revokes every badge token of the moderator (new ones follow from the bumped generation).
    async fn new_badge(&self, name: String) -> Result<bool>;
    async fn set_moderator_email(&self, name: String, email: Option<String>) -> Result<bool>;

    // Notifications: the outbox, webhooks, commenters' subscriptions and mail links.

    /// Which channels this server delivers. Messages are queued only for these: with mail off, changes
    /// queue no mail and subscriptions are not taken.
    fn set_channels(&self, mail: bool);
    /// Whether mail is delivered ([`Self::set_channels`]).
    fn mail_on(&self) -> bool;
    /// Up to `limit` messages due at `now` that no worker holds, each now held by the caller for
    /// [`crate::domain::notify::CLAIM_MS`].
    async fn claim_outbox(&self, now: i64, limit: usize) -> Result<Vec<OutboxItem>>;
    /// Releases every claim: called by the notify worker as it starts, when a claim can only be left by a
    /// process that died mid-delivery (one server serves a SQLite file), so its messages go out now
    /// rather than when the claim runs out.
    async fn release_claims(&self) -> Result<usize>;
    /// Records how an attempt at message `id` went: sent, tried again when `retries` says, or given up; a
    /// refusal also blocks its target (the address, or the webhook).
    async fn finish_outbox(&self, id: i64, attempt: Attempt, retries: Retries, now: i64) -> Result<()>;
    /// When the next queued message is due; `None` when nothing waits.
    async fn outbox_next_due(&self) -> Result<Option<i64>>;
    /// The newest messages of the sites in scope (and those of no site for a moderator of every site),
    /// optionally only those in `state`.
    async fn outbox(&self, scope: Scope, state: Option<DeliveryState>, limit: i64) -> Result<Vec<OutboxItem>>;
    /// Makes these failed or retrying messages due at `now`, with their attempts reset; returns how many.
    async fn retry_outbox(&self, scope: Scope, ids: Vec<i64>, now: i64) -> Result<usize>;
    /// Queues the digests due at `now`: one per moderator with an address of each digest site that had
    /// new comments since its last digest. Returns how many.
    async fn queue_digests(&self, now: i64) -> Result<usize>;
    /// The webhooks of a site, oldest first.
    async fn webhooks(&self, site: SiteId) -> Result<Vec<Webhook>>;
    async fn add_webhook(&self, site: SiteId, hook: NewWebhook, by: String, now: i64) -> Result<i64>;
    /// `false` when the site has no such hook.
    async fn remove_webhook(&self, site: SiteId, id: i64, by: String, now: i64) -> Result<bool>;
    /// Queues a `test` event for hook `id` of the site; `false` when there is no such hook.
    async fn test_webhook(&self, site: SiteId, id: i64, now: i64) -> Result<bool>;
    async fn subscription(&self, id: i64) -> Result<Option<Subscription>>;
    /// Confirms the address of subscription `id` (made at `created`) for its site, which starts every
    /// subscription of that address there; `false` when there is no such subscription.
    async fn confirm_subscription(&self, id: i64, created: i64, now: i64) -> Result<bool>;
    /// Ends subscription `id` (made at `created`); `false` when there is no such subscription.
    async fn unsubscribe(&self, id: i64, created: i64) -> Result<bool>;
    /// A moderator's action from a mail link whose MAC is `mac`, in one transaction with marking the link
    /// used (until `expires`); audited as from a mail.
    /// `link` must be a [`MailLink::Moderate`]; a moderator or comment that is gone, or whose creation
    /// time is not the link's (a reused id), is `Gone`.
    async fn moderate_by_link(&self, mac: String, link: MailLink, now: i64) -> Result<LinkOutcome>;

    // Moving between systems.

    /// Stores the comments of `feed` for `site`, keyed by `source` and each comment's source key so that a
    /// second run adds nothing, in one transaction that commits only after [`Feed::End`] and never when
    /// `dry_run`; returns what it stored and repaired.
    async fn import(&self, site: SiteId, source: String, feed: Receiver<Feed>, dry_run: bool) -> Result<Report>;
    /// Everything needed to restore a site elsewhere: settings, threads with their comments, email bans.
    async fn export_site(&self, site: Site, now: i64) -> Result<SiteExport>;

    // Privacy.

    async fn export(&self, email: String) -> Result<Export>;
    /// Erases every comment of this email; returns how many. The erasure is audited without the address.
    async fn erase(&self, email: String, by: String, now: i64) -> Result<usize>;

    // Live updates: the events a client following a thread hears of (`GET /api/v1/events`).

    /// Up to `limit` events of the thread of this page after event `after`, oldest first, each with the
    /// comment it names as that comment is now (when it still exists in that thread) and the thread's
    /// published comments right after it. Every change to what the thread shows publicly is an event, by
    /// any write path and any process; event ids come from the database and grow across all threads and
    /// processes, so a client resumes from the last id it saw. Events are kept for a day.
    async fn events_after(&self, site: SiteId, uri: PageUri, after: i64, limit: i64) -> Result<Vec<ThreadEvent>>;
    /// The id of the newest event of the thread of this page; 0 when it has none.
    async fn last_event_id(&self, site: SiteId, uri: PageUri) -> Result<i64>;
    /// Changes after every commit through this handle that moved the [`Self::thread_generation`] of
    /// `site`'s page `uri`, and when another process wrote (seen within about a second): a follower of a
    /// thread waits on this, then reads its events when its thread's generation moved. Commits to other
    /// pages do not wake it.
    fn page_changes(&self, site: &str, uri: &str) -> tokio::sync::watch::Receiver<u64>;

    // Copying everything to another backend (`riposte migrate-db`; the tables in `copy::TABLES`).

    /// How many rows `table` holds.
    async fn count_rows(&self, table: &'static str) -> Result<i64>;
    /// Rows of `table`: for a table with an id ([`copy::has_id`]), up to `limit` rows with an id above
    /// `after`, by id; for the others, every row.
    async fn read_rows(&self, table: &'static str, after: i64, limit: i64) -> Result<copy::Rows>;
    /// Writes rows read from another store, in one transaction. For `thread_events`, the first call
    /// removes the events this store's triggers wrote while the comments were copied.
    async fn write_rows(&self, table: &'static str, rows: copy::Rows, first: bool) -> Result<()>;
    /// After the copy: identity counters moved past the copied ids.
    async fn copied(&self) -> Result<()>;
}

/// Opens (creating and migrating) the store the configuration names: a `postgres://` (or
/// `postgresql://`) URL is a PostgreSQL database, anything else the path of a SQLite file.
pub async fn open(database: &Path) -> anyhow::Result<Arc<dyn Store>> {
    match database.to_str().filter(|d| postgres::is_url(d)) {
        Some(url) => Ok(Arc::new(postgres::PgStore::open(url).await?)),
        None => Ok(Arc::new(sqlite::SqliteStore::open(database)?)),
    }
}

/// The database for logs and messages: a file's path, or a URL without its password.
pub fn describe(database: &Path) -> String {
    match database.to_str().filter(|d| postgres::is_url(d)) {
        Some(url) => postgres::redacted(url),
        None => database.display().to_string(),
    }
}
