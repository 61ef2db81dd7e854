//! The shared pieces on their own; each reader's tests show them at work on its fixtures.

use std::io::{BufRead, BufReader};

use super::*;
use crate::domain::import::Report;
use crate::import::testing::{at, expect, repairs};

#[test]
fn the_lenient_attribute_scanner_reads_every_style() {
    let attrs = scan(b" a=\"1\" b='2' c=3 d e = 5 f=\"6");
    let got: Vec<(&[u8], &[u8], bool)> = attrs.iter().map(|a| (a.key, a.value, a.quoted)).collect();
    assert_eq!(
        got,
        vec![
            (&b"a"[..], &b"1"[..], true),
            (b"b", b"2", true),
            (b"c", b"3", false),
            (b"d", b"", true),
            (b"e", b"5", false),
            (b"f", b"6", true),
        ]
    );
    let mut report = Report::default();
    attributes(b" c=3 e=5", &mut report);
    attributes(b" a=\"1\"", &mut report);
    assert_eq!(repairs(&report), expect(&[(R_UNQUOTED, 1)]), "once per tag");
}

#[test]
fn names_and_undeclared_prefixes() {
    assert_eq!(split(b"wp:comment"), (Some(&b"wp"[..]), &b"comment"[..]));
    assert_eq!(local(b"disqus"), b"disqus");
    let mut report = Report::default();
    let mut prefixes = Prefixes::default();
    prefixes.declare(&scan(b" xmlns:dsq=\"x\" xmlns=\"y\""));
    for name in [
        &b"dsq:id"[..],
        b"xsi:schema",
        b"xsi:other",
        b"xml:lang",
        b"plain",
        b"thr:ref",
    ] {
        prefixes.check(name, &mut report);
    }
    assert_eq!(
        repairs(&report),
        expect(&[(R_UNDECLARED_PREFIX, 2)]),
        "xsi and thr, once each"
    );
}

fn field(html: bool, parts: &[(&str, &[u8])]) -> (String, bool, Report) {
    let mut report = Report::default();
    let mut text = Text::default();
    text.begin(html);
    for (kind, raw) in parts {
        match *kind {
            "text" => text.text(raw, &mut report),
            "cdata" => text.cdata(raw, &mut report),
            "ref" => text.reference(raw, &mut report),
            "tag" => text.start_tag(raw, false, &mut report),
            "empty" => text.start_tag(raw, true, &mut report),
            "end" => text.end_tag(raw, &mut report),
            _ => unreachable!(),
        }
    }
    let (value, children) = text.finish(&mut report);
    (value, children, report)
}

#[test]
fn references_are_resolved_leniently() {
    let (value, _, report) = field(
        false,
        &[
            ("text", b"Caf"),
            ("ref", b"eacute"),
            ("text", b" "),
            ("ref", b"amp"),
            ("text", b" "),
            ("ref", b"hearts"),
            ("ref", b"#x1F600"),
            ("ref", b"#55357"),
            ("ref", b"#56832"),
            ("ref", b"#xD83D"),
            ("text", b" "),
            ("ref", b"#0"),
            ("ref", b"#x"),
            ("ref", b"#xZZ"),
            ("ref", b"#99999999999"),
            ("text", b" a & b\r\nc\rd"),
        ],
    );
    assert_eq!(
        value,
        "Café & &hearts;😀😀\u{fffd} \u{fffd}&#x;&#xZZ;\u{fffd} a & b\nc\nd"
    );
    assert_eq!(
        repairs(&report),
        expect(&[
            (R_ENTITY_DECODED, 1),
            (R_ENTITY_UNKNOWN, 1),
            (R_SURROGATES, 1),
            (R_BAD_CHAR_REF, 3),
            (R_BARE_AMP, 3),
        ])
    );
}

#[test]
fn an_html_field_keeps_entities_and_its_markup() {
    let (value, children, report) = field(true, &[("text", b"a "), ("ref", b"lt"), ("ref", b"nbsp")]);
    assert_eq!((value.as_str(), children), ("a <&nbsp;", false));
    assert_eq!(repairs(&report), expect(&[(R_ENTITY_IN_HTML, 1)]));
    let (value, children, _) = field(
        true,
        &[
            ("tag", b"p class=\"x\""),
            ("text", b"1 "),
            ("ref", b"lt"),
            ("text", b" 2"),
            ("empty", b"br"),
            ("end", b"p"),
        ],
    );
    assert_eq!((value.as_str(), children), ("<p class=\"x\">1 &lt; 2<br/></p>", true));
    let (value, children, _) = field(false, &[("tag", b"b"), ("text", b"fett"), ("end", b"b")]);
    assert_eq!((value.as_str(), children), ("fett", true), "a plain field drops tags");
}

#[test]
fn attribute_values_and_encodings() {
    let mut report = Report::default();
    let mut text = Text::default();
    assert_eq!(text.value(b"a&amp;b &eacute; &c d&#x41;", &mut report), "a&b é &c dA");
    assert_eq!(repairs(&report), expect(&[(R_BARE_AMP, 1), (R_ENTITY_DECODED, 1)]));
    let mut report = Report::default();
    assert_eq!(text.decode(b"f\xfcr", &mut report), "f\u{fffd}r");
    let decl = quick_xml::events::BytesDecl::new("1.0", Some("ISO-8859-1"), None);
    text.declaration(&decl, &mut report);
    assert_eq!(text.decode(b"f\xfcr \x80", &mut report), "für €");
    assert_eq!(text.decode("für".as_bytes(), &mut report), "für");
    text.declaration(
        &quick_xml::events::BytesDecl::new("1.0", Some("Shift_JIS"), None),
        &mut report,
    );
    assert_eq!(
        repairs(&report),
        expect(&[
            (crate::import::common::R_BAD_UTF8, 1),
            (R_LATIN1_IS_UTF8, 1),
            (R_ENCODING, 1)
        ])
    );
}

fn open(input: &[u8], capacity: usize) -> Result<(String, Report), Refused> {
    let mut report = Report::default();
    let mut input = Input::open(BufReader::with_capacity(capacity, input), &[b"root"], &mut report)?;
    let mut rest = Vec::new();
    while let Ok(buf) = input.fill_buf()
        && !buf.is_empty()
    {
        rest.extend_from_slice(buf);
        let n = buf.len();
        input.consume(n);
    }
    Ok((String::from_utf8(rest).unwrap(), report))
}

#[test]
fn what_precedes_the_xml_is_skipped() {
    for capacity in [1, 3, 4096] {
        // What the XML reader gets, and whether skipping it was a repair.
        let read = |input: &[u8]| {
            open(input, capacity)
                .map(|(rest, report)| (rest, report.repairs.get(R_PRELUDE).copied().unwrap_or(0)))
                .map_err(|e| format!("{e:?}"))
        };
        let ok = |rest: &str, repaired: usize| Ok((rest.to_owned(), repaired));
        assert_eq!(
            read(b"\xef\xbb\xbf<?xml version='1.0'?><root/>"),
            ok("<?xml version='1.0'?><root/>", 0)
        );
        assert_eq!(
            read(b"\n\n<?xml version='1.0'?><root/>"),
            ok("<?xml version='1.0'?><root/>", 1)
        );
        assert_eq!(read(b"\n <x:root a='1'/>"), ok("<x:root a='1'/>", 0));
        assert_eq!(read(b" <!-- c --><root/>"), ok("<!-- c --><root/>", 0));
        assert_eq!(
            read(b"<br />Warning: a < b <!-- x --> <?xml-stylesheet?><root>"),
            ok("<root>", 1)
        );
        assert_eq!(
            read(b"\xef\xbb<root/>"),
            ok("<root/>", 1),
            "a broken byte order mark is junk"
        );
        assert!(matches!(open(b"\xff\xfe<\0?\0", capacity), Err(Refused::Utf16)));
        assert!(matches!(open(b"<\0?\0x\0", capacity), Err(Refused::Utf16)));
        assert!(matches!(open(b" \n \xef\xbb\xbf", capacity), Err(Refused::NoXml(_))));
        assert!(matches!(open(b"\xef\xbb\xbf \n ", capacity), Err(Refused::Empty)));
        assert!(matches!(open(b"", capacity), Err(Refused::Empty)));
        match open("Grüße\n<rootless>\nend".as_bytes(), capacity) {
            Err(Refused::NoXml(p)) => assert_eq!(Some(p), at(3, 4)),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn positions_count_lines_and_characters_after_the_prelude() {
    let mut report = Report::default();
    let text = format!("PHP Notice: überall\n\n<root>\n  <ä>{}</ä>\n</root>\n", "x".repeat(30));
    let mut input = Input::open(text.as_bytes(), &[b"root"], &mut report).unwrap();
    let mut all = Vec::new();
    std::io::Read::read_to_end(&mut input, &mut all).unwrap();
    // Offsets count from `<root>`: "<root>\n  " is 9 bytes, "<ä>" 4 more, then the x.
    assert_eq!(Some(input.position(0)), at(3, 1));
    assert_eq!(Some(input.position(9)), at(4, 3));
    assert_eq!(Some(input.position(43)), at(4, 36));
    input.mark(43);
    assert_eq!(Some(input.position(43)), at(4, 36));
    assert_eq!(
        Some(input.position(40)),
        at(4, 33),
        "a little before the mark is still known"
    );
    assert_eq!(Some(input.end()), at(6, 1));

    // A byte order mark counts as one character of the first line, as in the JSON readers.
    let input = Input::open(&b"\xef\xbb\xbf<root/>"[..], &[b"root"], &mut report).unwrap();
    assert_eq!(Some(input.position(0)), at(1, 2));
}
