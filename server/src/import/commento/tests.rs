//! The Commento reader on Commento's and Comentario's exports, clean and messy.

use std::cell::Cell;
use std::io::Read;

use super::*;
use crate::domain::import::{Position, stable_key};
use crate::import::testing::{bare_post, expect, outcome, page, posts, repairs};
use crate::import::{common, dates};

fn run(input: &[u8]) -> (Vec<Item>, Report, Result<(), ImportError>) {
    outcome(|sink, report| read(input, sink, report))
}

fn read_ok(input: &[u8]) -> (Vec<Item>, Report) {
    let (items, report, result) = run(input);
    result.unwrap();
    (items, report)
}

const KUCHEN: &str = "blog.example/2021/03/kuchen/";

#[test]
fn clean_commento_export() {
    let (items, report) = read_ok(include_bytes!("../fixtures/commento-clean.json"));
    let post = bare_post;
    let expected = vec![
        page(KUCHEN, "https://blog.example/2021/03/kuchen/", None),
        Item::Post(Post {
            author: Some("Anna Beispiel".into()),
            email: Some("anna@example.org".into()),
            website: Some("https://anna.example".into()),
            body: Body::Markdown("Danke für den Beitrag!".into()),
            created: 1_615_548_116_000,
            likes: 2,
            ..post("7d77e39fcd81", KUCHEN)
        }),
        Item::Post(Post {
            parent: Some("7d77e39fcd81".into()),
            // Go escapes `<` as \u003c; the text is as the author wrote it.
            body: Body::Markdown("Thanks, *great* recipe <3".into()),
            created: 1_615_550_400_250,
            status: Status::Pending,
            dislikes: 1,
            ..post("ea5f7bcd6ac9", KUCHEN)
        }),
        page("blog.example/about/", "https://blog.example/about/", None),
        Item::Post(Post {
            author: Some("Bob Sample".into()),
            email: Some("bob@example.com".into()),
            body: Body::Markdown("Cheap watches at spam.example".into()),
            created: 1_615_982_987_722,
            status: Status::Spam,
            ..post("0b5e55ed0001", "blog.example/about/")
        }),
        Item::Post(Post {
            author: Some("Bob Sample".into()),
            email: Some("bob@example.com".into()),
            body: Body::Markdown("[deleted]".into()),
            created: 1_620_747_781_852,
            status: Status::Deleted,
            ..post("de1e7ed00002", KUCHEN)
        }),
    ];
    assert_eq!(items, expected);
    assert_eq!(report, Report::default());
}

#[test]
fn comentario_version_1_with_host_and_path() {
    let (items, report) = read_ok(include_bytes!("../fixtures/commento-comentario-v1.json"));
    let ps = posts(&items);
    assert_eq!(
        items[0],
        page("www.example.de/blog/hallo", "https://www.example.de/blog/hallo", None)
    );
    // The first comment's anonymous author is Comentario's 64 zeros.
    assert_eq!((ps[0].author.as_deref(), ps[0].email.as_deref()), (None, None));
    assert_eq!(ps[0].body, Body::Markdown("Hallo Welt".into()));
    assert_eq!(ps[0].created, 1_641_092_645_000);
    // The second comment's path lacks its leading slash: the same page all the same.
    assert_eq!(items.len(), 3);
    assert_eq!(ps[1].page, "www.example.de/blog/hallo");
    assert_eq!(ps[1].parent.as_deref(), Some("c0ffee01"));
    assert_eq!(ps[1].author.as_deref(), Some("Carla Muster"));
    assert_eq!(ps[1].website.as_deref(), Some("https://carla.example.net/"));
    assert_eq!(ps[1].likes, 1);
    assert!(report.repairs.is_empty(), "{report:?}");
}

#[test]
fn comentario_version_3_with_pages_and_flags() {
    let (items, report) = read_ok(include_bytes!("../fixtures/commento-comentario-v3.json"));
    const P1: &str = "6f1b0a52-0000-4000-8000-000000000001";
    const GONE: &str = "6f1b0a52-0000-4000-8000-00000000ffff";
    assert_eq!(
        items[0],
        page(
            P1,
            "https://blog.example.com/posts/erster-beitrag/",
            Some("Erster Beitrag")
        )
    );
    assert_eq!(
        items[1],
        page(
            "6f1b0a52-0000-4000-8000-000000000002",
            "https://blog.example.com/posts/leer/",
            None
        )
    );
    let ps = posts(&items);
    assert_eq!(
        *ps[0],
        Post {
            key: "c0000000-0000-4000-8000-000000000001".into(),
            page: P1.into(),
            parent: None,
            author: Some("Dora Dämmerung".into()),
            email: Some("dora@example.org".into()),
            website: Some("https://dora.example.org".into()),
            body: Body::Markdown("Sehr schön erklärt.".into()),
            created: 1_680_422_400_000,
            status: Status::Published,
            likes: 3,
            dislikes: 0,
            pingback: false,
        }
    );
    // Anonymous (the zero UUID), with the name given at the comment.
    assert_eq!(ps[1].parent.as_deref(), Some("c0000000-0000-4000-8000-000000000001"));
    assert_eq!((ps[1].author.as_deref(), ps[1].email.as_deref()), (Some("Gast"), None));
    assert_eq!(ps[1].status, Status::Pending);
    assert_eq!(
        (ps[2].status, &ps[2].body),
        (Status::Deleted, &Body::Markdown(String::new()))
    );
    assert_eq!((ps[3].status, ps[3].likes, ps[3].dislikes), (Status::Spam, 0, 2));
    assert_eq!(
        (ps[3].author.as_deref(), ps[3].website.as_deref()),
        (Some("Eve Example"), None)
    );
    // A page missing from `pages`: made from the comment's own address, without the #fragment.
    assert_eq!(items[6], page(GONE, "https://blog.example.com/posts/verschoben/", None));
    assert_eq!((ps[4].page.as_str(), ps[4].created), (GONE, 1_680_692_400_000));
    assert_eq!(items.len(), 8);
    assert_eq!(repairs(&report), expect(&[(REPAIR_PAGE, 1)]));
}

#[test]
fn comentario_version_3_without_domains_keeps_paths_and_takes_dates_from_pages() {
    let input = r#"{"version": 3,
        "pages": [{"id": "p1", "domainId": "d1", "path": "/a/", "createdTime": "2023-04-01T09:00:00Z"}],
        "comments": [{"id": "c1", "pageId": "p1", "markdown": "Hallo", "isApproved": true,
                      "createdTime": "bald", "userCreated": "u9"}],
        "commenters": []}"#;
    let (items, report) = read_ok(input.as_bytes());
    assert_eq!(items[0], page("p1", "/a/", None));
    let ps = posts(&items);
    assert_eq!((ps[0].created, ps[0].author.as_deref()), (1_680_339_600_000, None));
    assert_eq!(
        repairs(&report),
        expect(&[(REPAIR_NO_COMMENTER, 1), (dates::R_PAGE, 1)])
    );
}

#[test]
fn messy_export() {
    let (items, report) = read_ok(include_bytes!("../fixtures/commento-messy.json"));
    const MESSY: &str = "blog.example/messy/";
    assert_eq!(items[0], page(MESSY, "https://blog.example/messy/", None));
    let ps = posts(&items);
    assert_eq!(ps.len(), 4);
    // The reply comes before its parent; ids are trimmed; emoji (raw and as surrogate pairs) stay intact.
    assert_eq!(
        *ps[0],
        Post {
            key: "a1".into(),
            page: MESSY.into(),
            parent: Some("q1".into()),
            author: Some("Anna Beispiel".into()),
            email: Some("anna@example.org".into()),
            website: None,
            body: Body::Markdown("Antwort vor der Frage 😀 und 🎂".into()),
            created: 1_615_548_116_000,
            status: Status::Published,
            likes: 4,
            dislikes: 0,
            pingback: false,
        }
    );
    // HTML as the file has it, entities and all (the core converts it); the date from the previous post.
    assert_eq!(ps[1].key, "q1");
    assert_eq!(ps[1].body, Body::Html("<p>Caf&eacute; &amp; Kuchen &lt;3</p>".into()));
    assert_eq!(ps[1].created, 1_615_548_116_000);
    // No id: a stable one; a parent not in the file is passed on for the core to resolve.
    assert_eq!(ps[2].key, stable_key(&[MESSY, "", "", "Wer bin ich?"]));
    assert_eq!(ps[2].parent.as_deref(), Some("not-in-file"));
    assert_eq!((ps[2].author.as_deref(), ps[2].status), (None, Status::Pending));
    assert_eq!(
        (ps[3].key.as_str(), ps[3].status, ps[3].created),
        ("a3", Status::Published, 1_615_548_116_000)
    );
    assert_eq!(
        repairs(&report),
        expect(&[
            (j::REPAIR_BOM, 1),
            (REPAIR_HTML, 1),
            (REPAIR_NO_STATE, 1),
            (common::R_NO_ID, 1),
            (REPAIR_NO_COMMENTER, 1),
            // "2021-03-12 11:21:56"
            (dates::R_SPACE, 1),
            (dates::R_NO_ZONE, 1),
            (REPAIR_NO_VERSION, 1),
            // Missing (twice) and unreadable (once): the previous comment's.
            (dates::R_PREVIOUS, 3),
            (common::R_STATUS, 1),
            (common::R_ID_SPACE, 3),
        ])
    );
    assert_eq!(report.skipped.get(SKIP_NO_PAGE), Some(&1));
}

#[test]
fn invalid_utf8_is_replaced() {
    let mut input = br#"{"version":1,"comments":[{"commentHex":"x","url":"/a/","markdown":"Gr"#.to_vec();
    input.extend_from_slice(b"\xfc\xdfe\"}],\"commenters\":[]}");
    let (items, report) = read_ok(&input);
    assert_eq!(posts(&items)[0].body, Body::Markdown("Gr\u{fffd}\u{fffd}e".into()));
    assert_eq!(report.repairs.get(common::R_BAD_UTF8), Some(&1));
}

#[test]
fn malformed_json_is_refused_where_it_breaks() {
    let (items, _, result) = run(include_bytes!("../fixtures/commento-broken.json"));
    let err = result.unwrap_err();
    assert_eq!(err.position, Some(Position::Text { line: 4, column: 46 }));
    assert_eq!(err.message, "not a Commento export: expected `,` or `}`");
    assert!(items.is_empty());
}

#[test]
fn the_column_counts_characters_and_the_bom() {
    let (_, _, result) = run("\u{feff}{\"comments\": [ü]}".as_bytes());
    let err = result.unwrap_err();
    assert_eq!(err.position, Some(Position::Text { line: 1, column: 16 }));
}

#[test]
fn what_is_no_commento_export_is_refused() {
    let (_, _, result) = run(b"[{\"commentHex\": \"x\"}]");
    let err = result.unwrap_err();
    assert_eq!(err.position, Some(Position::Text { line: 1, column: 1 }));
    assert!(err.message.contains("expected a JSON object"), "{err}");

    let (_, _, result) = run(br#"{"comments": [["x", "y"]]}"#);
    assert_eq!(
        result.unwrap_err().position,
        Some(Position::Text { line: 1, column: 15 })
    );

    let (_, _, result) = run(br#"{"version": 1}"#);
    assert_eq!(
        result.unwrap_err(),
        ImportError::new("not a Commento export: it has no \"comments\"", None)
    );

    let (_, _, result) = run(b"");
    assert_eq!(
        result.unwrap_err().position,
        Some(Position::Text { line: 1, column: 1 })
    );

    let (_, _, result) = run(b"\x1f\x8b\x08\x00");
    assert!(result.unwrap_err().message.contains("gunzip"));

    let (_, _, result) = run(br#"{"comments": []} {"comments": []}"#);
    assert_eq!(
        result.unwrap_err().position,
        Some(Position::Text { line: 1, column: 18 })
    );
}

#[test]
fn unknown_versions_are_read_by_their_fields() {
    let input = br#"{"version": 2, "comments": [{"commentHex": "x", "path": "/a/", "markdown": "Hi",
        "state": "approved", "creationDate": "2021-03-12T11:21:56Z"}]}"#;
    let (items, report) = read_ok(input);
    assert_eq!(items[0], page("/a/", "/a/", None));
    assert_eq!(posts(&items)[0].created, 1_615_548_116_000);
    assert_eq!(repairs(&report), expect(&[(j::REPAIR_VERSION, 1)]));
}

/// A reader that counts what was taken from it, to show the whole file is read before anything is emitted
/// (the one importer that does so) and that a large file goes through.
struct Counting<'a> {
    inner: &'a [u8],
    taken: &'a Cell<usize>,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.taken.set(self.taken.get() + n);
        Ok(n)
    }
}

#[test]
fn a_large_export() {
    let mut input = String::from(r#"{"version": 1, "comments": ["#);
    for i in 0..20_000 {
        if i > 0 {
            input.push(',');
        }
        input.push_str(&format!(
            r#"{{"commentHex": "c{i}", "domain": "blog.example", "url": "/p/{}/", "commenterHex": "u{}",
                "markdown": "Kommentar Nummer {i}", "parentHex": "{}", "score": 1, "state": "approved",
                "creationDate": "2021-03-12T11:21:56Z"}}"#,
            i / 100,
            i % 50,
            if i % 100 == 0 {
                "root".to_owned()
            } else {
                format!("c{}", i - 1)
            },
        ));
    }
    input.push_str(r#"], "commenters": ["#);
    for u in 0..50 {
        if u > 0 {
            input.push(',');
        }
        input.push_str(&format!(
            r#"{{"commenterHex": "u{u}", "name": "Leser {u}", "email": "u{u}@example.org"}}"#
        ));
    }
    input.push_str("]}");
    let taken = Cell::new(0);
    let reader = std::io::BufReader::new(Counting {
        inner: input.as_bytes(),
        taken: &taken,
    });
    let (mut pages, mut posts) = (0, 0);
    let mut report = Report::default();
    read(
        reader,
        &mut |item| {
            assert_eq!(taken.get(), input.len());
            match item {
                Item::Page(_) => pages += 1,
                Item::Post(p) => {
                    assert_eq!(p.author.as_deref(), Some(format!("Leser {}", posts % 50).as_str()));
                    posts += 1;
                }
            }
        },
        &mut report,
    )
    .unwrap();
    assert_eq!((pages, posts), (200, 20_000));
    assert_eq!(report, Report::default());
}
