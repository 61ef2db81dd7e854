//! How an item becomes a [`Page`] and a comment a [`Post`]: ids, addresses, dates, statuses and types.

use super::Parser;
use super::state::{CommentState, PageState};
use crate::domain::Status;
use crate::domain::import::{Body, Item, Page, Post};
use crate::import::common::{self, R_STATUS};
use crate::import::dates;

pub(super) const R_URL_FROM_SLUG: &str = "post without a link, URL built from its slug";
pub(super) const R_URL_FROM_ID: &str = "post without a link or slug, URL built from its id";
pub(super) const R_SELF_PARENT: &str = "comment is its own parent, made top-level";
pub(super) const R_LOCAL_DATE: &str = "comment without a GMT date, local date read as UTC";
pub(super) const R_LENIENT_DATE: &str = "date in an unusual format, read leniently";
pub(super) const R_TYPE: &str = "unknown comment_type, read as a comment";

pub(super) const S_PRIVATE_NOTE: &str = "private note, not a comment (order_note, note, webhook_delivery, action_log)";
pub(super) const S_NO_PAGE: &str = "comment of a post without link, slug or id";

impl Parser<'_> {
    /// The key of the current item's page, emitting the page the first time.
    fn page_key(&mut self) -> Option<String> {
        let item = self.item.as_mut()?;
        match &item.page {
            PageState::Emitted(key) => return Some(key.clone()),
            PageState::Unusable => return None,
            PageState::NotYet => {}
        }
        let id = common::id(item.post_id.as_deref(), self.report);
        let link = item.link.as_deref().map(str::trim).unwrap_or_default();
        let slug = item.post_name.as_deref().map(str::trim).unwrap_or_default();
        let url = if !link.is_empty() {
            link.to_owned()
        } else if !slug.is_empty() {
            self.report.repair(R_URL_FROM_SLUG);
            format!("/{}/", slug.trim_matches('/'))
        } else if let Some(id) = &id {
            self.report.repair(R_URL_FROM_ID);
            format!("/?p={id}")
        } else {
            item.page = PageState::Unusable;
            return None;
        };
        let key = id.unwrap_or_else(|| common::page_key(&url, self.report));
        let published = [&item.post_date_gmt, &item.post_date]
            .into_iter()
            .flatten()
            .find_map(|d| dates::parse(d));
        if let Some(date) = published {
            self.clock.page(&key, date.ms);
        }
        let title = common::trimmed(item.title.clone());
        item.page = PageState::Emitted(key.clone());
        (self.sink)(Item::Page(Page {
            key: key.clone(),
            url,
            title,
        }));
        Some(key)
    }

    pub(super) fn finish_comment(&mut self, c: CommentState) {
        let kind = c
            .kind
            .as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .to_ascii_lowercase();
        let pingback = match kind.as_str() {
            "" | "comment" | "review" => false,
            "pingback" | "trackback" | "webmention" => true,
            "order_note" | "note" | "webhook_delivery" | "action_log" => {
                self.report.skip(S_PRIVATE_NOTE);
                return;
            }
            _ => {
                self.report.repair(R_TYPE);
                false
            }
        };
        let Some(page) = self.page_key() else {
            self.report.skip(S_NO_PAGE);
            return;
        };

        let author = common::trimmed(c.author);
        let email = common::trimmed(c.email);
        let website = common::trimmed(c.url);
        let body = c.content.as_deref().map(str::trim).unwrap_or_default().to_owned();
        let (created, date_text) = self.created(&page, c.date_gmt.as_deref(), c.date.as_deref());

        let key = common::id(c.id.as_deref(), self.report).unwrap_or_else(|| {
            let fields = [page.as_str(), author.as_deref().unwrap_or_default(), &date_text, &body];
            common::comment_key(&fields, self.report)
        });
        let mut parent = common::id(c.parent.as_deref(), self.report).filter(|p| p != "0");
        if parent.as_deref() == Some(key.as_str()) {
            self.report.repair(R_SELF_PARENT);
            parent = None;
        }
        let approved = c
            .approved
            .as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .to_ascii_lowercase();
        let status = match approved.as_str() {
            "1" => Status::Published,
            "0" => Status::Pending,
            "spam" => Status::Spam,
            "trash" => Status::Deleted,
            _ => {
                self.report.repair(R_STATUS);
                Status::Pending
            }
        };

        (self.sink)(Item::Post(Post {
            key,
            page,
            parent,
            author,
            email,
            website,
            body: Body::Html(body),
            created,
            status,
            likes: 0,
            dislikes: 0,
            pingback,
        }));
    }

    /// The comment's time in ms, and the date text it was read from (for keys of comments without an id).
    fn created(&mut self, page: &str, gmt: Option<&str>, local: Option<&str>) -> (i64, String) {
        let gmt = gmt.map(str::trim).unwrap_or_default();
        let local = local.map(str::trim).unwrap_or_default();
        let found = match dates::parse(gmt) {
            Some(date) => Some((date, gmt)),
            None => dates::parse(local).map(|date| {
                self.report.repair(R_LOCAL_DATE);
                (date, local)
            }),
        };
        let created = match found {
            Some((date, written)) => {
                if !is_wordpress_form(written) {
                    self.report.repair(R_LENIENT_DATE);
                }
                self.clock.remember(page, date.ms);
                date.ms
            }
            None => self.clock.fallback(page, self.report),
        };
        let text = if gmt.is_empty() || gmt.starts_with("0000-00-00") {
            local
        } else {
            gmt
        };
        (created, text.to_owned())
    }
}

/// Written exactly as WordPress writes a date: `2014-05-06 12:34:56`, UTC in `_gmt` fields (other spellings are
/// read by [`dates::parse`], as a repair).
pub(super) fn is_wordpress_form(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b' ',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        })
}
