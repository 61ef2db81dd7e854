//! The thread as an HTML fragment (`GET /api/v1/threads` with `Accept: text/html`), for pages built ahead
//! of time: the widget's markup of the comment list with schema.org `Comment` microdata, no forms or
//! buttons, and plain links to the no-JS page for the rest of the thread and for writing.

use askama::Template;
use axum::http::{HeaderMap, header};

use super::view::{self, Item, Links};
use super::words::Words;
use super::{Here, language as page_language};
use crate::domain::Site;
use crate::domain::site::Sort;
use crate::routes::api::threads::{Nested, PAGE_DEFAULT};

pub const CONTENT_TYPE: &str = "text/html; charset=utf-8";

#[derive(Template)]
#[template(path = "page/fragment.html")]
struct Fragment<'a> {
    t: &'static Words,
    site: &'a str,
    uri: &'a str,
    total: i64,
    next: Option<i64>,
    items: Vec<Item>,
    /// The list's template shows a reply form and actions on the page only.
    form: Option<super::form::FormView>,
    actions: bool,
    more: Option<String>,
    /// The no-JS page, where the thread goes on and the form is.
    page: String,
}

/// Whether the client prefers HTML to JSON: `text/html` (or `text/*`) named with a higher quality than
/// JSON gets (`application/json`, `application/*` or `*/*`). `*/*` alone, and no `Accept`, is JSON.
pub fn wanted(headers: &HeaderMap) -> bool {
    let ranges: Vec<(String, f32)> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|range| {
            let mut parts = range.split(';').map(str::trim);
            let media = parts.next().unwrap_or("").to_ascii_lowercase();
            let q = parts
                .find_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
                .and_then(|q| q.parse().ok())
                .unwrap_or(1.0);
            (media, q)
        })
        .collect();
    // The quality of the most specific range that matches.
    let quality = |wanted: [&str; 3]| -> f32 {
        wanted
            .iter()
            .find_map(|w| ranges.iter().find(|(m, _)| m == w).map(|(_, q)| *q))
            .unwrap_or(0.0)
    };
    let html = quality(["text/html", "text/*", "*/*"]);
    html > 0.0 && html > quality(["application/json", "application/*", "*/*"])
}

/// The fragment's language: a `lang` the widget speaks, else the site's.
pub fn language(asked: Option<&str>, site: &Site) -> &'static Words {
    page_language(asked, Some(site))
}

/// The fragment of one thread page (`limit` top-level comments), in `t`'s language; its links go to the
/// no-JS page under `public_url`.
pub fn render(
    public_url: &str,
    site: &str,
    uri: &str,
    t: &'static Words,
    (limit, sort): (i64, Sort),
    page: Nested,
) -> Result<Vec<u8>, askama::Error> {
    // The links to the page without JavaScript keep the fragment's language and order.
    let here = Here {
        site: site.to_owned(),
        uri: uri.to_owned(),
        lang: Some(t.lang),
        sort: Some(sort),
    };
    let absolute = |href: String| format!("{public_url}{href}");
    let more_replies =
        |root: i64, after: &str| absolute(here.href(&[("root", &root.to_string()), ("after", after)], None));
    let links = Links {
        reply: None,
        more_replies: &more_replies,
        form_under: None,
    };
    let more = page.next.map(|n| {
        let mut pairs = vec![("after", n.to_string())];
        if limit != PAGE_DEFAULT {
            pairs.push(("limit", limit.to_string()));
        }
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        absolute(here.href(&pairs, None))
    });
    Fragment {
        t,
        site,
        uri,
        total: page.total,
        next: page.next,
        items: view::items(page.comments, t, &links),
        form: None,
        actions: false,
        more,
        page: absolute(here.href(&[], Some("riposte-form"))),
    }
    .render()
    .map(String::into_bytes)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn accept(v: &'static str) -> bool {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_static(v));
        wanted(&h)
    }

    #[test]
    fn html_only_when_preferred_to_json() {
        assert!(accept("text/html"));
        assert!(accept(
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        ));
        assert!(accept("application/json;q=0.5, text/html"));
        assert!(!accept("*/*"));
        assert!(!accept("application/json"));
        assert!(!accept("application/json, text/html"));
        assert!(!accept("text/html;q=0"));
        assert!(!wanted(&HeaderMap::new()));
    }
}
