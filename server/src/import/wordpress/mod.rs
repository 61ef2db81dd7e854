//! WordPress WXR exports (versions 1.0 to 1.2): an RSS 2.0 document whose `<item>`s are posts, pages and
//! attachments, each with its `<wp:comment>`s.
//!
//! The reader streams: it keeps the names of the open elements, the fields of the current item and of the
//! current comment, and per page the date of its last comment. Elements are matched by their qualified names
//! (`wp:comment_id`), so the `wp` prefix works whichever WXR namespace URI is declared, and when none is; a
//! prefix other than `wp` that is bound to a WXR namespace works too.
//!
//! `wp:comment_author_IP` is never read. Comment types `order_note`, `note`, `webhook_delivery` and
//! `action_log` are private notes of WooCommerce and WordPress, not comments: they are skipped. Page fields
//! (`wp:post_id`, `<link>`, ...) are taken as far as they have been read at the item's first comment, where
//! WordPress always has them. What every XML reader mends alike is in [`super::xml`] and [`super::dates`].

mod namespaces;
mod records;
mod state;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};

use self::state::{Capture, CommentField, CommentState, Field, ItemField, ItemState, comment_field, item_wp_field};
use super::dates::Clock;
use super::xml::{self, Flow, Input, Prefixes, R_MARKUP, R_MARKUP_DROPPED, R_OUTSIDE, R_SEVERAL, Text};
use crate::domain::import::{ImportError, Item, Position, Report};

const R_UNCLOSED_DOCUMENT: &str = "file ends without closing </channel> or </rss>, accepted";

const S_OUTSIDE_ITEM: &str = "comment outside an item";

/// No field of a comment or post head is this long; a field that grows past it was never closed.
const MAX_FIELD: usize = 8 << 20;
/// WXR nests five deep; the limit keeps a hostile file from growing the stack of open elements.
const MAX_DEPTH: usize = 256;

/// Reads a WordPress WXR export from `input`, calling `sink` for every page and post in file order, recording
/// repairs and skips in `report`. Streams: memory grows with the number of pages, not with the file.
///
/// A [`Page`](crate::domain::import::Page) is emitted for each item with at least one comment, just before its
/// first comment: key = `wp:post_id`, url = `<link>`. Each `<wp:comment>` becomes a
/// [`Post`](crate::domain::import::Post) with an HTML body.
pub fn read(input: impl BufRead, sink: &mut dyn FnMut(Item), report: &mut Report) -> Result<(), ImportError> {
    let input = Input::open(input, &[b"rss"], report)
        .map_err(|refused| refused.into_error("not a WordPress export: no XML document found"))?;
    let mut reader = xml::lenient(input);
    let mut parser = Parser::new(sink, report);
    let mut buf = Vec::new();
    loop {
        let (start, event) = xml::next(&mut reader, &mut buf);
        let event = match event {
            Ok(event) => event,
            Err(_) if parser.after_document() => {
                parser.report.repair(R_OUTSIDE);
                let at = reader.get_ref().position(reader.buffer_position());
                return parser.eof_checks(at).map_err(Fail::into_error);
            }
            Err(e) => return Err(xml::error(reader.get_ref(), e, reader.error_position())),
        };
        let eof = matches!(event, Event::Eof);
        let here = reader.get_ref().position(start);
        match parser.event(event, here) {
            Err(fail) => return Err(fail.into_error()),
            Ok(Flow::Stop) => return Ok(()),
            Ok(Flow::Go) if eof => return Ok(()),
            Ok(Flow::Go) => {}
        }
    }
}

struct Fail {
    message: String,
    at: Position,
}

impl Fail {
    fn new(message: impl Into<String>, at: Position) -> Self {
        Self {
            message: message.into(),
            at,
        }
    }

    fn into_error(self) -> ImportError {
        ImportError::new(self.message, Some(self.at))
    }
}

struct Parser<'a> {
    sink: &'a mut dyn FnMut(Item),
    report: &'a mut Report,
    first_event: bool,
    /// Names of the open elements (fields being captured included, markup inside them not).
    stack: Vec<Vec<u8>>,
    root_seen: bool,
    /// Prefixes read as the WXR namespace: `wp`, and any other bound to a WXR namespace URI.
    wp_prefixes: Vec<Vec<u8>>,
    /// A WXR namespace (or the `wp` prefix) is declared.
    wxr_declared: bool,
    wp_seen: bool,
    prefixes: Prefixes,
    item: Option<ItemState>,
    comment: Option<CommentState>,
    capture: Option<Capture>,
    text: Text,
    clock: Clock,
}

fn show(name: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(name)
}

impl<'a> Parser<'a> {
    fn new(sink: &'a mut dyn FnMut(Item), report: &'a mut Report) -> Self {
        Self {
            sink,
            report,
            first_event: true,
            stack: Vec::new(),
            root_seen: false,
            wp_prefixes: vec![b"wp".to_vec()],
            wxr_declared: false,
            wp_seen: false,
            prefixes: Prefixes::default(),
            item: None,
            comment: None,
            capture: None,
            text: Text::default(),
            clock: Clock::default(),
        }
    }

    fn event(&mut self, event: Event<'_>, at: Position) -> Result<Flow, Fail> {
        let first = std::mem::replace(&mut self.first_event, false);
        if self.after_document() {
            // After `</rss>`: another export (files joined with cat), or what a server printed after it.
            match &event {
                Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"rss" => {
                    self.report.repair(R_SEVERAL);
                }
                Event::Text(t) if t.iter().all(u8::is_ascii_whitespace) => {}
                Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) | Event::Eof => {}
                _ => {
                    self.report.repair(R_OUTSIDE);
                    self.eof_checks(at)?;
                    return Ok(Flow::Stop);
                }
            }
        }
        match event {
            Event::Decl(decl) => {
                if first {
                    self.text.declaration(&decl, self.report);
                }
            }
            Event::Start(e) | Event::Empty(e) if e.name().as_ref().first().is_none_or(u8::is_ascii_whitespace) => {
                return Err(Fail::new(
                    "a `<` that starts no tag (in text it must be written `&lt;`)",
                    at,
                ));
            }
            Event::Start(e) => self.start(&e, at, false)?,
            Event::Empty(e) => self.start(&e, at, true)?,
            Event::End(e) => self.end(e.name().as_ref(), at)?,
            Event::Text(t) => {
                if self.capture.is_some() {
                    self.text.text(&t, self.report);
                    self.grown()?;
                }
            }
            Event::CData(t) => {
                if self.capture.is_some() {
                    self.text.cdata(&t, self.report);
                    self.grown()?;
                }
            }
            Event::GeneralRef(r) => {
                if self.capture.is_some() {
                    self.text.reference(&r, self.report);
                    self.grown()?;
                }
            }
            Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Eof => self.eof(at)?,
        }
        Ok(Flow::Go)
    }

    /// The document element has been closed.
    fn after_document(&self) -> bool {
        self.root_seen && self.stack.is_empty()
    }

    // --- elements ---

    fn start(&mut self, e: &BytesStart<'_>, at: Position, empty: bool) -> Result<(), Fail> {
        if self.capture.is_some() {
            self.text.start_tag(e, empty, self.report);
            return self.grown();
        }
        let name = e.name().as_ref().to_vec();
        if self.stack.len() >= MAX_DEPTH {
            return Err(Fail::new(format!("elements nested more than {MAX_DEPTH} deep"), at));
        }
        self.namespaces(e);
        let (prefix, local) = xml::split(&name);
        let mut empty = empty;
        if !self.root_seen {
            self.root_seen = true;
            if local != b"rss" {
                return Err(Fail::new(
                    format!(
                        "not a WordPress export: the document element is <{}>, not <rss>",
                        show(&name)
                    ),
                    at,
                ));
            }
            // `<rss xmlns:wp=http://wordpress.org/export/1.2/>`: the unquoted value's slash closed the tag.
            empty = false;
        }
        let is_wp = prefix.is_some_and(|p| self.wp_prefixes.iter().any(|w| w == p));
        if is_wp {
            self.wp_seen = true;
            self.prefixes.check(&name, self.report);
        }
        self.stack.push(name.clone());
        let depth = self.stack.len();

        if let Some(comment) = &self.comment {
            if is_wp
                && depth == comment.depth + 1
                && let Some(field) = comment_field(local)
            {
                self.begin_capture(Field::Comment(field), name.clone(), at);
            }
        } else if let Some(item) = &self.item {
            if depth == item.depth + 1 {
                let field = match prefix {
                    None if local == b"title" => Some(ItemField::Title),
                    None if local == b"link" => Some(ItemField::Link),
                    Some(_) if is_wp => item_wp_field(local),
                    _ => None,
                };
                if let Some(field) = field {
                    self.begin_capture(Field::Item(field), name.clone(), at);
                } else if is_wp && local == b"comment" {
                    self.comment = Some(CommentState {
                        depth,
                        ..CommentState::default()
                    });
                }
            }
        } else if prefix.is_none() && local == b"item" {
            self.item = Some(ItemState::new(depth));
        } else if is_wp && local == b"comment" {
            self.report.skip(S_OUTSIDE_ITEM);
        }

        if empty {
            self.end(&name, at)?;
        }
        Ok(())
    }

    fn begin_capture(&mut self, field: Field, name: Vec<u8>, at: Position) {
        self.text.begin(field == Field::Comment(CommentField::Content));
        self.capture = Some(Capture { field, name, at });
    }

    fn end(&mut self, name: &[u8], at: Position) -> Result<(), Fail> {
        if let Some(capture) = &self.capture {
            if name == capture.name.as_slice() {
                self.stack.pop();
                self.finish_capture();
                return Ok(());
            }
            if self.stack.iter().any(|open| open.as_slice() == name) {
                let message = format!("<{}> is not closed before </{}>", show(&capture.name), show(name));
                return Err(Fail::new(message, capture.at));
            }
            self.text.end_tag(name, self.report);
            return self.grown();
        }
        match self.stack.last() {
            Some(top) if top.as_slice() == name => {}
            Some(top) => {
                return Err(Fail::new(
                    format!("mismatched end tag </{}>, expected </{}>", show(name), show(top)),
                    at,
                ));
            }
            None => return Err(Fail::new(format!("end tag </{}> without a start tag", show(name)), at)),
        }
        let depth = self.stack.len();
        self.stack.pop();
        if self.comment.as_ref().is_some_and(|c| c.depth == depth) {
            let comment = self.comment.take().unwrap_or_default();
            self.finish_comment(comment);
        } else if self.item.as_ref().is_some_and(|i| i.depth == depth) {
            self.item = None;
        }
        Ok(())
    }

    fn eof(&mut self, at: Position) -> Result<(), Fail> {
        if let Some(capture) = &self.capture {
            return Err(Fail::new(
                format!("the file ends inside <{}>: is it cut off?", show(&capture.name)),
                capture.at,
            ));
        }
        if self.item.is_some() {
            return Err(Fail::new("the file ends inside an <item>: is it cut off?", at));
        }
        self.eof_checks(at)?;
        if !self.stack.is_empty() {
            self.report.repair(R_UNCLOSED_DOCUMENT);
        }
        Ok(())
    }

    fn eof_checks(&self, at: Position) -> Result<(), Fail> {
        if !self.root_seen {
            return Err(Fail::new("not a WordPress export: no XML element found", at));
        }
        if !self.wp_seen && !self.wxr_declared {
            return Err(Fail::new("not a WordPress export: no WXR (wp:) elements found", at));
        }
        Ok(())
    }

    // --- field text ---

    /// A field that grows past [`MAX_FIELD`] was never closed.
    fn grown(&self) -> Result<(), Fail> {
        match &self.capture {
            Some(capture) if self.text.len() > MAX_FIELD => {
                let message = format!("<{}> is longer than 8 MiB: is it closed?", show(&capture.name));
                Err(Fail::new(message, capture.at))
            }
            _ => Ok(()),
        }
    }

    fn finish_capture(&mut self) {
        let Some(capture) = self.capture.take() else {
            return;
        };
        let (text, markup) = self.text.finish(self.report);
        if markup {
            let html = capture.field == Field::Comment(CommentField::Content);
            self.report.repair(if html { R_MARKUP } else { R_MARKUP_DROPPED });
        }
        let value = Some(text);
        match capture.field {
            Field::Item(field) => {
                if let Some(item) = &mut self.item {
                    *item.slot(field) = value;
                }
            }
            Field::Comment(field) => {
                if let Some(comment) = &mut self.comment {
                    *comment.slot(field) = value;
                }
            }
        }
    }
}
