//! The queue of comments that wait for a moderator, and the trash.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use tracing::instrument;

use super::auth::Session;
use super::view::{CommentView, Ctx, Result, page, rows};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "admin/queue.html")]
struct QueuePage {
    ctx: Ctx,
    rows: Vec<CommentView>,
    back: String,
    trash: bool,
}

/// `GET /admin`: what waits for approval on this moderator's sites, newest first.
#[instrument(level = "debug", skip_all)]
pub async fn queue(session: Session, State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response> {
    let items = state.store.queue(session.moderator.sites.clone()).await?;
    let rows = rows(&state, session.t, items).await?;
    page(QueuePage {
        ctx: Ctx::new(&session, raw.as_deref()),
        rows,
        back: "/admin".into(),
        trash: false,
    })
}

#[derive(Template)]
#[template(path = "admin/trash.html")]
struct TrashPage {
    ctx: Ctx,
    rows: Vec<CommentView>,
    back: String,
    trash: bool,
}

/// `GET /admin/trash`: comments moderators deleted, kept for 30 days.
#[instrument(level = "debug", skip_all)]
pub async fn trash(session: Session, State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response> {
    let items = state.store.trash(session.moderator.sites.clone()).await?;
    let rows = rows(&state, session.t, items).await?;
    page(TrashPage {
        ctx: Ctx::new(&session, raw.as_deref()),
        rows,
        back: "/admin/trash".into(),
        trash: true,
    })
}
