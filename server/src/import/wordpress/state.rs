//! What the reader holds while it reads an item and a comment: their fields so far, and the field being read.

use crate::domain::import::Position;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum ItemField {
    Title,
    Link,
    PostId,
    PostName,
    PostDateGmt,
    PostDate,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum CommentField {
    Id,
    Author,
    Email,
    Url,
    Date,
    DateGmt,
    Content,
    Approved,
    Type,
    Parent,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Field {
    Item(ItemField),
    Comment(CommentField),
}

pub(super) fn comment_field(local: &[u8]) -> Option<CommentField> {
    Some(match local {
        b"comment_id" => CommentField::Id,
        b"comment_author" => CommentField::Author,
        b"comment_author_email" => CommentField::Email,
        b"comment_author_url" => CommentField::Url,
        b"comment_date" => CommentField::Date,
        b"comment_date_gmt" => CommentField::DateGmt,
        b"comment_content" => CommentField::Content,
        b"comment_approved" => CommentField::Approved,
        b"comment_type" => CommentField::Type,
        b"comment_parent" => CommentField::Parent,
        // comment_author_IP (never stored), comment_user_id, commentmeta: ignored.
        _ => return None,
    })
}

pub(super) fn item_wp_field(local: &[u8]) -> Option<ItemField> {
    Some(match local {
        b"post_id" => ItemField::PostId,
        b"post_name" => ItemField::PostName,
        b"post_date_gmt" => ItemField::PostDateGmt,
        b"post_date" => ItemField::PostDate,
        _ => return None,
    })
}

/// The field being read.
pub(super) struct Capture {
    pub(super) field: Field,
    pub(super) name: Vec<u8>,
    /// Where its start tag began, for errors about it.
    pub(super) at: Position,
}

pub(super) enum PageState {
    NotYet,
    Emitted(String),
    Unusable,
}

pub(super) struct ItemState {
    pub(super) depth: usize,
    pub(super) title: Option<String>,
    pub(super) link: Option<String>,
    pub(super) post_id: Option<String>,
    pub(super) post_name: Option<String>,
    pub(super) post_date_gmt: Option<String>,
    pub(super) post_date: Option<String>,
    pub(super) page: PageState,
}

impl ItemState {
    pub(super) fn new(depth: usize) -> Self {
        Self {
            depth,
            title: None,
            link: None,
            post_id: None,
            post_name: None,
            post_date_gmt: None,
            post_date: None,
            page: PageState::NotYet,
        }
    }

    pub(super) fn slot(&mut self, field: ItemField) -> &mut Option<String> {
        match field {
            ItemField::Title => &mut self.title,
            ItemField::Link => &mut self.link,
            ItemField::PostId => &mut self.post_id,
            ItemField::PostName => &mut self.post_name,
            ItemField::PostDateGmt => &mut self.post_date_gmt,
            ItemField::PostDate => &mut self.post_date,
        }
    }
}

#[derive(Default)]
pub(super) struct CommentState {
    pub(super) depth: usize,
    pub(super) id: Option<String>,
    pub(super) author: Option<String>,
    pub(super) email: Option<String>,
    pub(super) url: Option<String>,
    pub(super) date: Option<String>,
    pub(super) date_gmt: Option<String>,
    pub(super) content: Option<String>,
    pub(super) approved: Option<String>,
    pub(super) kind: Option<String>,
    pub(super) parent: Option<String>,
}

impl CommentState {
    pub(super) fn slot(&mut self, field: CommentField) -> &mut Option<String> {
        match field {
            CommentField::Id => &mut self.id,
            CommentField::Author => &mut self.author,
            CommentField::Email => &mut self.email,
            CommentField::Url => &mut self.url,
            CommentField::Date => &mut self.date,
            CommentField::DateGmt => &mut self.date_gmt,
            CommentField::Content => &mut self.content,
            CommentField::Approved => &mut self.approved,
            CommentField::Type => &mut self.kind,
            CommentField::Parent => &mut self.parent,
        }
    }
}
