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

/// Unicode's noncharacters (U+FDD0 to U+FDEF and the last two code points of every plane) are never meant
/// for interchange; U+FFFE and U+FFFF are not even allowed in XML 1.0, so one in a name broke the feed.
fn is_noncharacter(c: char) -> bool {
    matches!(c, '\u{FDD0}'..='\u{FDEF}') || (c as u32) & 0xFFFE == 0xFFFE
}

/// Bidirectional overrides and isolates reorder the text that follows them: a name could pass for another
/// one, or turn the rest of the line around it backwards.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Refuses the characters of [`is_noncharacter`] and [`is_bidi_control`] in a name or title.
fn shown_as_is(s: &str, field: &'static str) -> Parsed<()> {
    if s.chars().any(is_noncharacter) {
        return Err(FieldError::new(
            field,
            "must not contain Unicode noncharacters (U+FDD0 to U+FDEF, U+FFFE, U+FFFF and the like)",
        ));
    }
    if s.chars().any(is_bidi_control) {
        return Err(FieldError::new(
            field,
            "must not contain bidirectional override or isolate characters (U+202A to U+202E, U+2066 to U+2069)",
        ));
    }
    Ok(())
}

/// A line of text that may be left blank: trimmed, at most `max` characters, no control characters, no
/// noncharacters, no bidirectional overrides.
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
    shown_as_is(s, field)?;
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

/// A commenter's display name: up to 100 characters, no control characters, noncharacters or
/// bidirectional overrides. Blank means anonymous.
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

/// The path of a page: starts with `/` but not with `//` or `/\`, at most 2,000 bytes, no control
/// characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageUri(String);

impl PageUri {
    pub fn parse(s: &str) -> Parsed<Self> {
        if !s.starts_with('/') {
            return Err(FieldError::new("uri", "must start with /"));
        }
        // Browsers read `//host/...` (and `/\host/...`, as if it were `//`) as a link to another site: shown
        // as a link in the admin UI, such a path would be an open redirect.
        if s.starts_with("//") || s.starts_with("/\\") {
            return Err(FieldError::new(
                "uri",
                "must be a path on the site: it must not start with // or /\\",
            ));
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

/// A page title given with the first comment: at most 300 characters, no control characters,
/// noncharacters or bidirectional overrides.
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

/// A moderator's login name: 1 to 64 bytes, no spaces, control characters, noncharacters or bidirectional
/// overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeratorName(String);

impl ModeratorName {
    pub const MAX_BYTES: usize = 64;

    pub fn parse(s: &str) -> Parsed<Self> {
        let s = s.trim();
        if s.is_empty() || s.len() > Self::MAX_BYTES || s.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(FieldError::new("username", "must be 1 to 64 characters without spaces"));
        }
        shown_as_is(s, "username")?;
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
mod tests;
