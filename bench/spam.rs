//! The cost of the learning spam filter on the server, per comment: splitting it into tokens and scoring
//! them against the built-in seed (the database lookup of a site's own counts is one indexed `IN` query on
//! top; it is inside `bench/run.py`'s posting numbers).
//!
//! `cargo run --release --example spam` prints comments per second and microseconds per comment, the
//! median of five runs over 10,000 generated comments of about 400 characters.

use std::collections::HashMap;
use std::time::Instant;

use riposte::domain::spam::{score_seeded, tokens};

const WORDS: &[&str] = &[
    "Danke",
    "für",
    "den",
    "Beitrag",
    "ich",
    "habe",
    "das",
    "Rezept",
    "ausprobiert",
    "great",
    "post",
    "casino",
    "bonus",
    "https://bit.ly/abc",
    "garden",
    "tomatoes",
    "cycling",
    "Rust",
    "compiler",
    "www.example.com/x",
    "Grüße",
    "aus",
    "Berlin",
    "free",
    "spins",
    "today",
    "crypto",
    "wallet",
    "Kuchen",
    "Zucker",
];

fn comment(seed: u64) -> String {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut text = String::new();
    while text.len() < 400 {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        text.push_str(WORDS[(x >> 33) as usize % WORDS.len()]);
        text.push(' ');
    }
    text
}

fn main() {
    let comments: Vec<String> = (0..10_000).map(comment).collect();
    let none = HashMap::new();
    // The seed's counts are built once, on the first score: not part of the per-comment cost.
    score_seeded(Default::default(), &none, &tokens("warm up", None, None));
    let mut runs: Vec<f64> = (0..5)
        .map(|_| {
            let started = Instant::now();
            let mut held = 0;
            for c in &comments {
                let toks = tokens(c, Some("Anna"), None);
                held += usize::from(score_seeded(Default::default(), &none, &toks).is_spam());
            }
            std::hint::black_box(held);
            started.elapsed().as_secs_f64()
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    let median = runs[2];
    println!(
        "{{\"comments\": {}, \"per_second\": {:.0}, \"us_per_comment\": {:.1}}}",
        comments.len(),
        comments.len() as f64 / median,
        median * 1e6 / comments.len() as f64
    );
}
