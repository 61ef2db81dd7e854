//! The outbox: how each mail and webhook call of this moderator's sites went, and "Retry now" for those
//! that failed or wait for their next attempt.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use tracing::instrument;

use super::auth::{AdminForm, Session};
use super::i18n::Strings;
use super::view::{Ctx, Result, page, when};
use crate::domain::FieldError;
use crate::domain::notify::{Channel, DeliveryState, OutboxItem};
use crate::domain::time::now_ms;
use crate::error::AppError;
use crate::http::query::Query;
use crate::state::AppState;

/// The newest messages shown; older ones are a query away in the database.
const SHOWN: i64 = 200;

const STATES: [DeliveryState; 4] = [
    DeliveryState::Queued,
    DeliveryState::Retrying,
    DeliveryState::Sent,
    DeliveryState::Failed,
];

/// One message as the outbox page shows it.
pub struct Row {
    id: i64,
    queued: String,
    kind: &'static str,
    target: String,
    what: String,
    state: &'static str,
    state_label: &'static str,
    error: Option<String>,
    attempts: i64,
    /// When it is next tried, or when it was sent; empty for a failed one.
    next: String,
    retryable: bool,
}

#[derive(Template)]
#[template(path = "admin/outbox.html")]
struct OutboxPage {
    ctx: Ctx,
    mail_on: bool,
    rows: Vec<Row>,
    states: Vec<(&'static str, &'static str)>,
    filter: String,
}

fn label(t: &Strings, state: DeliveryState) -> &'static str {
    match state {
        DeliveryState::Queued => t.state_queued,
        DeliveryState::Retrying => t.state_retrying,
        DeliveryState::Sent => t.state_sent,
        DeliveryState::Failed => t.state_failed,
    }
}

fn row(t: &Strings, item: OutboxItem) -> Row {
    let next = match item.state {
        DeliveryState::Queued | DeliveryState::Retrying => when(item.next_at),
        DeliveryState::Sent => item
            .sent_at
            .map(|at| format!("{} {}", t.outbox_sent_at, when(at)))
            .unwrap_or_default(),
        DeliveryState::Failed => String::new(),
    };
    Row {
        id: item.id,
        queued: when(item.created),
        kind: match item.job.channel() {
            Channel::Mail => t.kind_mail,
            Channel::Webhook => t.kind_webhook,
        },
        target: item.job.target().to_owned(),
        what: item.job.summary(),
        state: item.state.as_str(),
        state_label: label(t, item.state),
        error: item.last_error.filter(|_| item.state != DeliveryState::Sent),
        attempts: item.attempts,
        next,
        retryable: matches!(item.state, DeliveryState::Failed | DeliveryState::Retrying),
    }
}

/// `GET /admin/outbox?state=`: the newest messages of this moderator's sites, optionally in one state.
#[instrument(level = "debug", skip_all)]
pub async fn outbox(session: Session, State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response> {
    let q = Query::parse(raw.as_deref());
    let filter = match q.filled("state") {
        None => None,
        Some(s) => Some(
            STATES
                .into_iter()
                .find(|d| d.as_str() == s)
                .ok_or_else(|| AppError::BadRequest("state must be one of queued, retrying, sent, failed".into()))?,
        ),
    };
    let items = state
        .store
        .outbox(session.moderator.sites.clone(), filter, SHOWN)
        .await?;
    let t = session.t;
    page(OutboxPage {
        mail_on: state.store.mail_on(),
        rows: items.into_iter().map(|i| row(t, i)).collect(),
        states: STATES.iter().map(|d| (d.as_str(), label(t, *d))).collect(),
        filter: filter.map(|d| d.as_str().to_owned()).unwrap_or_default(),
        ctx: Ctx::new(&session, raw.as_deref()),
    })
}

/// `POST /admin/outbox/retry`: makes the selected failed or retrying messages due now, with their attempts
/// reset. Messages of other sites, and those sent or queued, are left as they are.
#[instrument(level = "debug", skip_all)]
pub async fn retry(State(state): State<AppState>, AdminForm { session, form }: AdminForm) -> Result<Response> {
    let ids = form
        .all("id")
        .map(|v| v.trim().parse::<i64>())
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|_| FieldError::new("id", "must be message numbers"))?;
    if ids.is_empty() {
        return Err(FieldError::new("id", session.t.outbox_none_selected).into());
    }
    state.store.retry_outbox(session.moderator.sites, ids, now_ms()).await?;
    Ok(Redirect::to("/admin/outbox?done=1").into_response())
}
