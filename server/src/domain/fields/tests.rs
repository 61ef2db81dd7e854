//! The field rules, one test per field or family of fields.

use super::*;

#[test]
fn text_is_trimmed_and_bounded() {
    assert_eq!(CommentText::parse("  hallo \n").unwrap().as_str(), "hallo");
    assert_eq!(CommentText::parse(" \n\t ").unwrap_err().field, "text");
    assert!(CommentText::parse(&"ä".repeat(10_000)).is_ok());
    assert!(CommentText::parse(&"ä".repeat(10_001)).is_err());
    assert!(CommentText::parse("a\u{0}b").is_err());
}

#[test]
fn website_accepts_only_http_and_https() {
    assert!(Website::parse(Some("javascript:alert(1)")).is_err());
    assert!(Website::parse(Some("data:text/html,hi")).is_err());
    assert!(Website::parse(Some("example.org")).is_err());
    assert!(Website::parse(Some("ftp://example.org")).is_err());
    assert_eq!(Website::parse(Some("")).unwrap(), None);
    let w = Website::parse(Some("https://example.org/'onmouseover=alert(1)"))
        .unwrap()
        .unwrap();
    assert!(!w.0.contains(' '));
    assert!(w.0.starts_with("https://example.org/"));
}

#[test]
fn email_shape() {
    assert!(Email::parse(Some("anna@example.de")).unwrap().is_some());
    for bad in [
        "anna",
        "anna@",
        "@example.de",
        "anna@example",
        "an na@example.de",
        "a@b..de",
    ] {
        assert!(Email::parse(Some(bad)).is_err(), "{bad}");
    }
}

#[test]
fn uri_and_site_and_origin() {
    assert!(PageUri::parse("/blog/post/").is_ok());
    assert!(PageUri::parse("blog").is_err());
    assert!(PageUri::parse("/a\nb").is_err());
    assert!(PageUri::parse(&format!("/{}", "a".repeat(2000))).is_err());
    assert!(SiteId::parse("blog").is_ok());
    assert!(SiteId::parse("Blog!").is_err());
    assert_eq!(
        Origin::parse("https://Blog.Example:443/").unwrap().as_str(),
        "https://blog.example"
    );
    assert!(Origin::parse("https://blog.example/path").is_err());
    assert!(Origin::parse("javascript:alert(1)").is_err());
}

#[test]
fn a_page_uri_is_a_path_on_the_site_never_a_link_elsewhere() {
    for bad in ["//evil.example/", "//", "/\\evil.example/", "/\\/evil.example", "/\\"] {
        let e = PageUri::parse(bad).unwrap_err();
        assert_eq!(e.field, "uri", "{bad}");
        assert!(e.message.contains("//"), "{bad}: {}", e.message);
    }
    for good in ["/", "/a//b/", "/a/\\b", "/?x=//y"] {
        assert!(PageUri::parse(good).is_ok(), "{good}");
    }
}

#[test]
fn names_and_titles_refuse_noncharacters_and_bidi_overrides() {
    let noncharacters = [
        '\u{FDD0}',
        '\u{FDEF}',
        '\u{FFFE}',
        '\u{FFFF}',
        '\u{1FFFE}',
        '\u{10FFFF}',
    ];
    let bidi = [
        '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
    ];
    for c in noncharacters.into_iter().chain(bidi) {
        let s = format!("Anna{c}Berg");
        let author = AuthorName::parse(Some(&s)).unwrap_err();
        assert_eq!(author.field, "author", "{c:?}");
        let title = PageTitle::parse(Some(&s)).unwrap_err();
        assert_eq!(title.field, "title", "{c:?}");
        let moderator = ModeratorName::parse(&s).unwrap_err();
        assert_eq!(moderator.field, "username", "{c:?}");
        let expected = if noncharacters.contains(&c) {
            "noncharacters"
        } else {
            "bidirectional"
        };
        for e in [author, title, moderator] {
            assert!(e.message.contains(expected), "{c:?}: {}", e.message);
        }
    }
    // Their neighbours, right-to-left text itself and the marks that only hint direction stay welcome.
    for ok in [
        "Anna\u{FDCF}",
        "\u{FFFD}",
        "\u{1FFFD}",
        "\u{202F}Anna",
        "\u{200E}Anna",
        "\u{200F}",
        "\u{2065}",
        "שלום",
        "مرحبا",
        "😀",
    ] {
        assert!(AuthorName::parse(Some(ok)).is_ok(), "{ok:?}");
        assert!(PageTitle::parse(Some(ok)).is_ok(), "{ok:?}");
        assert!(ModeratorName::parse(ok).is_ok(), "{ok:?}");
    }
}
