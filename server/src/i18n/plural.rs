//! CLDR's plural categories for whole numbers, as `Intl.PluralRules` picks them in the widget. A language
//! is one row of [`RULES`], most often with an existing rule; the table already knows more languages than
//! ship, so that a new file needs no code. A language without a row says `other`.

use super::Lang;

type Rule = fn(u64) -> &'static str;

/// Each language's rule, by code (checked against Node's `Intl.PluralRules`, every row).
const RULES: &[(&str, Rule)] = &[
    ("ar", arabic),
    ("bg", one_other),
    ("bn", zero_one),
    ("ca", one_many),
    ("cs", west_slavic),
    ("da", one_other),
    ("de", one_other),
    ("el", one_other),
    ("en", one_other),
    ("es", one_many),
    ("et", one_other),
    ("fa", zero_one),
    ("fi", one_other),
    ("fr", zero_one_many),
    ("he", one_two),
    ("hi", zero_one),
    ("hr", south_slavic),
    ("hu", one_other),
    ("id", other),
    ("it", one_many),
    ("ja", other),
    ("ko", other),
    ("ms", other),
    ("nb", one_other),
    ("nl", one_other),
    ("pl", polish),
    ("pt", zero_one_many),
    ("ro", romanian),
    ("ru", east_slavic),
    ("sk", west_slavic),
    ("sr", south_slavic),
    ("sv", one_other),
    ("th", other),
    ("tr", one_other),
    ("uk", east_slavic),
    ("vi", other),
    ("zh", other),
];

/// The plural category (`zero`, `one`, `two`, `few`, `many`, `other`) of the whole number `n` in `lang`.
pub fn plural(lang: Lang, n: i64) -> &'static str {
    plural_by_code(lang.as_str(), n)
}

/// [`plural`] for any language code, with a file or not.
pub fn plural_by_code(code: &str, n: i64) -> &'static str {
    let rule = RULES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(other as Rule, |(_, rule)| *rule);
    rule(n.unsigned_abs())
}

/// The codes that have a row of rules.
pub fn plural_codes() -> impl Iterator<Item = &'static str> {
    RULES.iter().map(|(code, _)| *code)
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

/// Hindi, Bengali, Persian: 0 and 1 are both `one`.
fn zero_one(n: u64) -> &'static str {
    if n <= 1 { "one" } else { "other" }
}

/// Czech, Slovak: 2 to 4 exactly.
fn west_slavic(n: u64) -> &'static str {
    match n {
        1 => "one",
        2..=4 => "few",
        _ => "other",
    }
}

/// Croatian, Serbian: as Russian, with `other` for the rest.
fn south_slavic(n: u64) -> &'static str {
    match n {
        n if n % 10 == 1 && n % 100 != 11 => "one",
        n if few(n) => "few",
        _ => "other",
    }
}

fn romanian(n: u64) -> &'static str {
    match (n, n % 100) {
        (1, _) => "one",
        (0, _) | (_, 1..=19) => "few",
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
