//! The pages behind the links in mails: a moderator's action on a comment (`/admin/mail/...`, in the admin
//! route table) and a commenter's confirmation and unsubscription (`/notify/...`). No session: the signed
//! token is the authority. A GET only shows what the button would do, because mail scanners fetch links;
//! the POST acts. Every answer is a page in the site's language, with the admin UI's strict headers.

pub mod moderate;
pub mod subscription;

use askama::Template;
use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::from_fn;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use super::admin::harden;
use super::admin::i18n::{self, Strings};
use crate::domain::notify::{Language, MailLink};
use crate::error::AppError;
use crate::state::AppState;

/// The commenters' pages; the moderators' page is routed with the admin routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/notify/confirm/{token}",
            get(subscription::confirm_page).post(subscription::confirm),
        )
        .route(
            "/notify/unsubscribe/{token}",
            get(subscription::unsubscribe_page).post(subscription::unsubscribe),
        )
        .layer(from_fn(harden))
}

/// The words of a site's language.
pub fn strings(language: Language) -> &'static Strings {
    i18n::of(language.lang())
}

/// The words of a site, or the browser's when the site is unknown.
async fn site_strings(state: &AppState, site: &str, headers: &HeaderMap) -> Result<&'static Strings, AppError> {
    Ok(match state.sites.get(site).await? {
        Some(s) => strings(s.language),
        None => i18n::pick(headers),
    })
}

/// Where a site's page is, when the site names an origin.
async fn page_link(state: &AppState, site: &str, uri: &str) -> Result<Option<String>, AppError> {
    let site = state.sites.get(site).await?;
    Ok(site.and_then(|s| s.origins.first().map(|o| format!("{o}{uri}"))))
}

/// The link a token names, and its MAC, when this server signed it.
fn verify(state: &AppState, token: &str) -> Option<(MailLink, String)> {
    state.keys.verify_link(token)
}

fn expired(link: &MailLink, now: i64) -> bool {
    link.expires().is_some_and(|e| e < now)
}

/// A link under a page's message.
pub struct Link {
    pub href: String,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "links/message.html")]
struct Message {
    t: &'static Strings,
    title: &'static str,
    text: &'static str,
    ok: bool,
    link: Option<Link>,
}

/// A page that says one thing, answered with `status`.
fn message(
    status: StatusCode,
    t: &'static Strings,
    title: &'static str,
    text: &'static str,
    link: Option<Link>,
) -> Response {
    let ok = status.is_success();
    render(
        status,
        Message {
            t,
            title,
            text,
            ok,
            link,
        },
    )
}

fn render(status: StatusCode, page: impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => AppError::Internal(anyhow::anyhow!("mail link template: {e}")).into_response(),
    }
}

/// 404: a token this server did not sign, or whose subject is gone; nothing changed.
fn unknown(t: &'static Strings) -> Response {
    message(StatusCode::NOT_FOUND, t, t.link_unknown_title, t.link_unknown, None)
}

/// 410: a link past its validity; nothing changed.
fn gone(t: &'static Strings) -> Response {
    message(StatusCode::GONE, t, t.link_expired_title, t.link_expired, None)
}

/// 403: a form posted from another site's page; nothing changed.
fn foreign(t: &'static Strings) -> Response {
    message(StatusCode::FORBIDDEN, t, t.link_foreign_title, t.link_foreign, None)
}

/// A failure of the store or the sites, answered as the API answers it (500, cause logged once).
fn failed(e: impl Into<AppError>) -> Response {
    e.into().into_response()
}
