//! CLDR's plural categories for whole numbers, as `Intl.PluralRules` picks them in the widget: a new
//! language is one row of [`RULES`] (often an existing rule); a language without a row says `other`.

use super::Lang;

type Rule = fn(u64) -> &'static str;

/// Each language's rule, by code.
const RULES: &[(&str, Rule)] = &[
    ("ar", arabic),
    ("de", one_other),
    ("en", one_other),
    ("es", one_many),
    ("fr", zero_one_many),
    ("he", one_two),
    ("it", one_many),
    ("ja", other),
    ("nl", one_other),
    ("pl", polish),
    ("pt", zero_one_many),
    ("ru", east_slavic),
    ("tr", one_other),
    ("uk", east_slavic),
    ("zh", other),
];

/// The plural category (`zero`, `one`, `two`, `few`, `many`, `other`) of the whole number `n` in `lang`.
pub fn plural(lang: Lang, n: i64) -> &'static str {
    let rule = RULES
        .iter()
        .find(|(code, _)| *code == lang.as_str())
        .map_or(other as Rule, |(_, rule)| *rule);
    rule(n.unsigned_abs())
}

fn other(_: u64) -> &'static str {
    "other"
}

fn one_other(n: u64) -> &'static str {
    if n == 1 { "one" } else { "other" }
}

/// A million and its multiples take `many` ("un million de commentaires").
fn millions(n: u64) -> bool {
    n != 0 && n % 1_000_000 == 0
}

/// Spanish, Italian.
fn one_many(n: u64) -> &'static str {
    match n {
        1 => "one",
        n if millions(n) => "many",
        _ => "other",
    }
}

/// French, Portuguese: 0 and 1 are both `one`.
fn zero_one_many(n: u64) -> &'static str {
    match n {
        0 | 1 => "one",
        n if millions(n) => "many",
        _ => "other",
    }
}

fn few(n: u64) -> bool {
    (2..=4).contains(&(n % 10)) && !(12..=14).contains(&(n % 100))
}

fn polish(n: u64) -> &'static str {
    match n {
        1 => "one",
        n if few(n) => "few",
        _ => "many",
    }
}

/// Russian, Ukrainian.
fn east_slavic(n: u64) -> &'static str {
    match n {
        n if n % 10 == 1 && n % 100 != 11 => "one",
        n if few(n) => "few",
        _ => "many",
    }
}

fn arabic(n: u64) -> &'static str {
    match (n, n % 100) {
        (0, _) => "zero",
        (1, _) => "one",
        (2, _) => "two",
        (_, 3..=10) => "few",
        (_, 11..=99) => "many",
        _ => "other",
    }
}

/// Hebrew.
fn one_two(n: u64) -> &'static str {
    match n {
        1 => "one",
        2 => "two",
        _ => "other",
    }
}
