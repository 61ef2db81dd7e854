//! Parsed input fields. Raw strings from clients become these once, at the edge, through `parse()`;
//! everything behind the handlers works with values that are known to be well-formed.

use std::fmt;

/// Why a field was refused: the field's name (as the client spelled it) and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

type Parsed<T> = Result<T, FieldError>;

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// A line of text that may be left blank: trimmed, at most `max` characters, no control characters.
fn optional_line(s: Option<&str>, field: &'static str, max: usize) -> Parsed<Option<String>> {
    let Some(s) = non_blank(s) else {
        return Ok(None);
    };
    if s.chars().count() > max {
        return Err(FieldError::new(field, format!("must be at most {max} characters")));
    }
    if has_control(s) {
        return Err(FieldError::new(field, "must not contain control characters"));
    }
    Ok(Some(s.to_owned()))
}

/// Turns `Some("  ")` and `None` into `None`, anything else into its trimmed text.
pub fn non_blank(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// The Markdown source of a comment: 1 to 10,000 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentText(String);

impl CommentText {
    pub const MAX_CHARS: usize = 10_000;

    pub fn parse(s: &str) -> Parsed<Self> {
        let s = s.trim();
        if s.is_empty() {
            return Err(FieldError::new("text", "must not be empty"));
        }
        if s.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::new("text", "must be at most 10000 characters"));
        }
        // Control characters other than line breaks and tabs have no place in a comment.
        if s.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            return Err(FieldError::new("text", "must not contain control characters"));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A commenter's display name: up to 100 characters, no control characters. Blank means anonymous.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorName(String);

impl AuthorName {
    pub fn parse(s: Option<&str>) -> Parsed<Option<Self>> {
        Ok(optional_line(s, "author", 100)?.map(Self))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// An email address, never shown to anyone but moderators: up to 254 characters, `local@domain.tld`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(s: Option<&str>) -> Parsed<Option<Self>> {
        let Some(s) = non_blank(s) else {
            return Ok(None);
        };
        let bad = || FieldError::new("email", "must be an email address like name@example.org");
        if s.len() > 254 {
            return Err(FieldError::new("email", "must be at most 254 characters"));
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(bad)?;
        let shaped = !local.is_empty()
            && local.len() <= 64
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && domain.contains('.')
            && !domain.contains("..")
            && !s
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ',' | ';'))
            && !local.contains('@');
        if !shaped {
            return Err(bad());
        }
        Ok(Some(Self(s.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A commenter's website: an absolute http or https URL of at most 500 characters, and nothing else, ever.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Website(String);

impl Website {
    pub fn parse(s: Option<&str>) -> Parsed<Option<Self>> {
        let Some(s) = non_blank(s) else {
            return Ok(None);
        };
        let bad = || FieldError::new("website", "must be an absolute http:// or https:// URL");
        if s.len() > 500 {
            return Err(FieldError::new("website", "must be at most 500 characters"));
        }
        if has_control(s) {
            return Err(bad());
        }
        let url = url::Url::parse(s).map_err(|_| bad())?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
            return Err(bad());
        }
        // The serialized form is percent-encoded by the URL parser: quotes and spaces cannot survive.
        let normalized = url.to_string();
        if normalized.len() > 500 {
            return Err(FieldError::new("website", "must be at most 500 characters"));
        }
        Ok(Some(Self(normalized)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// The path of a page: starts with `/`, at most 2,000 bytes, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageUri(String);

impl PageUri {
    pub fn parse(s: &str) -> Parsed<Self> {
        if !s.starts_with('/') {
            return Err(FieldError::new("uri", "must start with /"));
        }
        if s.len() > 2000 {
            return Err(FieldError::new("uri", "must be at most 2000 bytes"));
        }
        if has_control(s) {
            return Err(FieldError::new("uri", "must not contain control characters"));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A page title given with the first comment: at most 300 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageTitle(String);

impl PageTitle {
    pub fn parse(s: Option<&str>) -> Parsed<Option<Self>> {
        Ok(optional_line(s, "title", 300)?.map(Self))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A site identifier as the embed's `data-site` names it: 1 to 64 of `a-z 0-9 - _ .`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteId(String);

impl SiteId {
    pub fn parse(s: &str) -> Parsed<Self> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.'));
        if !ok {
            return Err(FieldError::new(
                "site",
                "must be 1 to 64 characters of a-z, 0-9, '-', '_' and '.'",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Display for SiteId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A moderator's login name: 1 to 64 bytes, no spaces or control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeratorName(String);

impl ModeratorName {
    pub const MAX_BYTES: usize = 64;

    pub fn parse(s: &str) -> Parsed<Self> {
        let s = s.trim();
        if s.is_empty() || s.len() > Self::MAX_BYTES || s.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(FieldError::new("username", "must be 1 to 64 characters without spaces"));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An origin allowed to post for a site, normalized to `scheme://host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin(String);

impl Origin {
    pub fn parse(s: &str) -> Parsed<Self> {
        let bad = || FieldError::new("origin", format!("{s:?} is not an origin like https://blog.example"));
        let url = url::Url::parse(s.trim()).map_err(|_| bad())?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(bad());
        }
        if !(url.path() == "/" || url.path().is_empty()) || url.query().is_some() || url.fragment().is_some() {
            return Err(bad());
        }
        Ok(Self(url.origin().ascii_serialization()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(CommentText::parse("  hallo \n").unwrap().as_str(), "hallo");
        assert_eq!(CommentText::parse(" \n\t ").unwrap_err().field, "text");
        assert!(CommentText::parse(&"ä".repeat(10_000)).is_ok());
        assert!(CommentText::parse(&"ä".repeat(10_001)).is_err());
        assert!(CommentText::parse("a\u{0}b").is_err());
    }

    #[test]
    fn website_accepts_only_http_and_https() {
        assert!(Website::parse(Some("javascript:alert(1)")).is_err());
        assert!(Website::parse(Some("data:text/html,hi")).is_err());
        assert!(Website::parse(Some("example.org")).is_err());
        assert!(Website::parse(Some("ftp://example.org")).is_err());
        assert_eq!(Website::parse(Some("")).unwrap(), None);
        let w = Website::parse(Some("https://example.org/'onmouseover=alert(1)"))
            .unwrap()
            .unwrap();
        assert!(!w.0.contains(' '));
        assert!(w.0.starts_with("https://example.org/"));
    }

    #[test]
    fn email_shape() {
        assert!(Email::parse(Some("anna@example.de")).unwrap().is_some());
        for bad in [
            "anna",
            "anna@",
            "@example.de",
            "anna@example",
            "an na@example.de",
            "a@b..de",
        ] {
            assert!(Email::parse(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn uri_and_site_and_origin() {
        assert!(PageUri::parse("/blog/post/").is_ok());
        assert!(PageUri::parse("blog").is_err());
        assert!(PageUri::parse("/a\nb").is_err());
        assert!(PageUri::parse(&format!("/{}", "a".repeat(2000))).is_err());
        assert!(SiteId::parse("blog").is_ok());
        assert!(SiteId::parse("Blog!").is_err());
        assert_eq!(
            Origin::parse("https://Blog.Example:443/").unwrap().as_str(),
            "https://blog.example"
        );
        assert!(Origin::parse("https://blog.example/path").is_err());
        assert!(Origin::parse("javascript:alert(1)").is_err());
    }
}
