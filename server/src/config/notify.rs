//! The notification settings: the SMTP server, the outbox's retries, and sites' webhooks.

use std::fmt;
use std::path::PathBuf;

use serde::Deserialize;

use crate::domain::notify::{Event, NewWebhook, Retries};

/// How the SMTP connection is secured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a mail server on the same machine or network.
    None,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    /// Default: 587 for starttls, 465 for tls, 25 for none.
    pub port: Option<u16>,
    pub username: Option<String>,
    /// Also from `RIPOSTE_SMTP_PASSWORD`, or read from `password_file`.
    pub password: Option<String>,
    pub password_file: Option<PathBuf>,
    /// The sender, `riposte@example.com` or `Blog comments <riposte@example.com>`.
    pub from: String,
    #[serde(default)]
    pub security: SmtpSecurity,
}

impl SmtpConfig {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            SmtpSecurity::Starttls => 587,
            SmtpSecurity::Tls => 465,
            SmtpSecurity::None => 25,
        })
    }
}

// The password never reaches a log line.
impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("password_file", &self.password_file)
            .field("from", &self.from)
            .field("security", &self.security)
            .finish()
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutboxConfig {
    /// Seconds before the first retry of a failed delivery; each later wait doubles (at most an hour).
    pub first_retry_seconds: f64,
    /// Hours after which a message that still fails is given up (marked failed).
    pub give_up_hours: f64,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        Self {
            first_retry_seconds: 30.0,
            give_up_hours: 24.0,
        }
    }
}

impl OutboxConfig {
    pub fn retries(&self) -> Retries {
        Retries {
            first_retry_ms: (self.first_retry_seconds * 1000.0) as i64,
            give_up_ms: (self.give_up_hours * 3_600_000.0) as i64,
        }
    }
}

/// A webhook in the configuration file: `[[sites.webhooks]]`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    pub url: String,
    pub secret: String,
    /// The events it receives; every comment event when left out.
    #[serde(default)]
    pub events: Vec<String>,
}

impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("url", &self.url)
            .field("secret", &"<redacted>")
            .field("events", &self.events)
            .finish()
    }
}

impl WebhookConfig {
    /// The hook as stored; checked by [`SiteConfig::validate`] when the file was read.
    pub fn to_webhook(&self) -> NewWebhook {
        NewWebhook {
            url: self.url.clone(),
            secret: self.secret.clone(),
            events: self.events.iter().filter_map(|e| Event::parse(e).ok()).collect(),
        }
    }
}
