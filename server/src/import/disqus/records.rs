//! What a thread or post has read so far, and how it becomes a [`Page`] or [`Post`].

use super::{Field, Parser};
use crate::domain::Status;
use crate::domain::import::{Body, Item, Page, Post};
use crate::import::common::{self, SKIP_NO_PAGE};
use crate::import::dates;

pub(super) const R_FLAG_LOOSE: &str = "flag not written as true/false, read leniently";
pub(super) const R_FLAG_BAD: &str = "unreadable flag, read as false";

#[derive(Default)]
pub(super) struct ThreadAcc {
    pub(super) key: Option<String>,
    pub(super) link: Option<String>,
    pub(super) title: Option<String>,
    pub(super) created: Option<String>,
}

#[derive(Default)]
pub(super) struct PostAcc {
    pub(super) key: Option<String>,
    pub(super) thread: Option<String>,
    pub(super) parent: Option<String>,
    pub(super) message: Option<String>,
    pub(super) created: Option<String>,
    pub(super) deleted: bool,
    pub(super) spam: bool,
    pub(super) approved: bool,
    pub(super) name: Option<String>,
    pub(super) username: Option<String>,
    pub(super) email: Option<String>,
    pub(super) link: Option<String>,
}

impl Parser<'_> {
    pub(super) fn field(&mut self, field: Field, value: String) {
        match field {
            Field::ThreadLink | Field::ThreadTitle | Field::ThreadCreated => {
                let Some(thread) = self.thread.as_mut() else { return };
                match field {
                    Field::ThreadLink => thread.link = Some(value),
                    Field::ThreadTitle => thread.title = Some(value),
                    _ => thread.created = Some(value),
                }
            }
            Field::PostDeleted | Field::PostSpam | Field::PostApproved => {
                let flag = self.flag(&value);
                let Some(post) = self.post.as_mut() else { return };
                match field {
                    Field::PostDeleted => post.deleted = flag.unwrap_or(false),
                    Field::PostSpam => post.spam = flag.unwrap_or(false),
                    _ => post.approved = flag.unwrap_or(true),
                }
            }
            _ => {
                let Some(post) = self.post.as_mut() else { return };
                let slot = match field {
                    Field::PostCreated => &mut post.created,
                    Field::AuthorName => &mut post.name,
                    Field::AuthorEmail => &mut post.email,
                    Field::AuthorUsername => &mut post.username,
                    _ => &mut post.link,
                };
                *slot = Some(value);
            }
        }
    }

    /// `true`/`false`, leniently; `None` when empty.
    fn flag(&mut self, value: &str) -> Option<bool> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return None;
        }
        let flag = match trimmed.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => true,
            "false" | "0" | "no" => false,
            _ => {
                self.report.repair(R_FLAG_BAD);
                return Some(false);
            }
        };
        if value != "true" && value != "false" {
            self.report.repair(R_FLAG_LOOSE);
        }
        Some(flag)
    }

    pub(super) fn finish_thread(&mut self, thread: ThreadAcc) {
        let url = thread.link.as_deref().unwrap_or("").trim().to_string();
        let key = thread.key.unwrap_or_else(|| common::page_key(&url, self.report));
        if let Some(date) = thread.created.as_deref().and_then(dates::parse) {
            self.clock.page(&key, date.ms);
        }
        let title = common::trimmed(thread.title);
        (self.sink)(Item::Page(Page { key, url, title }));
    }

    pub(super) fn finish_post(&mut self, post: PostAcc) {
        let Some(page) = post.thread else {
            self.report.skip(SKIP_NO_PAGE);
            return;
        };
        let body = post.message.as_deref().unwrap_or("").trim().to_string();
        let author = [post.name, post.username].into_iter().find_map(common::trimmed);
        let date_text = post.created.as_deref().unwrap_or("").trim();
        let created = self.clock.created(&page, Some(date_text), self.report);
        let key = post.key.unwrap_or_else(|| {
            let fields = [page.as_str(), author.as_deref().unwrap_or(""), date_text, &body];
            common::comment_key(&fields, self.report)
        });
        let status = if post.spam {
            Status::Spam
        } else if post.deleted {
            Status::Deleted
        } else if !post.approved {
            Status::Pending
        } else {
            Status::Published
        };
        (self.sink)(Item::Post(Post {
            key,
            page,
            parent: post.parent,
            author,
            email: common::trimmed(post.email),
            website: common::trimmed(post.link),
            body: Body::Html(body),
            created,
            status,
            likes: 0,
            dislikes: 0,
            pingback: false,
        }));
    }
}
