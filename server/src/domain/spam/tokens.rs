//! The tokenizer: a comment's text, links, author and website as distinct, prefixed features.

use std::collections::HashMap;

use super::*;

// Tokenizer
// ---------------------------------------------------------------------------------------------------------------

/// Common TLDs accepted for bare links without scheme or `www.` (anything is accepted after `http://`).
const BARE_TLDS: &[&str] = &[
    "com", "net", "org", "info", "biz", "io", "co", "me", "ly", "de", "at", "ch", "eu", "uk", "us", "ru", "su", "cn",
    "nl", "fr", "it", "es", "pl", "cz", "be", "dk", "se", "no", "fi", "xyz", "top", "site", "online", "shop", "store",
    "club", "live", "link", "click", "win", "bid", "loan", "vip", "icu", "buzz", "fun", "space", "website", "tech",
    "pro", "app", "dev", "blog", "tk", "ml", "ga", "cf", "gq", "pw", "cc", "ws", "tv", "gl", "gd", "to",
];

/// Second-level labels under two-letter country TLDs that are public suffixes (`co.uk`, `com.au`, ...).
const SECOND_LEVEL: &[&str] = &["co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "gv"];

/// Uninformative words in URLs.
const URL_NOISE: &[&str] = &[
    "www", "http", "https", "ftp", "html", "htm", "php", "asp", "aspx", "index",
];

/// Splits text into chunks that may be links: whitespace, control characters, brackets and quotes end a link.
fn is_chunk_delim(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c, '(' | ')' | '[' | ']' | '<' | '>' | '{' | '}' | '"' | '\'')
        || matches!(c, '`' | '|' | '\\' | '^')
}

/// Characters that make up a word: Unicode alphanumerics plus combining diacritical marks (so a decomposed
/// "Grüße" stays one word).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || ('\u{300}'..='\u{36f}').contains(&c)
}

/// A word of acceptable length, lowercased, or `None`.
fn normalize_word(raw: &str) -> Option<String> {
    if raw.is_empty() || raw.chars().nth(MAX_WORD_CHARS).is_some() {
        return None;
    }
    let w = if raw.is_ascii() {
        raw.to_ascii_lowercase()
    } else {
        raw.to_lowercase()
    };
    let n = if w.is_ascii() { w.len() } else { w.chars().count() };
    (MIN_WORD_CHARS..=MAX_WORD_CHARS).contains(&n).then_some(w)
}

fn is_number(w: &str) -> bool {
    w.chars().all(char::is_numeric)
}

fn number_token(w: &str) -> String {
    match w.chars().count() {
        n @ 0..=4 => format!("num:{n}"),
        _ => "num:5+".to_string(),
    }
}

/// A link found in text or in the website field.
struct Link {
    /// Registrable-ish domain, or `[ip]` for IPv4 hosts.
    domain: String,
    /// Lowercased host and path (without scheme), for `url:` words.
    rest: String,
}

/// Parses `raw` as a link. `explicit` is true for the website field, where any TLD is accepted.
fn parse_link(raw: &str, explicit: bool) -> Option<Link> {
    let s = raw.trim_matches(|c: char| !c.is_alphanumeric());
    if !s.contains('.') {
        return None;
    }
    let lower = s.to_lowercase();
    let (rest, has_scheme) = match lower.find("://") {
        Some(i) if matches!(&lower[..i], "http" | "https" | "ftp") => (&lower[i + 3..], true),
        Some(_) => return None,
        None => (lower.as_str(), false),
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit('@').next().unwrap_or_default(); // user info, or the local part of an e-mail
    let host = host.split(':').next().unwrap_or_default(); // port
    let host = host.trim_end_matches('.');
    let (host, has_www) = match host.strip_prefix("www.") {
        Some(h) => (h, true),
        None => (host, false),
    };
    if host.len() > 253 {
        return None;
    }
    let labels: Vec<&str> = host.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    if labels.len() < 2 || !labels.iter().all(label_ok) {
        return None;
    }
    let lenient = has_scheme || has_www || explicit;
    if labels.len() == 4 && labels.iter().all(|l| l.bytes().all(|b| b.is_ascii_digit())) {
        return lenient.then(|| Link {
            domain: "[ip]".to_string(),
            rest: String::new(),
        });
    }
    let tld = labels[labels.len() - 1];
    let tld_ok = if lenient {
        tld.chars().count() >= 2 && (tld.chars().all(char::is_alphabetic) || tld.starts_with("xn--"))
    } else {
        BARE_TLDS.contains(&tld)
    };
    if !tld_ok {
        return None;
    }
    let n = labels.len();
    let keep = if n >= 3 && tld.len() == 2 && SECOND_LEVEL.contains(&labels[n - 2]) {
        3
    } else {
        2
    };
    Some(Link {
        domain: labels[n - keep..].join("."),
        rest: rest.to_string(),
    })
}

/// Priority classes of tokens; when [`MAX_TOKENS`] is hit, later classes are dropped first.
#[derive(Clone, Copy)]
enum Kind {
    Meta = 0,
    Link = 1,
    Word = 2,
    UrlWord = 3,
}

/// Distinct tokens with their priority class and first-seen position (one hash per token, no clones).
struct Collector {
    seen: HashMap<String, (u8, u32)>,
    per_kind: [usize; 4],
}

impl Collector {
    fn new() -> Self {
        Collector {
            seen: HashMap::with_capacity(128),
            per_kind: [0; 4],
        }
    }

    fn push(&mut self, kind: Kind, token: String) {
        let n = &mut self.per_kind[kind as usize];
        if *n < MAX_TOKENS && !self.seen.contains_key(&token) {
            let order = u32::try_from(self.seen.len()).unwrap_or(u32::MAX);
            self.seen.insert(token, (kind as u8, order));
            *n += 1;
        }
    }

    fn add_domain(&mut self, kind: Kind, prefix: &str, domain: &str) {
        self.push(kind, format!("{prefix}{domain}"));
        if let Some((_, tld)) = domain.rsplit_once('.') {
            self.push(Kind::Link, format!("tld:{tld}"));
        }
    }

    fn add_url_words(&mut self, link: &Link) {
        // The registrable label itself ("bit" of bit.ly) and the TLD are already covered by `link:`/`tld:`.
        let tld = link.domain.rsplit('.').next().unwrap_or_default();
        let main = link.domain.split('.').next().unwrap_or_default();
        let words = link
            .rest
            .split(|c: char| !is_word_char(c))
            .filter_map(normalize_word)
            .filter(|w| !is_number(w) && w != tld && w != main && !URL_NOISE.contains(&w.as_str()))
            .take(MAX_URL_WORDS_PER_LINK);
        for w in words {
            self.push(Kind::UrlWord, format!("url:{w}"));
        }
    }

    fn full(&self) -> bool {
        self.per_kind[Kind::Word as usize] >= MAX_TOKENS && self.per_kind[Kind::UrlWord as usize] >= MAX_TOKENS
    }

    fn finish(self) -> Vec<String> {
        let mut all: Vec<(String, (u8, u32))> = self.seen.into_iter().collect();
        all.sort_unstable_by_key(|e| e.1);
        all.into_iter().take(MAX_TOKENS).map(|e| e.0).collect()
    }
}

/// The features of a comment: distinct tokens, prefixed by kind, at most [`MAX_TOKENS`], in priority order.
///
/// See the [module documentation](self) for the token kinds. The function is linear in the input length and
/// never panics; hostile input (huge words, control characters, emoji) just yields fewer tokens.
pub fn tokens(text: &str, author: Option<&str>, website: Option<&str>) -> Vec<String> {
    let mut c = Collector::new();
    let mut link_count = 0usize;
    for chunk in text.split(is_chunk_delim) {
        if chunk.is_empty() {
            continue;
        }
        if let Some(link) = parse_link(chunk, false) {
            link_count += 1;
            c.add_domain(Kind::Link, "link:", &link.domain);
            c.add_url_words(&link);
        } else {
            for w in chunk.split(|ch: char| !is_word_char(ch)).filter_map(normalize_word) {
                let token = if is_number(&w) { number_token(&w) } else { w };
                c.push(Kind::Word, token);
            }
        }
        if link_count >= 3 && c.full() {
            break; // nothing more can be recorded
        }
    }

    let bucket = match link_count {
        0 => "links:0",
        1 => "links:1",
        2 => "links:2",
        _ => "links:3+",
    };
    c.push(Kind::Meta, bucket.to_string());
    if let Some(link) = website.and_then(|w| parse_link(w.trim(), true)) {
        c.add_domain(Kind::Meta, "site:", &link.domain);
    }
    if let Some(author) = author {
        for w in author.split(|ch: char| !is_word_char(ch)).filter_map(normalize_word) {
            c.push(Kind::Meta, format!("author:{w}"));
        }
    }
    c.finish()
}
