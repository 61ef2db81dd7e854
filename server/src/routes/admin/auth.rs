//! Admin sessions (a random cookie stored only as a hash, ended after 12 idle hours and 7 days after the
//! login at the latest) and the CSRF check every state-changing admin request passes.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::i18n::{self, Strings};
use crate::domain::moderator::{Moderator, SESSION_IDLE};
use crate::domain::time::now_ms;
use crate::error::{AppError, MAX_BODY};
use crate::http::query::Query;
use crate::keys::token_hash;
use crate::state::AppState;

/// The session cookie's name over plain http (local use).
pub const COOKIE: &str = "riposte_admin";
/// Its name when `public_url` is https. Browsers accept a `__Host-` cookie only with `Secure`, `Path=/`
/// and no `Domain`, so no sibling subdomain and no plain-http page can set or shadow it. Over plain http a
/// browser would refuse it (it is not `Secure`), hence the other name there.
pub const HOST_COOKIE: &str = "__Host-riposte_admin";

fn https(state: &AppState) -> bool {
    state.public_url.starts_with("https://")
}

fn cookie_name(state: &AppState) -> &'static str {
    if https(state) { HOST_COOKIE } else { COOKIE }
}

/// The attributes of the session cookie, less its lifetime.
fn cookie_attributes(state: &AppState) -> &'static str {
    if https(state) {
        "HttpOnly; SameSite=Strict; Path=/; Secure"
    } else {
        "HttpOnly; SameSite=Strict; Path=/admin"
    }
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The `Set-Cookie` value for a new session: [`HOST_COOKIE`] when the server is reached over https.
pub fn session_cookie(state: &AppState, token: &str) -> String {
    format!("{}={token}; {}", cookie_name(state), cookie_attributes(state))
}

pub fn clear_cookie(state: &AppState) -> String {
    format!("{}=; {}; Max-Age=0", cookie_name(state), cookie_attributes(state))
}

/// A logged-in moderator. As an extractor it refuses requests without a live session: pages redirect to
/// the login, anything else answers 401.
pub struct Session {
    pub moderator: Moderator,
    pub token_hash: String,
    pub csrf: String,
    pub t: &'static Strings,
}

impl Session {
    /// The sites this moderator may act on (`None`: all).
    pub fn sites(&self) -> Option<&[String]> {
        self.moderator.sites.as_deref()
    }

    pub fn may(&self, site: &str) -> bool {
        self.moderator.may(site)
    }
}

fn refuse(method: &Method) -> Response {
    if method == Method::GET || method == Method::HEAD {
        Redirect::to("/admin/login").into_response()
    } else {
        (StatusCode::UNAUTHORIZED, "Log in first.").into_response()
    }
}

impl FromRequestParts<AppState> for Session {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(token) = cookie(&parts.headers, cookie_name(state)) else {
            return Err(refuse(&parts.method));
        };
        let hash = token_hash(&token);
        let failed = |e| AppError::from(e).into_response();
        let now = now_ms();
        let found = state.store.session(hash.clone(), now).await.map_err(failed)?;
        let Some((moderator, last_seen)) = found else {
            return Err(refuse(&parts.method));
        };
        let idle = now - last_seen;
        let expired = idle > SESSION_IDLE.as_millis() as i64;
        // Record activity at most once a minute, and end an expired session for good.
        if expired {
            state.store.end_session(hash.clone()).await.map_err(failed)?;
        } else if idle > 60_000 {
            state.store.touch_session(hash.clone(), now).await.map_err(failed)?;
        }
        if expired {
            return Err(refuse(&parts.method));
        }
        Ok(Session {
            csrf: state.keys.csrf(&hash),
            token_hash: hash,
            moderator,
            t: i18n::pick(&parts.headers),
        })
    }
}

/// The moderator whose live admin session this browser holds, if any: the no-JavaScript page's form marks
/// their comments with the moderator badge. Reads only; the session's activity is not recorded.
pub async fn signed_in(state: &AppState, headers: &HeaderMap) -> Option<Moderator> {
    let token = cookie(headers, cookie_name(state))?;
    let now = now_ms();
    let (moderator, last_seen) = state.store.session(token_hash(&token), now).await.ok()??;
    (now - last_seen <= SESSION_IDLE.as_millis() as i64).then_some(moderator)
}

/// A state-changing admin request: a live session, an allowed Origin, and the session's CSRF token in a
/// form body. Anything less changes nothing.
pub struct AdminForm {
    pub session: Session,
    pub form: Query,
}

impl FromRequest<AppState> for AdminForm {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let session = Session::from_request_parts(&mut parts, state).await?;
        if !origin_allowed(&parts.headers, state) {
            return Err(foreign_origin());
        }
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| (StatusCode::PAYLOAD_TOO_LARGE, "The form is too large.").into_response())?;
        if bytes.len() > MAX_BODY {
            return Err((StatusCode::PAYLOAD_TOO_LARGE, "The form is too large.").into_response());
        }
        let form = Query::parse(std::str::from_utf8(&bytes).ok());
        if !csrf_ok(state, &session, form.one("csrf").unwrap_or("")) {
            return Err(expired_form());
        }
        Ok(AdminForm { session, form })
    }
}

/// Whether `token` is the session's CSRF token; when it is not, answer [`expired_form`].
pub fn csrf_ok(state: &AppState, session: &Session, token: &str) -> bool {
    state.keys.verify_csrf(&session.token_hash, token)
}

/// The 403 for a form without the session's CSRF token; nothing changed.
pub fn expired_form() -> Response {
    (
        StatusCode::FORBIDDEN,
        "The form has expired. Go back, reload and try again.",
    )
        .into_response()
}

/// Admin forms are posted from the server's own pages only (a request without `Origin` is not a browser's
/// cross-site form, and still needs the CSRF token).
pub fn origin_allowed(headers: &HeaderMap, state: &AppState) -> bool {
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(origin) => state.own_origins.iter().any(|o| o == origin),
    }
}

pub fn foreign_origin() -> Response {
    (
        StatusCode::FORBIDDEN,
        "This form may only be sent from this server's pages.",
    )
        .into_response()
}
