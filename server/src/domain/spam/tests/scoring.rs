//! Scoring: neutral without evidence, held-out spam held and ham passed, evidence and reasons, and no NaN
//! for any counts.

use super::*;

#[test]
fn untrained_model_is_neutral() {
    let empty = Model::default();
    let v = empty.score(
        "Cheap casino bonus https://bit.ly/x",
        Some("Casino"),
        Some("casino.xyz"),
    );
    assert_eq!(v.score, 0.5);
    assert!(v.evidence.is_empty() && !v.is_spam());
    assert_eq!(reason(&v), "spam score 0.50");
    // Trained on one class only: still neutral, never holds.
    let mut spam_only = Model::default();
    spam_only.learn("Cheap casino bonus https://bit.ly/x", None, None, true);
    assert_eq!(
        spam_only.score("Cheap casino bonus https://bit.ly/x", None, None).score,
        0.5
    );
}

#[test]
fn unknown_text_is_neutral() {
    let m = Model::seeded();
    let toks: Vec<String> = ["zqxv", "wkrpfl", "link:zqxv.com"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let lookup = |t: &str| m.counts.get(t).copied().unwrap_or_default();
    let v = score(m.totals, &lookup, &toks);
    assert_eq!(v.score, 0.5);
    assert!(score(m.totals, &lookup, &[]).score == 0.5);
}

#[test]
fn held_out_spam_is_held_and_ham_passes() {
    let m = Model::seeded();
    for &(text, author, site) in HELD_OUT_SPAM {
        let v = m.score(text, author, site);
        println!("spam {:.4} {:?} {text}", v.score, v.evidence);
        assert!(
            v.score >= SPAM_AT,
            "held-out spam not held: {} for {text:?}",
            reason(&v)
        );
        assert!(v.is_spam());
        assert!(!v.evidence.is_empty());
    }
    for &(text, author, site) in HELD_OUT_HAM {
        let v = m.score(text, author, site);
        println!("ham  {:.4} {:?} {text}", v.score, v.evidence);
        assert!(v.score < 0.5, "held-out ham too spammy: {} for {text:?}", reason(&v));
    }
}

#[test]
fn evidence_names_expected_tokens() {
    let m = Model::seeded();
    let v = m.score(HELD_OUT_SPAM[0].0, HELD_OUT_SPAM[0].1, HELD_OUT_SPAM[0].2);
    assert!(v.evidence.iter().any(|e| e == "casino" || e == "bonus"), "{v:?}");
    assert!(v.evidence.len() <= MAX_EVIDENCE);
    let r = reason(&v);
    assert!(
        r.starts_with("spam score 0.9") || r.starts_with("spam score 1.00"),
        "{r}"
    );
    assert!(r.ends_with(')') && r.contains(&v.evidence[0]), "{r}");

    let v = m.score("Kredit ohne Schufa, sofort: https://tinyurl.com/abc", None, None);
    assert!(v.is_spam(), "{v:?}");
    assert!(v.evidence.iter().any(|e| e == "tinyurl.com"), "{v:?}");
    assert!(v.evidence.iter().any(|e| e == "schufa" || e == "kredit"), "{v:?}");
    assert!(
        v.evidence.iter().all(|e| e != "1 link"),
        "specific evidence goes first: {v:?}"
    );
    let v = m.score("look at this https://bit.ly/zz https://bit.ly/yy", None, None);
    assert!(v.evidence.iter().any(|e| e == "bit.ly"), "{v:?}");
}

#[test]
fn adding_a_spam_link_raises_the_score() {
    let m = Model::seeded();
    let bases = [
        "Thanks for the article, I will try this at home.",
        "Danke für den Beitrag, das probiere ich am Wochenende aus.",
        "Interesting point about the brakes.",
    ];
    for base in bases {
        let before = m.score(base, None, None).score;
        let one = m.score(&format!("{base} https://bit.ly/win-big"), None, None).score;
        let two = m
            .score(&format!("{base} https://bit.ly/win-big casino-bonus.xyz"), None, None)
            .score;
        println!("{before:.4} -> {one:.4} -> {two:.4}: {base}");
        assert!(one > before, "{before} -> {one} for {base:?}");
        assert!(two > one, "{one} -> {two} for {base:?}");
    }
}

#[test]
fn reason_format() {
    let v = Verdict {
        score: 0.97,
        evidence: vec!["casino".into(), "bit.ly".into()],
    };
    assert_eq!(reason(&v), "spam score 0.97 (casino, bit.ly)");
    assert_eq!(
        reason(&Verdict {
            score: 0.8999,
            evidence: vec![]
        }),
        "spam score 0.89"
    );
    assert_eq!(
        reason(&Verdict {
            score: 0.29,
            evidence: vec![]
        }),
        "spam score 0.29"
    );
    assert_eq!(
        reason(&Verdict {
            score: 1.0,
            evidence: vec![]
        }),
        "spam score 1.00"
    );
    assert_eq!(
        reason(&Verdict {
            score: f64::NAN,
            evidence: vec![]
        }),
        "spam score 0.50"
    );
    assert_eq!(
        reason(&Verdict {
            score: -3.0,
            evidence: vec![]
        }),
        "spam score 0.00"
    );
    assert_eq!(display("links:3+"), "3+ links");
    assert_eq!(display("tld:xyz"), ".xyz");
    assert_eq!(display("link:bit.ly"), "bit.ly");
}

#[test]
fn counts_add_remove_saturate() {
    let mut c = Counts { spam: u32::MAX, ham: 0 };
    c.add(true);
    c.remove(false);
    assert_eq!(c, Counts { spam: u32::MAX, ham: 0 });
    let mut t = Totals::default();
    t.add(false);
    t.add(false);
    t.remove(false);
    assert_eq!(t, Totals { spam: 0, ham: 1 });
}

/// Minimal LCG (Knuth's MMIX constants) for property-style tests without crates.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as u32
    }
    fn below(&mut self, n: u32) -> u32 {
        self.next() % n
    }
}

#[test]
fn never_nan_for_random_inputs() {
    const PIECES: &[&str] = &[
        "a", "Grüße", "casino", " ", ".", "/", ":", "://", "http", "www.", ".com", ".xyz", "[", "](", ")", "😀",
        "\u{0}", "\u{308}", "7", "ß", "İ", "@", "\n", "-", "bit.ly/", "ЖЖ", "中文",
    ];
    let interesting = [0, 1, 2, 3, 1000, u32::MAX - 1, u32::MAX];
    let mut rng = Lcg(0x5eed);
    let m = Model::seeded();
    for _ in 0..2000 {
        let len = rng.below(40);
        let text: String = (0..len)
            .map(|_| PIECES[rng.below(PIECES.len() as u32) as usize])
            .collect();
        let toks = tokens(&text, Some(&text), Some(&text));
        assert!(toks.len() <= MAX_TOKENS);
        let pick = |rng: &mut Lcg| {
            if rng.below(2) == 0 {
                interesting[rng.below(interesting.len() as u32) as usize]
            } else {
                rng.next()
            }
        };
        let totals = Totals {
            spam: pick(&mut rng),
            ham: pick(&mut rng),
        };
        let salt = rng.next();
        let lookup = move |t: &str| {
            let h = t
                .bytes()
                .fold(salt, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
            match h % 4 {
                0 => Counts::default(),
                1 => Counts {
                    spam: h % 7,
                    ham: h % 5,
                },
                2 => Counts {
                    spam: u32::MAX,
                    ham: h % 3,
                },
                _ => Counts {
                    spam: h,
                    ham: h.rotate_left(7),
                },
            }
        };
        for v in [score(totals, &lookup, &toks), m.score(&text, Some(&text), None)] {
            assert!(
                v.score.is_finite() && (0.0..=1.0).contains(&v.score),
                "{v:?} for {text:?} {totals:?}"
            );
            assert!(reason(&v).starts_with("spam score "));
        }
    }
    // Degenerate: every probability at its extreme.
    let all_spam = |_: &str| Counts { spam: u32::MAX, ham: 0 };
    let all_ham = |_: &str| Counts { spam: 0, ham: u32::MAX };
    let toks: Vec<String> = (0..MAX_TOKENS).map(|i| format!("t{i}")).collect();
    let t = Totals { spam: 1, ham: 1 };
    let hi = score(t, &all_spam, &toks).score;
    let lo = score(t, &all_ham, &toks).score;
    assert!(hi.is_finite() && hi > 0.99, "{hi}");
    assert!(lo.is_finite() && lo < 0.01, "{lo}");
}
