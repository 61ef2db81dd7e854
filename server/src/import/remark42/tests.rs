//! The Remark42 reader on backups clean, messy, cut off and malformed.

use std::cell::Cell;
use std::io::Read;

use super::*;
use crate::domain::import::{Position, stable_key};
use crate::import::testing::{self, bare_post as post, expect, outcome, posts, repairs};
use crate::import::{common, dates};

fn run(input: &[u8]) -> (Vec<Item>, Report, Result<(), ImportError>) {
    outcome(|sink, report| read(input, sink, report))
}

fn read_ok(input: &[u8]) -> (Vec<Item>, Report) {
    let (items, report, result) = run(input);
    result.unwrap();
    (items, report)
}

/// A Remark42 page's key is its URL.
fn page(url: &str, title: Option<&str>) -> Item {
    testing::page(url, url, title)
}

const KUCHEN: &str = "https://blog.example/2019/05/kuchen/";
const ABOUT: &str = "https://blog.example/about/";

#[test]
fn clean_backup() {
    let (items, report) = read_ok(include_bytes!("../fixtures/remark42-clean.jsonl"));
    let expected = vec![
        page(KUCHEN, Some("Kuchen backen")),
        Item::Post(Post {
            author: Some("Anna Beispiel".into()),
            body: Body::Markdown("Danke für den *Beitrag*!".into()),
            created: 1_557_138_896_789,
            likes: 2,
            ..post("1b7e5a3c-0000-4000-8000-000000000001", KUCHEN)
        }),
        Item::Post(Post {
            parent: Some("1b7e5a3c-0000-4000-8000-000000000001".into()),
            author: Some("Bob Sample".into()),
            body: Body::Markdown("Thanks!".into()),
            created: 1_557_147_600_000,
            dislikes: 1,
            ..post("1b7e5a3c-0000-4000-8000-000000000002", KUCHEN)
        }),
        Item::Post(Post {
            author: Some("deleted".into()),
            body: Body::Html(String::new()),
            created: 1_557_216_000_000,
            status: Status::Deleted,
            ..post("1b7e5a3c-0000-4000-8000-000000000003", KUCHEN)
        }),
        page(ABOUT, None),
        Item::Post(Post {
            author: Some("Carla Muster".into()),
            // No Markdown: the HTML, entities and all (the core converts it).
            body: Body::Html("<p>Hello &amp; welcome</p>".into()),
            created: 1_559_383_200_000,
            // From the votes (two up, one down), which the score (1) cannot tell apart.
            likes: 2,
            dislikes: 1,
            ..post("1b7e5a3c-0000-4000-8000-000000000004", ABOUT)
        }),
    ];
    assert_eq!(items, expected);
    assert_eq!(report, Report::default());
}

#[test]
fn messy_backup() {
    let (items, report) = read_ok(include_bytes!("../fixtures/remark42-messy.jsonl"));
    const MESSY: &str = "https://blog.example/messy/";
    const OTHER: &str = "https://blog.example/other/";
    let expected = vec![
        // The title from the meta line, the URL trimmed.
        page(MESSY, Some("Aus der Meta")),
        // A reply before its parent, with ids trimmed and emoji (raw and as surrogate pairs) intact.
        Item::Post(Post {
            parent: Some("q1".into()),
            author: Some("Anna Beispiel".into()),
            body: Body::Markdown("Antwort vor der Frage 😀 und 🎂".into()),
            created: 1_577_959_200_000,
            likes: 3,
            ..post("r1", MESSY)
        }),
        // Blank Markdown: the HTML; an unreadable date: the previous post's; an empty votes map: the score.
        Item::Post(Post {
            author: Some("Bob Sample".into()),
            body: Body::Html("<p>Caf&eacute; &amp; Kuchen &lt;3</p>".into()),
            created: 1_577_959_200_000,
            dislikes: 2,
            ..post("q1", MESSY)
        }),
        page(OTHER, Some("Andere Seite")),
        // No id: a stable one; a parent not in the file, passed on; Go's zero time: the previous post's date.
        Item::Post(Post {
            parent: Some("not-in-file".into()),
            body: Body::Markdown("Ohne ID".into()),
            created: 1_577_959_200_000,
            status: Status::Deleted,
            ..post(&stable_key(&[OTHER, "", "0001-01-01T00:00:00Z", "Ohne ID"]), OTHER)
        }),
        Item::Post(Post {
            author: Some("Carla".into()),
            body: Body::Markdown("Letzte vollständige Zeile".into()),
            created: 1_578_096_000_500,
            ..post("r10", OTHER)
        }),
    ];
    assert_eq!(items, expected);
    assert_eq!(
        repairs(&report),
        expect(&[
            (REPAIR_BLANK, 2),
            (j::REPAIR_BOM, 1),
            (common::R_NO_ID, 1),
            (REPAIR_CUT, 1),
            // "2020-01-02 10:00:00"
            (dates::R_SPACE, 1),
            (dates::R_NO_ZONE, 1),
            (j::REPAIR_TYPE, 1),
            (dates::R_PREVIOUS, 2),
            (common::R_ID_SPACE, 2),
        ])
    );
    let skipped: Vec<_> = report.skipped.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(skipped, [(SKIP_NO_PAGE, 1), (SKIP_NOT_COMMENT, 1)]);
}

#[test]
fn remark42s_escaping_of_markdown_and_names_is_undone() {
    let line = r#"{"id":"a","text":"<p>It&#39;s <code>a &lt; b</code> &amp;amp; more</p>","orig":"It&#39;s `a &lt; b` &amp;amp; &#34;more&#34; &copy; & so","user":{"name":"Bob &amp; Co &lt;3"},"locator":{"url":"/p/?a=1&amp;b=2"},"time":"2020-01-01T00:00:00Z"}"#;
    let (items, _) = read_ok(line.as_bytes());
    assert_eq!(items[0], page("/p/?a=1&amp;b=2", None));
    let ps = posts(&items);
    assert_eq!(
        ps[0].body,
        Body::Markdown("It's `a < b` &amp; \"more\" &copy; & so".into())
    );
    assert_eq!(ps[0].author.as_deref(), Some("Bob & Co <3"));
    assert_eq!(unescape("&amp;lt; &#39&"), "&lt; &#39&");
}

#[test]
fn without_meta_line_and_dates_from_the_meta() {
    let line = r#"{"id":"a","text":"<p>x</p>","locator":{"url":"/p/"},"time":"nie"}"#;
    let (items, report) = read_ok(format!("{line}\n").as_bytes());
    assert_eq!(posts(&items)[0].created, 0);
    assert_eq!(repairs(&report), expect(&[(REPAIR_NO_META, 1), (dates::R_EPOCH, 1)]));

    let meta = r#"{"version":2,"posts":[{"url":"/p/","first_time":"2020-01-01T00:00:00Z"}]}"#;
    let (items, report) = read_ok(format!("{meta}\n{line}\n").as_bytes());
    assert_eq!(posts(&items)[0].created, 1_577_836_800_000);
    assert_eq!(repairs(&report), expect(&[(j::REPAIR_VERSION, 1), (dates::R_PAGE, 1)]));

    let (_, report) = read_ok(format!("{line}\n{meta}\n").as_bytes());
    assert_eq!(report.repairs.get(REPAIR_LATE_META), Some(&1));
}

#[test]
fn a_malformed_line_in_the_middle_is_refused_with_its_position() {
    let (items, _, result) = run(include_bytes!("../fixtures/remark42-broken.jsonl"));
    let err = result.unwrap_err();
    // Column in characters: "Grüße" is two bytes longer.
    assert_eq!(err.position, Some(Position::Text { line: 3, column: 116 }));
    assert_eq!(
        err.message,
        "malformed line in the Remark42 backup: key must be a string"
    );
    // Streamed: what came before was handed on already.
    assert_eq!(items.len(), 2);
}

#[test]
fn json_of_another_shape_is_skipped_but_not_json_is_refused() {
    let input =
        "{\"version\":1}\n[1, 2]\n\"Hallo\"\n{\"id\":\"a\",\"id\":\"b\",\"locator\":{\"url\":\"/p/\"}}\n[1 2]\n";
    let (items, report, result) = run(input.as_bytes());
    assert_eq!(
        result.unwrap_err().position,
        Some(Position::Text { line: 5, column: 4 })
    );
    assert!(items.is_empty());
    assert_eq!(report.skipped.get(SKIP_NOT_COMMENT), Some(&3));
}

#[test]
fn a_cut_line_in_the_middle_is_refused() {
    let (_, _, result) = run(include_bytes!("../fixtures/remark42-cut-middle.jsonl"));
    let err = result.unwrap_err();
    assert_eq!(err.position, Some(Position::Text { line: 3, column: 33 }));
    assert!(
        err.message.starts_with("record cut off or spread over several lines"),
        "{err}"
    );
}

#[test]
fn a_cut_last_line_is_skipped_even_with_blank_lines_after_it() {
    let input = "{\"version\":1}\n{\"id\":\"a\",\"locator\":{\"url\":\"/p/\"},\"text\":\"<p>ok</p>\",\"time\":\"2020-01-01T00:00:00Z\"}\n{\"id\":\"b\",\"loc\n\n  \r\n";
    let (items, report) = read_ok(input.as_bytes());
    assert_eq!(posts(&items).len(), 1);
    assert_eq!(repairs(&report), expect(&[(REPAIR_BLANK, 2), (REPAIR_CUT, 1)]));
}

#[test]
fn a_malformed_last_line_is_refused() {
    let input = "{\"version\":1}\n{\"id\":\"a\",\"locator\":{\"url\":\"/p/\"}} x\n";
    let (_, _, result) = run(input.as_bytes());
    assert_eq!(
        result.unwrap_err().position,
        Some(Position::Text { line: 2, column: 36 })
    );
}

#[test]
fn the_bom_counts_in_the_first_line_column() {
    let (_, _, result) = run(b"\xef\xbb\xbf{\"version\":x}\n");
    assert_eq!(
        result.unwrap_err().position,
        Some(Position::Text { line: 1, column: 13 })
    );
}

#[test]
fn gzip_and_invalid_utf8() {
    let (_, _, result) = run(b"\x1f\x8b\x08\x00\x00\n");
    assert!(result.unwrap_err().message.contains("gunzip"));

    let mut input = b"{\"id\":\"a\",\"locator\":{\"url\":\"/p/\"},\"orig\":\"Gr\xfc\xdfe\"}\n".to_vec();
    input.extend_from_slice(b"{\"id\":\"b\",\"locator\":{\"url\":\"/p/\"},\"orig\":\"ok\"}\n");
    let (items, report) = read_ok(&input);
    assert_eq!(posts(&items)[0].body, Body::Markdown("Gr\u{fffd}\u{fffd}e".into()));
    assert_eq!(report.repairs.get(common::R_BAD_UTF8), Some(&1));
}

/// Hands out a generated backup one line at a time, counting the lines made so far.
struct Generator<'a> {
    total: usize,
    made: &'a Cell<usize>,
    line: Vec<u8>,
    pos: usize,
}

impl Read for Generator<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = std::io::Read::read(&mut self.fill_buf()?, buf)?;
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Generator<'_> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.pos == self.line.len() && self.made.get() < self.total {
            let i = self.made.get();
            self.line = if i == 0 {
                b"{\"version\":1,\"users\":[],\"posts\":[]}\n".to_vec()
            } else {
                format!(
                    "{{\"id\":\"c{i}\",\"pid\":\"{}\",\"text\":\"<p>Nummer {i}</p>\",\"orig\":\"Nummer {i}\",\
                     \"user\":{{\"name\":\"Leser {}\"}},\"locator\":{{\"url\":\"https://blog.example/p/{}/\"}},\
                     \"time\":\"2020-01-01T00:00:00Z\",\"score\":1}}\n",
                    if i % 10 == 1 {
                        String::new()
                    } else {
                        format!("c{}", i - 1)
                    },
                    i % 7,
                    i / 100,
                )
                .into_bytes()
            };
            self.pos = 0;
            self.made.set(i + 1);
        }
        Ok(&self.line[self.pos..])
    }

    fn consume(&mut self, n: usize) {
        self.pos += n;
    }
}

#[test]
fn a_large_backup_streams() {
    let made = Cell::new(0);
    let total = 20_001;
    let input = Generator {
        total,
        made: &made,
        line: Vec::new(),
        pos: 0,
    };
    let (mut pages, mut posts) = (0, 0);
    let mut report = Report::default();
    read(
        input,
        &mut |item| match item {
            Item::Page(_) => pages += 1,
            Item::Post(p) => {
                posts += 1;
                // Each post is handed on as soon as its line is read: no more lines were made than read.
                assert_eq!(made.get(), posts + 1);
                assert_eq!(p.key, format!("c{posts}"));
            }
        },
        &mut report,
    )
    .unwrap();
    assert_eq!((pages, posts), (201, 20_000));
    assert_eq!(report, Report::default());
}
