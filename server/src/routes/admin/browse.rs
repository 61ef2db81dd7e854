//! All comments, filtered by site, status, page or text, fifty to a page.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use tracing::instrument;

use super::auth::Session;
use super::view::{CommentView, Ctx, Result, page, rows, visible_sites};
use crate::domain::Status;
use crate::domain::moderator::Filter;
use crate::http::query::Query;
use crate::state::AppState;

const PER_PAGE: i64 = 50;

#[derive(Template)]
#[template(path = "admin/comments.html")]
struct BrowsePage {
    ctx: Ctx,
    rows: Vec<CommentView>,
    back: String,
    trash: bool,
    sites: Vec<String>,
    statuses: Vec<(&'static str, &'static str)>,
    filter_site: String,
    filter_status: String,
    filter_uri: String,
    filter_q: String,
    total: i64,
    prev: Option<String>,
    next: Option<String>,
}

/// `GET /admin/comments?site=&status=&uri=&q=&page=`
#[instrument(level = "debug", skip_all)]
pub async fn browse(session: Session, State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response> {
    let q = Query::parse(raw.as_deref());
    let filled = |k: &str| q.filled(k);
    let status = match filled("status").as_deref() {
        Some("published") => Some(Status::Published),
        Some("pending") => Some(Status::Pending),
        Some("deleted") => Some(Status::Deleted),
        Some("spam") => Some(Status::Spam),
        _ => None,
    };
    let filter = Filter {
        site: filled("site"),
        status,
        uri: filled("uri"),
        text: filled("q"),
    };
    let page_no: i64 = q
        .one("page")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let (items, total) = state
        .store
        .browse(
            session.moderator.sites.clone(),
            filter.clone(),
            (page_no - 1) * PER_PAGE,
            PER_PAGE,
        )
        .await?;
    let link = |p: i64| {
        let mut u = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [("site", &filter.site), ("uri", &filter.uri), ("q", &filter.text)] {
            if let Some(v) = v {
                u.append_pair(k, v);
            }
        }
        if let Some(s) = filter.status {
            u.append_pair("status", s.as_str());
        }
        u.append_pair("page", &p.to_string());
        format!("/admin/comments?{}", u.finish())
    };
    let t = session.t;
    let rows = rows(&state, t, items).await?;
    page(BrowsePage {
        ctx: Ctx::new(&session, raw.as_deref()),
        rows,
        back: link(page_no),
        trash: false,
        sites: visible_sites(&state, &session)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect(),
        statuses: vec![
            ("published", t.published),
            ("pending", t.pending),
            ("spam", t.spam_status),
            ("deleted", t.deleted),
        ],
        filter_site: filter.site.clone().unwrap_or_default(),
        filter_status: filter.status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        filter_uri: filter.uri.clone().unwrap_or_default(),
        filter_q: filter.text.clone().unwrap_or_default(),
        total,
        prev: (page_no > 1).then(|| link(page_no - 1)),
        next: (page_no * PER_PAGE < total).then(|| link(page_no + 1)),
    })
}
