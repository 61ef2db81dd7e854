//! The thread as HTML, for readers without JavaScript and for search engines: the no-JS page
//! `/t/{site}?uri=U` (`thread.rs`: the thread and a plain form; `post.rs`: the form's post) and the
//! fragment the thread endpoint answers for `Accept: text/html` (`fragment.rs`). Both draw the widget's
//! markup (`view.rs`) with the widget's strings (`words.rs`) and its stylesheet.

pub mod form;
pub mod fragment;
pub mod post;
pub mod thread;
pub mod view;
pub mod words;

use std::sync::Arc;

use askama::Template;
use axum::Router;

use crate::domain::site::Sort;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post as post_route};

use crate::domain::{Site, SiteId};
use crate::error::AppError;
use crate::http::limit::Limiter;
use crate::routes::admin::harden;
use crate::routes::api::threads::off_workers;
use crate::state::AppState;
use words::Words;

/// The page's routes, under the API's rate limits: its GET counts as a read, its POST as a new comment,
/// in the same buckets as the API's.
pub fn router(state: AppState, reads: Option<Limiter>, posts: Option<Limiter>) -> Router<AppState> {
    let show = super::limited(Router::new().route("/t/{site}", get(thread::show)), reads);
    // Form-encoded, a 10,000-character comment in a non-Latin script is up to 120 KB (4 bytes a character,
    // each byte sent as `%XX`): the form may send more than the API's JSON.
    let send = super::limited(
        Router::new().route(
            "/t/{site}",
            post_route(post::send).layer(DefaultBodyLimit::max(FORM_MAX_BODY)),
        ),
        posts,
    );
    show.merge(send)
        .layer(from_fn_with_state(state, rate_limited_page))
        .layer(from_fn(harden))
        .route("/page.css", get(css))
}

/// The largest form body `POST /t/{site}` takes.
pub const FORM_MAX_BODY: usize = 160 * 1024;

/// The page frame's few rules; the thread itself is styled by the widget's `/embed.css`.
const PAGE_CSS: &str = include_str!("../../../templates/page/page.css");

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        PAGE_CSS,
    )
        .into_response()
}

/// The site a path names, if there is one.
async fn site_named(state: &AppState, raw: &str) -> Result<Option<Arc<Site>>, AppError> {
    match SiteId::parse(raw) {
        Ok(id) => Ok(state.sites.get(id.as_str()).await?),
        Err(_) => Ok(None),
    }
}

/// The site a path names, or the page to answer: 404 when there is none (in the language asked for).
async fn known_site(state: &AppState, raw: &str, asked: Option<&str>) -> Result<Arc<Site>, Response> {
    match site_named(state, raw).await {
        Ok(Some(site)) => Ok(site),
        Ok(None) => {
            let t = language(asked, None);
            Err(not_loaded(StatusCode::NOT_FOUND, t))
        }
        Err(e) => Err(failed(language(asked, None), e)),
    }
}

/// The language of a page: a `lang` the widget speaks, else the site's.
fn language(asked: Option<&str>, site: Option<&Site>) -> &'static Words {
    match asked.filter(|l| words::known(l)) {
        Some(lang) => words::words(lang),
        None => words::words(site.map_or("en", |s| s.language.as_str())),
    }
}

/// Links within the page of one thread: `/t/SITE?uri=U` with the asked language kept.
#[derive(Clone)]
pub struct Here {
    pub site: String,
    pub uri: String,
    pub lang: Option<&'static str>,
    /// The order asked for (the site's own when `None`), kept in the page's links.
    pub sort: Option<Sort>,
}

impl Here {
    /// `/t/SITE?uri=U&k=v...#anchor`.
    pub fn href(&self, pairs: &[(&str, &str)], anchor: Option<&str>) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("uri", &self.uri);
        if let Some(lang) = self.lang {
            q.append_pair("lang", lang);
        }
        if let Some(sort) = self.sort {
            q.append_pair("sort", sort.as_str());
        }
        q.extend_pairs(pairs);
        let mut href = format!("/t/{}?{}", self.site, q.finish());
        if let Some(a) = anchor {
            href.push('#');
            href.push_str(a);
        }
        href
    }
}

#[derive(Template)]
#[template(path = "page/message.html")]
struct Message<'a> {
    t: &'a Words,
    title: &'a str,
    text: String,
}

/// A page that says one thing (an unknown site, a refused request), answered with `status`.
fn message(status: StatusCode, t: &Words, text: String) -> Response {
    let title = t.s("thread");
    render(status, &Message { t, title, text })
}

/// An unknown site, page or comment: "The comments could not be loaded."
fn not_loaded(status: StatusCode, t: &Words) -> Response {
    message(status, t, t.s("loadError").to_owned())
}

fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => AppError::Internal(anyhow::anyhow!("page template: {e}")).into_response(),
    }
}

/// As [`render`], for a page of `rows` comments: a long one is rendered on the blocking pool, as the API
/// serializes its long answers.
async fn render_rows(status: StatusCode, rows: usize, page: impl Template + Send + 'static, t: &Words) -> Response {
    match off_workers(rows, move || page.render().map(String::into_bytes)).await {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => failed(t, e),
    }
}

/// An error of the store or the templates as a page: 500 with the widget's words, its cause logged once.
fn failed(t: &Words, e: AppError) -> Response {
    let mut response = message(StatusCode::INTERNAL_SERVER_ERROR, t, t.s("errServer").to_owned());
    if let Some(cause) = e.cause() {
        response.extensions_mut().insert(cause);
    }
    response
}

/// The rate limiters answer JSON; people get a page with the seconds to wait (and the limiter's headers).
async fn rate_limited_page(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let site = req.uri().path().strip_prefix("/t/").map(str::to_owned);
    let lang = crate::http::query::Query::parse(req.uri().query())
        .one("lang")
        .map(str::to_owned);
    let response = next.run(req).await;
    if response.status() != StatusCode::TOO_MANY_REQUESTS {
        return response;
    }
    let site = match &site {
        Some(s) => site_named(&state, s).await.ok().flatten(),
        None => None,
    };
    let t = language(lang.as_deref(), site.as_deref());
    let wait = response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let mut page = message(StatusCode::TOO_MANY_REQUESTS, t, t.count("errRate", wait));
    for name in [header::RETRY_AFTER, header::CONNECTION] {
        if let Some(v) = response.headers().get(&name) {
            page.headers_mut().insert(name, v.clone());
        }
    }
    page.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    page
}
