//! A thread's comments as the widget draws them, for the templates: a flat run of [`Item`]s (askama
//! templates cannot recurse) that `_list.html` turns into the elements and classes `embed.js` builds in
//! `commentEl` and `body`, with schema.org `Comment` microdata.

use crate::domain::Status;
use crate::routes::api::CommentOut;

use super::words::Words;

/// Replies indent this many levels (as in the widget); deeper ones sit flat under their ancestor, naming
/// whom they answer.
pub const MAX_INDENT: usize = 3;

/// One comment's element, opened.
pub struct CommentView {
    pub id: i64,
    /// The name shown: the author's, "Anonymous", or a dash for a deleted comment.
    pub name: String,
    pub website: Option<String>,
    pub deleted: bool,
    /// The comment's stored, sanitized HTML: the one field the templates insert unescaped.
    pub html: String,
    /// RFC 3339, for `datetime`.
    pub created: String,
    /// `2026-11-26`, shown; the full time `2026-11-26 22:38 UTC` is its tooltip.
    pub date: String,
    pub full: String,
    pub edited: bool,
    /// Marks, as the widget shows them.
    pub pinned: bool,
    pub moderator: bool,
    /// Shown flat below an ancestor: whom it answers, and (microdata) the comment it answers.
    pub in_reply_to: Option<(String, i64)>,
    /// Inside its parent's replies: a `comment` of the parent's item.
    pub nested: bool,
    pub avatar: Option<Avatar>,
    /// Whether its replies go in a `.riposte-replies` element inside it.
    pub replies: bool,
    /// The page's Reply link (the fragment has none).
    pub reply: Option<String>,
    /// The reply form goes under this comment.
    pub form_here: bool,
}

/// The widget's identicon: a hue and the cells of a 5x5 mirrored grid, from the avatar hash.
pub struct Avatar {
    pub hue: u32,
    pub cells: Vec<(u8, u8)>,
}

pub enum Item {
    Open(Box<CommentView>),
    /// The end of a comment's element: its replies' container to close, and where more replies go on.
    Close {
        replies: bool,
        more: Option<String>,
    },
}

/// The links a list carries: a comment's Reply link (`None`: no actions, as in the fragment), and the
/// "more replies" link of a top-level comment at a cursor.
pub struct Links<'a> {
    pub reply: Option<&'a dyn Fn(i64) -> String>,
    pub more_replies: &'a dyn Fn(i64, &str) -> String,
    /// The comment whose reply form is open.
    pub form_under: Option<i64>,
}

/// The items of `roots` (top-level comments, or the one top-level comment of a replies page, with their
/// replies nested).
pub fn items(roots: Vec<CommentOut>, t: &Words, links: &Links<'_>) -> Vec<Item> {
    let mut out = Vec::new();
    for c in roots {
        walk(c, 0, None, t, links, &mut out);
    }
    out
}

/// Whether the reply form's comment is among these items.
pub fn has(items: &[Item], id: i64) -> bool {
    items.iter().any(|i| matches!(i, Item::Open(c) if c.id == id))
}

fn walk(c: CommentOut, depth: usize, parent: Option<(&str, i64)>, t: &Words, links: &Links<'_>, out: &mut Vec<Item>) {
    let deleted = c.status == Status::Deleted;
    let name = match (&c.author, deleted) {
        (_, true) => "–".to_owned(),
        (Some(a), false) => a.clone(),
        (None, false) => t.s("anonymous").to_owned(),
    };
    let replies = depth < MAX_INDENT;
    let more = c.replies_next.as_deref().map(|after| (links.more_replies)(c.id, after));
    let view = CommentView {
        id: c.id,
        website: c.website.filter(|_| !deleted),
        deleted,
        html: c.html,
        date: c.created.get(..10).unwrap_or_default().to_owned(),
        full: format!(
            "{} {} UTC",
            c.created.get(..10).unwrap_or_default(),
            c.created.get(11..16).unwrap_or_default()
        ),
        created: c.created,
        edited: c.edited.is_some(),
        pinned: c.pinned,
        moderator: c.moderator,
        in_reply_to: parent
            .filter(|_| depth > MAX_INDENT)
            .map(|(n, id)| (t.fill("inReplyTo", &[("name", n)]), id)),
        nested: (1..=MAX_INDENT).contains(&depth),
        avatar: (!deleted).then(|| avatar(&c.avatar)).flatten(),
        replies,
        reply: links.reply.filter(|_| c.status == Status::Published).map(|f| f(c.id)),
        form_here: links.form_under == Some(c.id),
        name,
    };
    let (id, name) = (view.id, view.name.clone());
    out.push(Item::Open(Box::new(view)));
    if !replies {
        out.push(Item::Close { replies, more: None });
    }
    for r in c.replies {
        walk(r, depth + 1, Some((&name, id)), t, links, out);
    }
    if replies {
        out.push(Item::Close { replies, more });
    }
}

/// The widget's identicon of an avatar hash (16 hex digits); `None` (a silhouette) without one.
pub fn avatar(hash: &str) -> Option<Avatar> {
    let hue = u32::from_str_radix(hash.get(..3)?, 16).ok()? % 360;
    let bits = u32::from_str_radix(hash.get(3..7)?, 16).ok()?;
    let mut cells = Vec::new();
    for i in 0..15u8 {
        if (bits >> i) & 1 == 0 {
            continue;
        }
        let x = i % 3;
        let y = i / 3;
        if x == 2 {
            cells.push((2, y));
        } else {
            cells.extend([(x, y), (4 - x, y)]);
        }
    }
    Some(Avatar { hue, cells })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_identicon_is_the_widgets() {
        // embed.js: hue = parseInt(hash.slice(0, 3), 16) % 360; bit i of hash[3..7] fills column i % 3 of
        // row i / 3, mirrored.
        let a = avatar("4539b4cc9c2b9e6f").unwrap();
        assert_eq!(a.hue, 0x453 % 360);
        let bits = 0x9b4c;
        let expected: usize = (0..15)
            .filter(|i| bits >> i & 1 == 1)
            .map(|i| if i % 3 == 2 { 1 } else { 2 })
            .sum();
        assert_eq!(a.cells.len(), expected);
        assert!(a.cells.iter().all(|&(x, y)| x < 5 && y < 5));
        assert!(avatar("").is_none());
    }
}
