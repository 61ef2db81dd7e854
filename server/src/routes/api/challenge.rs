//! `GET /api/v1/challenge`: a proof-of-work challenge in the ALTCHA format, for sites that ask for one.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tracing::instrument;

use super::known_site;
use super::openapi::ReadErrors;
use crate::domain::pow::{Challenge, MAX_NUMBER, Pow, VALID_FOR_S};
use crate::domain::time::now_ms;
use crate::error::Result;
use crate::http::query::Query;
use crate::keys::hex;
use crate::state::AppState;

#[utoipa::path(get, path = "/api/v1/challenge", tag = "comments",
    params(("site" = String, Query, description = "site id", example = "demo")),
    responses(
        (status = 200, description = "a challenge to solve and send with the next comment as `altcha`", body = Challenge),
        (status = 204, description = "the site asks for no proof of work"),
        ReadErrors
    ))]
/// `GET /api/v1/challenge?site=S`: signed and valid for ten minutes; each solution counts once.
#[instrument(level = "debug", skip_all)]
pub async fn challenge(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response> {
    let q = Query::parse(raw.as_deref());
    let (_, site) = known_site(&state, q.required("site")?).await?;
    if site.pow == Pow::Off {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let mut salt = [0u8; 12];
    rand::fill(&mut salt);
    let number = rand::random_range(0..=MAX_NUMBER);
    let expires = now_ms() / 1000 + VALID_FOR_S;
    let challenge = Challenge::new(&hex(&salt), number, expires, |c| state.keys.pow_signature(c));
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(challenge)).into_response())
}
