//! Dates as the exports write them, read leniently by every reader, and the dates a comment gets when its own
//! cannot be read.
//!
//! [`parse`] reads ISO 8601 / RFC 3339 (`2014-05-06T12:34:56.789+02:00`) and what exporters make of it: a space
//! (or tab) instead of the `T`, no zone (UTC), no time (midnight UTC), no seconds, one-digit fields, `/` or `.`
//! between the date's parts, any number of fractional digits after `.` or `,`, a zone of `Z`, `UTC`, `GMT`
//! (any case), `+02:00`, `+0200` or `+02` (after spaces too), a leap second; failing that, RFC 2822
//! (`Thu, 14 Jan 2016 10:00:00 +0100`). Each departure from RFC 3339 is a repair the caller counts. The year 0
//! (WordPress's zero date) and 0001-01-01 (Go's zero time, what Commento and Remark42 write for "never") are no
//! dates.
//!
//! [`Clock`] gives a comment whose date is missing or unreadable the date of the previous comment on its page,
//! else its page's own date, else the previous comment's in the file, else 1970-01-01.

use std::collections::HashMap;

use time::format_description::well_known::Rfc2822;
use time::{Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::domain::import::Report;

pub(crate) const R_NO_ZONE: &str = "date without a time zone, read as UTC";
pub(crate) const R_SPACE: &str = "date with a space instead of T";
pub(crate) const R_NO_TIME: &str = "date without a time, read as midnight UTC";
pub(crate) const R_ONE_DIGIT: &str = "date with one-digit fields";
pub(crate) const R_SEPARATOR: &str = "date with / or . instead of -";
pub(crate) const R_RFC2822: &str = "date in RFC 2822 form";
pub(crate) const R_PREVIOUS: &str = "missing or unreadable date, used the previous comment's date";
pub(crate) const R_PAGE: &str = "missing or unreadable date, used the page's date";
pub(crate) const R_EPOCH: &str = "missing or unreadable date, set to 1970-01-01";

/// A date read by [`parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Date {
    /// Milliseconds since the Unix epoch.
    pub ms: i64,
    /// How the text departed from RFC 3339, as repairs.
    pub repairs: Vec<&'static str>,
}

/// Reads a date leniently (see the module); `None` when it cannot be read or is a zero date.
pub(crate) fn parse(text: &str) -> Option<Date> {
    let s = text.trim();
    if s.is_empty() {
        return None;
    }
    if let Some(date) = iso(s.as_bytes()) {
        return Some(date);
    }
    let at = OffsetDateTime::parse(s, &Rfc2822).ok()?;
    Some(Date {
        ms: ms(at),
        repairs: vec![R_RFC2822],
    })
}

fn ms(at: OffsetDateTime) -> i64 {
    at.unix_timestamp() * 1000 + i64::from(at.millisecond())
}

struct Cursor<'s> {
    b: &'s [u8],
    i: usize,
    /// A field was written with fewer digits than it has.
    short: bool,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        let found = self.peek() == Some(c);
        self.i += usize::from(found);
        found
    }

    fn spaces(&mut self) -> bool {
        let start = self.i;
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
        self.i > start
    }

    /// `min..=max` ASCII digits.
    fn number(&mut self, min: usize, max: usize) -> Option<u32> {
        let start = self.i;
        while self.i - start < max && self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        let len = self.i - start;
        if len < min {
            return None;
        }
        self.short |= len < max;
        Some(
            self.b[start..self.i]
                .iter()
                .fold(0, |n, d| n * 10 + u32::from(d - b'0')),
        )
    }
}

/// The ISO 8601 forms.
fn iso(b: &[u8]) -> Option<Date> {
    let mut c = Cursor { b, i: 0, short: false };
    let mut repairs = Vec::new();
    let year = c.number(4, 4)?;
    let sep = c.peek().filter(|s| matches!(s, b'-' | b'/' | b'.'))?;
    c.i += 1;
    if sep != b'-' {
        repairs.push(R_SEPARATOR);
    }
    let month = c.number(1, 2)?;
    c.eat(sep).then_some(())?;
    let day = c.number(1, 2)?;

    let (mut hour, mut minute, mut second, mut milli) = (0, 0, 0, 0);
    let before_time = c.i;
    let spaced = if c.eat(b'T') || c.eat(b't') { false } else { c.spaces() };
    let timed = c.i > before_time && c.peek().is_some_and(|d| d.is_ascii_digit());
    if timed {
        if spaced {
            repairs.push(R_SPACE);
        }
        hour = c.number(1, 2)?;
        c.eat(b':').then_some(())?;
        minute = c.number(1, 2)?;
        if c.eat(b':') {
            second = c.number(1, 2)?;
            if c.eat(b'.') || c.eat(b',') {
                let start = c.i;
                while c.peek().is_some_and(|d| d.is_ascii_digit()) {
                    c.i += 1;
                }
                let digits = &b[start..c.i];
                if digits.is_empty() {
                    return None;
                }
                milli = (0..3).fold(0, |n, k| n * 10 + digits.get(k).map_or(0, |d| u16::from(d - b'0')));
            }
        }
    } else {
        // A `T` or spaces not followed by a time: only a zone may follow.
        c.i = before_time;
    }
    c.spaces();
    let offset = match &b[c.i..] {
        [] => None,
        zone => Some(offset(zone)?),
    };
    if !timed {
        repairs.push(R_NO_TIME);
    } else if offset.is_none() {
        repairs.push(R_NO_ZONE);
    }
    if c.short {
        repairs.push(R_ONE_DIGIT);
    }
    if second == 60 {
        second = 59; // a leap second
    }
    if year == 0 || (year == 1 && month == 1 && day == 1) {
        return None; // a zero date
    }
    let date = time::Date::from_calendar_date(
        i32::try_from(year).ok()?,
        Month::try_from(u8::try_from(month).ok()?).ok()?,
        u8::try_from(day).ok()?,
    )
    .ok()?;
    let time = Time::from_hms_milli(
        u8::try_from(hour).ok()?,
        u8::try_from(minute).ok()?,
        u8::try_from(second).ok()?,
        milli,
    )
    .ok()?;
    let zone = UtcOffset::from_whole_seconds(offset.unwrap_or(0)).ok()?;
    Some(Date {
        ms: ms(PrimitiveDateTime::new(date, time).assume_offset(zone)),
        repairs,
    })
}

/// A zone's offset in seconds: `Z`, `UTC`, `GMT`, `+HH:MM`, `+HHMM`, `+HH`.
fn offset(zone: &[u8]) -> Option<i32> {
    if [&b"Z"[..], b"UTC", b"GMT"].iter().any(|z| zone.eq_ignore_ascii_case(z)) {
        return Some(0);
    }
    let sign = match zone[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let mut c = Cursor {
        b: &zone[1..],
        i: 0,
        short: false,
    };
    let hours = c.number(2, 2)?;
    let minutes = if c.peek().is_some() {
        c.eat(b':');
        c.number(2, 2)?
    } else {
        0
    };
    if c.peek().is_some() || hours > 23 || minutes > 59 {
        return None;
    }
    Some(sign * (hours * 3600 + minutes * 60) as i32)
}

/// Dates for comments whose own cannot be read, from what came before them: it remembers the last date read
/// on each page and in the file, and each page's own date.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    pages: HashMap<String, i64>,
    last_on_page: HashMap<String, i64>,
    last: Option<i64>,
}

impl Clock {
    /// A page's own date (when it was published), the fallback for its comments.
    pub(crate) fn page(&mut self, page: &str, ms: i64) {
        self.pages.insert(page.to_owned(), ms);
    }

    /// A comment's time from its date text, counting the repairs; see [`Clock::fallback`] for when it has none
    /// that can be read.
    pub(crate) fn created(&mut self, page: &str, text: Option<&str>, report: &mut Report) -> i64 {
        match text.and_then(parse) {
            Some(date) => self.date(page, date, report),
            None => self.fallback(page, report),
        }
    }

    /// A comment's date as read: its repairs counted, and remembered.
    pub(crate) fn date(&mut self, page: &str, date: Date, report: &mut Report) -> i64 {
        for repair in date.repairs {
            report.repair(repair);
        }
        self.remember(page, date.ms);
        date.ms
    }

    /// Remembers a comment's date, read by the caller.
    pub(crate) fn remember(&mut self, page: &str, ms: i64) {
        match self.last_on_page.get_mut(page) {
            Some(last) => *last = ms,
            None => {
                self.last_on_page.insert(page.to_owned(), ms);
            }
        }
        self.last = Some(ms);
    }

    /// The time of a comment on `page` without a readable date: the previous comment's on the page, the page's
    /// own, the previous comment's in the file, or 1970-01-01, with its repair.
    pub(crate) fn fallback(&mut self, page: &str, report: &mut Report) -> i64 {
        let (ms, why) = if let Some(&ms) = self.last_on_page.get(page) {
            (ms, R_PREVIOUS)
        } else if let Some(&ms) = self.pages.get(page) {
            (ms, R_PAGE)
        } else if let Some(ms) = self.last {
            (ms, R_PREVIOUS)
        } else {
            (0, R_EPOCH)
        };
        report.repair(why);
        ms
    }
}

#[cfg(test)]
mod tests;
