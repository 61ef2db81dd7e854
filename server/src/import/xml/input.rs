//! The input of an XML reader: whatever precedes the XML skipped (a byte order mark, blank lines, a PHP warning
//! a server printed, a mail header), and the line and column of any offset the XML reader reports, without
//! keeping more of the file than the event being read.

use std::io::{self, BufRead, Read};

use super::{R_PRELUDE, local};
use crate::domain::import::{ImportError, Position, Report};
use crate::import::common::read_error;

const BOM: &[u8] = b"\xEF\xBB\xBF";
/// Junk longer than this before the document means it is not an XML file at all.
const MAX_PRELUDE: u64 = 1 << 20;
/// An element name longer than this is not the root being looked for.
const MAX_NAME: usize = 64;
/// Bytes before the mark still kept: the XML reader takes an element's `<` while it reads the text before it,
/// so an offset it reports can lie just before the event it is reading.
const TAIL: u64 = 16;

/// Why a file was refused before its XML.
#[derive(Debug)]
pub(crate) enum Refused {
    Utf16,
    /// Nothing but whitespace (and a byte order mark).
    Empty,
    /// No XML declaration, comment, doctype or root element: where the search stopped.
    NoXml(Position),
    Io(io::Error),
}

impl Refused {
    /// The error to report, with `no_xml` as the message for a file without XML.
    pub(crate) fn into_error(self, no_xml: &str) -> ImportError {
        let first = Some(Position::Text { line: 1, column: 1 });
        match self {
            Self::Utf16 => ImportError::new("the file is UTF-16; convert it to UTF-8 first", first),
            Self::Empty => ImportError::new("the file is empty", first),
            Self::NoXml(at) => ImportError::new(no_xml, Some(at)),
            Self::Io(e) => read_error(&e),
        }
    }
}

/// A `BufRead` between the caller's input and the XML reader: it hands out the file from the start of the XML
/// on, and keeps the bytes handed out since the last [`Input::mark`] (the event being read) with the line and
/// column of the first of them. Offsets count as the XML reader counts them, from the start of the XML;
/// columns count characters.
pub(crate) struct Input<R> {
    inner: R,
    /// The start of the XML, read while looking for it, handed out first.
    replay: Vec<u8>,
    replay_pos: usize,
    window: Vec<u8>,
    /// The offset of `window[0]`, and its 1-based line and column.
    start: u64,
    line: u64,
    column: u64,
}

impl<R: BufRead> Input<R> {
    /// Skips to the XML: an XML declaration, or an element whose local name is one of `roots`, or (after
    /// nothing but whitespace) a comment or a doctype. Skipping more than whitespace and a byte order mark, or
    /// anything before a declaration, is a repair.
    pub(crate) fn open(mut inner: R, roots: &[&[u8]], report: &mut Report) -> Result<Self, Refused> {
        let mut scan = Scan {
            held: Vec::new(),
            skipped: 0,
            blank: true,
            bom: 0,
            started: false,
            line: 1,
            column: 1,
        };
        loop {
            let chunk = inner.fill_buf().map_err(Refused::Io)?;
            if chunk.is_empty() {
                return Err(scan.at_end(roots));
            }
            let mut used = 0;
            let mut found = None;
            for &b in chunk {
                used += 1;
                found = scan.byte(b, roots)?;
                if found.is_some() {
                    break;
                }
            }
            inner.consume(used);
            if let Some(declaration) = found {
                if scan.skipped > 0 && (declaration || !scan.blank) {
                    report.repair(R_PRELUDE);
                }
                return Ok(Self {
                    inner,
                    replay: scan.held,
                    replay_pos: 0,
                    window: Vec::new(),
                    start: 0,
                    line: scan.line,
                    column: scan.column,
                });
            }
            if scan.skipped > MAX_PRELUDE {
                return Err(Refused::NoXml(scan.position()));
            }
        }
    }

    /// Starts an event at `offset`: forgets what came before it (but a short tail), keeping its line and column.
    pub(crate) fn mark(&mut self, offset: u64) {
        let keep_from = offset.saturating_sub(TAIL).max(self.start);
        let gone = ((keep_from - self.start) as usize).min(self.window.len());
        advance(&mut self.line, &mut self.column, &self.window[..gone]);
        self.window.drain(..gone);
        self.start += gone as u64;
    }

    /// The line and column of `offset`, at best within the current event.
    pub(crate) fn position(&self, offset: u64) -> Position {
        let within = offset.saturating_sub(self.start).min(self.window.len() as u64) as usize;
        let (mut line, mut column) = (self.line, self.column);
        advance(&mut line, &mut column, &self.window[..within]);
        Position::Text { line, column }
    }

    /// Where the input read so far ends.
    pub(crate) fn end(&self) -> Position {
        self.position(u64::MAX)
    }

    /// Whether anything but whitespace follows (read and dropped, never kept).
    pub(crate) fn rest_has_content(&mut self) -> io::Result<bool> {
        loop {
            let buf = self.fill_buf()?;
            if buf.is_empty() {
                return Ok(false);
            }
            if buf.iter().any(|c| !c.is_ascii_whitespace()) {
                return Ok(true);
            }
            let n = buf.len();
            self.take(n, false);
        }
    }

    fn take(&mut self, mut n: usize, keep: bool) {
        if self.replay_pos < self.replay.len() {
            let k = n.min(self.replay.len() - self.replay_pos);
            if keep {
                self.window
                    .extend_from_slice(&self.replay[self.replay_pos..self.replay_pos + k]);
            }
            self.replay_pos += k;
            n -= k;
            if self.replay_pos == self.replay.len() {
                self.replay = Vec::new();
                self.replay_pos = 0;
            }
        }
        if n > 0 {
            // The bytes consumed are the ones the last fill_buf returned; asking again does no I/O.
            if keep && let Ok(buf) = self.inner.fill_buf() {
                self.window.extend_from_slice(&buf[..n.min(buf.len())]);
            }
            self.inner.consume(n);
        }
    }
}

impl<R: BufRead> Read for Input<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let buf = self.fill_buf()?;
        let n = buf.len().min(out.len());
        out[..n].copy_from_slice(&buf[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Input<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.replay_pos < self.replay.len() {
            return Ok(&self.replay[self.replay_pos..]);
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        self.take(n, true);
    }
}

/// Moves a 1-based line and column (in characters) over `bytes`.
fn advance(line: &mut u64, column: &mut u64, bytes: &[u8]) {
    for &b in bytes {
        if b == b'\n' {
            *line += 1;
            *column = 1;
        } else if b & 0xC0 != 0x80 {
            *column += 1;
        }
    }
}

/// The search for the start of the XML, a byte at a time.
struct Scan {
    /// Bytes from a `<` on that may start the XML.
    held: Vec<u8>,
    /// Bytes skipped, the byte order mark aside, and whether they were all whitespace.
    skipped: u64,
    blank: bool,
    /// Bytes of a byte order mark seen at the start.
    bom: usize,
    /// Whether the first byte after a byte order mark has been seen.
    started: bool,
    line: u64,
    column: u64,
}

enum Marker {
    /// The XML starts here; `true` at an XML declaration.
    Yes(bool),
    No,
    More,
}

impl Scan {
    fn position(&self) -> Position {
        Position::Text {
            line: self.line,
            column: self.column,
        }
    }

    fn skip(&mut self, b: u8) {
        advance(&mut self.line, &mut self.column, &[b]);
        self.skipped += 1;
        self.blank &= b.is_ascii_whitespace();
    }

    /// Takes the next byte: `Some(declaration)` once the XML starts (held, to be handed out again).
    fn byte(&mut self, b: u8, roots: &[&[u8]]) -> Result<Option<bool>, Refused> {
        if !self.started {
            if self.bom < BOM.len() && b == BOM[self.bom] {
                self.bom += 1;
                self.started = self.bom == BOM.len();
                advance(&mut self.line, &mut self.column, &[b]);
                return Ok(None);
            }
            if self.bom == 0 && matches!(b, 0xFF | 0xFE | 0) {
                return Err(Refused::Utf16);
            }
            self.started = true;
            if self.bom > 0 {
                // A broken byte order mark is junk.
                self.skipped += self.bom as u64;
                self.blank = false;
            }
        }
        if self.held.is_empty() && b != b'<' {
            self.skip(b);
            return Ok(None);
        }
        self.held.push(b);
        if self.held == b"<\0" && self.skipped == 0 && self.bom == 0 {
            return Err(Refused::Utf16);
        }
        Ok(self.decide(roots, false))
    }

    /// Decides on what is held; at the end of the file nothing more can complete it.
    fn decide(&mut self, roots: &[&[u8]], end: bool) -> Option<bool> {
        while !self.held.is_empty() {
            match classify(&self.held, self.blank, roots) {
                Marker::Yes(declaration) => return Some(declaration),
                Marker::More if !end => return None,
                Marker::More | Marker::No => {
                    let first = self.held.remove(0);
                    self.skip(first);
                    while let Some(&b) = self.held.first()
                        && b != b'<'
                    {
                        self.held.remove(0);
                        self.skip(b);
                    }
                }
            }
        }
        None
    }

    fn at_end(&mut self, roots: &[&[u8]]) -> Refused {
        // What is held was decided on byte by byte: only a start still under way remains, and it is junk.
        self.decide(roots, true);
        if self.blank {
            Refused::Empty
        } else {
            Refused::NoXml(self.position())
        }
    }
}

/// Whether `held` (bytes from a `<` on) starts the XML.
fn classify(held: &[u8], blank: bool, roots: &[&[u8]]) -> Marker {
    let mut more = false;
    // (what it starts with, whether a separator must follow, whether it counts only after whitespace)
    let markers: [(&[u8], bool, bool); 3] = [
        (b"<?xml", true, false),
        (b"<!--", false, true),
        (b"<!DOCTYPE", false, true),
    ];
    for (i, (pattern, separated, needs_blank)) in markers.into_iter().enumerate() {
        if needs_blank && !blank {
            continue;
        }
        if held.len() <= pattern.len() {
            if pattern.starts_with(held) {
                if held.len() == pattern.len() && !separated {
                    return Marker::Yes(false);
                }
                more = true;
            }
        } else if held.starts_with(pattern)
            && (!separated || matches!(held[pattern.len()], b'?' | b'>') || held[pattern.len()].is_ascii_whitespace())
        {
            return Marker::Yes(i == 0);
        }
    }
    let name = &held[1..];
    match name
        .iter()
        .position(|b| b.is_ascii_whitespace() || matches!(b, b'>' | b'/'))
    {
        Some(end) if roots.contains(&local(&name[..end])) => return Marker::Yes(false),
        Some(_) => {}
        None if name.len() <= MAX_NAME
            && name
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'-' | b'_' | b'.')) =>
        {
            more = true
        }
        None => {}
    }
    if more { Marker::More } else { Marker::No }
}
