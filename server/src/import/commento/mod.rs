//! Commento's export (`commento-export.json`, once gunzipped) and Comentario's, which grew out of it.
//!
//! Version 1, written by Commento: `{"version": 1, "comments": [...], "commenters": [...]}`. A comment names its
//! page by `domain` and `url` (which holds the path; Comentario's version 1 writes `host` and `path`), its author
//! by `commenterHex` (`"anonymous"`, in Comentario 64 zeros, for anonymous comments) in the commenters table, its
//! parent by `parentHex` (`"root"` at the top), its state as `approved`, `unapproved` or `flagged`, and a deletion
//! by `deleted` (a deleted comment's text reads `[deleted]`). Commenters carry `email`, `name` and `link` (`"undefined"`
//! when there is none; `websiteUrl` in Comentario). Commento has no page titles and no page ids: a page is its
//! domain and path, the key `domain + path` and the URL `https://{domain}{path}`, so that the core's base-URL and
//! host handling treats every page alike. A `pages` array, where a file has one, gives titles.
//!
//! Version 3, written by Comentario: `pages` (`id`, `domainId`, `path`, `title`), `comments` naming `pageId`,
//! `parentId` (null at the top), `userCreated`, with the flags `isDeleted`, `isSpam`, `isPending`, `isApproved`,
//! `commenters` (`id`, `email`, `name`, `websiteUrl`) and, where present, `domains` (`id`, `host`, `isHttps`).
//! A page's key is its id, its URL `https://{host}{path}` when the file names the domain's host, else the path.
//!
//! Both are read with one set of loosely typed fields, so files mixing the dialects, or spelling a number as text,
//! are read as well.

use std::collections::{HashMap, HashSet};
use std::io::BufRead;

use serde::Deserialize;
use serde_json::Value;

use super::common::{self, R_STATUS, SKIP_NO_PAGE};
use super::dates::{self, Clock};
use super::json_common::{self as j, Object};
use crate::domain::Status;
use crate::domain::import::{Body, ImportError, Item, Page, Post, Report};

const REPAIR_NO_VERSION: &str = "export without a version, read by its fields";
const REPAIR_NO_STATE: &str = "comment without a state, read as approved";
const REPAIR_NO_COMMENTER: &str = "commenter not in the file, author left empty";
const REPAIR_HTML: &str = "comment without Markdown, its HTML taken";
const REPAIR_PAGE: &str = "page not in the file, made from the comment's address";
const SKIP_PAGE: &str = "page without an address";

#[derive(Deserialize)]
struct Export {
    version: Option<Value>,
    comments: Option<Vec<Object<RawComment>>>,
    commenters: Option<Vec<Object<RawCommenter>>>,
    pages: Option<Vec<Object<RawPage>>>,
    domains: Option<Vec<Object<RawDomain>>>,
}

/// A comment of either version; every field optional and loosely typed.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawComment {
    comment_hex: Option<Value>,
    id: Option<Value>,
    domain: Option<Value>,
    host: Option<Value>,
    url: Option<Value>,
    path: Option<Value>,
    page_id: Option<Value>,
    commenter_hex: Option<Value>,
    user_created: Option<Value>,
    author_name: Option<Value>,
    author_email: Option<Value>,
    markdown: Option<Value>,
    html: Option<Value>,
    parent_hex: Option<Value>,
    parent_id: Option<Value>,
    score: Option<Value>,
    state: Option<Value>,
    creation_date: Option<Value>,
    created_time: Option<Value>,
    deleted: Option<Value>,
    is_deleted: Option<Value>,
    is_spam: Option<Value>,
    is_pending: Option<Value>,
    is_approved: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCommenter {
    commenter_hex: Option<Value>,
    id: Option<Value>,
    email: Option<Value>,
    name: Option<Value>,
    link: Option<Value>,
    website_url: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPage {
    id: Option<Value>,
    domain_id: Option<Value>,
    domain: Option<Value>,
    host: Option<Value>,
    path: Option<Value>,
    url: Option<Value>,
    title: Option<Value>,
    created_time: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDomain {
    id: Option<Value>,
    host: Option<Value>,
    is_https: Option<Value>,
}

struct Person {
    name: Option<String>,
    email: Option<String>,
    website: Option<String>,
}

/// A domain's host and scheme.
struct Host {
    host: String,
    https: bool,
}

/// Reads a Commento or Comentario export from `input`, calling `sink` for every page and post in file order,
/// recording repairs and skips in `report`.
///
/// Unlike the other importers this one reads the file whole: it is one JSON document whose commenters (the
/// authors' names and addresses) come after the comments, so no comment is complete before the end. Exports are a
/// few MB at most.
pub fn read(mut input: impl BufRead, sink: &mut dyn FnMut(Item), report: &mut Report) -> Result<(), ImportError> {
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes).map_err(|e| common::read_error(&e))?;
    j::refuse_gzip(&bytes)?;
    let bom = bytes.starts_with(j::BOM);
    if bom {
        report.repair(j::REPAIR_BOM);
    }
    let text = common::utf8(&bytes[if bom { j::BOM.len() } else { 0 }..], report);
    let Object(export): Object<Export> =
        serde_json::from_str(&text).map_err(|e| j::json_error("not a Commento export", &e, &text, 1, bom))?;
    let Some(comments) = export.comments else {
        return Err(ImportError::new("not a Commento export: it has no \"comments\"", None));
    };
    match j::int(export.version.as_ref(), report) {
        Some(1 | 3) => {}
        Some(_) => report.repair(j::REPAIR_VERSION),
        None => report.repair(REPAIR_NO_VERSION),
    }

    let mut hosts = HashMap::new();
    for Object(d) in export.domains.unwrap_or_default() {
        let id = j::id(d.id.as_ref(), report);
        let host = j::trimmed(d.host.as_ref(), report);
        if let (Some(id), Some(host)) = (id, host) {
            let https = j::flag(d.is_https.as_ref(), report).unwrap_or(true);
            hosts.insert(id, Host { host, https });
        }
    }

    let mut people = HashMap::new();
    for Object(c) in export.commenters.unwrap_or_default() {
        let id = j::id(c.commenter_hex.as_ref(), report).or_else(|| j::id(c.id.as_ref(), report));
        let Some(id) = id else { continue };
        let website = j::trimmed(c.link.as_ref(), report)
            .or_else(|| j::trimmed(c.website_url.as_ref(), report))
            .filter(|w| w != "undefined");
        let person = Person {
            name: j::trimmed(c.name.as_ref(), report),
            email: j::trimmed(c.email.as_ref(), report),
            website,
        };
        people.insert(id, person);
    }

    // Every page emitted so far, by key (a version 3 page's key is its id); the clock has their dates.
    let mut emitted = HashSet::new();
    let mut clock = Clock::default();
    for Object(p) in export.pages.unwrap_or_default() {
        let id = j::id(p.id.as_ref(), report);
        let domain = j::id(p.domain_id.as_ref(), report);
        let host = match domain.and_then(|d| hosts.get(&d)) {
            Some(h) => Some((h.host.clone(), h.https)),
            None => host_of(p.domain.as_ref(), p.host.as_ref(), report),
        };
        let path = j::trimmed(p.path.as_ref(), report).or_else(|| j::trimmed(p.url.as_ref(), report));
        let Some((key, url)) = address(host, path) else {
            report.skip(SKIP_PAGE);
            continue;
        };
        let key = id.unwrap_or(key);
        if let Some(date) = j::text(p.created_time.as_ref(), report)
            .as_deref()
            .and_then(dates::parse)
        {
            clock.page(&key, date.ms);
        }
        emitted.insert(key.clone());
        let title = j::trimmed(p.title.as_ref(), report);
        sink(Item::Page(Page { key, url, title }));
    }

    for Object(c) in comments {
        let Some(page) = page_of(&c, &mut emitted, sink, report) else {
            report.skip(SKIP_NO_PAGE);
            continue;
        };

        let user = j::id(c.commenter_hex.as_ref(), report)
            .or_else(|| j::id(c.user_created.as_ref(), report))
            .filter(|u| u != "anonymous" && !u.chars().all(|ch| ch == '0' || ch == '-'));
        let person = user.and_then(|u| {
            let p = people.get(&u);
            if p.is_none() {
                report.repair(REPAIR_NO_COMMENTER);
            }
            p
        });
        let author = person
            .and_then(|p| p.name.clone())
            .or_else(|| j::trimmed(c.author_name.as_ref(), report));
        let email = person
            .and_then(|p| p.email.clone())
            .or_else(|| j::trimmed(c.author_email.as_ref(), report));
        let website = person.and_then(|p| p.website.clone());

        let markdown = j::trimmed(c.markdown.as_ref(), report);
        let html = j::trimmed(c.html.as_ref(), report);
        let body = match (markdown, html) {
            (Some(md), _) => Body::Markdown(md),
            (None, Some(html)) => {
                report.repair(REPAIR_HTML);
                Body::Html(html)
            }
            (None, None) => Body::Markdown(String::new()),
        };

        let date = j::text(c.creation_date.as_ref(), report).or_else(|| j::text(c.created_time.as_ref(), report));
        let created = clock.created(&page, date.as_deref(), report);

        let status = status(&c, &body, report);
        let score = j::int(c.score.as_ref(), report).unwrap_or(0);
        let parent = j::id(c.parent_hex.as_ref(), report)
            .or_else(|| j::id(c.parent_id.as_ref(), report))
            .filter(|p| p != "root");

        let key = j::id(c.comment_hex.as_ref(), report).or_else(|| j::id(c.id.as_ref(), report));
        let key = key.unwrap_or_else(|| {
            let text = match &body {
                Body::Markdown(t) | Body::Html(t) => t,
            };
            let date = date.as_deref().unwrap_or_default().trim();
            common::comment_key(&[&page, author.as_deref().unwrap_or_default(), date, text], report)
        });

        sink(Item::Post(Post {
            key,
            page,
            parent,
            author,
            email,
            website,
            body,
            created,
            status,
            likes: score.max(0),
            dislikes: (-score).max(0),
            pingback: false,
        }));
    }
    Ok(())
}

/// The page a comment is on, emitted the first time it is seen; None when the comment names none.
fn page_of(
    c: &RawComment,
    emitted: &mut HashSet<String>,
    sink: &mut dyn FnMut(Item),
    report: &mut Report,
) -> Option<String> {
    let id = j::id(c.page_id.as_ref(), report);
    if let Some(id) = id.as_ref().filter(|id| emitted.contains(*id)) {
        return Some(id.clone());
    }
    let host = host_of(c.domain.as_ref(), c.host.as_ref(), report);
    // Commento keeps the path in `url`; Comentario in `path`, its version 3 the comment's own address in `url`.
    let path = j::trimmed(c.path.as_ref(), report).or_else(|| j::trimmed(c.url.as_ref(), report));
    let path = path.map(|p| match p.split_once('#') {
        Some((page, _)) if p.contains("://") => page.to_owned(),
        _ => p,
    });
    let (key, url) = address(host, path)?;
    let key = match id {
        Some(id) => {
            if !emitted.contains(&id) {
                report.repair(REPAIR_PAGE);
            }
            id
        }
        None => key,
    };
    if emitted.insert(key.clone()) {
        sink(Item::Page(Page {
            key: key.clone(),
            url,
            title: None,
        }));
    }
    Some(key)
}

fn host_of(domain: Option<&Value>, host: Option<&Value>, report: &mut Report) -> Option<(String, bool)> {
    let h = j::trimmed(domain, report).or_else(|| j::trimmed(host, report))?;
    Some((h, true))
}

/// A page's key and URL from its host (with whether it is served over HTTPS) and path: the key `host/path`
/// (`host + path`, with a slash between them where the path lacks one), the URL `https://host/path`; a path that
/// is a full URL already is both; without a host the path is both.
fn address(host: Option<(String, bool)>, path: Option<String>) -> Option<(String, String)> {
    match (host, path) {
        (_, Some(path)) if path.contains("://") => Some((path.clone(), path)),
        (Some((host, https)), path) => {
            let path = path.unwrap_or_default();
            let slash = if path.starts_with('/') { "" } else { "/" };
            let key = format!("{host}{slash}{path}");
            let url = if host.contains("://") {
                format!("{}{slash}{path}", host.trim_end_matches('/'))
            } else {
                format!("{}://{key}", if https { "https" } else { "http" })
            };
            Some((key, url))
        }
        (None, Some(path)) => Some((path.clone(), path)),
        (None, None) => None,
    }
}

/// Version 1's `state` and `deleted`, or version 3's flags.
fn status(c: &RawComment, body: &Body, report: &mut Report) -> Status {
    let deleted = j::flag(c.deleted.as_ref(), report).or_else(|| j::flag(c.is_deleted.as_ref(), report));
    if deleted == Some(true) || matches!(body, Body::Markdown(t) | Body::Html(t) if t == "[deleted]") {
        return Status::Deleted;
    }
    if let Some(state) = j::trimmed(c.state.as_ref(), report) {
        return match state.to_ascii_lowercase().as_str() {
            "approved" => Status::Published,
            "unapproved" => Status::Pending,
            "flagged" => Status::Spam,
            _ => {
                report.repair(R_STATUS);
                Status::Pending
            }
        };
    }
    let spam = j::flag(c.is_spam.as_ref(), report);
    let pending = j::flag(c.is_pending.as_ref(), report);
    let approved = j::flag(c.is_approved.as_ref(), report);
    match (spam, pending, approved) {
        (Some(true), _, _) => Status::Spam,
        (_, Some(true), _) | (_, _, Some(false)) => Status::Pending,
        (_, _, Some(true)) => Status::Published,
        _ => {
            report.repair(REPAIR_NO_STATE);
            Status::Published
        }
    }
}

#[cfg(test)]
mod tests;
