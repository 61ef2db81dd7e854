//! The built-in seed: balanced, bilingual, and accurate on comments it was not trained on.

use super::*;

#[test]
fn seed_is_balanced_and_bilingual() {
    let s = seed();
    let spam = s.iter().filter(|c| c.3).count();
    let ham = s.len() - spam;
    assert!(
        (38..=45).contains(&spam) && (38..=45).contains(&ham),
        "{spam} spam, {ham} ham"
    );
    let german = |c: &&SeedComment| {
        ["ä", "ö", "ü", "ß", " und ", " ich ", " Sie "]
            .iter()
            .any(|g| c.0.contains(g))
    };
    assert!(s.iter().filter(|c| c.3).filter(german).count() >= 12);
    assert!(s.iter().filter(|c| !c.3).filter(german).count() >= 12);
    let distinct: HashSet<&str> = s.iter().map(|c| c.0).collect();
    assert_eq!(distinct.len(), s.len(), "duplicate seed text");
    for &(text, ..) in HELD_OUT_SPAM.iter().chain(HELD_OUT_HAM) {
        assert!(!distinct.contains(text), "held-out comment is in the seed: {text}");
    }
}

/// 4-fold cross-validation on the seed: train on 3/4, classify the held-out 1/4, for each quarter.
#[test]
fn held_out_accuracy() {
    let s = seed();
    let (mut tp, mut fp, mut fn_, mut tn, mut unsure) = (0u32, 0u32, 0u32, 0u32, 0u32);
    let (mut spam_scores, mut ham_scores) = (Vec::new(), Vec::new());
    for fold in 0..4 {
        let mut m = Model::default();
        for (i, &(text, author, site, is_spam)) in s.iter().enumerate() {
            if i % 4 != fold {
                m.learn(text, author, site, is_spam);
            }
        }
        for (i, &(text, author, site, is_spam)) in s.iter().enumerate() {
            if i % 4 != fold {
                continue;
            }
            let v = m.score(text, author, site);
            if is_spam {
                spam_scores.push(v.score)
            } else {
                ham_scores.push(v.score)
            }
            if (0.2..SPAM_AT).contains(&v.score) {
                unsure += 1;
            }
            match (v.is_spam(), is_spam) {
                (true, true) => tp += 1,
                (true, false) => {
                    fp += 1;
                    println!("FALSE POSITIVE {:.4} {:?}: {text}", v.score, v.evidence);
                }
                (false, true) => {
                    fn_ += 1;
                    println!("missed spam {:.4} {:?}: {text}", v.score, v.evidence);
                }
                (false, false) => tn += 1,
            }
        }
    }
    spam_scores.sort_by(f64::total_cmp);
    ham_scores.sort_by(f64::total_cmp);
    println!("ham scores:  {ham_scores:.3?}");
    println!("spam scores: {spam_scores:.3?}");
    let precision = f64::from(tp) / f64::from((tp + fp).max(1));
    let recall = f64::from(tp) / f64::from((tp + fn_).max(1));
    let accuracy = f64::from(tp + tn) / f64::from(tp + tn + fp + fn_);
    println!(
        "4-fold held-out at SPAM_AT={SPAM_AT}: tp={tp} fp={fp} fn={fn_} tn={tn} unsure(0.2..0.9)={unsure} \
         precision={precision:.3} recall={recall:.3} accuracy={accuracy:.3}"
    );
    assert_eq!(fp, 0, "a real reader's comment was held");
    assert!(precision >= 0.95, "precision {precision}");
    assert!(recall >= 0.6, "recall {recall}");
}

#[test]
fn the_seeded_scorer_holds_obvious_spam_and_site_training_moves_it() {
    let spam = tokens(
        "Win big at our online casino, free bonus spins today https://bit.ly/xyz",
        Some("Casino Bonus"),
        None,
    );
    let none = HashMap::new();
    assert!(score_seeded(Totals::default(), &none, &spam).is_spam());
    let ham = tokens("Danke für das Rezept, der Kuchen ist gut gelungen!", Some("Anna"), None);
    assert!(!score_seeded(Totals::default(), &none, &ham).is_spam());
    // A site whose moderators approved this exact kind of comment many times learns it is not spam here.
    let mut site = HashMap::new();
    for t in &spam {
        site.insert(t.clone(), Counts { spam: 0, ham: 200 });
    }
    let trained = Totals { spam: 0, ham: 200 };
    assert!(!score_seeded(trained, &site, &spam).is_spam());
}
