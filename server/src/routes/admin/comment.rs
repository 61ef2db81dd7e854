//! One comment: its page with an edit form and its moderation history, and a moderator's edit.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use tracing::instrument;

use super::auth::{AdminForm, Session};
use super::view::{CommentView, Ctx, Result, page, rows, when};
use crate::domain::comment::ModeratorEdit;
use crate::domain::time::now_ms;
use crate::domain::{AuthorName, CommentRecord, CommentText, FieldError, PageTitle, Website};
use crate::error::AppError;
use crate::http::query::Query;
use crate::render::render;
use crate::state::AppState;

/// The form's fields, parsed and the text rendered.
fn moderator_edit(form: &Query) -> std::result::Result<ModeratorEdit, FieldError> {
    let text = CommentText::parse(form.one("text").unwrap_or(""))?;
    Ok(ModeratorEdit {
        html: render(text.as_str()),
        text,
        author: AuthorName::parse(form.one("author"))?,
        website: Website::parse(form.one("website"))?,
    })
}

pub struct AuditView {
    at: String,
    moderator: String,
    action: String,
    detail: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/comment.html")]
struct CommentPage {
    ctx: Ctx,
    c: CommentView,
    text: String,
    author: String,
    website: String,
    /// The title of the comment's page, which moderators may change.
    title: String,
    audit: Vec<AuditView>,
}

async fn load_for(state: &AppState, session: &Session, id: i64) -> Result<CommentRecord> {
    let item = state.store.records(vec![id]).await?.pop();
    Ok(item
        .filter(|i| session.may(&i.site))
        .ok_or(AppError::NotFound("no such comment"))?)
}

/// `GET /admin/comments/{id}`: the comment with an edit form and its moderation history.
#[instrument(level = "debug", skip_all, fields(id = id))]
pub async fn comment(
    session: Session,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    let item = load_for(&state, &session, id).await?;
    let (text, author, website, title) = (
        item.text.clone(),
        item.author.clone().unwrap_or_default(),
        item.website.clone().unwrap_or_default(),
        item.title.clone().unwrap_or_default(),
    );
    let audit = state.store.audit_for(vec![id]).await?;
    let c = rows(&state, session.t, vec![item])
        .await?
        .pop()
        .expect("one row in, one row out");
    page(CommentPage {
        ctx: Ctx::new(&session, raw.as_deref()),
        c,
        text,
        author,
        website,
        title,
        audit: audit
            .into_iter()
            .map(|a| AuditView {
                at: when(a.at),
                moderator: a.moderator,
                action: a.action,
                detail: a.detail,
            })
            .collect(),
    })
}

/// `POST /admin/comments/{id}`: a moderator's edit, rendered and checked like any comment.
#[instrument(level = "debug", skip_all, fields(id = id))]
pub async fn save_comment(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    AdminForm { session, form }: AdminForm,
) -> Result<Response> {
    load_for(&state, &session, id).await?;
    let edit = moderator_edit(&form)?;
    state
        .store
        .moderator_edit(id, edit, session.moderator.name, now_ms())
        .await?;
    Ok(Redirect::to(&format!("/admin/comments/{id}?done=1")).into_response())
}

/// `POST /admin/comments/{id}/title`: a moderator names (or, blank, un-names) the page of the comment.
#[instrument(level = "debug", skip_all, fields(id = id))]
pub async fn save_title(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    AdminForm { session, form }: AdminForm,
) -> Result<Response> {
    load_for(&state, &session, id).await?;
    let title = PageTitle::parse(form.one("title"))?;
    state
        .store
        .set_title(id, title, session.moderator.name, now_ms())
        .await?;
    Ok(Redirect::to(&format!("/admin/comments/{id}?done=1")).into_response())
}

/// `POST /admin/comments/{id}/pin`: pins (`pinned=1`) or unpins (`pinned=0`) a published top-level comment.
#[instrument(level = "debug", skip_all, fields(id = id))]
pub async fn pin(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    AdminForm { session, form }: AdminForm,
) -> Result<Response> {
    load_for(&state, &session, id).await?;
    let on = switch(&form, "pinned")?;
    state.store.pin(session.moderator, id, on, now_ms()).await?;
    Ok(Redirect::to(&format!("/admin/comments/{id}?done=1")).into_response())
}

/// `POST /admin/comments/{id}/close`: closes (`closed=1`) or reopens (`closed=0`) the comment's thread.
#[instrument(level = "debug", skip_all, fields(id = id))]
pub async fn close(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    AdminForm { session, form }: AdminForm,
) -> Result<Response> {
    load_for(&state, &session, id).await?;
    let on = switch(&form, "closed")?;
    state.store.close_thread(session.moderator, id, on, now_ms()).await?;
    Ok(Redirect::to(&format!("/admin/comments/{id}?done=1")).into_response())
}

/// A form's on/off field: `1` or `0`.
fn switch(form: &Query, field: &'static str) -> std::result::Result<bool, FieldError> {
    match form.one(field) {
        Some("1") => Ok(true),
        Some("0") => Ok(false),
        _ => Err(FieldError::new(field, "must be 1 or 0")),
    }
}
