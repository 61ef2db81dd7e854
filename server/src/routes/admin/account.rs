//! The signed-in moderator's account: the address their notifications go to.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use tracing::instrument;

use super::auth::{AdminForm, Session};
use super::view::{Ctx, Result, page};
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
    /// The moderator's badge token (docs/widget.md, "For moderators: the badge").
    badge: String,
}

/// `GET /admin/account`: the moderator's address for notifications.
#[instrument(level = "debug", skip_all)]
pub async fn account(session: Session, State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response> {
    page(AccountPage {
        email: session.moderator.email.clone().unwrap_or_default(),
        error: None,
        badge: state.keys.badge_token(session.moderator.id, session.moderator.created),
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
                badge: state.keys.badge_token(session.moderator.id, session.moderator.created),
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
