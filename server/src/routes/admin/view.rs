//! What every admin page shares: the error page, the frame (`Ctx`), how a comment is shown, and the sites a
//! moderator may see.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::auth::Session;
use super::i18n::Strings;
use crate::domain::time::rfc3339;
use crate::domain::{CommentRecord, Site};
use crate::error::AppError;
use crate::http::query::Query;
use crate::state::AppState;

pub type Result<T, E = AdminError> = std::result::Result<T, E>;

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
            Ok(html) => {
                let mut response = (status, Html(html)).into_response();
                if let Some(cause) = self.0.cause() {
                    response.extensions_mut().insert(cause);
                }
                response
            }
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
    pub fn new(s: &Session, raw: Option<&str>) -> Self {
        Self {
            t: s.t,
            me: s.moderator.name.clone(),
            csrf: s.csrf.clone(),
            done: Query::parse(raw).one("done").is_some(),
        }
    }
}

pub fn page(t: impl Template) -> Result<Response> {
    let html = t
        .render()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("admin template: {e}")))?;
    Ok(Html(html).into_response())
}

pub fn when(ms: i64) -> String {
    let s = rfc3339(ms);
    // 2026-11-26T22:38:44.172Z -> 2026-11-26 22:38 UTC
    format!("{} {} UTC", &s[..10], s.get(11..16).unwrap_or(""))
}

pub struct ParentView {
    pub author: String,
    pub html: String,
}

/// One comment as the admin pages show it.
pub struct CommentView {
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
    /// A published top-level comment: it may be pinned.
    pub pinnable: bool,
    pub pinned: bool,
    pub thread_closed: bool,
}

/// The views of some comments, each with the comment it answers.
pub async fn rows(state: &AppState, t: &'static Strings, items: Vec<CommentRecord>) -> Result<Vec<CommentView>> {
    let parent_ids: Vec<i64> = items.iter().filter_map(|i| i.parent).collect();
    let parents = state.store.records(parent_ids).await?;
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
        out.push(CommentView {
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
            pinnable: i.parent.is_none() && i.status == crate::domain::Status::Published,
            pinned: i.pinned,
            thread_closed: i.thread_closed,
        });
    }
    Ok(out)
}

/// The sites this moderator may see, fresh from the store.
pub async fn visible_sites(state: &AppState, session: &Session) -> Result<Vec<Site>> {
    let all = state.store.sites().await?;
    Ok(all.into_iter().filter(|s| session.may(&s.id)).collect())
}

/// Where a form goes back to: an admin page named in the form, or the queue.
pub fn back_to(form: &Query) -> &str {
    form.one("back")
        .filter(|b| b.starts_with("/admin") && !b.starts_with("//"))
        .unwrap_or("/admin")
}
