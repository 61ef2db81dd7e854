//! The widget's strings for the no-JavaScript page and the HTML fragment: each language's `widget` section
//! (`widget/i18n/XX.json`), English filling any gap.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::{Map, Value};

use crate::i18n::{Lang, Section, plural};

/// One language's strings, English filling any gap.
pub struct Words {
    pub lang: &'static str,
    code: Lang,
    strings: Map<String, Value>,
}

/// The strings of `lang` (one of the shipped languages; anything else is English).
pub fn words(lang: &str) -> &'static Words {
    static ALL: LazyLock<HashMap<&'static str, Words>> = LazyLock::new(|| {
        let english = Lang::EN.section(Section::Widget);
        Lang::all()
            .map(|code| {
                let mut strings = english.clone();
                strings.extend(code.section(Section::Widget).clone());
                (
                    code.as_str(),
                    Words {
                        lang: code.as_str(),
                        code,
                        strings,
                    },
                )
            })
            .collect()
    });
    ALL.get(lang)
        .or_else(|| ALL.get("en"))
        .expect("English is one of the languages")
}

/// Whether `lang` is one of the shipped languages.
pub fn known(lang: &str) -> bool {
    words(lang).lang == lang
}

impl Words {
    /// The string of `key` (the key itself when no language has it).
    pub fn s<'a>(&'a self, key: &'a str) -> &'a str {
        match self.strings.get(key) {
            Some(Value::String(s)) => s,
            Some(Value::Object(forms)) => forms.get("other").and_then(Value::as_str).unwrap_or(key),
            _ => key,
        }
    }

    /// The string of `key` with `{name}` placeholders filled in.
    pub fn fill(&self, key: &str, vars: &[(&str, &str)]) -> String {
        let mut out = self.s(key).to_owned();
        for (name, value) in vars {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }

    /// The plural string of `key` for `n`, with `{n}` filled in (a `zero` form, where there is one, for 0).
    pub fn count(&self, key: &str, n: i64) -> String {
        let forms = self.strings.get(key).and_then(Value::as_object);
        let form = |name: &str| forms.and_then(|f| f.get(name)).and_then(Value::as_str);
        let text = (if n == 0 { form("zero") } else { None })
            .or_else(|| form(plural(self.code, n)))
            .or_else(|| form("other"))
            .unwrap_or_else(|| self.s(key));
        text.replace("{n}", &n.to_string())
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
