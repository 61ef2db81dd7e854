//! The one place where HTML is made from user text: Markdown rendered by pulldown-cmark, bare URLs turned
//! into links, then everything cleaned by ammonia with an explicit allowlist. Runs once, at write time.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

/// Every link in a comment carries these relations: no SEO credit for spammers, no opener access.
pub const LINK_REL: &str = "nofollow ugc noopener noreferrer";

/// The only elements a rendered comment may contain.
const ELEMENTS: [&str; 13] = [
    "p",
    "br",
    "em",
    "strong",
    "del",
    "a",
    "ul",
    "ol",
    "li",
    "code",
    "pre",
    "blockquote",
    "hr",
];

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::empty();
    b.tags(HashSet::from(ELEMENTS))
        .tag_attributes(HashMap::from([
            ("a", HashSet::from(["href", "title"])),
            ("ol", HashSet::from(["start"])),
        ]))
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some(LINK_REL))
        .strip_comments(true)
        .clean_content_tags(HashSet::from(["script", "style"]));
    b
});

static LINKS: LazyLock<linkify::LinkFinder> = LazyLock::new(|| {
    let mut f = linkify::LinkFinder::new();
    f.kinds(&[linkify::LinkKind::Url]).url_must_have_scheme(false);
    f
});

/// Renders a comment's Markdown to sanitized HTML.
pub fn render(markdown: &str) -> String {
    let parser = Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH);
    let mut events: Vec<Event<'_>> = Vec::new();
    // Inside a link or a code block, text stays text: no nested links, no links in code.
    let mut plain_depth = 0usize;
    for event in parser {
        match event {
            // Raw HTML is shown as the text it is, never interpreted.
            Event::Html(s) | Event::InlineHtml(s) => events.push(Event::Text(s)),
            // One line break in a comment is meant as one.
            Event::SoftBreak => events.push(Event::HardBreak),
            // No images: an image becomes a plain link to its address, so no third-party request is made.
            Event::Start(Tag::Image {
                dest_url, title, id, ..
            }) => {
                plain_depth += 1;
                events.push(Event::Start(Tag::Link {
                    link_type: LinkType::Inline,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Image) => {
                plain_depth -= 1;
                events.push(Event::End(TagEnd::Link));
            }
            // Headings would shout across someone else's page: render them as bold paragraphs.
            Event::Start(Tag::Heading { .. }) => {
                events.push(Event::Start(Tag::Paragraph));
                events.push(Event::Start(Tag::Strong));
            }
            Event::End(TagEnd::Heading(_)) => {
                events.push(Event::End(TagEnd::Strong));
                events.push(Event::End(TagEnd::Paragraph));
            }
            Event::Start(tag @ (Tag::Link { .. } | Tag::CodeBlock(_))) => {
                plain_depth += 1;
                events.push(Event::Start(tag));
            }
            Event::End(end @ (TagEnd::Link | TagEnd::CodeBlock)) => {
                plain_depth -= 1;
                events.push(Event::End(end));
            }
            Event::Text(text) if plain_depth == 0 => linkify_into(text, &mut events),
            other => events.push(other),
        }
    }
    let mut html = String::with_capacity(markdown.len() * 3 / 2 + 16);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    CLEANER.clean(&html).to_string()
}

/// Splits text into text and link events for bare `http(s)://` URLs and `www.` hosts.
fn linkify_into<'a>(text: CowStr<'a>, out: &mut Vec<Event<'a>>) {
    if !text.contains('.') {
        out.push(Event::Text(text));
        return;
    }
    for span in LINKS.spans(&text) {
        let s = span.as_str();
        let candidate = match span.kind() {
            Some(_) if s.starts_with("http://") || s.starts_with("https://") => Some(s.to_owned()),
            Some(_) if s.len() > 4 && s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("www.")) => {
                Some(format!("https://{s}"))
            }
            _ => None,
        };
        // Only what parses as an absolute web address with a host becomes a link.
        let Some(href) =
            candidate.filter(|h| url::Url::parse(h).is_ok_and(|u| u.host_str().is_some_and(|h| !h.is_empty())))
        else {
            out.push(Event::Text(CowStr::from(s.to_owned())));
            continue;
        };
        out.push(Event::Start(Tag::Link {
            link_type: LinkType::Autolink,
            dest_url: href.into(),
            title: CowStr::Borrowed(""),
            id: CowStr::Borrowed(""),
        }));
        out.push(Event::Text(CowStr::from(s.to_owned())));
        out.push(Event::End(TagEnd::Link));
    }
}

/// Checks that rendered HTML holds nothing that could run or load: only the allowlisted elements, only the
/// allowlisted attributes, and no URL scheme but http, https and mailto. The property test and the fuzz
/// target hold every rendering to this.
pub fn audit(html: &str) -> Result<(), String> {
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let end = after.find('>').ok_or_else(|| format!("unclosed tag in {html:?}"))?;
        let tag = &after[..end];
        rest = &after[end + 1..];
        let tag = tag.strip_prefix('/').unwrap_or(tag).trim_end_matches('/');
        let (name, attrs) = tag.split_once(' ').unwrap_or((tag, ""));
        if !ELEMENTS.contains(&name) {
            return Err(format!("element <{name}> in {html:?}"));
        }
        // Attribute values are quoted by the serializer and never contain a raw quote.
        let mut attrs = attrs.trim();
        while !attrs.is_empty() {
            let (key, value_and_rest) = attrs
                .split_once("=\"")
                .ok_or_else(|| format!("bare attribute in {html:?}"))?;
            let (value, tail) = value_and_rest
                .split_once('"')
                .ok_or_else(|| format!("unquoted value in {html:?}"))?;
            match (name, key.trim()) {
                ("a", "href") => {
                    // The scheme is what comes before the first colon; relative links have none.
                    let scheme = value.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
                    if !matches!(scheme.as_deref(), Some("http" | "https" | "mailto")) {
                        return Err(format!("link to {value:?} in {html:?}"));
                    }
                }
                ("a", "rel") if value == LINK_REL => {}
                ("a", "title") | ("ol", "start") => {}
                (_, key) => return Err(format!("attribute {key}= on <{name}> in {html:?}")),
            }
            attrs = tail.trim_start();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{audit, render};
    use proptest::prelude::*;

    /// Hostile fragments, glued together in any order, with arbitrary text between them.
    fn hostile() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("<script>alert(1)</script>".to_owned()),
            Just("<img src=x onerror=alert(1)>".to_owned()),
            Just("<a href=\"javascript:alert(1)\">".to_owned()),
            Just("[x](javascript:alert(1))".to_owned()),
            Just("[x](JaVaScRiPt:alert(1))".to_owned()),
            Just("[x](data:text/html,<script>alert(1)</script>)".to_owned()),
            Just("[x](vbscript:msgbox)".to_owned()),
            Just("[x](&#106;avascript:alert(1))".to_owned()),
            Just("![i](https://evil.example/x.png)".to_owned()),
            Just("<iframe src=//evil.example>".to_owned()),
            Just("<style>*{}</style>".to_owned()),
            Just("<svg onload=alert(1)>".to_owned()),
            Just("\"'><".to_owned()),
            Just("](".to_owned()),
            Just("`".to_owned()),
            Just("\n\n".to_owned()),
            Just("www.example.org".to_owned()),
            Just("https://example.org/?a=\"b\"".to_owned()),
            "\\PC{0,12}",
        ];
        prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn rendering_any_text_yields_inert_html(text in "\\PC{0,200}") {
            prop_assert_eq!(audit(&render(&text)), Ok(()));
        }

        #[test]
        fn rendering_hostile_text_yields_inert_html(text in hostile()) {
            prop_assert_eq!(audit(&render(&text)), Ok(()));
        }
    }

    /// Found by the fuzzer: a bare "http:'/" became a link to a host-less address.
    #[test]
    fn only_addresses_with_a_host_become_links() {
        assert!(!render("http:'/ und http://").contains("<a"));
        assert!(audit(&render("[x](http:foo)")).is_ok());
    }

    /// Found by the property test: a bare link right after a multi-byte character panicked.
    #[test]
    fn links_after_multibyte_text_do_not_panic() {
        assert!(render("በ®.AaA").starts_with("<p>"));
        // Glued to letters, it is one (internationalized) word, not a www. link.
        assert_eq!(render("વ𑏗www.example.org"), "<p>વ𑏗www.example.org</p>\n");
    }

    #[test]
    fn audit_catches_what_it_should() {
        assert!(
            audit("<p>ok <a href=\"https://x.example\" rel=\"nofollow ugc noopener noreferrer\">x</a></p>").is_ok()
        );
        assert!(audit("<script>").is_err());
        assert!(audit("<a href=\"javascript:x\">").is_err());
        assert!(audit("<p onclick=\"x\">").is_err());
        assert!(audit("<img src=\"x\">").is_err());
    }

    #[test]
    fn markdown_basics() {
        assert_eq!(
            render("*hallo* **welt**"),
            "<p><em>hallo</em> <strong>welt</strong></p>\n"
        );
        assert_eq!(render("a\nb"), "<p>a<br>\nb</p>\n");
        assert!(render("- eins\n- zwei").contains("<ul>\n<li>eins</li>"));
        assert!(render("> zitat").contains("<blockquote>"));
        assert!(render("`x < y`").contains("<code>x &lt; y</code>"));
        assert!(render("```\nfn main() {}\n```").contains("<pre><code>fn main() {}"));
    }

    #[test]
    fn bare_links_become_safe_links() {
        let html = render("siehe www.example.de und https://example.org/a?b=1.");
        assert!(
            html.contains(
                r#"<a href="https://www.example.de" rel="nofollow ugc noopener noreferrer">www.example.de</a>"#
            ),
            "{html}"
        );
        assert!(
            html.contains(r#"<a href="https://example.org/a?b=1" rel="nofollow ugc noopener noreferrer">"#),
            "{html}"
        );
        // Bare domains without www. and abbreviations stay text.
        assert!(!render("z.B. example.org").contains("<a"));
        // No link inside code.
        assert!(!render("`https://example.org`").contains("<a"));
    }

    #[test]
    fn hostile_markup_is_inert() {
        for evil in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[klick](javascript:alert(1))",
            "[klick](data:text/html;base64,PHNjcmlwdD4=)",
            "![bild](javascript:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<iframe src=https://evil.example></iframe>",
            "<style>body{display:none}</style>",
        ] {
            let html = render(evil);
            // Whatever is left may be shown as text; inside tags nothing may run or load.
            for tag in html.split('<').skip(1).map(|t| t.split('>').next().unwrap_or("")) {
                let name = tag.trim_start_matches('/').split(' ').next().unwrap_or("");
                assert!(["p", "a", "br"].contains(&name), "{evil:?} -> {html}");
                for bad in ["javascript:", "data:", " on", "src="] {
                    assert!(!tag.contains(bad), "{evil:?} -> {html}");
                }
            }
        }
        assert_eq!(render("<b>fett</b>"), "<p>&lt;b&gt;fett&lt;/b&gt;</p>\n");
    }

    #[test]
    fn images_become_links_and_headings_bold() {
        assert_eq!(
            render("![Bild](https://example.org/a.png)"),
            "<p><a href=\"https://example.org/a.png\" rel=\"nofollow ugc noopener noreferrer\">Bild</a></p>\n"
        );
        assert_eq!(render("# Titel"), "<p><strong>Titel</strong></p>\n");
    }

    #[test]
    fn unicode_round_trips() {
        let text = "Grüße aus Köln – ß, 😀, שלום, مرحبا";
        assert_eq!(render(text), format!("<p>{text}</p>\n"));
    }
}
