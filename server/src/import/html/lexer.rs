//! The tokenizer: HTML read as start tags, end tags, text and newlines, forgiving as a browser where it matters
//! for text, in linear time on any input.

use super::entities::decode_entities;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Token {
    Start {
        name: String,
        attrs: Vec<(String, String)>,
    },
    End {
        name: String,
    },
    /// Text with character references decoded.
    Text(String),
    /// Preformatted text taken verbatim (`xmp`, `plaintext`).
    Preformatted(String),
    /// A newline in text, which only a body without HTML structure reads as a line break.
    Newline,
}

/// Elements whose content is not markup. `drop` ones vanish with their content.
fn raw_text_element(name: &str) -> Option<RawKind> {
    match name {
        "script" | "style" | "iframe" | "noembed" | "noframes" | "noscript" | "title" => Some(RawKind::Drop),
        "textarea" => Some(RawKind::Text),
        "xmp" => Some(RawKind::Preformatted),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RawKind {
    Drop,
    Text,
    Preformatted,
}

/// A forgiving HTML tokenizer: browsers' rules where they matter for text, linear time on any input.
pub(super) struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    /// Set after the start tag of an element whose content is raw text.
    raw: Option<(String, RawKind)>,
    /// Byte offset of the last `>`; a tag starting after it can never end.
    last_gt: Option<usize>,
    /// Whether quoted attribute values may contain `>`; switched off once unterminated quotes cost too much.
    quotes: bool,
    /// Bytes that scans of tags with an unterminated quote may still spend.
    budget: usize,
}

enum Markup {
    Token(Token),
    Skip,
    Literal,
}

fn is_html_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0C' | b'\r')
}

impl<'a> Lexer<'a> {
    pub(super) fn new(src: &'a str) -> Self {
        Self {
            src,
            pos: 0,
            raw: None,
            last_gt: src.rfind('>'),
            quotes: true,
            budget: src.len().saturating_mul(4).saturating_add(1 << 16),
        }
    }

    pub(super) fn next_token(&mut self) -> Option<Token> {
        loop {
            if let Some((name, kind)) = self.raw.take() {
                let content = self.raw_text(&name, kind);
                match kind {
                    RawKind::Drop => continue,
                    RawKind::Text => return Some(Token::Text(decode_entities(content, false))),
                    RawKind::Preformatted => return Some(Token::Preformatted(content.to_owned())),
                }
            }
            let rest = &self.src[self.pos..];
            if rest.is_empty() {
                return None;
            }
            let text_start = self.pos;
            if rest.starts_with('<') {
                match self.markup() {
                    Markup::Token(t) => return Some(t),
                    Markup::Skip => continue,
                    Markup::Literal => {}
                }
            }
            if rest.starts_with('\n') {
                self.pos += 1;
                return Some(Token::Newline);
            }
            // Text up to the next `<` or newline (a literal `<` at the start belongs to it).
            let from = if rest.starts_with('<') { 1 } else { 0 };
            let end = rest.as_bytes()[from..]
                .iter()
                .position(|&b| b == b'<' || b == b'\n')
                .map_or(rest.len(), |i| i + from);
            self.pos = text_start + end;
            return Some(Token::Text(decode_entities(&rest[..end], false)));
        }
    }

    /// The content of a raw-text element, up to (not including) its end tag or the end of the input.
    fn raw_text(&mut self, name: &str, kind: RawKind) -> &'a str {
        let rest = &self.src[self.pos..];
        let bytes = rest.as_bytes();
        let mut from = 0;
        let end = if kind == RawKind::Preformatted && name == "plaintext" {
            rest.len()
        } else {
            loop {
                let Some(i) = rest[from..].find("</").map(|i| i + from) else {
                    break rest.len();
                };
                let after = i + 2 + name.len();
                let name_matches = bytes
                    .get(i + 2..after)
                    .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()));
                if name_matches
                    && bytes
                        .get(after)
                        .is_none_or(|&b| is_html_space(b) || b == b'/' || b == b'>')
                {
                    break i;
                }
                from = i + 2;
            }
        };
        self.pos += end;
        &rest[..end]
    }

    fn markup(&mut self) -> Markup {
        let rest = &self.src[self.pos..];
        let b = rest.as_bytes();
        match b.get(1) {
            Some(c) if c.is_ascii_alphabetic() => self.tag(false),
            Some(b'/') => match b.get(2) {
                Some(c) if c.is_ascii_alphabetic() => self.tag(true),
                Some(b'>') => {
                    self.pos += 3;
                    Markup::Skip
                }
                None => Markup::Literal,
                Some(_) => self.bogus_comment(2),
            },
            Some(b'!') if rest.starts_with("<!--") => {
                self.comment();
                Markup::Skip
            }
            Some(b'!') | Some(b'?') => self.bogus_comment(2),
            _ => Markup::Literal,
        }
    }

    /// `<!-- … -->`; unterminated, it runs to the end of the input, as in a browser.
    fn comment(&mut self) {
        let rest = &self.src[self.pos..];
        if rest.starts_with("<!-->") {
            self.pos += 5;
        } else if rest.starts_with("<!--->") {
            self.pos += 6;
        } else {
            let body = &rest[4..];
            let end = [body.find("-->").map(|i| i + 3), body.find("--!>").map(|i| i + 4)]
                .into_iter()
                .flatten()
                .min();
            self.pos += end.map_or(rest.len(), |e| 4 + e);
        }
    }

    /// `<!…>`, `<?…>`, `</…>` with a non-letter: skipped up to the next `>` (or the end).
    fn bogus_comment(&mut self, skip: usize) -> Markup {
        let rest = &self.src[self.pos..];
        self.pos += rest[skip..].find('>').map_or(rest.len(), |i| skip + i + 1);
        Markup::Skip
    }

    fn tag(&mut self, end: bool) -> Markup {
        let start = self.pos;
        if self.quotes {
            match self.scan_tag(start, end, true) {
                Ok(m) => return m,
                Err(scanned) => {
                    self.budget = self.budget.saturating_sub(scanned);
                    if self.budget == 0 {
                        self.quotes = false;
                    }
                }
            }
        }
        // No end in sight with quotes honoured: end the tag at its first `>`, or keep the `<` as text.
        if self.last_gt.is_none_or(|g| g < start) {
            return Markup::Literal;
        }
        self.scan_tag(start, end, false).unwrap_or(Markup::Literal)
    }

    /// Scans one tag; `Err(bytes scanned)` when the input ends inside it.
    fn scan_tag(&mut self, start: usize, end: bool, quotes: bool) -> Result<Markup, usize> {
        let src = self.src;
        let b = src.as_bytes();
        let len = b.len();
        let stop = |c: u8| is_html_space(c) || c == b'/' || c == b'>';
        let mut i = start + if end { 2 } else { 1 };
        let name_start = i;
        while i < len && !stop(b[i]) {
            i += 1;
        }
        let name = src[name_start..i].to_ascii_lowercase();
        let mut attrs: Vec<(String, String)> = Vec::new();
        loop {
            while i < len && (is_html_space(b[i]) || b[i] == b'/') {
                i += 1;
            }
            if i >= len {
                return Err(i - start);
            }
            if b[i] == b'>' {
                i += 1;
                break;
            }
            let attr_start = i;
            i += 1;
            while i < len && !stop(b[i]) && b[i] != b'=' {
                i += 1;
            }
            let attr = src[attr_start..i].to_ascii_lowercase();
            while i < len && is_html_space(b[i]) {
                i += 1;
            }
            let mut value = "";
            if i < len && b[i] == b'=' {
                i += 1;
                while i < len && is_html_space(b[i]) {
                    i += 1;
                }
                if i >= len {
                    return Err(i - start);
                }
                if b[i] == b'"' || b[i] == b'\'' {
                    let q = b[i];
                    let from = i + 1;
                    let close = if quotes {
                        b[from..].iter().position(|&c| c == q)
                    } else {
                        b[from..].iter().position(|&c| c == q || c == b'>')
                    };
                    match close {
                        Some(k) => {
                            value = &src[from..from + k];
                            i = from + k;
                            if b[i] == q {
                                i += 1;
                            }
                        }
                        None => return Err(len - start),
                    }
                } else {
                    let from = i;
                    while i < len && !is_html_space(b[i]) && b[i] != b'>' {
                        i += 1;
                    }
                    value = &src[from..i];
                }
            }
            if !attrs.iter().any(|(n, _)| *n == attr) {
                attrs.push((attr, decode_entities(value, true)));
            }
        }
        self.pos = i;
        if end {
            return Ok(Markup::Token(Token::End { name }));
        }
        if let Some(kind) = raw_text_element(&name) {
            self.raw = Some((name.clone(), kind));
        } else if name == "plaintext" {
            self.raw = Some((name.clone(), RawKind::Preformatted));
        }
        Ok(Markup::Token(Token::Start { name, attrs }))
    }
}
