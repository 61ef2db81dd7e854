//! Tests of the filter, by concern: the tokenizer, the scoring, and the seed (its balance and held-out
//! accuracy); here, what they share: an in-memory stand-in for the per-site count table.

use std::collections::{HashMap, HashSet};

use super::*;

mod scoring;
mod seed;
mod tokens;

/// In-memory stand-in for the per-site count table.
#[derive(Default)]
struct Model {
    totals: Totals,
    counts: HashMap<String, Counts>,
}

impl Model {
    fn learn(&mut self, text: &str, author: Option<&str>, website: Option<&str>, is_spam: bool) {
        self.totals.add(is_spam);
        for t in tokens(text, author, website) {
            self.counts.entry(t).or_default().add(is_spam);
        }
    }

    fn seeded() -> Self {
        let mut m = Model::default();
        for &(text, author, website, is_spam) in seed() {
            m.learn(text, author, website, is_spam);
        }
        m
    }

    fn score(&self, text: &str, author: Option<&str>, website: Option<&str>) -> Verdict {
        let lookup = |t: &str| self.counts.get(t).copied().unwrap_or_default();
        score(self.totals, &lookup, &tokens(text, author, website))
    }
}

fn has(toks: &[String], t: &str) -> bool {
    toks.iter().any(|x| x == t)
}

const HELD_OUT_SPAM: &[(&str, Option<&str>, Option<&str>)] = &[
    (
        "Awesome article!! Claim your free casino bonus and free spins today: https://bit.ly/spins-4-you",
        Some("Casino Spins"),
        None,
    ),
    (
        "Cheap viagra and cialis pills online, no prescription needed. Order at https://rx-cheap-store.top",
        Some("Pharmacy Online"),
        None,
    ),
    (
        "Need money fast? Get an instant payday loan online even with bad credit, apply now \
            https://tinyurl.com/cash-loan-now",
        None,
        None,
    ),
    (
        "Great post, thanks! Visit my site for the best SEO backlinks: https://seo-links-pro.online",
        Some("SEO Pro"),
        Some("https://seo-links-pro.online"),
    ),
    (
        "Super Artikel! Kredit ohne Schufa sofort online beantragen: https://bit.ly/kredit-schnell",
        Some("Kredit Schnell"),
        None,
    ),
    (
        "Online Casino Bonus ohne Einzahlung, jetzt Freispiele sichern: casino-freispiele.xyz",
        None,
        None,
    ),
    (
        "Toller Blog! Besuchen Sie meine Seite und verdienen Sie Geld mit Bitcoin: https://tinyurl.com/krypto-geld",
        Some("Geld Experte"),
        None,
    ),
];

const HELD_OUT_HAM: &[(&str, Option<&str>, Option<&str>)] = &[
    (
        "I made the soup again with sweet potatoes instead of carrots, and it was even better. Thanks for the \
            recipe!",
        Some("Laura"),
        None,
    ),
    (
        "Danke für das Rezept! Ich habe den Kuchen mit Äpfeln aus unserem Garten gebacken. Viele Grüße, Lena",
        Some("Lena"),
        None,
    ),
    (
        "Which gear ratio did you use for the climb? My knees were not happy on the last kilometers.",
        Some("Paul"),
        None,
    ),
    (
        "Bei mir wachsen die Tomaten dieses Jahr im Hochbeet, leider haben sie braune Blätter. Hast du eine Idee?",
        Some("Gisela"),
        None,
    ),
    (
        "The pinning section is great. For anyone curious, the Rust reference has more details: \
            https://doc.rust-lang.org/reference/",
        Some("Tim"),
        None,
    ),
];
