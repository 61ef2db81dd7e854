//! The notify worker: takes due messages from the store's outbox, delivers each (a mail through
//! [`mail::Mailer`], a webhook POST through [`webhook::Sender`]) and records how it went; queues the
//! moderators' digests when they are due. No request ever waits on it: a change only writes to the
//! outbox, in its own transaction, and the worker finds the message there, also after a restart.

pub mod mail;
pub mod webhook;

use std::sync::Arc;
use std::time::Duration;

use crate::config::Config;
use crate::domain::notify::{
    Attempt, CommentSnapshot, Job, LINK_VALID_MS, LinkAction, MailLink, OutboxItem, Recipient, Retries,
};
use crate::domain::time::now_ms;
use crate::keys::Keys;
use crate::store::Store;

/// How often the worker looks for due messages (one indexed read when nothing is due).
pub const POLL: Duration = Duration::from_millis(500);
/// How often it looks for due digests.
pub const DIGEST_CHECK: Duration = Duration::from_secs(60);
/// Messages delivered at once, at most.
const BATCH: usize = 16;

/// The links a mail carries, all under `public_url`, each signed by the server.
#[derive(Clone)]
pub struct Links {
    public_url: Arc<str>,
    keys: Arc<Keys>,
}

impl Links {
    pub fn new(public_url: Arc<str>, keys: Arc<Keys>) -> Self {
        Self { public_url, keys }
    }

    /// The confirmation page of moderator `to`'s action on `comment`, valid for [`LINK_VALID_MS`] from
    /// `now`.
    pub fn moderate(&self, to: &Recipient, comment: &CommentSnapshot, action: LinkAction, now: i64) -> String {
        let token = self.keys.link_token(&MailLink::Moderate {
            moderator: to.moderator_id,
            moderator_created: to.created,
            comment: comment.id,
            comment_created: comment.created,
            action,
            expires: now + LINK_VALID_MS,
        });
        format!("{}/admin/mail/{token}", self.public_url)
    }

    /// The page that confirms a subscription (double opt-in).
    pub fn confirm(&self, subscription: i64, created: i64) -> String {
        let token = self.keys.link_token(&MailLink::Confirm { subscription, created });
        format!("{}/notify/confirm/{token}", self.public_url)
    }

    /// The unsubscribe page, which is also the RFC 8058 one-click POST target.
    pub fn unsubscribe(&self, subscription: i64, created: i64) -> String {
        let token = self.keys.link_token(&MailLink::Unsubscribe { subscription, created });
        format!("{}/notify/unsubscribe/{token}", self.public_url)
    }

    /// A comment in the admin UI.
    pub fn admin_comment(&self, comment: i64) -> String {
        format!("{}/admin/comments/{comment}", self.public_url)
    }

    /// The admin UI's queue.
    pub fn queue(&self) -> String {
        format!("{}/admin", self.public_url)
    }
}

/// Delivers the outbox of one store.
pub struct Worker {
    store: Arc<dyn Store>,
    mailer: Option<mail::Mailer>,
    hooks: webhook::Sender,
    links: Links,
    retries: Retries,
}

impl Worker {
    pub fn new(config: &Config, store: Arc<dyn Store>, links: Links) -> anyhow::Result<Self> {
        Ok(Self {
            mailer: config.smtp.as_ref().map(mail::Mailer::new).transpose()?,
            hooks: webhook::Sender::new(config.webhooks_allow_private)?,
            retries: config.outbox.retries(),
            store,
            links,
        })
    }

    /// Runs until the process ends: delivers what is due, sleeping [`POLL`] between looks, and queues
    /// digests every [`DIGEST_CHECK`].
    pub async fn run(self) {
        let worker = Arc::new(self);
        match worker.store.release_claims().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                messages = n,
                "notify worker: delivering what a stopped process had claimed"
            ),
            Err(e) => tracing::error!(error = %e, "notify worker: claims could not be released"),
        }
        let mut digests_checked: Option<std::time::Instant> = None;
        loop {
            if digests_checked.is_none_or(|t| t.elapsed() >= DIGEST_CHECK) {
                digests_checked = Some(std::time::Instant::now());
                if let Err(e) = worker.store.queue_digests(now_ms()).await {
                    tracing::error!(error = %e, "notify worker: digests could not be queued");
                }
            }
            let due = match worker.store.outbox_next_due().await {
                Ok(due) => due.is_some_and(|at| at <= now_ms()),
                Err(e) => {
                    tracing::error!(error = %e, "notify worker: the outbox could not be read");
                    false
                }
            };
            if due {
                if let Err(e) = worker.clone().deliver_due().await {
                    tracing::error!(error = %e, "notify worker: the outbox could not be read");
                }
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// One full look, as tests drive it: queues the digests due at `now`, then delivers what is due.
    /// Returns how many messages it tried.
    pub async fn round(self: Arc<Self>, now: i64) -> anyhow::Result<usize> {
        self.store.queue_digests(now).await?;
        self.deliver_due().await
    }

    /// Claims and delivers what is due, concurrently, until nothing is; returns how many it tried.
    async fn deliver_due(self: Arc<Self>) -> anyhow::Result<usize> {
        let mut tried = 0;
        loop {
            let due = self.store.claim_outbox(now_ms(), BATCH).await?;
            if due.is_empty() {
                return Ok(tried);
            }
            tried += due.len();
            let mut tasks = tokio::task::JoinSet::new();
            for item in due {
                let worker = self.clone();
                tasks.spawn(async move { worker.deliver(item).await });
            }
            while let Some(done) = tasks.join_next().await {
                if let Err(e) = done {
                    tracing::error!(error = %e, "notify worker: a delivery task failed");
                }
            }
        }
    }

    async fn deliver(&self, item: OutboxItem) {
        let attempt = self.attempt(&item).await;
        match &attempt {
            Attempt::Sent => tracing::info!(id = item.id, kind = item.job.channel().as_str(), "notification sent"),
            Attempt::Retry(e) | Attempt::Failed(e) | Attempt::Refused(e) => {
                // A mail server's answer often names the recipient: the log gets it without addresses (the
                // admin UI's outbox page shows the whole answer).
                let error = without_addresses(e);
                tracing::warn!(
                    id = item.id,
                    kind = item.job.channel().as_str(),
                    error,
                    "notification not sent"
                )
            }
        }
        if let Err(e) = self.store.finish_outbox(item.id, attempt, self.retries, now_ms()).await {
            // The claim runs out and another round tries again: a message is sent at least once.
            tracing::error!(id = item.id, error = %e, "notify worker: could not record a delivery");
        }
    }

    async fn attempt(&self, item: &OutboxItem) -> Attempt {
        match &item.job {
            Job::Webhook { hook, url, body, .. } => {
                let Some(site) = item.site.as_deref().and_then(|s| crate::domain::SiteId::parse(s).ok()) else {
                    return Attempt::Failed("the webhook's site is gone".into());
                };
                let secret = match self.store.webhooks(site).await {
                    Ok(hooks) => match hooks.into_iter().find(|h| h.id == *hook) {
                        Some(h) if h.disabled.is_some() => {
                            return Attempt::Failed("the webhook is disabled (it answered 410 Gone)".into());
                        }
                        // Hook ids can be reused: an event for a removed hook must not go out under the
                        // secret of another.
                        Some(h) if h.url != *url => {
                            return Attempt::Failed("the webhook was removed (its id now names another)".into());
                        }
                        Some(h) => h.secret,
                        None => return Attempt::Failed("the webhook was removed".into()),
                    },
                    Err(e) => return Attempt::Retry(format!("the webhook could not be read: {e}")),
                };
                self.hooks.send(url, &secret, body).await
            }
            job => match &self.mailer {
                Some(m) => m.send(job, &self.links).await,
                None => Attempt::Failed("mail is off (no [smtp] in the configuration)".into()),
            },
        }
    }
}

/// `e` with every word that holds an `@` replaced by `<address>`.
fn without_addresses(e: &str) -> String {
    e.split(' ')
        .map(|w| if w.contains('@') { "<address>" } else { w })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Starts the worker on the runtime; messages queued before a restart go out now.
pub fn spawn(config: &Config, store: Arc<dyn Store>, links: Links) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let worker = Worker::new(config, store, links)?;
    Ok(tokio::spawn(worker.run()))
}
