//! Reads a Disqus XML export (`<disqus xmlns="http://disqus.com" ...>` with `<category>`, `<thread>` and `<post>`
//! children) as a stream of [`Item`]s.
//!
//! The file is read with quick-xml's plain (namespace-unaware) reader, so prefixes need no declaration: elements
//! are matched on their local names and ids on the `dsq:id` attribute (or any `…:id`). Each thread and post is
//! handed to the sink as soon as its end tag is read; the reader keeps only the element being read, a stack of
//! open element names, and per thread its date and the date of its last comment, for unreadable dates.
//! What every XML reader mends alike (bytes before the XML, attributes, entities, dates) is in [`super::xml`] and
//! [`super::dates`].

use std::io::BufRead;

use quick_xml::events::{BytesEnd, BytesStart, Event};

use self::records::{PostAcc, ThreadAcc};
use super::common;
use super::dates::Clock;
use super::xml::{self, Input, Prefixes, R_MARKUP, R_OUTSIDE, R_SEVERAL, Refused, Text, local};
use crate::domain::import::{ImportError, Item, Position, Report};

const R_EMPTY_PARENT: &str = "empty parent reference, read as top-level";
const R_MISSING_END: &str = "missing end tag supplied";
const R_STRAY_END: &str = "stray end tag ignored";
const R_ILL_FORMED: &str = "ill-formed markup ignored";

const NOT_DISQUS: &str = "not a Disqus export: no XML declaration or <disqus> element at the start of the file";

/// Reads a Disqus XML export from `input`, calling `sink` for every page (thread) and post in file order,
/// recording repairs and skips in `report`. Streams: only the element being read is kept in memory.
pub fn read(input: impl BufRead, sink: &mut dyn FnMut(Item), report: &mut Report) -> Result<(), ImportError> {
    let input = Input::open(input, &[b"disqus"], report).map_err(|refused| match refused {
        // The message says where it looked: at the start.
        Refused::NoXml(_) => ImportError::new(NOT_DISQUS, Some(Position::Text { line: 1, column: 1 })),
        refused => refused.into_error(NOT_DISQUS),
    })?;
    let mut reader = xml::lenient(input);
    let mut parser = Parser::new(sink, report);
    let mut buf = Vec::new();
    loop {
        let (start, event) = xml::next(&mut reader, &mut buf);
        match event {
            Ok(Event::Eof) => break,
            Ok(event) => {
                if let Err(message) = parser.event(event) {
                    return Err(ImportError::new(message, Some(reader.get_ref().position(start))));
                }
            }
            Err(quick_xml::Error::IllFormed(_)) => parser.report.repair(R_ILL_FORMED),
            Err(e) => return Err(xml::error(reader.get_ref(), e, reader.error_position())),
        }
    }
    let end = reader.get_ref().end();
    if let Some(open) = parser.stack.last() {
        let name = String::from_utf8_lossy(&open.name);
        return Err(ImportError::new(
            format!("the file ends inside <{name}>: it is cut off"),
            Some(end),
        ));
    }
    if parser.roots == 0 {
        return Err(ImportError::new("not a Disqus export: no <disqus> element", Some(end)));
    }
    Ok(())
}

/// What an open element is, by where it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Root,
    Thread,
    Post,
    PostAuthor,
    /// A `<message>`: its content is taken as HTML, nested tags included. `true` for a post's.
    Message(bool),
    Field(Field),
    /// Anything else (categories, ip addresses, elements inside fields): read past.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    ThreadLink,
    ThreadTitle,
    ThreadCreated,
    PostCreated,
    PostDeleted,
    PostSpam,
    PostApproved,
    AuthorName,
    AuthorEmail,
    AuthorUsername,
    AuthorLink,
}

struct Frame {
    name: Vec<u8>,
    kind: Kind,
}

struct Parser<'a> {
    sink: &'a mut dyn FnMut(Item),
    report: &'a mut Report,
    stack: Vec<Frame>,
    /// The text of the field or message being read.
    text: Text,
    thread: Option<ThreadAcc>,
    post: Option<PostAcc>,
    /// `<disqus>` elements seen.
    roots: usize,
    prefixes: Prefixes,
    clock: Clock,
}

impl<'a> Parser<'a> {
    fn new(sink: &'a mut dyn FnMut(Item), report: &'a mut Report) -> Self {
        Self {
            sink,
            report,
            stack: Vec::new(),
            text: Text::default(),
            thread: None,
            post: None,
            roots: 0,
            prefixes: Prefixes::default(),
            clock: Clock::default(),
        }
    }

    /// Handles one event; `Err` is a message for a file that is not a Disqus export.
    fn event(&mut self, event: Event<'_>) -> Result<(), String> {
        match event {
            Event::Start(e) => self.start(&e, false)?,
            Event::Empty(e) => self.start(&e, true)?,
            Event::End(e) => self.end(&e),
            Event::Text(t) => {
                if self.collecting() {
                    self.text.text(&t, self.report);
                } else if self.stack.is_empty() && !t.iter().all(u8::is_ascii_whitespace) {
                    self.report.repair(R_OUTSIDE);
                }
            }
            Event::CData(c) => {
                if self.collecting() {
                    self.text.cdata(&c, self.report);
                } else if self.stack.is_empty() {
                    self.report.repair(R_OUTSIDE);
                }
            }
            Event::GeneralRef(r) => {
                if self.collecting() {
                    self.text.reference(&r, self.report);
                } else if self.stack.is_empty() {
                    self.report.repair(R_OUTSIDE);
                }
            }
            Event::Decl(d) => self.text.declaration(&d, self.report),
            Event::Comment(_) | Event::PI(_) | Event::DocType(_) | Event::Eof => {}
        }
        Ok(())
    }

    fn top(&self) -> Option<Kind> {
        self.stack.last().map(|f| f.kind)
    }

    fn collecting(&self) -> bool {
        matches!(self.top(), Some(Kind::Field(_) | Kind::Message(_)))
    }

    fn in_message(&self) -> bool {
        matches!(self.top(), Some(Kind::Message(_)))
    }

    fn start(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<(), String> {
        if self.in_message() {
            self.text.start_tag(e, empty, self.report);
            return Ok(());
        }
        let name = e.name();
        let name = name.as_ref();
        let id = self.attributes(name, e.attributes_raw());
        let kind = match self.top() {
            None if local(name) == b"disqus" => {
                self.roots += 1;
                if self.roots > 1 {
                    self.report.repair(R_SEVERAL);
                }
                Kind::Root
            }
            None if self.roots == 0 => {
                return Err(format!(
                    "not a Disqus export: the root element is <{}>",
                    String::from_utf8_lossy(name)
                ));
            }
            None => {
                self.report.repair(R_OUTSIDE);
                Kind::Other
            }
            Some(Kind::Root) => match local(name) {
                b"thread" => {
                    let key = common::id(id.as_deref(), self.report);
                    self.thread = Some(ThreadAcc {
                        key,
                        ..ThreadAcc::default()
                    });
                    Kind::Thread
                }
                b"post" => {
                    let key = common::id(id.as_deref(), self.report);
                    self.post = Some(PostAcc {
                        key,
                        approved: true,
                        ..PostAcc::default()
                    });
                    Kind::Post
                }
                _ => Kind::Other,
            },
            Some(Kind::Thread) => match local(name) {
                b"link" => Kind::Field(Field::ThreadLink),
                b"title" => Kind::Field(Field::ThreadTitle),
                b"createdAt" => Kind::Field(Field::ThreadCreated),
                b"message" => Kind::Message(false),
                _ => Kind::Other,
            },
            Some(Kind::Post) => match local(name) {
                b"message" => Kind::Message(true),
                b"createdAt" => Kind::Field(Field::PostCreated),
                b"isDeleted" => Kind::Field(Field::PostDeleted),
                b"isSpam" => Kind::Field(Field::PostSpam),
                b"isApproved" => Kind::Field(Field::PostApproved),
                b"author" => Kind::PostAuthor,
                b"thread" => {
                    let thread = common::id(id.as_deref(), self.report);
                    if let Some(post) = self.post.as_mut() {
                        post.thread = thread;
                    }
                    Kind::Other
                }
                b"parent" => {
                    let parent = common::id(id.as_deref(), self.report);
                    if parent.is_none() {
                        self.report.repair(R_EMPTY_PARENT);
                    }
                    if let Some(post) = self.post.as_mut() {
                        post.parent = parent;
                    }
                    Kind::Other
                }
                _ => Kind::Other,
            },
            Some(Kind::PostAuthor) => match local(name) {
                b"name" => Kind::Field(Field::AuthorName),
                b"email" => Kind::Field(Field::AuthorEmail),
                b"username" => Kind::Field(Field::AuthorUsername),
                b"link" => Kind::Field(Field::AuthorLink),
                _ => Kind::Other,
            },
            Some(_) => Kind::Other,
        };
        if let Kind::Field(_) | Kind::Message(_) = kind {
            self.text.begin(matches!(kind, Kind::Message(_)));
        }
        if empty {
            self.close(kind);
        } else {
            self.stack.push(Frame {
                name: local(name).to_vec(),
                kind,
            });
        }
        Ok(())
    }

    /// Reads an element's attributes: records namespace declarations, notes repairs, returns its id.
    fn attributes(&mut self, name: &[u8], raw: &[u8]) -> Option<String> {
        let attrs = xml::attributes(raw, self.report);
        self.prefixes.declare(&attrs);
        self.prefixes.check(name, self.report);
        let mut id = None;
        for a in &attrs {
            if !a.key.starts_with(b"xmlns") {
                self.prefixes.check(a.key, self.report);
            }
            if a.key == b"dsq:id" || (local(a.key) == b"id" && id.is_none()) {
                id = Some(a.value);
            }
        }
        id.map(|v| self.text.value(v, self.report))
    }

    fn end(&mut self, e: &BytesEnd<'_>) {
        let name = local(e.name().as_ref()).to_vec();
        if self.in_message() && name != b"message" {
            self.text.end_tag(e.name().as_ref(), self.report);
            return;
        }
        match self.stack.iter().rposition(|f| f.name == name) {
            Some(i) => {
                while self.stack.len() > i + 1 {
                    self.report.repair(R_MISSING_END);
                    let frame = self.stack.pop().expect("stack deeper than i");
                    self.close(frame.kind);
                }
                let frame = self.stack.pop().expect("frame i");
                self.close(frame.kind);
            }
            None => self.report.repair(R_STRAY_END),
        }
    }

    /// An element ends: hand its text to the thread or post, or emit the thread or post.
    fn close(&mut self, kind: Kind) {
        match kind {
            Kind::Field(field) => {
                let (value, _) = self.text.finish(self.report);
                self.field(field, value);
            }
            Kind::Message(for_post) => {
                let (value, markup) = self.text.finish(self.report);
                if markup {
                    self.report.repair(R_MARKUP);
                }
                if for_post && let Some(post) = self.post.as_mut() {
                    post.message = Some(value);
                }
            }
            Kind::Thread => {
                if let Some(thread) = self.thread.take() {
                    self.finish_thread(thread);
                }
            }
            Kind::Post => {
                if let Some(post) = self.post.take() {
                    self.finish_post(post);
                }
            }
            Kind::Root | Kind::PostAuthor | Kind::Other => {}
        }
    }
}

mod records;
#[cfg(test)]
mod tests;
