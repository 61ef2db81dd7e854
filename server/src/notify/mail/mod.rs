//! Notification mails: each job rendered from askama templates (a text and an HTML part, in the site's
//! language) and sent over SMTP with lettre; failures sorted into retry, refusal and failure.

mod render;
mod smtp;
mod words;

use anyhow::Context;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::Links;
use crate::config::SmtpConfig;
use crate::domain::notify::{Attempt, Job, mailable};
use crate::domain::time::now_ms;

/// Sends the outbox's mails through the configured server; one pooled transport for all of them.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    server: smtp::Server,
    from: Mailbox,
}

impl Mailer {
    /// The transport for `[smtp]`; connects only when the first mail goes out.
    pub fn new(smtp: &SmtpConfig) -> anyhow::Result<Self> {
        let server = smtp::Server::new(smtp);
        Ok(Self {
            transport: server.transport()?,
            from: sender(smtp)?,
            server,
        })
    }

    /// Renders `job` and sends it: `Sent`, `Refused` when the server refused the recipient for good,
    /// `Failed` when the address is not one a mail can go to, `Retry` for everything else.
    pub async fn send(&self, job: &Job, links: &Links) -> Attempt {
        if matches!(job, Job::Webhook { .. }) {
            return Attempt::Failed("a webhook is not a mail".into());
        }
        let to = match recipient(job.target()) {
            Ok(to) => to,
            Err(e) => return Attempt::Failed(e),
        };
        let message = match render::render(job, links, now_ms()) {
            Ok(mail) => compose(&self.from, to, mail),
            Err(e) => return Attempt::Failed(format!("the mail could not be rendered: {e}")),
        };
        let message = match message {
            Ok(m) => m,
            Err(e) => return Attempt::Failed(format!("the mail could not be built: {e}")),
        };
        match self.transport.send(message).await {
            Ok(_) => Attempt::Sent,
            Err(e) => self.server.attempt(&e),
        }
    }
}

/// `riposte mail test ADDRESS`: sends one plain test mail through `smtp`, step by step; on success
/// returns the server's `host:port`, on failure says in plain words which step failed and why.
pub async fn send_test(smtp: &SmtpConfig, to: &str) -> anyhow::Result<String> {
    let server = smtp::Server::new(smtp);
    let from = sender(smtp)?;
    let to = recipient(to).map_err(anyhow::Error::msg)?;
    let message = Message::builder()
        .from(from.clone())
        .to(Mailbox::new(None, to.clone()))
        .subject("riposte test mail")
        .message_id(None)
        .raw_header(HeaderValue::new(AUTO_SUBMITTED, "auto-generated".into()))
        .singlepart(SinglePart::plain(TEST_TEXT.to_owned()))
        .context("the test mail could not be built")?;
    server
        .dialogue(&from.email, &to, &message.formatted())
        .await
        .map_err(anyhow::Error::msg)?;
    Ok(server.address())
}

const TEST_TEXT: &str = "This is a test mail from riposte (riposte mail test).\r\n\
    Mail from riposte reaches this address: notifications will arrive.\r\n";

const AUTO_SUBMITTED: HeaderName = HeaderName::new_from_ascii_str("Auto-Submitted");
const LIST_UNSUBSCRIBE: HeaderName = HeaderName::new_from_ascii_str("List-Unsubscribe");
const LIST_UNSUBSCRIBE_POST: HeaderName = HeaderName::new_from_ascii_str("List-Unsubscribe-Post");

fn sender(smtp: &SmtpConfig) -> anyhow::Result<Mailbox> {
    smtp.from
        .parse()
        .with_context(|| format!("smtp.from {:?} is not a mail address", smtp.from))
}

/// A recipient's address, checked before it reaches the envelope or the `To` header.
fn recipient(address: &str) -> Result<Address, String> {
    let refused = || "the address is not one a mail can go to".to_owned();
    if !mailable(address) {
        return Err(refused());
    }
    address.parse::<Address>().map_err(|_| refused())
}

/// The message: `From` the configuration, `To` the bare address (never a name a user chose), the
/// rendered subject (already one line), RFC 3834's `Auto-Submitted`, and RFC 8058's one-click
/// unsubscribe headers when the mail has an unsubscribe link.
fn compose(from: &Mailbox, to: Address, mail: render::Rendered) -> Result<Message, lettre::error::Error> {
    let mut builder = Message::builder()
        .from(from.clone())
        .to(Mailbox::new(None, to))
        .subject(mail.subject)
        .message_id(None)
        .raw_header(HeaderValue::new(AUTO_SUBMITTED, "auto-generated".into()));
    if let Some(url) = mail.unsubscribe {
        builder = builder
            .raw_header(HeaderValue::new(LIST_UNSUBSCRIBE, format!("<{url}>")))
            .raw_header(HeaderValue::new(
                LIST_UNSUBSCRIBE_POST,
                "List-Unsubscribe=One-Click".into(),
            ));
    }
    builder.multipart(MultiPart::alternative_plain_html(mail.text, mail.html))
}
