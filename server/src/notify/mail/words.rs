//! The words of the notification mails: each language file's `mail` section, so a language is one JSON
//! file, never more templates. `{name}` marks where [`fill`] puts a value.

use std::sync::LazyLock;

use serde::Deserialize;

use crate::domain::notify::Language;
use crate::i18n::{Lang, Plural, Section};

/// Every sentence and label a mail shows. Each file must carry every field: serde refuses a missing one.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Words {
    /// The `lang` attribute of the HTML part.
    #[serde(skip)]
    pub lang: &'static str,
    /// The `dir` attribute of the HTML part, `ltr` or `rtl`.
    #[serde(skip)]
    pub dir: &'static str,
    #[serde(skip)]
    language: Lang,
    pub anonymous: &'static str,
    pub subject_pending: &'static str,
    pub subject_published: &'static str,
    /// `{n}` new comments, by the language's plural rules.
    pub subject_digest: Plural,
    pub subject_confirm: &'static str,
    pub subject_reply: &'static str,
    pub subject_page: &'static str,
    pub intro_pending: &'static str,
    pub intro_published: &'static str,
    pub intro_digest: &'static str,
    pub intro_confirm: &'static str,
    pub intro_reply: &'static str,
    pub intro_page: &'static str,
    pub page: &'static str,
    pub author: &'static str,
    pub written: &'static str,
    pub status: &'static str,
    /// A comment's status as the store names it (`pending`, `published`, `spam`, `deleted`), in words.
    pub status_pending: &'static str,
    pub status_published: &'static str,
    pub status_spam: &'static str,
    pub status_deleted: &'static str,
    pub held_because: &'static str,
    pub approve: &'static str,
    pub spam: &'static str,
    pub delete: &'static str,
    pub open_admin: &'static str,
    pub open_queue: &'static str,
    pub actions_note: &'static str,
    pub confirm: &'static str,
    pub confirm_note: &'static str,
    pub ignore: &'static str,
    pub unsubscribe: &'static str,
    pub unsubscribe_note: &'static str,
    pub footer: &'static str,
}

/// Each language's words, parsed once.
static ALL: LazyLock<Vec<Words>> = LazyLock::new(|| {
    Lang::all()
        .map(|lang| {
            let mut w: Words = lang.read(Section::Mail).unwrap_or_else(|e| panic!("{e}"));
            (w.lang, w.dir, w.language) = (lang.as_str(), lang.dir(), lang);
            w
        })
        .collect()
});

/// The words of a language.
pub fn words(language: Language) -> &'static Words {
    ALL.iter()
        .find(|w| w.language == language.lang())
        .expect("every language is parsed")
}

impl Words {
    /// A stored status in words (an unknown one as it is).
    pub fn status_word<'a>(&self, status: &'a str) -> &'a str {
        match status {
            "pending" => self.status_pending,
            "published" => self.status_published,
            "spam" => self.status_spam,
            "deleted" => self.status_deleted,
            other => other,
        }
    }

    /// The digest's subject for `n` comments, `{n}` still to fill.
    pub fn subject_digest(&self, n: usize) -> &'static str {
        self.subject_digest
            .pick(self.language, i64::try_from(n).unwrap_or(i64::MAX))
    }
}

pub use crate::i18n::fill;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_is_one_pass() {
        assert_eq!(
            fill("[{site}] by {author}", &[("site", "Blog"), ("author", "{site}")]),
            "[Blog] by {site}"
        );
        assert_eq!(fill("{unknown} {", &[]), "{unknown} {");
    }

    #[test]
    fn every_language_fills_the_same_names() {
        let names = |w: &Words| {
            [
                w.subject_pending,
                w.subject_reply,
                w.intro_confirm,
                w.intro_digest,
                w.unsubscribe_note,
            ]
            .iter()
            .map(|s| s.matches('{').count())
            .collect::<Vec<_>>()
        };
        for l in Language::all() {
            assert_eq!(names(words(l)), names(words(Language::EN)), "{}", l.as_str());
        }
    }

    #[test]
    fn every_language_has_every_word_and_counts_by_its_rules() {
        for lang in Lang::all() {
            let w = lang.read::<Words>(Section::Mail).unwrap_or_else(|e| panic!("{e}"));
            assert!(!w.subject_digest(1).is_empty() && !w.subject_digest(5).is_empty());
        }
        let en = words(Language::EN);
        assert_eq!(en.subject_digest(1), "[{site}] {n} new comment");
        assert_eq!(en.subject_digest(2), "[{site}] {n} new comments");
        assert_eq!((en.status_word("spam"), en.status_word("odd")), ("spam", "odd"));
        assert_eq!((en.lang, en.dir), ("en", "ltr"));
    }
}
