//! Comments: a visitor's create, read, edit, delete and vote, and the Markdown preview. Each handler
//! parses its input into one domain value, calls one store method and presents the answer.

use axum::Extension;
use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tracing::instrument;

use super::openapi::{CommentErrors, DeleteErrors, PreviewErrors, WriteErrors};
use super::{CommentOut, bearer, check_origin, comment_id, known_site};
use crate::domain::comment::{Changes, CommentMeta, Commenter, NewComment, Vote};
use crate::domain::time::{now_ms, rfc3339};
use crate::domain::{AuthorName, CommentText, Email, PageTitle, PageUri, SiteId, Status, Website, non_blank};
use crate::error::{ApiJson, AppError, Result};
use crate::http::client::ClientIp;
use crate::render::render;
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"site": "demo", "uri": "/", "text": "Hallo *Welt*", "author": "Anna"}))]
pub struct NewCommentIn {
    #[schema(pattern = "^[a-z0-9._-]{1,64}$")]
    site: String,
    #[schema(pattern = "^/", max_length = 2000)]
    uri: String,
    #[schema(max_length = 300)]
    title: Option<String>,
    parent: Option<i64>,
    #[schema(max_length = 100)]
    author: Option<String>,
    #[schema(max_length = 254)]
    email: Option<String>,
    #[schema(max_length = 500)]
    website: Option<String>,
    #[schema(min_length = 1, max_length = 10000)]
    text: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedOut {
    comment: CommentOut,
    edit_token: String,
    editable_until: String,
}

impl TryFrom<NewCommentIn> for NewComment {
    type Error = AppError;

    fn try_from(input: NewCommentIn) -> Result<Self> {
        // An id that cannot be a site's names no site.
        let site = SiteId::parse(&input.site).map_err(|_| AppError::NotFound("no such site"))?;
        let uri = PageUri::parse(&input.uri)?;
        let title = PageTitle::parse(input.title.as_deref())?;
        let text = CommentText::parse(&input.text)?;
        Ok(Self {
            site,
            uri,
            title,
            parent: input.parent,
            author: AuthorName::parse(input.author.as_deref())?,
            email: Email::parse(input.email.as_deref())?,
            website: Website::parse(input.website.as_deref())?,
            html: render(text.as_str()),
            text,
        })
    }
}

#[utoipa::path(post, path = "/api/v1/comments", tag = "comments", request_body = NewCommentIn,
    responses(
        (status = 201, description = "published", body = CreatedOut),
        (status = 202, description = "held for moderation", body = CreatedOut),
        WriteErrors
    ))]
/// `POST /api/v1/comments`
#[instrument(level = "debug", skip_all)]
pub async fn create(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<NewCommentIn>,
) -> Result<Response> {
    let (_, site) = known_site(&state, &input.site).await?;
    check_origin(&headers, &site)?;
    let comment = NewComment::try_from(input)?;
    let ip_hashes = state.keys.ip_hashes(ip);
    let avatar = state.keys.avatar(&match &comment.email {
        Some(e) => e.as_str().to_lowercase(),
        None => format!(
            "{}|{}",
            comment.author.as_ref().map_or("", |a| a.as_str()),
            ip_hashes[0]
        ),
    });
    let now = now_ms();
    let stored = state
        .store
        .create_comment(site, comment, Commenter { ip_hashes, avatar }, now)
        .await?;
    let code = if stored.status == Status::Published {
        StatusCode::CREATED
    } else {
        StatusCode::ACCEPTED
    };
    let body = CreatedOut {
        edit_token: state.keys.edit_token(stored.id, stored.created),
        editable_until: rfc3339(stored.created + state.config.edit_window().as_millis() as i64),
        comment: CommentOut::for_author(stored),
    };
    Ok((code, Json(body)).into_response())
}

/// Loads a comment for a change by its author: it must exist and not be deleted, the bearer token must be
/// its edit token, the edit window must be open, and the request must come from one of its site's origins.
async fn authorize_edit(state: &AppState, id: i64, headers: &HeaderMap) -> Result<CommentMeta> {
    let meta = state.store.comment_meta(id).await?;
    let meta = meta
        .filter(|m| matches!(m.status, Status::Published | Status::Pending | Status::Spam))
        .ok_or(AppError::NotFound("no such comment"))?;
    let token = bearer(headers).ok_or(AppError::Forbidden("an edit token is required"))?;
    if !state.keys.verify_edit_token(meta.id, meta.created, token) {
        return Err(AppError::Forbidden("the edit token does not fit this comment"));
    }
    if now_ms() > meta.created + state.config.edit_window().as_millis() as i64 {
        return Err(AppError::Forbidden("the time to edit or delete this comment is over"));
    }
    let (_, site) = known_site(state, &meta.site_id).await?;
    check_origin(headers, &site)?;
    Ok(meta)
}

#[utoipa::path(get, path = "/api/v1/comments/{id}", tag = "comments",
    params(("id" = i64, Path, description = "comment id", example = 1)),
    security((), ("edit_token" = [])),
    responses(
        (status = 200, description = "the comment", body = EditedOut),
        CommentErrors
    ))]
/// `GET /api/v1/comments/{id}`: a published comment to anyone; a held one only with its edit token, so that
/// its author sees it "awaiting moderation".
#[instrument(level = "debug", skip_all)]
pub async fn one(
    State(state): State<AppState>,
    path: std::result::Result<Path<i64>, PathRejection>,
    headers: HeaderMap,
) -> Result<Json<EditedOut>> {
    let id = comment_id(path)?;
    let row = state.store.comment(id).await?;
    let row = row.ok_or(AppError::NotFound("no such comment"))?;
    let visible = match row.status {
        Status::Published => true,
        Status::Pending | Status::Spam => {
            bearer(&headers).is_some_and(|t| state.keys.verify_edit_token(row.id, row.created, t))
        }
        Status::Deleted => false,
    };
    if !visible {
        return Err(AppError::NotFound("no such comment"));
    }
    Ok(Json(EditedOut {
        comment: CommentOut::for_author(row),
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct EditIn {
    text: Option<String>,
    author: Option<String>,
    website: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct EditedOut {
    comment: CommentOut,
}

impl TryFrom<EditIn> for Changes {
    type Error = AppError;

    fn try_from(input: EditIn) -> Result<Self> {
        let text = match &input.text {
            Some(text) => {
                let text = CommentText::parse(text)?;
                let html = render(text.as_str());
                Some((text, html))
            }
            None => None,
        };
        Ok(Self {
            text,
            author: input
                .author
                .as_deref()
                .map(|a| AuthorName::parse(Some(a)))
                .transpose()?,
            website: input
                .website
                .as_deref()
                .map(|w| Website::parse(non_blank(Some(w))))
                .transpose()?,
        })
    }
}

#[utoipa::path(patch, path = "/api/v1/comments/{id}", tag = "comments", request_body = EditIn,
    params(("id" = i64, Path, description = "comment id", example = 1)),
    security(("edit_token" = [])),
    responses(
        (status = 200, description = "the edited comment", body = EditedOut),
        WriteErrors
    ))]
/// `PATCH /api/v1/comments/{id}`
#[instrument(level = "debug", skip_all)]
pub async fn edit(
    State(state): State<AppState>,
    path: std::result::Result<Path<i64>, PathRejection>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<EditIn>,
) -> Result<Json<EditedOut>> {
    let id = comment_id(path)?;
    let meta = authorize_edit(&state, id, &headers).await?;
    let changes = Changes::try_from(input)?;
    let (_, site) = known_site(&state, &meta.site_id).await?;
    let edited = state.store.edit_comment(id, site, changes, now_ms()).await?;
    let edited = edited.ok_or(AppError::NotFound("no such comment"))?;
    Ok(Json(EditedOut {
        comment: CommentOut::for_author(edited),
    }))
}

#[utoipa::path(delete, path = "/api/v1/comments/{id}", tag = "comments",
    params(("id" = i64, Path, description = "comment id", example = 1)),
    security(("edit_token" = [])),
    responses(
        (status = 204, description = "deleted"),
        DeleteErrors
    ))]
/// `DELETE /api/v1/comments/{id}`
#[instrument(level = "debug", skip_all)]
pub async fn delete(
    State(state): State<AppState>,
    path: std::result::Result<Path<i64>, PathRejection>,
    headers: HeaderMap,
) -> Result<StatusCode> {
    let id = comment_id(path)?;
    authorize_edit(&state, id, &headers).await?;
    state.store.remove_comment(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

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
    let votes = state.store.vote(id, state.keys.ip_hashes(ip), vote).await?;
    let votes = votes.ok_or(AppError::NotFound("no such comment"))?;
    Ok(Json(VotesOut {
        likes: votes.likes,
        dislikes: votes.dislikes,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PreviewIn {
    #[schema(min_length = 1, max_length = 10000, example = "Hallo *Welt*")]
    text: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PreviewOut {
    html: String,
}

#[utoipa::path(post, path = "/api/v1/preview", tag = "comments", request_body = PreviewIn,
    responses(
        (status = 200, description = "the rendered HTML", body = PreviewOut),
        PreviewErrors
    ))]
/// `POST /api/v1/preview`
#[instrument(level = "debug", skip_all)]
pub async fn preview(ApiJson(input): ApiJson<PreviewIn>) -> Result<Json<PreviewOut>> {
    let text = CommentText::parse(&input.text)?;
    Ok(Json(PreviewOut {
        html: render(text.as_str()),
    }))
}
