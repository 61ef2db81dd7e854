//! What the server learns from and adds at the HTTP edge: the client address (trusting forwarding headers
//! only from configured proxies), per-IP rate limits, CORS for the sites' origins, request logs and
//! security headers.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::KeyExtractor;
use tower_governor::{GovernorError, GovernorLayer};

use crate::config::Rate;
use crate::error::AppError;
use crate::state::AppState;

/// The client's address as far as the server can trust it. IPv6 clients are known by their /64, the
/// block one subscriber usually holds, so that hopping addresses inside it does not escape limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientIp(pub IpAddr);

fn normalize(ip: IpAddr) -> IpAddr {
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
        match hop.parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !trusted(&ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    normalize(client)
}

/// Middleware: works out [`ClientIp`] once and leaves it in the request's extensions.
pub async fn client_ip(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied() else {
        return AppError::Internal(anyhow::anyhow!("no peer address on the request")).into_response();
    };
    let forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let ip = resolve_client(peer.ip(), &forwarded, &state.trusted_proxies);
    req.extensions_mut().insert(ClientIp(ip));
    next.run(req).await
}

/// Keys the rate limiters by [`ClientIp`]; never by a header a client could forge.
#[derive(Clone, Copy)]
pub struct ClientKey;

impl KeyExtractor for ClientKey {
    type Key = IpAddr;

    fn extract<T>(&self, req: &axum::http::Request<T>) -> Result<IpAddr, GovernorError> {
        req.extensions()
            .get::<ClientIp>()
            .map(|c| c.0)
            .ok_or(GovernorError::UnableToExtractKey)
    }
}

pub type Limiter = GovernorLayer<ClientKey, governor::middleware::NoOpMiddleware, Body>;

/// A per-IP token bucket: `burst` at once, then one every `every_ms`; beyond it a JSON 429 with Retry-After.
/// Stale per-IP entries are dropped every minute so memory stays flat. `every_ms = 0` means no limit.
pub fn limiter(rate: Rate) -> Option<Limiter> {
    if rate.every_ms == 0.0 {
        return None;
    }
    let config = Arc::new(
        GovernorConfigBuilder::default()
            .key_extractor(ClientKey)
            .period(Duration::from_secs_f64(rate.every_ms / 1000.0))
            .burst_size(rate.burst)
            .finish()
            .expect("burst and period were checked to be positive"),
    );
    let limiter = config.limiter().clone();
    if let Ok(handle) = tokio::runtime::Handle::try_current() {
        handle.spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                limiter.retain_recent();
                limiter.shrink_to_fit();
            }
        });
    }
    Some(GovernorLayer::new(config).error_handler(|e| match e {
        GovernorError::TooManyRequests { wait_time, .. } => {
            let mut response = AppError::TooManyRequests(wait_time).into_response();
            // The refused request's body is never read, so the connection cannot carry another request:
            // say so, and the client reconnects cleanly instead of writing into a closed socket.
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
        other => AppError::Internal(anyhow::anyhow!("rate limiter: {other}")).into_response(),
    }))
}

/// Applies a limiter to every route of `router`, when there is one.
pub fn limit<S: Clone + Send + Sync + 'static>(router: axum::Router<S>, rate: Rate) -> axum::Router<S> {
    match limiter(rate) {
        Some(layer) => router.route_layer(layer),
        None => router,
    }
}

const ALLOW_METHODS: &str = "GET, POST, PATCH, DELETE";
const ALLOW_HEADERS: &str = "Content-Type, Authorization";

/// Middleware: CORS for the API. Only origins some site allows get an `Access-Control-Allow-Origin`;
/// whether the origin may write to a particular site is checked by the handler.
pub async fn cors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let origin = req.headers().get(header::ORIGIN).cloned();
    let allowed = match origin.as_ref().and_then(|o| o.to_str().ok()) {
        Some(o) => match state.sites.knows_origin(o).await {
            Ok(known) => known,
            Err(e) => return AppError::Internal(e).into_response(),
        },
        None => false,
    };
    let preflight =
        req.method() == Method::OPTIONS && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = if preflight {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(req).await
    };
    let headers = response.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    if let (true, Some(origin)) = (allowed, origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("Retry-After"),
        );
        if preflight {
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static(ALLOW_METHODS),
            );
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static(ALLOW_HEADERS),
            );
            headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("86400"));
        }
    }
    response
}

/// Middleware: one log line per request (method, path, status, latency; never a query, body or token),
/// and headers every response carries.
pub async fn log_and_harden(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // A route may have set a stricter policy of its own (the admin UI does).
    headers
        .entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("strict-origin-when-cross-origin"));
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        latency_us = start.elapsed().as_micros() as u64,
        "request"
    );
    response
}

/// Whether the client accepts this content encoding (`Accept-Encoding`, honouring `q=0`).
pub fn accepts_encoding(headers: &axum::http::HeaderMap, encoding: &str) -> bool {
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
pub fn etag_matches(headers: &axum::http::HeaderMap, etag: &[u8]) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/").as_bytes() == etag)
        })
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
}
