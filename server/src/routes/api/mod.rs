//! The public JSON API the widget speaks, under `/api/v1`: one file per resource, and what they share.

pub mod challenge;
pub mod comments;
pub mod events;
pub mod feed;
pub mod openapi;
pub mod preview;
pub mod threads;
pub mod votes;

use std::sync::Arc;

use axum::extract::Path;
use axum::extract::rejection::PathRejection;
use axum::http::{HeaderMap, header};
use serde::Serialize;

use crate::domain::time::rfc3339;
use crate::domain::{Comment, Site, SiteId, Status};
use crate::error::{AppError, Result};
use crate::state::AppState;

/// A comment as the widget sees it: never an email, an IP hash or a token.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CommentOut {
    pub id: i64,
    pub parent: Option<i64>,
    pub author: Option<String>,
    pub website: Option<String>,
    pub html: String,
    pub created: String,
    pub edited: Option<String>,
    pub status: Status,
    pub likes: i64,
    pub dislikes: i64,
    pub avatar: String,
    /// A moderator pinned it: it opens the thread, in every order.
    pub pinned: bool,
    /// A moderator wrote it (with their badge token): the widget shows a badge.
    pub moderator: bool,
    #[schema(no_recursion)]
    pub replies: Vec<CommentOut>,
    /// On a top-level comment whose replies go on beyond this answer: pass as `after` to
    /// `GET /api/v1/threads/replies` with `root` = this comment's id. Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "1.1234")]
    pub replies_next: Option<String>,
}

impl From<Comment> for CommentOut {
    fn from(c: Comment) -> Self {
        let deleted = c.status == Status::Deleted;
        Self {
            id: c.id,
            parent: c.parent,
            author: if deleted { None } else { c.author },
            website: if deleted { None } else { c.website },
            html: if deleted { String::new() } else { c.html },
            created: rfc3339(c.created),
            edited: c.edited.map(rfc3339),
            status: c.status,
            likes: c.likes,
            dislikes: c.dislikes,
            avatar: if deleted { String::new() } else { c.avatar },
            pinned: c.pinned && !deleted,
            moderator: c.moderator && !deleted,
            replies: Vec::new(),
            replies_next: None,
        }
    }
}

impl CommentOut {
    /// A comment as its author may see it: spam looks exactly like a held comment, so a banned commenter
    /// cannot tell; and a held comment shows no avatar, so that nobody can post with someone's email and
    /// compare the picture to learn whether that address wrote a comment here.
    fn for_author(comment: Comment) -> Self {
        let mut out = Self::from(comment);
        if out.status == Status::Spam {
            out.status = Status::Pending;
        }
        if out.status != Status::Published {
            out.avatar = String::new();
        }
        out
    }
}

/// The site a request names, parsed: 404 when there is no such site.
async fn known_site(state: &AppState, id: &str) -> Result<(SiteId, Arc<Site>)> {
    let id = SiteId::parse(id).map_err(|_| AppError::NotFound("no such site"))?;
    let site = state
        .sites
        .get(id.as_str())
        .await?
        .ok_or(AppError::NotFound("no such site"))?;
    Ok((id, site))
}

/// Browsers name the page that sends a write; only the site's own pages may write. A request without an
/// `Origin` header comes from a non-browser client, where CSRF is not a risk.
fn check_origin(headers: &HeaderMap, site: &Site) -> Result<()> {
    match headers.get(header::ORIGIN) {
        None => Ok(()),
        Some(origin) if site.allows_origin(origin.as_bytes()) => Ok(()),
        Some(_) => Err(AppError::Forbidden("this origin may not write to this site")),
    }
}

fn comment_id(path: std::result::Result<Path<i64>, PathRejection>) -> Result<i64> {
    path.map(|Path(id)| id)
        .map_err(|_| AppError::NotFound("no such comment"))
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
}
