//! One `Config`, layered: built-in defaults < `riposte.toml` < `RIPOSTE_*` environment < command-line flags.

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use serde::Deserialize;

#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub listen: String,
    /// The database: the path of a SQLite file (created and migrated on start), or a PostgreSQL URL
    /// `postgres://USER[:PASSWORD]@HOST:PORT/DB` (migrated on start; several servers may share it).
    pub database: PathBuf,
    /// The address visitors reach this server under (e.g. `https://comments.example.com`); by default the
    /// listening address. Used in feeds and to tell whether cookies must be `Secure`.
    pub public_url: Option<String>,
    /// Key for signing edit tokens and hashing IP addresses. Generated and kept in the database when unset.
    pub secret: Option<String>,
    /// Peers whose `X-Forwarded-For` header is believed (IP addresses or CIDR ranges).
    pub trusted_proxies: Vec<String>,
    /// Connections open at once, in all (live streams among them); the process's open-files limit is
    /// raised to fit them at start.
    pub max_connections: usize,
    /// Connections one peer address (IPv6: one /64) may hold open at once; trusted proxies are exempt.
    pub max_connections_per_peer: usize,
    /// How long, in seconds, a commenter may edit or delete their own comment.
    pub edit_window: u64,
    /// Keep rendered thread and count answers in memory until the next write (on by default).
    pub response_cache: bool,
    /// Whether the built-in `demo` site (allowed only from this server's own addresses) and the demo page
    /// exist. Unset: on for a local server, off once `public_url` names a public one.
    pub demo: Option<bool>,
    /// The largest file, in MiB, the admin UI's import page accepts.
    pub import_max_mb: u64,
    pub rate_limits: RateLimits,
    /// The mail server notifications go through; without it riposte sends no mail.
    pub smtp: Option<SmtpConfig>,
    /// When failed deliveries are tried again.
    pub outbox: OutboxConfig,
    /// Let webhooks reach loopback, private and link-local addresses (off: such hooks are refused, so a
    /// moderator cannot point one at the server's own network).
    pub webhooks_allow_private: bool,
    /// Live updates of threads (`GET /api/v1/events`).
    pub live: LiveConfig,
    /// Serve Prometheus metrics at `GET /metrics` (off by default).
    pub metrics: bool,
    /// With `metrics`, the bearer token a scrape must send (`Authorization: Bearer TOKEN`); unset: none.
    pub metrics_token: Option<String>,
    pub sites: Vec<SiteConfig>,
}

/// Token buckets keyed by client IP: `burst` requests at once, then one more every `every_ms` (fractions
/// allowed: 0.01 = 100,000 a second); `every_ms = 0` turns the limit off (for benchmarks, or behind a proxy
/// that limits already).
pub use crate::http::limit::Rate;

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimits {
    /// New comments.
    pub comments: Rate,
    /// Edits, deletions, votes and previews.
    pub edits: Rate,
    /// Thread, count and feed reads.
    pub reads: Rate,
    /// Login form posts (`POST /admin/login`), on top of the failure throttle.
    pub logins: Rate,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            comments: Rate {
                burst: 3,
                every_ms: 20_000.0,
            },
            edits: Rate {
                burst: 10,
                every_ms: 2_000.0,
            },
            reads: Rate {
                burst: 200,
                every_ms: 10.0,
            },
            logins: Rate {
                burst: 10,
                every_ms: 6_000.0,
            },
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            database: "riposte.db".into(),
            public_url: None,
            secret: None,
            trusted_proxies: Vec::new(),
            max_connections: crate::http::serve::MAX_CONNECTIONS,
            max_connections_per_peer: 64,
            edit_window: 15 * 60,
            demo: None,
            response_cache: true,
            import_max_mb: 100,
            rate_limits: RateLimits::default(),
            smtp: None,
            outbox: OutboxConfig::default(),
            webhooks_allow_private: false,
            live: LiveConfig::default(),
            metrics: false,
            metrics_token: None,
            sites: Vec::new(),
        }
    }
}

// The secret never reaches a log line.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("database", &crate::store::describe(&self.database))
            .field("public_url", &self.public_url)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("trusted_proxies", &self.trusted_proxies)
            .field("max_connections", &self.max_connections)
            .field("max_connections_per_peer", &self.max_connections_per_peer)
            .field("edit_window", &self.edit_window)
            .field("demo", &self.demo)
            .field("response_cache", &self.response_cache)
            .field("import_max_mb", &self.import_max_mb)
            .field("rate_limits", &self.rate_limits)
            .field("smtp", &self.smtp)
            .field("outbox", &self.outbox)
            .field("webhooks_allow_private", &self.webhooks_allow_private)
            .field("live", &self.live)
            .field("metrics", &self.metrics)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "<redacted>"))
            .field("sites", &self.sites)
            .finish()
    }
}

/// Values given on the command line; they win over everything else.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub listen: Option<String>,
    pub database: Option<PathBuf>,
    pub public_url: Option<String>,
}

impl Config {
    /// Builds the configuration from the optional file, the environment (through `env`) and the flags.
    pub fn load(file: Option<&Path>, env: impl Fn(&str) -> Option<String>, flags: &Overrides) -> anyhow::Result<Self> {
        let mut config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read config file {}", path.display()))?;
                toml::from_str::<Config>(&text)
                    .map_err(|e| anyhow::anyhow!("config file {}: {}", path.display(), e.to_string().trim_end()))?
            }
            None => Config::default(),
        };
        if let Some(v) = env("RIPOSTE_LISTEN") {
            config.listen = v;
        }
        if let Some(v) = env("RIPOSTE_DATABASE") {
            config.database = v.into();
        }
        if let Some(v) = env("RIPOSTE_PUBLIC_URL") {
            config.public_url = Some(v);
        }
        if let Some(v) = env("RIPOSTE_SECRET") {
            config.secret = Some(v);
        }
        if let Some(v) = env("RIPOSTE_TRUSTED_PROXIES") {
            config.trusted_proxies = v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
        }
        if let Some(v) = env("RIPOSTE_EDIT_WINDOW") {
            config.edit_window = v
                .trim()
                .parse()
                .with_context(|| format!("RIPOSTE_EDIT_WINDOW: {v:?} is not a number of seconds"))?;
        }
        if let Some(v) = env("RIPOSTE_DEMO") {
            config.demo = match v.trim() {
                "true" | "1" | "yes" => Some(true),
                "false" | "0" | "no" => Some(false),
                _ => bail!("RIPOSTE_DEMO: {v:?} is not true or false"),
            };
        }
        if let Some(v) = env("RIPOSTE_IMPORT_MAX_MB") {
            config.import_max_mb = v
                .trim()
                .parse()
                .with_context(|| format!("RIPOSTE_IMPORT_MAX_MB: {v:?} is not a whole number of MiB"))?;
        }
        if let Some(v) = env("RIPOSTE_METRICS_TOKEN") {
            config.metrics_token = Some(v);
        }
        if let Some(v) = env("RIPOSTE_SMTP_PASSWORD") {
            if let Some(smtp) = &mut config.smtp {
                smtp.password = Some(v);
            }
        }
        if let Some(smtp) = &mut config.smtp {
            if let (None, Some(file)) = (&smtp.password, &smtp.password_file) {
                let text = std::fs::read_to_string(file)
                    .with_context(|| format!("smtp.password_file: cannot read {}", file.display()))?;
                smtp.password = Some(text.trim_end_matches(['\r', '\n']).to_owned());
            }
        }
        if let Some(v) = &flags.listen {
            config.listen = v.clone();
        }
        if let Some(v) = &flags.database {
            config.database = v.clone();
        }
        if let Some(v) = &flags.public_url {
            config.public_url = Some(v.clone());
        }
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> anyhow::Result<()> {
        self.proxies()?;
        if let Some(url) = &self.public_url {
            let parsed = url::Url::parse(url).with_context(|| format!("public_url {url:?} is not a URL"))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                bail!("public_url {url:?} must be an http or https URL");
            }
        }
        if !(16..=1 << 20).contains(&self.max_connections) {
            bail!("max_connections must be from 16 to 1048576");
        }
        if self.max_connections_per_peer == 0 {
            bail!("max_connections_per_peer must be at least 1");
        }
        if self.import_max_mb == 0 {
            bail!("import_max_mb must be at least 1");
        }
        if matches!(&self.secret, Some(s) if s.len() < 16) {
            bail!("secret must be at least 16 characters");
        }
        for (name, rate) in [
            ("comments", self.rate_limits.comments),
            ("edits", self.rate_limits.edits),
            ("reads", self.rate_limits.reads),
            ("logins", self.rate_limits.logins),
        ] {
            if rate.burst == 0 || !(rate.every_ms >= 0.0 && rate.every_ms.is_finite()) {
                bail!("rate_limits.{name}: burst must be at least 1 and every_ms a number of 0 or more");
            }
        }
        if let Some(smtp) = &self.smtp {
            if smtp.host.trim().is_empty() {
                bail!("smtp.host must not be empty");
            }
            if smtp.from.parse::<lettre::message::Mailbox>().is_err() {
                bail!(
                    "smtp.from {:?} is not a mail address (name <address> or address)",
                    smtp.from
                );
            }
            if smtp.username.is_some() != smtp.password.is_some() {
                bail!(
                    "smtp: username and password go together (password also from RIPOSTE_SMTP_PASSWORD or password_file)"
                );
            }
        }
        let o = &self.outbox;
        let positive = |x: f64| x > 0.0 && x.is_finite();
        if !positive(o.first_retry_seconds) || !positive(o.give_up_hours) {
            bail!("outbox: first_retry_seconds and give_up_hours must be numbers above 0");
        }
        self.live.validate(self.max_connections)?;
        for site in &self.sites {
            site.validate()?;
        }
        Ok(())
    }

    /// The trusted proxies as networks; a bare address is a network of one.
    pub fn proxies(&self) -> anyhow::Result<Vec<ipnet::IpNet>> {
        self.trusted_proxies
            .iter()
            .map(|s| {
                s.parse::<ipnet::IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(ipnet::IpNet::from))
                    .with_context(|| format!("trusted_proxies: {s:?} is neither an IP address nor a CIDR range"))
            })
            .collect()
    }

    pub fn edit_window(&self) -> Duration {
        Duration::from_secs(self.edit_window)
    }

    /// Whether the demo site and page are on: as configured, else only while no `public_url` is set.
    pub fn demo_on(&self) -> bool {
        self.demo.unwrap_or(self.public_url.is_none())
    }

    /// [`Config::import_max_mb`] in bytes.
    pub fn import_max_bytes(&self) -> u64 {
        self.import_max_mb.saturating_mul(1024 * 1024)
    }

    /// Lowers `max_connections` (and the live streams' share of it) to what a process allowed
    /// `open_files` files has room for besides the [`RESERVED_FILES`]; the new number when it had to.
    pub fn fit_open_files(&mut self, open_files: u64) -> Option<usize> {
        let room = usize::try_from(open_files.saturating_sub(RESERVED_FILES)).unwrap_or(usize::MAX);
        let fit = room.max(16);
        if self.max_connections <= fit {
            return None;
        }
        self.max_connections = fit;
        self.live.max_connections = self.live.max_connections.min(live::max_streams(fit));
        Some(fit)
    }
}

/// Files a server keeps open besides its clients' connections: the database with its journal and shared
/// memory per connection (or the PostgreSQL pool's sockets), the listening socket, mail and webhook
/// connections, the runtime's own.
pub const RESERVED_FILES: u64 = 128;

mod live;
pub use live::LiveConfig;
mod site;
pub use site::SiteConfig;
mod notify;
pub use notify::{OutboxConfig, SmtpConfig, SmtpSecurity, WebhookConfig};

#[cfg(test)]
mod tests;
