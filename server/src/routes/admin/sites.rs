//! Sites: their settings and embed snippets, and saving a site.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use tracing::instrument;

use super::auth::{AdminForm, Session};
use super::view::{Ctx, Result, page, visible_sites};
use crate::domain::notify::{Language, NotifyMode};
use crate::domain::pow::Pow;
use crate::domain::site::{DEFAULT_MAX_LINKS, Sort, clean_words, close_after_days};
use crate::domain::time::now_ms;
use crate::domain::{FieldError, Moderation, Origin, Site, SiteId};
use crate::error::AppError;
use crate::state::AppState;

pub struct SiteView {
    id: String,
    name: String,
    origins: String,
    moderation: &'static str,
    max_links: i64,
    blocked_words: String,
    pow: &'static str,
    notify: &'static str,
    language: &'static str,
    sort: &'static str,
    /// Empty when threads never close by age.
    close_after: String,
    snippet: String,
}

#[derive(Template)]
#[template(path = "admin/sites.html")]
struct SitesPage {
    ctx: Ctx,
    sites: Vec<SiteView>,
    may_add: bool,
    blank: SiteView,
}

/// `GET /admin/sites`: the sites this moderator may manage, with their embed snippets.
#[instrument(level = "debug", skip_all)]
pub async fn sites(session: Session, State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response> {
    let sites = visible_sites(&state, &session)
        .await?
        .into_iter()
        .map(|s| SiteView {
            snippet: format!(
                "<div id=\"riposte-thread\"></div>\n<script src=\"{}/embed.js\" data-site=\"{}\" async></script>",
                state.public_url, s.id
            ),
            origins: s.origins.join("\n"),
            moderation: s.moderation.as_str(),
            max_links: s.max_links,
            blocked_words: s.blocked_words.join("\n"),
            pow: s.pow.as_str(),
            notify: s.notify.as_str(),
            language: s.language.as_str(),
            sort: s.sort.as_str(),
            close_after: s.close_after_days.map(|d| d.to_string()).unwrap_or_default(),
            id: s.id,
            name: s.name,
        })
        .collect();
    let blank = SiteView {
        id: String::new(),
        name: String::new(),
        origins: String::new(),
        moderation: "none",
        max_links: DEFAULT_MAX_LINKS,
        blocked_words: String::new(),
        pow: Pow::default().as_str(),
        notify: NotifyMode::default().as_str(),
        language: Language::default().as_str(),
        sort: Sort::default().as_str(),
        close_after: String::new(),
        snippet: String::new(),
    };
    page(SitesPage {
        ctx: Ctx::new(&session, raw.as_deref()),
        sites,
        may_add: session.sites().is_none(),
        blank,
    })
}

/// `POST /admin/sites`: creates a site (moderators of every site only) or changes one.
#[instrument(level = "debug", skip_all)]
pub async fn save_site(State(state): State<AppState>, AdminForm { session, form }: AdminForm) -> Result<Response> {
    let id = SiteId::parse(form.one("id").unwrap_or("").trim())?;
    let existing = state.sites.get(id.as_str()).await?;
    let allowed = if existing.is_some() {
        session.may(id.as_str())
    } else {
        session.sites().is_none()
    };
    if !allowed {
        return Err(AppError::Forbidden("you may not manage this site").into());
    }
    let origins = form
        .one("origins")
        .unwrap_or("")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|o| Origin::parse(o).map(Origin::into_inner))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let moderation = Moderation::parse(form.one("moderation").unwrap_or("none"))?;
    let max_links = form
        .one("max_links")
        .unwrap_or("3")
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| FieldError::new("max_links", "must be a whole number, 0 or more"))?;
    let words: Vec<&str> = form.one("blocked_words").unwrap_or("").lines().collect();
    // A form from before the setting existed keeps the site's own.
    let pow = match form.one("pow") {
        Some(p) => Pow::parse(p)?,
        None => existing.as_ref().map_or(Pow::default(), |s| s.pow),
    };
    let notify = match form.one("notify") {
        Some(n) => NotifyMode::parse(n)?,
        None => existing.as_ref().map_or(NotifyMode::default(), |s| s.notify),
    };
    let language = match form.one("language") {
        Some(l) => Language::parse(l)?,
        None => existing.as_ref().map_or(Language::default(), |s| s.language),
    };
    let sort = match form.one("sort") {
        Some(o) => Sort::parse(o)?,
        None => existing.as_ref().map_or(Sort::default(), |s| s.sort),
    };
    let close_after = match form.one("close_after_days").map(str::trim) {
        Some("") => None,
        Some(d) => close_after_days(Some(d.parse::<i64>().map_err(|_| {
            FieldError::new(
                "close_after_days",
                "must be a number of days from 1 to 36500, or left out",
            )
        })?))?,
        None => existing.as_ref().and_then(|s| s.close_after_days),
    };
    let name = form
        .one("name")
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(id.as_str())
        .to_owned();
    let site = Site {
        id: id.as_str().to_owned(),
        name,
        moderation,
        origins,
        max_links,
        blocked_words: clean_words(&words),
        pow,
        notify,
        language,
        sort,
        close_after_days: close_after,
    };
    state
        .store
        .save_site(site, Some(session.moderator.name), now_ms())
        .await?;
    state.sites.refresh().await?;
    Ok(Redirect::to("/admin/sites?done=1").into_response())
}
