//! The Markdown writer: blocks, lists and paragraphs in riposte's dialect. [`escape`] keeps text reading as
//! itself, [`autolink`] keeps bare addresses whole, [`emphasis`] drops formattings CommonMark would not read.

mod autolink;
mod emphasis;
mod escape;

use self::autolink::{autolink_ok, bare_url_end, bare_urls};
use self::emphasis::{Delim, Delims, failing_delimiters, unwrap};
use self::escape::{Next, entity_like, escape_text, line_start_escape, prev_char};
use super::tree::{Block, Inline, Kind, LinkInfo, normalize};

/// Largest number CommonMark accepts as an ordered list marker.
const MAX_LIST_NUMBER: u64 = 999_999_999;

/// The Markdown for a document's blocks, without trailing whitespace.
pub(super) fn markdown(blocks: &[Block], links: &[LinkInfo]) -> String {
    let mut out = Writer { links }.blocks(blocks, false);
    out.truncate(out.trim_end().len());
    out
}

/// Writes one document, whose inlines refer to `links` by index.
struct Writer<'a> {
    links: &'a [LinkInfo],
}

impl Writer<'_> {
    /// Blocks one after the other; `in_item` joins a paragraph and what may interrupt it without a blank line.
    fn blocks(&self, blocks: &[Block], in_item: bool) -> String {
        let mut out = String::new();
        let mut prev: Option<&Block> = None;
        let mut alternate = false;
        for b in blocks {
            // Two lists in a row would merge into one: the second uses the other marker.
            alternate = match (prev, b) {
                (Some(Block::List { ordered: o1, .. }), Block::List { ordered: o2, .. }) if o1 == o2 => !alternate,
                _ => false,
            };
            if let Some(p) = prev {
                out.push_str(if in_item && joins_tight(p, b) { "\n" } else { "\n\n" });
            }
            out.push_str(&self.block(b, alternate));
            prev = Some(b);
        }
        out
    }

    fn block(&self, block: &Block, alternate: bool) -> String {
        match block {
            Block::Para(inlines) => self.paragraph(inlines),
            Block::Code(text) => {
                let longest = longest_run(text, '`');
                let fence = "`".repeat((longest + 1).max(3));
                format!("{fence}\n{text}\n{fence}")
            }
            Block::Rule => "---".to_owned(),
            Block::Quote(blocks) => indent(&self.blocks(blocks, false), "> ", "> ", ">"),
            Block::List { ordered, start, items } => {
                let tight = items
                    .iter()
                    .all(|item| item.windows(2).all(|w| joins_tight(&w[0], &w[1])));
                let mut out = String::new();
                for (i, item) in items.iter().enumerate() {
                    let marker = if *ordered {
                        let n = start.saturating_add(i as u64).min(MAX_LIST_NUMBER);
                        format!("{n}{}", if alternate { ')' } else { '.' })
                    } else {
                        (if alternate { "*" } else { "-" }).to_owned()
                    };
                    let mut inner = self.blocks(item, true);
                    // `- ---` would be a thematic break, not an item holding one.
                    if marker == "-" && (inner == "---" || inner.starts_with("---\n")) {
                        inner.replace_range(..3, "***");
                    }
                    if i > 0 {
                        out.push_str(if tight { "\n" } else { "\n\n" });
                    }
                    let pad = " ".repeat(marker.len() + 1);
                    out.push_str(&indent(&inner, &format!("{marker} "), &pad, ""));
                }
                out
            }
        }
    }

    /// A paragraph. Emphasis is written, then checked as CommonMark will read it (delimiter runs, flanking);
    /// formattings it would not read are unwrapped and the paragraph written again.
    fn paragraph(&self, inlines: &[Inline]) -> String {
        let mut tree = inlines.to_vec();
        let mut round = 0;
        loop {
            let mut delims = Delims::default();
            let mut out = String::new();
            self.inlines(&tree, Next::Eol, false, &mut delims, &mut out);
            let failing = failing_delimiters(&out, &delims.list);
            if failing.is_empty() {
                return out;
            }
            // Each round removes at least one formatting; after a few, a pathological paragraph loses all its
            // emphasis (and then has no delimiters left to fail).
            let failing = (round < 8).then_some(failing);
            tree = normalize(unwrap(tree, failing.as_ref(), &mut 0));
            round += 1;
        }
    }

    fn inlines(&self, nodes: &[Inline], after: Next, in_link: bool, delims: &mut Delims, out: &mut String) {
        for (i, node) in nodes.iter().enumerate() {
            let next = nodes.get(i + 1).map_or(after, |n| lead(n, in_link));
            match node {
                Inline::Text(t) => self.text(t, next, in_link, out),
                Inline::Code(c) => {
                    let fence = "`".repeat(longest_run(c, '`') + 1);
                    let pad = if c.starts_with('`') || c.ends_with('`') {
                        " "
                    } else {
                        ""
                    };
                    out.push_str(&format!("{fence}{pad}{c}{pad}{fence}"));
                }
                Inline::Break => out.push_str("\\\n"),
                Inline::Wrap(Kind::Link(index), kids) => self.link(*index, kids, in_link, next, delims, out),
                Inline::Wrap(kind, kids) => {
                    let (delim, ch) = match kind {
                        Kind::Em => ("*", '*'),
                        Kind::Strong => ("**", '*'),
                        _ => ("~~", '~'),
                    };
                    let id = delims.count;
                    delims.count += 1;
                    delims.list.push(Delim {
                        id,
                        pos: out.len(),
                        len: delim.len(),
                        ch,
                        opener: true,
                    });
                    out.push_str(delim);
                    self.inlines(kids, Next::Char(ch), in_link, delims, out);
                    delims.list.push(Delim {
                        id,
                        pos: out.len(),
                        len: delim.len(),
                        ch,
                        opener: false,
                    });
                    out.push_str(delim);
                }
            }
        }
    }

    fn link(&self, index: usize, kids: &[Inline], in_link: bool, next: Next, delims: &mut Delims, out: &mut String) {
        let Some(info) = self.links.get(index).filter(|_| !in_link) else {
            self.inlines(kids, next, in_link, delims, out);
            return;
        };
        if info.title.is_none() && matches!(kids, [Inline::Text(t)] if *t == info.href) && autolink_ok(&info.href) {
            out.push('<');
            out.push_str(&info.href);
            out.push('>');
            return;
        }
        out.push('[');
        self.inlines(kids, Next::Char(']'), true, delims, out);
        out.push_str("](");
        write_destination(&info.href, out);
        if let Some(title) = &info.title {
            out.push_str(" \"");
            let cs: Vec<char> = title.chars().collect();
            for (k, &c) in cs.iter().enumerate() {
                if matches!(c, '"' | '\\') || (c == '&' && entity_like(&cs[k + 1..])) {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('"');
        }
        out.push(')');
    }

    /// Text, escaped so that it renders as itself; bare `http(s)://` addresses become autolinks, and bare
    /// `www.` addresses that would need escapes become links (riposte links them anyway, and an escape inside
    /// one would cut its link short).
    fn text(&self, t: &str, next: Next, in_link: bool, out: &mut String) {
        let cs: Vec<char> = t.chars().collect();
        let urls = if in_link {
            Vec::new()
        } else {
            bare_urls(&cs, prev_char(out))
        };
        let line_start = prev_char(out).is_none() && urls.first().is_none_or(|u| u.start > 0);
        let forced = if line_start { line_start_escape(&cs) } else { None };
        let mut from = 0;
        for url in &urls {
            let url_next = Next::Char(match (url.www, url.link) {
                (false, _) => '<',
                (true, true) => '[',
                (true, false) => cs[url.start],
            });
            let forced = if from == 0 { forced } else { None };
            escape_text(&cs[from..url.start], prev_char(out), url_next, in_link, forced, out);
            let raw: String = cs[url.start..url.end].iter().collect();
            if !url.www {
                out.push('<');
                out.push_str(&raw);
                out.push('>');
            } else if url.link {
                out.push('[');
                escape_text(&cs[url.start..url.end], Some('['), Next::Char(']'), true, None, out);
                out.push_str("](https://");
                write_destination(&raw, out);
                out.push(')');
            } else {
                out.push_str(&raw);
            }
            from = url.end;
        }
        let forced = if from == 0 { forced } else { None };
        escape_text(&cs[from..], prev_char(out), next, in_link, forced, out);
    }
}

/// The first character a node writes, as far as its neighbours' escaping and flanking care.
fn lead(node: &Inline, in_link: bool) -> Next {
    match node {
        Inline::Text(t) => {
            if !in_link && bare_url_end(&t.chars().collect::<Vec<_>>(), 0).is_some() {
                Next::Char('<')
            } else {
                t.chars().next().map_or(Next::Eol, Next::Char)
            }
        }
        Inline::Code(_) => Next::Char('`'),
        Inline::Break => Next::Char('\\'),
        Inline::Wrap(Kind::Link(_), _) => Next::Char('['),
        Inline::Wrap(Kind::Del, _) => Next::Char('~'),
        Inline::Wrap(_, _) => Next::Char('*'),
    }
}

/// Pairs of blocks that may follow each other without a blank line inside a list item (keeping it tight).
fn joins_tight(a: &Block, b: &Block) -> bool {
    match (a, b) {
        (Block::Para(_), Block::List { ordered, start, .. }) => !*ordered || *start == 1,
        (Block::Para(_), Block::Code(_) | Block::Quote(_)) => true,
        (Block::Code(_), _) => true,
        _ => false,
    }
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for x in s.chars() {
        run = if x == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// Prefixes the first line, the other lines, and empty lines.
fn indent(s: &str, first: &str, rest: &str, blank: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if i == 0 {
            out.push_str(first);
        } else if line.is_empty() {
            out.push_str(blank);
        } else {
            out.push_str(rest);
        }
        out.push_str(line);
    }
    out
}

/// A link destination: spaces and angle brackets percent-encoded, unbalanced parentheses and backslashes
/// escaped, so that it reads back as the same address.
fn write_destination(href: &str, out: &mut String) {
    let mut depth: i64 = 0;
    let mut balanced = true;
    for c in href.chars() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    balanced = false;
                }
            }
            _ => {}
        }
    }
    balanced &= depth == 0;
    let cs: Vec<char> = href.chars().collect();
    for (k, &c) in cs.iter().enumerate() {
        match c {
            ' ' => out.push_str("%20"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '\\' => out.push_str("\\\\"),
            '(' | ')' if !balanced => {
                out.push('\\');
                out.push(c);
            }
            '&' if entity_like(&cs[k + 1..]) => out.push_str("\\&"),
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for byte in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{byte:02X}"));
                }
            }
            c => out.push(c),
        }
    }
}
