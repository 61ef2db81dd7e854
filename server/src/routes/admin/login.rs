//! Logging in and out, and the admin stylesheet.

use askama::Template;
use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use tracing::instrument;

use super::auth::{self, AdminForm};
use super::i18n::{self, Strings};
use super::view::{Result, page};
use crate::domain::fields::ModeratorName;
use crate::domain::time::now_ms;
use crate::error::AppError;
use crate::http::client::ClientIp;
use crate::http::query::Query;
use crate::keys;
use crate::state::AppState;

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
        include_str!("../../../templates/admin/admin.css"),
    )
        .into_response()
}

/// The login page again with an error, answered with `status`.
fn refused(t: &'static Strings, status: StatusCode, error: &'static str, username: String) -> Result<Response> {
    Ok((
        status,
        page(LoginPage {
            t,
            error: Some(error),
            username,
        })?,
    )
        .into_response())
}

/// The login page with `error` and `Retry-After: wait`.
fn retry_later(
    t: &'static Strings,
    status: StatusCode,
    error: &'static str,
    username: String,
    wait: u64,
) -> Result<Response> {
    let mut r = refused(t, status, error, username)?;
    r.headers_mut().insert(header::RETRY_AFTER, wait.max(1).into());
    Ok(r)
}

/// The answer of the per-address rate limit on login posts (the limiter sets `Retry-After`).
pub fn too_many_attempts(_wait: u64) -> Response {
    let t = i18n::pick(&HeaderMap::new());
    refused(t, StatusCode::TOO_MANY_REQUESTS, t.login_throttled, String::new()).into_response()
}

/// `POST /admin/login`: at most five attempts per IP and per account name in 15 minutes, each counted
/// before its password is checked, and at most
/// [`VERIFICATIONS_AT_ONCE`](crate::http::throttle::VERIFICATIONS_AT_ONCE) checks at once server-wide; the
/// answer is the same whether or not the account exists.
#[instrument(level = "debug", skip_all)]
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
    // No account has such a name (at most 64 bytes, no spaces), and no password is that long: refuse
    // before counting or hashing anything.
    if ModeratorName::parse(&username).is_err() || password.len() > keys::MAX_PASSWORD_BYTES {
        return refused(t, StatusCode::UNAUTHORIZED, t.login_failed, String::new());
    }
    let keys = vec![format!("ip:{ip}"), format!("user:{}", username.to_lowercase())];
    if let Err(wait) = state.login_throttle.reserve(&keys) {
        return retry_later(t, StatusCode::TOO_MANY_REQUESTS, t.login_throttled, username, wait);
    }
    let Some(slot) = state.login_throttle.verification() else {
        state.login_throttle.release(&keys);
        return retry_later(t, StatusCode::SERVICE_UNAVAILABLE, t.login_busy, username, 1);
    };
    let account = state.store.moderator(username.clone()).await?;
    let hash = account.as_ref().map(|m| m.password_hash.clone());
    let ok = slot
        .run(move || keys::verify_password(&password, hash.as_deref()))
        .await
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the password verification failed")))?;
    let Some(moderator) = account.filter(|_| ok) else {
        // The address itself is never logged, only its keyed hash (as stored with comments): enough to see
        // that failures come from one client, not enough to learn who it is.
        tracing::warn!(ip_hash = %state.keys.ip_hash(ip), "failed admin login");
        return refused(t, StatusCode::UNAUTHORIZED, t.login_failed, username);
    };
    state.login_throttle.succeeded(&keys);
    let token = keys::new_token();
    state
        .store
        .create_session(keys::token_hash(&token), moderator.id, now_ms())
        .await?;
    let mut r = Redirect::to("/admin").into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        auth::session_cookie(&state, &token).parse().expect("cookie is ASCII"),
    );
    Ok(r)
}

#[instrument(level = "debug", skip_all)]
pub async fn logout(State(state): State<AppState>, AdminForm { session, .. }: AdminForm) -> Result<Response> {
    state.store.end_session(session.token_hash).await?;
    let mut r = Redirect::to("/admin/login").into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        auth::clear_cookie(&state).parse().expect("cookie is ASCII"),
    );
    Ok(r)
}
