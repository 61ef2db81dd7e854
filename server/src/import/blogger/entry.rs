//! One `<entry>` as read so far, and what it becomes: a page, a comment, or nothing.

use super::Parser;
use crate::domain::Status;
use crate::domain::import::{Body, Item, Page, Post, stable_key};
use crate::import::common::{self, R_STATUS, SKIP_NO_PAGE};
use crate::import::dates;

pub(super) const R_POST_BY_LINK: &str = "comment without a post id, post found by its address";
pub(super) const R_KINDLESS: &str = "entry without a kind, read as a comment by its reply link";
pub(super) const R_DATE_OTHER: &str = "missing or unreadable published date, another date of the entry used";
pub(super) const R_REPLY_LINK: &str = "reply link not understood, read as a top-level comment";

pub(super) const SKIP_UNKNOWN_KIND: &str = "entry of unknown kind";
pub(super) const SKIP_NO_ADDRESS: &str = "post without an id or an address";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    Id,
    Title,
    Published,
    Updated,
    Created,
    Content,
    AuthorName,
    AuthorUri,
    AuthorEmail,
    Type,
    Status,
    Parent,
    InReplyTo,
    Filename,
    Trashed,
}

/// One `<entry>`, as read so far (the first of each element counts).
#[derive(Default)]
pub(super) struct Entry {
    pub(super) id: Option<String>,
    pub(super) title: Option<String>,
    pub(super) published: Option<String>,
    pub(super) updated: Option<String>,
    pub(super) created: Option<String>,
    pub(super) content: Option<String>,
    pub(super) content_type: Option<String>,
    pub(super) author_seen: bool,
    pub(super) author_name: Option<String>,
    pub(super) author_uri: Option<String>,
    pub(super) author_email: Option<String>,
    /// `<blogger:type>` (Takeout).
    pub(super) kind_type: Option<String>,
    /// The term of the kind category (classic).
    pub(super) kind_term: Option<String>,
    pub(super) status: Option<String>,
    pub(super) parent: Option<String>,
    pub(super) in_reply_to: Option<String>,
    pub(super) filename: Option<String>,
    pub(super) trashed: Option<String>,
    pub(super) alternate: Option<String>,
    pub(super) related: Option<String>,
    pub(super) thr_ref: Option<String>,
    pub(super) thr_href: Option<String>,
    pub(super) content_removed: bool,
}

impl Entry {
    pub(super) fn slot(&mut self, field: Field) -> &mut Option<String> {
        match field {
            Field::Id => &mut self.id,
            Field::Title => &mut self.title,
            Field::Published => &mut self.published,
            Field::Updated => &mut self.updated,
            Field::Created => &mut self.created,
            Field::Content => &mut self.content,
            Field::AuthorName => &mut self.author_name,
            Field::AuthorUri => &mut self.author_uri,
            Field::AuthorEmail => &mut self.author_email,
            Field::Type => &mut self.kind_type,
            Field::Status => &mut self.status,
            Field::Parent => &mut self.parent,
            Field::InReplyTo => &mut self.in_reply_to,
            Field::Filename => &mut self.filename,
            Field::Trashed => &mut self.trashed,
        }
    }
}

enum Kind {
    Post,
    Comment,
    /// Settings and template entries of the classic export.
    Ignored,
    Unknown,
}

impl Parser<'_> {
    fn emit(&mut self, item: Item) {
        (self.sink)(item);
    }

    fn kind(&mut self, e: &Entry) -> Kind {
        if let Some(t) = &e.kind_type {
            return match t.trim().to_ascii_uppercase().as_str() {
                "POST" | "PAGE" => Kind::Post,
                "COMMENT" => Kind::Comment,
                _ => Kind::Unknown,
            };
        }
        if let Some(term) = &e.kind_term {
            let kind = term.trim().rsplit('#').next().unwrap_or("");
            return match kind {
                "post" | "page" => Kind::Post,
                "comment" => Kind::Comment,
                "settings" | "template" => Kind::Ignored,
                _ => Kind::Unknown,
            };
        }
        let names_post = [&e.parent, &e.thr_ref, &e.thr_href]
            .into_iter()
            .any(|v| v.as_deref().is_some_and(|v| !v.trim().is_empty()));
        if names_post {
            self.report.repair(R_KINDLESS);
            Kind::Comment
        } else {
            Kind::Unknown
        }
    }

    pub(super) fn finish_entry(&mut self, e: Entry) {
        match self.kind(&e) {
            Kind::Post => self.finish_post(e),
            Kind::Comment => self.finish_comment(e),
            Kind::Ignored => {}
            Kind::Unknown => self.report.skip(SKIP_UNKNOWN_KIND),
        }
    }

    fn finish_post(&mut self, e: Entry) {
        let url = [&e.alternate, &e.filename]
            .into_iter()
            .flatten()
            .map(|u| u.trim())
            .find(|u| !u.is_empty())
            .map(str::to_owned);
        let key = match (common::id(e.id.as_deref(), self.report), &url) {
            (Some(id), _) => id,
            (None, Some(url)) => {
                // The key a comment naming this post only by its address gets too (see `finish_comment`).
                let key = common::page_key(url, self.report);
                self.made_pages.insert(key.clone());
                key
            }
            // No id and no address: no comment can name this post, nor can it be placed.
            (None, None) => {
                self.report.skip(SKIP_NO_ADDRESS);
                return;
            }
        };
        let title = common::trimmed(e.title);
        let date = [&e.published, &e.created, &e.updated]
            .into_iter()
            .flatten()
            .find_map(|d| dates::parse(d));
        if let Some(date) = date {
            self.clock.page(&key, date.ms);
        }
        match url {
            Some(url) => self.emit(Item::Page(Page { key, url, title })),
            None => {
                self.unplaced.insert(key, title);
            }
        }
    }

    fn finish_comment(&mut self, e: Entry) {
        let own_id = common::id(e.id.as_deref(), self.report);
        let parent_ref = common::id(e.parent.as_deref(), self.report);
        let thr_ref = common::id(e.thr_ref.as_deref(), self.report);
        let href = e
            .thr_href
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .map(str::to_owned);
        let page = match parent_ref.or(thr_ref) {
            Some(page) => page,
            None => match &href {
                Some(href) => {
                    self.report.repair(R_POST_BY_LINK);
                    let key = stable_key(&[href]);
                    if self.made_pages.insert(key.clone()) {
                        let page = Page {
                            key: key.clone(),
                            url: href.clone(),
                            title: None,
                        };
                        self.emit(Item::Page(page));
                    }
                    key
                }
                None => {
                    self.report.skip(SKIP_NO_PAGE);
                    return;
                }
            },
        };
        if let Some(href) = &href
            && let Some(title) = self.unplaced.remove(&page)
        {
            let page = Page {
                key: page.clone(),
                url: href.clone(),
                title,
            };
            self.emit(Item::Page(page));
        }

        let name = e.author_name.as_deref().map(str::trim).unwrap_or("");
        let author = Some(name)
            .filter(|n| !n.is_empty() && *n != "Anonymous")
            .map(str::to_owned);
        let email = e
            .author_email
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty() && !m.eq_ignore_ascii_case("noreply@blogger.com"))
            .map(str::to_owned);
        let website = e
            .author_uri
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_owned);

        let text = e.content.as_deref().unwrap_or("").trim().to_owned();
        let body = match e.content_type.as_deref().map(str::trim) {
            Some("text") => Body::Markdown(text.clone()),
            _ => Body::Html(text.clone()),
        };

        let created = self.comment_date(&e, &page);

        let key = match &own_id {
            Some(id) => id.clone(),
            None => {
                let date = e.published.as_deref().unwrap_or("").trim();
                common::comment_key(&[&page, name, date, &text], self.report)
            }
        };

        let parent = self.parent(&e, own_id.as_deref(), &page);

        let mut status = match e.status.as_deref().map(|s| s.trim().to_ascii_uppercase()) {
            None => Status::Published,
            Some(s) => match s.as_str() {
                "" | "LIVE" => Status::Published,
                "DRAFT" | "PENDING" => Status::Pending,
                "DELETED" | "TRASHED" => Status::Deleted,
                "SPAM" => Status::Spam,
                _ => {
                    self.report.repair(R_STATUS);
                    Status::Pending
                }
            },
        };
        let trashed = e.trashed.as_deref().is_some_and(|t| !t.trim().is_empty());
        if e.content_removed || trashed {
            status = Status::Deleted;
        }

        self.emit(Item::Post(Post {
            key,
            page,
            parent,
            author,
            email,
            website,
            body,
            created,
            status,
            likes: 0,
            dislikes: 0,
            pingback: false,
        }));
    }

    /// The full id of the comment this one answers: Takeout's `<blogger:inReplyTo>`, else the number at the
    /// end of the classic `<link rel="related">`, made into an id like the comment's own.
    fn parent(&mut self, e: &Entry, own_id: Option<&str>, page: &str) -> Option<String> {
        if let Some(reply) = common::id(e.in_reply_to.as_deref(), self.report) {
            return Some(if reply.bytes().all(|b| b.is_ascii_digit()) {
                full_id(&reply, own_id, page, None)
            } else {
                reply
            });
        }
        let related = e.related.as_deref().map(str::trim).filter(|r| !r.is_empty())?;
        match comment_number(related) {
            Some(number) => Some(full_id(number, own_id, page, Some(related))),
            None => {
                self.report.repair(R_REPLY_LINK);
                None
            }
        }
    }

    /// The published date, else the entry's other dates, else what the [`Clock`](dates::Clock) falls back on.
    fn comment_date(&mut self, e: &Entry, page: &str) -> i64 {
        if let Some(date) = e.published.as_deref().and_then(dates::parse) {
            return self.clock.date(page, date, self.report);
        }
        for other in [&e.created, &e.updated].into_iter().flatten() {
            if let Some(date) = dates::parse(other) {
                self.report.repair(R_DATE_OTHER);
                return self.clock.date(page, date, self.report);
            }
        }
        self.clock.fallback(page, self.report)
    }
}

/// `…/feeds/1/2/comments/default/456` (query and fragment aside) → `456`.
fn comment_number(href: &str) -> Option<&str> {
    let path = href.split(['?', '#']).next().unwrap_or("");
    let last = path.trim_end_matches('/').rsplit('/').next()?;
    (!last.is_empty() && last.bytes().all(|b| b.is_ascii_digit())).then_some(last)
}

/// A comment number as a full id: with the blog part of the comment's own id or its post's
/// (`tag:blogger.com,1999:blog-1.post-`), else of the blog named in the feed link, else bare.
fn full_id(number: &str, own_id: Option<&str>, page: &str, href: Option<&str>) -> String {
    let blog_part = |id: &str| id.rfind(".post-").map(|i| id[..i + ".post-".len()].to_owned());
    if let Some(part) = own_id.and_then(blog_part).or_else(|| blog_part(page)) {
        return format!("{part}{number}");
    }
    let blog = href.and_then(|h| {
        let after = &h[h.find("/feeds/")? + "/feeds/".len()..];
        let blog = after.split('/').next()?;
        (!blog.is_empty() && blog.bytes().all(|b| b.is_ascii_digit())).then_some(blog)
    });
    match blog {
        Some(blog) => format!("tag:blogger.com,1999:blog-{blog}.post-{number}"),
        None => number.to_owned(),
    }
}
