//! The converter: tokens read into blocks and paragraphs of inline pieces, roughly as a browser reads unclosed
//! and misnested tags. Here the elements are classified and tags dispatched; [`inline`] handles what goes into a
//! paragraph (text, breaks, formatting, links, images), [`blocks`] the containers and code blocks.

mod blocks;
mod inline;

use self::blocks::Frame;
use self::inline::{Counter, OpenLink};
use super::lexer::Token;
use super::tree::{Act, Block, LinkInfo, Piece};

/// Elements that only separate paragraphs.
fn is_boundary(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "main"
            | "nav"
            | "aside"
            | "address"
            | "figure"
            | "figcaption"
            | "details"
            | "summary"
            | "dialog"
            | "dl"
            | "dt"
            | "dd"
            | "table"
            | "thead"
            | "tbody"
            | "tfoot"
            | "tr"
            | "caption"
            | "form"
            | "fieldset"
            | "legend"
            | "center"
            | "hgroup"
            | "search"
            | "body"
            | "html"
            | "head"
    )
}

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

fn is_list(name: &str) -> bool {
    matches!(name, "ul" | "ol" | "menu" | "dir")
}

fn is_code(name: &str) -> bool {
    matches!(name, "code" | "tt" | "kbd" | "samp")
}

/// Elements that give a body HTML structure: every element that makes or separates blocks (`br` aside).
pub(super) fn is_block(name: &str) -> bool {
    is_boundary(name)
        || is_heading(name)
        || is_list(name)
        || matches!(
            name,
            "li" | "blockquote" | "pre" | "listing" | "xmp" | "plaintext" | "hr" | "td" | "th"
        )
}

/// Reads tokens into blocks: the open containers, the paragraph being collected, and the formattings and link
/// active at this point of the input.
pub(super) struct Converter {
    frames: Vec<Frame>,
    pieces: Vec<Piece>,
    links: Vec<LinkInfo>,
    next_id: u64,
    em: Counter,
    strong: Counter,
    del: Counter,
    code: Counter,
    /// The formattings active when inline code began; code content carries them, nothing more.
    code_fmt: Vec<Act>,
    link: Option<OpenLink>,
    /// Open `pre` elements and the text collected in them.
    pre: u32,
    pre_text: String,
    /// `<template>` depth: nothing inside is shown.
    skip: u32,
    /// The frame depth at which an open heading began; closing that frame ends it.
    heading: Option<usize>,
    /// Whether newlines in text are line breaks (in a body without HTML structure).
    newline_breaks: bool,
}

impl Converter {
    /// A converter; `newline_breaks` makes every newline in text a `<br>`.
    pub(super) fn new(newline_breaks: bool) -> Self {
        Self {
            frames: vec![Frame::Root(Vec::new())],
            pieces: Vec::new(),
            links: Vec::new(),
            next_id: 0,
            em: Counter::default(),
            strong: Counter::default(),
            del: Counter::default(),
            code: Counter::default(),
            code_fmt: Vec::new(),
            link: None,
            pre: 0,
            pre_text: String::new(),
            skip: 0,
            heading: None,
            newline_breaks,
        }
    }

    pub(super) fn token(&mut self, token: Token) {
        if self.skip > 0 {
            match &token {
                Token::Start { name, .. } if name == "template" => self.skip = self.skip.saturating_add(1),
                Token::End { name } if name == "template" => self.skip -= 1,
                _ => {}
            }
            return;
        }
        if self.pre > 0 {
            self.pre_token(token);
            return;
        }
        match token {
            Token::Text(t) => self.text(&t),
            Token::Newline if self.newline_breaks => self.line_break(),
            Token::Newline => self.text("\n"),
            Token::Preformatted(t) => {
                self.flush();
                self.code_block(&t);
            }
            Token::Start { name, attrs } => self.start(&name, &attrs),
            Token::End { name } => self.end(&name),
        }
    }

    fn start(&mut self, name: &str, attrs: &[(String, String)]) {
        match name {
            _ if is_boundary(name) => self.flush(),
            _ if is_heading(name) => {
                self.flush();
                self.close_heading();
                self.strong.open(&mut self.next_id);
                self.heading = Some(self.frames.len());
            }
            _ if is_list(name) => {
                self.flush();
                let ordered = name == "ol";
                let start = if ordered {
                    attr(attrs, "start").map_or(1, parse_start)
                } else {
                    1
                };
                self.push_container(Frame::List {
                    ordered,
                    start,
                    items: Vec::new(),
                });
            }
            _ if is_code(name) => {
                if !self.code.active() {
                    self.code_fmt = self.current_fmt();
                }
                self.code.open(&mut self.next_id);
            }
            "blockquote" => {
                self.flush();
                self.push_container(Frame::Quote(Vec::new()));
            }
            "li" => {
                self.flush();
                self.close_item();
                if matches!(self.frames.last(), Some(Frame::List { .. })) {
                    self.frames.push(Frame::Item(Vec::new()));
                }
            }
            "pre" | "listing" => {
                self.flush();
                self.pre = 1;
                self.pre_text.clear();
            }
            "br" => self.line_break(),
            "hr" => {
                self.flush();
                self.push_block(Block::Rule);
            }
            "img" => self.image(attrs),
            "em" | "i" => self.em.open(&mut self.next_id),
            "strong" | "b" => self.strong.open(&mut self.next_id),
            "del" | "s" | "strike" => self.del.open(&mut self.next_id),
            "a" => self.open_link(attrs),
            "td" | "th" => self.text(" "),
            "template" => self.skip = 1,
            _ => {}
        }
    }

    fn end(&mut self, name: &str) {
        match name {
            _ if is_boundary(name) => self.flush(),
            _ if is_heading(name) => {
                self.flush();
                self.close_heading();
            }
            _ if is_list(name) => {
                self.flush();
                self.pop_to(|f| matches!(f, Frame::List { .. }));
            }
            _ if is_code(name) => self.code.close(),
            "blockquote" => {
                self.flush();
                self.pop_to(|f| matches!(f, Frame::Quote(_)));
            }
            "li" => {
                self.flush();
                // `</li>` closes its item even through blockquotes opened in it, but not through a list.
                if let Some(i) = self
                    .frames
                    .iter()
                    .rposition(|f| matches!(f, Frame::Item(_) | Frame::List { .. }))
                    && matches!(self.frames[i], Frame::Item(_))
                {
                    while self.frames.len() > i {
                        self.pop_frame();
                    }
                }
            }
            "br" => self.line_break(),
            "em" | "i" => self.em.close(),
            "strong" | "b" => self.strong.close(),
            "del" | "s" | "strike" => self.del.close(),
            "a" => self.close_link(),
            _ => {}
        }
    }

    fn close_heading(&mut self) {
        if self.heading.take().is_some() {
            self.strong.close();
        }
    }

    /// The blocks of the document, and the links its inlines refer to.
    pub(super) fn finish(mut self) -> (Vec<Block>, Vec<LinkInfo>) {
        self.flush();
        if self.pre > 0 {
            let text = std::mem::take(&mut self.pre_text);
            self.code_block(&text);
        }
        while self.frames.len() > 1 {
            self.pop_frame();
        }
        match self.frames.pop() {
            Some(Frame::Root(blocks)) => (blocks, self.links),
            _ => (Vec::new(), self.links),
        }
    }
}

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// `<ol start>` as CommonMark can write it (0 to nine digits); anything else starts at 1.
fn parse_start(s: &str) -> u64 {
    let s = s.trim_matches(|c: char| c.is_ascii_whitespace());
    let s = s.strip_prefix('+').unwrap_or(s);
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() || digits.len() > 9 {
        return 1;
    }
    digits.parse().unwrap_or(1)
}
