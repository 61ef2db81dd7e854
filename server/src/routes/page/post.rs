//! `POST /t/{site}`: the no-JS page's form, form-encoded. From this server's own pages only (`Origin`),
//! with the form's token (which also dates the form, for the fill-time trap); then the same guards,
//! moderation and store call as the API's post ([`crate::routes::post::create`]). A stored comment answers
//! `303 See Other` to its anchor on the page; anything refused shows the form again, as typed, with the
//! reason, and stores nothing.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tracing::instrument;

use super::form::{Form, Input, Problem};
use super::thread::{FORM_VALID_MS, Span, Thread, here};
use super::{failed, known_site, language, message, not_loaded};
use crate::domain::FieldError;
use crate::domain::comment::NewComment;
use crate::domain::moderation;
use crate::domain::time::now_ms;
use crate::error::AppError;
use crate::http::client::ClientIp;
use crate::http::query::Query;
use crate::routes::admin::auth::{origin_allowed, signed_in};
use crate::routes::api::threads::PAGE_DEFAULT;
use crate::routes::post::{self, Door, Draft, Post};
use crate::state::AppState;

/// How long the redirect's held mark keeps telling its author that the comment awaits moderation.
const HELD_MARK_MS: i64 = 3600 * 1000;

/// `POST /t/{site}` with `uri`, `parent`, `author`, `email`, `website`, `text`, `csrf`, `homepage` (the trap)
/// and `lang`.
#[instrument(level = "debug", skip_all)]
pub async fn send(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(site): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let site = match known_site(&state, &site, None).await {
        Ok(site) => site,
        Err(page) => return page,
    };
    let Ok(body) = body else {
        let t = language(None, Some(&site));
        return message(StatusCode::PAYLOAD_TOO_LARGE, t, t.s("errTooLarge").to_owned());
    };
    let form = Query::parse(std::str::from_utf8(&body).ok());
    let t = language(form.one("lang"), Some(&site));
    let Some(here) = here(&site, form.one("uri"), form.one("lang"), t) else {
        return not_loaded(StatusCode::UNPROCESSABLE_ENTITY, t);
    };
    let input = Input {
        text: form.one("text").unwrap_or("").to_owned(),
        author: form.one("author").unwrap_or("").to_owned(),
        email: form.one("email").unwrap_or("").to_owned(),
        website: form.one("website").unwrap_or("").to_owned(),
    };
    let parent = form.filled("parent");
    let shown = Thread {
        state: &state,
        site: &site,
        t,
        here: &here,
    };
    // A cross-site form, or one this server did not show (or long ago): shown again, with a fresh token.
    if !origin_allowed(&headers, &state) {
        return shown
            .again(
                input,
                parent,
                None,
                t.s("errForbidden").to_owned(),
                StatusCode::FORBIDDEN,
            )
            .await;
    }
    let token = form.one("csrf").unwrap_or("");
    let now = now_ms();
    let issued = state
        .keys
        .verify_form_token(&site.id, &here.uri, token)
        .filter(|(issued, _)| *issued <= now && now - issued <= FORM_VALID_MS);
    let Some((issued, nonce)) = issued else {
        return shown
            .again(input, parent, None, t.s("errExpired").to_owned(), StatusCode::FORBIDDEN)
            .await;
    };
    let parent_id = match parent.as_deref().map(str::parse::<i64>) {
        None => None,
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => {
            let problem = FieldError::new("parent", "must be a comment id");
            return shown.refused(input, parent, token, problem).await;
        }
    };
    let draft = Draft {
        site: &site.id,
        uri: &here.uri,
        title: None,
        parent: parent_id,
        author: Some(input.author.as_str()),
        email: Some(input.email.as_str()),
        website: Some(input.website.as_str()),
        text: &input.text,
        notify: None,
    };
    let comment = match NewComment::try_from(draft) {
        Ok(c) => c,
        Err(AppError::Invalid(problem)) => return shown.refused(input, parent, token, problem).await,
        Err(e) => return failed(t, e),
    };
    let post = Post {
        comment,
        altcha: None,
        author_token: None,
        moderator: signed_in(&state, &headers)
            .await
            .filter(|m| m.may(&site.id))
            .map(|m| m.badge()),
        trap: moderation::trap(form.one("homepage"), Some(now - issued)),
        // A second send of the same form (a double click, a reload) answers the first comment.
        idempotency_key: Some(format!("form:{nonce}")),
        door: Door::Form {
            once: nonce.to_string(),
            expires_ms: issued + FORM_VALID_MS,
        },
    };
    match post::create(&state, site.clone(), ip, post).await {
        Ok(created) => {
            let id = created.comment.id;
            let anchor = format!("riposte-{id}");
            let location = if created.published_at_once {
                here.href(&[], Some(&anchor))
            } else {
                let mark = state.keys.held_mark(&site.id, id, now_ms() + HELD_MARK_MS);
                here.href(&[("held", &mark)], Some(&anchor))
            };
            see_other(&location)
        }
        Err(AppError::Invalid(problem)) => shown.refused(input, parent, token, problem).await,
        Err(AppError::Conflict(_) | AppError::Challenge(_)) => {
            shown
                .again(input, parent, None, t.s("errExpired").to_owned(), StatusCode::CONFLICT)
                .await
        }
        Err(AppError::ThreadClosed) => {
            shown
                .again(input, parent, None, t.s("closed").to_owned(), StatusCode::FORBIDDEN)
                .await
        }
        Err(e) => failed(t, e),
    }
}

fn see_other(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(v) => (StatusCode::SEE_OTHER, [(header::LOCATION, v)]).into_response(),
        Err(e) => AppError::Internal(anyhow::anyhow!("redirect: {e}")).into_response(),
    }
}

/// The form comes back on the thread's page.
impl Thread<'_> {
    /// A field broke its rule: 422, the message beside it (or above the form), the same token (the fill time
    /// still counts from when the form was first shown).
    async fn refused(&self, input: Input, parent: Option<String>, token: &str, problem: FieldError) -> Response {
        let field = problem.field;
        let message = if field == "text" && input.text.trim().is_empty() {
            self.t.s("empty").to_owned()
        } else {
            self.t.invalid(field)
        };
        self.show(
            input,
            parent,
            Some(token.to_owned()),
            Some(field),
            message,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await
    }

    /// Refused as a whole: the form again with a fresh token and the message above it.
    async fn again(
        &self,
        input: Input,
        parent: Option<String>,
        token: Option<String>,
        message: String,
        status: StatusCode,
    ) -> Response {
        self.show(input, parent, token, None, message, status).await
    }

    async fn show(
        &self,
        input: Input,
        parent: Option<String>,
        token: Option<String>,
        field: Option<&'static str>,
        message: String,
        status: StatusCode,
    ) -> Response {
        let mut form = Form::fresh(self.state, self.here, parent.and_then(|p| p.parse().ok()));
        if let Some(token) = token {
            form.token = token;
        }
        form.input = input;
        form.problem = Some(Problem { field, message });
        let span = Span::Thread {
            after: 0,
            limit: PAGE_DEFAULT,
        };
        self.page(span, form, None, status).await
    }
}
