//! The widget's files (`/embed.js`, `/embed.css`, `/live.js`, `/i18n/{lang}.json`) and the demo page's stylesheet:
//! built and compressed (gzip, brotli) once, then served with ETag and cache headers.

use std::collections::HashMap;
use std::io::Write;
use std::sync::LazyLock;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::http::headers::{Encoding, Representation};
use crate::i18n::{Lang, Section};

const EMBED_JS: &str = include_str!("../../../widget/embed.js");
const EMBED_CSS: &str = include_str!("../../../widget/embed.css");
const DEMO_CSS: &str = include_str!("../../templates/demo.css");
const LIVE_JS: &str = include_str!("../../../widget/live.js");

pub struct Asset {
    content_type: &'static str,
    cache_control: &'static str,
    /// Readable from any origin (translations are fetched by the widget on other sites).
    public: bool,
    /// Entity tags of the identity, gzip and brotli bodies.
    etags: [HeaderValue; 3],
    identity: Bytes,
    gzip: Bytes,
    brotli: Bytes,
}

impl Asset {
    fn new(content_type: &'static str, cache_control: &'static str, public: bool, body: Vec<u8>) -> Self {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&body).expect("writing to memory");
        let gzip = gz.finish().expect("writing to memory");
        let mut brotli = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut brotli, 4096, 11, 22);
            w.write_all(&body).expect("writing to memory");
        }
        use sha2::Digest;
        let hash = sha2::Sha256::digest(&body);
        let tag: String = hash[..8].iter().map(|b| format!("{b:02x}")).collect();
        Self {
            content_type,
            cache_control,
            public,
            etags: [Encoding::Identity, Encoding::Gzip, Encoding::Brotli].map(|e| e.etag(&tag)),
            identity: body.into(),
            gzip: gzip.into(),
            brotli: brotli.into(),
        }
    }

    pub fn len(&self) -> usize {
        self.identity.len()
    }

    pub fn is_empty(&self) -> bool {
        self.identity.is_empty()
    }

    pub fn gzip_len(&self) -> usize {
        self.gzip.len()
    }

    pub fn body(&self) -> &[u8] {
        &self.identity
    }

    /// Answers with the best encoding the client accepts, or 304 when its copy is current.
    pub fn respond(&'static self, headers: &HeaderMap) -> Response {
        let encoding = Encoding::negotiate(headers, &[Encoding::Brotli, Encoding::Gzip]);
        let answer = Representation {
            etag: &self.etags[encoding as usize],
            content_type: self.content_type,
            encoding,
            cache_control: self.cache_control,
        };
        let mut response = answer.respond(headers, || match encoding {
            Encoding::Brotli => self.brotli.clone(),
            Encoding::Gzip => self.gzip.clone(),
            Encoding::Identity => self.identity.clone(),
        });
        let h = response.headers_mut();
        h.insert("cross-origin-resource-policy", HeaderValue::from_static("cross-origin"));
        if self.public {
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        }
        response
    }
}

/// Widget files may change with an upgrade, so caches check back hourly (and get a cheap 304).
const WIDGET_CACHE: &str = "public, max-age=3600, stale-while-revalidate=86400";

/// embed.js with the English strings (the fallback) and the list of languages filled in, so that an
/// English page needs no second request and other languages load only their own file.
pub static EMBED: LazyLock<Asset> = LazyLock::new(|| {
    // live.js translates through embed.js's `t`: its words come along.
    let en = inlined(&format!("{EMBED_JS}{LIVE_JS}"));
    let langs: Vec<&str> = Lang::all().map(Lang::as_str).collect();
    let js = EMBED_JS
        .replacen("/*@i18n*/ {}", &serde_json::json!({ "en": en }).to_string(), 1)
        .replacen(
            "/*@langs*/ []",
            &serde_json::to_string(&langs).expect("strings serialize"),
            1,
        );
    Asset::new(
        "text/javascript; charset=utf-8",
        WIDGET_CACHE,
        false,
        compact(&js).into_bytes(),
    )
});

/// English's widget words that `js` can ask for: the keys it names in quotes, those it builds from a
/// quoted prefix (`'field_' + e.field`), and `dir`. Words only the no-JS page or features still to come
/// use stay out of the script, which must fit the widget's 12 KB; `/i18n/en.json` and the other files
/// carry them all.
fn inlined(js: &str) -> serde_json::Map<String, serde_json::Value> {
    let named = |key: &str| {
        ['\'', '"', '`'].iter().any(|q| js.contains(&format!("{q}{key}{q}")))
            || (1..key.len()).any(|i| key.is_char_boundary(i) && js.contains(&format!("'{}' +", &key[..i])))
    };
    Lang::EN
        .section(Section::Widget)
        .iter()
        .filter(|(key, _)| *key == "dir" || named(key))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

pub static CSS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "text/css; charset=utf-8",
        WIDGET_CACHE,
        false,
        compact(EMBED_CSS).into_bytes(),
    )
});

static DEMO: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "text/css; charset=utf-8",
        WIDGET_CACHE,
        false,
        DEMO_CSS.as_bytes().to_vec(),
    )
});

/// `/i18n/XX.json`: the widget section of each language's file, compact.
static TRANSLATIONS: LazyLock<HashMap<&'static str, Asset>> = LazyLock::new(|| {
    Lang::all()
        .map(|lang| {
            let json = serde_json::to_vec(lang.section(Section::Widget)).expect("JSON serializes");
            (lang.as_str(), Asset::new("application/json", WIDGET_CACHE, true, json))
        })
        .collect()
});

/// live.js, which embed.js loads once a thread is shown (so embed.js's budget does not carry it).
pub static LIVE: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "text/javascript; charset=utf-8",
        WIDGET_CACHE,
        false,
        compact(LIVE_JS).into_bytes(),
    )
});

pub async fn embed_js(headers: HeaderMap) -> Response {
    EMBED.respond(&headers)
}

pub async fn embed_css(headers: HeaderMap) -> Response {
    CSS.respond(&headers)
}

pub async fn demo_css(headers: HeaderMap) -> Response {
    DEMO.respond(&headers)
}

pub async fn live_js(headers: HeaderMap) -> Response {
    LIVE.respond(&headers)
}

pub async fn translation(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let lang = file.strip_suffix(".json").unwrap_or("");
    match TRANSLATIONS.get(lang) {
        Some(asset) => asset.respond(&headers),
        None => AppError::NotFound("no such language").into_response(),
    }
}

/// The widget's source as served: without its comments, indentation and blank lines (a fifth of its gzipped
/// size). Line-based and so safe for our own files: a line whose first characters are `//` is a comment
/// (no string or template literal in them spans lines), and so is a block from a line starting with `/*`
/// to the line holding its `*/` (the CSS keeps comments on lines of their own). Line breaks stay, so no
/// statement runs into the next.
fn compact(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut in_block = false;
    for line in source.lines().map(str::trim) {
        if in_block {
            in_block = !line.contains("*/");
            continue;
        }
        if line.starts_with("/*") && !line.starts_with("/*@") {
            in_block = !line.contains("*/");
            continue;
        }
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the widget fetches has English's keys, and a plural object wherever English has one, with
    /// the forms the language's rules pick (the full check of every section is in `i18n`'s tests).
    #[test]
    fn every_language_has_every_key_of_english() {
        type Object = serde_json::Map<String, serde_json::Value>;
        let served = |lang: Lang| -> Object {
            serde_json::from_slice(TRANSLATIONS[lang.as_str()].body()).expect("served JSON is an object")
        };
        let en = served(Lang::EN);
        for lang in Lang::all() {
            let theirs = served(lang);
            let keys = |o: &Object| o.keys().cloned().collect::<Vec<_>>();
            assert_eq!(
                keys(&theirs),
                keys(&en),
                "/i18n/{lang}.json has other keys than en.json"
            );
            for (key, english) in &en {
                let Some(forms) = english.as_object() else { continue };
                let theirs = theirs[key].as_object();
                let theirs = theirs.unwrap_or_else(|| panic!("/i18n/{lang}.json: {key} must be a plural object"));
                for n in (0..=250).chain([1_000_000]) {
                    let category = crate::i18n::plural(lang, n);
                    let zero = n == 0 && forms.contains_key("zero");
                    assert!(
                        zero || theirs.contains_key(category),
                        "/i18n/{lang}.json: {key} has no {category:?} form (for {n})"
                    );
                }
            }
        }
        for (section, key) in [("admin", "queue"), ("mail", "subject_pending")] {
            assert!(
                !en.contains_key(key),
                "the widget gets its own section only, not {section}"
            );
        }
        assert!(TRANSLATIONS.contains_key("de"));
    }

    #[test]
    fn embed_js_carries_english_and_the_language_list() {
        let js = std::str::from_utf8(EMBED.body()).unwrap();
        let en = serde_json::to_string(&inlined(&format!("{EMBED_JS}{LIVE_JS}"))).unwrap();
        assert!(js.contains(&format!(r#"const I18N = {{"en":{en}}}"#)));
        let langs: Vec<&str> = Lang::all().map(Lang::as_str).collect();
        assert!(js.contains(&format!("const LANGS = {}", serde_json::to_string(&langs).unwrap())));
    }

    /// Every word the script asks for by name is inlined, so English never waits for a file.
    #[test]
    fn embed_js_gets_every_word_it_names() {
        let en = inlined(EMBED_JS);
        let asked: Vec<&str> = EMBED_JS
            .match_indices("t('")
            .filter(|(i, _)| !EMBED_JS[..*i].ends_with(|c: char| c.is_alphanumeric() || c == '.' || c == '_'))
            .filter_map(|(i, _)| EMBED_JS[i + 3..].split_once('\'').map(|(key, _)| key))
            .filter(|key| key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .collect();
        assert!(asked.len() > 20, "{asked:?}");
        for key in asked.iter().filter(|k| !k.ends_with('_')) {
            assert!(
                en.contains_key(*key),
                "embed.js asks for {key:?}, which en.json's widget section lacks"
            );
        }
        assert!(
            en.contains_key("field_email"),
            "built from 'field_' + the refused field"
        );
        assert_eq!(en["dir"], "ltr");
        let served = std::str::from_utf8(EMBED.body()).unwrap();
        assert!(served.contains("\"newComments\":"), "live.js's words ride in embed.js");
        let keys = |js: &str| inlined(js).keys().cloned().collect::<Vec<_>>();
        let some = keys("t('reply') + t(\"thread\") + t('field_' + f) + edit");
        assert!(some.iter().any(|k| k == "field_email"), "{some:?}");
        assert!(
            some.iter()
                .all(|k| k.starts_with("field_") || ["dir", "reply", "thread"].contains(&k.as_str()))
        );
        assert_eq!(keys(""), ["dir"]);
    }

    #[test]
    fn compacting_drops_only_comment_lines_and_indentation() {
        let js = "/* head\n * more */\n(() => {\n  // note\n  const a = '//x'; /* kept */\n\n  return a;\n})();\n";
        assert_eq!(compact(js), "(() => {\nconst a = '//x'; /* kept */\nreturn a;\n})();\n");
        let served = std::str::from_utf8(EMBED.body()).unwrap();
        assert!(
            served.contains(r#"const I18N = {"en":{"#),
            "the placeholders were filled before"
        );
        assert!(!served.contains("\n  "), "no indentation left");
    }

    /// The budget from the widget issue: embed.js plus embed.css at most 12 KB gzipped, together.
    #[test]
    fn widget_fits_in_12_kb_gzipped() {
        let total = EMBED.gzip_len() + CSS.gzip_len();
        assert!(
            total <= 12_000,
            "embed.js + embed.css are {total} bytes gzipped; the budget is 12,000"
        );
    }
}
