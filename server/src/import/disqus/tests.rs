//! The Disqus reader on its fixtures: one test per awkward case of the format.
//! Size: one test per awkward case of the format, most with the whole expected output.

use std::io;

use super::records::{R_FLAG_BAD, R_FLAG_LOOSE};
use super::*;
use crate::domain::Status;
use crate::domain::import::{Body, Page, Post, stable_key};
use crate::import::testing::{Generated, at, expect, outcome, pages, post, posts, repairs};
use crate::import::{common, dates, xml};

const BOM: &[u8] = b"\xEF\xBB\xBF";

const T_12_34_56: i64 = 1_399_379_696_000; // 2014-05-06T12:34:56Z

fn run(input: &[u8]) -> (Vec<Item>, Report, Result<(), ImportError>) {
    outcome(|sink, report| read(input, sink, report))
}

fn ok(input: &[u8]) -> (Vec<Item>, Report) {
    let (items, report, result) = run(input);
    result.expect("the file reads");
    (items, report)
}

fn err(input: &[u8]) -> ImportError {
    let (_, _, result) = run(input);
    result.expect_err("the file is refused")
}

fn html(s: &str) -> Body {
    Body::Html(s.to_string())
}

#[test]
fn reads_a_clean_export_in_file_order() {
    let (items, report) = ok(include_bytes!("../fixtures/disqus-clean.xml"));
    assert_eq!(
        items,
        vec![
            Item::Page(Page {
                key: "1001".into(),
                url: "https://blog.example/2014/05/hallo-welt/".into(),
                title: Some("Hallo Welt".into()),
            }),
            Item::Page(Page {
                key: "1002".into(),
                url: "https://blog.example/about/".into(),
                title: Some("About us".into()),
            }),
            Item::Post(Post {
                key: "2001".into(),
                page: "1001".into(),
                parent: None,
                author: Some("Anna Beispiel".into()),
                email: Some("anna@mail.example".into()),
                website: None,
                body: html("<p>Danke für den Beitrag!</p>"),
                created: T_12_34_56,
                status: Status::Published,
                likes: 0,
                dislikes: 0,
                pingback: false,
            }),
            Item::Post(Post {
                key: "2002".into(),
                page: "1001".into(),
                parent: Some("2001".into()),
                author: Some("Gast".into()),
                email: Some("gast@mail.example".into()),
                website: None,
                body: html("<p>Gern geschehen &amp; viele Grüße</p>"),
                created: 1_399_381_200_000,
                status: Status::Published,
                likes: 0,
                dislikes: 0,
                pingback: false,
            }),
            Item::Post(Post {
                key: "2003".into(),
                page: "1002".into(),
                parent: None,
                author: Some("Bob Example".into()),
                email: Some("bob@mail.example".into()),
                website: None,
                body: html("<p>This comment was removed.</p>"),
                created: 1_420_272_900_000,
                status: Status::Deleted,
                likes: 0,
                dislikes: 0,
                pingback: false,
            }),
            Item::Post(Post {
                key: "2004".into(),
                page: "1002".into(),
                parent: None,
                author: Some("Watches".into()),
                email: Some("spam@spam.example".into()),
                website: None,
                body: html("<p>Cheap watches here</p>"),
                created: 1_420_362_000_000,
                status: Status::Spam,
                likes: 0,
                dislikes: 0,
                pingback: false,
            }),
        ]
    );
    assert_eq!(report, Report::default(), "a clean file needs no repairs");
}

#[test]
fn a_bom_alone_is_no_repair() {
    let input = [BOM, include_bytes!("../fixtures/disqus-clean.xml")].concat();
    let (items, report) = ok(&input);
    assert_eq!(items.len(), 6);
    assert!(report.repairs.is_empty());
}

#[test]
fn skips_a_bom_whitespace_and_junk_before_the_declaration() {
    let input = include_bytes!("../fixtures/disqus-prelude.xml");
    assert!(input.starts_with(BOM) && !input[3..].starts_with(b"<"));
    let (items, report) = ok(input);
    assert_eq!(pages(&items)[0].key, "1001");
    let p = post(&items, "2001");
    assert_eq!(p.body, html("<p>Danke für den Beitrag!</p>"));
    assert_eq!(p.created, T_12_34_56);
    assert_eq!(repairs(&report), expect(&[(xml::R_PRELUDE, 1)]));
}

#[test]
fn whitespace_before_a_declaration_is_a_repair_but_not_before_a_bare_root() {
    let (_, report) = ok(b"\n\n<?xml version=\"1.0\"?><disqus/>");
    assert_eq!(repairs(&report), expect(&[(xml::R_PRELUDE, 1)]));
    let (_, report) = ok(b"\n\n<disqus xmlns=\"http://disqus.com\"/>");
    assert!(report.repairs.is_empty());
}

#[test]
fn positions_after_a_prelude_count_the_skipped_lines() {
    let e = err(b"junk line\n\n<?xml version=\"1.0\"?>\n<disqus>\n  <post dsq:id=\"1\"");
    assert_eq!(e.position, at(5, 3));
}

#[test]
fn reads_undeclared_prefixes_and_unquoted_attributes() {
    let (items, report) = ok(include_bytes!("../fixtures/disqus-namespaces.xml"));
    assert_eq!(
        pages(&items),
        vec![&Page {
            key: "1001".into(),
            url: "https://blog.example/2014/05/hallo-welt/".into(),
            title: Some("Hallo Welt".into()),
        }]
    );
    let keys: Vec<_> = posts(&items)
        .iter()
        .map(|p| (p.key.as_str(), p.page.as_str()))
        .collect();
    assert_eq!(keys, vec![("2001", "1001"), ("2002", "1001")]);
    assert_eq!(post(&items, "2002").parent.as_deref(), Some("2001"));
    assert_eq!(post(&items, "2002").body, html("<p>Thanks, Anna!</p>"));
    // Undeclared prefixes are counted once each (dsq, xsi); every unquoted value once.
    assert_eq!(
        repairs(&report),
        expect(&[(xml::R_UNDECLARED_PREFIX, 2), (xml::R_UNQUOTED, 6)])
    );
}

#[test]
fn keeps_an_unknown_entity_in_a_title_as_text() {
    let input = b"<disqus xmlns:dsq=\"x\"><thread dsq:id=\"1\"><link>/a/</link>\
        <title>I &hearts; Kuchen &#x;</title></thread></disqus>";
    let (items, report) = ok(input);
    assert_eq!(pages(&items)[0].title.as_deref(), Some("I &hearts; Kuchen &#x;"));
    assert_eq!(
        repairs(&report),
        expect(&[(xml::R_ENTITY_UNKNOWN, 1), (xml::R_BARE_AMP, 1)])
    );
}

#[test]
fn notes_a_foreign_declared_encoding_and_ill_formed_markup() {
    let input = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><!DOCTYPE><disqus xmlns:dsq=\"x\">\
        <thread dsq:id=\"1\"><link>/gr\xc3\xbc\xc3\x9fe/</link></thread></disqus>";
    let (items, report) = ok(input);
    assert_eq!(pages(&items)[0].url, "/grüße/");
    assert_eq!(
        repairs(&report),
        expect(&[(xml::R_LATIN1_IS_UTF8, 1), (R_ILL_FORMED, 1)])
    );
}

#[test]
fn an_id_on_another_prefix_and_entities_in_attributes_are_read() {
    let (items, report) = ok(br#"<disqus xmlns="http://disqus.com" xmlns:ns0="x">
        <thread ns0:id="a&amp;b"><link>/a/</link></thread></disqus>"#);
    assert_eq!(pages(&items)[0].key, "a&b");
    assert!(report.repairs.is_empty());
}

#[test]
fn handles_empty_and_padded_ids_and_loose_references() {
    let (items, report) = ok(include_bytes!("../fixtures/disqus-ids.xml"));
    let no_id_page = stable_key(&["https://blog.example/ohne-id/"]);
    let no_id_post = stable_key(&[
        "1001",
        "Anna Beispiel",
        "2014-05-06T12:00:00Z",
        "<p>Kommentar ohne Id</p>",
    ]);
    let order: Vec<_> = items
        .iter()
        .map(|i| match i {
            Item::Page(p) => format!("page {}", p.key),
            Item::Post(p) => format!("post {} on {} under {:?}", p.key, p.page, p.parent),
        })
        .collect();
    assert_eq!(
        order,
        vec![
            format!("page {no_id_page}"),
            "page 1001".into(),
            "page 1003".into(),
            format!("post {no_id_post} on 1001 under None"),
            "post 2002 on 1001 under Some(\"2001\")".into(),
            "post 2001 on 1003 under None".into(),
            "post 2005 on 1001 under Some(\"1999\")".into(),
            "post 2006 on 1004 under None".into(),
            "post 2007 on 4040 under None".into(),
            "post 2008 on 1001 under None".into(),
            "page 1004".into(),
        ]
    );
    let ps = pages(&items);
    assert_eq!(ps[0].url, "https://blog.example/ohne-id/");
    // Two threads for the same page are both emitted: the core merges them by path.
    assert_eq!(ps[1].url, "https://blog.example/2014/05/hallo-welt/");
    assert_eq!(ps[2].url, "https://blog.example/2014/05/hallo-welt/?utm_source=feed");
    assert_eq!(ps[3].title, None);
    assert_eq!(
        repairs(&report),
        expect(&[
            (common::R_NO_ID, 1),
            (R_EMPTY_PARENT, 1),
            (common::R_ID_SPACE, 2),
            (common::R_PAGE_NO_ID, 1)
        ])
    );
    assert_eq!(report.skipped.get(common::SKIP_NO_PAGE), Some(&1));
}

#[test]
fn derived_post_keys_are_stable_across_runs() {
    let input = include_bytes!("../fixtures/disqus-ids.xml");
    let (a, _) = ok(input);
    let (b, _) = ok(input);
    assert_eq!(posts(&a)[0].key, posts(&b)[0].key);
    assert!(posts(&a)[0].key.starts_with("h:"));
}

#[test]
fn decodes_cdata_entities_and_emoji() {
    let (items, report) = ok(include_bytes!("../fixtures/disqus-text.xml"));
    assert_eq!(
        pages(&items)[0],
        &Page {
            key: "1001".into(),
            url: "https://blog.example/tom-und-jerry/".into(),
            title: Some("Tom & Jerry: Café über alles & mehr".into()),
        }
    );
    let body = |key| post(&items, key).body.clone();
    assert_eq!(body("2001"), html("<p>Grüße &amp; Küsse 😀</p>"));
    assert_eq!(post(&items, "2001").author.as_deref(), Some("Anna 😀 Beispiel"));
    assert_eq!(body("2002"), html("<p>Schöne Grüße &amp; bis bald</p>"));
    assert_eq!(body("2003"), html("<p>Smile 😀 and 😀</p>"));
    assert_eq!(body("2004"), html("<p>Java wrote 😀 here</p>"));
    assert_eq!(body("2005"), html("<p>Preis:&nbsp;5&euro;</p>"));
    assert_eq!(body("2006"), html("<p>Erste Zeile<br>zweite Zeile</p>"));
    assert_eq!(body("2007"), html("<p>Mehrere</p> <p>Teile &lt;b&gt;</p>"));
    assert_eq!(post(&items, "2002").author, None);
    assert_eq!(
        repairs(&report),
        expect(&[
            (xml::R_ENTITY_IN_HTML, 2),
            (xml::R_ENTITY_DECODED, 2),
            (xml::R_SURROGATES, 1),
            (xml::R_BARE_AMP, 1),
            (xml::R_MARKUP, 1),
        ])
    );
}

#[test]
fn normalizes_line_ends_and_replaces_bad_bytes_and_references() {
    let input = b"<disqus xmlns:dsq=\"x\"><post dsq:id=\"1\"><thread dsq:id=\"t\"/>\
        <createdAt>2014-05-06T12:34:56Z</createdAt>\
        <message><![CDATA[eins\r\nzwei\rdrei \xff]]>&#xD83D; &#0; &unbekannt;</message></post></disqus>";
    let (items, report) = ok(input);
    assert_eq!(
        post(&items, "1").body,
        html("eins\nzwei\ndrei \u{fffd}\u{fffd} \u{fffd} &unbekannt;")
    );
    assert_eq!(
        repairs(&report),
        expect(&[
            (xml::R_ENTITY_IN_HTML, 1),
            (common::R_BAD_UTF8, 1),
            (xml::R_BAD_CHAR_REF, 2)
        ])
    );
}

#[test]
fn reads_dates_leniently_and_fills_in_unreadable_ones() {
    let (items, report) = ok(include_bytes!("../fixtures/disqus-dates.xml"));
    let created = |key| post(&items, key).created;
    assert_eq!(created("3000"), 0, "nothing to fall back on");
    for key in ["3001", "3002", "3003", "3004", "3006", "3007", "3008"] {
        assert_eq!(created(key), T_12_34_56, "post {key}");
    }
    assert_eq!(created("3005"), T_12_34_56 + 789);
    assert_eq!(created("3009"), 1_399_334_400_000);
    assert_eq!(created("3010"), 1_399_449_600_000);
    assert_eq!(created("3011"), 1_399_449_600_000, "the previous comment on the page");
    assert_eq!(created("3012"), 1_420_167_845_000, "the page's date");
    assert_eq!(created("3013"), 1_399_449_600_000, "the previous comment in the file");
    assert_eq!(
        repairs(&report),
        expect(&[
            (dates::R_NO_ZONE, 1),
            (dates::R_ONE_DIGIT, 1),
            (dates::R_SPACE, 1),
            (dates::R_NO_TIME, 1),
            (dates::R_PAGE, 1),
            (dates::R_PREVIOUS, 2),
            (dates::R_EPOCH, 1),
        ])
    );
}

#[test]
fn maps_flags_to_statuses_leniently() {
    let (items, report) = ok(include_bytes!("../fixtures/disqus-flags.xml"));
    let status = |key| post(&items, key).status;
    assert_eq!(status("4001"), Status::Deleted);
    assert_eq!(status("4002"), Status::Spam);
    assert_eq!(status("4003"), Status::Published);
    assert_eq!(status("4004"), Status::Spam, "spam wins over deleted");
    assert_eq!(status("4005"), Status::Pending);
    assert_eq!(status("4006"), Status::Deleted, "deleted wins over unapproved");
    assert_eq!(status("4007"), Status::Published);
    let p = post(&items, "4005");
    assert_eq!(
        p.author.as_deref(),
        Some("anna_b"),
        "the username stands in for an empty name"
    );
    assert_eq!(p.email.as_deref(), Some("anna@mail.example"));
    assert_eq!(p.website.as_deref(), Some("https://anna.example/"));
    assert!(
        posts(&items)
            .iter()
            .all(|p| p.likes == 0 && p.dislikes == 0 && !p.pingback)
    );
    assert_eq!(repairs(&report), expect(&[(R_FLAG_LOOSE, 5), (R_FLAG_BAD, 1)]));
}

#[test]
fn mends_missing_and_stray_end_tags_and_ignores_content_after_the_export() {
    let input = br#"<disqus xmlns:dsq="x"><thread dsq:id="1"><link>/a/</link><title>Eins</titel></thread>
        <post dsq:id="2"><createdAt>2014-05-06T12:34:56Z</createdAt><thread dsq:id="1"/><message>Hallo</message></post></foo></disqus>
        trailing junk <more/>"#;
    let (items, report) = ok(input);
    assert_eq!(pages(&items)[0].title.as_deref(), Some("Eins"));
    assert_eq!(post(&items, "2").body, html("Hallo"));
    assert_eq!(
        repairs(&report),
        expect(&[(xml::R_OUTSIDE, 2), (R_MISSING_END, 1), (R_STRAY_END, 2)])
    );
}

#[test]
fn reads_concatenated_exports() {
    let one = include_str!("../fixtures/disqus-prelude.xml");
    let one = &one[one.find("<?xml").unwrap()..];
    let input = format!("{one}{}", one.replace("2001", "2002"));
    let (items, report) = ok(input.as_bytes());
    assert_eq!(posts(&items).len(), 2);
    assert_eq!(repairs(&report), expect(&[(xml::R_SEVERAL, 1)]));
}

#[test]
fn refuses_what_is_not_xml() {
    let e = err(include_bytes!("../fixtures/disqus-not-xml.txt"));
    assert_eq!(e.position, at(1, 1));
    assert!(e.message.contains("not a Disqus export"), "{e}");
    assert_eq!(err(b"").position, at(1, 1));
    assert!(err(b" \n ").message.contains("empty"));
    assert!(err(b"\xff\xfe<\0?\0").message.contains("UTF-16"));
}

#[test]
fn refuses_another_root_element_where_it_stands() {
    let e = err(include_bytes!("../fixtures/disqus-wrong-root.xml"));
    assert_eq!(e.position, at(2, 1));
    assert!(e.message.contains("<rss>"), "{e}");
}

#[test]
fn refuses_a_file_cut_off_inside_a_message() {
    let (items, _, result) = run(include_bytes!("../fixtures/disqus-truncated.xml"));
    let e = result.expect_err("cut off");
    assert_eq!(e.position, at(12, 14), "{e}");
    assert!(e.message.contains("CDATA"), "{e}");
    assert_eq!(items.len(), 2, "what came before was read");
}

#[test]
fn refuses_a_file_cut_off_inside_a_tag() {
    let e = err(include_bytes!("../fixtures/disqus-cut-tag.xml"));
    assert_eq!(e.position, at(4, 3), "{e}");
}

#[test]
fn refuses_a_file_cut_off_before_the_end_of_the_export() {
    let e = err(include_bytes!("../fixtures/disqus-unclosed.xml"));
    assert_eq!(e.position, at(5, 1), "{e}");
    assert!(e.message.contains("<disqus>"), "{e}");
}

#[test]
fn columns_and_lines_are_counted_across_long_inputs() {
    let mut input = String::from("<?xml version=\"1.0\"?>\n<disqus>\n");
    for i in 0..500 {
        input.push_str(&format!(
            "  <post dsq:id=\"{i}\">\n    <thread dsq:id=\"t\"/>\n    <message>Zeile\neins</message>\n  </post>\n"
        ));
    }
    input.push_str("  <post dsq:id=\"x\"><message><![CDATA[abgeschnitten");
    let e = err(input.as_bytes());
    assert_eq!(e.position, at(2 + 500 * 5 + 1, 29), "{e}");
}

#[test]
fn streams_a_large_export() {
    let (input, produced) = Generated::new(|i| match i {
        0 => Some(
            "<?xml version=\"1.0\"?>\n<disqus xmlns:dsq=\"http://disqus.com/disqus-internals\">\n\
             <thread dsq:id=\"1\"><link>https://blog.example/</link></thread>\n"
                .to_owned(),
        ),
        i if i <= 20_000 => {
            let i = i - 1;
            Some(format!(
                "<post dsq:id=\"{i}\"><message><![CDATA[<p>Kommentar Nummer {i}, danke für den Beitrag!</p>]]>\
                 </message><createdAt>2014-05-06T12:34:56Z</createdAt><isDeleted>false</isDeleted>\
                 <isSpam>false</isSpam><author><name>Leser {i}</name></author><thread dsq:id=\"1\"/></post>\n"
            ))
        }
        20_001 => Some("</disqus>\n".to_owned()),
        _ => None,
    });
    let input = io::BufReader::with_capacity(8192, input);
    let mut count = 0;
    let mut first_post_seen_at = None;
    let mut report = Report::default();
    let mut sink = |item: Item| {
        if let Item::Post(p) = &item {
            assert_eq!(p.key, count.to_string(), "file order");
            count += 1;
            first_post_seen_at.get_or_insert(produced.get());
        }
    };
    read(input, &mut sink, &mut report).expect("reads");
    assert_eq!(count, 20_000);
    let total = produced.get();
    let first = first_post_seen_at.expect("posts seen");
    assert!(total > 4_000_000, "{total}");
    assert!(
        first <= 16 * 1024,
        "the first post arrives after {first} of {total} bytes"
    );
    assert!(report.repairs.is_empty());
}
