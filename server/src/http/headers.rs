//! Content negotiation: the one responder for every answer we hold in several encodings (the widget's
//! files and cached API answers), with ETags and `304 Not Modified`.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Whether the client accepts this content encoding (`Accept-Encoding`, honouring `q=0`).
pub fn accepts_encoding(headers: &HeaderMap, encoding: &str) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            parts.next().is_some_and(|name| name.eq_ignore_ascii_case(encoding))
                && !parts.any(|p| p.replace(' ', "").eq_ignore_ascii_case("q=0"))
        })
}

/// Whether the client's `If-None-Match` names this entity tag (weak or strong).
pub fn etag_matches(headers: &HeaderMap, etag: &[u8]) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/").as_bytes() == etag)
        })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Identity = 0,
    Gzip = 1,
    Brotli = 2,
}

impl Encoding {
    fn name(self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Gzip => "gzip",
            Self::Brotli => "br",
        }
    }

    /// Each encoding is its own representation, with its own entity tag: `"TAG"`, `"TAG-gz"`, `"TAG-br"`.
    pub fn etag(self, tag: &str) -> HeaderValue {
        let suffix = match self {
            Self::Identity => "",
            Self::Gzip => "-gz",
            Self::Brotli => "-br",
        };
        HeaderValue::from_str(&format!("\"{tag}{suffix}\"")).expect("a hex tag is a valid header")
    }

    /// The first of `offered` (best first) that the client accepts; identity when none is.
    pub fn negotiate(headers: &HeaderMap, offered: &[Encoding]) -> Self {
        offered
            .iter()
            .copied()
            .find(|e| accepts_encoding(headers, e.name()))
            .unwrap_or(Self::Identity)
    }
}

/// One representation of a resource, about to be answered.
pub struct Representation<'a> {
    /// Its entity tag, from [`Encoding::etag`] (made once per body, not per request).
    pub etag: &'a HeaderValue,
    pub content_type: &'static str,
    pub encoding: Encoding,
    pub cache_control: &'static str,
}

impl Representation<'_> {
    /// `304` when the client's copy is current, the body otherwise; ETag, Cache-Control and Vary always.
    /// `body` is asked for only when it is sent.
    pub fn respond(&self, headers: &HeaderMap, body: impl FnOnce() -> Bytes) -> Response {
        let fresh = etag_matches(headers, self.etag.as_bytes());
        let mut response = if fresh {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            body().into_response()
        };
        let h = response.headers_mut();
        if !fresh {
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(self.content_type));
            if self.encoding != Encoding::Identity {
                h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(self.encoding.name()));
            }
        }
        h.insert(header::ETAG, self.etag.clone());
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(self.cache_control));
        h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(name: &'static str, value: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_static(value));
        h
    }

    #[test]
    fn negotiation_prefers_the_first_offered_encoding_the_client_takes() {
        let all = [Encoding::Brotli, Encoding::Gzip];
        assert_eq!(
            Encoding::negotiate(&with("accept-encoding", "gzip, br"), &all),
            Encoding::Brotli
        );
        assert_eq!(
            Encoding::negotiate(&with("accept-encoding", "br;q=0, gzip"), &all),
            Encoding::Gzip
        );
        assert_eq!(Encoding::negotiate(&HeaderMap::new(), &all), Encoding::Identity);
        assert_eq!(
            Encoding::negotiate(&with("accept-encoding", "br"), &[Encoding::Gzip]),
            Encoding::Identity
        );
    }

    #[test]
    fn a_matching_tag_answers_304_without_a_body() {
        let etag = Encoding::Gzip.etag("abc");
        let r = Representation {
            etag: &etag,
            content_type: "application/json",
            encoding: Encoding::Gzip,
            cache_control: "no-cache",
        };
        let fresh = r.respond(&with("if-none-match", "W/\"abc-gz\""), || unreachable!("not sent"));
        assert_eq!(fresh.status(), StatusCode::NOT_MODIFIED);
        let stale = r.respond(&with("if-none-match", "\"abc\""), || Bytes::from_static(b"x"));
        assert_eq!(stale.status(), StatusCode::OK);
        assert_eq!(stale.headers()["content-encoding"], "gzip");
        assert_eq!(stale.headers()["etag"], "\"abc-gz\"");
    }
}
