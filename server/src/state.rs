//! Shared state handed to every handler, and the in-memory snapshot of the sites.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::extract::FromRef;

use crate::config::Config;
use crate::domain::notify::{Language, NotifyMode};
use crate::domain::pow::Pow;
use crate::domain::site::DEFAULT_MAX_LINKS;
use crate::domain::time::now_ms;
use crate::domain::{Moderation, Origin, Site};
use crate::http::cache::ResponseCache;
use crate::http::client::TrustedProxies;
use crate::http::throttle::Throttle;
use crate::keys::{IpKeys, Keys, ip_period};
use crate::store::{self, Store};

/// Cloned for every request several times over (each layer and extractor takes its own), so it is one
/// `Arc`: one reference count to bump, not one per field (a profile of small reads showed the ten).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// What [`AppState`] shares; its fields are read through `Deref` (`state.store`).
pub struct Shared {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    pub keys: Arc<Keys>,
    pub sites: Arc<SiteCache>,
    /// Where visitors reach this server, without a trailing slash.
    pub public_url: Arc<str>,
    pub trusted_proxies: TrustedProxies,
    /// Origins of this server's own pages; admin forms are accepted only from these.
    pub own_origins: Arc<[String]>,
    pub login_throttle: Arc<Throttle>,
    /// Prometheus metrics, recorded only when `metrics = true`.
    pub metrics: Option<Arc<crate::http::metrics::Metrics>>,
    pub cache: Arc<ResponseCache>,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The client-address middleware needs only the trusted proxies.
impl FromRef<AppState> for TrustedProxies {
    fn from_ref(state: &AppState) -> Self {
        state.trusted_proxies.clone()
    }
}

impl AppState {
    /// Prepares the state for a server bound to `local`: loads or creates the secret and writes the
    /// configured sites (and the built-in `demo` site) to the store.
    pub async fn new(config: Config, store: Arc<dyn Store>, local: SocketAddr) -> anyhow::Result<Self> {
        let secret = match &config.secret {
            Some(s) => s.clone(),
            None => store.secret(Keys::generate_secret).await?,
        };
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", display_addr(local)))
            .trim_end_matches('/')
            .to_owned();
        let mut sites: Vec<Site> = config.sites.iter().map(|s| s.to_site()).collect();
        let own_origins = own_origins(local, &public_url);
        if config.demo_on() {
            sites.push(demo_site(own_origins.clone()));
        }
        store.save_sites(sites, now_ms()).await?;
        let hooks = config
            .sites
            .iter()
            .flat_map(|s| s.webhooks.iter().map(|h| (s.id.clone(), h.to_webhook())))
            .collect();
        store.save_config_webhooks(hooks, now_ms()).await?;
        store.set_channels(config.smtp.is_some());
        if config.smtp.is_none() {
            tracing::info!("mail is off: no [smtp] in the configuration (notifications by webhook only)");
        }
        let site_cache = SiteCache::load(store.clone()).await?;
        let keys = Keys::new(&secret);
        install_ip_keys(&keys, store.as_ref(), now_ms()).await?;
        Ok(Self(Arc::new(Shared {
            trusted_proxies: config.proxies()?.into(),
            keys: Arc::new(keys),
            sites: Arc::new(site_cache),
            public_url: public_url.into(),
            own_origins: own_origins.into(),
            login_throttle: Arc::default(),
            metrics: config.metrics.then(Arc::default),
            cache: Arc::new(ResponseCache::new(config.response_cache)),
            config: Arc::new(config),
            store,
        })))
    }

    /// Opens the store the configuration names and prepares the state over it.
    pub async fn open(config: Config, local: SocketAddr) -> anyhow::Result<Self> {
        let store = store::open(&config.database).await?;
        Self::new(config, store, local).await
    }
}

impl AppState {
    /// The client address's hashes under the current IP-hash key and the previous one; the first request
    /// of a new period fetches the period's keys from the store.
    pub async fn ip_hashes(&self, ip: IpAddr) -> anyhow::Result<[String; 2]> {
        let now = now_ms();
        if self.keys.installed_ip_period() != ip_period(now) {
            install_ip_keys(&self.keys, self.store.as_ref(), now).await?;
        }
        Ok(self.keys.ip_hashes(ip))
    }
}

async fn install_ip_keys(keys: &Keys, store: &dyn Store, now: i64) -> anyhow::Result<()> {
    let period = ip_period(now);
    let [current, previous] = store.ip_keys(period).await?;
    keys.install_ip_keys(IpKeys {
        period,
        current,
        previous,
    });
    Ok(())
}

/// `0.0.0.0` and `::` are not addresses a browser can visit; name the loopback instead.
fn display_addr(addr: SocketAddr) -> String {
    if addr.ip().is_unspecified() {
        format!("127.0.0.1:{}", addr.port())
    } else {
        addr.to_string()
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
        max_links: DEFAULT_MAX_LINKS,
        blocked_words: Vec::new(),
        // The demo page embeds the widget, which solves challenges; off keeps the demo quick to try by curl.
        pow: Pow::Off,
        notify: NotifyMode::Off,
        language: Language::EN,
        sort: Default::default(),
        close_after_days: None,
    }
}

/// Sites are few and read on every request: keep them in memory. About once a second a request compares
/// the store's sites version (bumped by every change to a site, by any process) with the snapshot's, and
/// reloads when it moved: sites added or changed with `riposte site add` while the server runs apply
/// within [`CHECK_EVERY`] plus one request. The other requests take no lock but the snapshot's read lock.
pub struct SiteCache {
    store: Arc<dyn Store>,
    snapshot: RwLock<Arc<Snapshot>>,
    /// When the last check was made, in milliseconds since `epoch`; the request that moves it makes the next.
    last_check: AtomicU64,
    epoch: Instant,
}

struct Snapshot {
    /// The store's sites version before `sites` were read: at worst older than them, never newer.
    version: i64,
    sites: HashMap<String, Arc<Site>>,
    /// Every origin some site allows, for the CORS answer of every API request.
    origins: HashSet<String>,
}

pub const CHECK_EVERY: Duration = Duration::from_secs(1);

impl SiteCache {
    async fn load(store: Arc<dyn Store>) -> anyhow::Result<Self> {
        let snapshot = read(store.as_ref()).await?;
        Ok(Self {
            store,
            snapshot: RwLock::new(Arc::new(snapshot)),
            last_check: AtomicU64::new(0),
            epoch: Instant::now(),
        })
    }

    fn snapshot(&self) -> std::sync::RwLockReadGuard<'_, Arc<Snapshot>> {
        self.snapshot.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Reloads the snapshot first when the check is due and the store's version has moved. One request a
    /// second makes the check; the others meanwhile use the snapshot they find.
    async fn check(&self) -> anyhow::Result<()> {
        let now = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        let last = self.last_check.load(Ordering::Relaxed);
        let due = now.saturating_sub(last) >= CHECK_EVERY.as_millis() as u64;
        if !due
            || self
                .last_check
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return Ok(());
        }
        let known = self.snapshot().version;
        if self.store.sites_version().await? != known {
            self.refresh().await?;
        }
        Ok(())
    }

    /// Reloads now, after a change made through the admin UI.
    pub async fn refresh(&self) -> anyhow::Result<()> {
        let fresh = read(self.store.as_ref()).await?;
        let mut snapshot = self.snapshot.write().unwrap_or_else(|e| e.into_inner());
        // Two reloads may race; the one that read the older version must not win.
        if fresh.version >= snapshot.version {
            *snapshot = Arc::new(fresh);
        }
        Ok(())
    }

    /// The site with this id, if there is one.
    pub async fn get(&self, id: &str) -> anyhow::Result<Option<Arc<Site>>> {
        self.check().await?;
        Ok(self.snapshot().sites.get(id).cloned())
    }

    /// Whether any site allows this origin (for CORS answers).
    pub async fn knows_origin(&self, origin: &str) -> anyhow::Result<bool> {
        self.check().await?;
        Ok(self.snapshot().origins.contains(origin))
    }
}

/// The version first, then the sites: a change landing in between is read again at the next check.
async fn read(store: &dyn Store) -> anyhow::Result<Snapshot> {
    let version = store.sites_version().await?;
    let sites = store.sites().await?;
    let origins = sites.iter().flat_map(|s| s.origins.iter().cloned()).collect();
    Ok(Snapshot {
        version,
        sites: index(sites),
        origins,
    })
}

fn index(sites: Vec<Site>) -> HashMap<String, Arc<Site>> {
    sites.into_iter().map(|s| (s.id.clone(), Arc::new(s))).collect()
}
