//! The signed-in moderator's account: the address their notifications go to.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use tracing::instrument;

use super::auth::{AdminForm, Session};
use super::view::{Ctx, Result, page, visible_sites};
use crate::domain::Email;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "admin/account.html")]
struct AccountPage {
    ctx: Ctx,
    email: String,
    error: Option<String>,
    mail_on: bool,
    /// Per site the moderator moderates, its badge token (docs/widget.md, "For moderators: the badge").
    badges: Vec<(String, String)>,
}

/// The moderator's badge token for each site they moderate.
async fn badges(state: &AppState, session: &Session) -> Result<Vec<(String, String)>> {
    Ok(visible_sites(state, session)
        .await?
        .into_iter()
        .map(|s| {
            let token = state.keys.badge_token(&s.id, session.moderator.badge());
            (s.id, token)
        })
        .collect())
}

/// `POST /admin/account/badge`: new badge tokens; every earlier one stops marking comments.
#[instrument(level = "debug", skip_all)]
pub async fn new_badge(State(state): State<AppState>, AdminForm { session, .. }: AdminForm) -> Result<Response> {
    if !state.store.new_badge(session.moderator.name.clone()).await? {
        return Err(AppError::NotFound("no such moderator").into());
    }
    Ok(Redirect::to("/admin/account?done=1").into_response())
}

/// `GET /admin/account`: the moderator's address for notifications.
#[instrument(level = "debug", skip_all)]
pub async fn account(session: Session, State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response> {
    page(AccountPage {
        email: session.moderator.email.clone().unwrap_or_default(),
        error: None,
        badges: badges(&state, &session).await?,
        mail_on: state.store.mail_on(),
        ctx: Ctx::new(&session, raw.as_deref()),
    })
}

/// `POST /admin/account`: sets the address, or clears it when empty. A malformed one answers the page
/// again with the error (422) and changes nothing.
#[instrument(level = "debug", skip_all)]
pub async fn save_account(State(state): State<AppState>, AdminForm { session, form }: AdminForm) -> Result<Response> {
    let email = match Email::parse(form.one("email")) {
        Ok(e) => e.map(Email::into_inner),
        Err(e) => {
            let again = page(AccountPage {
                email: form.one("email").unwrap_or("").to_owned(),
                error: Some(format!("{}: {}", session.t.email, e.message)),
                badges: badges(&state, &session).await?,
                mail_on: state.store.mail_on(),
                ctx: Ctx::new(&session, None),
            })?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, again).into_response());
        }
    };
    let found = state
        .store
        .set_moderator_email(session.moderator.name.clone(), email)
        .await?;
    if !found {
        return Err(AppError::NotFound("no such moderator").into());
    }
    Ok(Redirect::to("/admin/account?done=1").into_response())
}
