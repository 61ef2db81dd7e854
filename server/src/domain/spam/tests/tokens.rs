//! The tokenizer: links, words, names and websites, caps, and hostile input.

use super::*;

#[test]
fn bare_links_are_found() {
    let t = tokens("see example.com/x for more, or Shop.Example.DE.", None, None);
    assert!(has(&t, "link:example.com"), "{t:?}");
    assert!(has(&t, "link:example.de"), "{t:?}");
    assert!(has(&t, "tld:com") && has(&t, "tld:de"), "{t:?}");
    assert!(has(&t, "links:2"), "{t:?}");
    assert!(has(&t, "see") && has(&t, "more"), "{t:?}");
    assert!(!has(&t, "example"), "link text must not leak into words: {t:?}");
    assert!(
        has(&t, "url:shop") && !has(&t, "url:example"),
        "subdomain words only, not the domain: {t:?}"
    );
}

#[test]
fn not_links() {
    let t = tokens(
        "e.g. main.rs, v1.2.3, 3.50 EUR, i.e. the end. Next.Sentence and node.js",
        None,
        None,
    );
    assert!(has(&t, "links:0"), "{t:?}");
    assert!(!t.iter().any(|x| x.starts_with("link:")), "{t:?}");
}

#[test]
fn urls_markdown_and_domains() {
    let t = tokens(
        "[click here](https://bit.ly/abc) and <https://www.Example.co.uk/path?q=1> and \
         http://promo.casino-x.xyz:8080/a, mail me@web.de, http://192.168.0.1/x",
        None,
        None,
    );
    for want in [
        "link:bit.ly",
        "link:example.co.uk",
        "link:casino-x.xyz",
        "link:web.de",
        "link:[ip]",
        "links:3+",
        "click",
        "here",
        "url:casino",
        "url:promo",
        "tld:xyz",
        "tld:ly",
    ] {
        assert!(has(&t, want), "missing {want}: {t:?}");
    }
    assert!(
        !has(&t, "https") && !has(&t, "url:https") && !has(&t, "url:www"),
        "{t:?}"
    );
}

#[test]
fn umlauts_case_folding_and_dedup() {
    let t = tokens(
        "Viele Grüße! GRÜSSE, grüße, Grüße. Casino CASINO casino Straße",
        None,
        None,
    );
    assert!(has(&t, "grüße") && has(&t, "viele") && has(&t, "straße"), "{t:?}");
    assert!(has(&t, "grüsse"), "uppercase ß is SS, that is a different word: {t:?}");
    assert_eq!(t.iter().filter(|x| *x == "casino").count(), 1, "{t:?}");
    assert!(
        !has(&t, "gr") && !has(&t, "ße"),
        "umlaut must not split the word: {t:?}"
    );
    let set: HashSet<&String> = t.iter().collect();
    assert_eq!(set.len(), t.len(), "tokens must be distinct: {t:?}");
    // Decomposed form (u + combining diaeresis) stays one word too.
    let t = tokens("Viele Gru\u{308}ße", None, None);
    assert!(has(&t, "gru\u{308}ße"), "{t:?}");
}

#[test]
fn word_lengths_and_numbers() {
    let long30 = "a".repeat(30);
    let long31 = "b".repeat(31);
    let t = tokens(
        &format!("x {long30} {long31} 42 2024 1234567 100mg visit my site"),
        None,
        None,
    );
    assert!(!has(&t, "x"), "{t:?}");
    assert!(has(&t, &long30) && !has(&t, &long31), "{t:?}");
    assert!(has(&t, "num:2") && has(&t, "num:4") && has(&t, "num:5+"), "{t:?}");
    assert!(!has(&t, "2024") && has(&t, "100mg"), "{t:?}");
}

#[test]
fn author_and_website() {
    let t = tokens(
        "hello there",
        Some("Cheap LOANS 4U"),
        Some(" https://www.loans.example.top/x "),
    );
    assert!(
        has(&t, "author:cheap") && has(&t, "author:loans") && has(&t, "author:4u"),
        "{t:?}"
    );
    assert!(has(&t, "site:example.top") && has(&t, "tld:top"), "{t:?}");
    assert!(has(&t, "links:0"), "the website field is not a link in the text: {t:?}");
    let t = tokens("hello", None, Some("my-blog.example")); // any TLD for the explicit field
    assert!(has(&t, "site:my-blog.example"), "{t:?}");
    let t = tokens("hello", None, Some("not a url"));
    assert!(!t.iter().any(|x| x.starts_with("site:")), "{t:?}");
}

#[test]
fn max_tokens_cap_keeps_meta_first() {
    let text: String = (0..5000).map(|i| format!("w{i}x ")).collect();
    let t = tokens(&text, Some("Some Author"), Some("https://site.example.com"));
    assert_eq!(t.len(), MAX_TOKENS);
    assert_eq!(t[0], "links:0");
    assert!(has(&t, "site:example.com") && has(&t, "author:author"), "{t:?}");
    let set: HashSet<&String> = t.iter().collect();
    assert_eq!(set.len(), t.len());
}

#[test]
fn hostile_input() {
    for text in [
        "a".repeat(100_000),
        ".".repeat(100_000),
        "/".repeat(100_000),
        "a.".repeat(50_000),
        "😀".repeat(25_000),
        "\u{0}".repeat(100_000),
        "[](".repeat(30_000),
        format!("http://{}.com", "x".repeat(100_000)),
        String::new(),
    ] {
        let t = tokens(&text, Some(&text), Some(&text));
        assert!(t.len() <= MAX_TOKENS);
        assert!(
            t.iter()
                .all(|x| x.chars().count() <= 300 && !x.chars().any(char::is_control)),
            "{t:?}"
        );
        assert!(has(&t, "links:0") || has(&t, "links:1"), "{t:?}");
    }
    let t = tokens(
        "\u{0}casino\u{7}bonus\u{1b}[31m 🎰jackpot🎰 \u{202e}evil\u{200b}zero",
        None,
        None,
    );
    for want in ["casino", "bonus", "jackpot", "31m", "evil", "zero"] {
        assert!(has(&t, want), "missing {want}: {t:?}");
    }
    assert!(t.iter().all(|x| !x.chars().any(char::is_control)), "{t:?}");
}
