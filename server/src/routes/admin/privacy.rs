//! Privacy requests (GDPR): export or erase everything stored for one email address.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use tracing::instrument;

use super::auth::{AdminForm, Session};
use super::view::{Ctx, Result, page};
use crate::domain::time::now_ms;
use crate::domain::{Email, FieldError};
use crate::error::AppError;
use crate::http::query::Query;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "admin/privacy.html")]
struct PrivacyPage {
    ctx: Ctx,
    erased: Option<String>,
}

fn every_site(session: &Session) -> Result<()> {
    match session.sites() {
        None => Ok(()),
        Some(_) => Err(AppError::Forbidden("only moderators of every site handle privacy requests").into()),
    }
}

/// `GET /admin/privacy`: export or erase everything stored for one email address (GDPR).
#[instrument(level = "debug", skip_all)]
pub async fn privacy(session: Session, RawQuery(raw): RawQuery) -> Result<Response> {
    every_site(&session)?;
    let erased = Query::parse(raw.as_deref()).one("erased").map(str::to_owned);
    page(PrivacyPage {
        ctx: Ctx::new(&session, raw.as_deref()),
        erased,
    })
}

fn privacy_email(form: &Query) -> Result<String> {
    Email::parse(form.one("email"))?
        .map(Email::into_inner)
        .ok_or_else(|| AppError::from(FieldError::new("email", "give the email address")).into())
}

/// `POST /admin/privacy/export`: everything stored for the address, as a JSON download.
#[instrument(level = "debug", skip_all)]
pub async fn privacy_export(State(state): State<AppState>, AdminForm { session, form }: AdminForm) -> Result<Response> {
    every_site(&session)?;
    let email = privacy_email(&form)?;
    let export = state.store.export(email).await?;
    let json = serde_json::to_vec_pretty(&export).map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"riposte-export.json\"".to_owned(),
            ),
        ],
        json,
    )
        .into_response())
}

/// `POST /admin/privacy/erase`: erases every comment of the address.
#[instrument(level = "debug", skip_all)]
pub async fn privacy_erase(State(state): State<AppState>, AdminForm { session, form }: AdminForm) -> Result<Response> {
    every_site(&session)?;
    let email = privacy_email(&form)?;
    let erased = state.store.erase(email, session.moderator.name, now_ms()).await?;
    Ok(Redirect::to(&format!("/admin/privacy?done=1&erased={erased}")).into_response())
}
