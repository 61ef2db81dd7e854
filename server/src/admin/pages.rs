//! The admin pages and the actions behind their forms.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, body::Bytes};

use super::auth::{self, AdminForm, Session};
use super::i18n::{self, Strings};
use crate::db::{self, moderation::Item, sites::Site};
use crate::domain::{AuthorName, CommentText, Email, Moderation, Origin, SiteId, Status, Website};
use crate::error::AppError;
use crate::net::ClientIp;
use crate::render::render;
use crate::routes::api::{Query, rfc3339};
use crate::state::{AppState, clean_words};

const PER_PAGE: i64 = 50;

type Result<T, E = AdminError> = std::result::Result<T, E>;

/// An [`AppError`] answered as a page for people rather than as JSON: moderators submit forms.
pub struct AdminError(AppError);

impl<E: Into<AppError>> From<E> for AdminError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

#[derive(Template)]
#[template(path = "admin/error.html")]
struct ErrorPage<'a> {
    status: StatusCode,
    message: &'a str,
    field: Option<&'a str>,
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let (status, _, message, field) = self.0.parts();
        match (ErrorPage { status, message, field }).render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => self.0.into_response(),
        }
    }
}

/// What every page's frame shows.
pub struct Ctx {
    pub t: &'static Strings,
    pub me: String,
    pub csrf: String,
    pub done: bool,
}

impl Ctx {
    fn new(s: &Session, raw: Option<&str>) -> Self {
        Self {
            t: s.t,
            me: s.moderator.name.clone(),
            csrf: s.csrf.clone(),
            done: Query::parse(raw).one("done").is_some(),
        }
    }
}

fn page(t: impl Template) -> Result<Response> {
    let html = t
        .render()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("admin template: {e}")))?;
    Ok(Html(html).into_response())
}

fn when(ms: i64) -> String {
    let s = rfc3339(ms);
    // 2026-11-26T22:38:44.172Z -> 2026-11-26 22:38 UTC
    format!("{} {} UTC", &s[..10], s.get(11..16).unwrap_or(""))
}

pub struct ParentView {
    pub author: String,
    pub html: String,
}

/// One comment as the admin pages show it.
pub struct Row {
    pub id: i64,
    pub site: String,
    pub page: String,
    pub link: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub author: String,
    pub email: Option<String>,
    pub website: Option<String>,
    pub html: String,
    pub created: String,
    pub created_iso: String,
    pub reason: Option<String>,
    pub deleted: Option<String>,
    pub published_before: i64,
    pub parent: Option<ParentView>,
}

async fn rows(state: &AppState, t: &'static Strings, items: Vec<Item>) -> Result<Vec<Row>> {
    let parent_ids: Vec<i64> = items.iter().filter_map(|i| i.parent).collect();
    let parents = state
        .db
        .read(move |conn| {
            parent_ids
                .into_iter()
                .filter_map(|id| db::moderation::get(conn, id).transpose())
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .await?;
    let mut out = Vec::with_capacity(items.len());
    for i in items {
        let site = state.sites.get(&i.site).await?;
        let base = site
            .as_ref()
            .and_then(|s| s.origins.first().cloned())
            .unwrap_or_default();
        let parent = i
            .parent
            .and_then(|p| parents.iter().find(|x| x.id == p))
            .map(|p| ParentView {
                author: p.author.clone().unwrap_or_else(|| t.anonymous.into()),
                html: p.html.clone(),
            });
        out.push(Row {
            id: i.id,
            link: format!("{base}{}#riposte-{}", i.uri, i.id),
            page: i.title.clone().unwrap_or_else(|| i.uri.clone()),
            site: i.site,
            status: i.status.as_str(),
            status_label: t.status(i.status),
            author: i.author.unwrap_or_else(|| t.anonymous.into()),
            email: i.email,
            website: i.website,
            html: i.html,
            created: when(i.created),
            created_iso: rfc3339(i.created),
            reason: i.reason,
            deleted: i.deleted_at.map(when),
            published_before: i.published_before,
            parent,
        });
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "admin/login.html")]
struct LoginPage {
    t: &'static Strings,
    error: Option<&'static str>,
    username: String,
}

pub async fn login_page(headers: HeaderMap) -> Result<Response> {
    page(LoginPage {
        t: i18n::pick(&headers),
        error: None,
        username: String::new(),
    })
}

pub async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../../templates/admin/admin.css"),
    )
        .into_response()
}

/// `POST /admin/login`: at most five failures per IP and per account name in 15 minutes; the answer is the
/// same whether or not the account exists.
pub async fn login(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    let t = i18n::pick(&headers);
    if !auth::origin_allowed(&headers, &state) {
        return Ok(auth::foreign_origin());
    }
    let form = Query::parse(std::str::from_utf8(&body).ok());
    let username = form.one("username").unwrap_or("").trim().to_owned();
    let password = form.one("password").unwrap_or("").to_owned();
    let keys = vec![format!("ip:{ip}"), format!("user:{}", username.to_lowercase())];
    if let Some(wait) = state.login_throttle.locked(&keys) {
        let mut r = (
            StatusCode::TOO_MANY_REQUESTS,
            page(LoginPage {
                t,
                error: Some(t.login_throttled),
                username,
            })?,
        )
            .into_response();
        r.headers_mut().insert(header::RETRY_AFTER, wait.into());
        return Ok(r);
    }
    let name = username.clone();
    let account = state.db.read(move |conn| db::moderators::by_name(conn, &name)).await?;
    let hash = account.as_ref().map(|m| m.password_hash.clone());
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&password, hash.as_deref()))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let Some(moderator) = account.filter(|_| ok) else {
        state.login_throttle.failed(&keys);
        tracing::warn!(%ip, "failed admin login");
        return Ok((
            StatusCode::UNAUTHORIZED,
            page(LoginPage {
                t,
                error: Some(t.login_failed),
                username,
            })?,
        )
            .into_response());
    };
    state.login_throttle.succeeded(&keys);
    let token = auth::new_token();
    let hash = auth::token_hash(&token);
    let now = db::now_ms();
    state
        .db
        .write(move |tx| db::moderators::create_session(tx, &hash, moderator.id, now))
        .await?;
    let mut r = Redirect::to("/admin").into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        auth::session_cookie(&state, &token).parse().expect("cookie is ASCII"),
    );
    Ok(r)
}

pub async fn logout(State(state): State<AppState>, AdminForm { session, .. }: AdminForm) -> Result<Response> {
    let hash = session.token_hash;
    state.db.write(move |tx| db::moderators::end_session(tx, &hash)).await?;
    let mut r = Redirect::to("/admin/login").into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        auth::clear_cookie().parse().expect("cookie is ASCII"),
    );
    Ok(r)
}

#[derive(Template)]
#[template(path = "admin/queue.html")]
struct QueuePage {
    ctx: Ctx,
    rows: Vec<Row>,
    back: String,
    trash: bool,
}

/// `GET /admin`: what waits for approval on this moderator's sites, newest first.
pub async fn queue(session: Session, State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response> {
    let sites = session.moderator.sites.clone();
    let items = state
        .db
        .read(move |conn| db::moderation::queue(conn, sites.as_deref()))
        .await?;
    let rows = rows(&state, session.t, items).await?;
    page(QueuePage {
        ctx: Ctx::new(&session, raw.as_deref()),
        rows,
        back: "/admin".into(),
        trash: false,
    })
}

#[derive(Template)]
#[template(path = "admin/trash.html")]
struct TrashPage {
    ctx: Ctx,
    rows: Vec<Row>,
    back: String,
    trash: bool,
}

pub async fn trash(session: Session, State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response> {
    let sites = session.moderator.sites.clone();
    let items = state
        .db
        .read(move |conn| db::moderation::trash(conn, sites.as_deref()))
        .await?;
    let rows = rows(&state, session.t, items).await?;
    page(TrashPage {
        ctx: Ctx::new(&session, raw.as_deref()),
        rows,
        back: "/admin/trash".into(),
        trash: true,
    })
}

#[derive(Template)]
#[template(path = "admin/comments.html")]
struct BrowsePage {
    ctx: Ctx,
    rows: Vec<Row>,
    back: String,
    trash: bool,
    sites: Vec<String>,
    statuses: Vec<(&'static str, &'static str)>,
    filter_site: String,
    filter_status: String,
    filter_uri: String,
    filter_q: String,
    total: i64,
    prev: Option<String>,
    next: Option<String>,
}

async fn visible_sites(state: &AppState, session: &Session) -> Result<Vec<Site>> {
    let all = state.db.read(db::sites::list).await?;
    Ok(all.into_iter().filter(|s| session.may(&s.id)).collect())
}

/// `GET /admin/comments?site=&status=&uri=&q=&page=`
pub async fn browse(session: Session, State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response> {
    let q = Query::parse(raw.as_deref());
    let filled = |k: &str| q.one(k).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let status = match filled("status").as_deref() {
        Some("published") => Some(Status::Published),
        Some("pending") => Some(Status::Pending),
        Some("deleted") => Some(Status::Deleted),
        Some("spam") => Some(Status::Spam),
        _ => None,
    };
    let filter = db::moderation::Filter {
        site: filled("site"),
        status,
        uri: filled("uri"),
        text: filled("q"),
    };
    let page_no: i64 = q
        .one("page")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let sites = session.moderator.sites.clone();
    let f = filter.clone();
    let (items, total) = state
        .db
        .read(move |conn| db::moderation::browse(conn, sites.as_deref(), &f, (page_no - 1) * PER_PAGE, PER_PAGE))
        .await?;
    let link = |p: i64| {
        let mut u = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [("site", &filter.site), ("uri", &filter.uri), ("q", &filter.text)] {
            if let Some(v) = v {
                u.append_pair(k, v);
            }
        }
        if let Some(s) = filter.status {
            u.append_pair("status", s.as_str());
        }
        u.append_pair("page", &p.to_string());
        format!("/admin/comments?{}", u.finish())
    };
    let t = session.t;
    let rows = rows(&state, t, items).await?;
    page(BrowsePage {
        ctx: Ctx::new(&session, raw.as_deref()),
        rows,
        back: link(page_no),
        trash: false,
        sites: visible_sites(&state, &session)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect(),
        statuses: vec![
            ("published", t.published),
            ("pending", t.pending),
            ("spam", t.spam_status),
            ("deleted", t.deleted),
        ],
        filter_site: filter.site.clone().unwrap_or_default(),
        filter_status: filter.status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        filter_uri: filter.uri.clone().unwrap_or_default(),
        filter_q: filter.text.clone().unwrap_or_default(),
        total,
        prev: (page_no > 1).then(|| link(page_no - 1)),
        next: (page_no * PER_PAGE < total).then(|| link(page_no + 1)),
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Act {
    Approve,
    Spam,
    Delete,
    Ban,
    Restore,
}

/// `POST /admin/moderate`: `act` is `approve`, `spam`, `delete`, `ban` or `restore`, for the selected `id`s,
/// or `approve:ID` (and so on) for one comment.
pub async fn moderate(State(state): State<AppState>, AdminForm { session, form }: AdminForm) -> Result<Response> {
    let act = form.one("act").unwrap_or("");
    let (verb, one) = act.split_once(':').map_or((act, None), |(v, id)| (v, Some(id)));
    let act = match verb {
        "approve" => Act::Approve,
        "spam" => Act::Spam,
        "delete" => Act::Delete,
        "ban" => Act::Ban,
        "restore" => Act::Restore,
        _ => return Err(AppError::BadRequest("unknown action".into()).into()),
    };
    let ids: Vec<i64> = match one {
        Some(id) => id.parse().into_iter().collect(),
        None => form.all("id").filter_map(|v| v.parse().ok()).collect(),
    };
    let back = form
        .one("back")
        .filter(|b| b.starts_with("/admin") && !b.starts_with("//"))
        .unwrap_or("/admin");
    let sites = session.moderator.sites.clone();
    let who = session.moderator.name.clone();
    let now = db::now_ms();
    let changed = state
        .db
        .write(move |tx| {
            let mut changed = 0;
            for id in ids {
                let Some(item) = db::moderation::get(tx, id)? else {
                    continue;
                };
                if sites.as_ref().is_some_and(|s| !s.contains(&item.site)) {
                    continue;
                }
                let name = match act {
                    Act::Approve => {
                        db::moderation::set_status(tx, id, Status::Published)?;
                        "approve"
                    }
                    Act::Spam => {
                        db::moderation::set_status(tx, id, Status::Spam)?;
                        "spam"
                    }
                    Act::Delete => {
                        db::moderation::trash_comment(tx, id, now)?;
                        "delete"
                    }
                    Act::Restore => {
                        if !db::moderation::restore(tx, id)? {
                            continue;
                        }
                        "restore"
                    }
                    Act::Ban => {
                        let reason = format!("comment #{id}");
                        let ban = db::moderation::NewBan {
                            site: Some(&item.site),
                            email: item.email.as_deref(),
                            ip_hash: item.ip_hash.as_deref(),
                            reason: Some(&reason),
                            expires: None,
                            created_by: &who,
                        };
                        if ban.email.is_some() || ban.ip_hash.is_some() {
                            db::moderation::add_ban(tx, &ban, now)?;
                        }
                        db::moderation::set_status(tx, id, Status::Spam)?;
                        "ban"
                    }
                };
                db::moderation::record(tx, now, &who, name, Some(id), None)?;
                changed += 1;
            }
            Ok(changed)
        })
        .await?;
    let sep = if back.contains('?') { '&' } else { '?' };
    Ok(Redirect::to(&format!("{back}{sep}done={changed}")).into_response())
}

pub struct AuditView {
    at: String,
    moderator: String,
    action: String,
    detail: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/comment.html")]
struct CommentPage {
    ctx: Ctx,
    c: Row,
    text: String,
    author: String,
    website: String,
    audit: Vec<AuditView>,
}

async fn load_for(state: &AppState, session: &Session, id: i64) -> Result<Item> {
    let item = state.db.read(move |conn| db::moderation::get(conn, id)).await?;
    Ok(item
        .filter(|i| session.may(&i.site))
        .ok_or(AppError::NotFound("no such comment"))?)
}

/// `GET /admin/comments/{id}`: the comment with an edit form and its moderation history.
pub async fn comment(
    session: Session,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    let item = load_for(&state, &session, id).await?;
    let (text, author, website) = (
        item.text.clone(),
        item.author.clone().unwrap_or_default(),
        item.website.clone().unwrap_or_default(),
    );
    let audit = state
        .db
        .read(move |conn| db::moderation::audit_for(conn, &[id]))
        .await?;
    let c = rows(&state, session.t, vec![item])
        .await?
        .pop()
        .expect("one row in, one row out");
    page(CommentPage {
        ctx: Ctx::new(&session, raw.as_deref()),
        c,
        text,
        author,
        website,
        audit: audit
            .into_iter()
            .map(|a| AuditView {
                at: when(a.at),
                moderator: a.moderator,
                action: a.action,
                detail: a.detail,
            })
            .collect(),
    })
}

/// `POST /admin/comments/{id}`: a moderator's edit, rendered and checked like any comment.
pub async fn save_comment(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    AdminForm { session, form }: AdminForm,
) -> Result<Response> {
    load_for(&state, &session, id).await?;
    let text = CommentText::parse(form.one("text").unwrap_or(""))?;
    let author = AuthorName::parse(form.one("author"))?.map(AuthorName::into_inner);
    let website = Website::parse(form.one("website"))?.map(Website::into_inner);
    let html = render(text.as_str());
    let who = session.moderator.name.clone();
    let now = db::now_ms();
    state
        .db
        .write(move |tx| {
            db::moderation::edit(tx, id, text.as_str(), &html, author.as_deref(), website.as_deref(), now)?;
            db::moderation::record(tx, now, &who, "edit", Some(id), None)
        })
        .await?;
    Ok(Redirect::to(&format!("/admin/comments/{id}?done=1")).into_response())
}

pub struct SiteView {
    id: String,
    name: String,
    origins: String,
    moderation: &'static str,
    max_links: i64,
    blocked_words: String,
    snippet: String,
}

#[derive(Template)]
#[template(path = "admin/sites.html")]
struct SitesPage {
    ctx: Ctx,
    sites: Vec<SiteView>,
    may_add: bool,
    blank: SiteView,
}

pub async fn sites(session: Session, State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response> {
    let sites = visible_sites(&state, &session)
        .await?
        .into_iter()
        .map(|s| SiteView {
            snippet: format!(
                "<div id=\"riposte-thread\"></div>\n<script src=\"{}/embed.js\" data-site=\"{}\" async></script>",
                state.public_url, s.id
            ),
            origins: s.origins.join("\n"),
            moderation: s.moderation.as_str(),
            max_links: s.max_links,
            blocked_words: s.blocked_words.join("\n"),
            id: s.id,
            name: s.name,
        })
        .collect();
    let blank = SiteView {
        id: String::new(),
        name: String::new(),
        origins: String::new(),
        moderation: "none",
        max_links: db::sites::DEFAULT_MAX_LINKS,
        blocked_words: String::new(),
        snippet: String::new(),
    };
    page(SitesPage {
        ctx: Ctx::new(&session, raw.as_deref()),
        sites,
        may_add: session.sites().is_none(),
        blank,
    })
}

/// `POST /admin/sites`: creates a site (moderators of every site only) or changes one.
pub async fn save_site(State(state): State<AppState>, AdminForm { session, form }: AdminForm) -> Result<Response> {
    let id = SiteId::parse(form.one("id").unwrap_or("").trim())?;
    let existing = state.sites.get(id.as_str()).await?;
    let allowed = if existing.is_some() {
        session.may(id.as_str())
    } else {
        session.sites().is_none()
    };
    if !allowed {
        return Err(AppError::Forbidden("you may not manage this site").into());
    }
    let origins = form
        .one("origins")
        .unwrap_or("")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|o| Origin::parse(o).map(Origin::into_inner))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let moderation = Moderation::parse(form.one("moderation").unwrap_or("none"))?;
    let max_links = form
        .one("max_links")
        .unwrap_or("3")
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| crate::domain::FieldError::new("max_links", "must be a whole number, 0 or more"))?;
    let words: Vec<&str> = form.one("blocked_words").unwrap_or("").lines().collect();
    let name = form
        .one("name")
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(id.as_str())
        .to_owned();
    let site = Site {
        id: id.as_str().to_owned(),
        name,
        moderation,
        origins,
        max_links,
        blocked_words: clean_words(&words),
    };
    let who = session.moderator.name.clone();
    let now = db::now_ms();
    state
        .db
        .write(move |tx| {
            db::sites::upsert(tx, &site, now)?;
            db::moderation::record(tx, now, &who, "site", None, Some(&site.id))
        })
        .await?;
    state.sites.refresh().await?;
    Ok(Redirect::to("/admin/sites?done=1").into_response())
}

pub struct BanView {
    id: i64,
    site: String,
    email: String,
    ip_hash: String,
    reason: String,
    by: String,
    expires: String,
}

#[derive(Template)]
#[template(path = "admin/bans.html")]
struct BansPage {
    ctx: Ctx,
    bans: Vec<BanView>,
    sites: Vec<String>,
    all_sites: bool,
}

pub async fn bans(session: Session, State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response> {
    let sites = session.moderator.sites.clone();
    let now = db::now_ms();
    let list = state
        .db
        .read(move |conn| db::moderation::bans(conn, sites.as_deref(), now))
        .await?;
    let t = session.t;
    page(BansPage {
        ctx: Ctx::new(&session, raw.as_deref()),
        bans: list
            .into_iter()
            .map(|b| BanView {
                id: b.id,
                site: b.site.unwrap_or_else(|| t.all_sites.into()),
                email: b.email.unwrap_or_default(),
                ip_hash: b.ip_hash.unwrap_or_default(),
                reason: b.reason.unwrap_or_default(),
                by: format!("{}, {}", b.created_by, when(b.created)),
                expires: b.expires.map(when).unwrap_or_else(|| t.never.into()),
            })
            .collect(),
        sites: visible_sites(&state, &session)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect(),
        all_sites: session.sites().is_none(),
    })
}

/// `POST /admin/bans`: bans an email and/or IP hash on one site (or all, for moderators of every site).
pub async fn add_ban(State(state): State<AppState>, AdminForm { session, form }: AdminForm) -> Result<Response> {
    let site = form
        .one("site")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    match &site {
        Some(s) if !session.may(s) => return Err(AppError::Forbidden("you may not manage this site").into()),
        None if session.sites().is_some() => return Err(AppError::Forbidden("you may not ban on every site").into()),
        _ => {}
    }
    let email = Email::parse(form.one("email"))?.map(Email::into_inner);
    let ip_hash = form
        .one("ip_hash")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    if email.is_none() && ip_hash.is_none() {
        return Err(crate::domain::FieldError::new("email", "give an email, an IP hash or both").into());
    }
    let days = match form.one("days").map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => Some(
            d.parse::<i64>()
                .ok()
                .filter(|d| (1..=36_500).contains(d))
                .ok_or_else(|| crate::domain::FieldError::new("days", "must be a number of days"))?,
        ),
        None => None,
    };
    let reason = form
        .one("reason")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let who = session.moderator.name.clone();
    let now = db::now_ms();
    state
        .db
        .write(move |tx| {
            let ban = db::moderation::NewBan {
                site: site.as_deref(),
                email: email.as_deref(),
                ip_hash: ip_hash.as_deref(),
                reason: reason.as_deref(),
                expires: days.map(|d| now + d * 86_400_000),
                created_by: &who,
            };
            let id = db::moderation::add_ban(tx, &ban, now)?;
            db::moderation::record(tx, now, &who, "ban", None, Some(&format!("ban #{id}")))
        })
        .await?;
    Ok(Redirect::to("/admin/bans?done=1").into_response())
}

pub async fn remove_ban(State(state): State<AppState>, AdminForm { session, form }: AdminForm) -> Result<Response> {
    let id: i64 = form
        .one("id")
        .and_then(|v| v.parse().ok())
        .ok_or(AppError::NotFound("no such ban"))?;
    let sites = session.moderator.sites.clone();
    let who = session.moderator.name.clone();
    let now = db::now_ms();
    let removed = state
        .db
        .write(move |tx| {
            let removed = db::moderation::remove_ban(tx, id, sites.as_deref())?;
            if removed {
                db::moderation::record(tx, now, &who, "unban", None, Some(&format!("ban #{id}")))?;
            }
            Ok(removed)
        })
        .await?;
    if !removed {
        return Err(AppError::NotFound("no such ban").into());
    }
    Ok(Redirect::to("/admin/bans?done=1").into_response())
}

#[derive(Template)]
#[template(path = "admin/privacy.html")]
struct PrivacyPage {
    ctx: Ctx,
    erased: Option<String>,
}

fn every_site(session: &Session) -> Result<()> {
    match session.sites() {
        None => Ok(()),
        Some(_) => Err(AppError::Forbidden("only moderators of every site handle privacy requests").into()),
    }
}

/// `GET /admin/privacy`: export or erase everything stored for one email address (GDPR).
pub async fn privacy(session: Session, RawQuery(raw): RawQuery) -> Result<Response> {
    every_site(&session)?;
    let erased = Query::parse(raw.as_deref()).one("erased").map(str::to_owned);
    page(PrivacyPage {
        ctx: Ctx::new(&session, raw.as_deref()),
        erased,
    })
}

fn privacy_email(form: &Query) -> Result<String> {
    Email::parse(form.one("email"))?
        .map(Email::into_inner)
        .ok_or_else(|| AppError::from(crate::domain::FieldError::new("email", "give the email address")).into())
}

pub async fn privacy_export(State(state): State<AppState>, AdminForm { session, form }: AdminForm) -> Result<Response> {
    every_site(&session)?;
    let email = privacy_email(&form)?;
    let e = email.clone();
    let export = state.db.read(move |conn| db::privacy::export(conn, &e)).await?;
    let json = serde_json::to_vec_pretty(&export).map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"riposte-export.json\"".to_owned(),
            ),
        ],
        json,
    )
        .into_response())
}

pub async fn privacy_erase(State(state): State<AppState>, AdminForm { session, form }: AdminForm) -> Result<Response> {
    every_site(&session)?;
    let email = privacy_email(&form)?;
    let who = session.moderator.name.clone();
    let now = db::now_ms();
    let erased = state
        .db
        .write(move |tx| db::privacy::erase(tx, &email, now, &who))
        .await?;
    Ok(Redirect::to(&format!("/admin/privacy?done=1&erased={erased}")).into_response())
}
