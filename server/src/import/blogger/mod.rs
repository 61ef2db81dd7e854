//! Blogger exports, in both dialects Blogger has written:
//!
//! - the classic export (Settings → Back up content): an Atom feed whose entries are told apart by a
//!   `<category scheme="http://schemas.google.com/g/2005#kind" term="…/kind#post">` (`#page`, `#comment`,
//!   `#settings`, `#template`); a comment names its post with `<thr:in-reply-to ref=…>` and the comment it
//!   answers with `<link rel="related" href="…/comments/default/456">`;
//! - the Google Takeout `feed.atom`: entries carry `<blogger:type>` (`POST`, `PAGE`, `COMMENT`),
//!   `<blogger:status>`, `<blogger:parent>`, `<blogger:inReplyTo>` and `<blogger:filename>`.
//!
//! The dialect is read off each entry (a `<blogger:type>` wins over a kind category), so one reader takes
//! both and even a file that mixes them. The file is read as a stream of XML events, namespace-aware: memory
//! holds one entry, the current XML event and small maps from post ids to a date (and, for posts without an
//! address, a title). What every XML reader mends alike is in [`super::xml`] and [`super::dates`].

mod entry;
mod namespaces;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::NsReader;

use self::entry::{Entry, Field};
use self::namespaces::{Ns, Resolved, ns_of_prefix};
use super::dates::Clock;
use super::xml::{self, Flow, Input, Prefixes, R_MARKUP, R_MARKUP_DROPPED, R_OUTSIDE, Text};
use crate::domain::import::{ImportError, Item, Report};

const R_NO_ATOM_NS: &str = "feed without the Atom namespace, read as Atom";

/// Reads a Blogger export (classic Atom backup or Google Takeout `feed.atom`) from `input`, calling `sink` for
/// every page and post in file order, recording repairs and skips in `report`. Streams: memory holds one
/// entry at a time plus small maps keyed by post id.
pub fn read(input: impl BufRead, sink: &mut dyn FnMut(Item), report: &mut Report) -> Result<(), ImportError> {
    let input = Input::open(input, &[b"feed"], report)
        .map_err(|refused| refused.into_error("no XML declaration and no <feed> element: not a Blogger export"))?;
    let mut reader = NsReader::from_reader(input);
    reader.config_mut().allow_dangling_amp = true;
    let mut parser = Parser::new(sink, report);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let start = reader.buffer_position();
        reader.get_mut().mark(start);
        let (ns, event) = match reader.read_resolved_event_into(&mut buf) {
            Ok((res, event)) => (Resolved::of(res), event),
            Err(e) => return Err(xml::error(reader.get_ref(), e, reader.error_position())),
        };
        let step = match event {
            Event::Start(e) => parser.start(&e, ns, false),
            Event::Empty(e) => parser.start(&e, ns, true),
            Event::End(e) => parser.end(e.name().as_ref()),
            Event::Text(t) => {
                parser.on_text(&t);
                Ok(Flow::Go)
            }
            Event::CData(c) => {
                if parser.capture.is_some() {
                    parser.text.cdata(&c, parser.report);
                }
                Ok(Flow::Go)
            }
            Event::GeneralRef(r) => {
                if parser.capture.is_some() {
                    parser.text.reference(&r, parser.report);
                }
                Ok(Flow::Go)
            }
            Event::Decl(d) => {
                parser.text.declaration(&d, parser.report);
                Ok(Flow::Go)
            }
            Event::Eof => {
                let at = reader.get_ref().position(reader.buffer_position());
                let message = if parser.depth == 0 {
                    "no <feed> element: not a Blogger export"
                } else {
                    "the file ends before the feed is closed (truncated?)"
                };
                return Err(ImportError::new(message, Some(at)));
            }
            Event::Comment(_) | Event::PI(_) | Event::DocType(_) => Ok(Flow::Go),
        };
        match step {
            Ok(Flow::Go) => {}
            Ok(Flow::Stop) => break,
            Err(message) => {
                let at = reader.get_ref().position(start);
                return Err(ImportError::new(message, Some(at)));
            }
        }
    }
    // The feed is closed: whatever follows is not read as XML, only looked at.
    match reader.get_mut().rest_has_content() {
        Ok(true) => parser.report.repair(R_OUTSIDE),
        Ok(false) => {}
        Err(e) => return Err(super::common::read_error(&e)),
    }
    Ok(())
}

/// An element's attributes by local name, values read with the same leniency as element text.
struct Attributes(Vec<(Vec<u8>, String)>);

impl Attributes {
    fn of(e: &BytesStart<'_>, text: &mut Text, report: &mut Report) -> Self {
        let attrs = xml::attributes(e.attributes_raw(), report);
        Self(
            attrs
                .into_iter()
                .map(|a| (xml::local(a.key).to_vec(), text.value(a.value, report)))
                .collect(),
        )
    }

    fn get(&self, name: &[u8]) -> Option<String> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    }
}

// ---------------------------------------------------------------------------------------------------------
// Elements

struct Parser<'a> {
    sink: &'a mut dyn FnMut(Item),
    report: &'a mut Report,
    /// Open elements.
    depth: usize,
    entry: Option<Entry>,
    /// Whether the entry's (first) `<author>` is open.
    in_author: bool,
    /// The element whose text is being read, and its depth.
    capture: Option<(Field, usize)>,
    text: Text,
    prefixes: Prefixes,
    /// Post dates and the dates of the comments read so far, for comments whose own date cannot be read.
    clock: Clock,
    /// Posts without an address (classic drafts): their title, until a comment names the address.
    unplaced: HashMap<String, Option<String>>,
    /// Pages made up for comments that name their post only by its address.
    made_pages: HashSet<String>,
}

impl<'a> Parser<'a> {
    fn new(sink: &'a mut dyn FnMut(Item), report: &'a mut Report) -> Self {
        Self {
            sink,
            report,
            depth: 0,
            entry: None,
            in_author: false,
            capture: None,
            text: Text::default(),
            prefixes: Prefixes::default(),
            clock: Clock::default(),
            unplaced: HashMap::new(),
            made_pages: HashSet::new(),
        }
    }

    fn ns(&mut self, resolved: Resolved) -> Ns {
        match resolved {
            Resolved::Bound(ns) => ns,
            // No prefix and no default namespace: Blogger's own elements are Atom's.
            Resolved::Unbound => Ns::Atom,
            Resolved::Unknown(prefix) => {
                let ns = ns_of_prefix(&prefix);
                self.prefixes.undeclared(&prefix, self.report);
                ns
            }
        }
    }

    fn start(&mut self, e: &BytesStart<'_>, resolved: Resolved, empty: bool) -> Result<Flow, String> {
        if e.name().as_ref().is_empty() {
            return Err("a bare < where a tag should start".into());
        }
        self.depth += 1;
        let depth = self.depth;
        if self.capture.is_some() {
            // Inside an element whose text is being read: only <content> keeps its child elements as markup.
            self.text.start_tag(e, empty, self.report);
            if empty {
                self.depth -= 1;
            }
            return Ok(Flow::Go);
        }
        let unbound = matches!(resolved, Resolved::Unbound);
        let ns = self.ns(resolved);
        let local = e.local_name();
        let local = local.as_ref();
        if depth == 1 {
            if local != b"feed" {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                return Err(format!("not an Atom feed: the document is a <{name}>"));
            }
            if unbound {
                self.report.repair(R_NO_ATOM_NS);
            }
        } else if depth == 2 {
            if ns == Ns::Atom && local == b"entry" {
                self.entry = Some(Entry::default());
                self.in_author = false;
            }
        } else if self.entry.is_some() {
            self.entry_element(e, ns, local, depth, empty);
        }
        if empty {
            return self.end(e.name().as_ref());
        }
        Ok(Flow::Go)
    }

    fn entry_element(&mut self, e: &BytesStart<'_>, ns: Ns, local: &[u8], depth: usize, empty: bool) {
        let (report, text) = (&mut *self.report, &mut self.text);
        let Some(entry) = self.entry.as_mut() else { return };
        let field = if depth == 3 {
            match (ns, local) {
                (Ns::Atom, b"id") => Some(Field::Id),
                (Ns::Atom, b"title") => Some(Field::Title),
                (Ns::Atom, b"published") => Some(Field::Published),
                (Ns::Atom, b"updated") => Some(Field::Updated),
                (Ns::Atom, b"content") => {
                    if entry.content.is_none() {
                        entry.content_type = Attributes::of(e, text, report).get(b"type");
                    }
                    Some(Field::Content)
                }
                (Ns::Atom, b"author") => {
                    self.in_author = !entry.author_seen && !empty;
                    entry.author_seen = true;
                    None
                }
                (Ns::Atom, b"link") => {
                    let attrs = Attributes::of(e, text, report);
                    let (rel, href) = (attrs.get(b"rel"), attrs.get(b"href"));
                    match rel.as_deref().map(str::trim) {
                        Some("alternate") if entry.alternate.is_none() => entry.alternate = href,
                        Some("related") if entry.related.is_none() => entry.related = href,
                        _ => {}
                    }
                    None
                }
                (Ns::Atom, b"category") => {
                    let attrs = Attributes::of(e, text, report);
                    let (scheme, term) = (attrs.get(b"scheme"), attrs.get(b"term"));
                    let is_kind = match scheme.as_deref().map(str::trim) {
                        Some(s) => s.ends_with("g/2005#kind"),
                        None => term.as_deref().is_some_and(|t| t.contains("/kind#")),
                    };
                    if is_kind && entry.kind_term.is_none() {
                        entry.kind_term = term;
                    }
                    None
                }
                (Ns::Thr, b"in-reply-to") => {
                    if entry.thr_ref.is_none() && entry.thr_href.is_none() {
                        let attrs = Attributes::of(e, text, report);
                        entry.thr_ref = attrs.get(b"ref");
                        entry.thr_href = attrs.get(b"href");
                    }
                    None
                }
                (Ns::Gd, b"extendedProperty") => {
                    let attrs = Attributes::of(e, text, report);
                    let (name, value) = (attrs.get(b"name"), attrs.get(b"value"));
                    if name.as_deref() == Some("blogger.contentRemoved")
                        && value.as_deref().is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
                    {
                        entry.content_removed = true;
                    }
                    None
                }
                (Ns::Blogger, b"type") => Some(Field::Type),
                (Ns::Blogger, b"status") => Some(Field::Status),
                (Ns::Blogger, b"parent") => Some(Field::Parent),
                (Ns::Blogger, b"inReplyTo") => Some(Field::InReplyTo),
                (Ns::Blogger, b"filename") => Some(Field::Filename),
                (Ns::Blogger, b"created") => Some(Field::Created),
                (Ns::Blogger, b"trashed") => Some(Field::Trashed),
                _ => None,
            }
        } else if depth == 4 && self.in_author {
            match (ns, local) {
                (Ns::Atom, b"name") => Some(Field::AuthorName),
                (Ns::Atom, b"uri") => Some(Field::AuthorUri),
                (Ns::Atom, b"email") => Some(Field::AuthorEmail),
                _ => None,
            }
        } else {
            None
        };
        if let Some(field) = field {
            self.capture = Some((field, depth));
            self.text.begin(field == Field::Content);
        }
    }

    fn end(&mut self, name: &[u8]) -> Result<Flow, String> {
        let depth = self.depth;
        match self.capture {
            Some((field, at)) if at == depth => {
                self.capture = None;
                let (value, children) = self.text.finish(self.report);
                if let Some(entry) = self.entry.as_mut() {
                    let slot = entry.slot(field);
                    if slot.is_none() {
                        *slot = Some(value);
                        if field != Field::Content {
                            if children {
                                self.report.repair(R_MARKUP_DROPPED);
                            }
                        } else if children && entry.content_type.as_deref().map(str::trim) != Some("xhtml") {
                            self.report.repair(R_MARKUP);
                        }
                    }
                }
            }
            Some(_) => self.text.end_tag(name, self.report),
            None => {
                if depth == 3 {
                    self.in_author = false;
                } else if depth == 2
                    && let Some(entry) = self.entry.take()
                {
                    self.finish_entry(entry);
                }
            }
        }
        self.depth -= 1;
        Ok(if depth == 1 { Flow::Stop } else { Flow::Go })
    }

    fn on_text(&mut self, t: &[u8]) {
        if self.capture.is_some() {
            self.text.text(t, self.report);
        } else if self.depth == 0 && t.iter().any(|c| !c.is_ascii_whitespace()) {
            self.report.repair(R_OUTSIDE);
        }
    }
}
