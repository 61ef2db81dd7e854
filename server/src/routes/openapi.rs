//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of the public API, generated from the handlers'
//! annotations and the request and response types, so it cannot drift from the code unnoticed.

use std::sync::LazyLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use super::{api, feed};

#[derive(OpenApi)]
#[openapi(
    info(title = "riposte", description = "The public API of riposte, a self-hosted comment service. See docs/api.md."),
    paths(api::thread, api::create, api::one, api::edit, api::delete, api::vote, api::counts, api::preview, feed::feed),
    modifiers(&EditToken)
)]
pub struct ApiDoc;

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
