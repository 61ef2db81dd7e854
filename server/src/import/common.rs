//! What every reader shares, XML and JSON alike: ids and blank fields, keys for records the source gave no id,
//! invalid UTF-8, and the repair and skip reasons these make, so that a summary names each the same whichever
//! system the file came from.

use std::borrow::Cow;

use crate::domain::import::{ImportError, Report, stable_key};

pub(crate) const R_ID_SPACE: &str = "whitespace around an id, trimmed";
pub(crate) const R_NO_ID: &str = "comment without an id, key derived from its content";
pub(crate) const R_PAGE_NO_ID: &str = "page without an id, key derived from its address";
pub(crate) const R_BAD_UTF8: &str = "invalid UTF-8, replaced with U+FFFD";
pub(crate) const R_STATUS: &str = "unknown comment status, held for moderation";
pub(crate) const SKIP_NO_PAGE: &str = "comment without a page";

pub(crate) fn read_error(e: &std::io::Error) -> ImportError {
    ImportError::new(format!("cannot read the file: {e}"), None)
}

/// Trimmed text, `None` when blank.
pub(crate) fn trimmed(s: Option<String>) -> Option<String> {
    let s = s?;
    let t = s.trim();
    if t.is_empty() {
        None
    } else if t.len() == s.len() {
        Some(s)
    } else {
        Some(t.to_owned())
    }
}

/// An id, trimmed (a repair when it had whitespace around it); `None` when missing or blank.
pub(crate) fn id(raw: Option<&str>, report: &mut Report) -> Option<String> {
    let raw = raw?;
    let id = raw.trim();
    if id.is_empty() {
        return None;
    }
    if id.len() != raw.len() {
        report.repair(R_ID_SPACE);
    }
    Some(id.to_owned())
}

/// The key of a comment without an id: a [`stable_key`] of what identifies it (page, author, date, text).
pub(crate) fn comment_key(fields: &[&str], report: &mut Report) -> String {
    report.repair(R_NO_ID);
    stable_key(fields)
}

/// The key of a page without an id: a [`stable_key`] of its address.
pub(crate) fn page_key(url: &str, report: &mut Report) -> String {
    report.repair(R_PAGE_NO_ID);
    stable_key(&[url])
}

/// The bytes as text; invalid UTF-8 becomes U+FFFD (the `bool` says so, for a caller that decides later whether
/// to count the repair).
pub(crate) fn lossy(bytes: &[u8]) -> (Cow<'_, str>, bool) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (Cow::Borrowed(s), false),
        Err(_) => (String::from_utf8_lossy(bytes), true),
    }
}

/// The bytes as text, invalid UTF-8 replaced and counted.
pub(crate) fn utf8<'a>(bytes: &'a [u8], report: &mut Report) -> Cow<'a, str> {
    let (text, replaced) = lossy(bytes);
    if replaced {
        report.repair(R_BAD_UTF8);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_blank_fields() {
        let mut report = Report::default();
        assert_eq!(id(Some(" 7\n"), &mut report).as_deref(), Some("7"));
        assert_eq!(id(Some("8"), &mut report).as_deref(), Some("8"));
        assert_eq!(id(Some("  "), &mut report), None);
        assert_eq!(id(None, &mut report), None);
        assert_eq!(report.repairs.get(R_ID_SPACE), Some(&1));
        assert_eq!(trimmed(Some(" a ".into())).as_deref(), Some("a"));
        assert_eq!(trimmed(Some(" ".into())), None);
        assert_eq!(utf8(b"Gr\xfc\xdfe", &mut report), "Gr\u{fffd}\u{fffd}e");
        assert_eq!(report.repairs.get(R_BAD_UTF8), Some(&1));
    }
}
