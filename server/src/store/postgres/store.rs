//! [`Store`] for PostgreSQL: each use case as one read, or one write transaction under the write lock
//! ([`super::writing!`]), over the query functions of the sibling modules. It follows `sqlite/store.rs`
//! method for method.
//! Size: the one `impl Store` (a trait's impl is one block in Rust), as in `sqlite/store.rs`; each method
//! is a few lines that call the aggregate modules, where the SQL is.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::Receiver;

use async_trait::async_trait;
use tracing::instrument;

use super::{
    PgStore, audit, bans, comments, deliveries, digests, events, export, feed, guards, import, moderators, outbox,
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
use crate::store::{Batches, Connections, LinkOutcome, Result, Scope, Store, StoreError, Totals, Upkeep};

use super::{reading, writing};

#[async_trait]
impl Store for PgStore {
    fn thread_generation(&self, site: &str, uri: &str) -> u64 {
        self.inner.scopes.page(site, uri)
    }

    fn site_generation(&self, site: &str) -> u64 {
        self.inner.scopes.site(site)
    }

    async fn caught_up(&self) {
        self.inner.listener.caught_up().await;
    }

    #[instrument(level = "debug", skip_all)]
    async fn ping(&self) -> Result<()> {
        reading!(self, |c| super::one(c, "SELECT 1", &[]).await.map(|_| ()))
    }

    fn connections(&self) -> Connections {
        let status = self.inner.pool.status();
        Connections {
            open: status.size as i64,
            busy: (status.size as i64 - status.available as i64).max(0),
            max: status.max_size as i64,
        }
    }

    fn batches(&self) -> Batches {
        self.inner.batches.read()
    }

    #[instrument(level = "debug", skip_all)]
    async fn outbox_depth(&self) -> Result<i64> {
        reading!(self, |c| Ok(super::one(
            c,
            "SELECT count(*) FROM outbox WHERE state IN ('queued', 'retrying')",
            &[]
        )
        .await?
        .get(0)))
    }

    #[instrument(level = "debug", skip_all)]
    async fn ready(&self) -> Result<bool> {
        reading!(self, |c| Ok(super::applied(c).await? == super::MIGRATIONS.len() as i64))
    }

    #[instrument(level = "debug", skip_all)]
    async fn totals(&self) -> Result<Totals> {
        reading!(self, |c| super::totals(c).await)
    }

    #[instrument(level = "debug", skip_all)]
    async fn check(&self) -> Result<()> {
        // PostgreSQL checks its pages itself (and `pg_amcheck` does more); riposte checks what it relies
        // on: every migration applied and every comment in a thread of an existing site.
        reading!(self, |c| {
            if super::applied(c).await? != super::MIGRATIONS.len() as i64 {
                return Err(anyhow::anyhow!("the database's migrations are not this build's").into());
            }
            let orphans: i64 = super::one(
                c,
                "SELECT count(*) FROM comments c LEFT JOIN threads t ON t.id = c.thread_id
                 LEFT JOIN sites s ON s.id = t.site_id WHERE s.id IS NULL",
                &[],
            )
            .await?
            .get(0);
            match orphans {
                0 => Ok(()),
                n => Err(anyhow::anyhow!("{n} comments belong to no thread of a site").into()),
            }
        })
    }

    #[instrument(level = "debug", skip_all)]
    async fn backup(&self, _target: PathBuf) -> Result<()> {
        Err(anyhow::anyhow!(
            "riposte backup copies a SQLite file; back up PostgreSQL with pg_dump (or riposte migrate-db --to FILE)"
        )
        .into())
    }

    #[instrument(level = "debug", skip_all)]
    async fn secret(&self, generate: fn() -> String) -> Result<String> {
        writing!(self, |tx| match settings::get(tx, "secret").await? {
            Some(s) => Ok(s),
            None => {
                let s = generate();
                settings::set(tx, "secret", &s).await?;
                Ok(s)
            }
        })
    }

    #[instrument(level = "debug", skip_all)]
    async fn upkeep(&self, now: i64) -> Result<Upkeep> {
        writing!(self, |tx| {
            Ok(Upkeep {
                purged_comments: review::purge(tx, now - TRASH_KEEP_MS, now).await?,
                ended_sessions: moderators::purge_sessions(
                    tx,
                    now - SESSION_IDLE.as_millis() as i64,
                    now - SESSION_MAX.as_millis() as i64,
                )
                .await?,
                forgotten_ip_hashes: review::forget_ip_hashes(tx, now - IP_HASH_KEEP_MS).await?,
                forgotten_ip_keys: settings::forget_ip_keys(tx, ip_period(now)).await?,
                forgotten_guards: guards::forget(tx, now).await?,
                forgotten_messages: outbox::forget(tx, now).await?,
                forgotten_events: events::prune(tx, now - EVENTS_KEEP_MS).await?,
            })
        })
    }

    #[instrument(level = "debug", skip_all, fields(period = period))]
    async fn ip_keys(&self, period: i64) -> Result<[Vec<u8>; 2]> {
        writing!(self, |tx| settings::ip_keys(tx, period).await)
    }

    #[instrument(level = "debug", skip_all)]
    async fn sites(&self) -> Result<Vec<Site>> {
        reading!(self, |conn| sites::list(conn).await)
    }

    #[instrument(level = "debug", skip_all)]
    async fn sites_version(&self) -> Result<i64> {
        reading!(self, |conn| sites::version(conn).await)
    }

    #[instrument(level = "debug", skip_all, fields(hooks = hooks.len()))]
    async fn save_config_webhooks(&self, hooks: Vec<(String, NewWebhook)>, now: i64) -> Result<()> {
        writing!(unseen: self, |tx| webhooks::replace_configured(tx, &hooks, now).await)
    }

    #[instrument(level = "debug", skip_all, fields(site = %site.id))]
    async fn save_site(&self, site: Site, by: Option<String>, now: i64) -> Result<()> {
        writing!(self, |tx| {
            sites::upsert(tx, &site, now).await?;
            if let Some(by) = by {
                audit::record(tx, now, &by, "site", None, Some(&site.id)).await?;
            }
            Ok(())
        })
    }

    #[instrument(level = "debug", skip_all, fields(sites = list.len()))]
    async fn save_sites(&self, list: Vec<Site>, now: i64) -> Result<()> {
        writing!(self, |tx| {
            for s in &list {
                sites::upsert(tx, s, now).await?;
            }
            Ok(())
        })
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
        reading!(self, |conn| {
            thread_pages::thread_page(conn, &site, uri.as_str(), sort, after, limit, now).await
        })
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
        reading!(self, |conn| {
            thread_pages::replies(conn, site.as_str(), uri.as_str(), root, after, limit).await
        })
    }

    #[instrument(level = "debug", skip_all, fields(site = %site, pages = uris.len()))]
    async fn counts(&self, site: SiteId, uris: Vec<String>) -> Result<Vec<(String, i64)>> {
        reading!(self, |conn| comments::counts(conn, site.as_str(), &uris).await)
    }

    #[instrument(level = "debug", skip_all, fields(site = %site))]
    async fn feed(&self, site: SiteId, uri: Option<PageUri>, limit: i64) -> Result<Vec<FeedEntry>> {
        reading!(self, |conn| {
            feed::newest(conn, site.as_str(), uri.as_ref().map(PageUri::as_str), limit).await
        })
    }

    #[instrument(level = "debug", skip_all, fields(id = id))]
    async fn comment(&self, id: i64) -> Result<Option<Comment>> {
        reading!(self, |conn| comments::get(conn, id).await)
    }

    #[instrument(level = "debug", skip_all, fields(id = id))]
    async fn comment_meta(&self, id: i64) -> Result<Option<CommentMeta>> {
        reading!(self, |conn| comments::meta(conn, id).await)
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
        let (answer, created) = tokio::sync::oneshot::channel();
        let post = super::posting::Post {
            site,
            comment,
            by,
            guard,
            now,
            mail: self.mail(),
            answer,
        };
        let stopped = || StoreError::Failed(anyhow::anyhow!("the posting task stopped"));
        self.inner.posts.send(post).await.map_err(|_| stopped())?;
        created.await.map_err(|_| stopped())?
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
        writing!(self, |tx| comments::edit(tx, mail, id, &site, &changes, &editor, now)
            .await)
    }

    #[instrument(level = "debug", skip_all, fields(site = %site, tokens = tokens.len()))]
    async fn spam_verdict(&self, site: SiteId, tokens: Vec<String>) -> Result<Verdict> {
        reading!(self, |conn| {
            let (totals, counts) = spam::counts(conn, site.as_str(), &tokens).await?;
            Ok(score_seeded(totals, &counts, &tokens))
        })
    }

    #[instrument(level = "debug", skip_all)]
    async fn retrain_spam(&self, site: Option<SiteId>) -> Result<usize> {
        writing!(self, |tx| spam::retrain(tx, site.as_ref().map(SiteId::as_str)).await)
    }

    #[instrument(level = "debug", skip_all, fields(id = id))]
    async fn set_title(&self, id: i64, title: Option<PageTitle>, by: String, now: i64) -> Result<()> {
        writing!(self, |tx| {
            threads::set_title(tx, id, title.as_ref().map(PageTitle::as_str)).await?;
            audit::record(tx, now, &by, "title", Some(id), title.as_ref().map(PageTitle::as_str)).await?;
            Ok(())
        })
    }

    #[instrument(level = "debug", skip_all, fields(id = id))]
    async fn remove_comment(&self, id: i64) -> Result<()> {
        let now = crate::domain::time::now_ms();
        writing!(self, |tx| comments::remove(tx, id, now).await)
    }

    #[instrument(level = "debug", skip_all, fields(id = id))]
    async fn vote(&self, id: i64, voter: [String; 2], vote: Vote, now: i64) -> Result<Option<Votes>> {
        writing!(self, |tx| votes::vote(tx, id, &voter, vote, now).await)
    }

    #[instrument(level = "debug", skip_all)]
    async fn queue(&self, scope: Scope) -> Result<Vec<CommentRecord>> {
        reading!(self, |conn| review::queue(conn, scope.as_deref()).await)
    }

    #[instrument(level = "debug", skip_all)]
    async fn trash(&self, scope: Scope) -> Result<Vec<CommentRecord>> {
        reading!(self, |conn| review::trash(conn, scope.as_deref()).await)
    }

    #[instrument(level = "debug", skip_all, fields(offset = offset, limit = limit))]
    async fn browse(&self, scope: Scope, filter: Filter, offset: i64, limit: i64) -> Result<(Vec<CommentRecord>, i64)> {
        reading!(self, |conn| review::browse(
            conn,
            scope.as_deref(),
            &filter,
            offset,
            limit
        )
        .await)
    }

    #[instrument(level = "debug", skip_all, fields(ids = ids.len()))]
    async fn records(&self, ids: Vec<i64>) -> Result<Vec<CommentRecord>> {
        reading!(self, |conn| review::records(conn, &ids).await)
    }

    #[instrument(level = "debug", skip_all, fields(moderator = by.id, action = action.as_str(), ids = ids.len()))]
    async fn moderate(&self, by: Moderator, action: Action, ids: Vec<i64>, now: i64) -> Result<usize> {
        let mail = self.mail();
        writing!(self, |tx| review::moderate(tx, mail, &by, action, &ids, now).await)
    }

    #[instrument(level = "debug", skip_all, fields(id = id))]
    async fn pin(&self, by: Moderator, id: i64, pinned: bool, now: i64) -> Result<bool> {
        writing!(self, |tx| pins::pin(tx, &by, id, pinned, now).await)
    }

    #[instrument(level = "debug", skip_all, fields(id = id))]
    async fn close_thread(&self, by: Moderator, id: i64, closed: bool, now: i64) -> Result<bool> {
        writing!(self, |tx| pins::close(tx, &by, id, closed, now).await)
    }

    #[instrument(level = "debug", skip_all, fields(id = id))]
    async fn moderator_edit(&self, id: i64, edit: ModeratorEdit, by: String, now: i64) -> Result<()> {
        writing!(self, |tx| review::edit(tx, id, &edit, &by, now).await)
    }

    #[instrument(level = "debug", skip_all, fields(ids = ids.len()))]
    async fn audit_for(&self, ids: Vec<i64>) -> Result<Vec<AuditEntry>> {
        reading!(self, |conn| audit::of_comments(conn, &ids).await)
    }

    #[instrument(level = "debug", skip_all, fields(limit = limit))]
    async fn audit(&self, limit: i64) -> Result<Vec<AuditEntry>> {
        reading!(self, |conn| audit::newest(conn, limit).await)
    }

    #[instrument(level = "debug", skip_all)]
    async fn bans(&self, scope: Scope, now: i64) -> Result<Vec<Ban>> {
        reading!(self, |conn| bans::in_force(conn, scope.as_deref(), now).await)
    }

    #[instrument(level = "debug", skip_all)]
    async fn add_ban(&self, ban: NewBan, now: i64) -> Result<i64> {
        writing!(self, |tx| {
            let id = bans::add(tx, &ban, now).await?;
            audit::record(tx, now, &ban.created_by, "ban", None, Some(&format!("ban #{id}"))).await?;
            Ok(id)
        })
    }

    #[instrument(level = "debug", skip_all, fields(id = id))]
    async fn remove_ban(&self, id: i64, scope: Scope, by: String, now: i64) -> Result<bool> {
        writing!(self, |tx| {
            let removed = bans::remove(tx, id, scope.as_deref()).await?;
            if removed {
                audit::record(tx, now, &by, "unban", None, Some(&format!("ban #{id}"))).await?;
            }
            Ok(removed)
        })
    }

    #[instrument(level = "debug", skip_all)]
    async fn moderator(&self, name: String) -> Result<Option<Moderator>> {
        reading!(self, |conn| moderators::by_name(conn, &name).await)
    }

    #[instrument(level = "debug", skip_all)]
    async fn moderators(&self) -> Result<Vec<Moderator>> {
        reading!(self, |conn| moderators::list(conn).await)
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
        writing!(self, |tx| {
            moderators::add(tx, &name, &password_hash, email.as_deref(), sites.as_deref(), now).await
        })
    }

    #[instrument(level = "debug", skip_all)]
    async fn new_badge(&self, name: String) -> Result<bool> {
        writing!(unseen: self, |tx| moderators::new_badge(tx, &name).await)
    }

    #[instrument(level = "debug", skip_all)]
    async fn set_moderator_email(&self, name: String, email: Option<String>) -> Result<bool> {
        writing!(self, |tx| moderators::set_email(tx, &name, email.as_deref()).await)
    }

    #[instrument(level = "debug", skip_all)]
    async fn remove_moderator(&self, name: String) -> Result<bool> {
        writing!(self, |tx| moderators::remove(tx, &name).await)
    }

    #[instrument(level = "debug", skip_all)]
    async fn set_password(&self, name: String, password_hash: String) -> Result<bool> {
        writing!(self, |tx| moderators::set_password(tx, &name, &password_hash).await)
    }

    #[instrument(level = "debug", skip_all, fields(moderator = moderator_id))]
    async fn create_session(&self, token_hash: String, moderator_id: i64, now: i64) -> Result<()> {
        writing!(self, |tx| moderators::create_session(
            tx,
            &token_hash,
            moderator_id,
            now
        )
        .await)
    }

    #[instrument(level = "debug", skip_all)]
    async fn session(&self, token_hash: String, now: i64) -> Result<Option<(Moderator, i64)>> {
        let born_after = now - SESSION_MAX.as_millis() as i64;
        reading!(self, |conn| moderators::session(conn, &token_hash, born_after).await)
    }

    #[instrument(level = "debug", skip_all)]
    async fn touch_session(&self, token_hash: String, now: i64) -> Result<()> {
        writing!(self, |tx| moderators::touch_session(tx, &token_hash, now).await)
    }

    #[instrument(level = "debug", skip_all)]
    async fn end_session(&self, token_hash: String) -> Result<()> {
        writing!(self, |tx| moderators::end_session(tx, &token_hash).await)
    }

    #[instrument(level = "debug", skip_all, fields(site = %site, dry_run = dry_run))]
    async fn import(&self, site: SiteId, source: String, source_feed: Receiver<Feed>, dry_run: bool) -> Result<Report> {
        // The parser sends on a std channel from its thread: relayed to an async one off the workers.
        let (relay, mut feed) = tokio::sync::mpsc::channel(4);
        tokio::task::spawn_blocking(move || {
            while let Ok(item) = source_feed.recv() {
                if relay.blocking_send(item).is_err() {
                    return;
                }
            }
        });
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.batch_execute(super::LOCK_WRITES).await?;
        let report = import::import(&tx, site.as_str(), &source, &mut feed).await?;
        if dry_run {
            tx.rollback().await?;
            return Ok(report);
        }
        self.commit(tx, true).await?;
        Ok(report)
    }

    #[instrument(level = "debug", skip_all, fields(site = %site.id))]
    async fn export_site(&self, site: Site, now: i64) -> Result<SiteExport> {
        reading!(self, |conn| export::site(conn, &site, now).await)
    }

    #[instrument(level = "debug", skip_all)]
    async fn export(&self, email: String) -> Result<Export> {
        reading!(self, |conn| privacy::export(conn, &email).await)
    }

    #[instrument(level = "debug", skip_all)]
    async fn erase(&self, email: String, by: String, now: i64) -> Result<usize> {
        writing!(self, |tx| privacy::erase(tx, &email, now, &by).await)
    }

    fn set_channels(&self, mail: bool) {
        self.inner.mail.store(mail, Ordering::Relaxed);
    }

    fn mail_on(&self) -> bool {
        self.mail()
    }

    #[instrument(level = "debug", skip_all)]
    async fn claim_outbox(&self, now: i64, limit: usize) -> Result<Vec<OutboxItem>> {
        writing!(unseen: self, |tx| deliveries::claim(tx, now, limit).await)
    }

    #[instrument(level = "debug", skip_all)]
    async fn release_claims(&self) -> Result<usize> {
        writing!(unseen: self, |tx| deliveries::release_claims(tx).await)
    }

    #[instrument(level = "debug", skip_all, fields(id = id))]
    async fn finish_outbox(&self, id: i64, attempt: Attempt, retries: Retries, now: i64) -> Result<()> {
        writing!(unseen: self, |tx| deliveries::finish(tx, id, &attempt, retries, now).await)
    }

    #[instrument(level = "debug", skip_all)]
    async fn outbox_next_due(&self) -> Result<Option<i64>> {
        reading!(self, |conn| deliveries::next_due(conn).await)
    }

    #[instrument(level = "debug", skip_all)]
    async fn outbox(&self, scope: Scope, state: Option<DeliveryState>, limit: i64) -> Result<Vec<OutboxItem>> {
        reading!(self, |conn| deliveries::list(conn, scope.as_deref(), state, limit)
            .await)
    }

    #[instrument(level = "debug", skip_all, fields(ids = ids.len()))]
    async fn retry_outbox(&self, scope: Scope, ids: Vec<i64>, now: i64) -> Result<usize> {
        writing!(unseen: self, |tx| deliveries::retry(tx, scope.as_deref(), &ids, now).await)
    }

    #[instrument(level = "debug", skip_all)]
    async fn queue_digests(&self, now: i64) -> Result<usize> {
        if !self.mail() {
            return Ok(0);
        }
        writing!(unseen: self, |tx| digests::queue_digests(tx, now).await)
    }

    #[instrument(level = "debug", skip_all, fields(site = %site))]
    async fn webhooks(&self, site: SiteId) -> Result<Vec<Webhook>> {
        reading!(self, |conn| webhooks::of_site(conn, site.as_str()).await)
    }

    #[instrument(level = "debug", skip_all, fields(site = %site))]
    async fn add_webhook(&self, site: SiteId, hook: NewWebhook, by: String, now: i64) -> Result<i64> {
        writing!(unseen: self, |tx| {
            let id = webhooks::add(tx, site.as_str(), &hook, false, now).await?;
            audit::record(
                tx,
                now,
                &by,
                "webhook-add",
                None,
                Some(&format!("{} #{id}", site.as_str())),
            ).await?;
            Ok(id)
        })
    }

    #[instrument(level = "debug", skip_all, fields(site = %site, id = id))]
    async fn remove_webhook(&self, site: SiteId, id: i64, by: String, now: i64) -> Result<bool> {
        writing!(unseen: self, |tx| {
            let removed = webhooks::remove(tx, site.as_str(), id).await?;
            if removed {
                deliveries::fail_hook(tx, id, "the webhook was removed").await?;
            }
            if removed {
                audit::record(
                    tx,
                    now,
                    &by,
                    "webhook-remove",
                    None,
                    Some(&format!("{} #{id}", site.as_str())),
                ).await?;
            }
            Ok(removed)
        })
    }

    #[instrument(level = "debug", skip_all, fields(site = %site, id = id))]
    async fn test_webhook(&self, site: SiteId, id: i64, now: i64) -> Result<bool> {
        writing!(unseen: self, |tx| {
            let Some(hook) = webhooks::get(tx, site.as_str(), id).await? else {
                return Ok(false);
            };
            let job = Job::Webhook {
                hook: hook.id,
                url: hook.url,
                event: Event::Test,
                body: webhook_body(Event::Test, None, now),
            };
            outbox::queue(tx, Some(site.as_str()), None, &job, now).await?;
            Ok(true)
        })
    }

    #[instrument(level = "debug", skip_all, fields(id = id))]
    async fn subscription(&self, id: i64) -> Result<Option<Subscription>> {
        reading!(self, |conn| subscriptions::get(conn, id).await)
    }

    #[instrument(level = "debug", skip_all, fields(id = id))]
    async fn confirm_subscription(&self, id: i64, created: i64, now: i64) -> Result<bool> {
        writing!(unseen: self, |tx| subscriptions::confirm(tx, id, created, now).await)
    }

    #[instrument(level = "debug", skip_all, fields(id = id))]
    async fn unsubscribe(&self, id: i64, created: i64) -> Result<bool> {
        writing!(unseen: self, |tx| subscriptions::unsubscribe(tx, id, created).await)
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
        writing!(self, |tx| {
            let Some(by) = moderators::by_id(tx, moderator)
                .await?
                .filter(|m| m.created == moderator_created)
            else {
                return Ok(LinkOutcome::Gone);
            };
            match review::get(tx, comment).await? {
                Some(c) if by.may(&c.site) && c.created == comment_created => {}
                _ => return Ok(LinkOutcome::Gone),
            }
            if !outbox::use_link(tx, &mac, expires).await? {
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
            review::moderate(tx, mail, &by, action, &[comment], now).await?;
            Ok(LinkOutcome::Done)
        })
    }

    // Live updates.

    #[instrument(level = "debug", skip_all, fields(site = %site, after = after, limit = limit))]
    async fn events_after(&self, site: SiteId, uri: PageUri, after: i64, limit: i64) -> Result<Vec<ThreadEvent>> {
        reading!(self, |conn| events::after(
            conn,
            site.as_str(),
            uri.as_str(),
            after,
            limit
        )
        .await)
    }

    #[instrument(level = "debug", skip_all, fields(site = %site))]
    async fn last_event_id(&self, site: SiteId, uri: PageUri) -> Result<i64> {
        reading!(self, |conn| events::last_id(conn, site.as_str(), uri.as_str()).await)
    }

    fn page_changes(&self, site: &str, uri: &str) -> tokio::sync::watch::Receiver<u64> {
        self.inner.scopes.page_changes(site, uri)
    }

    async fn count_rows(&self, table: &'static str) -> Result<i64> {
        reading!(self, |c| super::copy::count(c, table).await)
    }

    async fn read_rows(&self, table: &'static str, after: i64, limit: i64) -> Result<crate::store::copy::Rows> {
        reading!(self, |c| super::copy::read(c, table, after, limit).await)
    }

    async fn write_rows(&self, table: &'static str, rows: crate::store::copy::Rows, first: bool) -> Result<()> {
        writing!(self, |tx| super::copy::write(tx, table, &rows, first).await)
    }

    async fn copied(&self) -> Result<()> {
        writing!(self, |tx| super::copy::copied(tx).await)
    }
}
