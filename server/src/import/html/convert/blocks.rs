//! The block structure: open containers (blockquotes, lists, items), the paragraph flushed into the innermost one,
//! code blocks, and the verbatim text of `pre`.

use super::{Converter, attr};
use crate::import::html::lexer::Token;
use crate::import::html::tree::{Block, build_inlines};

/// How deeply blockquotes and lists may nest in the output; deeper ones are flattened into their parent.
const MAX_NESTING: usize = 16;

/// An open container, holding the blocks read into it so far.
#[derive(Debug)]
pub(super) enum Frame {
    Root(Vec<Block>),
    Quote(Vec<Block>),
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<Block>>,
    },
    Item(Vec<Block>),
}

impl Converter {
    /// A token inside `pre` or `listing`: text taken as it is, tags dropped.
    pub(super) fn pre_token(&mut self, token: Token) {
        match token {
            Token::Text(t) | Token::Preformatted(t) => {
                // A newline right after `<pre>` is not content.
                let t = if self.pre_text.is_empty() {
                    t.strip_prefix('\n').unwrap_or(&t)
                } else {
                    &t
                };
                self.pre_text.push_str(&t.replace('\u{A0}', " "));
            }
            // As a text token holding just a newline would be.
            Token::Newline => {
                if !self.pre_text.is_empty() {
                    self.pre_text.push('\n');
                }
            }
            Token::Start { name, attrs } => match name.as_str() {
                "br" => self.pre_text.push('\n'),
                "pre" | "listing" => self.pre = self.pre.saturating_add(1),
                "img" => {
                    if let Some(alt) = attr(&attrs, "alt") {
                        self.pre_text.push_str(alt);
                    }
                }
                _ => {}
            },
            Token::End { name } => {
                if name == "pre" || name == "listing" {
                    self.pre -= 1;
                    if self.pre == 0 {
                        let text = std::mem::take(&mut self.pre_text);
                        self.code_block(&text);
                    }
                }
            }
        }
    }

    pub(super) fn code_block(&mut self, text: &str) {
        let text = text.replace('\u{A0}', " ");
        let mut lines: Vec<&str> = text.trim_end().split('\n').collect();
        let blank = lines.iter().take_while(|l| l.trim().is_empty()).count();
        lines.drain(..blank);
        if !lines.is_empty() {
            self.push_block(Block::Code(lines.join("\n")));
        }
    }

    pub(super) fn push_container(&mut self, frame: Frame) {
        let open = self
            .frames
            .iter()
            .filter(|f| matches!(f, Frame::Quote(_) | Frame::List { .. }))
            .count();
        if open < MAX_NESTING {
            self.frames.push(frame);
        }
    }

    /// Closes the open list item, unless a list or blockquote was opened inside it.
    pub(super) fn close_item(&mut self) {
        if matches!(self.frames.last(), Some(Frame::Item(_))) {
            self.pop_frame();
        }
    }

    pub(super) fn pop_to(&mut self, pred: impl Fn(&Frame) -> bool) {
        if let Some(i) = self.frames.iter().rposition(pred).filter(|&i| i > 0) {
            while self.frames.len() > i {
                self.pop_frame();
            }
        }
    }

    pub(super) fn pop_frame(&mut self) {
        if self.frames.len() <= 1 {
            return;
        }
        let block = match self.frames.pop() {
            Some(Frame::Item(blocks)) => {
                if let Some(Frame::List { items, .. }) = self.frames.last_mut() {
                    items.push(blocks);
                }
                None
            }
            Some(Frame::Quote(blocks)) => (!blocks.is_empty()).then_some(Block::Quote(blocks)),
            Some(Frame::List {
                ordered,
                start,
                mut items,
            }) => {
                items.retain(|i| !i.is_empty());
                (!items.is_empty()).then_some(Block::List { ordered, start, items })
            }
            Some(Frame::Root(_)) | None => None,
        };
        // A heading ends with the container it was opened in (formatting, unlike headings, carries on).
        if self.heading.is_some_and(|depth| self.frames.len() < depth) {
            self.close_heading();
        }
        if let Some(b) = block {
            self.push_block(b);
        }
    }

    pub(super) fn push_block(&mut self, block: Block) {
        match self.frames.last_mut() {
            Some(Frame::Root(v) | Frame::Quote(v) | Frame::Item(v)) => v.push(block),
            // Content directly inside a list continues its last item.
            Some(Frame::List { items, .. }) => match items.last_mut() {
                Some(item) => item.push(block),
                None => items.push(vec![block]),
            },
            None => {}
        }
    }

    /// Ends the paragraph being collected.
    pub(super) fn flush(&mut self) {
        if self.pieces.is_empty() {
            return;
        }
        let pieces = std::mem::take(&mut self.pieces);
        let inlines = build_inlines(pieces);
        if !inlines.is_empty() {
            self.push_block(Block::Para(inlines));
        }
    }
}
