//! Comments coming in from another system: what every importer reads out of its file, and what an import
//! reports. Importers know their format and nothing else; the import core maps pages to paths, renders the
//! text and hands the comments to the store.

use std::collections::BTreeMap;
use std::fmt;

use sha2::{Digest, Sha256};

use super::comment::Status;

/// A page of the old system, as its file names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The source's id of the page (thread), unique within the file.
    pub key: String,
    /// The page's address as the source has it: a full URL (`https://blog.example/2014/05/slug/`) or a path.
    pub url: String,
    pub title: Option<String>,
}

/// A comment's text as the source keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// Markdown (riposte, Isso, Commento).
    Markdown(String),
    /// HTML (Disqus, WordPress, Blogger, Remark42): converted to the allowed subset, never shown as tags.
    Html(String),
}

/// One comment of the old system, placed by the source's own ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    /// The source's id of the comment, unique within the file; [`stable_key`] when the source has none.
    pub key: String,
    /// The [`Page::key`] of its page.
    pub page: String,
    /// The source's id of the comment it answers.
    pub parent: Option<String>,
    pub author: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub body: Body,
    /// Milliseconds since the Unix epoch, UTC.
    pub created: i64,
    pub status: Status,
    pub likes: i64,
    pub dislikes: i64,
    /// A pingback or trackback (WordPress), imported only when asked for.
    pub pingback: bool,
}

/// What an importer reads, in file order: a page may come before or after its posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Page(Page),
    Post(Post),
}

/// A comment ready for the store: its page resolved to a path, its text Markdown and rendered, its fields
/// checked. Made by the import core from a [`Post`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    pub key: String,
    pub uri: String,
    pub title: Option<String>,
    /// The source's id of the comment it answers.
    pub parent: Option<String>,
    pub author: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub text: String,
    pub html: String,
    pub avatar: String,
    pub created: i64,
    pub status: Status,
    pub likes: i64,
    pub dislikes: i64,
}

/// What the import core feeds the store. The store commits only after [`Feed::End`]: a feed that stops
/// without it (a file that turned out unreadable half-way) leaves the database as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Feed {
    /// Comments in file order, a few hundred at a time (one hand-over per batch, not per comment).
    Comments(Vec<Incoming>),
    End,
}

/// Where in the source a problem sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// 1-based line and column of a text file.
    Text { line: u64, column: u64 },
    /// The row id in a source database.
    Row(i64),
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text { line, column } => write!(f, "line {line}, column {column}"),
            Self::Row(id) => write!(f, "row {id}"),
        }
    }
}

/// A file that cannot be understood: the import stops and changes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub message: String,
    pub position: Option<Position>,
}

impl ImportError {
    pub fn new(message: impl Into<String>, position: Option<Position>) -> Self {
        Self {
            message: message.into(),
            position,
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(p) => write!(f, "{} (at {p})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ImportError {}

/// What an import found and did, for the summary it prints. Repairs and skips are counted by reason.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Pages with at least one imported comment.
    pub threads: usize,
    /// Comments stored by this run (placeholders included).
    pub new: usize,
    /// Comments a previous import of the same source stored already.
    pub already: usize,
    /// Of the new comments: replies, held ones, spam, and placeholders of deleted comments with replies.
    pub replies: usize,
    pub pending: usize,
    pub spam: usize,
    pub deleted: usize,
    /// Not imported, by reason ("deleted, without replies", "pingback").
    pub skipped: BTreeMap<String, usize>,
    /// What was wrong in the file and how it was mended ("date without a time zone, read as UTC").
    pub repairs: BTreeMap<String, usize>,
}

impl Report {
    /// Adds what another stage of the same import found.
    pub fn merge(&mut self, other: Report) {
        self.threads += other.threads;
        self.new += other.new;
        self.already += other.already;
        self.replies += other.replies;
        self.pending += other.pending;
        self.spam += other.spam;
        self.deleted += other.deleted;
        for (k, n) in other.skipped {
            *self.skipped.entry(k).or_default() += n;
        }
        for (k, n) in other.repairs {
            *self.repairs.entry(k).or_default() += n;
        }
    }

    pub fn repair(&mut self, what: impl Into<String>) {
        *self.repairs.entry(what.into()).or_default() += 1;
    }

    pub fn skip(&mut self, why: impl Into<String>) {
        *self.skipped.entry(why.into()).or_default() += 1;
    }
}

/// A stable id for a record whose source gave it none: a hash of the fields that identify it, the same on
/// every run, so that importing the file again finds it.
pub fn stable_key(fields: &[&str]) -> String {
    let mut h = Sha256::new();
    for f in fields {
        h.update((f.len() as u64).to_be_bytes());
        h.update(f.as_bytes());
    }
    let digest = h.finalize();
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("h:{hex}")
}

/// One comment of a thread as stored: id, parent, root, depth.
pub type Stored = (i64, Option<i64>, Option<i64>, i64);

/// Places every comment of a thread from its parent links, as new comments are placed: a reply deeper
/// than [`crate::domain::comment::MAX_DEPTH`] hangs beside its parent instead, and a loop of replies (a
/// broken file) is cut at the oldest comment, which becomes top-level. `rows` are the thread's comments
/// oldest first; the answer holds (id, parent, root, depth) of those whose placement changes.
pub fn place_thread(rows: &[Stored], report: &mut Report) -> Vec<Stored> {
    use std::collections::HashMap;

    use crate::domain::comment::MAX_DEPTH;
    let mut parent: HashMap<i64, Option<i64>> = rows.iter().map(|r| (r.0, r.1)).collect();
    // (root, depth) of each comment, filled in from the top.
    let mut placed: HashMap<i64, (i64, i64)> = HashMap::new();
    for &(id, ..) in rows {
        let mut chain = vec![id];
        let mut cursor = id;
        loop {
            if placed.contains_key(&cursor) {
                break;
            }
            match parent.get(&cursor).copied().flatten() {
                Some(p) if chain.contains(&p) => {
                    // A loop: the oldest comment on it becomes top-level.
                    let oldest = *chain.iter().min().expect("the chain holds the start");
                    parent.insert(oldest, None);
                    report.repair("replies in a loop, the oldest made top-level");
                    chain.clear();
                    chain.push(id);
                    cursor = id;
                }
                Some(p) if parent.contains_key(&p) => {
                    chain.push(p);
                    cursor = p;
                }
                // No parent, or one outside this thread (cannot happen: parents were checked).
                _ => break,
            }
        }
        for &c in chain.iter().rev() {
            if placed.contains_key(&c) {
                continue;
            }
            let place = match parent
                .get(&c)
                .copied()
                .flatten()
                .and_then(|p| placed.get(&p).map(|&x| (p, x)))
            {
                None => (c, 0),
                Some((_, (root, depth))) if depth + 1 > MAX_DEPTH => {
                    // Beside its parent, as a new comment would be placed.
                    let grand = parent.get(&parent[&c].expect("a reply")).copied().flatten();
                    parent.insert(c, grand);
                    (root, depth)
                }
                Some((_, (root, depth))) => (root, depth + 1),
            };
            placed.insert(c, place);
        }
    }
    rows.iter()
        .filter_map(|&(id, old_parent, old_root, old_depth)| {
            let (root, depth) = placed[&id];
            let new_parent = parent[&id];
            let new_root = new_parent.map(|_| root);
            ((new_parent, new_root, depth) != (old_parent, old_root, old_depth))
                .then_some((id, new_parent, new_root, depth))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_keys_are_stable_and_tell_fields_apart() {
        assert_eq!(stable_key(&["a", "b"]), stable_key(&["a", "b"]));
        assert_ne!(stable_key(&["ab", ""]), stable_key(&["a", "b"]));
        assert!(stable_key(&["x"]).starts_with("h:"));
        assert_eq!(stable_key(&["x"]).len(), 26);
    }
}
