//! `riposte import`: the readers of other systems' exports (one module per format, each turning its file
//! into [`Item`]s), and the core that turns those into comments for the store: pages mapped to paths, HTML
//! converted to Markdown and rendered like any new comment, fields checked, repairs counted. The store
//! keeps it all in one transaction (`Store::import`).

// @formats-begin
pub mod blogger;
pub mod commento;
mod common;
mod dates;
pub mod disqus;
pub mod html;
pub mod json;
mod json_common;
pub mod remark42;
#[cfg(test)]
mod testing;
pub mod wordpress;
mod xml;
// @formats-end

use std::collections::HashMap;
use std::io::BufRead;

use crate::domain::import::{Body, ImportError, Incoming, Item, Post, Report};
use crate::domain::{AuthorName, Email, FieldError, PageTitle, PageUri, Status, Website};
use crate::render::render;

/// The systems riposte imports from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Disqus,
    Wordpress,
    Blogger,
    Isso,
    Commento,
    Remark42,
    /// riposte's own export (`riposte export`).
    Json,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Self::Disqus,
        Self::Wordpress,
        Self::Blogger,
        Self::Isso,
        Self::Commento,
        Self::Remark42,
        Self::Json,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Disqus => "disqus",
            Self::Wordpress => "wordpress",
            Self::Blogger => "blogger",
            Self::Isso => "isso",
            Self::Commento => "commento",
            Self::Remark42 => "remark42",
            Self::Json => "json",
        }
    }

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        Self::ALL.into_iter().find(|f| f.as_str() == s).ok_or_else(|| {
            FieldError::new(
                "format",
                "must be one of disqus, wordpress, blogger, isso, commento, remark42, json",
            )
        })
    }
}

/// Reads a text export of `format` (every format but Isso, whose export is a database: the store reads it).
pub fn read(
    format: Format,
    input: impl BufRead,
    sink: &mut dyn FnMut(Item),
    report: &mut Report,
) -> Result<(), ImportError> {
    match format {
        Format::Disqus => disqus::read(input, sink, report),
        Format::Wordpress => wordpress::read(input, sink, report),
        Format::Blogger => blogger::read(input, sink, report),
        Format::Commento => commento::read(input, sink, report),
        Format::Remark42 => remark42::read(input, sink, report),
        Format::Json => json::read(input, sink, report),
        Format::Isso => Err(ImportError::new("an Isso export is a database file, not text", None)),
    }
}

/// How old page addresses become paths on the site.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--map OLD=NEW`: an address (or path) starting with OLD starts with NEW instead; the first match wins.
    pub maps: Vec<(String, String)>,
    /// `--base-url URL`: where the old site lived; addresses under it lose this prefix.
    pub base_url: Option<String>,
    /// `--with-pingbacks`: import WordPress pingbacks and trackbacks as comments.
    pub with_pingbacks: bool,
}

impl Options {
    /// The path of a page on the site, from the address the old system had for it.
    pub fn path(&self, url: &str, report: &mut Report) -> Option<String> {
        let mut url = url.trim().to_owned();
        for (old, new) in &self.maps {
            if let Some(rest) = url.strip_prefix(old.as_str()) {
                url = format!("{new}{rest}");
                break;
            }
        }
        if let Some(base) = &self.base_url {
            if let Some(rest) = url.strip_prefix(base.trim_end_matches('/')) {
                url = if rest.starts_with('/') {
                    rest.to_owned()
                } else {
                    format!("/{rest}")
                };
            }
        }
        let path = match url::Url::parse(&url) {
            Ok(u) if u.has_host() => {
                if u.query().is_some() {
                    report.repair("query string dropped from a page address");
                }
                u.path().to_owned()
            }
            _ => {
                let no_fragment = url.split('#').next().unwrap_or_default();
                let (path, query) = no_fragment.split_once('?').unwrap_or((no_fragment, ""));
                if !query.is_empty() {
                    report.repair("query string dropped from a page address");
                }
                if path.starts_with('/') {
                    path.to_owned()
                } else if path.is_empty() {
                    return None;
                } else {
                    report.repair("page path without a leading slash");
                    format!("/{path}")
                }
            }
        };
        // The maps also apply to paths (`--map /blog/=/`).
        let path = self
            .maps
            .iter()
            .find_map(|(old, new)| path.strip_prefix(old.as_str()).map(|rest| format!("{new}{rest}")))
            .unwrap_or(path);
        PageUri::parse(&path).ok().map(|p| p.as_str().to_owned())
    }
}

/// Turns items into comments for the store: remembers pages, holds posts until their page is known, and
/// checks and renders each post.
pub struct Preparer<'a> {
    options: &'a Options,
    avatar: &'a dyn Fn(&str) -> String,
    /// Page key -> (path, title); `None` when the page's address is unusable.
    pages: HashMap<String, Option<(String, Option<String>)>>,
    /// Posts whose page has not come yet, by page key.
    waiting: HashMap<String, Vec<Post>>,
    /// Paths already given by another page key (a moved blog has several threads for one page).
    paths: HashMap<String, String>,
}

impl<'a> Preparer<'a> {
    /// `avatar` makes the identicon seed of a commenter from their email, or their name.
    pub fn new(options: &'a Options, avatar: &'a dyn Fn(&str) -> String) -> Self {
        Self {
            options,
            avatar,
            pages: HashMap::new(),
            waiting: HashMap::new(),
            paths: HashMap::new(),
        }
    }

    /// Takes one item; returns the comments it completes (a page releases the posts that waited for it).
    pub fn take(&mut self, item: Item, report: &mut Report) -> Vec<Incoming> {
        match item {
            Item::Page(page) => {
                let target = self.options.path(&page.url, report).map(|path| {
                    match self.paths.get(&path) {
                        Some(other) if *other != page.key => report.repair("several source pages for one path, merged"),
                        Some(_) => {}
                        None => {
                            self.paths.insert(path.clone(), page.key.clone());
                        }
                    }
                    let title = PageTitle::parse(page.title.as_deref())
                        .unwrap_or_else(|_| {
                            report.repair("page title too long or with control characters, dropped");
                            None
                        })
                        .map(|t| t.as_str().to_owned());
                    (path, title)
                });
                if target.is_none() {
                    report.repair("page without a usable address, its comments skipped");
                }
                self.pages.insert(page.key.clone(), target);
                let waiting = self.waiting.remove(&page.key).unwrap_or_default();
                waiting.into_iter().filter_map(|p| self.prepare(p, report)).collect()
            }
            Item::Post(post) => match self.pages.contains_key(&post.page) {
                true => self.prepare(post, report).into_iter().collect(),
                false => {
                    self.waiting.entry(post.page.clone()).or_default().push(post);
                    Vec::new()
                }
            },
        }
    }

    /// Posts whose page never came are skipped; call at the end of the file.
    pub fn finish(self, report: &mut Report) {
        for post in self.waiting.into_values().flatten() {
            drop(post);
            report.skip("page not in the file");
        }
    }

    fn prepare(&self, post: Post, report: &mut Report) -> Option<Incoming> {
        let Some((uri, title)) = self.pages.get(&post.page).cloned().flatten() else {
            report.skip("page without a usable address");
            return None;
        };
        if post.pingback && !self.options.with_pingbacks {
            report.skip("pingback or trackback");
            return None;
        }
        let deleted = post.status == Status::Deleted;
        let text = match &post.body {
            Body::Markdown(t) => t.trim().to_owned(),
            Body::Html(h) => html::to_markdown(h),
        };
        if text.is_empty() && !deleted {
            report.skip("empty comment");
            return None;
        }
        let author =
            field(AuthorName::parse(post.author.as_deref()), "author name", report).map(|a| a.as_str().to_owned());
        let email = field(Email::parse(post.email.as_deref()), "email", report).map(|e| e.as_str().to_owned());
        let website = field(Website::parse(post.website.as_deref()), "website", report).map(|w| w.into_inner());
        let seed = email
            .as_ref()
            .map(|e| e.to_lowercase())
            .unwrap_or_else(|| format!("{}|", author.as_deref().unwrap_or("")));
        // A deleted comment is kept only as a content-free placeholder for its replies.
        let (author, email, website, text) = if deleted {
            (None, None, None, String::new())
        } else {
            (author, email, website, text)
        };
        Some(Incoming {
            key: post.key,
            uri,
            title,
            parent: post.parent,
            html: if deleted { String::new() } else { render(&text) },
            avatar: if deleted { String::new() } else { (self.avatar)(&seed) },
            author,
            email,
            website,
            text,
            created: post.created,
            status: post.status,
            likes: post.likes.max(0),
            dislikes: post.dislikes.max(0),
        })
    }
}

/// A field the rules refuse is dropped, not the comment: the repair is counted.
fn field<T>(parsed: Result<Option<T>, FieldError>, what: &str, report: &mut Report) -> Option<T> {
    parsed.unwrap_or_else(|_| {
        report.repair(format!("invalid {what}, dropped"));
        None
    })
}
