//! The date parser's cases, gathered from the readers that each had their own, and the fallback chain.

use time::macros::datetime;

use super::*;
use crate::import::testing::{expect, ms, repairs};

const T_12_34_56: i64 = 1_399_379_696_000; // 2014-05-06T12:34:56Z

fn read(s: &str) -> Option<(i64, Vec<&'static str>)> {
    parse(s).map(|d| (d.ms, d.repairs))
}

fn at(s: &str) -> Option<i64> {
    parse(s).map(|d| d.ms)
}

#[test]
fn rfc3339_and_its_variants_need_no_repair() {
    assert_eq!(read("2014-05-06T12:34:56.7Z"), Some((T_12_34_56 + 700, vec![])));
    assert_eq!(read("2014-05-06T12:34:56.123456Z"), Some((T_12_34_56 + 123, vec![])));
    assert_eq!(read("2014-05-06t12:34:56z"), Some((T_12_34_56, vec![])));
    assert_eq!(read("2014-05-06T12:34Z"), Some((T_12_34_56 - 56_000, vec![])));
    assert_eq!(read("1969-12-31T23:59:59Z"), Some((-1000, vec![])));
    assert_eq!(
        at("2014-05-06T14:34:56.789+02:00"),
        Some(ms(datetime!(2014-05-06 12:34:56.789 UTC)))
    );
    assert_eq!(at("2014-05-06t14:34:56z"), Some(ms(datetime!(2014-05-06 14:34:56 UTC))));
    assert_eq!(at("2014-05-06T14:34+0530"), Some(ms(datetime!(2014-05-06 09:04 UTC))));
    assert_eq!(
        at(" 2014-05-06T14:34:56-03 "),
        Some(ms(datetime!(2014-05-06 17:34:56 UTC)))
    );
    assert_eq!(
        at("2014-05-06T14:34:56.5Z"),
        Some(ms(datetime!(2014-05-06 14:34:56.5 UTC)))
    );
    assert_eq!(
        read("2014-05-06 12:34:56 -0130").map(|d| d.0),
        Some(ms(datetime!(2014-05-06 14:04:56 UTC)))
    );
    assert_eq!(
        read("2014-05-06T12:34:60Z"),
        Some((T_12_34_56 + 3000, vec![])),
        "a leap second"
    );
}

#[test]
fn dates_in_their_many_spellings() {
    // 2019-05-06T10:34:56.789Z
    let t = 1_557_138_896_789;
    assert_eq!(read("2019-05-06T12:34:56.789+02:00"), Some((t, vec![])));
    assert_eq!(read("2019-05-06T12:34:56.789123456+02:00"), Some((t, vec![])));
    assert_eq!(read("2019-05-06T10:34:56.789Z"), Some((t, vec![])));
    assert_eq!(read(" 2019-05-06t10:34:56,789z "), Some((t, vec![])));
    assert_eq!(read("2019-05-06 12:34:56.789 +0200"), Some((t, vec![R_SPACE])));
    assert_eq!(read("2019-05-06T05:34:56.789-05"), Some((t, vec![])));
    assert_eq!(read("2019-05-06 10:34:56.789 UTC"), Some((t, vec![R_SPACE])));
    assert_eq!(read("2019-05-06 10:34:56.789"), Some((t, vec![R_SPACE, R_NO_ZONE])));
    assert_eq!(read("2019-05-06T10:34"), Some((t - 56_789, vec![R_NO_ZONE])));
    assert_eq!(read("2019-05-06"), Some((t - 38_096_789, vec![R_NO_TIME])));
    assert_eq!(read("2019-05-06 UTC"), Some((t - 38_096_789, vec![R_NO_TIME])));
    assert_eq!(read("1969-12-31T23:59:59.999Z"), Some((-1, vec![])));
    assert_eq!(
        read("2014-05-06 12:34:56 UTC"),
        Some((T_12_34_56, vec![R_SPACE])),
        "a zone after a space"
    );
    assert_eq!(read("2014-05-06 14:34:56").map(|d| d.1), Some(vec![R_SPACE, R_NO_ZONE]));
    assert_eq!(
        read("2014-5-6\t12:34:56Z"),
        Some((T_12_34_56, vec![R_SPACE, R_ONE_DIGIT]))
    );
    assert_eq!(
        read("2014-05-06 9:5:6"),
        Some((T_12_34_56 - 12_590_000, vec![R_SPACE, R_NO_ZONE, R_ONE_DIGIT]))
    );
    assert_eq!(
        read("2014/05/06 12:34:56 GMT"),
        Some((T_12_34_56, vec![R_SEPARATOR, R_SPACE]))
    );
    assert_eq!(read("2014.05.06").map(|d| d.1), Some(vec![R_SEPARATOR, R_NO_TIME]));
    assert_eq!(
        read("2014-05-06 12:34:56,5"),
        Some((T_12_34_56 + 500, vec![R_SPACE, R_NO_ZONE]))
    );
    assert_eq!(
        read("Thu, 14 Jan 2016 10:00:00 +0100"),
        Some((ms(datetime!(2016-01-14 09:00 UTC)), vec![R_RFC2822]))
    );
}

#[test]
fn unreadable_and_zero_dates() {
    for bad in [
        "",
        "  ",
        "2014",
        "gestern",
        "06.05.2019 12:34",
        "06.05.2014",
        "1557138896",
        "2019-13-06T10:00:00Z",
        "2014-02-30T10:00:00Z",
        "2014-05-06T25:00:00Z",
        "2014-05-06 24:00:00",
        "2014-05-06T12:34:56+25:00",
        "2014-05-06T12:34:56Zjunk",
        "2014-05-06T10:00:00+1",
        "2019-05-06T10:00:00+2",
        "2019-05-06T10:00:00+02:",
        "2014-05-06T10:00:00.Z",
        "2014-05-06X10:00",
        "2014-05-0612:00:00",
        "2014-05-06T",
        "2019-05-06T10:00:00 Uhr",
        "2014-05-06 12:34:56 Europe/Berlin",
        "0000-00-00 00:00:00",
        "0000-05-06 12:00:00",
        "0001-01-01T00:00:00Z",
    ] {
        assert_eq!(parse(bad), None, "{bad:?}");
    }
}

#[test]
fn the_clock_falls_back_and_says_so() {
    let mut report = Report::default();
    let mut clock = Clock::default();
    clock.page("p", 5);
    assert_eq!(clock.created("p", Some("kaputt"), &mut report), 5, "the page's date");
    assert_eq!(clock.created("q", None, &mut report), 0, "nothing to go by");
    assert_eq!(clock.created("p", Some("1970-01-01T00:00:01"), &mut report), 1000);
    assert_eq!(
        clock.created("p", Some("kaputt"), &mut report),
        1000,
        "the previous comment on the page wins over the page's date"
    );
    clock.page("r", 7);
    assert_eq!(
        clock.created("r", None, &mut report),
        7,
        "the page's date wins over the file's"
    );
    assert_eq!(
        clock.created("q", Some("gestern"), &mut report),
        1000,
        "the previous comment in the file"
    );
    assert_eq!(
        repairs(&report),
        expect(&[(R_NO_ZONE, 1), (R_EPOCH, 1), (R_PAGE, 2), (R_PREVIOUS, 2)])
    );
}
