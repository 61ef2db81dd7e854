//! The widget's strings for the no-JavaScript page and the HTML fragment: each language's `widget` section
//! (`widget/i18n/XX.json`), English filling any gap.

use std::sync::LazyLock;

use serde_json::Value;

use crate::i18n::{self, Lang, Section};

/// One language's strings, English filling any gap.
pub struct Words {
    pub lang: &'static str,
    code: Lang,
}

/// The strings of `lang` (one of the shipped languages; anything else is English).
pub fn words(lang: &str) -> &'static Words {
    static ALL: LazyLock<Vec<Words>> = LazyLock::new(|| {
        Lang::all()
            .map(|code| Words {
                lang: code.as_str(),
                code,
            })
            .collect()
    });
    ALL.iter()
        .find(|w| w.lang == lang)
        .or_else(|| ALL.iter().find(|w| w.code == Lang::EN))
        .expect("English is one of the languages")
}

/// Whether `lang` is one of the shipped languages.
pub fn known(lang: &str) -> bool {
    words(lang).lang == lang
}

impl Words {
    /// The string of `key` (a plural object's `other` form; the key itself when no language has it).
    pub fn s<'a>(&self, key: &'a str) -> &'a str {
        let value = self
            .code
            .section(Section::Widget)
            .get(key)
            .or_else(|| Lang::EN.section(Section::Widget).get(key));
        match value {
            Some(Value::String(s)) => s,
            Some(Value::Object(forms)) => forms.get("other").and_then(Value::as_str).unwrap_or(key),
            _ => key,
        }
    }

    /// The string of `key` with `{name}` placeholders filled in (in one pass: a value is never read again).
    pub fn fill(&self, key: &str, vars: &[(&str, &str)]) -> String {
        i18n::fill(self.s(key), vars)
    }

    /// The plural string of `key` for `n`, with `{n}` filled in (a `zero` form, where there is one, for 0).
    pub fn count(&self, key: &str, n: i64) -> String {
        let text = i18n::text(self.code, Section::Widget, key, n).unwrap_or(key);
        i18n::fill(text, &[("n", &n.to_string())])
    }

    /// The widget's message for a refused field: "Please check the field “Name”."
    pub fn invalid(&self, field: &str) -> String {
        self.fill("errInvalid", &[("field", self.s(&format!("field_{field}")))])
    }

    /// `ltr`, or `rtl` for the scripts written right to left.
    pub fn dir(&self) -> &'static str {
        self.code.dir()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_come_from_the_widget_with_english_for_what_is_missing() {
        let de = words("de");
        assert_eq!(de.s("reply"), "Antworten");
        assert_eq!(de.count("comments", 0), "Noch keine Kommentare");
        assert_eq!(de.count("comments", 1), "1 Kommentar");
        assert_eq!(de.count("comments", 7), "7 Kommentare");
        assert_eq!(de.fill("replyTo", &[("name", "Anna")]), "Antwort an Anna");
        assert_eq!(words("en").s("backToPage"), "Back to the page");
        assert!(!de.s("errExpired").is_empty());
        assert_eq!(words("xx").lang, "en");
        assert_eq!(words("en").invalid("author"), "Please check the field “Name”.");
        assert_eq!(
            words("en").count("errRate", 1),
            "You are posting too quickly. Please try again in one second."
        );
        assert_eq!(de.dir(), "ltr");
        assert_eq!(words("ar").dir(), "rtl");
        assert_eq!(
            words("ru").count("comments", 3),
            "3 комментария",
            "the server's plural rules"
        );
    }
}
