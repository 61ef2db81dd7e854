//! The Blogger reader on both dialects and on the ways hand-edited and cut-off exports go wrong.
//! Size: one test per awkward case of the format, most with the whole expected output.

use std::io::BufReader;

use time::macros::datetime;

use super::entry::*;
use super::*;
use crate::domain::Status;
use crate::domain::import::{Body, Page, Position, Post, stable_key};
use crate::import::testing::{Generated, expect, ms, outcome, pages, post, posts, repairs};
use crate::import::{common, dates, xml};

const BOM: &[u8] = b"\xEF\xBB\xBF";
fn run(input: &[u8]) -> (Vec<Item>, Report) {
    let (items, report, result) = outcome(|sink, report| read(input, sink, report));
    result.expect("the file reads");
    (items, report)
}

fn fail(input: &[u8]) -> ImportError {
    outcome(|sink, report| read(input, sink, report))
        .2
        .expect_err("the file is refused")
}

const CLASSIC: &[u8] = include_bytes!("../fixtures/blogger-classic.xml");
const TAKEOUT: &[u8] = include_bytes!("../fixtures/blogger-takeout.atom");
const MESSY_PREFIX: &[u8] = include_bytes!("../fixtures/blogger-messy-prefix.xml");
const MESSY_IDS: &[u8] = include_bytes!("../fixtures/blogger-messy-ids.xml");
const MESSY_DATES: &[u8] = include_bytes!("../fixtures/blogger-messy-dates.atom");
const MESSY_TEXT: &[u8] = include_bytes!("../fixtures/blogger-messy-text.xml");
const MESSY_MISC: &[u8] = include_bytes!("../fixtures/blogger-messy-misc.xml");
const BROKEN_TAG: &[u8] = include_bytes!("../fixtures/blogger-broken-tag.xml");
const BARE_LT: &[u8] = include_bytes!("../fixtures/blogger-bare-lt.xml");
const TRUNCATED: &[u8] = include_bytes!("../fixtures/blogger-truncated.xml");
const NOT_ATOM: &[u8] = include_bytes!("../fixtures/blogger-not-atom.xml");
const NO_XML: &[u8] = include_bytes!("../fixtures/blogger-no-xml.txt");

const B1: &str = "tag:blogger.com,1999:blog-1001.post-";

#[test]
fn classic_export_gives_posts_and_pages_in_file_order() {
    let (items, report) = run(CLASSIC);
    let tomatoes = Page {
        key: format!("{B1}123"),
        url: "https://gartenblog.example/2014/05/tomaten-im-mai.html".into(),
        title: Some("Tomaten im Mai".into()),
    };
    let about = Page {
        key: format!("{B1}300"),
        url: "https://gartenblog.example/p/ueber-mich.html".into(),
        title: Some("Über mich".into()),
    };
    let first = Post {
        key: format!("{B1}201"),
        page: format!("{B1}123"),
        parent: None,
        author: Some("Hans Gärtner".into()),
        email: None,
        website: Some("https://hans.example/".into()),
        body: Body::Html("<p>Danke für den Beitrag!</p><p>Welche Sorte ist das?</p>".into()),
        created: ms(datetime!(2014-05-06 12:34:56.789 UTC)),
        status: Status::Published,
        likes: 0,
        dislikes: 0,
        pingback: false,
    };
    let reply = Post {
        key: format!("{B1}202"),
        parent: Some(format!("{B1}201")),
        author: None,
        website: None,
        body: Body::Html("Thanks, lovely photos.".into()),
        created: ms(datetime!(2014-05-06 20:00 UTC)),
        ..first.clone()
    };
    let removed = Post {
        key: format!("{B1}203"),
        author: Some("Unbekannt".into()),
        website: None,
        body: Body::Html("Dieser Kommentar wurde vom Autor entfernt.".into()),
        created: ms(datetime!(2014-05-07 06:00 UTC)),
        status: Status::Deleted,
        ..first.clone()
    };
    let on_page = Post {
        key: format!("{B1}301"),
        page: format!("{B1}300"),
        author: Some("Lea Leserin".into()),
        email: Some("lea@example.org".into()),
        website: None,
        body: Body::Html("Schöne Seite!".into()),
        created: ms(datetime!(2014-02-01 08:30 UTC)),
        ..first.clone()
    };
    // Settings and template entries give nothing.
    assert_eq!(
        items,
        vec![
            Item::Page(tomatoes),
            Item::Post(first),
            Item::Post(reply),
            Item::Post(removed),
            Item::Page(about),
            Item::Post(on_page),
        ]
    );
    assert_eq!(report, Report::default(), "a clean file needs no repairs");
}

#[test]
fn takeout_export_maps_type_parent_reply_and_status() {
    let (items, report) = run(TAKEOUT);
    let b = "tag:blogger.com,1999:blog-2002.post-";
    assert_eq!(
        pages(&items),
        vec![
            &Page {
                key: format!("{b}500"),
                url: "/2019/07/nach-luebeck.html".into(),
                title: Some("Nach Lübeck".into())
            },
            // A draft post still gives a page.
            &Page {
                key: format!("{b}501"),
                url: "/2019/08/entwurf.html".into(),
                title: Some("Entwurf".into())
            },
            &Page {
                key: format!("{b}502"),
                url: "/p/impressum.html".into(),
                title: Some("Impressum".into())
            },
        ]
    );
    let lena = post(&items, &format!("{b}601"));
    assert_eq!(lena.page, format!("{b}500"));
    assert_eq!(lena.parent, None, "an empty inReplyTo is no parent");
    assert_eq!(
        lena.author.as_deref(),
        Some("Lena"),
        "the author's nested blogger:type is not the entry's"
    );
    assert_eq!(lena.website.as_deref(), Some("https://lena.example/"));
    assert_eq!(lena.body, Body::Html("Lübeck ist wunderschön!".into()));
    assert_eq!(lena.created, ms(datetime!(2019-07-03 10:00 UTC)));
    assert_eq!(
        lena.status,
        Status::Published,
        "an empty blogger:trashed is no deletion"
    );
    assert_eq!(post(&items, &format!("{b}602")).parent, Some(format!("{b}601")));
    // A bare comment number becomes a full id.
    let otto = post(&items, &format!("{b}603"));
    assert_eq!(otto.parent, Some(format!("{b}602")));
    assert_eq!(otto.status, Status::Pending);
    assert_eq!(post(&items, &format!("{b}604")).status, Status::Spam);
    assert_eq!(post(&items, &format!("{b}605")).status, Status::Deleted);
    assert_eq!(post(&items, &format!("{b}605")).body, Body::Html(String::new()));
    assert_eq!(post(&items, &format!("{b}606")).status, Status::Deleted);
    let draft = post(&items, &format!("{b}607"));
    assert_eq!(
        (draft.status, draft.page.as_str(), draft.author.as_deref()),
        (Status::Pending, &*format!("{b}502"), None)
    );
    assert_eq!(
        post(&items, &format!("{b}608")).status,
        Status::Deleted,
        "a dated blogger:trashed is"
    );
    assert_eq!(posts(&items).len(), 8);
    assert_eq!(report, Report::default());
}

#[test]
fn bytes_before_the_declaration_undeclared_prefixes_and_trailing_junk_are_mended() {
    let (items, report) = run(MESSY_PREFIX);
    let b = "tag:blogger.com,1999:blog-3003.post-";
    assert_eq!(pages(&items)[0].title.as_deref(), Some("Kaffee & Kuchen"));
    // `thr:` and `gd:` are never declared, yet the comment finds its post and its parent.
    let reply = post(&items, &format!("{b}12"));
    assert_eq!(
        (reply.page.as_str(), reply.parent.as_deref()),
        (&*format!("{b}10"), Some(&*format!("{b}11")))
    );
    assert_eq!(
        post(&items, &format!("{b}11")).email,
        None,
        "noreply@blogger.com is no address"
    );
    assert_eq!(
        repairs(&report),
        expect(&[
            (xml::R_PRELUDE, 1),
            (xml::R_OUTSIDE, 1),
            // Counted once per prefix, not per use.
            (xml::R_UNDECLARED_PREFIX, 2),
        ])
    );
}

#[test]
fn a_byte_order_mark_is_no_repair_and_an_undeclared_blogger_prefix_is_read() {
    assert!(MESSY_DATES.starts_with(BOM));
    let (items, report) = run(MESSY_DATES);
    assert_eq!(pages(&items).len(), 1);
    assert_eq!(posts(&items).len(), 10);
    assert_eq!(report.repairs.get(xml::R_UNDECLARED_PREFIX), Some(&1));
    assert_eq!(report.repairs.get(xml::R_PRELUDE), None);
}

#[test]
fn ids_are_trimmed_derived_when_empty_and_replies_keep_their_parents_order_free() {
    let (items, report) = run(MESSY_IDS);
    let b = "tag:blogger.com,1999:blog-4004.post-";
    let post20 = format!("{b}20");
    // The reply comes first, before the comment it answers and before their post: all emitted as read.
    let keys: Vec<&str> = items
        .iter()
        .map(|i| match i {
            Item::Page(p) => p.key.as_str(),
            Item::Post(p) => p.key.as_str(),
        })
        .collect();
    let hashed_post = stable_key(&["https://4004.example/2015/05/ohne-id.html"]);
    let hashed_comment = stable_key(&[
        &post20,
        "Clara",
        "2015-04-03T08:00:00.000+02:00",
        "Antwort auf einen verlorenen Kommentar.",
    ]);
    assert_eq!(
        keys,
        vec![
            &*format!("{b}22"),
            &*format!("{b}21"),
            &*hashed_comment,
            &*post20,
            &*format!("{b}30"),
            &*format!("{b}31"),
            &*hashed_post,
            &*format!("{b}40"),
            &*format!("{b}60"),
            &*format!("{b}70"),
        ]
    );
    let reply = post(&items, &format!("{b}22"));
    assert_eq!(
        (reply.page.as_str(), reply.parent.as_deref()),
        (&*post20, Some(&*format!("{b}21")))
    );
    assert_eq!(
        post(&items, &format!("{b}21")).page,
        post20,
        "a ref with spaces around it"
    );
    // The parent is not in the file: named all the same (the core decides).
    let orphan = post(&items, &hashed_comment);
    assert_eq!(orphan.parent, Some(format!("{b}999")));
    assert_eq!(pages(&items)[0].url, "https://4004.example/2015/04/brot.html");
    // The draft has no address: it is emitted once a comment names one, just before that comment.
    assert_eq!(
        pages(&items)[1],
        &Page {
            key: format!("{b}30"),
            url: "https://4004.example/2015/04/apfelkuchen.html".into(),
            title: Some("Entwurf: Apfelkuchen".into())
        }
    );
    assert_eq!(
        pages(&items)[2],
        &Page {
            key: hashed_post.clone(),
            url: "https://4004.example/2015/05/ohne-id.html".into(),
            title: None
        }
    );
    assert_eq!(post(&items, &format!("{b}40")).page, hashed_post);
    assert_eq!(post(&items, &format!("{b}60")).parent, None);
    assert_eq!(post(&items, &format!("{b}70")).page, post20);
    assert_eq!(
        repairs(&report),
        expect(&[
            (R_POST_BY_LINK, 1),
            (common::R_NO_ID, 1),
            (R_KINDLESS, 1),
            (R_REPLY_LINK, 1),
            (common::R_ID_SPACE, 2),
        ])
    );
    let skipped: Vec<(&str, usize)> = report.skipped.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        skipped,
        vec![(common::SKIP_NO_PAGE, 1), (SKIP_UNKNOWN_KIND, 1), (SKIP_NO_ADDRESS, 1)]
    );
}

#[test]
fn malformed_and_zoneless_dates_are_read_leniently_or_borrowed() {
    let (items, report) = run(MESSY_DATES);
    let b = "tag:blogger.com,1999:blog-5005.post-";
    let created = |n: u32| post(&items, &format!("{b}{n}")).created;
    let post_date = ms(datetime!(2016-01-10 10:00 UTC));
    assert_eq!(created(69), 0, "first in the file, its post unknown: nothing to borrow");
    assert_eq!(created(71), ms(datetime!(2016-01-11 12:30 UTC)));
    assert_eq!(created(72), ms(datetime!(2016-01-11 11:30 UTC)));
    assert_eq!(created(73), ms(datetime!(2016-01-12 13:00:00.123 UTC)));
    assert_eq!(created(74), ms(datetime!(2016-01-13 00:00 UTC)));
    assert_eq!(created(75), post_date, "the first comment on its post: the post's");
    // Its post is not in the file: the previous comment's in the file (74's, from its other date).
    assert_eq!(
        created(76),
        ms(datetime!(2016-01-13 00:00 UTC)),
        "the previous comment's"
    );
    assert_eq!(created(77), ms(datetime!(2016-01-14 00:00 UTC)));
    assert_eq!(created(78), ms(datetime!(2016-01-14 09:00 UTC)));
    assert_eq!(post(&items, &format!("{b}79")).status, Status::Pending);
    assert_eq!(
        repairs(&report),
        expect(&[
            (dates::R_RFC2822, 1),
            (dates::R_SPACE, 1),
            (dates::R_NO_ZONE, 1),
            (dates::R_NO_TIME, 1),
            (dates::R_EPOCH, 1),
            (dates::R_PAGE, 1),
            (dates::R_PREVIOUS, 1),
            (R_DATE_OTHER, 1),
            (xml::R_UNDECLARED_PREFIX, 1),
            (common::R_STATUS, 1),
        ])
    );
}

#[test]
fn entities_cdata_markup_and_emoji_come_through_intact() {
    let (items, report) = run(MESSY_TEXT);
    let b = "tag:blogger.com,1999:blog-6006.post-";
    let body = |n: u32| post(&items, &format!("{b}{n}")).body.clone();
    let page = pages(&items)[0];
    assert_eq!(page.title.as_deref(), Some("Café & Kuchen 🍰"));
    assert_eq!(page.url, "https://6006.example/2017/06/cafe.html?ref=feed&lang=de");
    // CDATA is taken as it stands: what looks like an entity in it is HTML's.
    assert_eq!(body(81), Body::Html("<p>Schöne Grüße &amp; danke!</p>".into()));
    assert_eq!(post(&items, &format!("{b}81")).author.as_deref(), Some("Müller"));
    // Escaped HTML is unescaped once; an undeclared entity stays for the HTML to mean.
    assert_eq!(
        body(82),
        Body::Html("<p>Tolles Rezept &amp; Foto</p>&nbsp;\"Danke\"".into())
    );
    assert_eq!(
        body(83),
        Body::Html("Kuchen 🍰, Lachen 😀, Paar 😀, halb \u{fffd} und Ende".into())
    );
    assert_eq!(post(&items, &format!("{b}83")).author.as_deref(), Some("Emoji-Fan 🎉"));
    assert_eq!(
        body(84),
        Body::Html("<p class=\"x\">Hallo <b>Welt</b> &amp; Mond</p><br/>".into())
    );
    assert_eq!(body(85), Body::Html("Salz & Pfeffer".into()));
    assert_eq!(
        body(86),
        Body::Html("<div xmlns='http://www.w3.org/1999/xhtml'><p>XHTML &amp; so</p></div>".into())
    );
    assert_eq!(body(87), Body::Markdown("Nur *Text*, kein HTML.".into()));
    // Attributes: an unquoted one is read (the type before it too), a bare & in an address is kept.
    assert_eq!(body(88), Body::Html("Kaputtes Attribut.".into()));
    let tea = stable_key(&["https://6006.example/2017/06/tee.html?a=1&b=2"]);
    assert_eq!(post(&items, &format!("{b}88")).page, tea);
    assert_eq!(pages(&items)[1].url, "https://6006.example/2017/06/tee.html?a=1&b=2");
    assert_eq!(
        repairs(&report),
        expect(&[
            (xml::R_BARE_AMP, 2),
            (R_POST_BY_LINK, 1),
            (xml::R_SURROGATES, 1),
            (xml::R_BAD_CHAR_REF, 1),
            (xml::R_UNQUOTED, 1),
            (xml::R_ENTITY_DECODED, 2),
            (xml::R_ENTITY_IN_HTML, 1),
            (xml::R_MARKUP, 1),
        ])
    );
}

#[test]
fn stray_text_missing_namespace_idless_post_and_bad_utf8_are_mended() {
    let (items, report) = run(MESSY_MISC);
    let url = "https://8008.example/2018/02/ohne-id.html";
    let key = stable_key(&[url]);
    // The id-less post and the comment that names it only by address meet on the same key; one page.
    assert_eq!(
        pages(&items),
        vec![&Page {
            key: key.clone(),
            url: url.into(),
            title: Some("Ohne Id".into())
        }]
    );
    let comment = post(&items, "tag:blogger.com,1999:blog-8008.post-2");
    assert_eq!(comment.page, key);
    assert_eq!(comment.body, Body::Html("Kaputtes Byte: \u{fffd} Ende".into()));
    assert_eq!(
        repairs(&report),
        expect(&[
            (R_POST_BY_LINK, 1),
            (R_NO_ATOM_NS, 1),
            (common::R_BAD_UTF8, 1),
            (common::R_PAGE_NO_ID, 1),
            (xml::R_OUTSIDE, 1),
            // `thr:` is not declared either.
            (xml::R_UNDECLARED_PREFIX, 1),
        ])
    );
}

#[test]
fn errors_name_line_and_column_in_characters() {
    // `</titel>` on line 5, after "    <title>Grüße" (16 characters, 18 bytes).
    let e = fail(BROKEN_TAG);
    assert_eq!(e.position, Some(Position::Text { line: 5, column: 17 }), "{e}");
    assert!(e.message.contains("</titel>"), "{e}");
    let e = fail(BARE_LT);
    assert_eq!(e.position, Some(Position::Text { line: 4, column: 28 }), "{e}");
    let e = fail(TRUNCATED);
    assert_eq!(e.position, Some(Position::Text { line: 6, column: 1 }), "{e}");
    assert!(e.message.contains("truncated"), "{e}");
    let e = fail(NOT_ATOM);
    assert_eq!(e.position, Some(Position::Text { line: 2, column: 1 }), "{e}");
    assert!(e.message.contains("<rss>"), "{e}");
    let e = fail(NO_XML);
    assert_eq!(e.position, Some(Position::Text { line: 3, column: 1 }), "{e}");
}

#[test]
fn error_positions_count_the_skipped_prefix() {
    let mut input = b"PHP Notice: \xc3\xbcberall\n\n".to_vec();
    input.extend_from_slice(BROKEN_TAG);
    let e = fail(&input);
    assert_eq!(e.position, Some(Position::Text { line: 7, column: 17 }), "{e}");
}

/// Every fixture, fed through a reader that hands out 1 to 7 bytes at a time, reads the same.
#[test]
fn tiny_reads_change_nothing() {
    for input in [
        CLASSIC,
        TAKEOUT,
        MESSY_PREFIX,
        MESSY_IDS,
        MESSY_DATES,
        MESSY_TEXT,
        MESSY_MISC,
    ] {
        let whole = run(input);
        for capacity in 1..=7 {
            let mut items = Vec::new();
            let mut report = Report::default();
            read(
                BufReader::with_capacity(capacity, input),
                &mut |i| items.push(i),
                &mut report,
            )
            .unwrap();
            assert_eq!((items, report), whole, "capacity {capacity}");
        }
    }
    for input in [BROKEN_TAG, BARE_LT, TRUNCATED, NOT_ATOM, NO_XML] {
        let whole = fail(input);
        for capacity in 1..=7 {
            let mut report = Report::default();
            let e = read(BufReader::with_capacity(capacity, input), &mut |_| {}, &mut report).unwrap_err();
            assert_eq!(e, whole, "capacity {capacity}");
        }
    }
}

#[test]
fn large_input_streams() {
    let n = 20_000;
    let b = "tag:blogger.com,1999:blog-9.post-";
    // A feed made on the fly: one post, then `n` comments.
    let (input, produced) = Generated::new(move |i| {
        Some(if i == 0 {
            format!(
                "<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns='http://www.w3.org/2005/Atom' \
                 xmlns:thr='http://purl.org/syndication/thread/1.0'>\n<entry><id>{b}1</id>\
                 <category scheme='http://schemas.google.com/g/2005#kind' \
                 term='http://schemas.google.com/blogger/2008/kind#post'/><title>Groß</title>\
                 <link rel='alternate' type='text/html' href='https://9.example/big.html'/></entry>\n"
            )
        } else if i <= n {
            let related = if i > 1 {
                format!(
                    "<link rel='related' href='https://www.blogger.com/feeds/9/1/comments/default/{}'/>",
                    i + 9
                )
            } else {
                String::new()
            };
            format!(
                "<entry><id>{b}{}</id><published>2020-01-01T00:00:00.000+01:00</published>\
                 <category scheme='http://schemas.google.com/g/2005#kind' \
                 term='http://schemas.google.com/blogger/2008/kind#comment'/>\
                 <content type='html'>&lt;p&gt;Danke f\u{fc}r den Beitrag Nr. {i}! \u{1F600}&lt;/p&gt;</content>\
                 <author><name>Leser {i}</name><email>noreply@blogger.com</email></author>{related}\
                 <thr:in-reply-to ref='{b}1' href='https://9.example/big.html'/></entry>\n",
                i + 10
            )
        } else if i == n + 1 {
            "</feed>\n".to_owned()
        } else {
            return None;
        })
    });
    let input = BufReader::new(input);
    let mut report = Report::default();
    let (mut pages, mut count) = (0, 0);
    let mut produced_at_first_post = None;
    let mut last = None;
    read(
        input,
        &mut |item| match item {
            Item::Page(_) => pages += 1,
            Item::Post(p) => {
                count += 1;
                produced_at_first_post.get_or_insert(produced.get());
                last = Some(p);
            }
        },
        &mut report,
    )
    .unwrap();
    let total = produced.get();
    assert_eq!((pages, count), (1, n));
    assert!(total > 8_000_000, "{total}");
    // The first comment reached the sink when only the first buffer (8 KiB) had been read.
    let first = produced_at_first_post.unwrap();
    assert!(
        first <= 16 * 1024,
        "{first} of {total} bytes read before the first comment"
    );
    let last = last.unwrap();
    assert_eq!(last.key, format!("tag:blogger.com,1999:blog-9.post-{}", n + 10));
    assert_eq!(last.parent, Some(format!("tag:blogger.com,1999:blog-9.post-{}", n + 9)));
    assert_eq!(
        last.body,
        Body::Html(format!("<p>Danke für den Beitrag Nr. {n}! 😀</p>"))
    );
    assert_eq!(report, Report::default());
}
