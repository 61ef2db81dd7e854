//! HTML comment bodies (Disqus, WordPress, Blogger, Remark42) turned into riposte's Markdown, once, at import.
//!
//! The Markdown is what riposte stores and what moderators edit; the server renders it with its own renderer
//! (pulldown-cmark with strikethrough, every soft break a hard break, raw HTML shown as text, then ammonia with
//! the allowlist `p br em strong del a ul ol li code pre blockquote hr`). So the conversion aims at exactly
//! that dialect and that allowlist:
//!
//! | HTML | Markdown |
//! |------|----------|
//! | `p`, `div`, `section`, `table`, `tr`, `dl`, `dt`, `dd`, … | paragraphs, one blank line apart |
//! | `br` | `\` + newline (a hard break); two or more in a row end the paragraph |
//! | `em`, `i` / `strong`, `b` / `del`, `s`, `strike` | `*x*` / `**x**` / `~~x~~` |
//! | `code`, `tt`, `kbd`, `samp` | `` `x` ``, with a longer fence when `x` holds backticks |
//! | `pre` (with or without `code`), `xmp`, `listing`, `plaintext` | a fenced code block |
//! | `a href` (http, https, mailto only) | `[text](url "title")`, or `<url>` when the text is the URL |
//! | `blockquote` | `> ` lines, nested as deep as the HTML |
//! | `ul`, `ol` (`start` kept), `li` | `- ` / `1. ` items, nested by indentation |
//! | `hr` | `---` |
//! | `h1` … `h6` | a bold paragraph (riposte has no headings) |
//! | `img` | its `alt` text; without one, a link to its http(s) `src` |
//! | `script`, `style`, `template`, `iframe`, `noscript`, `noembed`, `noframes`, `title`, comments | nothing |
//! | anything else | its text; the tag is dropped |
//!
//! Text is decoded (named, decimal and hex character references, astral-plane ones such as `&#128512;`
//! included; the legacy names that browsers accept without a semicolon, such as `&amp` or `&copy`; windows-1252
//! numbers such as `&#150;`; invalid references stay text) and then escaped so that it renders as the same
//! text: `\`, `` ` `` and `[` always; `*` and `~` unless they stand alone between spaces (`2 * 3`); `_` unless
//! it sits inside a word (`snake_case`); `<` before a letter, `/`, `!` or `?`; `&` before something that reads
//! as a character reference; `]` inside link text; `!` before a link; and at the start of a line `#`, `>`,
//! list markers (`-`, `+`, `*`, `1.`, `1)`), thematic breaks and setext underlines. Ordinary punctuation
//! (`. , ! ? ( ) - + # | : ; ' "` in running text) stays as it is.
//!
//! Bare `http(s)://` addresses in text become `<autolinks>`, and bare `www.` addresses that would need an
//! escape become `[www.…](https://www.…)`: riposte links both anyway, and an escape inside one would cut its
//! link short. Emphasis is checked against CommonMark's delimiter rules (as pulldown-cmark applies them), and
//! where it cannot be written it is dropped rather than left as stray `*` or `~`.
//!
//! Whitespace runs collapse to one space outside code blocks; paragraphs are trimmed; blocks are one blank
//! line apart; `<br>` is `\` + newline (what pulldown-cmark reads as a hard break, and visible to an editor,
//! unlike two trailing spaces); the result has no trailing whitespace.
//!
//! A body without HTML structure, that is without any block element (`p`, `div`, lists, `li`, `blockquote`,
//! `pre`, `hr`, headings, table parts …) and without `<br>`, only text and inline markup, is read the way
//! WordPress shows it: WordPress stores comments like that and adds paragraphs only when it displays them
//! (`wpautop`), and some other exports do the same. There every newline in the text counts as a `<br>`: a single
//! newline is a hard break, and a blank line (two or more newlines, with only whitespace between) ends the
//! paragraph. Only newlines written as such count, not `&#10;`; inside inline code a newline is a space, as a
//! `<br>` is there. A body with any block element or `<br>` is HTML, and its newlines are whitespace like any
//! other.
//!
//! The input is taken to be hostile and broken. Unclosed and misnested tags are read roughly the way a
//! browser reads them: formatting runs on across paragraphs until it is closed, `</li>` and `</blockquote>`
//! close what was left open inside them, a new `<a>` ends the previous one. Unlike a browser, a `<` that never
//! finds its `>` stays text. Nesting deeper than 16 blockquotes and lists is flattened. No input makes the
//! function panic, and its running time is linear in the input.
//!
//! # What is lost
//!
//! - Everything outside the table: headings become bold paragraphs; tables become one paragraph per row with the
//!   cells separated by spaces; `u`, `ins`, `sup`, `sub`, `span`, `font`, colours, classes and styles vanish,
//!   their text stays; `q` loses the quotation marks a browser would add.
//! - Links to anything but `http:`, `https:` and `mailto:` (relative, protocol-relative `//host`, `javascript:`,
//!   `data:` …) and `<a>` without `href` keep only their text.
//! - Images: only the alt text or the address survives, never the picture (riposte shows no images). An image
//!   without alt text inside a link adds nothing; a link that held only such an image shows its own address.
//! - Emphasis that CommonMark cannot express where it stands is dropped, its text kept: a delimiter between a
//!   letter and punctuation (`foo<b>"bar"</b>baz`), or one formatting right after another (`<b>x</b><i>y</i>`
//!   keeps only the bold), or formattings that cross (`<i>a<b>b</i>c</b>`: what cannot nest is dropped).
//!   Formatting inside inline code is dropped, except a link around it.
//! - Whitespace: runs collapse, `&nbsp;` counts as a space, leading and trailing spaces of paragraphs and list
//!   items go, two or more `<br>` in a row become a paragraph break. Inside code blocks only leading blank lines
//!   and trailing whitespace go; the language class of `<pre><code class="language-x">` is not kept.
//! - Lists: empty items are dropped, `<ol type reversed>` and `<li value>` are ignored, numbers are clamped to
//!   CommonMark's nine digits, content directly inside `ul`/`ol` joins the preceding item, an `li` outside any
//!   list is a plain paragraph, and a list whose items hold several blocks (`<li><p>a</p><p>b</p></li>`) is
//!   loose. Two lists in a row stay two lists (the second uses `*` or `1)` markers).
//! - Character references that HTML4 does not name (HTML5 additions such as `&check;`) are left as text.
//! - Where a bare address in text ends is decided here, close to but not exactly as linkify decides it.
//! - Blocks nested deeper than 16 levels are flattened into their parent.
//! - Newlines in a body with HTML structure are whitespace, as in a browser: a body that mixes `<p>` or `<br>`
//!   with paragraphs written as blank lines loses those paragraphs (which `wpautop` would have kept).

mod convert;
mod entities;
mod lexer;
#[cfg(test)]
mod tests;
mod tree;
mod write;

use self::convert::Converter;
use self::lexer::{Lexer, Token};

/// Markdown for a comment that arrived as HTML: the elements riposte allows become their Markdown, every
/// other tag is dropped with its text kept (scripts, styles and their content dropped entirely), entities are
/// decoded, and text is escaped so that it renders as the same text.
pub fn to_markdown(html: &str) -> String {
    // The HTML input stream: newlines normalized, NUL characters dropped (browsers ignore them in text).
    let src: String = html.replace("\r\n", "\n").replace('\r', "\n").replace('\0', "");
    let mut conv = Converter::new(src.contains('\n') && without_structure(&src));
    let mut lexer = Lexer::new(&src);
    while let Some(token) = lexer.next_token() {
        conv.token(token);
    }
    let (blocks, links) = conv.finish();
    write::markdown(&blocks, &links)
}

/// Whether a body is only text and inline markup: no tag of a block element, no `<br>`. Its newlines are then
/// the paragraphs and line breaks it was written with, as in a WordPress comment.
fn without_structure(src: &str) -> bool {
    let mut lexer = Lexer::new(src);
    std::iter::from_fn(|| lexer.next_token()).all(|token| match token {
        Token::Start { name, .. } | Token::End { name } => name != "br" && !convert::is_block(&name),
        Token::Preformatted(_) => false,
        Token::Text(_) | Token::Newline => true,
    })
}
