//! `POST /api/v1/preview`: Markdown rendered as a new comment's would be, stored nowhere.

use axum::Json;
use serde::{Deserialize, Serialize};
use tracing::instrument;

use super::openapi::PreviewErrors;
use crate::domain::CommentText;
use crate::error::{ApiJson, Result};
use crate::render::render;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PreviewIn {
    #[schema(min_length = 1, max_length = 10000, example = "Hallo *Welt*")]
    text: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PreviewOut {
    html: String,
}

#[utoipa::path(post, path = "/api/v1/preview", tag = "comments", request_body = PreviewIn,
    responses(
        (status = 200, description = "the rendered HTML", body = PreviewOut),
        PreviewErrors
    ))]
/// `POST /api/v1/preview`
#[instrument(level = "debug", skip_all)]
pub async fn preview(ApiJson(input): ApiJson<PreviewIn>) -> Result<Json<PreviewOut>> {
    let text = CommentText::parse(&input.text)?;
    Ok(Json(PreviewOut {
        html: render(text.as_str()),
    }))
}
