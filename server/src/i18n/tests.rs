use std::collections::BTreeSet;

use super::*;

/// The `{name}`s a text fills in.
fn placeholders(s: &str) -> BTreeSet<&str> {
    s.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .filter(|name| !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .collect()
}

/// The categories the rules give `lang` for the numbers the widget and the mails count.
fn categories(lang: Lang) -> BTreeSet<&'static str> {
    (0..=250)
        .chain([1_000_000, 2_000_000])
        .map(|n| plural(lang, n))
        .collect()
}

type Object = serde_json::Map<String, Value>;

/// Every difference of `lang`'s file from English's, one line each, naming the file, section and key.
fn problems(lang: Lang) -> Vec<String> {
    problems_of(lang, &|s| lang.section(s))
}

/// [`problems`] of any file, given its sections.
fn problems_of(lang: Lang, sections: &dyn Fn(Section) -> &'static Object) -> Vec<String> {
    let mut out = Vec::new();
    let file = format!("widget/i18n/{lang}.json");
    for section in Section::ALL {
        let (en, theirs) = (Lang::EN.section(section), sections(section));
        let at = |key: &str| format!("{file}: {}.{key}", section.key());
        for key in en.keys().filter(|k| !theirs.contains_key(*k)) {
            out.push(format!("{} is missing", at(key)));
        }
        for key in theirs.keys().filter(|k| !en.contains_key(*k)) {
            out.push(format!("{} is not in en.json", at(key)));
        }
        for (key, english) in en {
            let Some(text) = theirs.get(key) else { continue };
            match (english, text) {
                (Value::String(english), Value::String(text)) => {
                    if text.trim().is_empty() {
                        out.push(format!("{} is blank", at(key)));
                    }
                    if placeholders(text) != placeholders(english) {
                        out.push(format!(
                            "{} fills {:?}, English {:?}",
                            at(key),
                            placeholders(text),
                            placeholders(english)
                        ));
                    }
                }
                (Value::Object(english), Value::Object(forms)) => {
                    let mut want = categories(lang);
                    want.insert("other");
                    if english.contains_key("zero") {
                        want.insert("zero");
                    }
                    let have: BTreeSet<&str> = forms.keys().map(String::as_str).collect();
                    if have != want {
                        out.push(format!("{} has the forms {have:?}; {lang} needs {want:?}", at(key)));
                    }
                    let allowed = |category: &str| -> BTreeSet<&str> {
                        [category, "other"]
                            .iter()
                            .filter_map(|c| english.get(*c).and_then(Value::as_str))
                            .flat_map(placeholders)
                            .collect()
                    };
                    for (category, form) in forms {
                        match form.as_str() {
                            Some(form) if !form.trim().is_empty() => {
                                let extra: Vec<_> =
                                    placeholders(form).difference(&allowed(category)).copied().collect();
                                if !extra.is_empty() {
                                    out.push(format!("{}.{category} fills {extra:?}, unknown to English", at(key)));
                                }
                            }
                            _ => out.push(format!("{}.{category} must be a non-blank string", at(key))),
                        }
                    }
                }
                (Value::Object(_), _) => out.push(format!("{} must be a plural object, as in English", at(key))),
                _ => out.push(format!("{} must be a string, as in English", at(key))),
            }
        }
    }
    match sections(Section::Widget).get("dir").and_then(Value::as_str) {
        Some("ltr" | "rtl") => {}
        other => out.push(format!("{file}: widget.dir is {other:?}, not \"ltr\" or \"rtl\"")),
    }
    out
}

#[test]
fn every_language_has_every_key_of_english_with_its_placeholders() {
    let all: Vec<String> = Lang::all().flat_map(problems).collect();
    assert!(
        all.is_empty(),
        "the language files differ from en.json:\n{}",
        all.join("\n")
    );
    assert!(Lang::all().count() >= 2, "en.json and de.json at least");
}

#[test]
fn the_checks_name_what_is_missing() {
    assert_eq!(
        placeholders("[{site}] {n} new {} {x-y} {n}"),
        BTreeSet::from(["n", "site"])
    );
    assert!(problems(Lang::EN).is_empty());
    // English with a key gone, one more, a placeholder renamed, a plural object flattened, a form missing.
    let mut broken: [Object; 3] = Section::ALL.map(|s| Lang::EN.section(s).clone());
    let [widget, admin, mail] = &mut broken;
    widget.remove("reply");
    widget.insert("dir".into(), "down".into());
    widget.insert("errRate".into(), "Slow down".into());
    admin.insert("shiny".into(), "New".into());
    mail.insert("intro_digest".into(), "New on {website} since {since}:".into());
    mail["subject_digest"].as_object_mut().unwrap().remove("one");
    let broken: &'static [Object; 3] = Box::leak(Box::new(broken));
    let found = problems_of(Lang("qq"), &|s| &broken[s as usize]);
    let file = "widget/i18n/qq.json";
    for line in [
        format!("{file}: widget.reply is missing"),
        format!("{file}: admin.shiny is not in en.json"),
        format!("{file}: widget.errRate must be a plural object, as in English"),
        format!("{file}: mail.intro_digest fills {{\"since\", \"website\"}}, English {{\"since\", \"site\"}}"),
        format!("{file}: widget.dir is Some(\"down\"), not \"ltr\" or \"rtl\""),
    ] {
        assert!(found.contains(&line), "{line}\nnot in\n{}", found.join("\n"));
    }
    // qq has no rules (only `other`), so English's `one` is one form too many; and `one` went missing
    // from the digest, which is fine for qq.
    assert!(
        found
            .iter()
            .any(|l| l.starts_with(&format!("{file}: widget.comments has the forms"))),
        "{found:?}"
    );
    assert!(
        !found
            .iter()
            .any(|l| l.starts_with(&format!("{file}: mail.subject_digest"))),
        "{found:?}"
    );
}

#[test]
fn codes_parse_exactly_and_the_refusal_lists_them() {
    assert_eq!(Lang::parse("en"), Ok(Lang::EN));
    assert_eq!(Lang::parse("de").unwrap().as_str(), "de");
    for bad in ["xx", "DE", "de-AT", ""] {
        let e = Lang::parse(bad).unwrap_err().to_string();
        assert!(e.contains(&format!("{bad:?}")) && e.contains("de, en"), "{e}");
    }
    let codes: Vec<&str> = Lang::all().map(Lang::as_str).collect();
    assert!(codes.windows(2).all(|w| w[0] < w[1]), "sorted: {codes:?}");
    assert_eq!(Lang::EN.name(), "English");
    assert_eq!(Lang::parse("de").unwrap().name(), "Deutsch");
    assert_eq!(Lang::EN.dir(), "ltr");
}

#[test]
fn the_browser_language_is_picked_by_weight() {
    assert_eq!(pick("de-DE,de;q=0.9,en;q=0.8").as_str(), "de");
    assert_eq!(pick("xx-XX, en;q=0.5, de;q=0.4").as_str(), "en");
    assert_eq!(pick("xx").as_str(), "en");
    assert_eq!(pick("en;q=0.1, DE;q=0.9").as_str(), "de");
    assert_eq!(pick("de;q=0, en").as_str(), "en");
    assert_eq!(pick("*").as_str(), "en");
    assert_eq!(pick("").as_str(), "en");
}

#[test]
fn plural_rules_know_their_languages() {
    let rule = |code: &'static str, n| plural(Lang(code), n);
    assert_eq!([0, 1, 2, -1].map(|n| rule("en", n)), ["other", "one", "other", "one"]);
    assert_eq!([1, 21].map(|n| rule("de", n)), ["one", "other"]);
    // The rules hold for codes without a file too; a code without rules says `other`.
    assert_eq!(
        [0, 1, 2, 1_000_000].map(|n| rule("fr", n)),
        ["one", "one", "other", "many"]
    );
    assert_eq!(
        [0, 1, 1_000_000, 1_000_001].map(|n| rule("es", n)),
        ["other", "one", "many", "other"]
    );
    assert_eq!(
        [1, 2, 5, 12, 22, 0].map(|n| rule("pl", n)),
        ["one", "few", "many", "many", "few", "many"]
    );
    assert_eq!(
        [1, 21, 11, 22, 14, 25].map(|n| rule("ru", n)),
        ["one", "one", "many", "few", "many", "many"]
    );
    assert_eq!(
        [0, 1, 2, 3, 10, 11, 99, 100, 102, 103].map(|n| rule("ar", n)),
        [
            "zero", "one", "two", "few", "few", "many", "many", "other", "other", "few"
        ]
    );
    assert_eq!([1, 2, 10, 20].map(|n| rule("he", n)), ["one", "two", "other", "other"]);
    assert_eq!([1, 2].map(|n| rule("ja", n)), ["other", "other"]);
    assert_eq!([1, 2].map(|n| rule("qq", n)), ["other", "other"]);
    assert_eq!(
        [1, 2, 4, 5, 22].map(|n| rule("cs", n)),
        ["one", "few", "few", "other", "other"]
    );
    assert_eq!(
        [0, 1, 2, 19, 20, 101].map(|n| rule("ro", n)),
        ["few", "one", "few", "few", "other", "few"]
    );
    assert_eq!([0, 1, 2].map(|n| plural_by_code("hi", n)), ["one", "one", "other"]);
}

#[test]
fn the_tables_stay_sorted_without_repeats() {
    let codes: Vec<&str> = plural_codes().collect();
    assert!(codes.windows(2).all(|w| w[0] < w[1]), "{codes:?}");
    assert!(NAMES.windows(2).all(|w| w[0].0 < w[1].0));
    for lang in Lang::all() {
        assert!(
            codes.contains(&lang.as_str()),
            "{lang} has no plural rules in plural.rs"
        );
    }
}

#[test]
fn plural_forms_pick_zero_then_the_category_then_other() {
    let forms: Plural = serde_json::from_str(r#"{"zero": "none", "one": "{n} thing", "other": "{n} things"}"#).unwrap();
    assert_eq!(forms.pick(Lang::EN, 0), "none");
    assert_eq!(forms.pick(Lang::EN, 1), "{n} thing");
    assert_eq!(forms.pick(Lang::EN, 7), "{n} things");
    assert_eq!(forms.pick(Lang("ar"), 3), "{n} things", "no few: other");
    assert_eq!(
        text(Lang::EN, Section::Mail, "subject_digest", 1),
        Some("[{site}] {n} new comment")
    );
    assert_eq!(text(Lang::EN, Section::Widget, "comments", 0), Some("No comments yet"));
    assert_eq!(text(Lang::EN, Section::Widget, "thread", 0), Some("Comments"));
    assert_eq!(text(Lang::EN, Section::Widget, "no such key", 0), None);
}
