//! Comments: a visitor's create, read, edit, delete and vote, and the Markdown preview. Each handler
//! parses its input into one domain value, calls one store method and presents the answer.

use axum::Extension;
use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tracing::instrument;

use super::openapi::{CommentErrors, DeleteErrors, WriteErrors};
use super::{CommentOut, bearer, check_origin, comment_id, known_site};
use crate::domain::comment::{Changes, CommentMeta, NewComment, idempotency_key};
use crate::domain::moderation;
use crate::domain::notify::SubscriptionScope;
use crate::domain::time::{now_ms, rfc3339};
use crate::domain::{AuthorName, CommentText, FieldError, Status, Website, non_blank};
use crate::error::{ApiJson, AppError, ErrorBody, Result};
use crate::http::client::ClientIp;
use crate::render::render;
use crate::routes::post::{self, Door, Draft, Post};
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
    /// A solved proof-of-work challenge: base64 of ALTCHA's JSON payload `{algorithm, challenge, number,
    /// salt, signature}` for a challenge from `GET /api/v1/challenge`. Needed when the site asks for one.
    altcha: Option<String>,
    /// The `author_token` of an earlier comment on this site: proves a returning commenter.
    #[schema(max_length = 200)]
    author_token: Option<String>,
    /// A moderator's badge token (the admin UI's Account page): the comment carries the moderator badge
    /// and skips the queue while that moderator moderates the site. A wrong token is ignored.
    #[schema(max_length = 200)]
    moderator_token: Option<String>,
    /// The widget form's hidden trap field; anything in it holds the comment as spam.
    #[schema(max_length = 500)]
    honeypot: Option<String>,
    /// Milliseconds from the widget form being shown to its submit; under 1,500 holds the comment as spam.
    fill_ms: Option<i64>,
    /// Mail me of replies: `true` (or `"replies"`) for direct replies, `"page"` for every new comment on
    /// the page. Needs `email`; a confirmation mail goes out first, nothing else before it is confirmed.
    /// Ignored when the server sends no mail (see `notify` in the thread answer).
    #[schema(value_type = Option<Object>, example = json!(true))]
    notify: Option<NotifyIn>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NotifyIn {
    Flag(bool),
    Scope(String),
}

impl NotifyIn {
    fn scope(&self) -> Result<Option<SubscriptionScope>> {
        match self {
            Self::Flag(on) => Ok(on.then_some(SubscriptionScope::Replies)),
            Self::Scope(s) if s == "replies" => Ok(Some(SubscriptionScope::Replies)),
            Self::Scope(s) if s == "page" => Ok(Some(SubscriptionScope::Page)),
            Self::Scope(_) => Err(FieldError::new("notify", "must be true, false, \"replies\" or \"page\"").into()),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedOut {
    comment: CommentOut,
    edit_token: String,
    editable_until: String,
    /// Keep it (the widget does, per site) and send it with later comments: it shows that this comment is
    /// yours, which makes you a returning commenter once it is published.
    author_token: String,
}

impl NewCommentIn {
    /// The fields of the comment itself, for parsing.
    fn draft(&self) -> Result<Draft<'_>> {
        Ok(Draft {
            site: &self.site,
            uri: &self.uri,
            title: self.title.as_deref(),
            parent: self.parent,
            author: self.author.as_deref(),
            email: self.email.as_deref(),
            website: self.website.as_deref(),
            text: &self.text,
            notify: match &self.notify {
                Some(n) => n.scope()?,
                None => None,
            },
        })
    }
}

#[utoipa::path(post, path = "/api/v1/comments", tag = "comments", request_body = NewCommentIn,
    params(("Idempotency-Key" = Option<String>, Header,
        description = "1 to 255 visible ASCII characters; a repeat within 24 hours answers the first comment again")),
    responses(
        (status = 201, description = "published", body = CreatedOut),
        (status = 202, description = "held for moderation", body = CreatedOut),
        (status = 409, description = "the Idempotency-Key was used for a comment that is gone", body = ErrorBody),
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
    let mut comment = NewComment::try_from(input.draft()?)?;
    // A title comes only from the site's own pages (a browser names them); another client cannot name a
    // page of someone else's site.
    if headers.get(header::ORIGIN).is_none() {
        comment.title = None;
    }
    let idempotency_key = match headers.get("idempotency-key") {
        Some(v) => Some(idempotency_key(v.to_str().unwrap_or("\u{0}"))?),
        None => None,
    };
    let post = Post {
        comment,
        altcha: input.altcha,
        author_token: input.author_token,
        moderator: input
            .moderator_token
            .as_deref()
            .and_then(|t| state.keys.verify_badge_token(&site.id, t)),
        trap: moderation::trap(input.honeypot.as_deref(), input.fill_ms),
        idempotency_key,
        door: Door::Api,
    };
    let site_id = site.id.clone();
    let created = post::create(&state, site, ip, post).await?;
    let code = if created.published_at_once {
        StatusCode::CREATED
    } else {
        StatusCode::ACCEPTED
    };
    let stored = created.comment;
    let body = CreatedOut {
        edit_token: state.keys.edit_token(stored.id, stored.created),
        editable_until: rfc3339(stored.created + state.config.edit_window().as_millis() as i64),
        author_token: state.keys.author_token(&site_id, stored.id, stored.created),
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
            spam: None,
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
    Extension(ClientIp(ip)): Extension<ClientIp>,
    path: std::result::Result<Path<i64>, PathRejection>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<EditIn>,
) -> Result<Json<EditedOut>> {
    let id = comment_id(path)?;
    let meta = authorize_edit(&state, id, &headers).await?;
    let mut changes = Changes::try_from(input)?;
    let (site_id, site) = known_site(&state, &meta.site_id).await?;
    // The filter reads the edited comment as it will be: the new fields, else the stored ones.
    if let Some(stored) = state.store.records(vec![id]).await?.pop() {
        let text = match &changes.text {
            Some((t, _)) => t.as_str().to_owned(),
            None => stored.text,
        };
        let author = match &changes.author {
            Some(a) => a.as_ref().map(|a| a.as_str().to_owned()),
            None => stored.author,
        };
        let website = match &changes.website {
            Some(w) => w.as_ref().map(|w| w.as_str().to_owned()),
            None => stored.website,
        };
        changes.spam = post::spam_reason(&state, &site_id, &text, author.as_deref(), website.as_deref()).await?;
    }
    let editor = state.ip_hashes(ip).await?;
    let edited = state.store.edit_comment(id, site, changes, editor, now_ms()).await?;
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
