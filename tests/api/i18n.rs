//! Every language of `widget/i18n/`: the server counts as the widget's `Intl.PluralRules` does (checked
//! against Node), the admin UI answers in the browser's language and direction, and the widget gets its
//! own section of each file.

use std::collections::BTreeMap;
use std::process::Command;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use riposte::i18n::{Lang, Section, plural, plural_by_code, plural_codes};

use crate::helpers::TestApp;

const PASSWORD: &str = "a long enough password";

/// The numbers the comparison counts: every small count, and a million (French's `many`).
fn numbers() -> Vec<i64> {
    (0..=250).chain([1_000_000]).collect()
}

/// Node's categories for each language and number, asked once. Node is on every machine that runs
/// these tests (it drives the browser tests too); without it this fails rather than passing unseen.
fn intl_categories(codes: &[&str], numbers: &[i64]) -> BTreeMap<String, (String, Vec<String>)> {
    const SCRIPT: &str = r#"
        const [langs, numbers] = process.argv.slice(1).map(JSON.parse);
        const out = {};
        for (const l of langs) {
          const rules = new Intl.PluralRules(l);
          out[l] = [rules.resolvedOptions().locale, numbers.map((n) => rules.select(n))];
        }
        console.log(JSON.stringify(out));
    "#;
    let output = Command::new("node")
        .args(["-e", SCRIPT])
        .arg(serde_json::to_string(codes).unwrap())
        .arg(serde_json::to_string(numbers).unwrap())
        .output()
        .unwrap_or_else(|e| {
            panic!("this test needs Node.js (`node` on the PATH) to compare with Intl.PluralRules: {e}")
        });
    assert!(
        output.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("node printed the categories as JSON")
}

/// Every row of the rules, the languages that ship and those a new file may bring.
#[test]
fn plural_rules_agree_with_intl_plural_rules() {
    let mut codes: Vec<&str> = plural_codes().collect();
    for lang in Lang::all() {
        assert!(codes.contains(&lang.as_str()), "{lang} ships without plural rules");
    }
    codes.sort();
    let numbers = numbers();
    let intl = intl_categories(&codes, &numbers);
    let mut wrong = Vec::new();
    for code in &codes {
        let (locale, categories) = &intl[*code];
        assert!(
            locale.split('-').next() == Some(*code),
            "this Node has no rules for {code} (it answers for {locale:?}): it needs full ICU"
        );
        for (n, intl) in numbers.iter().zip(categories) {
            let ours = plural_by_code(code, *n);
            if ours != intl {
                wrong.push(format!("{code} {n}: riposte says {ours}, Intl.PluralRules {intl}"));
            }
        }
        if let Ok(lang) = Lang::parse(code) {
            assert!(numbers.iter().all(|n| plural(lang, *n) == plural_by_code(code, *n)));
        }
    }
    assert!(wrong.is_empty(), "the plural rules differ:\n{}", wrong.join("\n"));
}

async fn admin_page(app: &TestApp, cookie: &str, path: &str, accept_language: &str) -> String {
    let req = Request::get(path)
        .header("cookie", cookie)
        .header("accept-language", accept_language)
        .body(Body::empty())
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::OK, "{path}");
    r.text()
}

#[tokio::test]
async fn the_admin_ui_answers_in_the_browser_language() {
    let app = TestApp::new().await;
    app.add_moderator("anna", PASSWORD, &[]).await;
    let admin = app.login("anna", PASSWORD).await;
    let de = admin_page(&app, &admin.cookie, "/admin", "de-AT, en;q=0.5").await;
    assert!(de.contains(r#"<html lang="de" dir="ltr">"#), "{de}");
    assert!(de.contains("Warteschlange"));
    let en = admin_page(&app, &admin.cookie, "/admin", "xx, *;q=0.1").await;
    assert!(en.contains(r#"<html lang="en" dir="ltr">"#) && en.contains("Queue"));
    // Right to left for Hebrew and Arabic, with their own words.
    for (asks, lang, queue) in [("he-IL,he;q=0.9", "he", "תור"), ("ar-EG", "ar", "قائمة المراجعة")] {
        let page = admin_page(&app, &admin.cookie, "/admin", asks).await;
        assert!(page.contains(&format!(r#"<html lang="{lang}" dir="rtl">"#)), "{page}");
        assert!(page.contains(queue), "{lang}");
    }
    let rtl: Vec<&str> = Lang::all().filter(|l| l.dir() == "rtl").map(Lang::as_str).collect();
    assert_eq!(rtl, ["ar", "he"]);
}

#[tokio::test]
async fn the_sites_page_offers_every_language_by_its_own_name() {
    let app = TestApp::new().await;
    app.add_moderator("anna", PASSWORD, &[]).await;
    let admin = app.login("anna", PASSWORD).await;
    let page = admin_page(&app, &admin.cookie, "/admin/sites", "en").await;
    let site_form = page
        .split(r#"name="language">"#)
        .nth(1)
        .expect("a language select")
        .split("</select>")
        .next()
        .unwrap();
    for lang in Lang::all() {
        let selected = if lang == Lang::EN { " selected" } else { "" };
        let option = format!(r#"<option value="{lang}"{selected}>{}</option>"#, lang.name());
        assert!(site_form.contains(&option), "{option} in {site_form}");
    }
    assert!(site_form.contains(">Deutsch</option>") && site_form.contains(">English</option>"));
}

#[tokio::test]
async fn the_widget_gets_its_section_of_each_file() {
    let app = TestApp::new().await;
    for lang in Lang::all() {
        let r = app.get(&format!("/i18n/{lang}.json")).await;
        assert_eq!(r.status, StatusCode::OK, "{lang}");
        let served = r.json();
        let served = served.as_object().unwrap();
        assert_eq!(served, lang.section(Section::Widget), "{lang}");
        assert!(!served.contains_key("admin") && !served.contains_key("mail"));
        assert_eq!(served["dir"], lang.dir());
    }
}
