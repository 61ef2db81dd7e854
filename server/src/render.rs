//! The one place where HTML is made from user text: Markdown rendered by pulldown-cmark, bare URLs turned
//! into links, then everything cleaned by ammonia with an explicit allowlist. Runs once, at write time.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

/// Every link in a comment carries these relations: no SEO credit for spammers, no opener access.
pub const LINK_REL: &str = "nofollow ugc noopener noreferrer";

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::empty();
    b.tags(HashSet::from([
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
    ]))
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
        let href = match span.kind() {
            Some(_) if s.starts_with("http://") || s.starts_with("https://") => s.to_owned(),
            Some(_) if s.len() > 4 && s[..4].eq_ignore_ascii_case("www.") => format!("https://{s}"),
            _ => {
                out.push(Event::Text(CowStr::from(s.to_owned())));
                continue;
            }
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

#[cfg(test)]
mod tests {
    use super::render;

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
