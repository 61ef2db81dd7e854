//! `GET /api/v1/feed?site=S[&uri=U]`: an Atom 1.0 feed of the newest published comments.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use tracing::instrument;

use super::known_site;
use super::openapi::ReadErrors;
use crate::domain::PageUri;
use crate::domain::time::rfc3339;
use crate::error::{AppError, Result};
use crate::http::query::Query;
use crate::state::AppState;

/// Entries per feed.
const FEED_SIZE: i64 = 50;

const ATOM: &str = "application/atom+xml; charset=utf-8";

// The template is XML and askama escapes every value, so comment HTML travels as escaped text
// inside `<content type="html">`, as Atom wants it.
#[derive(Template)]
#[template(path = "feed.xml")]
struct Feed {
    id: String,
    title: String,
    updated: String,
    self_url: String,
    entries: Vec<Entry>,
}

struct Entry {
    link: String,
    title: String,
    author: String,
    published: String,
    updated: String,
    html: String,
}

#[utoipa::path(get, path = "/api/v1/feed", tag = "threads",
    params(
        ("site" = String, Query, description = "site id", example = "demo"),
        ("uri" = Option<String>, Query, description = "one page; the whole site without it"),
    ),
    responses(
        (status = 200, description = "Atom 1.0 feed of the newest published comments", body = String, content_type = "application/atom+xml"),
        ReadErrors
    ))]
#[instrument(level = "debug", skip_all)]
pub async fn feed(State(state): State<AppState>, RawQuery(raw): RawQuery, headers: HeaderMap) -> Result<Response> {
    let q = Query::parse(raw.as_deref());
    let (site_id, site) = known_site(&state, q.required("site")?).await?;
    let uri = q.one("uri").map(PageUri::parse).transpose()?;
    // The feed shows the site's name and links to its first origin: a change to either is a new entry.
    let cache_key = format!(
        "feed\0{}\0{}\0{}\0{}",
        site.id,
        uri.as_ref().map_or("", PageUri::as_str),
        site.name,
        site.origins.first().map_or("", String::as_str)
    );
    // Read the generation before the data, as for threads: a write in between makes this entry stale at once.
    state.store.caught_up().await;
    let generation = state.store.site_generation(&site.id);
    if let Some(hit) = state.cache.get(&cache_key, generation) {
        return Ok(hit.respond(&headers));
    }
    let rows = state.store.feed(site_id, uri.clone(), FEED_SIZE).await?;
    // Comments link to their page on the site's first origin.
    let base = site
        .origins
        .first()
        .map(String::as_str)
        .unwrap_or(&state.public_url)
        .to_owned();
    let mut self_url = url::Url::parse(&format!("{}/api/v1/feed", state.public_url))
        .map_err(|e| AppError::Internal(anyhow::anyhow!("public_url: {e}")))?;
    self_url.query_pairs_mut().append_pair("site", &site.id);
    if let Some(uri) = &uri {
        self_url.query_pairs_mut().append_pair("uri", uri.as_str());
    }
    let updated = rows.iter().map(|r| r.edited.unwrap_or(r.created)).max().unwrap_or(0);
    let title = match &uri {
        Some(u) => format!(
            "Comments on {}",
            rows.first()
                .and_then(|r| r.title.clone())
                .unwrap_or_else(|| u.as_str().to_owned())
        ),
        None => format!("Comments on {}", site.name),
    };
    let entries = rows
        .into_iter()
        .map(|r| {
            let page = r.title.clone().unwrap_or_else(|| r.uri.clone());
            let author = r.author.clone().unwrap_or_else(|| "Anonymous".into());
            Entry {
                link: format!("{base}{}#riposte-{}", r.uri, r.id),
                title: format!("{author} on {page}"),
                author,
                published: rfc3339(r.created),
                updated: rfc3339(r.edited.unwrap_or(r.created)),
                html: r.html,
            }
        })
        .collect();
    let body = Feed {
        id: self_url.to_string(),
        title,
        updated: rfc3339(updated),
        self_url: self_url.to_string(),
        entries,
    }
    .render()
    .map_err(|e| AppError::Internal(anyhow::anyhow!("feed template: {e}")))?;
    let body = xml_chars(body);
    Ok(state
        .cache
        .put_as(cache_key, generation, body.into_bytes(), ATOM)
        .respond(&headers))
}

/// XML 1.0's `Char` production: all a document may hold, escaped or not (`&#xFFFE;` is no way out either).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The field rules keep U+FFFE, U+FFFF and control characters out of names and titles, but old data,
/// imports and comment text can still hold some: each becomes U+FFFD, so a feed reader never sees a
/// document it must refuse. Applied to the whole rendered feed, so that no field can be forgotten.
fn xml_chars(body: String) -> String {
    if body.chars().all(is_xml_char) {
        return body;
    }
    body.chars()
        .map(|c| if is_xml_char(c) { c } else { '\u{FFFD}' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_xml_forbids_become_the_replacement_character() {
        assert_eq!(
            xml_chars("a\u{0}b\u{1}\u{8}\u{B}\u{C}\u{1F}c\u{FFFE}\u{FFFF}d".into()),
            "a\u{FFFD}b\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}c\u{FFFD}\u{FFFD}d"
        );
        let allowed = "\t\n\r ü\u{7F}\u{85}\u{D7FF}\u{E000}\u{FDD0}\u{FFFD}\u{10000}\u{1FFFE}\u{10FFFF}😀";
        assert_eq!(xml_chars(allowed.into()), allowed);
    }
}
