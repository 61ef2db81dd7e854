//! `/admin/mail/{token}`: a moderator's Approve / Spam / Delete from a mail. The GET shows the comment and
//! one button; the POST acts once (the store marks the link used in the same transaction).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use tracing::instrument;

use super::{Link, failed, foreign, gone, message, page_link, render, site_strings, unknown, verify};
use crate::domain::CommentRecord;
use crate::domain::notify::{LinkAction, MailLink};
use crate::domain::time::now_ms;
use crate::routes::admin::auth::origin_allowed;
use crate::routes::admin::i18n::{self, Strings};
use crate::state::AppState;
use crate::store::LinkOutcome;

#[derive(Template)]
#[template(path = "links/moderate.html")]
struct ModeratePage {
    t: &'static Strings,
    token: String,
    question: &'static str,
    button: &'static str,
    site_name: String,
    page: String,
    page_link: Option<String>,
    author: String,
    written: String,
    status: &'static str,
    reason: Option<String>,
    /// The comment's text as its author wrote it, shown as text: paragraphs of lines.
    paragraphs: Vec<Vec<String>>,
}

/// What a moderate link names: its fields and MAC, or the answer for a link that names nothing.
struct Named {
    moderator: i64,
    moderator_created: i64,
    comment: i64,
    comment_created: i64,
    action: LinkAction,
    expires: i64,
    mac: String,
}

fn named(state: &AppState, token: &str) -> Option<Named> {
    match verify(state, token)? {
        (
            MailLink::Moderate {
                moderator,
                moderator_created,
                comment,
                comment_created,
                action,
                expires,
            },
            mac,
        ) => Some(Named {
            moderator,
            moderator_created,
            comment,
            comment_created,
            action,
            expires,
            mac,
        }),
        _ => None,
    }
}

impl Named {
    /// The link again, for the store.
    fn link(&self) -> MailLink {
        MailLink::Moderate {
            moderator: self.moderator,
            moderator_created: self.moderator_created,
            comment: self.comment,
            comment_created: self.comment_created,
            action: self.action,
            expires: self.expires,
        }
    }
}

/// The comment a link acts on, when it is the one the link was made for (ids can be reused) and the
/// link's moderator, the same account, may still moderate its site.
async fn subject(state: &AppState, link: &Named) -> Result<Option<CommentRecord>, Response> {
    let found = state.store.records(vec![link.comment]).await.map_err(failed)?;
    let Some(comment) = found.into_iter().next().filter(|c| c.created == link.comment_created) else {
        return Ok(None);
    };
    let moderators = state.store.moderators().await.map_err(failed)?;
    let may = moderators
        .iter()
        .any(|m| m.id == link.moderator && m.created == link.moderator_created && m.may(&comment.site));
    Ok(may.then_some(comment))
}

/// `GET /admin/mail/{token}`: what the link would do, and the button that does it. Changes nothing.
#[instrument(level = "debug", skip_all)]
pub async fn page(State(state): State<AppState>, Path(token): Path<String>, headers: HeaderMap) -> Response {
    let Some(link) = named(&state, &token) else {
        return unknown(i18n::pick(&headers));
    };
    let comment = match subject(&state, &link).await {
        Ok(Some(c)) => c,
        Ok(None) => return unknown(i18n::pick(&headers)),
        Err(r) => return r,
    };
    let t = match site_strings(&state, &comment.site, &headers).await {
        Ok(t) => t,
        Err(e) => return failed(e),
    };
    if link.expires < now_ms() {
        return gone(t);
    }
    let (question, button) = match link.action {
        LinkAction::Approve => (t.link_approve_q, t.approve),
        LinkAction::Spam => (t.link_spam_q, t.spam),
        LinkAction::Delete => (t.link_delete_q, t.delete),
    };
    let site = match state.sites.get(&comment.site).await {
        Ok(s) => s,
        Err(e) => return failed(e),
    };
    let page_link = match page_link(&state, &comment.site, &comment.uri).await {
        Ok(l) => l,
        Err(e) => return failed(e),
    };
    render(
        StatusCode::OK,
        ModeratePage {
            t,
            token,
            question,
            button,
            site_name: site.map_or_else(|| comment.site.clone(), |s| s.name.clone()),
            page: comment.title.clone().unwrap_or_else(|| comment.uri.clone()),
            page_link,
            author: comment.author.clone().unwrap_or_else(|| t.anonymous.into()),
            written: crate::domain::time::rfc3339(comment.created),
            status: t.status(comment.status),
            reason: comment.reason.clone(),
            paragraphs: paragraphs(&comment.text),
        },
    )
}

/// `POST /admin/mail/{token}`: acts on the comment once. A used link answers 409, an expired one 410, one
/// whose comment or moderator is gone 404; none of them changes anything.
#[instrument(level = "debug", skip_all)]
pub async fn act(State(state): State<AppState>, Path(token): Path<String>, headers: HeaderMap) -> Response {
    let browser = i18n::pick(&headers);
    if !origin_allowed(&headers, &state) {
        return foreign(browser);
    }
    let Some(link) = named(&state, &token) else {
        return unknown(browser);
    };
    let site = match subject(&state, &link).await {
        Ok(Some(c)) => c.site,
        Ok(None) => return unknown(browser),
        Err(r) => return r,
    };
    let t = match site_strings(&state, &site, &headers).await {
        Ok(t) => t,
        Err(e) => return failed(e),
    };
    let now = now_ms();
    if link.expires < now {
        return gone(t);
    }
    let outcome = state.store.moderate_by_link(link.mac.clone(), link.link(), now).await;
    match outcome {
        Ok(LinkOutcome::Done) => {
            let text = match link.action {
                LinkAction::Approve => t.link_approved,
                LinkAction::Spam => t.link_spammed,
                LinkAction::Delete => t.link_deleted,
            };
            let admin = Link {
                href: format!("/admin/comments/{}", link.comment),
                label: t.link_to_admin,
            };
            message(StatusCode::OK, t, t.link_moderate, text, Some(admin))
        }
        Ok(LinkOutcome::Used) => message(StatusCode::CONFLICT, t, t.link_used_title, t.link_used, None),
        Ok(LinkOutcome::Gone) => unknown(t),
        Err(e) => failed(e),
    }
}

/// Markdown source as paragraphs of lines, to be shown as escaped text.
fn paragraphs(text: &str) -> Vec<Vec<String>> {
    text.replace("\r\n", "\n")
        .split("\n\n")
        .map(|p| p.lines().map(str::to_owned).collect::<Vec<_>>())
        .filter(|p| p.iter().any(|l| !l.trim().is_empty()))
        .collect()
}
