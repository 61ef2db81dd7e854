//! Query strings and form bodies, repeated keys allowed (`uri=a&uri=b`).

use std::ops::Range;

/// A required parameter was missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Missing(pub &'static str);

/// The pairs of a query string or form body, in order. The decoded keys and values sit side by side in
/// one string, so a counts request (twenty `uri=` pairs) makes two allocations, not forty-one.
pub struct Query {
    text: String,
    /// Where each key and value is in `text`.
    pairs: Vec<(Range<usize>, Range<usize>)>,
}

impl Query {
    /// Parses `key=value&...` (`application/x-www-form-urlencoded`); `None` is an empty query.
    pub fn parse(raw: Option<&str>) -> Self {
        let raw = raw.unwrap_or("");
        // Decoding never makes a pair longer than its escaped form.
        let mut text = String::with_capacity(raw.len());
        let mut pairs = Vec::with_capacity(raw.bytes().filter(|&b| b == b'&').count() + 1);
        for (k, v) in url::form_urlencoded::parse(raw.as_bytes()) {
            let key = text.len()..text.len() + k.len();
            text.push_str(&k);
            let value = text.len()..text.len() + v.len();
            text.push_str(&v);
            pairs.push((key, value));
        }
        Self { text, pairs }
    }

    /// Every value of `key`, in order.
    pub fn all<'s>(&'s self, key: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.pairs
            .iter()
            .filter(move |(k, _)| &self.text[k.clone()] == key)
            .map(|(_, v)| &self.text[v.clone()])
    }

    /// The first value of `key`.
    pub fn one<'s>(&'s self, key: &'s str) -> Option<&'s str> {
        self.all(key).next()
    }

    /// The first value of `key`, trimmed, when it is not blank.
    pub fn filled(&self, key: &str) -> Option<String> {
        self.one(key)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }

    /// The first value of `key`, or which key was missing.
    pub fn required(&self, key: &'static str) -> Result<&str, Missing> {
        self.one(key).ok_or(Missing(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_and_escapes_are_read_as_sent() {
        let q = Query::parse(Some("site=demo&uri=%2Fa%20b%2F&uri=/c/&empty=&plus=a+b"));
        assert_eq!(q.one("site"), Some("demo"));
        assert_eq!(q.all("uri").collect::<Vec<_>>(), ["/a b/", "/c/"]);
        assert_eq!(q.one("empty"), Some(""));
        assert_eq!(q.filled("empty"), None);
        assert_eq!(q.one("plus"), Some("a b"));
        assert_eq!(q.required("missing"), Err(Missing("missing")));
        assert_eq!(Query::parse(None).one("site"), None);
    }
}
