//! The WordPress reader on its fixtures and on the odd files WordPress, its plugins and its servers write.
//! Size: one test per awkward case of the format, most with the whole expected output.

use std::io::BufReader;

use time::macros::datetime;

use super::namespaces::*;
use super::records::*;
use super::*;
use crate::domain::Status;
use crate::domain::import::{Body, Page, Post, stable_key};
use crate::import::testing::{Generated, at, expect, ms, outcome, pages, post, posts, repairs, skips};
use crate::import::{common, dates, xml};

fn run(input: &[u8]) -> (Vec<Item>, Report) {
    let (items, report, result) = outcome(|sink, report| read(input, sink, report));
    if let Err(e) = result {
        panic!("import failed: {e}");
    }
    (items, report)
}

fn fail(input: &[u8]) -> ImportError {
    outcome(|sink, report| read(input, sink, report))
        .2
        .expect_err("import succeeded")
}

fn html(p: &Post) -> &str {
    match &p.body {
        Body::Html(s) => s,
        Body::Markdown(s) => panic!("markdown body {s:?}"),
    }
}

const CLEAN: &str = include_str!("../fixtures/wordpress-clean.xml");
/// The one comment the namespace and prelude fixtures hold.
fn anna() -> Vec<Item> {
    vec![
        Item::Page(Page {
            key: "12".into(),
            url: "https://blog.example/hallo-welt/".into(),
            title: Some("Hallo Welt".into()),
        }),
        Item::Post(Post {
            key: "1".into(),
            page: "12".into(),
            parent: None,
            author: Some("Anna".into()),
            email: None,
            website: None,
            body: Body::Html("Danke für den Beitrag!".into()),
            created: ms(datetime!(2014-05-06 12:34:56 UTC)),
            status: Status::Published,
            likes: 0,
            dislikes: 0,
            pingback: false,
        }),
    ]
}

// --- the clean export ---

#[test]
fn clean_export_gives_pages_before_their_comments() {
    let (items, report) = run(CLEAN.as_bytes());
    assert_eq!(report.repairs, Default::default());
    assert_eq!(report.skipped, Default::default());
    let order: Vec<String> = items
        .iter()
        .map(|i| match i {
            Item::Page(p) => format!("page {}", p.key),
            Item::Post(p) => format!("post {}", p.key),
        })
        .collect();
    // The attachment (post 13) has no comments, so no page; the `<wp:comment>` inside the post's CDATA
    // content is text, not a comment.
    assert_eq!(
        order,
        [
            "page 12", "post 101", "post 102", "post 103", "post 104", "post 105", "page 2", "post 7"
        ]
    );
    assert_eq!(
        pages(&items),
        [
            &Page {
                key: "12".into(),
                url: "https://blog.example/2014/05/hallo-welt/".into(),
                title: Some("Hallo Welt".into()),
            },
            &Page {
                key: "2".into(),
                url: "https://blog.example/ueber-uns/".into(),
                title: Some("Über uns".into()),
            },
        ]
    );
}

#[test]
fn clean_export_maps_every_comment_field() {
    let (items, _) = run(CLEAN.as_bytes());
    assert_eq!(
        post(&items, "101"),
        &Post {
            key: "101".into(),
            page: "12".into(),
            parent: None,
            author: Some("Anna Beispiel".into()),
            email: Some("anna@mail.example".into()),
            website: Some("https://anna.example".into()),
            body: Body::Html("<p>Danke für den Beitrag!</p>".into()),
            // comment_date_gmt, not the local comment_date two hours later
            created: ms(datetime!(2014-05-06 12:34:56 UTC)),
            status: Status::Published,
            likes: 0,
            dislikes: 0,
            pingback: false,
        }
    );
    let ben = post(&items, "102");
    assert_eq!(ben.parent.as_deref(), Some("101"));
    assert_eq!((ben.email.as_deref(), ben.website.as_deref()), (None, None));
    assert_eq!(html(ben), "Thanks, Anna!\nI agree.");
    assert_eq!(ben.status, Status::Pending);
    assert_eq!(ben.created, ms(datetime!(2014-05-07 07:15:00 UTC)));

    let pingback = post(&items, "103");
    assert!(pingback.pingback);
    assert_eq!(html(pingback), "[&#8230;] wie im Beispiel-Blog beschrieben [&#8230;]");
    assert_eq!(post(&items, "104").status, Status::Spam);
    let trashed = post(&items, "105");
    assert_eq!(
        (trashed.status, trashed.parent.as_deref()),
        (Status::Deleted, Some("102"))
    );
    let dora = post(&items, "7");
    assert_eq!((dora.page.as_str(), html(dora)), ("2", "Schöne Seite."));
    assert!(posts(&items).iter().all(|p| !p.pingback || p.key == "103"));
    assert!(posts(&items).iter().all(|p| (p.likes, p.dislikes) == (0, 0)));
}

#[test]
fn never_stores_the_ip_address() {
    let (items, _) = run(CLEAN.as_bytes());
    let everything = format!("{items:?}");
    assert!(!everything.contains("192.0.2.10"));
    assert!(!everything.contains("198.51.100.7"));
}

#[test]
fn crlf_line_ends_read_like_lf() {
    let crlf = CLEAN.replace('\n', "\r\n");
    let (items, report) = run(crlf.as_bytes());
    assert_eq!(items, run(CLEAN.as_bytes()).0);
    assert_eq!(report.repairs, Default::default());
    // And lines are still counted right.
    let broken = crlf.replace("<wp:post_id>2</wp:post_id>", "<wp:post_id>2</wp:post_ix>");
    let line = CLEAN.lines().position(|l| l.contains("<wp:post_id>2<")).unwrap() as u64 + 1;
    let e = fail(broken.as_bytes());
    assert_eq!(e.message, "<wp:post_id> is not closed before </item>");
    assert_eq!(e.position, at(line, 3));
}

// --- before the document ---

#[test]
fn bytes_before_the_declaration_are_skipped() {
    let (items, report) = run(include_bytes!("../fixtures/wordpress-prelude.xml"));
    assert_eq!(items, anna());
    assert_eq!(repairs(&report), expect(&[(xml::R_PRELUDE, 1)]));
}

#[test]
fn blank_lines_before_the_declaration_are_skipped() {
    let (items, report) = run(format!("\n\n  {CLEAN}").as_bytes());
    assert_eq!(items, run(CLEAN.as_bytes()).0);
    assert_eq!(repairs(&report), expect(&[(xml::R_PRELUDE, 1)]));
}

#[test]
fn a_bom_is_not_a_repair_and_a_missing_declaration_is_fine() {
    let (items, report) = run(format!("\u{FEFF}{CLEAN}").as_bytes());
    assert_eq!(items, run(CLEAN.as_bytes()).0);
    assert_eq!(report.repairs, Default::default());

    let without_decl = CLEAN.split_once('\n').unwrap().1; // starts with a comment, then <rss
    let (items, report) = run(format!("\u{FEFF}\n{without_decl}").as_bytes());
    assert_eq!(items, run(CLEAN.as_bytes()).0);
    assert_eq!(report.repairs, Default::default());
}

#[test]
fn errors_after_skipped_bytes_count_their_lines() {
    let input = "Notice: x\n\n<?xml version=\"1.0\"?>\n<rss xmlns:wp=\"http://wordpress.org/export/1.2/\">\n\
                 <channel>\n<item>\n<title><![CDATA[nie zu";
    let e = fail(input.as_bytes());
    assert_eq!(e.position, at(7, 8));
    assert!(e.message.contains("CDATA"), "{e}");
}

#[test]
fn utf16_and_non_xml_are_refused() {
    let e = fail(b"\xFF\xFE<\0?\0x\0m\0l\0");
    assert!(e.message.contains("UTF-16"), "{e}");
    assert_eq!(e.position, at(1, 1));
    let e = fail(b"PK\x03\x04 some zip\nmore");
    assert!(e.message.contains("no XML document"), "{e}");
    assert_eq!(e.position, at(2, 5));
    assert_eq!(fail(b"").position, at(1, 1));
}

// --- namespaces and attributes ---

#[test]
fn wxr_namespace_with_https_is_accepted() {
    let (items, report) = run(include_bytes!("../fixtures/wordpress-ns-https.xml"));
    assert_eq!(items, anna());
    // The excerpt namespace (also https) is not the WXR one and not counted.
    assert_eq!(repairs(&report), expect(&[(R_HTTPS_NS, 1)]));
}

#[test]
fn wxr_versions_1_0_and_1_1_read_like_1_2() {
    for input in [
        include_str!("../fixtures/wordpress-ns-1.0.xml"),
        include_str!("../fixtures/wordpress-ns-1.1.xml"),
    ] {
        let (items, report) = run(input.as_bytes());
        assert_eq!(items, anna());
        assert_eq!(report.repairs, Default::default());
    }
    let future = include_str!("../fixtures/wordpress-ns-1.1.xml").replace("export/1.1/", "export/1.3/");
    let (items, report) = run(future.as_bytes());
    assert_eq!(items, anna());
    assert_eq!(repairs(&report), expect(&[(R_UNKNOWN_NS, 1)]));
}

#[test]
fn wp_prefix_without_declaration_is_read() {
    let (items, report) = run(include_bytes!("../fixtures/wordpress-ns-undeclared.xml"));
    assert_eq!(items, anna());
    assert_eq!(repairs(&report), expect(&[(xml::R_UNDECLARED_PREFIX, 1)]));
}

#[test]
fn wp_prefix_bound_to_another_uri_is_read() {
    let input = include_str!("../fixtures/wordpress-ns-1.0.xml")
        .replace("http://wordpress.org/export/1.0/", "http://example.org/not-wordpress/");
    let (items, report) = run(input.as_bytes());
    assert_eq!(items, anna());
    assert_eq!(repairs(&report), expect(&[(R_FOREIGN_NS, 1)]));
}

#[test]
fn another_prefix_bound_to_wxr_is_read() {
    let (items, report) = run(include_bytes!("../fixtures/wordpress-ns-other-prefix.xml"));
    assert_eq!(items, anna());
    assert_eq!(report.repairs, Default::default());
}

#[test]
fn unquoted_attribute_values_are_accepted() {
    // `xmlns:wp=http://wordpress.org/export/1.2/>`: even the slash that makes it look self-closing.
    let (items, report) = run(include_bytes!("../fixtures/wordpress-unquoted.xml"));
    assert_eq!(items, anna());
    assert_eq!(repairs(&report), expect(&[(xml::R_UNQUOTED, 1)]));
}

// --- ids and pages ---

#[test]
fn ids_are_trimmed_and_missing_ones_derived() {
    let (items, report) = run(include_bytes!("../fixtures/wordpress-ids.xml"));
    let keys: Vec<(&str, &str, Option<&str>)> = posts(&items)
        .iter()
        .map(|p| (p.key.as_str(), p.page.as_str(), p.parent.as_deref()))
        .collect();
    let no_number = stable_key(&["12", "Anna", "2014-05-06 13:00:00", "Ohne Nummer"]);
    let no_id = stable_key(&["12", "Ben", "2014-05-06 14:00:00", "Gar keine comment_id"]);
    let page_key = stable_key(&["https://blog.example/ohne-id/"]);
    assert_eq!(
        keys,
        [
            ("5", "12", None), // " 0 " parent is top-level
            (no_number.as_str(), "12", None),
            (no_id.as_str(), "12", None),
            ("7", "12", Some("5")),
            ("9", "12", None), // its own parent
            ("20", page_key.as_str(), None),
            ("21", "30", None),
            ("22", "31", None),
        ]
    );
    assert_eq!(
        pages(&items)
            .iter()
            .map(|p| (p.key.as_str(), p.url.as_str(), p.title.as_deref()))
            .collect::<Vec<_>>(),
        [
            ("12", "https://blog.example/leerzeichen/", Some("Leerzeichen")),
            (page_key.as_str(), "https://blog.example/ohne-id/", Some("Ohne ID")),
            ("30", "/ohne-link/", Some("Ohne Link")),
            ("31", "/?p=31", None),
        ]
    );
    assert_eq!(
        repairs(&report),
        expect(&[
            (R_SELF_PARENT, 1),
            (common::R_NO_ID, 2),
            (R_URL_FROM_ID, 1),
            (R_URL_FROM_SLUG, 1),
            (common::R_PAGE_NO_ID, 1),
            (common::R_ID_SPACE, 4), // post 12, comment 5, parents " 0 " and "  5\n"
        ])
    );
    assert_eq!(skips(&report), expect(&[(S_NO_PAGE, 2)]));
}

#[test]
fn derived_keys_are_the_same_on_every_run() {
    let input = include_bytes!("../fixtures/wordpress-ids.xml");
    assert_eq!(run(input).0, run(input).0);
}

#[test]
fn several_items_for_one_page_replies_first_and_missing_parents() {
    let (items, report) = run(include_bytes!("../fixtures/wordpress-threads.xml"));
    assert_eq!(report.repairs, Default::default());
    assert_eq!(
        pages(&items)
            .iter()
            .map(|p| (p.key.as_str(), p.url.as_str()))
            .collect::<Vec<_>>(),
        [
            ("123", "https://blog.example/?p=123"),
            ("456", "https://blog.example/2014/05/slug/"),
            // The same post exported twice: emitted again, the core merges by path.
            ("123", "https://blog.example/2014/05/slug/"),
        ]
    );
    let threads: Vec<(&str, &str, Option<&str>)> = posts(&items)
        .iter()
        .map(|p| (p.key.as_str(), p.page.as_str(), p.parent.as_deref()))
        .collect();
    assert_eq!(
        threads,
        [
            ("201", "123", Some("202")), // before its parent
            ("202", "123", None),
            ("203", "123", Some("999")), // parent not in the file: passed on as is
            ("204", "456", None),
            ("205", "123", Some("202")),
        ]
    );
}

// --- dates ---

#[test]
fn dates_prefer_gmt_and_are_read_leniently() {
    let (items, report) = run(include_bytes!("../fixtures/wordpress-dates.xml"));
    let created: Vec<(&str, i64)> = posts(&items).iter().map(|p| (p.key.as_str(), p.created)).collect();
    assert_eq!(
        created,
        [
            ("10", 0), // nothing at all to go by: the first comment in the file, its post undated
            ("1", ms(datetime!(2014-05-01 08:00:00 UTC))), // unreadable: the post's GMT date
            ("2", ms(datetime!(2014-05-06 14:34:56 UTC))), // zero GMT date: local date as UTC
            ("3", ms(datetime!(2014-05-07 10:00:00 UTC))), // T separator
            ("4", ms(datetime!(2014-05-07 10:00:00.250 UTC))),
            ("5", ms(datetime!(2014-05-07 10:00:00 UTC))), // +02:00 honoured
            ("6", ms(datetime!(2014-05-07 09:05:00 UTC))), // 2014-5-7 9:05
            ("7", ms(datetime!(2014-05-07 09:05:00 UTC))), // month 13: the previous comment's date
            ("8", ms(datetime!(2014-05-08 08:00:00 UTC))), // no GMT element
            ("9", ms(datetime!(2014-05-09 09:00:00 UTC))), // whitespace around: no repair
        ]
    );
    assert_eq!(
        repairs(&report),
        expect(&[
            (R_LOCAL_DATE, 2),
            (R_LENIENT_DATE, 4),
            (dates::R_EPOCH, 1),
            (dates::R_PAGE, 1),
            (dates::R_PREVIOUS, 1),
        ])
    );
}

#[test]
fn date_parser_cases() {
    let d = |s: &str| dates::parse(s).map(|d| (d.ms, is_wordpress_form(s)));
    assert_eq!(
        d("2014-05-06 12:34:56"),
        Some((ms(datetime!(2014-05-06 12:34:56 UTC)), true))
    );
    assert_eq!(d("2014-05-06"), Some((ms(datetime!(2014-05-06 00:00:00 UTC)), false)));
    assert_eq!(
        d("2014-05-06T12:34:56Z"),
        Some((ms(datetime!(2014-05-06 12:34:56 UTC)), false))
    );
    assert_eq!(
        d("2014-05-06 12:34:56 -0130"),
        Some((ms(datetime!(2014-05-06 14:04:56 UTC)), false))
    );
    assert_eq!(
        d("2014/05/06 12:34:56 GMT"),
        Some((ms(datetime!(2014-05-06 12:34:56 UTC)), false))
    );
    assert_eq!(
        d("2014-05-06 12:34:56,5"),
        Some((ms(datetime!(2014-05-06 12:34:56.5 UTC)), false))
    );
    for bad in [
        "",
        "0000-00-00 00:00:00",
        "2014-02-30 00:00:00",
        "2014-05-06 24:00:00",
        "2014-05-0612:00:00",
        "06.05.2014",
        "2014-05-06 12:34:56 Europe/Berlin",
        "gestern",
    ] {
        assert_eq!(d(bad), None, "{bad}");
    }
}

// --- text ---

#[test]
fn entities_cdata_and_emoji_come_out_decoded() {
    let (items, report) = run(include_bytes!("../fixtures/wordpress-text.xml"));
    assert_eq!(pages(&items)[0].title.as_deref(), Some("Café & Kuchen – Teil 1"));
    let body = |key| html(post(&items, key)).to_owned();
    // `&amp;hellip;` is the HTML entity `&hellip;` once XML is unescaped.
    assert_eq!(body("1"), "<p>Schön &hellip; wirklich’s gut</p>");
    // CDATA split in two to hold `]]>`.
    assert_eq!(body("2"), "Code: a[b[0]]> ist falsch");
    // Astral characters: literal (with a skin-tone modifier), as references and as a surrogate pair.
    assert_eq!(body("3"), "Toll 😀👍🏽 😀 😀 😀");
    // HTML entities undefined in XML: kept for the HTML renderer.
    assert_eq!(body("4"), "Na ja&hellip; &nbsp;ok");
    let tom = post(&items, "5");
    assert_eq!(tom.author.as_deref(), Some("Tom & Jerry"));
    assert_eq!(tom.website.as_deref(), Some("https://x.example/?a=1&b=2"));
    // Unescaped HTML inside the field: kept as the HTML it is.
    assert_eq!(body("6"), "<p>Hallo<br>Welt</p><img src=\"bild.png\"/>");
    // A character reference to CR survives end-of-line handling.
    assert_eq!(body("7"), "Zeile 1\nZeile 2\rZeile 3");
    // A lone surrogate and NUL are invalid references; `&#xZZ;` is no reference at all, but text.
    assert_eq!(body("8"), "\u{FFFD}x \u{FFFD} &#xZZ;");
    // CDATA is not unescaped.
    assert_eq!(post(&items, "9").author.as_deref(), Some("M&amp;M"));
    assert_eq!(body("9"), "Grüße");
    // Bodies are trimmed, blank authors are None.
    assert_eq!(body("10"), "<p>Leerraum</p>");
    assert_eq!(post(&items, "10").author, None);
    assert_eq!(
        repairs(&report),
        expect(&[
            (xml::R_ENTITY_IN_HTML, 2),
            (xml::R_BARE_AMP, 3),
            (xml::R_SURROGATES, 1),
            (xml::R_BAD_CHAR_REF, 2),
            (xml::R_MARKUP, 1),
        ])
    );
}

#[test]
fn latin1_files_are_decoded() {
    let (items, report) = run(include_bytes!("../fixtures/wordpress-latin1.xml"));
    assert_eq!(pages(&items)[0].title.as_deref(), Some("Grüße"));
    let p = post(&items, "1");
    assert_eq!(p.author.as_deref(), Some("Jürgen"));
    // windows-1252 bytes 0x80, 0x96, 0x84 and 0x93 are €, –, „ and “.
    assert_eq!(html(p), "Danke für den Beitrag! Kostet 5 € – „gut“");
    assert_eq!(report.repairs, Default::default());
}

#[test]
fn latin1_declared_but_utf8_written_is_read_as_utf8() {
    let (items, report) = run(include_bytes!("../fixtures/wordpress-latin1-but-utf8.xml"));
    assert_eq!(html(post(&items, "1")), "Danke für den Beitrag! Kostet 5 € – „gut“");
    assert_eq!(repairs(&report), expect(&[(xml::R_LATIN1_IS_UTF8, 1)]));
}

#[test]
fn invalid_utf8_is_replaced() {
    let (items, report) = run(include_bytes!("../fixtures/wordpress-bad-utf8.xml"));
    let p = post(&items, "1");
    assert_eq!(p.author.as_deref(), Some("J\u{FFFD}rgen"));
    assert_eq!(html(p), "Danke f\u{FFFD}r den Beitrag!");
    assert_eq!(repairs(&report), expect(&[(common::R_BAD_UTF8, 2)]));
}

#[test]
fn unsupported_encodings_are_read_as_utf8() {
    let input = CLEAN.replace("encoding=\"UTF-8\"", "encoding=\"Shift_JIS\"");
    let (items, report) = run(input.as_bytes());
    assert_eq!(items, run(CLEAN.as_bytes()).0);
    assert_eq!(repairs(&report), expect(&[(xml::R_ENCODING, 1)]));
}

// --- status and type ---

#[test]
fn statuses_types_and_private_notes() {
    let (items, report) = run(include_bytes!("../fixtures/wordpress-status.xml"));
    let got: Vec<(&str, Status, bool)> = posts(&items)
        .iter()
        .map(|p| (p.key.as_str(), p.status, p.pingback))
        .collect();
    assert_eq!(
        got,
        [
            ("1", Status::Published, false),  // "1", type ""
            ("2", Status::Pending, false),    // "0", "comment"
            ("3", Status::Spam, true),        // "spam", "pingback"
            ("4", Status::Deleted, true),     // "trash", "trackback"
            ("5", Status::Pending, true),     // "post-trashed", "webmention"
            ("6", Status::Pending, false),    // "", "review"
            ("11", Status::Published, false), // "custom_type"
            ("12", Status::Spam, true),       // "SPAM", "Pingback"
            ("13", Status::Pending, false),   // "approve" is no WXR value
        ]
    );
    // The shop order's note gives no page either.
    assert_eq!(pages(&items).len(), 1);
    assert_eq!(repairs(&report), expect(&[(common::R_STATUS, 3), (R_TYPE, 1)]));
    assert_eq!(skips(&report), expect(&[(S_OUTSIDE_ITEM, 1), (S_PRIVATE_NOTE, 5)]));
}

// --- the end of the file ---

#[test]
fn missing_closing_tags_after_the_last_item_are_accepted() {
    let cut = CLEAN.trim_end().strip_suffix("</channel>\n</rss>").unwrap();
    let (items, report) = run(cut.as_bytes());
    assert_eq!(items, run(CLEAN.as_bytes()).0);
    assert_eq!(repairs(&report), expect(&[(R_UNCLOSED_DOCUMENT, 1)]));
}

#[test]
fn what_a_server_printed_after_the_export_is_ignored() {
    for junk in [
        "\n<br />\n<b>Notice</b>: a < b & c in <b>/var/www/x.php</b> on line <b>7</b><br />\n",
        "Warning: Cannot modify header information",
        "\n</div></body></html>\n",
    ] {
        let (items, report) = run(format!("{CLEAN}{junk}").as_bytes());
        assert_eq!(items, run(CLEAN.as_bytes()).0, "{junk}");
        assert_eq!(repairs(&report), expect(&[(xml::R_OUTSIDE, 1)]), "{junk}");
    }
    // Whitespace and comments after the end are no repair.
    let (_, report) = run(format!("{CLEAN}\n\n<!-- cached -->\n").as_bytes());
    assert_eq!(report.repairs, Default::default());
}

#[test]
fn exports_joined_in_one_file_are_all_read() {
    let second = include_str!("../fixtures/wordpress-ns-1.0.xml");
    let (items, report) = run(format!("{CLEAN}{second}").as_bytes());
    let mut expected = run(CLEAN.as_bytes()).0;
    expected.extend(anna());
    assert_eq!(items, expected);
    assert_eq!(repairs(&report), expect(&[(xml::R_SEVERAL, 1)]));
}

#[test]
fn a_field_that_never_ends_is_refused_before_it_fills_memory() {
    let chunk = format!("<![CDATA[{}]]><br/>", "x".repeat(1 << 20));
    let input = format!(
        "<rss xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel><item>\n<wp:post_id>1</wp:post_id>\
         <wp:comment>\n  <wp:comment_content>{}",
        chunk.repeat(10)
    );
    let e = fail(input.as_bytes());
    assert_eq!(e.message, "<wp:comment_content> is longer than 8 MiB: is it closed?");
    assert_eq!(e.position, at(3, 3));
}

#[test]
fn a_file_cut_inside_an_item_is_refused() {
    let input = include_str!("../fixtures/wordpress-truncated.xml");
    let e = fail(input.as_bytes());
    assert!(e.message.contains("cut off"), "{e}");
    // At the end of the file: after its 28 lines.
    assert_eq!(input.lines().count(), 28);
    assert_eq!(e.position, at(29, 1));
}

// --- errors ---

#[test]
fn mismatched_end_tag_is_refused_with_its_position() {
    let input = "<?xml version=\"1.0\"?>\n<rss xmlns:wp=\"http://wordpress.org/export/1.2/\">\n<channel>\n\
                 <item>\n  <title>Hallo</title>\n  </channel>\n</rss>\n";
    let e = fail(input.as_bytes());
    assert_eq!(e.message, "mismatched end tag </channel>, expected </item>");
    assert_eq!(e.position, at(6, 3));
    assert!(e.to_string().ends_with("(at line 6, column 3)"));
}

#[test]
fn an_unclosed_field_is_refused_at_its_start() {
    let input = CLEAN.replace(
        "<wp:comment_author><![CDATA[Dora]]></wp:comment_author>",
        "<wp:comment_author><![CDATA[Dora]]>",
    );
    let line = CLEAN.lines().position(|l| l.contains("[Dora]")).unwrap() as u64 + 1;
    let e = fail(input.as_bytes());
    assert_eq!(e.message, "<wp:comment_author> is not closed before </wp:comment>");
    assert_eq!(e.position, at(line, 4));
}

#[test]
fn a_bare_less_than_is_refused() {
    let input = "<rss xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel><item>\n\
                 <title>1 < 2</title></item></channel></rss>";
    let e = fail(input.as_bytes());
    assert!(e.message.contains("&lt;"), "{e}");
    assert_eq!(e.position, at(2, 10));
}

#[test]
fn broken_markup_is_refused_with_its_position() {
    let input = "<rss xmlns:wp=\"http://wordpress.org/export/1.2/\">\n<channel>\n<!-- ohne Ende\n";
    let e = fail(input.as_bytes());
    assert!(e.message.starts_with("malformed XML"), "{e}");
    assert_eq!(e.position, at(3, 1));
    let e = fail(b"<rss>\n  <channel x=\"1\"");
    assert_eq!(e.position, at(2, 3));
}

#[test]
fn other_documents_are_refused() {
    let disqus = "<?xml version=\"1.0\"?>\n<disqus xmlns=\"http://disqus.com\">\n</disqus>\n";
    let e = fail(disqus.as_bytes());
    assert_eq!(
        e.message,
        "not a WordPress export: the document element is <disqus>, not <rss>"
    );
    assert_eq!(e.position, at(2, 1));
    let feed = "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><item><title>x</title></item></channel></rss>\n";
    let e = fail(feed.as_bytes());
    assert!(e.message.contains("no WXR"), "{e}");
    assert_eq!(e.position, at(3, 1));
}

#[test]
fn stray_end_tag_is_refused() {
    let e = fail(b"<?xml version=\"1.0\"?>\n</rss>");
    assert_eq!(e.message, "end tag </rss> without a start tag");
    assert_eq!(e.position, at(2, 1));
    let e = fail(b"<rss xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel>\n</item></channel></rss>");
    assert_eq!(e.message, "mismatched end tag </item>, expected </channel>");
    assert_eq!(e.position, at(2, 1));
}

#[test]
fn absurd_nesting_is_refused() {
    let input = format!(
        "<rss xmlns:wp=\"http://wordpress.org/export/1.2/\">\n{}",
        "<div>".repeat(MAX_DEPTH)
    );
    let e = fail(input.as_bytes());
    assert_eq!(e.message, "elements nested more than 256 deep");
    assert_eq!(e.position, at(2, 1 + 5 * (MAX_DEPTH as u64 - 1)));
}

// --- streaming ---

#[test]
fn large_input_streams() {
    let (items, per_item) = (400, 50);
    let (source, written) = Generated::new(move |i| {
        let mut s = String::new();
        if i == 0 {
            s.push_str(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
                 <rss version=\"2.0\" xmlns:wp=\"http://wordpress.org/export/1.2/\">\n<channel>\n",
            );
        }
        if i < items {
            s.push_str(&format!(
                "<item><title>Beitrag {i}</title><link>https://blog.example/{i}/</link>\
                 <wp:post_id>{i}</wp:post_id>\n"
            ));
            for j in 0..per_item {
                let id = i * per_item + j;
                let parent = if j == 0 { 0 } else { id - 1 };
                s.push_str(&format!(
                    "<wp:comment><wp:comment_id>{id}</wp:comment_id>\
                     <wp:comment_author><![CDATA[Leser {id}]]></wp:comment_author>\
                     <wp:comment_date_gmt>2014-05-06 12:34:56</wp:comment_date_gmt>\
                     <wp:comment_content><![CDATA[Danke für den Beitrag! 😀]]></wp:comment_content>\
                     <wp:comment_approved>1</wp:comment_approved>\
                     <wp:comment_parent>{parent}</wp:comment_parent></wp:comment>\n"
                ));
            }
            s.push_str("</item>\n");
        } else if i == items {
            s.push_str("</channel>\n</rss>\n");
        } else {
            return None;
        }
        Some(s)
    });
    let mut pages = 0;
    let mut posts = 0;
    let mut written_at_first_post = None;
    let mut last_key = String::new();
    let mut report = Report::default();
    let result = read(
        BufReader::with_capacity(4096, source),
        &mut |item| match item {
            Item::Page(_) => pages += 1,
            Item::Post(p) => {
                posts += 1;
                written_at_first_post.get_or_insert(written.get());
                last_key = p.key;
            }
        },
        &mut report,
    );
    assert!(result.is_ok(), "{result:?}");
    assert_eq!((pages, posts), (400, 20_000));
    assert_eq!(last_key, "19999");
    assert_eq!(report.repairs, Default::default());
    let total = written.get();
    assert!(total > 5_000_000, "{total}");
    // The first comment arrived after one buffer of input, long before the end.
    assert!(
        written_at_first_post.unwrap() <= 8192,
        "{written_at_first_post:?} of {total}"
    );
}
