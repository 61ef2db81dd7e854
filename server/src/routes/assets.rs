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

mod i18n {
    include!(concat!(env!("OUT_DIR"), "/i18n.rs"));
}
pub use i18n::LANGS;

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
    let en = LANGS
        .iter()
        .find(|(l, _)| *l == "en")
        .map(|(_, j)| *j)
        .expect("widget/i18n/en.json exists");
    let en: serde_json::Value = serde_json::from_str(en).expect("en.json is valid JSON");
    let langs: Vec<&str> = LANGS.iter().map(|(l, _)| *l).collect();
    let js = EMBED_JS
        .replacen("/*@i18n*/ {}", &serde_json::json!({ "en": en }).to_string(), 1)
        .replacen(
            "/*@langs*/ []",
            &serde_json::to_string(&langs).expect("strings serialize"),
            1,
        );
    Asset::new("text/javascript; charset=utf-8", WIDGET_CACHE, false, js.into_bytes())
});

pub static CSS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "text/css; charset=utf-8",
        WIDGET_CACHE,
        false,
        EMBED_CSS.as_bytes().to_vec(),
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

static TRANSLATIONS: LazyLock<HashMap<&'static str, Asset>> = LazyLock::new(|| {
    LANGS
        .iter()
        .map(|(lang, json)| {
            let v: serde_json::Value = serde_json::from_str(json).expect("translations are valid JSON");
            (
                *lang,
                Asset::new("application/json", WIDGET_CACHE, true, v.to_string().into_bytes()),
            )
        })
        .collect()
});

/// live.js, which embed.js loads once a thread is shown (so embed.js's budget does not carry it).
pub static LIVE: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "text/javascript; charset=utf-8",
        WIDGET_CACHE,
        false,
        LIVE_JS.as_bytes().to_vec(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_key_of_english() {
        let keys = |json: &str| -> std::collections::BTreeSet<String> {
            serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(json)
                .unwrap()
                .keys()
                .cloned()
                .collect()
        };
        let en = keys(LANGS.iter().find(|(l, _)| *l == "en").unwrap().1);
        for (lang, json) in LANGS {
            assert_eq!(keys(json), en, "widget/i18n/{lang}.json has other keys than en.json");
        }
        assert!(LANGS.iter().any(|(l, _)| *l == "de"));
    }

    #[test]
    fn embed_js_carries_english_and_the_language_list() {
        let js = std::str::from_utf8(EMBED.body()).unwrap();
        assert!(js.contains(r#"const I18N = {"en":{"#));
        assert!(js.contains(r#"const LANGS = ["de","en"]"#));
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
