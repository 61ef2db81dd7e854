//! The public JSON API the widget speaks, under `/api/v1`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, extract::rejection::PathRejection};
use serde::{Deserialize, Serialize};

use crate::db::{self, comments::Changes, sites::Site};
use crate::domain::{
    AuthorName, CommentText, Email, FieldError, Moderation, PageTitle, PageUri, Status, Website, non_blank,
};
use crate::error::{ApiJson, AppError, Result};
use crate::moderation;
use crate::net::ClientIp;
use crate::render::render;
use crate::state::AppState;

/// Replies deeper than this are attached to their parent's parent, so that no thread nests without bound.
pub const MAX_DEPTH: i64 = 50;
/// Pages per counts request.
pub const MAX_COUNT_URIS: usize = 100;

/// A comment as the widget sees it: never an email, an IP hash or a token.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CommentOut {
    pub id: i64,
    pub parent: Option<i64>,
    pub author: Option<String>,
    pub website: Option<String>,
    pub html: String,
    pub created: String,
    pub edited: Option<String>,
    pub status: Status,
    pub likes: i64,
    pub dislikes: i64,
    pub avatar: String,
    #[schema(no_recursion)]
    pub replies: Vec<CommentOut>,
}

impl From<db::comments::Row> for CommentOut {
    fn from(r: db::comments::Row) -> Self {
        let deleted = r.status == Status::Deleted;
        Self {
            id: r.id,
            parent: r.parent,
            author: if deleted { None } else { r.author },
            website: if deleted { None } else { r.website },
            html: if deleted { String::new() } else { r.html },
            created: rfc3339(r.created),
            edited: r.edited.map(rfc3339),
            status: r.status,
            likes: r.likes,
            dislikes: r.dislikes,
            avatar: if deleted { String::new() } else { r.avatar },
            replies: Vec::new(),
        }
    }
}

impl CommentOut {
    /// A comment as its author may see it: spam looks exactly like a held comment, so a banned commenter
    /// cannot tell.
    fn for_author(row: db::comments::Row) -> Self {
        let mut out = Self::from(row);
        if out.status == Status::Spam {
            out.status = Status::Pending;
        }
        out
    }
}

pub fn rfc3339(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Query parameters, repeated keys allowed (`uri=a&uri=b`).
pub struct Query(Vec<(String, String)>);

impl Query {
    pub fn parse(raw: Option<&str>) -> Self {
        Self(
            url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
                .into_owned()
                .collect(),
        )
    }

    pub fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    pub fn one<'a>(&'a self, key: &'a str) -> Option<&'a str> {
        self.all(key).next()
    }

    pub fn required<'a>(&'a self, key: &'a str) -> Result<&'a str> {
        self.one(key)
            .ok_or_else(|| AppError::BadRequest(format!("the query parameter {key} is missing")))
    }
}

pub async fn known_site(state: &AppState, id: &str) -> Result<Arc<Site>> {
    state.sites.get(id).await?.ok_or(AppError::NotFound("no such site"))
}

/// Browsers name the page that sends a write; only the site's own pages may write. A request without an
/// `Origin` header comes from a non-browser client, where CSRF is not a risk.
fn check_origin(headers: &HeaderMap, site: &Site) -> Result<()> {
    match headers.get(header::ORIGIN) {
        None => Ok(()),
        Some(origin) if site.origins.iter().any(|o| o.as_bytes() == origin.as_bytes()) => Ok(()),
        Some(_) => Err(AppError::Forbidden("this origin may not write to this site")),
    }
}

fn comment_id(path: std::result::Result<Path<i64>, PathRejection>) -> Result<i64> {
    path.map(|Path(id)| id)
        .map_err(|_| AppError::NotFound("no such comment"))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ThreadOut {
    site: String,
    uri: String,
    title: Option<String>,
    total: i64,
    comments: Vec<CommentOut>,
    /// Pass as `after` to get the next page; `null` on the last page.
    next: Option<i64>,
}

/// Top-level comments per page by default, and at most.
pub const PAGE_DEFAULT: i64 = 100;
pub const PAGE_MAX: i64 = 500;

fn number(q: &Query, key: &'static str, default: i64, range: std::ops::RangeInclusive<i64>) -> Result<i64> {
    match q.one(key) {
        None => Ok(default),
        Some(v) => v.parse::<i64>().ok().filter(|n| range.contains(n)).ok_or_else(|| {
            FieldError::new(
                key,
                format!("must be a number from {} to {}", range.start(), range.end()),
            )
            .into()
        }),
    }
}

#[utoipa::path(get, path = "/api/v1/threads", tag = "threads",
    params(
        ("site" = String, Query, description = "site id", example = "demo"),
        ("uri" = String, Query, description = "page path, starting with /", example = "/"),
        ("limit" = Option<i64>, Query, description = "top-level comments per page, 1 to 500 (default 100)"),
        ("after" = Option<i64>, Query, description = "the `next` of the previous page"),
    ),
    responses(
        (status = 200, description = "the page's thread", body = ThreadOut),
        (status = 400, description = "malformed request", body = crate::error::ErrorBody),
        (status = 404, description = "unknown site or comment", body = crate::error::ErrorBody),
        (status = 422, description = "a field broke its rule", body = crate::error::ErrorBody),
        (status = 429, description = "rate limit; see Retry-After", body = crate::error::ErrorBody)
    ))]
/// `GET /api/v1/threads?site=S&uri=U[&limit=N][&after=ID]`
pub async fn thread(State(state): State<AppState>, RawQuery(raw): RawQuery, headers: HeaderMap) -> Result<Response> {
    let q = Query::parse(raw.as_deref());
    let site = known_site(&state, q.required("site")?).await?;
    let uri = PageUri::parse(q.required("uri")?)?;
    let limit = number(&q, "limit", PAGE_DEFAULT, 1..=PAGE_MAX)?;
    let after = number(&q, "after", 0, 0..=i64::MAX)?;
    let cache_key = format!("thread\0{}\0{}\0{limit}\0{after}", site.id, uri.as_str());
    // Read the generation before the data: a write that lands in between makes this entry stale at once.
    let generation = state.db.generation();
    if let Some(hit) = state.cache.get(&cache_key, generation) {
        return Ok(hit.respond(&headers));
    }
    let site_id = site.id.clone();
    let key = uri.as_str().to_owned();
    let (title, total, rows, more) = state
        .db
        .read(move |conn| match db::threads::find(conn, &site_id, &key)? {
            Some(t) => {
                let (rows, more) = db::comments::page(conn, t.id, after, limit)?;
                Ok((t.title, t.published, rows, more))
            }
            None => Ok((None, 0, Vec::new(), false)),
        })
        .await?;
    let next = if more {
        rows.iter().filter(|r| r.parent.is_none()).map(|r| r.id).max()
    } else {
        None
    };
    let out = ThreadOut {
        site: site.id.clone(),
        uri: uri.as_str().to_owned(),
        title,
        total,
        comments: build_tree(rows),
        next,
    };
    let json = serde_json::to_vec(&out).map_err(|e| AppError::Internal(e.into()))?;
    Ok(state.cache.put(cache_key, generation, json).respond(&headers))
}

/// Nests rows (oldest first) into their tree. Placeholders of deleted comments are kept only where a
/// published reply hangs below them; replies whose parent is not shown are not shown either.
fn build_tree(rows: Vec<db::comments::Row>) -> Vec<CommentOut> {
    let index: std::collections::HashMap<i64, usize> = rows.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    let parent_of: Vec<Option<usize>> = rows
        .iter()
        .map(|r| r.parent.and_then(|p| index.get(&p).copied()))
        .collect();
    // A reply's parent is older, so one pass from the newest up settles which placeholders are needed.
    let mut shown: Vec<bool> = rows.iter().map(|r| r.status == Status::Published).collect();
    for i in (0..rows.len()).rev() {
        if shown[i] {
            if let Some(p) = parent_of[i] {
                shown[p] = true;
            }
        }
    }
    // Orphans (parent hidden or gone) are hidden, top-down.
    for i in 0..rows.len() {
        if rows[i].parent.is_some() && parent_of[i].is_none_or(|p| !shown[p]) {
            shown[i] = false;
        }
    }
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); rows.len()];
    let mut roots = Vec::new();
    for i in 0..rows.len() {
        if !shown[i] {
            continue;
        }
        match parent_of[i] {
            Some(p) => children[p].push(i),
            None => roots.push(i),
        }
    }
    let mut slots: Vec<Option<db::comments::Row>> = rows.into_iter().map(Some).collect();
    fn nest(i: usize, slots: &mut [Option<db::comments::Row>], children: &[Vec<usize>]) -> CommentOut {
        let mut out = CommentOut::from(slots[i].take().expect("each row is nested once"));
        out.replies = children[i].iter().map(|&c| nest(c, slots, children)).collect();
        out
    }
    roots.into_iter().map(|i| nest(i, &mut slots, &children)).collect()
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"site": "demo", "uri": "/", "text": "Hallo *Welt*", "author": "Anna"}))]
pub struct NewCommentIn {
    #[schema(pattern = "^[a-z0-9._-]{1,64}$")]
    site: String,
    #[schema(pattern = "^/", max_length = 2000)]
    uri: String,
    #[schema(max_length = 300)]
    title: Option<String>,
    parent: Option<i64>,
    #[schema(max_length = 100)]
    author: Option<String>,
    #[schema(max_length = 254)]
    email: Option<String>,
    #[schema(max_length = 500)]
    website: Option<String>,
    #[schema(min_length = 1, max_length = 10000)]
    text: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedOut {
    comment: CommentOut,
    edit_token: String,
    editable_until: String,
}

enum Created {
    Ok(i64),
    BadParent,
}

#[utoipa::path(post, path = "/api/v1/comments", tag = "comments", request_body = NewCommentIn,
    responses(
        (status = 201, description = "published", body = CreatedOut),
        (status = 202, description = "held for moderation", body = CreatedOut),
        (status = 400, description = "malformed request", body = crate::error::ErrorBody),
        (status = 403, description = "wrong origin, token or edit window", body = crate::error::ErrorBody),
        (status = 404, description = "unknown site or comment", body = crate::error::ErrorBody),
        (status = 413, description = "body over 64 KiB", body = crate::error::ErrorBody),
        (status = 415, description = "not application/json", body = crate::error::ErrorBody),
        (status = 422, description = "a field broke its rule", body = crate::error::ErrorBody),
        (status = 429, description = "rate limit; see Retry-After", body = crate::error::ErrorBody)
    ))]
/// `POST /api/v1/comments`
pub async fn create(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<NewCommentIn>,
) -> Result<Response> {
    let site = known_site(&state, &input.site).await?;
    check_origin(&headers, &site)?;
    let uri = PageUri::parse(&input.uri)?;
    let title = PageTitle::parse(input.title.as_deref())?.map(PageTitle::into_inner);
    let text = CommentText::parse(&input.text)?;
    let author = AuthorName::parse(input.author.as_deref())?.map(AuthorName::into_inner);
    let email = Email::parse(input.email.as_deref())?;
    let website = Website::parse(input.website.as_deref())?.map(Website::into_inner);
    let html = render(text.as_str());
    let [ip_hash, ip_hash_before] = state.keys.ip_hashes(ip);
    let avatar = state.keys.avatar(&match &email {
        Some(e) => e.as_str().to_lowercase(),
        None => format!("{}|{ip_hash}", author.as_deref().unwrap_or("")),
    });
    let email = email.map(Email::into_inner);
    let created = db::now_ms();
    let parent = input.parent;
    let site_id = site.id.clone();

    let (outcome, status) = state
        .db
        .write(move |tx| {
            let (parent, root, depth) = match parent {
                None => (None, None, 0),
                Some(pid) => {
                    let thread = db::threads::find(tx, &site_id, uri.as_str())?;
                    let meta = db::comments::meta(tx, pid)?;
                    match (thread, meta) {
                        (Some(t), Some(m)) if m.thread_id == t.id && m.status == Status::Published => {
                            if m.depth + 1 > MAX_DEPTH {
                                (m.parent, Some(m.root), m.depth)
                            } else {
                                (Some(m.id), Some(m.root), m.depth + 1)
                            }
                        }
                        _ => return Ok((Created::BadParent, Status::Pending)),
                    }
                }
            };
            let banned =
                db::moderation::is_banned(tx, &site.id, email.as_deref(), [&ip_hash, &ip_hash_before], created)?;
            let known_email = match &email {
                Some(e) if site.moderation == Moderation::FirstTime => {
                    db::comments::email_has_published(tx, &site.id, e)?
                }
                _ => false,
            };
            let facts = moderation::Facts {
                html: &html,
                fields: [
                    text.as_str(),
                    author.as_deref().unwrap_or(""),
                    website.as_deref().unwrap_or(""),
                ],
                banned,
                known_email,
                has_email: email.is_some(),
            };
            let verdict = moderation::decide(&site, &facts);
            let status = verdict.status;
            let thread_id = db::threads::get_or_create(tx, &site_id, uri.as_str(), title.as_deref(), created)?;
            let id = db::comments::insert(
                tx,
                &db::comments::NewComment {
                    thread_id,
                    parent,
                    root,
                    depth,
                    status,
                    author: author.as_deref(),
                    email: email.as_deref(),
                    website: website.as_deref(),
                    text: text.as_str(),
                    html: &html,
                    avatar: &avatar,
                    ip_hash: &ip_hash,
                    created,
                    held_reason: verdict.reason.as_deref(),
                },
            )?;
            Ok((Created::Ok(id), status))
        })
        .await?;
    let id = match outcome {
        Created::Ok(id) => id,
        Created::BadParent => {
            return Err(FieldError::new("parent", "must be a published comment on the same page").into());
        }
    };
    let row = state.db.read(move |conn| db::comments::get(conn, id)).await?;
    let comment = CommentOut::for_author(row.ok_or_else(|| anyhow::anyhow!("comment {id} vanished after insert"))?);
    let code = if status == Status::Published {
        StatusCode::CREATED
    } else {
        StatusCode::ACCEPTED
    };
    let body = CreatedOut {
        comment,
        edit_token: state.keys.edit_token(id, created),
        editable_until: rfc3339(created + state.config.edit_window().as_millis() as i64),
    };
    Ok((code, Json(body)).into_response())
}

/// Loads a comment for a change by its author: it must exist and not be deleted, the bearer token must be
/// its edit token, the edit window must be open, and the request must come from one of its site's origins.
async fn authorize_edit(state: &AppState, id: i64, headers: &HeaderMap) -> Result<db::comments::Meta> {
    let meta = state.db.read(move |conn| db::comments::meta(conn, id)).await?;
    let meta = meta
        .filter(|m| matches!(m.status, Status::Published | Status::Pending | Status::Spam))
        .ok_or(AppError::NotFound("no such comment"))?;
    let token = bearer(headers).ok_or(AppError::Forbidden("an edit token is required"))?;
    if !state.keys.verify_edit_token(meta.id, meta.created, token) {
        return Err(AppError::Forbidden("the edit token does not fit this comment"));
    }
    if db::now_ms() > meta.created + state.config.edit_window().as_millis() as i64 {
        return Err(AppError::Forbidden("the time to edit or delete this comment is over"));
    }
    let site = known_site(state, &meta.site_id).await?;
    check_origin(headers, &site)?;
    Ok(meta)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
}

#[utoipa::path(get, path = "/api/v1/comments/{id}", tag = "comments",
    params(("id" = i64, Path, description = "comment id", example = 1)),
    security((), ("edit_token" = [])),
    responses(
        (status = 200, description = "the comment", body = EditedOut),
        (status = 404, description = "unknown site or comment", body = crate::error::ErrorBody),
        (status = 429, description = "rate limit; see Retry-After", body = crate::error::ErrorBody)
    ))]
/// `GET /api/v1/comments/{id}`: a published comment to anyone; a held one only with its edit token, so that
/// its author sees it "awaiting moderation".
pub async fn one(
    State(state): State<AppState>,
    path: std::result::Result<Path<i64>, PathRejection>,
    headers: HeaderMap,
) -> Result<Json<EditedOut>> {
    let id = comment_id(path)?;
    let row = state.db.read(move |conn| db::comments::get(conn, id)).await?;
    let row = row.ok_or(AppError::NotFound("no such comment"))?;
    let visible = match row.status {
        Status::Published => true,
        Status::Pending | Status::Spam => {
            bearer(&headers).is_some_and(|t| state.keys.verify_edit_token(row.id, row.created, t))
        }
        Status::Deleted => false,
    };
    if !visible {
        return Err(AppError::NotFound("no such comment"));
    }
    Ok(Json(EditedOut {
        comment: CommentOut::for_author(row),
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct EditIn {
    text: Option<String>,
    author: Option<String>,
    website: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct EditedOut {
    comment: CommentOut,
}

#[utoipa::path(patch, path = "/api/v1/comments/{id}", tag = "comments", request_body = EditIn,
    params(("id" = i64, Path, description = "comment id", example = 1)),
    security(("edit_token" = [])),
    responses(
        (status = 200, description = "the edited comment", body = EditedOut),
        (status = 400, description = "malformed request", body = crate::error::ErrorBody),
        (status = 403, description = "wrong origin, token or edit window", body = crate::error::ErrorBody),
        (status = 404, description = "unknown site or comment", body = crate::error::ErrorBody),
        (status = 413, description = "body over 64 KiB", body = crate::error::ErrorBody),
        (status = 415, description = "not application/json", body = crate::error::ErrorBody),
        (status = 422, description = "a field broke its rule", body = crate::error::ErrorBody),
        (status = 429, description = "rate limit; see Retry-After", body = crate::error::ErrorBody)
    ))]
/// `PATCH /api/v1/comments/{id}`
pub async fn edit(
    State(state): State<AppState>,
    path: std::result::Result<Path<i64>, PathRejection>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<EditIn>,
) -> Result<Json<EditedOut>> {
    let id = comment_id(path)?;
    let meta = authorize_edit(&state, id, &headers).await?;
    let mut changes = Changes::default();
    if let Some(text) = &input.text {
        let text = CommentText::parse(text)?;
        let html = render(text.as_str());
        changes.text = Some((text.as_str().to_owned(), html));
    }
    if let Some(author) = &input.author {
        changes.author = Some(AuthorName::parse(Some(author))?.map(AuthorName::into_inner));
    }
    if let Some(website) = &input.website {
        changes.website = Some(Website::parse(non_blank(Some(website)))?.map(Website::into_inner));
    }
    let now = db::now_ms();
    let site = known_site(&state, &meta.site_id).await?;
    let row = state
        .db
        .write(move |tx| {
            db::comments::update(tx, id, &changes, now)?;
            let Some(row) = db::comments::get(tx, id)? else {
                return Ok(None);
            };
            // Spammers post something harmless and edit the links in later: edits meet the same rules.
            let text: String = tx.query_row("SELECT text FROM comments WHERE id = ?1", [id], |r| r.get(0))?;
            let fields = [
                text.as_str(),
                row.author.as_deref().unwrap_or(""),
                row.website.as_deref().unwrap_or(""),
            ];
            if let Some(reason) = moderation::content_rule(&site, &row.html, fields) {
                db::moderation::hold(tx, id, &reason)?;
                return db::comments::get(tx, id);
            }
            Ok(Some(row))
        })
        .await?;
    let row = row.ok_or(AppError::NotFound("no such comment"))?;
    Ok(Json(EditedOut {
        comment: CommentOut::for_author(row),
    }))
}

#[utoipa::path(delete, path = "/api/v1/comments/{id}", tag = "comments",
    params(("id" = i64, Path, description = "comment id", example = 1)),
    security(("edit_token" = [])),
    responses(
        (status = 204, description = "deleted"),
        (status = 403, description = "wrong origin, token or edit window", body = crate::error::ErrorBody),
        (status = 404, description = "unknown site or comment", body = crate::error::ErrorBody),
        (status = 429, description = "rate limit; see Retry-After", body = crate::error::ErrorBody)
    ))]
/// `DELETE /api/v1/comments/{id}`
pub async fn delete(
    State(state): State<AppState>,
    path: std::result::Result<Path<i64>, PathRejection>,
    headers: HeaderMap,
) -> Result<StatusCode> {
    let id = comment_id(path)?;
    authorize_edit(&state, id, &headers).await?;
    state.db.write(move |tx| db::comments::remove(tx, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct VoteIn {
    /// 1 (like) or -1 (dislike).
    #[schema(minimum = -1, maximum = 1, example = 1)]
    value: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct VotesOut {
    likes: i64,
    dislikes: i64,
}

#[utoipa::path(post, path = "/api/v1/comments/{id}/vote", tag = "comments", request_body = VoteIn,
    params(("id" = i64, Path, description = "comment id", example = 1)),
    responses(
        (status = 200, description = "the comment's votes", body = VotesOut),
        (status = 400, description = "malformed request", body = crate::error::ErrorBody),
        (status = 403, description = "wrong origin, token or edit window", body = crate::error::ErrorBody),
        (status = 404, description = "unknown site or comment", body = crate::error::ErrorBody),
        (status = 413, description = "body over 64 KiB", body = crate::error::ErrorBody),
        (status = 415, description = "not application/json", body = crate::error::ErrorBody),
        (status = 422, description = "a field broke its rule", body = crate::error::ErrorBody),
        (status = 429, description = "rate limit; see Retry-After", body = crate::error::ErrorBody)
    ))]
/// `POST /api/v1/comments/{id}/vote`
pub async fn vote(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    path: std::result::Result<Path<i64>, PathRejection>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<VoteIn>,
) -> Result<Json<VotesOut>> {
    let id = comment_id(path)?;
    if !matches!(input.value, 1 | -1) {
        return Err(FieldError::new("value", "must be 1 or -1").into());
    }
    let meta = state.db.read(move |conn| db::comments::meta(conn, id)).await?;
    let meta = meta.ok_or(AppError::NotFound("no such comment"))?;
    check_origin(&headers, &*known_site(&state, &meta.site_id).await?)?;
    let voter = state.keys.ip_hashes(ip);
    let value = input.value;
    let result = state
        .db
        .write(move |tx| db::comments::vote(tx, id, &voter, value))
        .await?;
    let (likes, dislikes) = result.ok_or(AppError::NotFound("no such comment"))?;
    Ok(Json(VotesOut { likes, dislikes }))
}

#[utoipa::path(get, path = "/api/v1/counts", tag = "threads",
    params(
        ("site" = String, Query, description = "site id", example = "demo"),
        ("uri" = Vec<String>, Query, explode, description = "page paths, up to 100"),
    ),
    responses(
        (status = 200, description = "published comments per page", body = std::collections::HashMap<String, i64>),
        (status = 400, description = "malformed request", body = crate::error::ErrorBody),
        (status = 404, description = "unknown site or comment", body = crate::error::ErrorBody),
        (status = 422, description = "a field broke its rule", body = crate::error::ErrorBody),
        (status = 429, description = "rate limit; see Retry-After", body = crate::error::ErrorBody)
    ))]
/// `GET /api/v1/counts?site=S&uri=U1&uri=U2...`
pub async fn counts(State(state): State<AppState>, RawQuery(raw): RawQuery, headers: HeaderMap) -> Result<Response> {
    let q = Query::parse(raw.as_deref());
    let site = known_site(&state, q.required("site")?).await?;
    let uris: Vec<String> = q.all("uri").map(str::to_owned).collect();
    if uris.len() > MAX_COUNT_URIS {
        return Err(FieldError::new("uri", "at most 100 pages per request").into());
    }
    for uri in &uris {
        PageUri::parse(uri)?;
    }
    let cache_key = format!("counts\0{}\0{}", site.id, uris.join("\0"));
    let generation = state.db.generation();
    if let Some(hit) = state.cache.get(&cache_key, generation) {
        return Ok(hit.respond(&headers));
    }
    let mut out: BTreeMap<String, i64> = uris.iter().map(|u| (u.clone(), 0)).collect();
    if !uris.is_empty() {
        let site_id = site.id.clone();
        out.extend(
            state
                .db
                .read(move |conn| db::comments::counts(conn, &site_id, &uris))
                .await?,
        );
    }
    let json = serde_json::to_vec(&out).map_err(|e| AppError::Internal(e.into()))?;
    Ok(state.cache.put(cache_key, generation, json).respond(&headers))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PreviewIn {
    #[schema(min_length = 1, max_length = 10000, example = "Hallo *Welt*")]
    text: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PreviewOut {
    html: String,
}

#[utoipa::path(post, path = "/api/v1/preview", tag = "comments", request_body = PreviewIn,
    responses(
        (status = 200, description = "the rendered HTML", body = PreviewOut),
        (status = 400, description = "malformed request", body = crate::error::ErrorBody),
        (status = 413, description = "body over 64 KiB", body = crate::error::ErrorBody),
        (status = 415, description = "not application/json", body = crate::error::ErrorBody),
        (status = 422, description = "a field broke its rule", body = crate::error::ErrorBody),
        (status = 429, description = "rate limit; see Retry-After", body = crate::error::ErrorBody)
    ))]
/// `POST /api/v1/preview`
pub async fn preview(ApiJson(input): ApiJson<PreviewIn>) -> Result<Json<PreviewOut>> {
    let text = CommentText::parse(&input.text)?;
    Ok(Json(PreviewOut {
        html: render(text.as_str()),
    }))
}
