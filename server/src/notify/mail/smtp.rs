//! The SMTP side: lettre's transport for the configured server, the dialogue of `riposte mail test`
//! step by step, and every failure said in plain words and sorted into retry or refusal.

use std::error::Error as _;
use std::io::ErrorKind;
use std::time::Duration;

use anyhow::Context;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Tls, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::{AsyncSmtpTransport, Error};
use lettre::{Address, Tokio1Executor};

use crate::config::{SmtpConfig, SmtpSecurity};
use crate::domain::notify::Attempt;

/// How long one step of the dialogue (connect, an answer) may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The configured mail server.
#[derive(Clone)]
pub struct Server {
    host: String,
    port: u16,
    security: SmtpSecurity,
    credentials: Option<Credentials>,
}

/// Where a dialogue failed: what `riposte mail test` says went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Connect,
    Login,
    Sender,
    Recipient,
    Message,
}

impl Server {
    /// The server of `[smtp]`, with its credentials when set.
    pub fn new(smtp: &SmtpConfig) -> Self {
        Self {
            host: smtp.host.clone(),
            port: smtp.port(),
            security: smtp.security,
            credentials: match (&smtp.username, &smtp.password) {
                (Some(u), Some(p)) => Some(Credentials::new(u.clone(), p.clone())),
                _ => None,
            },
        }
    }

    /// `host:port`, as messages name it.
    pub fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    fn tls_parameters(&self) -> anyhow::Result<TlsParameters> {
        TlsParameters::new(self.host.clone())
            .with_context(|| format!("smtp.host {:?} cannot be used for TLS", self.host))
    }

    /// lettre's pooled transport for this server: STARTTLS required, TLS from the first byte, or plain.
    pub fn transport(&self) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
        let tls = match self.security {
            SmtpSecurity::Starttls => Tls::Required(self.tls_parameters()?),
            SmtpSecurity::Tls => Tls::Wrapper(self.tls_parameters()?),
            SmtpSecurity::None => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(self.host.clone())
            .port(self.port)
            .tls(tls)
            .timeout(Some(TIMEOUT));
        if let Some(c) = &self.credentials {
            builder = builder.credentials(c.clone());
        }
        Ok(builder.build())
    }

    /// How a failed send through the transport counts: a recipient refused for good is a refusal (the
    /// address is blocked); anything else, the server's or the configuration's fault, is tried again.
    pub fn attempt(&self, e: &Error) -> Attempt {
        if recipient_refused(e) {
            Attempt::Refused(format!("the mail server refused the recipient: {}", answer(e)))
        } else {
            Attempt::Retry(self.describe(e))
        }
    }

    /// A failure of the transport in plain words.
    pub fn describe(&self, e: &Error) -> String {
        if e.is_permanent() || e.is_transient() {
            let kind = if e.is_permanent() {
                "refused"
            } else {
                "deferred (temporary)"
            };
            return format!("the mail server {} {kind} the mail: {}", self.address(), answer(e));
        }
        if e.is_timeout() {
            return format!(
                "the mail server {} did not answer within {} s",
                self.address(),
                TIMEOUT.as_secs()
            );
        }
        if is_tls_failure(e) {
            return format!("TLS with {} failed: {}; {}", self.address(), cause(e), TLS_HINT);
        }
        if e.is_client() && cause(e).contains("STARTTLS") {
            return format!(
                "{} does not offer STARTTLS ({}); {}",
                self.address(),
                cause(e),
                TLS_HINT
            );
        }
        if is_connect_failure(e) {
            return format!("could not connect to {}: {}", self.address(), cause(e));
        }
        if e.to_string().starts_with("network error") {
            return format!("the connection to {} broke: {}", self.address(), cause(e));
        }
        format!("the mail dialogue with {} failed: {}", self.address(), cause(e))
    }

    /// Sends `message` from `from` to `to` one SMTP step at a time, so that a failure says which step
    /// it was: connecting (and TLS), the login, the sender, the recipient or the message.
    pub async fn dialogue(&self, from: &Address, to: &Address, message: &[u8]) -> Result<(), String> {
        let hello = ClientId::default();
        let wrapper = match self.security {
            SmtpSecurity::Tls => Some(self.tls_parameters().map_err(|e| format!("{e:#}"))?),
            _ => None,
        };
        let mut conn =
            AsyncSmtpConnection::connect_tokio1((self.host.as_str(), self.port), Some(TIMEOUT), &hello, wrapper, None)
                .await
                .map_err(|e| self.step_failed(Step::Connect, &e))?;
        if self.security == SmtpSecurity::Starttls {
            let params = self.tls_parameters().map_err(|e| format!("{e:#}"))?;
            conn.starttls(params, &hello)
                .await
                .map_err(|e| self.step_failed(Step::Connect, &e))?;
        }
        if let Some(c) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], c)
                .await
                .map_err(|e| self.step_failed(Step::Login, &e))?;
        }
        let body = if message.is_ascii() {
            vec![]
        } else {
            vec![lettre::transport::smtp::extension::MailParameter::Body(
                lettre::transport::smtp::extension::MailBodyParameter::EightBitMime,
            )]
        };
        conn.command(Mail::new(Some(from.clone()), body))
            .await
            .map_err(|e| self.step_failed(Step::Sender, &e))?;
        conn.command(Rcpt::new(to.clone(), vec![]))
            .await
            .map_err(|e| self.step_failed(Step::Recipient, &e))?;
        conn.command(Data)
            .await
            .map_err(|e| self.step_failed(Step::Message, &e))?;
        conn.message(message)
            .await
            .map_err(|e| self.step_failed(Step::Message, &e))?;
        // The mail is accepted; a failing goodbye changes nothing.
        let _ = conn.quit().await;
        Ok(())
    }

    fn step_failed(&self, step: Step, e: &Error) -> String {
        let refused = e.is_permanent() || e.is_transient();
        match step {
            Step::Login if refused => format!("the mail server {} refused the login: {}", self.address(), answer(e)),
            Step::Sender if refused => format!("the mail server {} refused the sender: {}", self.address(), answer(e)),
            Step::Recipient if refused => {
                format!(
                    "the mail server {} refused the recipient: {}",
                    self.address(),
                    answer(e)
                )
            }
            Step::Message if refused => {
                format!("the mail server {} refused the message: {}", self.address(), answer(e))
            }
            Step::Login if e.is_client() => format!("the login to {} failed: {}", self.address(), cause(e)),
            _ => self.describe(e),
        }
    }
}

const TLS_HINT: &str = "use security = \"tls\" for port 465, \"starttls\" for 587 (or \"none\" for a server without TLS on the same machine)";

/// A permanent answer (550, 551, 553) whose enhanced status (RFC 3463) says the mailbox itself does not
/// exist or cannot take mail: X.1.1 bad mailbox, X.1.2 bad domain, X.1.3 bad address syntax, X.1.6 moved,
/// X.1.10 null MX, X.2.1 disabled. Only those block the address: a rejection of the content (which a
/// commenter's text could provoke), of the sender, or of a policy is no reason to stop mailing someone.
fn recipient_refused(e: &Error) -> bool {
    let Some(code) = e.status().filter(|_| e.is_permanent()) else {
        return false;
    };
    if !matches!(u16::from(code), 550 | 551 | 553) {
        return false;
    }
    let text = cause(e);
    let enhanced = text.split_whitespace().next().unwrap_or("");
    matches!(enhanced, "5.1.1" | "5.1.2" | "5.1.3" | "5.1.6" | "5.1.10" | "5.2.1")
}

/// The server's answer: code and text, e.g. `550 5.1.1 mailbox unavailable`.
fn answer(e: &Error) -> String {
    match e.status() {
        Some(code) => format!("{code} {}", cause(e)).trim_end().to_owned(),
        None => cause(e),
    }
}

/// The innermost message of an error: the OS's or the TLS library's words, or the server's text.
fn cause(e: &Error) -> String {
    let mut source = e.source();
    let mut words = None;
    while let Some(s) = source {
        words = Some(s.to_string());
        source = s.source();
    }
    words.unwrap_or_else(|| e.to_string())
}

fn io_kind(e: &Error) -> Option<ErrorKind> {
    let mut source = e.source();
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        source = s.source();
    }
    None
}

/// lettre reports a failed handshake as a connection error; rustls's own errors are `InvalidData`, and a
/// server that is not speaking TLS ends the connection during it.
fn is_tls_failure(e: &Error) -> bool {
    e.is_tls()
        || (is_connect_failure(e)
            && (matches!(
                io_kind(e),
                Some(ErrorKind::InvalidData | ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset)
            ) || cause(e).contains("DNS name")))
}

/// Connecting (and the TLS handshake) failed, as opposed to an established connection breaking; lettre
/// tells the two apart only in its message.
fn is_connect_failure(e: &Error) -> bool {
    e.to_string().starts_with("Connection error")
}
