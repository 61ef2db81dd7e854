//! Per-site Bayesian spam classifier for comments (domain layer: pure functions, std only, no I/O). The
//! tokenizer is in `tokens.rs`, the built-in training seed in `seed.rs`.
//!
//! # How it is used
//!
//! Every moderator decision trains the site's filter: "spam" adds one to the spam count of every token of the
//! comment (and to [`Totals::spam`]), "approve" does the same for the ham side. The counts live in storage, one
//! row per (site, token). To classify a new comment the caller computes [`tokens`], looks up the counts for
//! *those tokens only* (a single `WHERE token IN (...)` query), and calls [`score`] with a closure over the
//! result; unknown tokens simply return [`Counts::default`]. A [`Verdict`] with `score >= SPAM_AT` holds the
//! comment, and [`reason`] renders the explanation shown in the moderation queue, e.g.
//! `spam score 0.97 (casino, bit.ly)`.
//!
//! # Method
//!
//! This is Gary Robinson's approach as refined in SpamBayes' "chi-combining" (Robinson, *A Statistical Approach
//! to the Spam Problem*, Linux Journal 107, 2003; SpamBayes `chi2_spamprob`):
//!
//! 1. For a token `w` seen in `spam(w)` of `S` spam and `ham(w)` of `H` ham documents, the class-normalised
//!    probability is `p(w) = (spam(w)/S) / (spam(w)/S + ham(w)/H)`.
//! 2. It is shrunk towards the prior `x = 0.5` with strength `s = 1` by the number of documents `n` that contain
//!    it: `f(w) = (s*x + n*p(w)) / (s + n)`. A token seen once can therefore not be more extreme than 0.75.
//! 3. Tokens with `|f(w) - 0.5| < 0.1` carry no information and are ignored; of the rest the [`MAX_CLUES`] most
//!    extreme are used.
//! 4. Fisher's method combines them twice: `S' = 1 - C⁻¹(-2 Σ ln(1 - f), 2k)` measures how spammy and
//!    `H' = 1 - C⁻¹(-2 Σ ln f, 2k)` how hammy the `k` clues are (`C⁻¹` is the chi-square survival function),
//!    and the score is `(1 + S' - H') / 2`.
//!
//! The score is 0.5 when there are no clues (unknown text, or a filter that has not seen both classes yet), near
//! 1 for consistent spam evidence, near 0 for consistent ham evidence and again near 0.5 when strong evidence
//! points both ways, which is the "unsure" case that should *not* be held. All arithmetic is done on sums of
//! logarithms of probabilities clamped away from 0 and 1, so no input (zero totals, zero counts, counts larger
//! than the totals, empty text) can produce NaN, infinity or a panic.
//!
//! # Tokens
//!
//! [`tokens`] returns distinct features, at most [`MAX_TOKENS`], in priority order (when the cap is hit, the
//! later kinds are dropped first):
//!
//! | token             | meaning                                                                         |
//! |-------------------|---------------------------------------------------------------------------------|
//! | `links:0` … `links:3+` | number of links found in the text, bucketed                                |
//! | `site:<domain>`   | domain of the commenter's website field                                         |
//! | `author:<word>`   | lowercased words of the author name                                             |
//! | `link:<domain>`   | registrable-ish domain of each link (`www.` stripped, `a.b.example.co.uk` → |
//! |                   | `example.co.uk`)                                                                |
//! | `tld:<tld>`       | top-level domain of each link and of the website                                |
//! | `<word>`          | lowercased words of the text, 2..=30 chars, Unicode-aware (no prefix: a word  |
//! |                   | never contains `:`)                                                             |
//! | `num:<digits>`    | digits-only words, bucketed by length (`num:2` … `num:5+`)                      |
//! | `url:<word>`      | words in link host names and paths (`casino` in `lucky-casino.top/bonus`)       |
//!
//! Links are `http(s)://` and `ftp://` URLs, `www.` hosts, Markdown links `[text](url)` and bare domains like
//! `example.com/x` whose TLD is on a short list of common TLDs (so `main.rs`, `e.g.` and `v1.2` are not
//! links). An e-mail address counts as a link to its domain. Change [`TOKENIZER_VERSION`] whenever the
//! token format changes so stored counts can be rebuilt.

/// Maximum number of distinct tokens returned by [`tokens`] (and so of counts looked up per comment).
pub const MAX_TOKENS: usize = 200;

/// Hold a comment when its score is at least this.
///
/// Chi-combined scores are strongly bimodal: with consistent evidence they end up above 0.95 or below 0.05, and
/// mixed evidence lands near 0.5. SpamBayes uses 0.90 as its spam cutoff for the same reason: the region
/// 0.5..0.9 is "unsure", and for a comment service a false hold (an annoyed real reader whose comment waits)
/// is worse than a missed spam (which a moderator can still remove), so only clear spam is held.
pub const SPAM_AT: f64 = 0.9;

/// Version of the token format. Stored counts produced by a different version should be discarded and
/// retrained (for example from the moderation history and [`seed`]).
pub const TOKENIZER_VERSION: u32 = 1;

/// Maximum number of clues combined ("the ~15 most significant tokens").
pub const MAX_CLUES: usize = 15;

/// Maximum number of display tokens in [`Verdict::evidence`].
pub const MAX_EVIDENCE: usize = 3;

/// Robinson's strength of the prior (`s`).
const PRIOR_STRENGTH: f64 = 1.0;
/// Robinson's assumed probability of an unknown token (`x`).
const PRIOR_PROB: f64 = 0.5;
/// Tokens with `|f - 0.5|` below this are ignored.
const MIN_STRENGTH: f64 = 0.1;
/// Probabilities are clamped into `[PROB_EPSILON, 1 - PROB_EPSILON]` before taking logarithms.
const PROB_EPSILON: f64 = 1e-6;

const MIN_WORD_CHARS: usize = 2;
const MAX_WORD_CHARS: usize = 30;
/// At most this many `url:` words are taken from one link.
const MAX_URL_WORDS_PER_LINK: usize = 8;

/// Spam and ham document counts of one token (how many trained comments of each class contained it).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub spam: u32,
    pub ham: u32,
}

/// Number of documents trained per class for one site.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub spam: u32,
    pub ham: u32,
}

macro_rules! impl_learn {
    ($ty:ty) => {
        impl $ty {
            /// Records one trained document of the given class (saturating).
            pub fn add(&mut self, is_spam: bool) {
                let c = if is_spam { &mut self.spam } else { &mut self.ham };
                *c = c.saturating_add(1);
            }

            /// Undoes [`Self::add`], e.g. when a moderator reverses a decision (saturating at zero).
            pub fn remove(&mut self, is_spam: bool) {
                let c = if is_spam { &mut self.spam } else { &mut self.ham };
                *c = c.saturating_sub(1);
            }
        }
    };
}
impl_learn!(Counts);
impl_learn!(Totals);

/// The classification of one comment.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Spam probability-like score in `0.0..=1.0`; 0.5 means "no idea".
    pub score: f64,
    /// The most spammy clues, strongest first, in display form (without the kind prefix), e.g. `casino`,
    /// `bit.ly`. May be non-empty for low scores; it explains the score, it does not decide it.
    pub evidence: Vec<String>,
}

impl Verdict {
    /// Whether the comment should be held for moderation.
    pub fn is_spam(&self) -> bool {
        self.score >= SPAM_AT
    }
}

/// A seed comment: `(text, author, website, is_spam)`.
use std::collections::{HashMap, HashSet};

mod seed;
#[cfg(test)]
mod tests;
mod tokens;

pub use tokens::tokens;

pub type SeedComment = (&'static str, Option<&'static str>, Option<&'static str>, bool);

// ---------------------------------------------------------------------------------------------------------------
// Scoring
// ---------------------------------------------------------------------------------------------------------------

/// Robinson's `f(w)`, or `None` if the token has never been seen in a class with trained documents.
fn token_prob(totals: Totals, c: Counts) -> Option<f64> {
    let ratio = |count: u32, total: u32| {
        if total == 0 {
            0.0
        } else {
            (f64::from(count) / f64::from(total)).min(1.0)
        }
    };
    let spam_ratio = ratio(c.spam, totals.spam);
    let ham_ratio = ratio(c.ham, totals.ham);
    if spam_ratio + ham_ratio <= 0.0 {
        return None;
    }
    let p = spam_ratio / (spam_ratio + ham_ratio);
    let n = f64::from(c.spam) + f64::from(c.ham);
    let f = (PRIOR_STRENGTH * PRIOR_PROB + n * p) / (PRIOR_STRENGTH + n);
    Some(f.clamp(PROB_EPSILON, 1.0 - PROB_EPSILON))
}

/// Survival function of the chi-square distribution with an even number `dof` of degrees of freedom:
/// `P(X >= x2)`.
fn chi2_q(x2: f64, dof: usize) -> f64 {
    let m = x2 / 2.0;
    let mut term = (-m).exp();
    let mut sum = term;
    for i in 1..dof / 2 {
        term *= m / i as f64;
        sum += term;
    }
    sum.min(1.0)
}

/// Fisher/Robinson chi-combining of clue probabilities.
fn chi_combine(probs: &[f64]) -> f64 {
    if probs.is_empty() {
        return 0.5;
    }
    let (mut ln_f, mut ln_1_f) = (0.0, 0.0);
    for &f in probs {
        let f = f.clamp(PROB_EPSILON, 1.0 - PROB_EPSILON);
        ln_f += f.ln();
        ln_1_f += (1.0 - f).ln();
    }
    let dof = 2 * probs.len();
    let spamminess = 1.0 - chi2_q(-2.0 * ln_1_f, dof);
    let hamminess = 1.0 - chi2_q(-2.0 * ln_f, dof);
    let score = (1.0 + spamminess - hamminess) / 2.0;
    if score.is_finite() { score.clamp(0.0, 1.0) } else { 0.5 }
}

/// Human-readable form of a token for the moderation queue.
fn display(token: &str) -> String {
    let Some((kind, rest)) = token.split_once(':') else {
        return token.to_string();
    };
    match (kind, rest) {
        ("tld", tld) => format!(".{tld}"),
        ("links", "0") => "no links".to_string(),
        ("links", "1") => "1 link".to_string(),
        ("links", n) => format!("{n} links"),
        ("num", n) => format!("{n}-digit number"),
        ("link" | "site", "[ip]") => "IP address".to_string(),
        (_, rest) => rest.to_string(),
    }
}

/// Scores a comment from its [`tokens`], the site's [`Totals`] and a lookup of per-token [`Counts`]
/// (return `Counts::default()` for unknown tokens).
///
/// A filter that has not been trained on both classes yet returns 0.5 for everything (the class-normalised
/// frequency is undefined), so it never holds.
pub fn score(totals: Totals, counts: &dyn Fn(&str) -> Counts, tokens: &[String]) -> Verdict {
    let neutral = Verdict {
        score: 0.5,
        evidence: Vec::new(),
    };
    if totals.spam == 0 || totals.ham == 0 {
        return neutral;
    }
    let mut seen = HashSet::new();
    let mut clues: Vec<(f64, &str)> = Vec::new();
    for t in tokens.iter().take(MAX_TOKENS) {
        if !seen.insert(t.as_str()) {
            continue;
        }
        if let Some(f) = token_prob(totals, counts(t))
            && (f - 0.5).abs() >= MIN_STRENGTH
        {
            clues.push((f, t));
        }
    }
    // Most extreme first; ties broken by token so that the result does not depend on the input order.
    clues.sort_by(|a, b| {
        (b.0 - 0.5)
            .abs()
            .total_cmp(&(a.0 - 0.5).abs())
            .then_with(|| a.1.cmp(b.1))
    });
    clues.truncate(MAX_CLUES);
    let probs: Vec<f64> = clues.iter().map(|c| c.0).collect();

    // Evidence: spammy clues, strongest first, but specific ones (words, domains, names) before generic
    // structure ("1 link", ".xyz", "4-digit number") that tells a moderator little on its own.
    let mut spammy: Vec<&(f64, &str)> = clues.iter().filter(|c| c.0 > 0.5).collect();
    spammy.sort_by_key(|c| ["links:", "tld:", "num:"].iter().any(|p| c.1.starts_with(p))); // stable
    let mut evidence: Vec<String> = Vec::new();
    for (_, token) in spammy {
        let d = display(token);
        // Skip views of something already shown: ".ly" after "bit.ly", "casino" after "casino-x.xyz".
        if !evidence.iter().any(|e| e.contains(d.as_str())) {
            evidence.push(d);
        }
        if evidence.len() == MAX_EVIDENCE {
            break;
        }
    }
    Verdict {
        score: chi_combine(&probs),
        evidence,
    }
}

/// The explanation shown in the moderation queue: `spam score 0.97 (casino, bit.ly)`.
///
/// Always starts with `"spam score "`. The score is truncated (not rounded) to two decimals so that a comment
/// below [`SPAM_AT`] is never displayed with a score at or above it.
pub fn reason(v: &Verdict) -> String {
    let s = if v.score.is_finite() {
        v.score.clamp(0.0, 1.0)
    } else {
        0.5
    };
    let shown = ((s * 100.0) + 1e-9).floor() / 100.0;
    if v.evidence.is_empty() {
        format!("spam score {shown:.2}")
    } else {
        format!("spam score {shown:.2} ({})", v.evidence.join(", "))
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Seed
// ---------------------------------------------------------------------------------------------------------------

/// A small built-in training set so the filter works on day one: `(text, author, website, is_spam)`.
///
/// Written for riposte (no real data): 42 spam and 42 ham blog comments, English and German. Train it like
/// moderator clicks: for each entry, `Totals::add(is_spam)` and `Counts::add(is_spam)` for every one of its
/// [`tokens`].
pub fn seed() -> &'static [SeedComment] {
    seed::SEED
}

/// The built-in seed as counts, made once: every site's filter starts from it, and a site's own training
/// (its moderators' clicks) adds to it, so the filter holds obvious spam from the first day.
fn seed_counts() -> &'static (Totals, HashMap<String, Counts>) {
    static SEED: std::sync::LazyLock<(Totals, HashMap<String, Counts>)> = std::sync::LazyLock::new(|| {
        let mut totals = Totals::default();
        let mut counts = HashMap::<String, Counts>::new();
        for &(text, author, website, is_spam) in seed() {
            totals.add(is_spam);
            for t in tokens(text, author, website) {
                counts.entry(t).or_default().add(is_spam);
            }
        }
        (totals, counts)
    });
    &SEED
}

/// Scores `tokens` with a site's own counts (`site_totals`, `site_counts`: the rows the store found for
/// these tokens) on top of the built-in seed.
pub fn score_seeded(site_totals: Totals, site_counts: &HashMap<String, Counts>, tokens: &[String]) -> Verdict {
    let (seed_totals, seed) = seed_counts();
    let totals = Totals {
        spam: seed_totals.spam.saturating_add(site_totals.spam),
        ham: seed_totals.ham.saturating_add(site_totals.ham),
    };
    let lookup = |t: &str| {
        let (a, b) = (
            seed.get(t).copied().unwrap_or_default(),
            site_counts.get(t).copied().unwrap_or_default(),
        );
        Counts {
            spam: a.spam.saturating_add(b.spam),
            ham: a.ham.saturating_add(b.ham),
        }
    };
    score(totals, &lookup, tokens)
}
