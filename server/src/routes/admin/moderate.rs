//! `POST /admin/moderate`: one action on one or several comments.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use tracing::instrument;

use super::auth::AdminForm;
use super::view::{Result, back_to};
use crate::domain::moderator::Action;
use crate::domain::time::now_ms;
use crate::error::AppError;
use crate::state::AppState;

/// `act` is `approve`, `spam`, `delete`, `ban` or `restore`, for the selected `id`s, or `approve:ID` (and so
/// on) for one comment.
#[instrument(level = "debug", skip_all)]
pub async fn moderate(State(state): State<AppState>, AdminForm { session, form }: AdminForm) -> Result<Response> {
    let act = form.one("act").unwrap_or("");
    let (verb, one) = act.split_once(':').map_or((act, None), |(v, id)| (v, Some(id)));
    let action = Action::parse(verb).map_err(|_| AppError::BadRequest("unknown action".into()))?;
    let ids: Vec<i64> = match one {
        Some(id) => id.parse().into_iter().collect(),
        None => form.all("id").filter_map(|v| v.parse().ok()).collect(),
    };
    let changed = state.store.moderate(session.moderator, action, ids, now_ms()).await?;
    let back = back_to(&form);
    let sep = if back.contains('?') { '&' } else { '?' };
    Ok(Redirect::to(&format!("{back}{sep}done={changed}")).into_response())
}
