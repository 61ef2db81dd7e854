//! Which addresses a webhook may reach: the URL check (also at add time, in the admin UI) and the DNS
//! resolver of the webhook client, which checks every address a name resolves to before the client may
//! connect to it, so a DNS answer that changes between a check and the connection cannot get through.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// The operator's switch that lets hooks reach loopback and private addresses.
pub const ALLOW_SETTING: &str = "webhooks_allow_private = true";

/// Whether an address is one a hook must not reach unless the operator allows it: loopback, private,
/// shared (CGNAT), link-local, unique-local, unspecified, multicast, broadcast and reserved, also when
/// written as an IPv6 form of an IPv4 address.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => private_v4(v4),
        IpAddr::V6(v6) => private_v6(v6),
    }
}

fn private_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_broadcast()
        || a == 0 // "this network": 0.0.0.0/8 reaches the host itself on Linux
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT), 100.64/10
        || (a == 198 && (18..20).contains(&b)) // benchmarking, 198.18/15 (often used inside networks)
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments, 192.0.0/24
        || a >= 240 // reserved, 240/4
}

fn private_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    // ::a.b.c.d (IPv4-compatible, deprecated) and ::ffff:a.b.c.d (IPv4-mapped) reach the IPv4 address;
    // 64:ff9b::/96 is the NAT64 prefix that translates to it.
    let embedded =
        match s {
            [0, 0, 0, 0, 0, 0xffff, ..] | [0, 0, 0, 0, 0, 0, ..] | [0x64, 0xff9b, 0, 0, 0, 0, ..] => Some(
                Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8),
            ),
            _ => None,
        };
    if let Some(v4) = embedded {
        // `::` and `::1` are themselves unspecified and loopback, and embed 0.0.0.0 and 0.0.0.1.
        return private_v4(v4) || ip.is_loopback() || ip.is_unspecified();
    }
    // 2002::/16 (6to4) carries an IPv4 address in segments 1 and 2; 64:ff9b:1::/48 is local-use NAT64,
    // which translates to whatever the local network chose: refused outright.
    if s[0] == 0x2002 {
        let v4 = Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8);
        if private_v4(v4) {
            return true;
        }
    }
    if s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1 {
        return true;
    }
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (s[0] & 0xffc0) == 0xfe80 // link-local, fe80::/10
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated), fec0::/10
        || (s[0] & 0xfe00) == 0xfc00 // unique local, fc00::/7
}

/// `localhost` and its subdomains, which resolvers answer with loopback whatever the DNS says (RFC 6761).
pub fn is_localhost(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost")
}

/// Why a hook's URL is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlError {
    /// Not a URL, or one without a host.
    Invalid(String),
    /// A scheme other than http and https.
    Scheme(String),
    /// The host is (or resolves to) an address [`is_private`] refuses.
    Private(String),
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid(why) => write!(f, "not a usable URL: {why}"),
            Self::Scheme(s) => write!(f, "must be an http or https URL, not {s}:"),
            Self::Private(host) => write!(
                f,
                "refused: {host} resolves to a private address (set {ALLOW_SETTING} to allow)"
            ),
        }
    }
}

impl std::error::Error for UrlError {}

/// Parses a hook's URL: http or https, with a host, and unless `allow_private` no IP literal that
/// [`is_private`] refuses and no `localhost`. Names are checked again, by address, when a request
/// resolves them ([`CheckedResolver`]).
pub fn check_url(raw: &str, allow_private: bool) -> Result<Url, UrlError> {
    let url = Url::parse(raw.trim()).map_err(|e| UrlError::Invalid(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(UrlError::Scheme(url.scheme().to_owned()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        // A secret in the URL would be shown on every page that lists hooks.
        return Err(UrlError::Invalid("it must not carry a user name or password".into()));
    }
    let private = match url.host() {
        None => return Err(UrlError::Invalid("it has no host".into())),
        Some(Host::Domain("")) => return Err(UrlError::Invalid("it has no host".into())),
        Some(Host::Domain(d)) => is_localhost(d),
        Some(Host::Ipv4(ip)) => is_private(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => is_private(IpAddr::V6(ip)),
    };
    if private && !allow_private {
        return Err(UrlError::Private(url.host_str().unwrap_or_default().to_owned()));
    }
    Ok(url)
}

/// The webhook client's resolver: the system's lookup, then, unless private addresses are allowed, a
/// refusal of the whole name when any address it resolves to is private. The client connects only to
/// the addresses this returns.
pub struct CheckedResolver {
    pub allow_private: bool,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            if !allow_private && is_localhost(&host) {
                return Err(UrlError::Private(host).into());
            }
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if !allow_private && addrs.iter().any(|a| is_private(a.ip())) {
                return Err(UrlError::Private(host).into());
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn private_addresses_are_refused_in_every_form() {
        for s in [
            "127.0.0.1",
            "127.255.0.9",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "100.127.255.255",
            "169.254.169.254",
            "0.0.0.0",
            "0.1.2.3",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "febf::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "::192.168.0.1",
            "64:ff9b::a00:1",
            "198.18.0.1",
            "198.19.255.255",
            "192.0.0.8",
            "2002:c0a8:0101::1",
            "2002:7f00:1::",
            "64:ff9b:1::1",
        ] {
            assert!(is_private(ip(s)), "{s} must be refused");
        }
        for s in [
            "93.184.216.34",
            "1.1.1.1",
            "172.32.0.1",
            "172.15.255.255",
            "100.63.255.255",
            "100.128.0.1",
            "192.0.2.10",
            "2606:4700:4700::1111",
            "::ffff:93.184.216.34",
            "2001:db8::1",
            "198.20.0.1",
            "2002:5db8:d822::1",
        ] {
            assert!(!is_private(ip(s)), "{s} is public");
        }
    }

    #[test]
    fn urls_need_http_a_host_and_a_public_literal() {
        assert!(check_url("https://hooks.example/in", false).is_ok());
        assert!(check_url("http://93.184.216.34:8080/x", false).is_ok());
        assert!(matches!(
            check_url("ftp://hooks.example/", false),
            Err(UrlError::Scheme(_))
        ));
        assert!(matches!(
            check_url("file:///etc/passwd", false),
            Err(UrlError::Scheme(_))
        ));
        assert!(matches!(check_url("not a url", false), Err(UrlError::Invalid(_))));
        assert!(matches!(
            check_url("https://u:p@hooks.example/", false),
            Err(UrlError::Invalid(_))
        ));
        for private in [
            "http://127.0.0.1:9000/",
            "http://localhost/",
            "http://LOCALHOST./",
            "http://api.localhost/",
            "http://[::1]/",
            "http://[::ffff:7f00:1]/",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://10.0.0.1/",
        ] {
            let e = check_url(private, false).unwrap_err();
            assert!(matches!(e, UrlError::Private(_)), "{private}: {e:?}");
            assert!(e.to_string().contains("webhooks_allow_private = true"), "{e}");
            assert!(
                check_url(private, true).is_ok(),
                "{private} is allowed when the operator says so"
            );
        }
        assert_eq!(
            check_url("http://127.0.0.1:9/", false).unwrap_err().to_string(),
            "refused: 127.0.0.1 resolves to a private address (set webhooks_allow_private = true to allow)"
        );
    }

    #[tokio::test]
    async fn the_resolver_refuses_names_of_private_addresses() {
        let strict = CheckedResolver { allow_private: false };
        let name = |s: &str| s.parse::<Name>().unwrap();
        let e = strict.resolve(name("localhost")).await.err().expect("refused");
        assert!(e.downcast_ref::<UrlError>().is_some(), "{e}");
        let e = strict
            .resolve(name("127.0.0.1"))
            .await
            .err()
            .expect("refused by address");
        assert_eq!(
            e.downcast_ref::<UrlError>(),
            Some(&UrlError::Private("127.0.0.1".into()))
        );
        let open = CheckedResolver { allow_private: true };
        let addrs: Vec<_> = open.resolve(name("localhost")).await.expect("allowed").collect();
        assert!(addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
    }
}
