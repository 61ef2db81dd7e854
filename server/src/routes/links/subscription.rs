//! `/notify/confirm/{token}` and `/notify/unsubscribe/{token}`: a commenter's double opt-in and the end of
//! their mails. The GETs show what the button does; the POSTs act. The unsubscribe POST is also the RFC 8058
//! one-click target: a mail provider posts `List-Unsubscribe=One-Click` without an Origin or a cookie.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use tracing::instrument;

use super::{Link, expired, failed, foreign, gone, message, page_link, render, strings, unknown, verify};
use crate::domain::notify::{MailLink, Subscription, SubscriptionScope};
use crate::domain::time::now_ms;
use crate::keys::Keys;
use crate::routes::admin::auth::origin_allowed;
use crate::routes::admin::i18n::{self, Strings};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "links/subscription.html")]
struct SubscriptionPage {
    t: &'static Strings,
    title: &'static str,
    intro: &'static str,
    site_name: String,
    page: String,
    page_link: Option<String>,
    scope: &'static str,
    note: Option<&'static str>,
    action: String,
    button: &'static str,
    other: Option<Link>,
}

/// A subscription link's fields: which subscription, made when.
#[derive(Clone, Copy)]
struct Named {
    link: MailLink,
    subscription: i64,
    created: i64,
}

fn confirm_link(state: &AppState, token: &str) -> Option<Named> {
    match verify(state, token)?.0 {
        link @ MailLink::Confirm { subscription, created } => Some(Named {
            link,
            subscription,
            created,
        }),
        _ => None,
    }
}

fn unsubscribe_link(state: &AppState, token: &str) -> Option<Named> {
    match verify(state, token)?.0 {
        link @ MailLink::Unsubscribe { subscription, created } => Some(Named {
            link,
            subscription,
            created,
        }),
        _ => None,
    }
}

/// The subscription a link names, when it still exists (an id alone is not enough: the link is signed
/// over the moment the subscription was made).
async fn subscription_of(state: &AppState, named: Named) -> Result<Option<Subscription>, Response> {
    let found = state.store.subscription(named.subscription).await.map_err(failed)?;
    Ok(found.filter(|s| s.created == named.created))
}

fn unsubscribe_path(keys: &Keys, subscription: i64, created: i64) -> String {
    let token = keys.link_token(&MailLink::Unsubscribe { subscription, created });
    format!("/notify/unsubscribe/{token}")
}

/// What a subscription page asks, under the subscription's details.
struct Prompt {
    title: &'static str,
    intro: &'static str,
    note: Option<&'static str>,
    action: String,
    button: &'static str,
    other: Option<Link>,
}

async fn subscription_page(state: &AppState, sub: &Subscription, prompt: Prompt) -> Response {
    let t = strings(sub.language);
    let page_link = match page_link(state, &sub.site, &sub.uri).await {
        Ok(l) => l,
        Err(e) => return failed(e),
    };
    render(
        StatusCode::OK,
        SubscriptionPage {
            t,
            title: prompt.title,
            intro: prompt.intro,
            site_name: sub.site_name.clone(),
            page: sub.title.clone().unwrap_or_else(|| sub.uri.clone()),
            page_link,
            scope: match sub.scope {
                SubscriptionScope::Replies => t.sub_scope_replies,
                SubscriptionScope::Page => t.sub_scope_page,
            },
            note: prompt.note,
            action: prompt.action,
            button: prompt.button,
            other: prompt.other,
        },
    )
}

/// `GET /notify/confirm/{token}`: what the subscription is, and the button that confirms it. Changes nothing.
#[instrument(level = "debug", skip_all)]
pub async fn confirm_page(State(state): State<AppState>, Path(token): Path<String>, headers: HeaderMap) -> Response {
    let Some(named) = confirm_link(&state, &token) else {
        return unknown(i18n::pick(&headers));
    };
    let sub = match subscription_of(&state, named).await {
        Ok(Some(s)) => s,
        Ok(None) => return unknown(i18n::pick(&headers)),
        Err(r) => return r,
    };
    let t = strings(sub.language);
    if expired(&named.link, now_ms()) {
        return gone(t);
    }
    let other = Link {
        href: unsubscribe_path(&state.keys, sub.id, sub.created),
        label: t.sub_unsubscribe_now,
    };
    let prompt = Prompt {
        title: t.sub_confirm_title,
        intro: t.sub_confirm_intro,
        note: sub.confirmed.map(|_| t.sub_already_confirmed),
        action: format!("/notify/confirm/{token}"),
        button: t.sub_confirm_button,
        other: Some(other),
    };
    subscription_page(&state, &sub, prompt).await
}

/// `POST /notify/confirm/{token}`: confirms the address for the site, which starts its subscriptions there.
/// Posted from another site's page (an `Origin` not our own), expired or unknown: nothing changes.
#[instrument(level = "debug", skip_all)]
pub async fn confirm(State(state): State<AppState>, Path(token): Path<String>, headers: HeaderMap) -> Response {
    let browser = i18n::pick(&headers);
    if !origin_allowed(&headers, &state) {
        return foreign(browser);
    }
    let Some(named) = confirm_link(&state, &token) else {
        return unknown(browser);
    };
    let t = match subscription_of(&state, named).await {
        Ok(Some(s)) => strings(s.language),
        Ok(None) => return unknown(browser),
        Err(r) => return r,
    };
    let now = now_ms();
    if expired(&named.link, now) {
        return gone(t);
    }
    match state
        .store
        .confirm_subscription(named.subscription, named.created, now)
        .await
    {
        Ok(true) => {
            let unsubscribe = Link {
                href: unsubscribe_path(&state.keys, named.subscription, named.created),
                label: t.sub_unsubscribe_now,
            };
            message(
                StatusCode::OK,
                t,
                t.sub_confirmed_title,
                t.sub_confirmed,
                Some(unsubscribe),
            )
        }
        Ok(false) => unknown(t),
        Err(e) => failed(e),
    }
}

/// `GET /notify/unsubscribe/{token}`: the button that ends the subscription. Changes nothing.
#[instrument(level = "debug", skip_all)]
pub async fn unsubscribe_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(named) = unsubscribe_link(&state, &token) else {
        return unknown(i18n::pick(&headers));
    };
    match subscription_of(&state, named).await {
        Ok(Some(sub)) => {
            let t = strings(sub.language);
            let prompt = Prompt {
                title: t.unsub_title,
                intro: t.unsub_intro,
                note: None,
                action: format!("/notify/unsubscribe/{token}"),
                button: t.unsub_button,
                other: None,
            };
            subscription_page(&state, &sub, prompt).await
        }
        // Ended already: say so, as the POST would.
        Ok(None) => {
            let t = i18n::pick(&headers);
            message(StatusCode::OK, t, t.unsub_done_title, t.unsub_done, None)
        }
        Err(r) => r,
    }
}

/// `POST /notify/unsubscribe/{token}`: ends the subscription, and answers the same when it had ended
/// already. No Origin check: RFC 8058 one-click posts come from mail providers' servers, and the signed
/// token alone is the authority to stop mails to its address.
#[instrument(level = "debug", skip_all)]
pub async fn unsubscribe(State(state): State<AppState>, Path(token): Path<String>, headers: HeaderMap) -> Response {
    let Some(named) = unsubscribe_link(&state, &token) else {
        return unknown(i18n::pick(&headers));
    };
    let t = match subscription_of(&state, named).await {
        Ok(Some(sub)) => strings(sub.language),
        Ok(None) => i18n::pick(&headers),
        Err(r) => return r,
    };
    match state.store.unsubscribe(named.subscription, named.created).await {
        Ok(_) => message(StatusCode::OK, t, t.unsub_done_title, t.unsub_done, None),
        Err(e) => failed(e),
    }
}
