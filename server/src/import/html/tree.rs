//! The document model between the converter and the writer: blocks, and inline trees of formattings built from
//! the flat pieces the converter collects, with whitespace moved out of formattings and collapsed.

use std::cmp::Reverse;
use std::collections::HashMap;

/// An inline formatting the output can express.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Em,
    Strong,
    Del,
    /// Index into the converter's links.
    Link(usize),
}

/// One activation of a formatting: from the tag that switched it on to the tag that switched it off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Act {
    pub(super) id: u64,
    pub(super) kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Leaf {
    Text(String),
    Code(String),
    Break,
}

/// A run of inline content with the formattings active over it.
#[derive(Debug, Clone)]
pub(super) struct Piece {
    pub(super) leaf: Leaf,
    pub(super) fmt: Vec<Act>,
}

impl Piece {
    pub(super) fn is_blank(&self) -> bool {
        match &self.leaf {
            Leaf::Text(t) | Leaf::Code(t) => t.trim_matches(' ').is_empty(),
            Leaf::Break => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LinkInfo {
    pub(super) href: String,
    pub(super) title: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Inline {
    Text(String),
    Code(String),
    Break,
    Wrap(Kind, Vec<Inline>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Block {
    Para(Vec<Inline>),
    Code(String),
    Rule,
    Quote(Vec<Block>),
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<Block>>,
    },
}

// ---------------------------------------------------------------------------------------------------------------
// Inline normalization

/// Turns a paragraph's pieces into a tree of formattings, with whitespace moved out of them and collapsed.
pub(super) fn build_inlines(mut pieces: Vec<Piece>) -> Vec<Inline> {
    // Formattings that last longer go outside, so that `<b><i>x</b>y</i>` nests as `***x**y*`.
    let mut spans: HashMap<u64, (usize, usize)> = HashMap::new();
    for (i, p) in pieces.iter().enumerate() {
        for a in &p.fmt {
            spans.entry(a.id).or_insert((i, i)).1 = i;
        }
    }
    for p in &mut pieces {
        p.fmt.sort_by_key(|a| {
            let (first, last) = spans.get(&a.id).copied().unwrap_or_default();
            (Reverse(last), first, a.id)
        });
    }

    let mut root: Vec<Inline> = Vec::new();
    let mut stack: Vec<(Act, Vec<Inline>)> = Vec::new();
    fn close_one(stack: &mut Vec<(Act, Vec<Inline>)>, root: &mut Vec<Inline>) {
        if let Some((act, kids)) = stack.pop() {
            let parent = match stack.last_mut() {
                Some((_, v)) => v,
                None => root,
            };
            parent.push(Inline::Wrap(act.kind, kids));
        }
    }
    for p in pieces {
        let common = stack.iter().zip(&p.fmt).take_while(|((s, _), a)| s.id == a.id).count();
        while stack.len() > common {
            close_one(&mut stack, &mut root);
        }
        for a in &p.fmt[common..] {
            stack.push((*a, Vec::new()));
        }
        let leaf = match p.leaf {
            Leaf::Text(t) => Inline::Text(t),
            Leaf::Code(t) => Inline::Code(t),
            Leaf::Break => Inline::Break,
        };
        match stack.last_mut() {
            Some((_, v)) => push_inline(v, leaf),
            None => push_inline(&mut root, leaf),
        }
    }
    while !stack.is_empty() {
        close_one(&mut stack, &mut root);
    }

    // A paragraph neither starts nor ends with spaces or line breaks.
    let mut inlines = normalize(root);
    loop {
        if matches!(inlines.first(), Some(Inline::Break)) {
            inlines.remove(0);
        } else if !trim_text_start(&mut inlines) {
            break;
        }
    }
    loop {
        if matches!(inlines.last(), Some(Inline::Break)) {
            inlines.pop();
        } else if !trim_text_end(&mut inlines) {
            break;
        }
    }
    inlines
}

/// Strips leading spaces of a first text node; whether anything changed.
fn trim_text_start(v: &mut Vec<Inline>) -> bool {
    if let Some(Inline::Text(t)) = v.first_mut()
        && t.starts_with(' ')
    {
        let trimmed = t.trim_start_matches(' ').to_owned();
        if trimmed.is_empty() {
            v.remove(0);
        } else {
            *t = trimmed;
        }
        return true;
    }
    false
}

fn trim_text_end(v: &mut Vec<Inline>) -> bool {
    if let Some(Inline::Text(t)) = v.last_mut()
        && t.ends_with(' ')
    {
        t.truncate(t.trim_end_matches(' ').len());
        if t.is_empty() {
            v.pop();
        }
        return true;
    }
    false
}

pub(super) fn normalize(nodes: Vec<Inline>) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::with_capacity(nodes.len());
    for node in nodes {
        match node {
            Inline::Wrap(kind, kids) => {
                let mut kids = normalize(kids);
                // Spaces and breaks at the edges of a formatting belong outside it.
                let mut before = Vec::new();
                loop {
                    if matches!(kids.first(), Some(Inline::Break)) {
                        kids.remove(0);
                        before.push(Inline::Break);
                    } else if trim_text_start(&mut kids) {
                        before.push(Inline::Text(" ".into()));
                    } else {
                        break;
                    }
                }
                let mut after = Vec::new();
                loop {
                    if matches!(kids.last(), Some(Inline::Break)) {
                        kids.pop();
                        after.push(Inline::Break);
                    } else if trim_text_end(&mut kids) {
                        after.push(Inline::Text(" ".into()));
                    } else {
                        break;
                    }
                }
                for x in before {
                    push_inline(&mut out, x);
                }
                if !kids.is_empty() {
                    push_inline(&mut out, Inline::Wrap(kind, kids));
                }
                for x in after.into_iter().rev() {
                    push_inline(&mut out, x);
                }
            }
            Inline::Code(s) => {
                let trimmed = s.trim_matches(' ');
                if s.starts_with(' ') {
                    push_inline(&mut out, Inline::Text(" ".into()));
                }
                if !trimmed.is_empty() {
                    push_inline(&mut out, Inline::Code(trimmed.to_owned()));
                }
                if s.ends_with(' ') && !trimmed.is_empty() {
                    push_inline(&mut out, Inline::Text(" ".into()));
                }
            }
            other => push_inline(&mut out, other),
        }
    }
    out
}

/// Appends a node, merging it with its neighbour where that changes nothing visible.
fn push_inline(out: &mut Vec<Inline>, node: Inline) {
    match (out.last_mut(), node) {
        (Some(Inline::Text(a)), Inline::Text(b)) => {
            let b = if a.ends_with(' ') {
                b.trim_start_matches(' ')
            } else {
                &b
            };
            a.push_str(b);
        }
        (Some(Inline::Code(a)), Inline::Code(b)) => {
            let b = if a.ends_with(' ') {
                b.trim_start_matches(' ')
            } else {
                &b
            };
            a.push_str(b);
        }
        (Some(Inline::Wrap(k1, kids)), Inline::Wrap(k2, more)) if *k1 == k2 => {
            for x in more {
                push_inline(kids, x);
            }
        }
        (Some(Inline::Break), Inline::Text(b)) => {
            let b = b.trim_start_matches(' ');
            if !b.is_empty() {
                out.push(Inline::Text(b.to_owned()));
            }
        }
        (Some(Inline::Text(a)), Inline::Break) => {
            a.truncate(a.trim_end_matches(' ').len());
            if a.is_empty() {
                out.pop();
            }
            out.push(Inline::Break);
        }
        (None, Inline::Text(b)) if b.is_empty() => {}
        (_, node) => out.push(node),
    }
}
