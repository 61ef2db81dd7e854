//! Bans: the list, adding one, lifting one.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use tracing::instrument;

use super::auth::{AdminForm, Session};
use super::view::{Ctx, Result, page, visible_sites, when};
use crate::domain::moderator::NewBan;
use crate::domain::time::{DAY_MS, now_ms};
use crate::domain::{Email, FieldError};
use crate::error::AppError;
use crate::state::AppState;

pub struct BanView {
    id: i64,
    site: String,
    email: String,
    ip_hash: String,
    reason: String,
    by: String,
    expires: String,
}

#[derive(Template)]
#[template(path = "admin/bans.html")]
struct BansPage {
    ctx: Ctx,
    bans: Vec<BanView>,
    sites: Vec<String>,
    all_sites: bool,
}

/// `GET /admin/bans`: the bans in force on this moderator's sites.
#[instrument(level = "debug", skip_all)]
pub async fn bans(session: Session, State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response> {
    let list = state.store.bans(session.moderator.sites.clone(), now_ms()).await?;
    let t = session.t;
    page(BansPage {
        ctx: Ctx::new(&session, raw.as_deref()),
        bans: list
            .into_iter()
            .map(|b| BanView {
                id: b.id,
                site: b.site.unwrap_or_else(|| t.all_sites.into()),
                email: b.email.unwrap_or_default(),
                ip_hash: b.ip_hash.unwrap_or_default(),
                reason: b.reason.unwrap_or_default(),
                by: format!("{}, {}", b.created_by, when(b.created)),
                expires: b.expires.map(when).unwrap_or_else(|| t.never.into()),
            })
            .collect(),
        sites: visible_sites(&state, &session)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect(),
        all_sites: session.sites().is_none(),
    })
}

/// `POST /admin/bans`: bans an email and/or IP hash on one site (or all, for moderators of every site).
#[instrument(level = "debug", skip_all)]
pub async fn add_ban(State(state): State<AppState>, AdminForm { session, form }: AdminForm) -> Result<Response> {
    let site = form.filled("site");
    match &site {
        Some(s) if !session.may(s) => return Err(AppError::Forbidden("you may not manage this site").into()),
        None if session.sites().is_some() => return Err(AppError::Forbidden("you may not ban on every site").into()),
        _ => {}
    }
    let email = Email::parse(form.one("email"))?.map(Email::into_inner);
    let ip_hash = form.filled("ip_hash");
    if email.is_none() && ip_hash.is_none() {
        return Err(FieldError::new("email", "give an email, an IP hash or both").into());
    }
    let days = match form.one("days").map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => Some(
            d.parse::<i64>()
                .ok()
                .filter(|d| (1..=36_500).contains(d))
                .ok_or_else(|| FieldError::new("days", "must be a number of days"))?,
        ),
        None => None,
    };
    let now = now_ms();
    let ban = NewBan {
        site,
        email,
        ip_hash,
        reason: form.filled("reason"),
        expires: days.map(|d| now + d * DAY_MS),
        created_by: session.moderator.name,
    };
    state.store.add_ban(ban, now).await?;
    Ok(Redirect::to("/admin/bans?done=1").into_response())
}

/// `POST /admin/bans/remove`: lifts a ban.
#[instrument(level = "debug", skip_all)]
pub async fn remove_ban(State(state): State<AppState>, AdminForm { session, form }: AdminForm) -> Result<Response> {
    let id: i64 = form
        .one("id")
        .and_then(|v| v.parse().ok())
        .ok_or(AppError::NotFound("no such ban"))?;
    let removed = state
        .store
        .remove_ban(id, session.moderator.sites, session.moderator.name, now_ms())
        .await?;
    if !removed {
        return Err(AppError::NotFound("no such ban").into());
    }
    Ok(Redirect::to("/admin/bans?done=1").into_response())
}
