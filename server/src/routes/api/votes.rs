//! Votes: `POST /api/v1/comments/{id}/vote`, a visitor's like or dislike.

use axum::Extension;
use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use tracing::instrument;

use super::openapi::WriteErrors;
use super::{check_origin, comment_id, known_site};
use crate::domain::comment::Vote;
use crate::domain::time::now_ms;
use crate::error::{ApiJson, AppError, Result};
use crate::http::client::ClientIp;
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct VoteIn {
    /// 1 (like) or -1 (dislike).
    #[schema(minimum = -1, maximum = 1, example = 1)]
    value: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct VotesOut {
    likes: i64,
    dislikes: i64,
}

#[utoipa::path(post, path = "/api/v1/comments/{id}/vote", tag = "comments", request_body = VoteIn,
    params(("id" = i64, Path, description = "comment id", example = 1)),
    responses(
        (status = 200, description = "the comment's votes", body = VotesOut),
        WriteErrors
    ))]
/// `POST /api/v1/comments/{id}/vote`
#[instrument(level = "debug", skip_all)]
pub async fn vote(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    path: std::result::Result<Path<i64>, PathRejection>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<VoteIn>,
) -> Result<Json<VotesOut>> {
    let id = comment_id(path)?;
    let vote = Vote::parse(input.value)?;
    let meta = state.store.comment_meta(id).await?;
    let meta = meta.ok_or(AppError::NotFound("no such comment"))?;
    check_origin(&headers, &known_site(&state, &meta.site_id).await?.1)?;
    let voter = state.ip_hashes(ip).await?;
    let votes = state.store.vote(id, voter, vote, now_ms()).await?;
    let votes = votes.ok_or(AppError::NotFound("no such comment"))?;
    Ok(Json(VotesOut {
        likes: votes.likes,
        dislikes: votes.dislikes,
    }))
}
