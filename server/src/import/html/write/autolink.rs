//! Bare addresses in text: where an `http(s)://` or `www.` address begins and ends, as riposte's linkify finds
//! them, so that the writer can keep them whole.

use super::escape::{Next, entity_like, escape_text};

/// The end of a bare `http(s)://` address starting at `i`, if there is one that can be an autolink.
pub(super) fn bare_url_end(cs: &[char], i: usize) -> Option<usize> {
    let starts = |p: &str| {
        let p: Vec<char> = p.chars().collect();
        cs.len() >= i + p.len()
            && cs[i..i + p.len()]
                .iter()
                .zip(&p)
                .all(|(a, b)| a.eq_ignore_ascii_case(b))
    };
    let scheme = if starts("https://") {
        8
    } else if starts("http://") {
        7
    } else {
        return None;
    };
    if !cs.get(i + scheme).is_some_and(|c| c.is_alphanumeric()) {
        return None;
    }
    let end = url_extent(cs, i + scheme);
    let url = &cs[i..end];
    if url.len() <= scheme
        || url
            .iter()
            .enumerate()
            .any(|(k, &c)| c == '&' && entity_like(&url[k + 1..]))
    {
        return None;
    }
    Some(end)
}

/// The end of a bare `www.host…` address starting at `i` (as riposte's linkify finds them), if there is one.
fn bare_www_end(cs: &[char], i: usize) -> Option<usize> {
    let www = cs
        .get(i..i + 4)?
        .iter()
        .zip("www.".chars())
        .all(|(a, b)| a.eq_ignore_ascii_case(&b));
    if !www || !cs.get(i + 4).is_some_and(|c| c.is_alphanumeric()) {
        return None;
    }
    let end = url_extent(cs, i + 4);
    // A host needs a dot after `www.` (`www.example`, alone, is a word).
    cs[i + 4..end].contains(&'.').then_some(end)
}

/// Where an address that continues at `from` ends: at a space, a quote or angle bracket, without the
/// punctuation that ends the sentence around it (as linkify decides).
fn url_extent(cs: &[char], from: usize) -> usize {
    let mut end = from;
    while end < cs.len()
        && !cs[end].is_whitespace()
        && !cs[end].is_control()
        && !matches!(cs[end], '<' | '>' | '"' | '`')
    {
        end += 1;
    }
    loop {
        let url = &cs[from..end];
        let Some(&last) = url.last() else { break };
        let count = |c: char| url.iter().filter(|&&x| x == c).count();
        let trim = match last {
            '.' | ',' | ':' | ';' | '!' | '?' | '\'' | '*' | '|' => true,
            ')' => count(')') > count('('),
            ']' => count(']') > count('['),
            '}' => count('}') > count('{'),
            _ => false,
        };
        if !trim {
            break;
        }
        end -= 1;
    }
    end
}

/// Whether `<url>` is a CommonMark autolink that shows exactly `url`.
pub(super) fn autolink_ok(url: &str) -> bool {
    let cs: Vec<char> = url.chars().collect();
    !cs.is_empty()
        && !cs
            .iter()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>'))
        && !cs
            .iter()
            .enumerate()
            .any(|(k, &c)| c == '&' && entity_like(&cs[k + 1..]))
}

/// A bare address found in text.
#[derive(Debug, Clone, Copy)]
pub(super) struct BareUrl {
    pub(super) start: usize,
    pub(super) end: usize,
    /// `www.…` rather than `http(s)://…`.
    pub(super) www: bool,
    /// For `www.` addresses: whether escaping would show in it, so it is written as a link.
    pub(super) link: bool,
}

/// The bare addresses in text, `prev` being the character before it.
pub(super) fn bare_urls(cs: &[char], prev: Option<char>) -> Vec<BareUrl> {
    let mut urls = Vec::new();
    let mut i = 0;
    while i < cs.len() {
        let word_before = if i == 0 {
            prev.is_some_and(char::is_alphanumeric)
        } else {
            cs[i - 1].is_alphanumeric()
        };
        let found = if word_before || !matches!(cs[i], 'h' | 'H' | 'w' | 'W') {
            None
        } else if let Some(end) = bare_url_end(cs, i) {
            Some(BareUrl {
                start: i,
                end,
                www: false,
                link: false,
            })
        } else {
            bare_www_end(cs, i).map(|end| {
                let after = cs.get(end).map_or(Next::Eol, |&c| Next::Char(c));
                let mut escaped = String::new();
                escape_text(&cs[i..end], Some(' '), after, false, None, &mut escaped);
                // A `&` that reads as a reference together with what follows the address needs escaping too.
                let reference = (i..end).any(|k| cs[k] == '&' && entity_like(&cs[k + 1..]));
                BareUrl {
                    start: i,
                    end,
                    www: true,
                    link: reference || escaped.chars().count() != end - i,
                }
            })
        };
        match found {
            Some(url) => {
                urls.push(url);
                i = url.end;
            }
            None => i += 1,
        }
    }
    urls
}
