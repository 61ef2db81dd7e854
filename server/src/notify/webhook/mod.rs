//! Webhook delivery: a signed JSON POST to a site's URL ([`sign`]), never to a private address unless the
//! operator allows it ([`ssrf`]). One attempt per call; the worker records the outcome and retries.

pub mod sign;
pub mod ssrf;

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderValue};
use serde::Deserialize;

use crate::domain::notify::{Attempt, Event, header_text};
use ssrf::{CheckedResolver, UrlError};

/// How long one attempt may take, connection, request and answer together.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How much of a receiver's answer is read (its start shows in the delivery list when it failed).
const ANSWER_MAX: usize = 4 * 1024;
/// How much of that answer the error message quotes.
const QUOTE_MAX: usize = 200;

/// Sends webhook events over one HTTP client (connections are reused between events).
pub struct Sender {
    client: reqwest::Client,
    allow_private: bool,
    timeout: Duration,
}

/// Reads the event name from the body the store queued.
#[derive(Deserialize)]
struct Probe {
    #[serde(rename = "type")]
    kind: Event,
}

impl Sender {
    /// A client that follows no redirects, uses no proxy from the environment (a proxy would connect
    /// wherever it is asked, past the address check), resolves names only through [`CheckedResolver`],
    /// and speaks TLS through rustls on ring with the webpki roots.
    pub fn new(allow_private: bool) -> anyhow::Result<Self> {
        Self::with_timeout(allow_private, TIMEOUT)
    }

    fn with_timeout(allow_private: bool, timeout: Duration) -> anyhow::Result<Self> {
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .dns_resolver(CheckedResolver { allow_private })
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("riposte/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            client,
            allow_private,
            timeout,
        })
    }

    /// POSTs `body` (the exact JSON of [`crate::domain::notify::webhook_body`]) to `url`, signed with
    /// `secret`, and says how it went: 2xx sent; 410 refused (no more events to that hook); 408, 429 and
    /// 5xx, connection failures and timeouts tried again later; any other answer failed.
    pub async fn send(&self, url: &str, secret: &str, body: &str) -> Attempt {
        let url = match ssrf::check_url(url, self.allow_private) {
            Ok(url) => url,
            Err(e) => return Attempt::Failed(e.to_string()),
        };
        let event = match serde_json::from_str::<Probe>(body) {
            Ok(p) => p.kind,
            Err(_) => return Attempt::Failed("the queued event has no type".into()),
        };
        let now = crate::domain::time::now_ms().div_euclid(1000);
        let signature = sign::signature(secret, now, body);
        let sent = self
            .client
            .post(url)
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header("X-Riposte-Event", event.as_str())
            .header("X-Riposte-Signature", signature)
            .body(body.to_owned())
            .send()
            .await;
        let mut answer = match sent {
            Ok(answer) => answer,
            Err(e) => return failure(&e, self.timeout),
        };
        let status = answer.status();
        let quote = read_start(&mut answer).await;
        outcome(status, &quote)
    }
}

/// The start of an answer's body, as one line of text; whatever does not arrive in time is left.
async fn read_start(answer: &mut reqwest::Response) -> String {
    let mut bytes = Vec::new();
    while bytes.len() < ANSWER_MAX {
        match answer.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            _ => break,
        }
    }
    bytes.truncate(ANSWER_MAX);
    header_text(&String::from_utf8_lossy(&bytes), QUOTE_MAX)
}

/// What an answer's status means for the message.
fn outcome(status: StatusCode, quote: &str) -> Attempt {
    if status.is_success() {
        return Attempt::Sent;
    }
    let mut said = format!("the receiver answered {status}");
    if !quote.is_empty() {
        said = format!("{said}: {quote}");
    }
    match status {
        StatusCode::GONE => Attempt::Refused(format!("{said} (the hook is disabled: it asked for no more events)")),
        StatusCode::REQUEST_TIMEOUT | StatusCode::TOO_MANY_REQUESTS => Attempt::Retry(said),
        s if s.is_server_error() => Attempt::Retry(said),
        s if s.is_redirection() => Attempt::Failed(format!("{said} (redirects are not followed)")),
        _ => Attempt::Failed(said),
    }
}

/// A request that got no answer: refused by the address check (failed: the URL will not change), or a
/// connection failure or timeout (tried again), in plain words.
fn failure(e: &reqwest::Error, timeout: Duration) -> Attempt {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut deepest = e.to_string();
    while let Some(s) = source {
        if let Some(refused) = s.downcast_ref::<UrlError>() {
            return Attempt::Failed(refused.to_string());
        }
        deepest = s.to_string();
        source = s.source();
    }
    if e.is_timeout() {
        Attempt::Retry(format!("the receiver did not answer within {timeout:?}"))
    } else if e.is_connect() {
        Attempt::Retry(format!("could not connect to the receiver: {deepest}"))
    } else {
        Attempt::Retry(format!("the request failed: {deepest}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_receiver_that_never_answers_is_tried_again() {
        // Accepts the connection and reads nothing, as a hung receiver does.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let hold = tokio::spawn(async move {
            let mut open = Vec::new();
            loop {
                let (conn, _) = listener.accept().await.unwrap();
                open.push(conn);
            }
        });
        let sender = Sender::with_timeout(true, Duration::from_millis(300)).unwrap();
        let body = crate::domain::notify::webhook_body(Event::Test, None, 0);
        assert_eq!(
            sender.send(&url, "s", &body).await,
            Attempt::Retry("the receiver did not answer within 300ms".into())
        );
        hold.abort();
    }

    #[test]
    fn statuses_map_to_outcomes() {
        assert_eq!(outcome(StatusCode::OK, ""), Attempt::Sent);
        assert_eq!(outcome(StatusCode::NO_CONTENT, ""), Attempt::Sent);
        assert!(matches!(outcome(StatusCode::GONE, ""), Attempt::Refused(_)));
        for retry in [408, 429, 500, 502, 503] {
            let s = StatusCode::from_u16(retry).unwrap();
            assert!(matches!(outcome(s, ""), Attempt::Retry(_)), "{retry}");
        }
        for failed in [301, 302, 400, 401, 403, 404, 422] {
            let s = StatusCode::from_u16(failed).unwrap();
            assert!(matches!(outcome(s, ""), Attempt::Failed(_)), "{failed}");
        }
        assert_eq!(
            outcome(StatusCode::BAD_REQUEST, "bad signature"),
            Attempt::Failed("the receiver answered 400 Bad Request: bad signature".into())
        );
    }
}
