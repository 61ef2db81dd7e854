//! The client's address, trusting forwarding headers only from configured proxies.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

/// The networks whose `X-Forwarded-For` is believed.
pub type TrustedProxies = Arc<[ipnet::IpNet]>;

/// The client's address as far as the server can trust it. IPv6 clients are known by their /64, the
/// block one subscriber usually holds, so that hopping addresses inside it does not escape limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientIp(pub IpAddr);

/// The form an address is known by: IPv4-mapped IPv6 as IPv4, other IPv6 as its /64.
pub fn normalize(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    }
}

/// The peer, or, when the peer is a trusted proxy, the rightmost `X-Forwarded-For` hop that is not one.
pub fn resolve_client(peer: IpAddr, forwarded: &[&str], proxies: &[ipnet::IpNet]) -> IpAddr {
    let trusted = |ip: &IpAddr| proxies.iter().any(|net| net.contains(ip));
    let mut client = peer;
    if !trusted(&client) {
        return normalize(client);
    }
    let hops = forwarded
        .iter()
        .flat_map(|h| h.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty());
    for hop in hops.collect::<Vec<_>>().into_iter().rev() {
        match hop_address(hop) {
            Some(ip) => {
                client = ip;
                if !trusted(&ip) {
                    break;
                }
            }
            None => break,
        }
    }
    normalize(client)
}

/// The address of one `X-Forwarded-For` hop: `1.2.3.4`, `2001:db8::1`, and as some proxies write them
/// with the client's port, `1.2.3.4:5678`, `[2001:db8::1]:443` (or bracketed without a port).
fn hop_address(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(addr) = hop.parse::<SocketAddr>() {
        return Some(addr.ip());
    }
    hop.strip_prefix('[')?
        .strip_suffix(']')?
        .parse::<Ipv6Addr>()
        .ok()
        .map(IpAddr::V6)
}

/// Middleware: works out [`ClientIp`] once and leaves it in the request's extensions.
pub async fn client_ip(State(proxies): State<TrustedProxies>, mut req: Request, next: Next) -> Response {
    let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied() else {
        tracing::error!("no peer address on the request");
        return super::error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on the server",
            None,
        );
    };
    let forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let ip = resolve_client(peer.ip(), &forwarded, &proxies);
    req.extensions_mut().insert(ClientIp(ip));
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxies: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        // An untrusted peer's header is ignored.
        assert_eq!(
            resolve_client(ip("203.0.113.9"), &["1.2.3.4"], &proxies),
            ip("203.0.113.9")
        );
        // Through a trusted proxy, the rightmost untrusted hop is the client; forged entries left of it are not.
        assert_eq!(
            resolve_client(ip("10.0.0.1"), &["6.6.6.6, 198.51.100.7"], &proxies),
            ip("198.51.100.7")
        );
        assert_eq!(
            resolve_client(ip("10.0.0.1"), &["198.51.100.7", "10.0.0.2"], &proxies),
            ip("198.51.100.7")
        );
        assert_eq!(resolve_client(ip("10.0.0.1"), &[], &proxies), ip("10.0.0.1"));
        assert_eq!(resolve_client(ip("10.0.0.1"), &["garbage"], &proxies), ip("10.0.0.1"));
        // IPv6 clients are keyed by their /64.
        assert_eq!(
            resolve_client(ip("2001:db8:1:2:3:4:5:6"), &[], &proxies),
            ip("2001:db8:1:2::")
        );
        assert_eq!(resolve_client(ip("::ffff:192.0.2.1"), &[], &proxies), ip("192.0.2.1"));
    }

    #[test]
    fn forwarded_hops_with_ports_are_their_addresses() {
        let proxies: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let peer = ip("10.0.0.1");
        assert_eq!(resolve_client(peer, &["1.2.3.4:5678"], &proxies), ip("1.2.3.4"));
        assert_eq!(resolve_client(peer, &["[2001:db8::1]:443"], &proxies), ip("2001:db8::"));
        assert_eq!(resolve_client(peer, &["[2001:db8::1]"], &proxies), ip("2001:db8::"));
        // A trusted hop with a port is skipped like one without.
        assert_eq!(
            resolve_client(peer, &["198.51.100.7:1234, 10.0.0.2:80"], &proxies),
            ip("198.51.100.7")
        );
        // Not addresses: the walk stops there, as before.
        for junk in [
            "1.2.3.4:",
            "1.2.3.4:99999",
            "[2001:db8::1",
            "2001:db8::1]:443",
            "host:80",
            "[1.2.3.4]:80",
        ] {
            assert_eq!(resolve_client(peer, &[junk], &proxies), peer, "{junk}");
        }
    }
}
