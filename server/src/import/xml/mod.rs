//! What the XML readers (Disqus, WordPress, Blogger) share, so that each holds only its format's grammar:
//!
//! - [`Input`]: the file from the start of its XML on, with line and column for any offset (`input.rs`);
//! - [`Text`]: an element's text with its references resolved leniently, and its markup (`text.rs`);
//! - here: qualified names by their parts, a lenient attribute scanner (unquoted values, bare names), the
//!   prefixes used without a declaration, the quick-xml reader set up leniently, and its errors with a position.
//!
//! Exporters write XML that is not well-formed in a few recurring ways; every reader mends them alike and
//! counts each under the same reason.

mod input;
mod text;

use std::collections::HashSet;
use std::io::BufRead;

use quick_xml::Reader;
use quick_xml::events::Event;

pub(crate) use self::input::{Input, Refused};
pub(crate) use self::text::Text;
use crate::domain::import::{ImportError, Report};
use crate::import::common::read_error;

pub(crate) const R_PRELUDE: &str = "bytes before the XML declaration, skipped";
pub(crate) const R_OUTSIDE: &str = "content outside the document element, ignored";
pub(crate) const R_SEVERAL: &str = "several exports joined in one file, all read";
pub(crate) const R_UNQUOTED: &str = "unquoted attribute value, accepted";
pub(crate) const R_UNDECLARED_PREFIX: &str = "namespace prefix used without a declaration";
pub(crate) const R_MARKUP: &str = "unescaped markup in HTML text, read as HTML";
pub(crate) const R_MARKUP_DROPPED: &str = "markup in a plain-text field, tags dropped";
pub(crate) const R_BARE_AMP: &str = "bare & kept as written";
pub(crate) const R_BAD_CHAR_REF: &str = "invalid character reference, replaced with U+FFFD";
pub(crate) const R_SURROGATES: &str = "character written as a UTF-16 surrogate pair, joined";
pub(crate) const R_ENTITY_IN_HTML: &str = "HTML entity in HTML text, kept";
pub(crate) const R_ENTITY_DECODED: &str = "HTML entity in plain text, decoded";
pub(crate) const R_ENTITY_UNKNOWN: &str = "unknown entity kept as written";
pub(crate) const R_ENCODING: &str = "unsupported encoding, read as UTF-8";
pub(crate) const R_LATIN1_IS_UTF8: &str = "declared ISO-8859-1 or windows-1252 but written in UTF-8, read as UTF-8";

/// A plain (namespace-unaware) reader that leaves nesting to the caller, so that markup inside a field can be
/// kept as text and a missing end tag mended, and takes a lone `&` as text.
pub(crate) fn lenient<R: BufRead>(input: Input<R>) -> Reader<Input<R>> {
    let mut reader = Reader::from_reader(input);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    config.allow_dangling_amp = true;
    config.trim_text(false);
    reader
}

/// Reads the next event, the input marked at its start: where it starts, and the event.
pub(crate) fn next<'b, R: BufRead>(
    reader: &mut Reader<Input<R>>,
    buf: &'b mut Vec<u8>,
) -> (u64, quick_xml::Result<Event<'b>>) {
    let start = reader.buffer_position();
    reader.get_mut().mark(start);
    buf.clear();
    (start, reader.read_event_into(buf))
}

/// Whether to read on.
pub(crate) enum Flow {
    Go,
    Stop,
}

/// A quick-xml error at `offset` as an [`ImportError`].
pub(crate) fn error<R: BufRead>(input: &Input<R>, e: quick_xml::Error, offset: u64) -> ImportError {
    match e {
        quick_xml::Error::Io(e) => read_error(&e),
        e => ImportError::new(format!("malformed XML: {e}"), Some(input.position(offset))),
    }
}

/// A qualified name's prefix and local part.
pub(crate) fn split(name: &[u8]) -> (Option<&[u8]>, &[u8]) {
    match name.iter().position(|&b| b == b':') {
        Some(i) => (Some(&name[..i]), &name[i + 1..]),
        None => (None, name),
    }
}

/// The part of a qualified name after its prefix.
pub(crate) fn local(name: &[u8]) -> &[u8] {
    split(name).1
}

/// An attribute as the lenient scanner found it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Attr<'a> {
    pub key: &'a [u8],
    /// As written, references unresolved ([`Text::value`] resolves them).
    pub value: &'a [u8],
    pub quoted: bool,
}

/// Scans the attributes of a start tag (what follows its name): `name="value"`, `name='value'`, `name=value` and
/// bare `name`, never failing (a quote left open takes the rest). Unquoted values are a repair, once per tag.
pub(crate) fn attributes<'a>(raw: &'a [u8], report: &mut Report) -> Vec<Attr<'a>> {
    let attrs = scan(raw);
    if attrs.iter().any(|a| !a.quoted) {
        report.repair(R_UNQUOTED);
    }
    attrs
}

fn scan(raw: &[u8]) -> Vec<Attr<'_>> {
    let mut out = Vec::new();
    let mut i = 0;
    let skip_ws = move |i: &mut usize| {
        while *i < raw.len() && raw[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    let until = move |i: &mut usize, end: &dyn Fn(u8) -> bool| -> &[u8] {
        let start = *i;
        while *i < raw.len() && !end(raw[*i]) {
            *i += 1;
        }
        &raw[start..*i]
    };
    loop {
        skip_ws(&mut i);
        if i >= raw.len() {
            return out;
        }
        let key = until(&mut i, &|b| b.is_ascii_whitespace() || b == b'=');
        skip_ws(&mut i);
        if i >= raw.len() || raw[i] != b'=' {
            out.push(Attr {
                key,
                value: b"",
                quoted: true,
            });
            continue;
        }
        i += 1;
        skip_ws(&mut i);
        match raw.get(i) {
            Some(&quote @ (b'"' | b'\'')) => {
                i += 1;
                let value = until(&mut i, &|b| b == quote);
                i = (i + 1).min(raw.len());
                out.push(Attr {
                    key,
                    value,
                    quoted: true,
                });
            }
            _ => {
                let value = until(&mut i, &|b| b.is_ascii_whitespace());
                out.push(Attr {
                    key,
                    value,
                    quoted: false,
                });
            }
        }
    }
}

/// The namespace prefixes declared so far (`xmlns:p=…`, wherever), and those used without a declaration, each
/// of which is a repair once.
#[derive(Default)]
pub(crate) struct Prefixes {
    declared: HashSet<Vec<u8>>,
    undeclared: HashSet<Vec<u8>>,
}

impl Prefixes {
    /// Notes the `xmlns:` declarations among an element's attributes.
    pub(crate) fn declare(&mut self, attrs: &[Attr<'_>]) {
        for a in attrs {
            if let Some(prefix) = a.key.strip_prefix(b"xmlns:") {
                self.declared.insert(prefix.to_vec());
            }
        }
    }

    /// Checks the prefix of an element's or attribute's name.
    pub(crate) fn check(&mut self, name: &[u8], report: &mut Report) {
        if let (Some(prefix), _) = split(name)
            && prefix != b"xml"
            && prefix != b"xmlns"
            && !self.declared.contains(prefix)
        {
            self.undeclared(prefix, report);
        }
    }

    /// A prefix found to have no declaration.
    pub(crate) fn undeclared(&mut self, prefix: &[u8], report: &mut Report) {
        if self.undeclared.insert(prefix.to_vec()) {
            report.repair(R_UNDECLARED_PREFIX);
        }
    }
}

#[cfg(test)]
mod tests;
