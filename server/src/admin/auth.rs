//! Moderator passwords, login with throttling, sessions (a random cookie stored only as a hash, ended after
//! 12 idle hours) and the CSRF check every state-changing admin request passes.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use super::i18n::{self, Strings};
use crate::db::{self, moderators::Moderator};
use crate::error::MAX_BODY;
use crate::routes::api::Query;
use crate::state::AppState;

pub const COOKIE: &str = "riposte_admin";
pub const IDLE: Duration = Duration::from_secs(12 * 3600);
/// Failed logins allowed per IP and per account name within [`THROTTLE_WINDOW`].
pub const MAX_FAILURES: u32 = 5;
pub const THROTTLE_WINDOW: Duration = Duration::from_secs(15 * 60);
pub const MIN_PASSWORD_CHARS: usize = 12;

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        anyhow::bail!("the password must be at least {MIN_PASSWORD_CHARS} characters");
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing the password failed: {e}"))
}

/// A hash of nothing anyone knows, checked when an account does not exist, so that a login for an unknown
/// name takes as long as one for a known name.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    Argon2::default()
        .hash_password(b"riposte-no-such-account")
        .map(|h| h.to_string())
        .unwrap_or_default()
});

pub fn verify_password(password: &str, hash: Option<&str>) -> bool {
    let ok = Argon2::default()
        .verify_password(password.as_bytes(), hash.unwrap_or(&DUMMY_HASH))
        .is_ok();
    ok && hash.is_some()
}

pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn new_token() -> String {
    let mut buf = [0u8; 32];
    rand::fill(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// Counts failed logins per key (an IP or an account name) in a fixed window.
#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Throttle {
    /// Seconds to wait when any of the keys is locked out.
    pub fn locked(&self, keys: &[String]) -> Option<u64> {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, (_, first)| first.elapsed() < THROTTLE_WINDOW);
        keys.iter()
            .filter_map(|k| map.get(k))
            .filter(|(n, _)| *n >= MAX_FAILURES)
            .map(|(_, first)| (THROTTLE_WINDOW - first.elapsed()).as_secs() + 1)
            .max()
    }

    pub fn failed(&self, keys: &[String]) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for k in keys {
            map.entry(k.clone()).or_insert((0, Instant::now())).0 += 1;
        }
    }

    pub fn succeeded(&self, keys: &[String]) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for k in keys {
            map.remove(k);
        }
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

/// The `Set-Cookie` value for a new session, `Secure` when the server is reached over https.
pub fn session_cookie(state: &AppState, token: &str) -> String {
    let secure = if state.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    format!("{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/admin{secure}")
}

pub fn clear_cookie() -> String {
    format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/admin; Max-Age=0")
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
        self.sites().is_none_or(|s| s.iter().any(|x| x == site))
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
        let Some(token) = cookie(&parts.headers, COOKIE) else {
            return Err(refuse(&parts.method));
        };
        let hash = token_hash(&token);
        let lookup = hash.clone();
        let found = state
            .db
            .read(move |conn| db::moderators::session(conn, &lookup))
            .await
            .map_err(|e| crate::error::AppError::Internal(e).into_response())?;
        let Some((moderator, last_seen)) = found else {
            return Err(refuse(&parts.method));
        };
        let now = db::now_ms();
        let idle = now - last_seen;
        let expired = idle > IDLE.as_millis() as i64;
        // Record activity at most once a minute, and end an expired session for good.
        if expired || idle > 60_000 {
            let h = hash.clone();
            state
                .db
                .write(move |tx| {
                    if expired {
                        db::moderators::end_session(tx, &h)
                    } else {
                        db::moderators::touch_session(tx, &h, now)
                    }
                })
                .await
                .map_err(|e| crate::error::AppError::Internal(e).into_response())?;
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
        let token = form.one("csrf").unwrap_or("");
        if !state.keys.verify_csrf(&session.token_hash, token) {
            return Err((
                StatusCode::FORBIDDEN,
                "The form has expired. Go back, reload and try again.",
            )
                .into_response());
        }
        Ok(AdminForm { session, form })
    }
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
