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

/// `POST /admin/login`: at most five failures per IP and per account name in 15 minutes; the answer is the
/// same whether or not the account exists.
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
    let account = state.store.moderator(username.clone()).await?;
    let hash = account.as_ref().map(|m| m.password_hash.clone());
    let ok = tokio::task::spawn_blocking(move || keys::verify_password(&password, hash.as_deref()))
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
        auth::clear_cookie().parse().expect("cookie is ASCII"),
    );
    Ok(r)
}
