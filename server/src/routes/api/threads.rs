//! Reading threads: `GET /api/v1/threads` (one page of a thread, as JSON or as an HTML fragment) and
//! `GET /api/v1/counts` (comments per page).

use std::collections::{BTreeMap, HashMap};

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use serde::Serialize;
use tracing::instrument;

use super::openapi::ReadErrors;
use super::{CommentOut, known_site};
use crate::domain::comment::{ReplyCursor, ThreadPage};
use crate::domain::site::Sort;
use crate::domain::time::now_ms;
use crate::domain::{Comment, FieldError, PageUri, Status};
use crate::error::{AppError, Result};
use crate::http::query::Query;
use crate::routes::page::fragment;
use crate::state::AppState;

/// Pages per counts request.
pub const MAX_COUNT_URIS: usize = 100;

#[derive(Serialize, utoipa::ToSchema)]
pub struct ThreadOut {
    site: String,
    uri: String,
    title: Option<String>,
    total: i64,
    comments: Vec<CommentOut>,
    /// Pass as `after` to get the next page; `null` on the last page.
    next: Option<i64>,
    /// Whether this server mails reply notifications: the widget then offers them under the email field.
    notify: bool,
    /// The thread takes no new comments (closed by a moderator or by the site's age rule); posts get 403
    /// `thread_closed`.
    closed: bool,
    /// The order of this answer's top-level comments (the `sort` asked for, or the site's default).
    #[schema(value_type = String, example = "oldest")]
    sort: &'static str,
    /// The thread's newest live-update event when this answer was made: pass it as `last_event_id` to
    /// `GET /api/v1/events` so that nothing posted in between is missed.
    last_event: i64,
}

/// Top-level comments per page by default, and at most.
pub const PAGE_DEFAULT: i64 = 100;
pub const PAGE_MAX: i64 = 500;

pub(in crate::routes) fn number(
    q: &Query,
    key: &'static str,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64> {
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
        ("sort" = Option<String>, Query, description = "oldest, newest or top (most liked); the site's default when left out"),
        ("lang" = Option<String>, Query, description = "with `Accept: text/html`: the fragment's language (default: the site's)"),
    ),
    responses(
        (status = 200, description = "the page's thread (with `Accept: text/html`, as an HTML fragment of the widget's markup)",
            content((ThreadOut = "application/json"), (String = "text/html"))),
        ReadErrors
    ))]
/// `GET /api/v1/threads?site=S&uri=U[&limit=N][&after=ID][&sort=oldest|newest|top]`; with `Accept: text/html`, the same page as an
/// HTML fragment of the widget's markup (`[&lang=xx]`, else the site's language).
#[instrument(level = "debug", skip_all)]
pub async fn thread(State(state): State<AppState>, RawQuery(raw): RawQuery, headers: HeaderMap) -> Result<Response> {
    let q = Query::parse(raw.as_deref());
    let (_, site) = known_site(&state, q.required("site")?).await?;
    let uri = PageUri::parse(q.required("uri")?)?;
    let limit = number(&q, "limit", PAGE_DEFAULT, 1..=PAGE_MAX)?;
    let after = number(&q, "after", 0, 0..=i64::MAX)?;
    let sort = match q.one("sort") {
        Some(s) => Sort::parse(s)?,
        None => site.sort,
    };
    // Read the generation before the data: a write that lands in between makes this entry stale at once.
    state.store.caught_up().await;
    let generation = state.store.thread_generation(&site.id, uri.as_str());
    // A site that closes threads by age: answers say `closed` as of the hour they were made.
    let hour = site.close_after_days.map_or(0, |_| now_ms() / 3_600_000);
    let html = fragment::wanted(&headers);
    let answer = if html {
        let t = fragment::language(q.one("lang"), &site);
        let cache_key = format!(
            "thread.html\0{}\0{}\0{limit}\0{after}\0{}\0{}\0{hour}",
            site.id,
            uri.as_str(),
            sort.as_str(),
            t.lang
        );
        match state.cache.get(&cache_key, generation) {
            Some(hit) => hit,
            None => {
                let page = state
                    .store
                    .thread_page(site.clone(), uri.clone(), sort, after, limit, now_ms())
                    .await?;
                let (site, public) = (site.id.clone(), state.public_url.clone());
                let html = off_workers(page.comments.len(), move || {
                    fragment::render(&public, &site, uri.as_str(), t, (limit, sort), nest(page))
                })
                .await?;
                state.cache.put_as(cache_key, generation, html, fragment::CONTENT_TYPE)
            }
        }
    } else {
        let cache_key = format!(
            "thread\0{}\0{}\0{limit}\0{after}\0{}\0{hour}",
            site.id,
            uri.as_str(),
            sort.as_str()
        );
        state
            .cache
            .get_or_build(cache_key, generation, || async {
                let page = state
                    .store
                    .thread_page(site.clone(), uri.clone(), sort, after, limit, now_ms())
                    .await?;
                let (site, uri) = (site.id.clone(), uri.as_str().to_owned());
                let notify = state.store.mail_on();
                off_workers(page.comments.len(), move || {
                    let last_event = page.last_event;
                    let nested = nest(page);
                    serde_json::to_vec(&ThreadOut {
                        site,
                        uri,
                        title: nested.title,
                        total: nested.total,
                        comments: nested.comments,
                        next: nested.next,
                        notify,
                        closed: nested.closed,
                        sort: sort.as_str(),
                        last_event,
                    })
                })
                .await
            })
            .await?
    };
    let mut response = answer.respond(&headers);
    let h = response.headers_mut();
    // One URL, two representations: caches must keep them apart.
    h.append(header::VARY, HeaderValue::from_static("Accept"));
    if html {
        // Opened in a browser, the fragment is a page on the admin UI's origin: no script, no frames, a
        // sandbox, whatever the sanitizer let through. Build tools ignore these.
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; style-src 'self'; img-src 'self'; sandbox"),
        );
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    Ok(response)
}

/// A thread page's rows nested into their tree, with where each long branch and the thread go on.
pub struct Nested {
    pub title: Option<String>,
    pub total: i64,
    pub comments: Vec<CommentOut>,
    /// The `after` of the next page; `None` on the last.
    pub next: Option<i64>,
    pub closed: bool,
}

pub fn nest(page: ThreadPage) -> Nested {
    let mut comments = build_tree(page.comments, false);
    for c in &mut comments {
        c.replies_next = page.replies_next.get(&c.id).map(ReplyCursor::to_string);
    }
    Nested {
        title: page.title,
        total: page.total,
        comments,
        next: page.next,
        closed: page.closed,
    }
}

/// Answers with more rows than this are nested and serialized on the blocking pool, not on an async worker.
const BUILD_INLINE_ROWS: usize = 200;

pub(in crate::routes) async fn off_workers<F, E>(rows: usize, build: F) -> Result<Vec<u8>>
where
    F: FnOnce() -> std::result::Result<Vec<u8>, E> + Send + 'static,
    E: std::error::Error + Send + Sync + 'static,
{
    let body = if rows > BUILD_INLINE_ROWS {
        tokio::task::spawn_blocking(build)
            .await
            .map_err(|e| AppError::Internal(e.into()))?
    } else {
        build()
    };
    body.map_err(|e| AppError::Internal(e.into()))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RepliesOut {
    /// Breadth-first (by depth, then oldest first); a reply whose parent is in this answer is nested under it,
    /// others name their parent (shown on the page already, or a placeholder that is not shown).
    comments: Vec<CommentOut>,
    /// Pass as `after` for the next replies (`DEPTH.ID`); `null` after the last.
    next: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/threads/replies", tag = "threads",
    params(
        ("site" = String, Query, description = "site id", example = "demo"),
        ("uri" = String, Query, description = "page path, starting with /", example = "/"),
        ("root" = i64, Query, description = "the top-level comment whose replies to list"),
        ("after" = Option<String>, Query, description = "the `replies_next` of the thread answer, or the `next` of the previous replies (`DEPTH.ID`)"),
        ("limit" = Option<i64>, Query, description = "replies per answer, 1 to 500 (default 100)"),
    ),
    responses(
        (status = 200, description = "the next replies below the comment", body = RepliesOut),
        ReadErrors
    ))]
/// `GET /api/v1/threads/replies?site=S&uri=U&root=ID[&after=ID][&limit=N]`: the rest of a long reply chain.
#[instrument(level = "debug", skip_all)]
pub async fn replies(State(state): State<AppState>, RawQuery(raw): RawQuery, headers: HeaderMap) -> Result<Response> {
    let q = Query::parse(raw.as_deref());
    let (site_id, site) = known_site(&state, q.required("site")?).await?;
    let uri = PageUri::parse(q.required("uri")?)?;
    q.required("root")?;
    let root = number(&q, "root", 0, 1..=i64::MAX)?;
    let after = match q.one("after") {
        Some(a) => ReplyCursor::parse(a)?,
        None => ReplyCursor::START,
    };
    let limit = number(&q, "limit", PAGE_DEFAULT, 1..=PAGE_MAX)?;
    let cache_key = format!("replies\0{}\0{}\0{root}\0{after}\0{limit}", site.id, uri.as_str());
    state.store.caught_up().await;
    let generation = state.store.thread_generation(&site.id, uri.as_str());
    let answer = state
        .cache
        .get_or_build(cache_key, generation, || async {
            let page = state
                .store
                .thread_replies(site_id, uri, root, after, limit as usize)
                .await?
                .ok_or(AppError::NotFound("no such top-level comment on this page"))?;
            off_workers(page.comments.len(), move || {
                serde_json::to_vec(&RepliesOut {
                    comments: build_tree(page.comments, true),
                    next: page.next.map(|n| n.to_string()),
                })
            })
            .await
        })
        .await?;
    Ok(answer.respond(&headers))
}

/// Nests rows (each after its parent: a thread page is top-level comments, each followed by its replies
/// breadth-first) into their tree. Placeholders of deleted comments are kept only where a
/// published reply hangs below them. Replies whose parent is not among the rows are dropped, or, for a
/// page of replies whose parents came before (`attach_orphans`), kept at the top naming their parent.
pub(in crate::routes) fn build_tree(rows: Vec<Comment>, attach_orphans: bool) -> Vec<CommentOut> {
    let index: HashMap<i64, usize> = rows.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    let parent_of: Vec<Option<usize>> = rows
        .iter()
        .map(|r| r.parent.and_then(|p| index.get(&p).copied()))
        .collect();
    // A reply comes after its parent, so one pass from the end up settles which placeholders are needed.
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
        let orphan = match parent_of[i] {
            Some(p) => !shown[p],
            None => rows[i].parent.is_some() && !attach_orphans,
        };
        if orphan {
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
    let mut slots: Vec<Option<Comment>> = rows.into_iter().map(Some).collect();
    fn nest(i: usize, slots: &mut [Option<Comment>], children: &[Vec<usize>]) -> CommentOut {
        let mut out = CommentOut::from(slots[i].take().expect("each row is nested once"));
        out.replies = children[i].iter().map(|&c| nest(c, slots, children)).collect();
        out
    }
    roots.into_iter().map(|i| nest(i, &mut slots, &children)).collect()
}

#[utoipa::path(get, path = "/api/v1/counts", tag = "threads",
    params(
        ("site" = String, Query, description = "site id", example = "demo"),
        ("uri" = Vec<String>, Query, explode, description = "page paths, up to 100"),
    ),
    responses(
        (status = 200, description = "published comments per page", body = std::collections::HashMap<String, i64>),
        ReadErrors
    ))]
/// `GET /api/v1/counts?site=S&uri=U1&uri=U2...`
#[instrument(level = "debug", skip_all)]
pub async fn counts(State(state): State<AppState>, RawQuery(raw): RawQuery, headers: HeaderMap) -> Result<Response> {
    let q = Query::parse(raw.as_deref());
    let (site_id, site) = known_site(&state, q.required("site")?).await?;
    let uris: Vec<String> = q.all("uri").map(str::to_owned).collect();
    if uris.len() > MAX_COUNT_URIS {
        return Err(FieldError::new("uri", "at most 100 pages per request").into());
    }
    for uri in &uris {
        PageUri::parse(uri)?;
    }
    let cache_key = format!("counts\0{}\0{}", site.id, uris.join("\0"));
    state.store.caught_up().await;
    let generation = state.store.site_generation(&site.id);
    if let Some(hit) = state.cache.get(&cache_key, generation) {
        return Ok(hit.respond(&headers));
    }
    let mut out: BTreeMap<String, i64> = uris.iter().map(|u| (u.clone(), 0)).collect();
    if !uris.is_empty() {
        out.extend(state.store.counts(site_id, uris).await?);
    }
    let json = serde_json::to_vec(&out).map_err(|e| AppError::Internal(e.into()))?;
    Ok(state.cache.put(cache_key, generation, json).respond(&headers))
}
