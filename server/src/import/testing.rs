//! What the readers' tests share: picking pages and posts out of what a reader emitted, repairs as a map, and a
//! generated input for the streaming tests.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::io::{self, Read};
use std::rc::Rc;

use crate::domain::Status;
use crate::domain::import::{Body, ImportError, Item, Page, Position, Post, Report};

/// What a reader (`read(sink, report)`) emitted and reported, and how it ended.
pub(crate) fn outcome(
    read: impl FnOnce(&mut dyn FnMut(Item), &mut Report) -> Result<(), ImportError>,
) -> (Vec<Item>, Report, Result<(), ImportError>) {
    let mut items = Vec::new();
    let mut report = Report::default();
    let result = read(&mut |item| items.push(item), &mut report);
    (items, report, result)
}

pub(crate) fn page(key: &str, url: &str, title: Option<&str>) -> Item {
    Item::Page(Page {
        key: key.into(),
        url: url.into(),
        title: title.map(Into::into),
    })
}

/// A published post with nothing but its key and page, to be filled in with `..bare_post(key, page)`.
pub(crate) fn bare_post(key: &str, page: &str) -> Post {
    Post {
        key: key.into(),
        page: page.into(),
        parent: None,
        author: None,
        email: None,
        website: None,
        body: Body::Markdown(String::new()),
        created: 0,
        status: Status::Published,
        likes: 0,
        dislikes: 0,
        pingback: false,
    }
}

pub(crate) fn at(line: u64, column: u64) -> Option<Position> {
    Some(Position::Text { line, column })
}

pub(crate) fn pages(items: &[Item]) -> Vec<&Page> {
    items
        .iter()
        .filter_map(|i| match i {
            Item::Page(p) => Some(p),
            Item::Post(_) => None,
        })
        .collect()
}

pub(crate) fn posts(items: &[Item]) -> Vec<&Post> {
    items
        .iter()
        .filter_map(|i| match i {
            Item::Post(p) => Some(p),
            Item::Page(_) => None,
        })
        .collect()
}

pub(crate) fn post<'a>(items: &'a [Item], key: &str) -> &'a Post {
    posts(items)
        .into_iter()
        .find(|p| p.key == key)
        .unwrap_or_else(|| panic!("no post {key}"))
}

/// The repairs as (reason, count), to compare with [`expect`].
pub(crate) fn repairs(report: &Report) -> BTreeMap<&str, usize> {
    report.repairs.iter().map(|(k, v)| (k.as_str(), *v)).collect()
}

/// The skips as (reason, count), to compare with [`expect`].
pub(crate) fn skips(report: &Report) -> BTreeMap<&str, usize> {
    report.skipped.iter().map(|(k, v)| (k.as_str(), *v)).collect()
}

/// Expected reasons with their counts, in any order (a reason named twice counts twice).
pub(crate) fn expect(list: &[(&'static str, usize)]) -> BTreeMap<&'static str, usize> {
    let mut map = BTreeMap::new();
    for (reason, n) in list {
        *map.entry(*reason).or_default() += n;
    }
    map
}

pub(crate) fn ms(t: time::OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// A file made on demand, one piece at a time (`piece(i)` for i = 0, 1, ... until `None`), counting the bytes
/// handed out: a streaming reader must emit its first items long before the end.
pub(crate) struct Generated<F> {
    piece: F,
    next: usize,
    pending: Vec<u8>,
    pos: usize,
    produced: Rc<Cell<usize>>,
}

impl<F: FnMut(usize) -> Option<String>> Generated<F> {
    /// The input, and the count of the bytes it has handed out.
    pub(crate) fn new(piece: F) -> (Self, Rc<Cell<usize>>) {
        let produced = Rc::new(Cell::new(0));
        let input = Self {
            piece,
            next: 0,
            pending: Vec::new(),
            pos: 0,
            produced: Rc::clone(&produced),
        };
        (input, produced)
    }
}

impl<F: FnMut(usize) -> Option<String>> Read for Generated<F> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.pending.len() {
            let Some(piece) = (self.piece)(self.next) else {
                return Ok(0);
            };
            self.next += 1;
            self.pending = piece.into_bytes();
            self.pos = 0;
        }
        let n = (self.pending.len() - self.pos).min(out.len());
        out[..n].copy_from_slice(&self.pending[self.pos..self.pos + n]);
        self.pos += n;
        self.produced.set(self.produced.get() + n);
        Ok(n)
    }
}
