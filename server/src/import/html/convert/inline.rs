//! What goes into a paragraph: text with its whitespace collapsed, line breaks, the formattings and the link
//! active over each piece, images, and the addresses links may keep.

use super::{Converter, attr};
use crate::import::html::tree::{Act, Kind, Leaf, LinkInfo, Piece};

/// A formatting switched on by nestable tags (`<b><b>x</b></b>` is one activation).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Counter {
    depth: u32,
    id: u64,
}

impl Counter {
    pub(super) fn open(&mut self, next_id: &mut u64) {
        if self.depth == 0 {
            *next_id += 1;
            self.id = *next_id;
        }
        self.depth = self.depth.saturating_add(1);
    }

    pub(super) fn close(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    pub(super) fn active(&self) -> bool {
        self.depth > 0
    }
}

#[derive(Debug)]
pub(super) struct OpenLink {
    /// Index into `links` and activation id; `None` for an `<a>` without a usable `href`.
    link: Option<(usize, u64)>,
    has_text: bool,
    has_image: bool,
}

impl Converter {
    pub(super) fn current_fmt(&self) -> Vec<Act> {
        let mut fmt = Vec::new();
        for (c, kind) in [(self.em, Kind::Em), (self.strong, Kind::Strong), (self.del, Kind::Del)] {
            if c.active() {
                fmt.push(Act { id: c.id, kind });
            }
        }
        if let Some(OpenLink {
            link: Some((index, id)),
            ..
        }) = self.link
        {
            fmt.push(Act {
                id,
                kind: Kind::Link(index),
            });
        }
        fmt
    }

    /// Inline code keeps the formatting it began in, and takes a link opened inside it (`[`x`](url)`).
    fn code_fmt_with_link(&self) -> Vec<Act> {
        let mut fmt = self.code_fmt.clone();
        if let Some(OpenLink {
            link: Some((index, id)),
            ..
        }) = self.link
            && !fmt.iter().any(|a| matches!(a.kind, Kind::Link(_)))
        {
            fmt.push(Act {
                id,
                kind: Kind::Link(index),
            });
        }
        fmt
    }

    pub(super) fn text(&mut self, raw: &str) {
        let t = collapse_whitespace(raw);
        if t.is_empty() {
            return;
        }
        if t != " "
            && let Some(l) = &mut self.link
        {
            l.has_text = true;
        }
        let piece = if self.code.active() {
            Piece {
                leaf: Leaf::Code(t),
                fmt: self.code_fmt_with_link(),
            }
        } else {
            Piece {
                leaf: Leaf::Text(t),
                fmt: self.current_fmt(),
            }
        };
        self.pieces.push(piece);
    }

    pub(super) fn line_break(&mut self) {
        if self.code.active() {
            self.text(" ");
            return;
        }
        // A second break with nothing but spaces since the first ends the paragraph.
        if let Some(k) = self.pieces.iter().rposition(|p| !p.is_blank())
            && self.pieces[k].leaf == Leaf::Break
        {
            self.pieces.truncate(k);
            self.flush();
            return;
        }
        let fmt = self.current_fmt();
        self.pieces.push(Piece { leaf: Leaf::Break, fmt });
    }

    pub(super) fn image(&mut self, attrs: &[(String, String)]) {
        let alt = attr(attrs, "alt").map(|a| collapse_whitespace(a).trim_matches(' ').to_owned());
        if let Some(alt) = alt.filter(|a| !a.is_empty()) {
            self.text(&alt);
            return;
        }
        if self.code.active() {
            return;
        }
        if let Some(l) = &mut self.link {
            l.has_image = true;
            return;
        }
        let Some(src) = attr(attrs, "src").and_then(web_url) else {
            return;
        };
        let mut fmt = self.current_fmt();
        self.next_id += 1;
        fmt.push(Act {
            id: self.next_id,
            kind: Kind::Link(self.links.len()),
        });
        self.links.push(LinkInfo {
            href: src.clone(),
            title: None,
        });
        self.pieces.push(Piece {
            leaf: Leaf::Text(src),
            fmt,
        });
    }

    pub(super) fn open_link(&mut self, attrs: &[(String, String)]) {
        // Links do not nest: a new `<a>` ends the open one, as in a browser.
        self.close_link();
        let href = attr(attrs, "href").and_then(link_url);
        let link = href.map(|href| {
            let title = attr(attrs, "title")
                .map(|t| collapse_whitespace(t).trim_matches(' ').to_owned())
                .filter(|t| !t.is_empty());
            self.links.push(LinkInfo { href, title });
            self.next_id += 1;
            (self.links.len() - 1, self.next_id)
        });
        self.link = Some(OpenLink {
            link,
            has_text: false,
            has_image: false,
        });
    }

    pub(super) fn close_link(&mut self) {
        let Some(open) = self.link.take() else {
            return;
        };
        // A link that showed only an image (without alt text) shows its address.
        if let Some((index, id)) = open.link
            && open.has_image
            && !open.has_text
        {
            let mut fmt = self.current_fmt();
            fmt.push(Act {
                id,
                kind: Kind::Link(index),
            });
            let href = self.links[index].href.clone();
            self.pieces.push(Piece {
                leaf: Leaf::Text(href),
                fmt,
            });
        }
    }
}

fn is_collapsible(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0C' | '\r' | '\u{A0}')
}

/// Runs of HTML whitespace (and no-break spaces) as one space.
fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if is_collapsible(c) {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

/// An address as browsers read it: surrounding spaces and controls trimmed, tabs and newlines removed.
fn clean_url(raw: &str) -> String {
    raw.trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

/// An absolute `http(s)://host…` address, or `None`.
fn web_url(raw: &str) -> Option<String> {
    let url = clean_url(raw);
    let lower = url.get(..8).unwrap_or(&url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return None;
    };
    let host_start = rest.chars().next()?;
    (host_start.is_alphanumeric() || host_start == '[').then_some(url)
}

/// An address riposte keeps as a link: http, https or mailto.
fn link_url(raw: &str) -> Option<String> {
    if let Some(url) = web_url(raw) {
        return Some(url);
    }
    let url = clean_url(raw);
    let is_mailto = url.get(..7).is_some_and(|s| s.eq_ignore_ascii_case("mailto:")) && url.len() > 7;
    is_mailto.then_some(url)
}
