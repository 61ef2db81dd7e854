//! Remark42's backup (what `remark42 backup` and its daily backups write, once gunzipped): JSON lines.
//!
//! The first line is the site's meta, `{"version": 1, "users": [...], "posts": [{"url", "count", "first_time",
//! ...}]}`; every further line is one comment: `{"id", "pid"` (empty at the top), `"text"` (the rendered HTML),
//! `"orig"` (the Markdown as written), `"user": {"name", "id", "picture", "ip", "admin", ...}, "locator": {"site",
//! "url"}, "score", "votes": {user id: up?}, "time", "edit", "pin", "delete", "title"}` (the page's title).
//!
//! A page's key and URL are the comment's `locator.url` (as Remark42 stored it: its sanitizer writes an `&` in a
//! URL as `&amp;`), its title the comment's `title` or else the meta's. The body is the Markdown of `orig`, else
//! the HTML of `text`; likes and dislikes are counted from `votes`, else taken from `score`. Read line by line:
//! memory holds one line and, per page, its URL, title, first date and the date of its last comment.

use std::collections::{HashMap, HashSet};
use std::io::BufRead;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;

use super::common::{self, SKIP_NO_PAGE};
use super::dates::{self, Clock};
use super::json_common::{self as j, Object};
use crate::domain::Status;
use crate::domain::import::{Body, ImportError, Item, Page, Post, Report};

const REPAIR_BLANK: &str = "blank line, ignored";
const REPAIR_CUT: &str = "cut-off last line, ignored";
const REPAIR_NO_META: &str = "backup without a meta line";
const REPAIR_LATE_META: &str = "meta line after the comments, read";
const SKIP_NOT_COMMENT: &str = "line that is not a comment";

/// A line: the meta or a comment; every field optional and loosely typed.
#[derive(Deserialize)]
struct Line {
    version: Option<Value>,
    users: Option<IgnoredAny>,
    posts: Option<Value>,
    id: Option<Value>,
    pid: Option<Value>,
    text: Option<Value>,
    orig: Option<Value>,
    user: Option<Value>,
    locator: Option<Value>,
    score: Option<Value>,
    votes: Option<Value>,
    time: Option<Value>,
    delete: Option<Value>,
    title: Option<Value>,
}

struct Reader<'a> {
    sink: &'a mut dyn FnMut(Item),
    report: &'a mut Report,
    /// The titles the meta line gives pages (the clock has their first dates).
    titles: HashMap<String, String>,
    emitted: HashSet<String>,
    clock: Clock,
    meta_seen: bool,
    comments_seen: bool,
}

/// Reads a Remark42 backup from `input`, calling `sink` for every page and post in file order, recording repairs
/// and skips in `report`.
///
/// A line that is not JSON is refused with its line number, unless it is the last line and ends early (a backup
/// cut off while being written or copied): that one is skipped with a repair.
pub fn read(mut input: impl BufRead, sink: &mut dyn FnMut(Item), report: &mut Report) -> Result<(), ImportError> {
    let mut r = Reader {
        sink,
        report,
        titles: HashMap::new(),
        emitted: HashSet::new(),
        clock: Clock::default(),
        meta_seen: false,
        comments_seen: false,
    };
    let mut buf = Vec::new();
    let mut number = 0u64;
    // A line that ended early: an error unless nothing but blank lines follows it.
    let mut cut: Option<ImportError> = None;
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf).map_err(|e| common::read_error(&e))? == 0 {
            break;
        }
        number += 1;
        let mut bytes: &[u8] = &buf;
        let bom = number == 1 && bytes.starts_with(j::BOM);
        if number == 1 {
            j::refuse_gzip(bytes)?;
        }
        if bom {
            r.report.repair(j::REPAIR_BOM);
            bytes = &bytes[j::BOM.len()..];
        }
        // Without its line break: a record cut off inside a string then ends early rather than in a control
        // character.
        let bytes = bytes.trim_ascii_end();
        if bytes.trim_ascii_start().is_empty() {
            r.report.repair(REPAIR_BLANK);
            continue;
        }
        if let Some(e) = cut.take() {
            return Err(e);
        }
        let (text, lossy) = common::lossy(bytes);
        let parsed = match serde_json::from_str::<Object<Line>>(&text) {
            Ok(Object(line)) => Ok(Some(line)),
            // Not an object of the expected shape (an array, a number, a key given twice): skipped if it is JSON.
            Err(e) if e.is_data() => serde_json::from_str::<IgnoredAny>(&text).map(|_| None),
            Err(e) => Err(e),
        };
        match parsed {
            Ok(Some(line)) => {
                if lossy {
                    r.report.repair(common::R_BAD_UTF8);
                }
                r.line(line);
            }
            Ok(None) => r.report.skip(SKIP_NOT_COMMENT),
            Err(e) if e.is_eof() => {
                let what = "record cut off or spread over several lines (Remark42 writes one per line)";
                cut = Some(j::json_error(what, &e, &text, number, bom));
            }
            Err(e) => {
                return Err(j::json_error(
                    "malformed line in the Remark42 backup",
                    &e,
                    &text,
                    number,
                    bom,
                ));
            }
        }
    }
    if cut.is_some() {
        r.report.repair(REPAIR_CUT);
    }
    Ok(())
}

impl Reader<'_> {
    fn line(&mut self, line: Line) {
        let comment = line.id.is_some() || line.locator.is_some() || line.text.is_some() || line.orig.is_some();
        if comment {
            self.comment(line);
        } else if line.version.is_some() || line.users.is_some() || line.posts.is_some() {
            self.meta(line);
        } else {
            self.report.skip(SKIP_NOT_COMMENT);
        }
    }

    fn meta(&mut self, line: Line) {
        if self.comments_seen {
            self.report.repair(REPAIR_LATE_META);
        }
        self.meta_seen = true;
        match j::int(line.version.as_ref(), self.report) {
            None | Some(0 | 1) => {}
            Some(_) => self.report.repair(j::REPAIR_VERSION),
        }
        let posts = match line.posts {
            None | Some(Value::Null) => return,
            Some(Value::Array(posts)) => posts,
            Some(_) => {
                self.report.repair(j::REPAIR_TYPE);
                return;
            }
        };
        for post in posts {
            let Some(url) = j::trimmed(post.get("url"), self.report) else {
                continue;
            };
            if let Some(title) = j::trimmed(post.get("title"), self.report) {
                self.titles.insert(url.clone(), title);
            }
            if let Some(first) = j::text(post.get("first_time"), self.report)
                .as_deref()
                .and_then(dates::parse)
            {
                self.clock.page(&url, first.ms);
            }
        }
    }

    fn comment(&mut self, line: Line) {
        if !self.meta_seen && !self.comments_seen {
            self.report.repair(REPAIR_NO_META);
        }
        self.comments_seen = true;
        let report = &mut *self.report;

        let locator = object(line.locator.as_ref(), report);
        let Some(url) = j::trimmed(locator.and_then(|l| l.get("url")), report) else {
            report.skip(SKIP_NO_PAGE);
            return;
        };
        if !self.emitted.contains(&url) {
            let title = j::trimmed(line.title.as_ref(), report).or_else(|| self.titles.get(&url).cloned());
            self.emitted.insert(url.clone());
            (self.sink)(Item::Page(Page {
                key: url.clone(),
                url: url.clone(),
                title,
            }));
        }

        let user = object(line.user.as_ref(), report);
        let field = |name: &str, report: &mut Report| j::trimmed(user.and_then(|u| u.get(name)), report);
        // Remark42 keeps no e-mail addresses or websites in its backups; should a line carry one, it is taken.
        let author = field("name", report).map(|n| unescape(&n));
        let email = field("email", report);
        let website = field("website", report);

        let body = match j::trimmed(line.orig.as_ref(), report) {
            Some(markdown) => Body::Markdown(unescape(&markdown)),
            None => Body::Html(j::trimmed(line.text.as_ref(), report).unwrap_or_default()),
        };
        let date = j::text(line.time.as_ref(), report);
        let created = self.clock.created(&url, date.as_deref(), report);
        let status = match j::flag(line.delete.as_ref(), report) {
            Some(true) => Status::Deleted,
            _ => Status::Published,
        };
        let (likes, dislikes) = votes(line.votes.as_ref(), line.score.as_ref(), report);
        let parent = j::id(line.pid.as_ref(), report);
        let key = j::id(line.id.as_ref(), report).unwrap_or_else(|| {
            let text = match &body {
                Body::Markdown(t) | Body::Html(t) => t,
            };
            let date = date.as_deref().unwrap_or_default().trim();
            common::comment_key(&[&url, author.as_deref().unwrap_or_default(), date, text], report)
        });

        (self.sink)(Item::Post(Post {
            key,
            page: url,
            parent,
            author,
            email,
            website,
            body,
            created,
            status,
            likes,
            dislikes,
            pingback: false,
        }));
    }
}

/// Undoes the escaping Remark42 applies before it stores a comment: its sanitizer escapes `&`, `<`, `>`, `'` and
/// `"` in the Markdown (`orig`) as HTML entities, which Markdown would show as such inside code; names had the same
/// escaping (newer versions escape only `<` and `>`). Other entities were typed by the author and stay.
fn unescape(s: &str) -> String {
    const ENTITIES: [(&str, char); 5] = [
        ("&amp;", '&'),
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&#39;", '\''),
        ("&#34;", '"'),
    ];
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match ENTITIES.iter().find(|(e, _)| rest.starts_with(e)) {
            Some((e, c)) => {
                out.push(*c);
                rest = &rest[e.len()..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A field that should be an object; anything else but null is a repair.
fn object<'v>(v: Option<&'v Value>, report: &mut Report) -> Option<&'v serde_json::Map<String, Value>> {
    match v? {
        Value::Object(o) => Some(o),
        Value::Null => None,
        _ => {
            report.repair(j::REPAIR_TYPE);
            None
        }
    }
}

/// Likes and dislikes: counted from the `votes` map (voter -> up?) where the line has one, since it tells both
/// apart; otherwise from the `score` (their difference): a positive score is likes, a negative one dislikes.
fn votes(votes: Option<&Value>, score: Option<&Value>, report: &mut Report) -> (i64, i64) {
    if let Some(Value::Object(map)) = votes
        && !map.is_empty()
    {
        let up = map.values().filter(|v| matches!(v, Value::Bool(true))).count() as i64;
        let down = map.values().filter(|v| matches!(v, Value::Bool(false))).count() as i64;
        return (up, down);
    }
    let score = j::int(score, report).unwrap_or(0);
    (score.max(0), (-score).max(0))
}

#[cfg(test)]
mod tests;
