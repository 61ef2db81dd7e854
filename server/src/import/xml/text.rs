//! The text of an XML element as the readers take it: bytes decoded (UTF-8, or windows-1252 where the file
//! declares ISO-8859-1), line ends normalized, references resolved leniently (XML's five entities, character
//! references, UTF-16 surrogate pairs joined, a small table of HTML entities in plain text, whatever else kept as
//! written), and for an HTML field the markup it holds.

use std::borrow::Cow;

use quick_xml::events::BytesDecl;

use super::{
    R_BAD_CHAR_REF, R_BARE_AMP, R_ENCODING, R_ENTITY_DECODED, R_ENTITY_IN_HTML, R_ENTITY_UNKNOWN, R_LATIN1_IS_UTF8,
    R_SURROGATES,
};
use crate::domain::import::Report;
use crate::import::common::R_BAD_UTF8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Utf8,
    /// ISO-8859-1 as declared, read as its superset windows-1252 (what such files really hold).
    Windows1252,
}

fn encoding_named(name: &[u8]) -> Option<Encoding> {
    let name = String::from_utf8_lossy(name).trim().to_ascii_lowercase();
    match name.as_str() {
        "utf-8" | "utf8" | "us-ascii" | "ascii" => Some(Encoding::Utf8),
        "iso-8859-1" | "iso8859-1" | "latin1" | "latin-1" | "l1" | "windows-1252" | "cp1252" => {
            Some(Encoding::Windows1252)
        }
        _ => None,
    }
}

/// windows-1252 0x80..=0x9F; the five holes are passed on as the C1 controls ISO-8859-1 has there.
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}', '\u{90}', '‘', '’',
    '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

fn decode_cp1252(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => CP1252_HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

/// XML end-of-line handling: CR LF and a lone CR read as LF.
pub(crate) fn normalize_eol(s: Cow<'_, str>) -> Cow<'_, str> {
    if s.contains('\r') {
        Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        s
    }
}

/// The text being read: the file's encoding, and the field whose text is collected.
#[derive(Default)]
pub(crate) struct Text {
    windows1252: bool,
    latin1_is_utf8_noted: bool,
    field: Field,
}

/// One field's text.
#[derive(Default)]
struct Field {
    /// The field is HTML: entities outside XML's five stay for the HTML, child elements are its markup.
    html: bool,
    text: String,
    /// In an HTML field, the same as HTML: decoded text escaped again, elements as written.
    markup: String,
    children: bool,
    /// A character reference to a high surrogate, waiting for its low half.
    high: Option<u32>,
}

impl Text {
    /// The XML declaration: its encoding, where it names one.
    pub(crate) fn declaration(&mut self, decl: &BytesDecl<'_>, report: &mut Report) {
        // An unreadable encoding attribute is left to UTF-8.
        if let Some(Ok(name)) = decl.encoding() {
            match encoding_named(&name) {
                Some(encoding) => self.windows1252 = encoding == Encoding::Windows1252,
                None => report.repair(R_ENCODING),
            }
        }
    }

    /// Bytes of the file as text.
    pub(crate) fn decode<'b>(&mut self, bytes: &'b [u8], report: &mut Report) -> Cow<'b, str> {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                if self.windows1252 && !s.is_ascii() && !self.latin1_is_utf8_noted {
                    self.latin1_is_utf8_noted = true;
                    report.repair(R_LATIN1_IS_UTF8);
                }
                Cow::Borrowed(s)
            }
            Err(_) if self.windows1252 => Cow::Owned(decode_cp1252(bytes)),
            Err(_) => {
                report.repair(R_BAD_UTF8);
                String::from_utf8_lossy(bytes)
            }
        }
    }

    /// Starts collecting a field's text; `html` for a field that holds HTML.
    pub(crate) fn begin(&mut self, html: bool) {
        self.field = Field {
            html,
            ..Field::default()
        };
    }

    /// Text as the XML reader gives it (split at every reference, so an `&` left in it had no `;`).
    pub(crate) fn text(&mut self, raw: &[u8], report: &mut Report) {
        if raw.contains(&b'&') {
            report.repair(R_BARE_AMP);
        }
        let s = normalize_eol(self.decode(raw, report)).into_owned();
        self.field.piece(&s, report);
    }

    /// A CDATA section: taken as it stands.
    pub(crate) fn cdata(&mut self, raw: &[u8], report: &mut Report) {
        let s = normalize_eol(self.decode(raw, report)).into_owned();
        self.field.piece(&s, report);
    }

    /// A reference, `name` being what stands between `&` and `;`.
    pub(crate) fn reference(&mut self, name: &[u8], report: &mut Report) {
        let name = self.decode(name, report).into_owned();
        self.field.reference(&name, report);
    }

    /// A start tag inside the field (`raw`: what stands between `<` and `>` or `/>`).
    pub(crate) fn start_tag(&mut self, raw: &[u8], empty: bool, report: &mut Report) {
        let raw = self.decode(raw, report).into_owned();
        self.field
            .tag(&format!("<{raw}{}>", if empty { "/" } else { "" }), report);
    }

    /// An end tag inside the field.
    pub(crate) fn end_tag(&mut self, name: &[u8], report: &mut Report) {
        let name = self.decode(name, report).into_owned();
        self.field.tag(&format!("</{name}>"), report);
    }

    /// The length of the text so far, in bytes.
    pub(crate) fn len(&self) -> usize {
        self.field.text.len().max(self.field.markup.len())
    }

    /// The field's text (for an HTML field with child elements, its markup), and whether it had child elements:
    /// unescaped markup in an HTML field, tags dropped from a plain one.
    pub(crate) fn finish(&mut self, report: &mut Report) -> (String, bool) {
        let mut field = std::mem::take(&mut self.field);
        field.flush(report);
        let children = field.children;
        (
            if field.html && children {
                field.markup
            } else {
                field.text
            },
            children,
        )
    }

    /// An attribute value with its references resolved, as plain text.
    pub(crate) fn value(&mut self, raw: &[u8], report: &mut Report) -> String {
        let mut field = Field::default();
        let s = normalize_eol(self.decode(raw, report));
        let mut rest = s.as_ref();
        while let Some(amp) = rest.find('&') {
            field.piece(&rest[..amp], report);
            rest = &rest[amp + 1..];
            let name_len = rest
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'#')
                .count();
            if name_len > 0 && rest.as_bytes().get(name_len) == Some(&b';') {
                field.reference(&rest[..name_len], report);
                rest = &rest[name_len + 1..];
            } else {
                report.repair(R_BARE_AMP);
                field.piece("&", report);
            }
        }
        field.piece(rest, report);
        field.flush(report);
        field.text
    }
}

impl Field {
    /// Decoded text.
    fn piece(&mut self, s: &str, report: &mut Report) {
        self.flush(report);
        self.text.push_str(s);
        if self.html {
            for c in s.chars() {
                match c {
                    '&' => self.markup.push_str("&amp;"),
                    '<' => self.markup.push_str("&lt;"),
                    '>' => self.markup.push_str("&gt;"),
                    _ => self.markup.push(c),
                }
            }
        }
    }

    /// Text kept as written (an entity for the HTML to mean), the same in the markup.
    fn verbatim(&mut self, s: &str, report: &mut Report) {
        self.flush(report);
        self.text.push_str(s);
        if self.html {
            self.markup.push_str(s);
        }
    }

    fn tag(&mut self, tag: &str, report: &mut Report) {
        self.flush(report);
        self.children = true;
        if self.html {
            self.markup.push_str(tag);
        }
    }

    /// A high surrogate that got no low half is an invalid reference.
    fn flush(&mut self, report: &mut Report) {
        if self.high.take().is_some() {
            report.repair(R_BAD_CHAR_REF);
            self.char(char::REPLACEMENT_CHARACTER, report);
        }
    }

    fn char(&mut self, c: char, report: &mut Report) {
        self.piece(c.encode_utf8(&mut [0; 4]), report);
    }

    fn reference(&mut self, name: &str, report: &mut Report) {
        let written = || format!("&{name};");
        let Some(number) = name.strip_prefix('#') else {
            if let Some(c) = xml_entity(name) {
                self.piece(c, report);
            } else if !is_entity_name(name) {
                report.repair(R_BARE_AMP);
                self.piece(&written(), report);
            } else if self.html {
                report.repair(R_ENTITY_IN_HTML);
                self.verbatim(&written(), report);
            } else if let Some(c) = html_entity(name) {
                report.repair(R_ENTITY_DECODED);
                self.piece(c, report);
            } else {
                report.repair(R_ENTITY_UNKNOWN);
                self.verbatim(&written(), report);
            }
            return;
        };
        match char_ref(number) {
            // No number: not a character reference but text.
            None => {
                report.repair(R_BARE_AMP);
                self.piece(&written(), report);
            }
            Some(high @ 0xD800..=0xDBFF) => {
                self.flush(report);
                self.high = Some(high);
            }
            Some(low @ 0xDC00..=0xDFFF) => match self.high.take() {
                Some(high) => {
                    report.repair(R_SURROGATES);
                    let c = char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00));
                    self.char(c.unwrap_or(char::REPLACEMENT_CHARACTER), report);
                }
                None => {
                    report.repair(R_BAD_CHAR_REF);
                    self.char(char::REPLACEMENT_CHARACTER, report);
                }
            },
            Some(code) => match char::from_u32(code).filter(|c| *c != '\0') {
                Some(c) => self.char(c, report),
                None => {
                    self.flush(report);
                    report.repair(R_BAD_CHAR_REF);
                    self.char(char::REPLACEMENT_CHARACTER, report);
                }
            },
        }
    }
}

/// The code of `#…` without the `#`: decimal, or hex after `x`; `None` when it is no number, one past any
/// character when it is too large.
fn char_ref(number: &str) -> Option<u32> {
    let (digits, radix) = match number.strip_prefix(['x', 'X']) {
        Some(hex) => (hex, 16),
        None => (number, 10),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    Some(u32::from_str_radix(digits, radix).unwrap_or(0x11_0000))
}

fn xml_entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "apos" => "'",
        "quot" => "\"",
        _ => return None,
    })
}

fn is_entity_name(name: &str) -> bool {
    name.len() <= 32
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The HTML entities most often found in titles and names (German and typographic ones), decoded in plain text.
fn html_entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "nbsp" => "\u{a0}",
        "auml" => "ä",
        "ouml" => "ö",
        "uuml" => "ü",
        "Auml" => "Ä",
        "Ouml" => "Ö",
        "Uuml" => "Ü",
        "szlig" => "ß",
        "eacute" => "é",
        "egrave" => "è",
        "Eacute" => "É",
        "agrave" => "à",
        "aacute" => "á",
        "ccedil" => "ç",
        "ntilde" => "ñ",
        "hellip" => "…",
        "mdash" => "—",
        "ndash" => "–",
        "lsquo" => "‘",
        "rsquo" => "’",
        "sbquo" => "‚",
        "ldquo" => "“",
        "rdquo" => "”",
        "bdquo" => "„",
        "laquo" => "«",
        "raquo" => "»",
        "copy" => "©",
        "reg" => "®",
        "trade" => "™",
        "euro" => "€",
        "pound" => "£",
        "deg" => "°",
        "middot" => "·",
        "bull" => "•",
        "times" => "×",
        _ => return None,
    })
}
