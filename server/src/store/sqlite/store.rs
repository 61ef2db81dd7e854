//! [`Store`] for SQLite: each use case as one read, or one write transaction, over the query functions of
//! the sibling modules.
//! Size: the one `impl Store` (a trait's impl is one block in Rust); each method is a few lines that call
//! the aggregate modules, where the SQL is.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::Receiver;

use async_trait::async_trait;
use tracing::instrument;

use super::{
    SqliteStore, audit, bans, comments, deliveries, digests, events, export, feed, guards, import, moderators, outbox,
    pins, privacy, review, settings, sites, spam, subscriptions, thread_pages, threads, votes, webhooks,
};
use crate::domain::comment::{
    Changes, Comment, CommentMeta, CommentRecord, Commenter, Created, FeedEntry, Guard, ModeratorEdit, NewComment,
    RepliesPage, ReplyCursor, ThreadPage, Vote, Votes,
};
use crate::domain::export::SiteExport;
use crate::domain::import::{Feed, Report};
use crate::domain::live::{EVENTS_KEEP_MS, ThreadEvent};
use crate::domain::moderation::{IP_HASH_KEEP_MS, TRASH_KEEP_MS};
use crate::domain::moderator::{Action, AuditEntry, Ban, Filter, Moderator, NewBan, SESSION_IDLE, SESSION_MAX};
use crate::domain::notify::{
    Attempt, DeliveryState, Event, Job, LinkAction, MailLink, NewWebhook, OutboxItem, Retries, Subscription, Webhook,
    webhook_body,
};
use crate::domain::privacy::{Export, ip_period};
use crate::domain::site::Sort;
use crate::domain::spam::{Verdict, score_seeded};
use crate::domain::{PageTitle, PageUri, Site, SiteId};
use crate::store::{Batches, Connections, LinkOutcome, Result, Scope, Store, Totals, Upkeep};

#[async_trait]
impl Store for SqliteStore {
    fn thread_generation(&self, site: &str, uri: &str) -> u64 {
        self.inner.scopes.page(site, uri)
    }

    fn site_generation(&self, site: &str) -> u64 {
        self.inner.scopes.site(site)
    }

    #[instrument(level = "debug", skip_all)]
    async fn ping(&self) -> Result<()> {
        self.read(|conn| Ok(conn.query_row("SELECT 1", [], |_| Ok(()))?)).await
    }

    fn connections(&self) -> Connections {
        let readers = self.inner.readers.len() as i64;
        let waiting = self.inner.stats.waiting.load(Ordering::Relaxed).max(0) as i64;
        Connections {
            open: readers + 1,
            busy: waiting.min(1) + self.inner.readers.busy() as i64,
            max: readers + 1,
        }
    }

    fn batches(&self) -> Batches {
        Batches {
            batches: self.inner.stats.batches.load(Ordering::Relaxed),
            writes: self.inner.stats.jobs.load(Ordering::Relaxed),
        }
    }

    #[instrument(level = "debug", skip_all)]
    async fn outbox_depth(&self) -> Result<i64> {
        self.read(|conn| {
            Ok(conn.query_row(
                "SELECT count(*) FROM outbox WHERE state IN ('queued', 'retrying')",
                [],
                |r| r.get(0),
            )?)
        })
        .await
    }

    #[instrument(level = "debug", skip_all)]
    async fn ready(&self) -> Result<bool> {
        self.read(|conn| {
            let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
            Ok(version == super::MIGRATIONS.len() as i64)
        })
        .await
    }

    #[instrument(level = "debug", skip_all)]
    async fn totals(&self) -> Result<Totals> {
        self.read(|conn| Ok(super::totals(conn)?)).await
    }

    #[instrument(level = "debug", skip_all)]
    async fn check(&self) -> Result<()> {
        self.read(|conn| {
            let verdict: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
            match verdict.as_str() {
                "ok" => Ok(()),
                _ => Err(anyhow::anyhow!("the database failed its integrity check: {verdict}").into()),
            }
        })
        .await
    }

    #[instrument(level = "debug", skip_all)]
    async fn backup(&self, target: PathBuf) -> Result<()> {
        let source = self.path.clone();
        tokio::task::spawn_blocking(move || super::backup(&source, &target))
            .await
            .map_err(anyhow::Error::from)??;
        Ok(())
    }

    #[instrument(level = "debug", skip_all)]
    async fn secret(&self, generate: fn() -> String) -> Result<String> {
        self.write(move |tx| match settings::get(tx, "secret")? {
            Some(s) => Ok(s),
            None => {
                let s = generate();
                settings::set(tx, "secret", &s)?;
                Ok(s)
            }
        })
        .await
    }

    #[instrument(level = "debug", skip_all)]
    async fn upkeep(&self, now: i64) -> Result<Upkeep> {
        self.write(move |tx| {
            Ok(Upkeep {
                purged_comments: review::purge(tx, now - TRASH_KEEP_MS, now)?,
                ended_sessions: moderators::purge_sessions(
                    tx,
                    now - SESSION_IDLE.as_millis() as i64,
                    now - SESSION_MAX.as_millis() as i64,
                )?,
                forgotten_ip_hashes: review::forget_ip_hashes(tx, now - IP_HASH_KEEP_MS)?,
                forgotten_ip_keys: settings::forget_ip_keys(tx, ip_period(now))?,
                forgotten_guards: guards::forget(tx, now)?,
                forgotten_messages: outbox::forget(tx, now)?,
                forgotten_events: events::prune(tx, now - EVENTS_KEEP_MS)?,
            })
        })
        .await
    }

    #[instrument(level = "debug", skip_all, fields(period = period))]
    async fn ip_keys(&self, period: i64) -> Result<[Vec<u8>; 2]> {
        self.write(move |tx| Ok(settings::ip_keys(tx, period)?)).await
    }

    #[instrument(level = "debug", skip_all)]
    async fn sites(&self) -> Result<Vec<Site>> {
        self.read(|conn| Ok(sites::list(conn)?)).await
    }

    #[instrument(level = "debug", skip_all)]
    async fn sites_version(&self) -> Result<i64> {
        self.read(|conn| Ok(sites::version(conn)?)).await
    }

    #[instrument(level = "debug", skip_all, fields(hooks = hooks.len()))]
    async fn save_config_webhooks(&self, hooks: Vec<(String, NewWebhook)>, now: i64) -> Result<()> {
        self.write_unseen(move |tx| Ok(webhooks::replace_configured(tx, &hooks, now)?))
            .await
    }

    #[instrument(level = "debug", skip_all, fields(site = %site.id))]
    async fn save_site(&self, site: Site, by: Option<String>, now: i64) -> Result<()> {
        self.write(move |tx| {
            sites::upsert(tx, &site, now)?;
            if let Some(by) = by {
                audit::record(tx, now, &by, "site", None, Some(&site.id))?;
            }
            Ok(())
        })
        .await
    }

    #[instrument(level = "debug", skip_all, fields(sites = list.len()))]
    async fn save_sites(&self, list: Vec<Site>, now: i64) -> Result<()> {
        self.write(move |tx| Ok(list.iter().try_for_each(|s| sites::upsert(tx, s, now))?))
            .await
    }

    #[instrument(level = "debug", skip_all, fields(site = %site.id, after = after, limit = limit))]
    async fn thread_page(
        &self,
        site: Arc<Site>,
        uri: PageUri,
        sort: Sort,
        after: i64,
        limit: i64,
        now: i64,
    ) -> Result<ThreadPage> {
        self.read(move |conn| {
            Ok(thread_pages::thread_page(
                conn,
                &site,
                uri.as_str(),
                sort,
                after,
                limit,
                now,
            )?)
        })
        .await
    }

    #[instrument(level = "debug", skip_all, fields(site = %site, root = root, after = %after))]
    async fn thread_replies(
        &self,
        site: SiteId,
        uri: PageUri,
        root: i64,
        after: ReplyCursor,
        limit: usize,
    ) -> Result<Option<RepliesPage>> {
        self.read(move |conn| {
            Ok(thread_pages::replies(
                conn,
                site.as_str(),
                uri.as_str(),
                root,
                after,
                limit,
            )?)
        })
        .await
    }

    #[instrument(level = "debug", skip_all, fields(site = %site, pages = uris.len()))]
    async fn counts(&self, site: SiteId, uris: Vec<String>) -> Result<Vec<(String, i64)>> {
        self.read(move |conn| Ok(comments::counts(conn, site.as_str(), &uris)?))
            .await
    }

    #[instrument(level = "debug", skip_all, fields(site = %site))]
    async fn feed(&self, site: SiteId, uri: Option<PageUri>, limit: i64) -> Result<Vec<FeedEntry>> {
        self.read(move |conn| {
            Ok(feed::newest(
                conn,
                site.as_str(),
                uri.as_ref().map(PageUri::as_str),
                limit,
            )?)
        })
        .await
    }

    #[instrument(level = "debug", skip_all, fields(id = id))]
    async fn comment(&self, id: i64) -> Result<Option<Comment>> {
        self.read(move |conn| Ok(comments::get(conn, id)?)).await
    }

    #[instrument(level = "debug", skip_all, fields(id = id))]
    async fn comment_meta(&self, id: i64) -> Result<Option<CommentMeta>> {
        self.read(move |conn| Ok(comments::meta(conn, id)?)).await
    }

    #[instrument(level = "debug", skip_all, fields(site = %comment.site, parent = comment.parent))]
    async fn create_comment(
        &self,
        site: Arc<Site>,
        comment: NewComment,
        by: Commenter,
        guard: Guard,
        now: i64,
    ) -> Result<Created> {
        let mail = self.mail();
        self.write(move |tx| comments::create(tx, mail, &site, &comment, &by, &guard, now))
            .await
    }

    #[instrument(level = "debug", skip_all, fields(id = id))]
    async fn edit_comment(
        &self,
        id: i64,
        site: Arc<Site>,
        changes: Changes,
        editor: [String; 2],
        now: i64,
    ) -> Result<Option<Comment>> {
        let mail = self.mail();
        self.write(move |tx| comments::edit(tx, mail, id, &site, &changes, &editor, now))
            .await
    }

    #[instrument(level = "debug", skip_all, fields(site = %site, tokens = tokens.len()))]
    async fn spam_verdict(&self, site: SiteId, tokens: Vec<String>) -> Result<Verdict> {
        self.read(move |conn| {
            let (totals, counts) = spam::counts(conn, site.as_str(), &tokens)?;
            Ok(score_seeded(totals, &counts, &tokens))
        })
        .await
    }

    #[instrument(level = "debug", skip_all)]
    async fn retrain_spam(&self, site: Option<SiteId>) -> Result<usize> {
        self.write(move |tx| Ok(spam::retrain(tx, site.as_ref().map(SiteId::as_str))?))
            .await
    }

    #[instrument(level = "debug", skip_all, fields(id = id))]
    async fn set_title(&self, id: i64, title: Option<PageTitle>, by: String, now: i64) -> Result<()> {
        self.write(move |tx| {
            threads::set_title(tx, id, title.as_ref().map(PageTitle::as_str))?;
            audit::record(tx, now, &by, "title", Some(id), title.as_ref().map(PageTitle::as_str))?;
            Ok(())
        })
        .await
    }

    #[instrument(level = "debug", skip_all, fields(id = id))]
    async fn remove_comment(&self, id: i64) -> Result<()> {
        let now = crate::domain::time::now_ms();
        self.write(move |tx| Ok(comments::remove(tx, id, now)?)).await
    }

    #[instrument(level = "debug", skip_all, fields(id = id))]
    async fn vote(&self, id: i64, voter: [String; 2], vote: Vote, now: i64) -> Result<Option<Votes>> {
        self.write(move |tx| Ok(votes::vote(tx, id, &voter, vote, now)?)).await
    }

    #[instrument(level = "debug", skip_all)]
    async fn queue(&self, scope: Scope) -> Result<Vec<CommentRecord>> {
        self.read(move |conn| Ok(review::queue(conn, scope.as_deref())?)).await
    }

    #[instrument(level = "debug", skip_all)]
    async fn trash(&self, scope: Scope) -> Result<Vec<CommentRecord>> {
        self.read(move |conn| Ok(review::trash(conn, scope.as_deref())?)).await
    }

    #[instrument(level = "debug", skip_all, fields(offset = offset, limit = limit))]
    async fn browse(&self, scope: Scope, filter: Filter, offset: i64, limit: i64) -> Result<(Vec<CommentRecord>, i64)> {
        self.read(move |conn| Ok(review::browse(conn, scope.as_deref(), &filter, offset, limit)?))
            .await
    }

    #[instrument(level = "debug", skip_all, fields(ids = ids.len()))]
    async fn records(&self, ids: Vec<i64>) -> Result<Vec<CommentRecord>> {
        self.read(move |conn| Ok(review::records(conn, &ids)?)).await
    }

    #[instrument(level = "debug", skip_all, fields(moderator = by.id, action = action.as_str(), ids = ids.len()))]
    async fn moderate(&self, by: Moderator, action: Action, ids: Vec<i64>, now: i64) -> Result<usize> {
        let mail = self.mail();
        self.write(move |tx| Ok(review::moderate(tx, mail, &by, action, &ids, now)?))
            .await
    }

    #[instrument(level = "debug", skip_all, fields(id = id))]
    async fn pin(&self, by: Moderator, id: i64, pinned: bool, now: i64) -> Result<bool> {
        self.write(move |tx| pins::pin(tx, &by, id, pinned, now)).await
    }

    #[instrument(level = "debug", skip_all, fields(id = id))]
    async fn close_thread(&self, by: Moderator, id: i64, closed: bool, now: i64) -> Result<bool> {
        self.write(move |tx| pins::close(tx, &by, id, closed, now)).await
    }

    #[instrument(level = "debug", skip_all, fields(id = id))]
    async fn moderator_edit(&self, id: i64, edit: ModeratorEdit, by: String, now: i64) -> Result<()> {
        self.write(move |tx| Ok(review::edit(tx, id, &edit, &by, now)?)).await
    }

    #[instrument(level = "debug", skip_all, fields(ids = ids.len()))]
    async fn audit_for(&self, ids: Vec<i64>) -> Result<Vec<AuditEntry>> {
        self.read(move |conn| Ok(audit::of_comments(conn, &ids)?)).await
    }

    #[instrument(level = "debug", skip_all, fields(limit = limit))]
    async fn audit(&self, limit: i64) -> Result<Vec<AuditEntry>> {
        self.read(move |conn| Ok(audit::newest(conn, limit)?)).await
    }

    #[instrument(level = "debug", skip_all)]
    async fn bans(&self, scope: Scope, now: i64) -> Result<Vec<Ban>> {
        self.read(move |conn| Ok(bans::in_force(conn, scope.as_deref(), now)?))
            .await
    }

    #[instrument(level = "debug", skip_all)]
    async fn add_ban(&self, ban: NewBan, now: i64) -> Result<i64> {
        self.write(move |tx| {
            let id = bans::add(tx, &ban, now)?;
            audit::record(tx, now, &ban.created_by, "ban", None, Some(&format!("ban #{id}")))?;
            Ok(id)
        })
        .await
    }

    #[instrument(level = "debug", skip_all, fields(id = id))]
    async fn remove_ban(&self, id: i64, scope: Scope, by: String, now: i64) -> Result<bool> {
        self.write(move |tx| {
            let removed = bans::remove(tx, id, scope.as_deref())?;
            if removed {
                audit::record(tx, now, &by, "unban", None, Some(&format!("ban #{id}")))?;
            }
            Ok(removed)
        })
        .await
    }

    #[instrument(level = "debug", skip_all)]
    async fn moderator(&self, name: String) -> Result<Option<Moderator>> {
        self.read(move |conn| Ok(moderators::by_name(conn, &name)?)).await
    }

    #[instrument(level = "debug", skip_all)]
    async fn moderators(&self) -> Result<Vec<Moderator>> {
        self.read(|conn| Ok(moderators::list(conn)?)).await
    }

    #[instrument(level = "debug", skip_all)]
    async fn add_moderator(
        &self,
        name: String,
        password_hash: String,
        email: Option<String>,
        sites: Scope,
        now: i64,
    ) -> Result<bool> {
        self.write(move |tx| {
            Ok(moderators::add(
                tx,
                &name,
                &password_hash,
                email.as_deref(),
                sites.as_deref(),
                now,
            )?)
        })
        .await
    }

    #[instrument(level = "debug", skip_all)]
    async fn new_badge(&self, name: String) -> Result<bool> {
        self.write_unseen(move |tx| Ok(moderators::new_badge(tx, &name)?)).await
    }

    #[instrument(level = "debug", skip_all)]
    async fn set_moderator_email(&self, name: String, email: Option<String>) -> Result<bool> {
        self.write(move |tx| Ok(moderators::set_email(tx, &name, email.as_deref())?))
            .await
    }

    #[instrument(level = "debug", skip_all)]
    async fn remove_moderator(&self, name: String) -> Result<bool> {
        self.write(move |tx| Ok(moderators::remove(tx, &name)?)).await
    }

    #[instrument(level = "debug", skip_all)]
    async fn set_password(&self, name: String, password_hash: String) -> Result<bool> {
        self.write(move |tx| Ok(moderators::set_password(tx, &name, &password_hash)?))
            .await
    }

    #[instrument(level = "debug", skip_all, fields(moderator = moderator_id))]
    async fn create_session(&self, token_hash: String, moderator_id: i64, now: i64) -> Result<()> {
        self.write(move |tx| Ok(moderators::create_session(tx, &token_hash, moderator_id, now)?))
            .await
    }

    #[instrument(level = "debug", skip_all)]
    async fn session(&self, token_hash: String, now: i64) -> Result<Option<(Moderator, i64)>> {
        let born_after = now - SESSION_MAX.as_millis() as i64;
        self.read(move |conn| Ok(moderators::session(conn, &token_hash, born_after)?))
            .await
    }

    #[instrument(level = "debug", skip_all)]
    async fn touch_session(&self, token_hash: String, now: i64) -> Result<()> {
        self.write(move |tx| Ok(moderators::touch_session(tx, &token_hash, now)?))
            .await
    }

    #[instrument(level = "debug", skip_all)]
    async fn end_session(&self, token_hash: String) -> Result<()> {
        self.write(move |tx| Ok(moderators::end_session(tx, &token_hash)?))
            .await
    }

    #[instrument(level = "debug", skip_all, fields(site = %site, dry_run = dry_run))]
    async fn import(&self, site: SiteId, source: String, feed: Receiver<Feed>, dry_run: bool) -> Result<Report> {
        self.transaction(move |tx| import::import(tx, site.as_str(), &source, &feed), !dry_run)
            .await
    }

    #[instrument(level = "debug", skip_all, fields(site = %site.id))]
    async fn export_site(&self, site: Site, now: i64) -> Result<SiteExport> {
        self.read(move |conn| Ok(export::site(conn, &site, now)?)).await
    }

    #[instrument(level = "debug", skip_all)]
    async fn export(&self, email: String) -> Result<Export> {
        self.read(move |conn| Ok(privacy::export(conn, &email)?)).await
    }

    #[instrument(level = "debug", skip_all)]
    async fn erase(&self, email: String, by: String, now: i64) -> Result<usize> {
        self.write(move |tx| Ok(privacy::erase(tx, &email, now, &by)?)).await
    }

    fn set_channels(&self, mail: bool) {
        self.inner.mail.store(mail, Ordering::Relaxed);
    }

    fn mail_on(&self) -> bool {
        self.mail()
    }

    #[instrument(level = "debug", skip_all)]
    async fn claim_outbox(&self, now: i64, limit: usize) -> Result<Vec<OutboxItem>> {
        self.write_unseen(move |tx| Ok(deliveries::claim(tx, now, limit)?))
            .await
    }

    #[instrument(level = "debug", skip_all)]
    async fn release_claims(&self) -> Result<usize> {
        self.write_unseen(|tx| Ok(deliveries::release_claims(tx)?)).await
    }

    #[instrument(level = "debug", skip_all, fields(id = id))]
    async fn finish_outbox(&self, id: i64, attempt: Attempt, retries: Retries, now: i64) -> Result<()> {
        self.write_unseen(move |tx| Ok(deliveries::finish(tx, id, &attempt, retries, now)?))
            .await
    }

    #[instrument(level = "debug", skip_all)]
    async fn outbox_next_due(&self) -> Result<Option<i64>> {
        self.read(|conn| Ok(deliveries::next_due(conn)?)).await
    }

    #[instrument(level = "debug", skip_all)]
    async fn outbox(&self, scope: Scope, state: Option<DeliveryState>, limit: i64) -> Result<Vec<OutboxItem>> {
        self.read(move |conn| Ok(deliveries::list(conn, scope.as_deref(), state, limit)?))
            .await
    }

    #[instrument(level = "debug", skip_all, fields(ids = ids.len()))]
    async fn retry_outbox(&self, scope: Scope, ids: Vec<i64>, now: i64) -> Result<usize> {
        self.write_unseen(move |tx| Ok(deliveries::retry(tx, scope.as_deref(), &ids, now)?))
            .await
    }

    #[instrument(level = "debug", skip_all)]
    async fn queue_digests(&self, now: i64) -> Result<usize> {
        if !self.mail() {
            return Ok(0);
        }
        self.write_unseen(move |tx| Ok(digests::queue_digests(tx, now)?)).await
    }

    #[instrument(level = "debug", skip_all, fields(site = %site))]
    async fn webhooks(&self, site: SiteId) -> Result<Vec<Webhook>> {
        self.read(move |conn| Ok(webhooks::of_site(conn, site.as_str())?)).await
    }

    #[instrument(level = "debug", skip_all, fields(site = %site))]
    async fn add_webhook(&self, site: SiteId, hook: NewWebhook, by: String, now: i64) -> Result<i64> {
        self.write_unseen(move |tx| {
            let id = webhooks::add(tx, site.as_str(), &hook, false, now)?;
            audit::record(
                tx,
                now,
                &by,
                "webhook-add",
                None,
                Some(&format!("{} #{id}", site.as_str())),
            )?;
            Ok(id)
        })
        .await
    }

    #[instrument(level = "debug", skip_all, fields(site = %site, id = id))]
    async fn remove_webhook(&self, site: SiteId, id: i64, by: String, now: i64) -> Result<bool> {
        self.write_unseen(move |tx| {
            let removed = webhooks::remove(tx, site.as_str(), id)?;
            if removed {
                deliveries::fail_hook(tx, id, "the webhook was removed")?;
            }
            if removed {
                audit::record(
                    tx,
                    now,
                    &by,
                    "webhook-remove",
                    None,
                    Some(&format!("{} #{id}", site.as_str())),
                )?;
            }
            Ok(removed)
        })
        .await
    }

    #[instrument(level = "debug", skip_all, fields(site = %site, id = id))]
    async fn test_webhook(&self, site: SiteId, id: i64, now: i64) -> Result<bool> {
        self.write_unseen(move |tx| {
            let Some(hook) = webhooks::get(tx, site.as_str(), id)? else {
                return Ok(false);
            };
            let job = Job::Webhook {
                hook: hook.id,
                url: hook.url,
                event: Event::Test,
                body: webhook_body(Event::Test, None, now),
            };
            outbox::queue(tx, Some(site.as_str()), None, &job, now)?;
            Ok(true)
        })
        .await
    }

    #[instrument(level = "debug", skip_all, fields(id = id))]
    async fn subscription(&self, id: i64) -> Result<Option<Subscription>> {
        self.read(move |conn| Ok(subscriptions::get(conn, id)?)).await
    }

    #[instrument(level = "debug", skip_all, fields(id = id))]
    async fn confirm_subscription(&self, id: i64, created: i64, now: i64) -> Result<bool> {
        self.write_unseen(move |tx| Ok(subscriptions::confirm(tx, id, created, now)?))
            .await
    }

    #[instrument(level = "debug", skip_all, fields(id = id))]
    async fn unsubscribe(&self, id: i64, created: i64) -> Result<bool> {
        self.write_unseen(move |tx| Ok(subscriptions::unsubscribe(tx, id, created)?))
            .await
    }

    #[instrument(level = "debug", skip_all)]
    async fn moderate_by_link(&self, mac: String, link: MailLink, now: i64) -> Result<LinkOutcome> {
        let MailLink::Moderate {
            moderator,
            moderator_created,
            comment,
            comment_created,
            action,
            expires,
        } = link
        else {
            return Ok(LinkOutcome::Gone);
        };
        let mail = self.mail();
        self.write(move |tx| {
            let Some(by) = moderators::by_id(tx, moderator)?.filter(|m| m.created == moderator_created) else {
                return Ok(LinkOutcome::Gone);
            };
            match review::get(tx, comment)? {
                Some(c) if by.may(&c.site) && c.created == comment_created => {}
                _ => return Ok(LinkOutcome::Gone),
            }
            if !outbox::use_link(tx, &mac, expires)? {
                return Ok(LinkOutcome::Used);
            }
            let action = match action {
                LinkAction::Approve => Action::Approve,
                LinkAction::Spam => Action::Spam,
                LinkAction::Delete => Action::Delete,
            };
            let by = Moderator {
                name: format!("{} (mail)", by.name),
                ..by
            };
            review::moderate(tx, mail, &by, action, &[comment], now)?;
            Ok(LinkOutcome::Done)
        })
        .await
    }

    // Live updates.

    #[instrument(level = "debug", skip_all, fields(site = %site, after = after, limit = limit))]
    async fn events_after(&self, site: SiteId, uri: PageUri, after: i64, limit: i64) -> Result<Vec<ThreadEvent>> {
        self.read(move |conn| Ok(events::after(conn, site.as_str(), uri.as_str(), after, limit)?))
            .await
    }

    #[instrument(level = "debug", skip_all, fields(site = %site))]
    async fn last_event_id(&self, site: SiteId, uri: PageUri) -> Result<i64> {
        self.read(move |conn| Ok(events::last_id(conn, site.as_str(), uri.as_str())?))
            .await
    }

    fn page_changes(&self, site: &str, uri: &str) -> tokio::sync::watch::Receiver<u64> {
        self.inner.scopes.page_changes(site, uri)
    }

    async fn count_rows(&self, table: &'static str) -> Result<i64> {
        self.read(move |conn| super::copy::count(conn, table)).await
    }

    async fn read_rows(&self, table: &'static str, after: i64, limit: i64) -> Result<crate::store::copy::Rows> {
        self.read(move |conn| super::copy::read(conn, table, after, limit))
            .await
    }

    async fn write_rows(&self, table: &'static str, rows: crate::store::copy::Rows, first: bool) -> Result<()> {
        self.transaction(move |tx| super::copy::write(tx, table, &rows, first), true)
            .await
    }

    async fn copied(&self) -> Result<()> {
        Ok(())
    }
}
