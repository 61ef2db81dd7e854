//! Which prefixes stand for the WXR namespace: `wp` whatever it is bound to (or when it is bound to nothing),
//! and any other prefix bound to a WXR namespace URI.

use quick_xml::events::BytesStart;

use super::Parser;
use crate::import::xml;

pub(super) const R_HTTPS_NS: &str = "WXR namespace written with https, accepted";
pub(super) const R_UNKNOWN_NS: &str = "unknown WXR namespace version, read as WXR 1.2";
pub(super) const R_FOREIGN_NS: &str = "wp prefix bound to a foreign namespace, read as WXR";

impl Parser<'_> {
    /// Notes `xmlns:*` declarations, and which prefixes stand for the WXR namespace.
    pub(super) fn namespaces(&mut self, e: &BytesStart<'_>) {
        let attrs = xml::attributes(e.attributes_raw(), self.report);
        self.prefixes.declare(&attrs);
        for a in &attrs {
            let Some(prefix) = a.key.strip_prefix(b"xmlns:") else {
                continue;
            };
            let uri = String::from_utf8_lossy(a.value);
            match wxr_version(uri.trim()) {
                Some((https, version)) => {
                    if https {
                        self.report.repair(R_HTTPS_NS);
                    }
                    if !matches!(version, "1.0" | "1.1" | "1.2") {
                        self.report.repair(R_UNKNOWN_NS);
                    }
                    self.wxr_declared = true;
                    if !self.wp_prefixes.iter().any(|p| p == prefix) {
                        self.wp_prefixes.push(prefix.to_vec());
                    }
                }
                None if prefix == b"wp" => {
                    self.wxr_declared = true;
                    self.report.repair(R_FOREIGN_NS);
                }
                None => {}
            }
        }
    }
}

/// `Some((https, version))` for a WXR namespace URI (`http://wordpress.org/export/1.2/`), not for its
/// sub-namespaces (`.../1.2/excerpt/`).
pub(super) fn wxr_version(uri: &str) -> Option<(bool, &str)> {
    let (https, rest) = if let Some(rest) = uri.strip_prefix("http://") {
        (false, rest)
    } else {
        (true, uri.strip_prefix("https://")?)
    };
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    let version = rest.strip_prefix("wordpress.org/export/")?.trim_end_matches('/');
    if version.is_empty() || version.contains('/') {
        return None;
    }
    Some((https, version))
}
