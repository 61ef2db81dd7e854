//! `GET /t/{site}?uri=U`: the thread without JavaScript. Paged as the API pages it (`after=N` and `limit`
//! for top-level comments; `root=ID&after=DEPTH.ID` for the rest of a long reply branch), with a plain form
//! (`reply=ID` puts it under that comment) and, after a held comment's redirect (`held=MARK`), the notice
//! that it awaits moderation.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use tracing::instrument;

use super::form::{Form, FormView, form_view};
use super::view::{self, Item, Links};
use super::words::Words;
use super::{Here, failed, known_site, language, not_loaded, render_rows};
use crate::domain::comment::ReplyCursor;
use crate::domain::site::Sort;
use crate::domain::time::now_ms;
use crate::domain::{PageUri, Site, SiteId, Status};
use crate::error::{AppError, Result};
use crate::http::query::Query;
use crate::routes::api::CommentOut;
use crate::routes::api::threads::{PAGE_DEFAULT, PAGE_MAX, nest, number};
use crate::state::AppState;

/// How long a form may be filled in before it must be sent again (with everything typed kept).
pub const FORM_VALID_MS: i64 = 6 * 3600 * 1000;

#[derive(Template)]
#[template(path = "page/thread.html")]
struct ThreadPage {
    t: &'static Words,
    heading: String,
    back: Option<String>,
    total: i64,
    held: Option<i64>,
    /// The form, at the top or under the comment it replies to.
    form: Option<FormView>,
    top_form: bool,
    /// The thread takes no new comments: no form, no reply links, and a line that says so.
    closed: bool,
    items: Vec<Item>,
    actions: bool,
    more: Option<String>,
    /// The thread's first page, from a later page or a reply branch.
    whole: Option<String>,
}

/// Which part of a thread a page shows.
#[derive(Clone, Copy)]
pub enum Span {
    Thread {
        after: i64,
        limit: i64,
    },
    /// The replies of one top-level comment after a cursor.
    Replies {
        root: i64,
        after: ReplyCursor,
    },
}

impl Span {
    fn parse(q: &Query) -> Result<Self> {
        match q.one("root") {
            Some(_) => Ok(Self::Replies {
                root: number(q, "root", 0, 1..=i64::MAX)?,
                after: match q.one("after") {
                    Some(a) => ReplyCursor::parse(a)?,
                    None => ReplyCursor::START,
                },
            }),
            None => Ok(Self::Thread {
                after: number(q, "after", 0, 0..=i64::MAX)?,
                limit: number(q, "limit", PAGE_DEFAULT, 1..=PAGE_MAX)?,
            }),
        }
    }

    /// The query pairs that show this span again.
    fn pairs(&self) -> Vec<(&'static str, String)> {
        match *self {
            Self::Thread {
                after: 0,
                limit: PAGE_DEFAULT,
            } => Vec::new(),
            Self::Thread { after, limit } => vec![("after", after.to_string()), ("limit", limit.to_string())],
            Self::Replies { root, after } => vec![("root", root.to_string()), ("after", after.to_string())],
        }
    }
}

/// `GET /t/{site}?uri=U[&after=N][&limit=N][&sort=S][&root=ID&after=D.I][&reply=ID][&lang=xx][&held=MARK]`
#[instrument(level = "debug", skip_all)]
pub async fn show(State(state): State<AppState>, Path(site): Path<String>, RawQuery(raw): RawQuery) -> Response {
    let q = Query::parse(raw.as_deref());
    let asked = q.one("lang");
    let site = match known_site(&state, &site, asked).await {
        Ok(site) => site,
        Err(page) => return page,
    };
    let t = language(asked, Some(&site));
    let Some(mut here) = here(&site, q.one("uri"), asked, t) else {
        return not_loaded(StatusCode::UNPROCESSABLE_ENTITY, t);
    };
    // An order the fragment's links carry (an unknown one is the site's).
    here.sort = q.one("sort").and_then(|s| Sort::parse(s).ok());
    let span = match Span::parse(&q) {
        Ok(span) => span,
        Err(_) => return not_loaded(StatusCode::UNPROCESSABLE_ENTITY, t),
    };
    let reply = q.one("reply").and_then(|r| r.parse().ok());
    let held = q
        .one("held")
        .and_then(|m| state.keys.verify_held_mark(&site.id, m))
        .filter(|&(_, expires)| expires > now_ms())
        .map(|(id, _)| id);
    let form = Form::fresh(&state, &here, reply);
    let thread = Thread {
        state: &state,
        site: &site,
        t,
        here: &here,
    };
    thread.page(span, form, held, StatusCode::OK).await
}

/// The page at `uri` of the site, when the uri is one.
pub fn here(site: &Site, uri: Option<&str>, asked: Option<&str>, t: &'static Words) -> Option<Here> {
    let uri = PageUri::parse(uri?).ok()?;
    Some(Here {
        site: site.id.clone(),
        uri: uri.as_str().to_owned(),
        lang: asked.filter(|l| *l == t.lang).map(|_| t.lang),
        sort: None,
    })
}

/// A thread's page: where it is read, in which words.
pub struct Thread<'a> {
    pub state: &'a AppState,
    pub site: &'a Site,
    pub t: &'static Words,
    pub here: &'a Here,
}

impl Thread<'_> {
    /// The page of `span` with `form` (its reply form under its comment, when that is on the page),
    /// answered with `status`; `held` names a comment whose author is told it awaits moderation.
    pub async fn page(&self, span: Span, form: Form, held: Option<i64>, status: StatusCode) -> Response {
        let t = self.t;
        match self.build(span, form, held).await {
            Ok(page) => {
                let rows = page.items.len() / 2;
                render_rows(status, rows, page, t).await
            }
            Err(AppError::NotFound(_)) => not_loaded(StatusCode::NOT_FOUND, t),
            Err(e) => failed(t, e),
        }
    }

    async fn build(&self, span: Span, form: Form, held: Option<i64>) -> Result<ThreadPage> {
        let Self { state, site, t, here } = *self;
        let (site_id, uri) = (SiteId::parse(&site.id)?, PageUri::parse(&here.uri)?);
        let (limit, after) = match span {
            Span::Thread { after, limit } => (limit, after),
            Span::Replies { .. } => (1, 0),
        };
        let thread = nest(
            state
                .store
                .thread_page(
                    Arc::new(site.clone()),
                    uri.clone(),
                    here.sort.unwrap_or(site.sort),
                    after,
                    limit,
                    now_ms(),
                )
                .await?,
        );
        let closed = thread.closed;
        let (roots, more) = match span {
            Span::Thread { limit, .. } => (
                thread.comments,
                thread
                    .next
                    .map(|n| here.href(&[("after", &n.to_string()), ("limit", &limit.to_string())], None)),
            ),
            Span::Replies { root, after } => (vec![branch(state, site_id, uri, root, after).await?], None),
        };
        // The comment a reply form answers, named when it is not on this page (read before the page's
        // links, which hold references across no await).
        let asked = match form.parent {
            Some(p) => state
                .store
                .comment(p)
                .await?
                .filter(|c| c.status == Status::Published)
                .map(|c| (p, c.author.unwrap_or_else(|| t.s("anonymous").to_owned()))),
            None => None,
        };
        let span_pairs = span.pairs();
        let pairs: Vec<(&str, &str)> = span_pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let reply_link = |id: i64| {
            let reply = id.to_string();
            let mut with = pairs.clone();
            with.push(("reply", &reply));
            here.href(&with, Some("riposte-form"))
        };
        let more_replies = |root: i64, after: &str| here.href(&[("root", &root.to_string()), ("after", after)], None);
        let links = Links {
            reply: (!closed).then_some(&reply_link as _),
            more_replies: &more_replies,
            form_under: form.parent,
        };
        let items = view::items(roots, t, &links);
        // A reply form whose comment is not on this page is not shown; the top-level form is.
        let under = form.parent.filter(|p| view::has(&items, *p));
        // A reply whose comment is on another page (a refused reply shown again here) stays a reply: the
        // form at the top keeps its parent and says to whom it answers.
        let away = form.parent.filter(|p| under != Some(*p)).and(asked);
        let parent_name = under
            .and_then(|p| {
                items.iter().find_map(|i| match i {
                    Item::Open(c) if c.id == p => Some(c.name.clone()),
                    _ => None,
                })
            })
            .or_else(|| away.as_ref().map(|(_, name)| name.clone()));
        let cancel = under
            .map(|p| here.href(&pairs, Some(&format!("riposte-{p}"))))
            .or_else(|| away.as_ref().map(|_| here.href(&pairs, Some("riposte-form"))));
        let form = Form {
            parent: under.or(away.map(|(p, _)| p)),
            ..form
        };
        let title = thread.title.unwrap_or_else(|| here.uri.clone());
        Ok(ThreadPage {
            t,
            heading: t.fill("pageTitle", &[("title", &title)]),
            // Origins are kept sorted (http before https): the page's own is its first https one.
            back: site
                .origins
                .iter()
                .find(|o| o.starts_with("https://"))
                .or(site.origins.first())
                .map(|o| format!("{o}{}", here.uri)),
            total: thread.total,
            held: held.filter(|id| !view::has(&items, *id)),
            form: (!closed).then(|| form_view(t, here, form, parent_name, cancel)),
            closed,
            top_form: under.is_none(),
            items,
            actions: true,
            more,
            whole: (!span_pairs.is_empty()).then(|| here.href(&[], None)),
        })
    }
}

/// The top-level comment `root` of the page with its replies after `after`, nested.
async fn branch(state: &AppState, site: SiteId, uri: PageUri, root: i64, after: ReplyCursor) -> Result<CommentOut> {
    let top = state.store.comment(root).await?;
    let top = top
        .filter(|c| matches!(c.status, Status::Published | Status::Deleted) && c.parent.is_none())
        .ok_or(AppError::NotFound("no such top-level comment on this page"))?;
    let replies = state
        .store
        .thread_replies(site, uri, root, after, PAGE_DEFAULT as usize)
        .await?
        .ok_or(AppError::NotFound("no such top-level comment on this page"))?;
    let mut top = CommentOut::from(top);
    top.replies = crate::routes::api::threads::build_tree(replies.comments, true);
    top.replies_next = replies.next.map(|n| n.to_string());
    Ok(top)
}
