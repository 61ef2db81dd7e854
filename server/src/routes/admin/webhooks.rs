//! A site's webhooks: the list, adding one (its secret shown once), a test event, removing one.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use tracing::instrument;

use super::auth::{AdminForm, Session};
use super::view::{Ctx, Result, page, when};
use crate::domain::notify::{Event, NewWebhook, Webhook};
use crate::domain::time::now_ms;
use crate::domain::{FieldError, SiteId};
use crate::error::AppError;
use crate::keys::new_token;
use crate::notify::webhook::ssrf::check_url;
use crate::state::AppState;

/// Longer URLs are refused: a hook's address is not a place for data.
const URL_MAX: usize = 2_000;

pub struct HookView {
    id: i64,
    url: String,
    /// The event names; empty for every comment event.
    events: Vec<&'static str>,
    from_config: bool,
    disabled: Option<String>,
    created: String,
}

#[derive(Template)]
#[template(path = "admin/webhooks.html")]
struct WebhooksPage {
    ctx: Ctx,
    site: String,
    site_name: String,
    hooks: Vec<HookView>,
    /// The events a hook may ask for, one checkbox each.
    events: Vec<&'static str>,
    /// The secret of the hook just added: shown on this answer only.
    secret: Option<String>,
}

/// The site named in the path, when this moderator may manage it; 404 otherwise (whether it exists or
/// not is none of their business).
async fn managed(state: &AppState, session: &Session, id: &str) -> Result<(SiteId, String)> {
    let not_found = || AppError::NotFound("no such site");
    let site = SiteId::parse(id).map_err(|_| not_found())?;
    if !session.may(site.as_str()) {
        return Err(not_found().into());
    }
    let found = state.sites.get(site.as_str()).await?.ok_or_else(not_found)?;
    Ok((site, found.name.clone()))
}

fn view(h: Webhook) -> HookView {
    HookView {
        id: h.id,
        url: h.url,
        events: h.events.iter().map(|e| e.as_str()).collect(),
        from_config: h.from_config,
        disabled: h.disabled,
        created: when(h.created),
    }
}

async fn render(
    state: &AppState,
    session: &Session,
    raw: Option<&str>,
    (site, site_name): (SiteId, String),
    secret: Option<String>,
) -> Result<Response> {
    let hooks = state.store.webhooks(site.clone()).await?;
    page(WebhooksPage {
        ctx: Ctx::new(session, raw),
        site: site.as_str().to_owned(),
        site_name,
        hooks: hooks.into_iter().map(view).collect(),
        events: Event::COMMENT.into_iter().map(Event::as_str).collect(),
        secret,
    })
}

/// `GET /admin/sites/{id}/webhooks`: the site's hooks, without their secrets, and the form to add one.
#[instrument(level = "debug", skip_all)]
pub async fn webhooks(
    session: Session,
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    let site = managed(&state, &session, &id).await?;
    render(&state, &session, raw.as_deref(), site, None).await
}

/// `POST /admin/sites/{id}/webhooks`: adds a hook with a fresh secret, and answers the page with the
/// secret on it, this once.
#[instrument(level = "debug", skip_all)]
pub async fn add_webhook(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AdminForm { session, form }: AdminForm,
) -> Result<Response> {
    let site = managed(&state, &session, &id).await?;
    let raw = form.one("url").unwrap_or("").trim();
    if raw.is_empty() {
        return Err(FieldError::new("url", "give the URL that receives the events").into());
    }
    if raw.len() > URL_MAX {
        return Err(FieldError::new("url", format!("must be at most {URL_MAX} characters")).into());
    }
    let url = check_url(raw, state.config.webhooks_allow_private).map_err(|e| FieldError::new("url", e.to_string()))?;
    let mut events = Vec::new();
    for name in form.all("events") {
        let event = Event::parse(name)?;
        if !events.contains(&event) {
            events.push(event);
        }
    }
    let secret = format!("whsec_{}", new_token());
    let hook = NewWebhook {
        url: url.to_string(),
        secret: secret.clone(),
        events,
    };
    state
        .store
        .add_webhook(site.0.clone(), hook, session.moderator.name.clone(), now_ms())
        .await?;
    render(&state, &session, None, site, Some(secret)).await
}

/// The hook named in the form, which must be one of the site's.
async fn hook_of(state: &AppState, site: &SiteId, form: &crate::http::query::Query) -> Result<Webhook> {
    let not_found = || AppError::NotFound("no such webhook");
    let id: i64 = form.one("hook").and_then(|v| v.parse().ok()).ok_or_else(not_found)?;
    let hooks = state.store.webhooks(site.clone()).await?;
    Ok(hooks.into_iter().find(|h| h.id == id).ok_or_else(not_found)?)
}

/// `POST /admin/sites/{id}/webhooks/test`: queues a `test` event for one hook.
#[instrument(level = "debug", skip_all)]
pub async fn test_webhook(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AdminForm { session, form }: AdminForm,
) -> Result<Response> {
    let (site, _) = managed(&state, &session, &id).await?;
    let hook = hook_of(&state, &site, &form).await?;
    if !state.store.test_webhook(site.clone(), hook.id, now_ms()).await? {
        return Err(AppError::NotFound("no such webhook").into());
    }
    Ok(Redirect::to(&format!("/admin/sites/{}/webhooks?done=1", site.as_str())).into_response())
}

/// `POST /admin/sites/{id}/webhooks/remove`: removes a hook added here; one from the configuration file
/// is removed there.
#[instrument(level = "debug", skip_all)]
pub async fn remove_webhook(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AdminForm { session, form }: AdminForm,
) -> Result<Response> {
    let (site, _) = managed(&state, &session, &id).await?;
    let hook = hook_of(&state, &site, &form).await?;
    if hook.from_config {
        return Err(AppError::Conflict(
            "this webhook comes from the configuration file: remove it there, it goes at the next start",
        )
        .into());
    }
    let removed = state
        .store
        .remove_webhook(site.clone(), hook.id, session.moderator.name, now_ms())
        .await?;
    if !removed {
        return Err(AppError::NotFound("no such webhook").into());
    }
    Ok(Redirect::to(&format!("/admin/sites/{}/webhooks?done=1", site.as_str())).into_response())
}
