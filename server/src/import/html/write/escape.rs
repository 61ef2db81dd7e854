//! Escaping: text written so that CommonMark reads it back as the same text, and what the writer needs to know
//! about the characters around it.

/// What follows a piece of output: the end of the line, or a character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Next {
    Eol,
    Char(char),
}

impl Next {
    pub(super) fn is_space(self) -> bool {
        match self {
            Next::Eol => true,
            Next::Char(c) => c.is_whitespace(),
        }
    }

    pub(super) fn is_punct(self) -> bool {
        matches!(self, Next::Char(c) if is_punct(c))
    }

    pub(super) fn is_alnum(self) -> bool {
        matches!(self, Next::Char(c) if c.is_alphanumeric())
    }
}

/// CommonMark's punctuation (Unicode P and S), approximated outside ASCII as "neither letter, digit nor space".
pub(super) fn is_punct(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_punctuation()
    } else {
        !c.is_alphanumeric() && !c.is_whitespace()
    }
}

/// The last character written on the current line; `None` at the start of a line.
pub(super) fn prev_char(out: &str) -> Option<char> {
    out.chars().next_back().filter(|&c| c != '\n')
}

/// Whether text after a `&` would be read as a character reference.
pub(super) fn entity_like(rest: &[char]) -> bool {
    match rest.first() {
        Some('#') => {
            let (hex, from) = match rest.get(1) {
                Some('x' | 'X') => (true, 2),
                _ => (false, 1),
            };
            let n = rest[from.min(rest.len())..]
                .iter()
                .take(9)
                .take_while(|c| if hex { c.is_ascii_hexdigit() } else { c.is_ascii_digit() })
                .count();
            n > 0 && rest.get(from + n) == Some(&';')
        }
        Some(c) if c.is_ascii_alphanumeric() => {
            let n = rest.iter().take(40).take_while(|c| c.is_ascii_alphanumeric()).count();
            rest.get(n) == Some(&';')
        }
        _ => false,
    }
}

/// Escapes text for Markdown. `prev` is the character before it on its line (`None` at the start of a line),
/// `next` what follows it, `forced` a position that must be escaped whatever its neighbours.
pub(super) fn escape_text(
    cs: &[char],
    prev: Option<char>,
    next: Next,
    in_link: bool,
    forced: Option<usize>,
    out: &mut String,
) {
    for (i, &c) in cs.iter().enumerate() {
        let p = if i == 0 { prev } else { Some(cs[i - 1]) };
        let n = cs.get(i + 1).map_or(next, |&c| Next::Char(c));
        let escape = forced == Some(i)
            || match c {
                '\\' | '`' | '[' => true,
                ']' => in_link,
                '*' | '~' => !(p.is_some_and(char::is_whitespace) && n.is_space()),
                '_' => !(p.is_some_and(char::is_alphanumeric) && n.is_alnum()),
                '<' => matches!(n, Next::Char(c) if c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?')),
                // `![` would start an image (which riposte shows as a link, dropping the `!`).
                '!' => i + 1 == cs.len() && next == Next::Char('['),
                '&' => entity_like(&cs[i + 1..]),
                _ => false,
            };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Which character at the start of a line must be escaped so that the line is not read as a block marker.
pub(super) fn line_start_escape(cs: &[char]) -> Option<usize> {
    let first = *cs.first()?;
    let only = |c: char| cs.iter().all(|&x| x == c || x == ' ');
    match first {
        '>' => Some(0),
        '#' => {
            let n = cs.iter().take_while(|&&c| c == '#').count();
            (n <= 6 && cs.get(n).is_none_or(|&c| c == ' ')).then_some(0)
        }
        '-' | '+' | '*' => (cs.get(1).is_none_or(|&c| c == ' ') || only(first)).then_some(0),
        '=' | '_' => only(first).then_some(0),
        d if d.is_ascii_digit() => {
            let n = cs.iter().take_while(|c| c.is_ascii_digit()).count();
            let marker = n <= 9 && matches!(cs.get(n), Some('.' | ')')) && cs.get(n + 1).is_none_or(|&c| c == ' ');
            marker.then_some(n)
        }
        _ => None,
    }
}
