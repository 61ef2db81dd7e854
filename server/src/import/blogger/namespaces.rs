//! The namespaces Blogger's elements live in, as the XML reader resolved them or, for a prefix used without a
//! declaration, as Blogger names them.

use quick_xml::name::ResolveResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ns {
    Atom,
    Thr,
    Blogger,
    Gd,
    Other,
}

/// An element's namespace as the XML reader resolved it, owned.
pub(super) enum Resolved {
    Unbound,
    Bound(Ns),
    Unknown(Vec<u8>),
}

impl Resolved {
    pub(super) fn of(res: ResolveResult<'_>) -> Self {
        match res {
            ResolveResult::Unbound => Self::Unbound,
            ResolveResult::Bound(ns) => Self::Bound(ns_of_uri(ns.as_ref())),
            ResolveResult::Unknown(prefix) => Self::Unknown(prefix),
        }
    }
}

fn ns_of_uri(uri: &[u8]) -> Ns {
    let uri = String::from_utf8_lossy(uri);
    if uri.contains("www.w3.org/2005/Atom") || uri.contains("purl.org/atom/ns") {
        Ns::Atom
    } else if uri.contains("purl.org/syndication/thread") {
        Ns::Thr
    } else if uri.contains("schemas.google.com/blogger") {
        Ns::Blogger
    } else if uri.contains("schemas.google.com/g/2005") {
        Ns::Gd
    } else {
        Ns::Other
    }
}

/// The namespace an undeclared prefix means, going by the names Blogger gives them.
pub(super) fn ns_of_prefix(prefix: &[u8]) -> Ns {
    match prefix {
        b"atom" => Ns::Atom,
        b"thr" => Ns::Thr,
        b"blogger" => Ns::Blogger,
        b"gd" => Ns::Gd,
        _ => Ns::Other,
    }
}
