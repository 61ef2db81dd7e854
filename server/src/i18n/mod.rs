//! The languages riposte speaks: one JSON file per language in `widget/i18n/` (embedded by `build.rs`), each
//! with the widget's, the admin UI's and the mails' words, and the plural rules that pick among their
//! forms. A leaf module: it imports nothing of the application.

mod plural;

use std::fmt;
use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::Value;

pub use plural::{plural, plural_by_code, plural_codes};

mod files {
    include!(concat!(env!("OUT_DIR"), "/i18n.rs"));
}

/// Every language file as embedded: (code, JSON text), sorted by code.
pub use files::LANGS;

/// A language of the catalog: only [`Lang::parse`] (and [`Lang::EN`]) make one, so it always has a file.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Lang(&'static str);

/// A code that names no language file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownLang(pub String);

impl fmt::Display for UnknownLang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let codes: Vec<&str> = Lang::all().map(Lang::as_str).collect();
        write!(f, "{:?} is not a language; must be one of {}", self.0, codes.join(", "))
    }
}

impl std::error::Error for UnknownLang {}

impl Lang {
    /// English: the fallback, and the language every other file is checked against.
    pub const EN: Self = Self("en");

    /// The language of `code` exactly as its file is named (`de`, not `DE` or `de-AT`).
    pub fn parse(code: &str) -> Result<Self, UnknownLang> {
        Self::all()
            .find(|l| l.0 == code)
            .ok_or_else(|| UnknownLang(code.to_owned()))
    }

    /// Every language, sorted by code.
    pub fn all() -> impl Iterator<Item = Self> {
        LANGS.iter().map(|(code, _)| Self(code))
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// The writing direction, `ltr` or `rtl` (the widget section's `dir`).
    pub fn dir(self) -> &'static str {
        match self.section(Section::Widget).get("dir").and_then(Value::as_str) {
            Some("rtl") => "rtl",
            _ => "ltr",
        }
    }

    /// The language's name in itself, for a choice of languages; its code when the table lacks it.
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(code, _)| *code == self.0)
            .map_or(self.0, |(_, name)| name)
    }

    /// One section of the language's file, a JSON object.
    pub fn section(self, section: Section) -> &'static serde_json::Map<String, Value> {
        self.value(section)
            .as_object()
            .expect("checked when the file was parsed")
    }

    /// One section as a struct with a field for each key (`&'static str` for a text, [`Plural`] for a
    /// plural object); the error names the file, the section and what serde missed.
    pub fn read<T: Deserialize<'static>>(self, section: Section) -> Result<T, String> {
        T::deserialize(self.value(section)).map_err(|e| format!("widget/i18n/{self}.json: {}: {e}", section.key()))
    }

    fn value(self, section: Section) -> &'static Value {
        let (_, file) = CATALOG
            .iter()
            .find(|(l, _)| *l == self)
            .expect("a Lang always has a file");
        &file[section as usize]
    }
}

impl Default for Lang {
    fn default() -> Self {
        Self::EN
    }
}

impl fmt::Debug for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// The parts of a language file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// The widget's words, also those of the page for readers without JavaScript.
    Widget,
    /// The admin UI and the pages behind mail links.
    Admin,
    /// The notification mails.
    Mail,
}

impl Section {
    pub const ALL: [Self; 3] = [Self::Widget, Self::Admin, Self::Mail];

    /// The section's key in the file.
    pub fn key(self) -> &'static str {
        match self {
            Self::Widget => "widget",
            Self::Admin => "admin",
            Self::Mail => "mail",
        }
    }
}

/// Every file parsed once; a file that is not JSON or lacks a section stops the server with its name.
static CATALOG: LazyLock<Vec<(Lang, [Value; 3])>> = LazyLock::new(|| {
    LANGS
        .iter()
        .map(|(code, json)| {
            let mut file: serde_json::Map<String, Value> = serde_json::from_str(json)
                .unwrap_or_else(|e| panic!("widget/i18n/{code}.json is not a JSON object: {e}"));
            let sections = Section::ALL.map(|s| match file.remove(s.key()) {
                Some(section @ Value::Object(_)) => section,
                _ => panic!("widget/i18n/{code}.json has no object {:?}", s.key()),
            });
            (Lang(code), sections)
        })
        .collect()
});

/// The forms of a word by count (`{"one": "{n} comment", "other": "{n} comments"}`): the CLDR
/// categories of the language, and `zero` where English has one (the text for none).
#[derive(Debug)]
pub struct Plural(std::collections::BTreeMap<&'static str, &'static str>);

/// Borrowed from the embedded files, as the texts of a section are.
impl Deserialize<'static> for Plural {
    fn deserialize<D: serde::Deserializer<'static>>(d: D) -> Result<Self, D::Error> {
        std::collections::BTreeMap::deserialize(d).map(Self)
    }
}

impl Plural {
    /// The form for `n` in `lang`, picked as the widget picks: `zero` for 0 when there is one, then the
    /// category of `n`, then `other`.
    pub fn pick(&self, lang: Lang, n: i64) -> &'static str {
        let zero = (n == 0).then(|| self.0.get("zero")).flatten();
        zero.or_else(|| self.0.get(plural(lang, n)))
            .or_else(|| self.0.get("other"))
            .copied()
            .unwrap_or("")
    }
}

/// The text of `key` in a section of `lang` (English's when `lang` lacks it), a plural object's form
/// for `n`; `None` when English lacks it too.
pub fn text(lang: Lang, section: Section, key: &str, n: i64) -> Option<&'static str> {
    let value = lang
        .section(section)
        .get(key)
        .or_else(|| Lang::EN.section(section).get(key))?;
    match value {
        Value::String(s) => Some(s),
        Value::Object(_) => Plural::deserialize(value).ok().map(|p| p.pick(lang, n)),
        _ => None,
    }
}

/// `pattern` with each `{name}` replaced by its value, in one pass: a value that itself contains
/// `{site}` stays as it is.
pub fn fill(pattern: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(pattern.len() + 64);
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            values
                .iter()
                .find(|(k, _)| *k == &after[..close])
                .map(|(_, v)| (close, v))
        });
        match value {
            Some((close, v)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The best language the browser asks for in `Accept-Language`, by weight then order; English when it
/// asks for none that riposte has. A tag counts by its primary subtag (`de-AT` is `de`).
pub fn pick(accept_language: &str) -> Lang {
    let mut tags: Vec<(f32, &str)> = accept_language
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse().ok())
                .unwrap_or(1.0);
            (q > 0.0).then_some((q, tag))
        })
        .collect();
    // Stable: equal weights keep the browser's order.
    tags.sort_by(|a, b| b.0.total_cmp(&a.0));
    tags.into_iter()
        .find_map(|(_, tag)| {
            let primary = tag.split('-').next().unwrap_or("").to_ascii_lowercase();
            Lang::parse(&primary).ok()
        })
        .unwrap_or(Lang::EN)
}

/// Each language's name in itself (as `Intl.DisplayNames` gives it, capitalized for a list), for more
/// languages than ship.
const NAMES: &[(&str, &str)] = &[
    ("ar", "العربية"),
    ("bg", "Български"),
    ("bn", "বাংলা"),
    ("ca", "Català"),
    ("cs", "Čeština"),
    ("da", "Dansk"),
    ("de", "Deutsch"),
    ("el", "Ελληνικά"),
    ("en", "English"),
    ("es", "Español"),
    ("et", "Eesti"),
    ("fa", "فارسی"),
    ("fi", "Suomi"),
    ("fr", "Français"),
    ("he", "עברית"),
    ("hi", "हिन्दी"),
    ("hr", "Hrvatski"),
    ("hu", "Magyar"),
    ("id", "Indonesia"),
    ("it", "Italiano"),
    ("ja", "日本語"),
    ("ko", "한국어"),
    ("ms", "Melayu"),
    ("nb", "Norsk bokmål"),
    ("nl", "Nederlands"),
    ("pl", "Polski"),
    ("pt", "Português"),
    ("ro", "Română"),
    ("ru", "Русский"),
    ("sk", "Slovenčina"),
    ("sr", "Српски"),
    ("sv", "Svenska"),
    ("th", "ไทย"),
    ("tr", "Türkçe"),
    ("uk", "Українська"),
    ("vi", "Tiếng Việt"),
    ("zh", "中文"),
];

#[cfg(test)]
mod tests;
