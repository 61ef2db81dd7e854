//! The moderators' admin UI under `/admin`: server-rendered pages (askama), no JavaScript, every change a
//! POST with a session-bound CSRF token. The route table here is the router's only source of admin routes,
//! so a test can walk all of them.

mod account;
pub mod auth;
mod bans;
mod browse;
mod comment;
pub mod i18n;
mod login;
mod moderate;
mod outbox;
mod privacy;
mod queue;
mod sites;
mod transfer;
mod upload;
mod view;
mod webhooks;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::{Next, from_fn};
use axum::response::Response;
use axum::routing::{MethodRouter, get, post};

use super::links;
use crate::http::limit::{Rate, limiter_answering};
use crate::state::AppState;

pub struct AdminRoute {
    pub method: Method,
    pub path: &'static str,
    /// Reachable without a session (the login page, the stylesheet, the pages behind mail links).
    pub public: bool,
    pub handler: MethodRouter<AppState>,
}

fn route(method: Method, path: &'static str, public: bool, handler: MethodRouter<AppState>) -> AdminRoute {
    AdminRoute {
        method,
        path,
        public,
        handler,
    }
}

pub fn routes() -> Vec<AdminRoute> {
    use Method as M;
    vec![
        route(M::GET, "/admin/login", true, get(login::login_page)),
        route(M::POST, "/admin/login", true, post(login::login)),
        route(M::GET, "/admin/admin.css", true, get(login::stylesheet)),
        route(M::POST, "/admin/logout", false, post(login::logout)),
        route(M::GET, "/admin", false, get(queue::queue)),
        route(M::POST, "/admin/moderate", false, post(moderate::moderate)),
        route(M::GET, "/admin/comments", false, get(browse::browse)),
        route(M::GET, "/admin/comments/{id}", false, get(comment::comment)),
        route(M::POST, "/admin/comments/{id}", false, post(comment::save_comment)),
        route(M::POST, "/admin/comments/{id}/title", false, post(comment::save_title)),
        route(M::POST, "/admin/comments/{id}/pin", false, post(comment::pin)),
        route(M::POST, "/admin/comments/{id}/close", false, post(comment::close)),
        route(M::GET, "/admin/trash", false, get(queue::trash)),
        route(M::GET, "/admin/sites", false, get(sites::sites)),
        route(M::POST, "/admin/sites", false, post(sites::save_site)),
        route(M::GET, "/admin/bans", false, get(bans::bans)),
        route(M::POST, "/admin/bans", false, post(bans::add_ban)),
        route(M::POST, "/admin/bans/remove", false, post(bans::remove_ban)),
        route(M::GET, "/admin/privacy", false, get(privacy::privacy)),
        route(M::POST, "/admin/privacy/export", false, post(privacy::privacy_export)),
        route(M::POST, "/admin/privacy/erase", false, post(privacy::privacy_erase)),
        route(M::GET, "/admin/import", false, get(transfer::import_page)),
        route(M::POST, "/admin/import", false, post(transfer::import)),
        route(M::GET, "/admin/export", false, get(transfer::export_page)),
        route(M::POST, "/admin/export", false, post(transfer::export)),
        route(M::GET, "/admin/outbox", false, get(outbox::outbox)),
        route(M::POST, "/admin/outbox/retry", false, post(outbox::retry)),
        route(M::GET, "/admin/account", false, get(account::account)),
        route(M::POST, "/admin/account", false, post(account::save_account)),
        route(M::POST, "/admin/account/badge", false, post(account::new_badge)),
        // A moderator's action from a mail: the signed, single-use token is the authority, not a session.
        route(M::GET, "/admin/mail/{token}", true, get(links::moderate::page)),
        route(M::POST, "/admin/mail/{token}", true, post(links::moderate::act)),
        route(M::GET, "/admin/sites/{id}/webhooks", false, get(webhooks::webhooks)),
        route(
            M::POST,
            "/admin/sites/{id}/webhooks",
            false,
            post(webhooks::add_webhook),
        ),
        route(
            M::POST,
            "/admin/sites/{id}/webhooks/test",
            false,
            post(webhooks::test_webhook),
        ),
        route(
            M::POST,
            "/admin/sites/{id}/webhooks/remove",
            false,
            post(webhooks::remove_webhook),
        ),
    ]
}

/// The admin routes; login posts are rate-limited per client address by `logins`.
pub fn router(logins: Rate) -> Router<AppState> {
    let limiter = limiter_answering(logins, login::too_many_attempts);
    routes()
        .into_iter()
        .map(|route| match &limiter {
            Some(l) if route.method == Method::POST && route.path == "/admin/login" => AdminRoute {
                handler: route.handler.route_layer(l.clone()),
                ..route
            },
            _ => route,
        })
        .fold(Router::new(), |r, route| r.route(route.path, route.handler))
        .layer(from_fn(harden))
}

/// Every admin response, and those of the pages behind mail links: no scripts at all, no framing, no
/// caching, no sniffing, no referrer to other sites.
pub async fn harden(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}
