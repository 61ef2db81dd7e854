//! Shared state handed to every handler, and the in-memory view of the sites table.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::config::Config;
use crate::db::{self, Db, sites::Site};
use crate::domain::{Moderation, Origin};
use crate::keys::Keys;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub keys: Arc<Keys>,
    pub sites: Arc<SiteCache>,
    /// Where visitors reach this server, without a trailing slash.
    pub public_url: Arc<str>,
    pub trusted_proxies: Arc<[ipnet::IpNet]>,
    /// Origins of this server's own pages; admin forms are accepted only from these.
    pub own_origins: Arc<[String]>,
    pub login_throttle: Arc<crate::admin::auth::Throttle>,
    pub cache: Arc<crate::cache::ResponseCache>,
}

impl AppState {
    /// Prepares the state for a server bound to `local`: loads or creates the secret and writes the
    /// configured sites (and the built-in `demo` site) to the database.
    pub fn new(config: Config, db: Db, local: SocketAddr) -> anyhow::Result<Self> {
        let secret = match &config.secret {
            Some(s) => s.clone(),
            None => db
                .write_now(|tx| match db::settings::get(tx, "secret")? {
                    Some(s) => Ok(s),
                    None => {
                        let s = Keys::generate_secret();
                        db::settings::set(tx, "secret", &s)?;
                        Ok(s)
                    }
                })
                .context("failed to load the secret")?,
        };
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", display_addr(local)))
            .trim_end_matches('/')
            .to_owned();
        let mut sites: Vec<Site> = config.sites.iter().map(site_from_config).collect();
        let own_origins = own_origins(local, &public_url);
        if config.demo {
            sites.push(demo_site(own_origins.clone()));
        }
        let now = db::now_ms();
        db.write_now(|tx| sites.iter().try_for_each(|s| db::sites::upsert(tx, s, now)))
            .context("failed to store the configured sites")?;
        let cache = SiteCache::load(db.clone())?;
        let response_cache = config.response_cache;
        Ok(Self {
            db,
            trusted_proxies: config.proxies()?.into(),
            config: Arc::new(config),
            keys: Arc::new(Keys::new(&secret)),
            sites: Arc::new(cache),
            public_url: public_url.into(),
            own_origins: own_origins.into(),
            login_throttle: Arc::default(),
            cache: Arc::new(crate::cache::ResponseCache::new(response_cache)),
        })
    }
}

/// `0.0.0.0` and `::` are not addresses a browser can visit; name the loopback instead.
fn display_addr(addr: SocketAddr) -> String {
    if addr.ip().is_unspecified() {
        format!("127.0.0.1:{}", addr.port())
    } else {
        addr.to_string()
    }
}

fn site_from_config(s: &crate::config::SiteConfig) -> Site {
    Site {
        id: s.id.clone(),
        name: s.name.clone().unwrap_or_else(|| s.id.clone()),
        moderation: s.moderation,
        origins: s
            .origins
            .iter()
            .filter_map(|o| Origin::parse(o).ok())
            .map(Origin::into_inner)
            .collect(),
        max_links: s.max_links,
        blocked_words: clean_words(&s.blocked_words),
    }
}

/// The origins of this server's own pages: the loopback names of the listening port and `public_url`.
fn own_origins(local: SocketAddr, public_url: &str) -> Vec<String> {
    let port = local.port();
    let mut origins = vec![format!("http://127.0.0.1:{port}"), format!("http://localhost:{port}")];
    if let Ok(o) = Origin::parse(public_url) {
        origins.push(o.into_inner());
    }
    origins.sort();
    origins.dedup();
    origins
}

/// The demo site may be posted to only from this server's own pages.
fn demo_site(origins: Vec<String>) -> Site {
    Site {
        id: "demo".into(),
        name: "riposte demo".into(),
        moderation: Moderation::None,
        origins,
        max_links: db::sites::DEFAULT_MAX_LINKS,
        blocked_words: Vec::new(),
    }
}

/// Blocked words as stored: trimmed, lower-case, one per entry, no blanks.
pub fn clean_words<S: AsRef<str>>(words: &[S]) -> Vec<String> {
    words
        .iter()
        .map(|w| w.as_ref().trim().to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Sites are few and read on every request: keep them in memory. A miss reloads from the database (at most
/// once a second), so sites added with `riposte site add` while the server runs are picked up.
pub struct SiteCache {
    db: Db,
    sites: RwLock<Arc<HashMap<String, Arc<Site>>>>,
    last_reload: Mutex<Instant>,
}

const RELOAD_AT_MOST_EVERY: Duration = Duration::from_secs(1);

impl SiteCache {
    fn load(db: Db) -> anyhow::Result<Self> {
        let sites = db.write_now(|tx| db::sites::list(tx))?;
        Ok(Self {
            db,
            sites: RwLock::new(Arc::new(index(sites))),
            last_reload: Mutex::new(Instant::now()),
        })
    }

    fn snapshot(&self) -> Arc<HashMap<String, Arc<Site>>> {
        self.sites.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    async fn reload(&self) -> anyhow::Result<bool> {
        {
            let mut last = self.last_reload.lock().unwrap_or_else(|e| e.into_inner());
            if last.elapsed() < RELOAD_AT_MOST_EVERY {
                return Ok(false);
            }
            *last = Instant::now();
        }
        let sites = self.db.read(db::sites::list).await?;
        *self.sites.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(index(sites));
        Ok(true)
    }

    /// Reloads now, after a change made through the admin UI.
    pub async fn refresh(&self) -> anyhow::Result<()> {
        let sites = self.db.read(db::sites::list).await?;
        *self.sites.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(index(sites));
        Ok(())
    }

    pub async fn get(&self, id: &str) -> anyhow::Result<Option<Arc<Site>>> {
        if let Some(site) = self.snapshot().get(id) {
            return Ok(Some(site.clone()));
        }
        if self.reload().await? {
            return Ok(self.snapshot().get(id).cloned());
        }
        Ok(None)
    }

    /// Whether any site allows this origin (for CORS answers).
    pub async fn knows_origin(&self, origin: &str) -> anyhow::Result<bool> {
        let known = |map: &HashMap<String, Arc<Site>>| map.values().any(|s| s.origins.iter().any(|o| o == origin));
        if known(&self.snapshot()) {
            return Ok(true);
        }
        Ok(self.reload().await? && known(&self.snapshot()))
    }
}

fn index(sites: Vec<Site>) -> HashMap<String, Arc<Site>> {
    sites.into_iter().map(|s| (s.id.clone(), Arc::new(s))).collect()
}
