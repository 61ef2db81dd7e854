//! Emphasis checked against CommonMark's delimiter rules as pulldown-cmark applies them: which formattings of a
//! written paragraph would not read back, and the tree without them.

use std::collections::HashSet;

use super::escape::{Next, is_punct, prev_char};
use crate::import::html::tree::{Inline, Kind};

/// An emphasis delimiter as written: the `id`th formatting of the paragraph, opening or closing it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Delim {
    pub(super) id: usize,
    pub(super) pos: usize,
    pub(super) len: usize,
    pub(super) ch: char,
    pub(super) opener: bool,
}

/// The delimiters of a paragraph, and how many formattings have been numbered.
#[derive(Debug, Default)]
pub(super) struct Delims {
    pub(super) list: Vec<Delim>,
    pub(super) count: usize,
}

/// An opener run waiting for its closer, as pulldown-cmark keeps it: the formattings it opens (outermost
/// first, with their delimiter lengths), how many delimiters are left, and the run's own length and kind.
#[derive(Debug, Clone)]
struct Pending {
    ids: Vec<(usize, usize)>,
    count: usize,
    run_len: usize,
    both: bool,
    ch: char,
}

/// The formattings whose delimiters CommonMark would not read as written. Touching delimiters form one run;
/// whether a run can open or close, and which opener a closer takes, is decided as pulldown-cmark decides it
/// (flanking, the rule of three, tildes pairing only with tildes of the same length). A formatting fails when
/// its delimiters would be text or pair with someone else's; a run that would both close one formatting and
/// open another is not trusted at all.
pub(super) fn failing_delimiters(out: &str, delims: &[Delim]) -> HashSet<usize> {
    let mut ordered: Vec<Delim> = delims.to_vec();
    ordered.sort_by_key(|d| d.pos);
    let mut failing = HashSet::new();
    let mut stack: Vec<Pending> = Vec::new();
    let mut i = 0;
    while i < ordered.len() {
        let mut j = i + 1;
        while j < ordered.len()
            && ordered[j].ch == ordered[i].ch
            && ordered[j].pos == ordered[j - 1].pos + ordered[j - 1].len
        {
            j += 1;
        }
        let (start, end) = (ordered[i].pos, ordered[j - 1].pos + ordered[j - 1].len);
        // Closers of formattings that already failed will not be written; they do not count.
        let run: Vec<Delim> = ordered[i..j]
            .iter()
            .filter(|d| !failing.contains(&d.id))
            .copied()
            .collect();
        i = j;
        let Some(ch) = run.first().map(|d| d.ch) else {
            continue;
        };
        let len: usize = run.iter().map(|d| d.len).sum();
        let prev = prev_char(&out[..start]);
        let next = out[end..]
            .chars()
            .next()
            .filter(|&c| c != '\n')
            .map_or(Next::Eol, Next::Char);
        let can_open = !next.is_space()
            && (prev.is_none()
                || (ch == '~' && len > 1)
                || !next.is_punct()
                || prev.is_some_and(|p| p.is_whitespace() || is_punct(p)));
        let can_close = prev.is_some_and(|p| !p.is_whitespace())
            && (next == Next::Eol || !prev.is_some_and(is_punct) || next.is_space() || next.is_punct());
        let both = can_open && can_close;
        let matches = |el: &Pending| {
            el.ch == ch
                && !(ch == '~' && el.run_len != len)
                && ((!both && !el.both) || (len + el.run_len) % 3 != 0 || len % 3 == 0)
        };
        let openers: Vec<(usize, usize)> = run.iter().filter(|d| d.opener).map(|d| (d.id, d.len)).collect();
        let mut closers: Vec<(usize, usize)> = run.iter().filter(|d| !d.opener).map(|d| (d.id, d.len)).collect();
        if (ch == '~' && len > 2) || (!openers.is_empty() && !closers.is_empty()) {
            failing.extend(openers.iter().map(|o| o.0));
            if ch == '~' && len > 2 {
                failing.extend(closers.iter().map(|c| c.0));
                continue;
            }
        }
        if !closers.is_empty() {
            let mut count = len;
            while can_close && count > 0 && !closers.is_empty() {
                let Some(k) = stack.iter().rposition(&matches) else {
                    break;
                };
                // Openers above the match become text.
                for el in stack.drain(k + 1..) {
                    failing.extend(el.ids.iter().map(|o| o.0));
                }
                let Some(mut el) = stack.pop() else {
                    break;
                };
                let take = count.min(el.count);
                // The innermost `take` delimiters of the opener pair with the first `take` of this run.
                let (mut got_open, mut got_close) = (0, 0);
                let mut pairs_ok = true;
                while got_open < take {
                    match (el.ids.pop(), closers.first().copied()) {
                        (Some((oid, olen)), Some((cid, clen))) => {
                            got_open += olen;
                            got_close += clen;
                            closers.remove(0);
                            if oid != cid || olen != clen {
                                pairs_ok = false;
                                failing.insert(oid);
                                failing.insert(cid);
                            }
                        }
                        _ => {
                            pairs_ok = false;
                            break;
                        }
                    }
                }
                if !pairs_ok || got_close != take {
                    failing.extend(el.ids.iter().map(|o| o.0));
                    failing.extend(closers.iter().map(|c| c.0));
                    closers.clear();
                    break;
                }
                el.count -= take;
                count -= take;
                if el.count > 0 {
                    stack.push(el);
                }
            }
            failing.extend(closers.iter().map(|c| c.0));
        } else if !openers.is_empty() {
            // A run that can also close would first close someone else's opener.
            if !can_open || (can_close && stack.iter().any(&matches)) {
                failing.extend(openers.iter().map(|o| o.0));
            } else {
                stack.push(Pending {
                    ids: openers,
                    count: len,
                    run_len: len,
                    both,
                    ch,
                });
            }
        }
    }
    for el in stack {
        failing.extend(el.ids.iter().map(|o| o.0));
    }
    failing
}

/// The tree without the given emphasis formattings (all of them for `None`), numbered as
/// [`Writer::inlines`](super::Writer::inlines) numbers them.
pub(super) fn unwrap(nodes: Vec<Inline>, failing: Option<&HashSet<usize>>, counter: &mut usize) -> Vec<Inline> {
    let mut out = Vec::with_capacity(nodes.len());
    for node in nodes {
        match node {
            Inline::Wrap(Kind::Link(index), kids) => {
                out.push(Inline::Wrap(Kind::Link(index), unwrap(kids, failing, counter)));
            }
            Inline::Wrap(kind, kids) => {
                let id = *counter;
                *counter += 1;
                let kids = unwrap(kids, failing, counter);
                if failing.is_none_or(|f| f.contains(&id)) {
                    out.extend(kids);
                } else {
                    out.push(Inline::Wrap(kind, kids));
                }
            }
            other => out.push(other),
        }
    }
    out
}
