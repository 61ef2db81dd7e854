//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of the public API, generated from the handlers'
//! annotations and the request and response types, so it cannot drift from the code unnoticed.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr};
use utoipa::{IntoResponses, OpenApi};

use super::{challenge, comments, events, feed, preview, threads, votes};
use crate::http::{ErrorBody, ErrorDetail};

#[derive(OpenApi)]
#[openapi(
    info(title = "riposte", description = "The public API of riposte, a self-hosted comment service. See docs/api.md."),
    paths(threads::thread, threads::replies, comments::create, comments::one, comments::edit, comments::delete, votes::vote,
          threads::counts, preview::preview, feed::feed, challenge::challenge,
          events::events),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&EditToken)
)]
pub struct ApiDoc;

/// Every error status the API answers, with the one description the document gives it.
const ERRORS: &[(u16, &str)] = &[
    (400, "malformed request"),
    (
        403,
        "wrong origin, token or edit window; or proof of work missing or invalid (challenge_required, challenge_invalid)",
    ),
    (404, "unknown site or comment"),
    (413, "body over 64 KiB"),
    (415, "not application/json"),
    (422, "a field broke its rule"),
    (429, "rate limit; see Retry-After"),
    (503, "too many live connections (code busy); see Retry-After"),
];

/// The error answers of an endpoint: the statuses given, each with an [`ErrorBody`].
fn errors(statuses: &[u16]) -> BTreeMap<String, RefOr<utoipa::openapi::response::Response>> {
    ERRORS
        .iter()
        .filter(|(status, _)| statuses.contains(status))
        .map(|(status, description)| {
            let body = Content::new(Some(Ref::from_schema_name("ErrorBody")));
            let response = ResponseBuilder::new()
                .description(*description)
                .content("application/json", body)
                .build();
            (status.to_string(), RefOr::T(response))
        })
        .collect()
}

/// Declares a set of error answers for `responses(...)` in the handlers' annotations.
macro_rules! error_set {
    ($(#[$doc:meta])* $name:ident: $($status:literal),+) => {
        $(#[$doc])*
        pub struct $name;

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::response::Response>> {
                errors(&[$($status),+])
            }
        }
    };
}

error_set!(
    /// Reads with a query string.
    ReadErrors: 400, 404, 422, 429
);
error_set!(
    /// The live event stream: a read, with limits on open streams.
    LiveErrors: 400, 404, 422, 429, 503
);
error_set!(
    /// Writes with a JSON body to an existing resource or a site.
    WriteErrors: 400, 403, 404, 413, 415, 422, 429
);
error_set!(
    /// Reading one comment.
    CommentErrors: 404, 429
);
error_set!(
    /// An author's delete.
    DeleteErrors: 403, 404, 429
);
error_set!(
    /// The Markdown preview, which names no resource.
    PreviewErrors: 400, 413, 415, 422, 429
);

struct EditToken;

impl utoipa::Modify for EditToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "edit_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("the edit_token returned when the comment was created"))
                    .build(),
            ),
        );
    }
}

static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serializes")
});

pub async fn document() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT.as_str()).into_response()
}
