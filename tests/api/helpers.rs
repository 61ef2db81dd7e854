//! A real router on a real SQLite file in a temporary directory, driven request by request, and checked
//! through the store's public API.

pub mod database;
pub mod process;
pub mod smtp;

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use riposte::config::{Config, Rate, RateLimits, SiteConfig};
use riposte::domain::moderator::Filter;
use riposte::domain::{CommentRecord, Moderation};
use riposte::{AppState, app};
use serde_json::{Value, json};
use tower::ServiceExt;

pub const ORIGIN: &str = "https://blog.example";
pub const PEER: &str = "192.0.2.10:40000";

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    /// The database (a PostgreSQL one is dropped with the app); before `_dir`, which holds a SQLite file.
    /// `None` for a second server on another app's database ([`TestApp::sharing`]).
    _db: Option<database::TestDb>,
    /// Holds the database file; removed with the app.
    _dir: tempfile::TempDir,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.bytes)))
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.bytes.clone()).unwrap()
    }

    /// The error code of a JSON error body.
    pub fn code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap_or_default().to_owned()
    }
}

/// A config with one site `blog` (allowed from [`ORIGIN`]) and limits high enough not to get in the way.
pub fn config() -> Config {
    let generous = Rate {
        burst: 10_000,
        every_ms: 1.0,
    };
    Config {
        sites: vec![SiteConfig {
            name: Some("Ein Blog".into()),
            ..site("blog", ORIGIN, Moderation::None)
        }],
        rate_limits: RateLimits {
            comments: generous,
            edits: generous,
            reads: generous,
            logins: generous,
        },
        ..Config::default()
    }
}

/// Another site beside `blog`: `id`, allowed from `origin`, with this moderation mode and no proof of work.
pub fn site(id: &str, origin: &str, moderation: Moderation) -> SiteConfig {
    SiteConfig {
        id: id.into(),
        name: None,
        origins: vec![origin.into()],
        moderation,
        max_links: 3,
        blocked_words: Vec::new(),
        pow: riposte::domain::pow::Pow::Off,
        notify: Default::default(),
        language: Default::default(),
        sort: Default::default(),
        close_after_days: None,
        webhooks: Vec::new(),
    }
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with(config()).await
    }

    pub async fn with(mut config: Config) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = database::TestDb::new(dir.path());
        config.database = db.path.clone();
        let state = AppState::open(config, "127.0.0.1:8080".parse().unwrap()).await.unwrap();
        Self {
            router: app(state.clone()),
            state,
            _db: Some(db),
            _dir: dir,
        }
    }

    /// Another server (its own store, caches and limits) on the database `database` of a running one: two
    /// servers behind one load balancer. The database stays with the app that made it.
    pub async fn sharing(mut config: Config, database: &std::path::Path) -> Self {
        let dir = tempfile::tempdir().unwrap();
        config.database = database.to_owned();
        let state = AppState::open(config, "127.0.0.1:8080".parse().unwrap()).await.unwrap();
        Self {
            router: app(state.clone()),
            state,
            _db: None,
            _dir: dir,
        }
    }

    /// Whether this server's database is a PostgreSQL one.
    pub fn on_postgres(&self) -> bool {
        riposte::store::postgres::is_url(&self.state.config.database.to_string_lossy())
    }

    /// Sends one request from `peer` (the TCP peer address the server sees).
    pub async fn send_from(&self, peer: &str, req: Request<Body>) -> Reply {
        let mut req = req;
        req.extensions_mut()
            .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Reply { status, headers, bytes }
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        self.send_from(PEER, req).await
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.send(Request::get(uri).body(Body::empty()).unwrap()).await
    }

    /// A JSON write from the site's own origin.
    pub async fn write(&self, method: Method, uri: &str, body: Value, token: Option<&str>) -> Reply {
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json")
            .header("origin", ORIGIN);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        self.send(req.body(Body::from(body.to_string())).unwrap()).await
    }

    pub async fn post(&self, body: Value) -> Reply {
        self.write(Method::POST, "/api/v1/comments", body, None).await
    }

    /// Posts a comment on `/post/` of `blog` and returns (id, edit token).
    pub async fn comment(&self, text: &str, parent: Option<i64>) -> (i64, String) {
        let r = self
            .post(json!({"site": "blog", "uri": "/post/", "text": text, "parent": parent}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let v = r.json();
        (
            v["comment"]["id"].as_i64().unwrap(),
            v["edit_token"].as_str().unwrap().to_owned(),
        )
    }

    pub async fn thread(&self, uri: &str) -> Value {
        let r = self
            .get(&format!("/api/v1/threads?site=blog&uri={}", urlencode(uri)))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        r.json()
    }

    /// Every stored comment, of any status, placeholders included.
    pub async fn stored_comments(&self) -> i64 {
        self.state.store.totals().await.unwrap().comments
    }

    /// Everything stored of every comment, of every site and status, oldest first.
    pub async fn records(&self) -> Vec<CommentRecord> {
        let (mut all, total) = self
            .state
            .store
            .browse(None, Filter::default(), 0, i64::MAX)
            .await
            .unwrap();
        assert_eq!(all.len() as i64, total, "one page holds every comment");
        all.reverse();
        all
    }

    /// Everything stored of one comment, which must exist.
    pub async fn record(&self, id: i64) -> CommentRecord {
        let mut found = self.state.store.records(vec![id]).await.unwrap();
        assert_eq!(found.len(), 1, "comment {id} is not stored");
        found.remove(0)
    }
}

impl TestApp {
    /// Stores a comment "x" on `uri` of `blog` through the store, at time `now`, and returns it: for tests
    /// that need thousands (that many API posts would only test the rate limiter).
    pub async fn store_comment(&self, uri: &str, parent: Option<i64>, now: i64) -> riposte::domain::Comment {
        let site = self.state.sites.get("blog").await.unwrap().unwrap();
        let by = riposte::domain::comment::Commenter {
            ip_hashes: ["a".into(), "b".into()],
            avatar: "a".into(),
        };
        let comment = riposte::domain::comment::NewComment {
            site: riposte::domain::SiteId::parse("blog").unwrap(),
            uri: riposte::domain::PageUri::parse(uri).unwrap(),
            title: None,
            parent,
            author: None,
            email: None,
            website: None,
            text: riposte::domain::CommentText::parse("x").unwrap(),
            html: "<p>x</p>".into(),
            notify: None,
        };
        let created = self
            .state
            .store
            .create_comment(site, comment, by, Default::default(), now)
            .await;
        created.unwrap().comment
    }
}

pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The origin of the test server's own pages (admin forms come from there).
pub const OWN: &str = "http://127.0.0.1:8080";

/// A logged-in moderator: the session cookie and the CSRF token the pages carry.
pub struct Admin {
    pub cookie: String,
    pub csrf: String,
}

impl TestApp {
    /// A moderator of these sites; of every site when `sites` is empty.
    pub async fn add_moderator(&self, name: &str, password: &str, sites: &[&str]) {
        self.add_moderator_mailed(name, password, sites, None).await
    }

    /// As [`Self::add_moderator`], with an address for notifications.
    pub async fn add_moderator_mailed(&self, name: &str, password: &str, sites: &[&str], email: Option<&str>) {
        let hash = riposte::keys::hash_password(password).unwrap();
        let sites: Vec<String> = sites.iter().map(|s| s.to_string()).collect();
        let sites = (!sites.is_empty()).then_some(sites);
        assert!(
            self.state
                .store
                .add_moderator(name.to_owned(), hash, email.map(str::to_owned), sites, 0)
                .await
                .unwrap()
        );
    }

    pub async fn login_from(&self, peer: &str, name: &str, password: &str) -> Reply {
        let body = format!("username={}&password={}", urlencode(name), urlencode(password));
        let req = Request::post("/admin/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", OWN)
            .body(Body::from(body))
            .unwrap();
        self.send_from(peer, req).await
    }

    pub async fn login(&self, name: &str, password: &str) -> Admin {
        let r = self.login_from(PEER, name, password).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let set = r.headers["set-cookie"].to_str().unwrap();
        let cookie = set.split(';').next().unwrap().to_owned();
        let page = self.admin_get(&cookie, "/admin").await;
        let csrf = page
            .text()
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        Admin { cookie, csrf }
    }

    pub async fn admin_get(&self, cookie: &str, path: &str) -> Reply {
        self.send(Request::get(path).header("cookie", cookie).body(Body::empty()).unwrap())
            .await
    }

    /// A form POST from our own origin; `fields` are sent as given (add the csrf yourself).
    pub async fn admin_post(&self, cookie: Option<&str>, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let mut req = Request::post(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", OWN);
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    /// One moderator action (`approve:ID`, `delete:ID`, ...) from the queue page's buttons.
    pub async fn act(&self, admin: &Admin, action: &str) -> StatusCode {
        self.admin_post(
            Some(&admin.cookie),
            "/admin/moderate",
            &[("csrf", &admin.csrf), ("act", action), ("back", "/admin")],
        )
        .await
        .status
    }

    /// The stored status of a comment, which must exist.
    pub async fn status_of(&self, id: i64) -> &'static str {
        self.record(id).await.status.as_str()
    }
}
