//! A real SMTP server for the tests (`tests/smtp/server.py`, aiosmtpd) on loopback, and a small reader
//! of the raw messages it received: headers as sent, the parts decoded.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp/server.py");

/// How long the server may take to start.
const START_WITHIN: Duration = Duration::from_secs(30);

/// The running server, killed when dropped; its messages live in a temporary folder.
pub struct SmtpServer {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl SmtpServer {
    /// On a free port.
    pub fn start() -> Self {
        Self::start_on(0)
    }

    /// On `port` (0: any free one), with the Python of `RIPOSTE_TEST_PYTHON` (default `python3`).
    pub fn start_on(port: u16) -> Self {
        let python = std::env::var("RIPOSTE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        let dir = tempfile::tempdir().unwrap();
        let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
        let mail = dir.path().join("mail");
        let mut child = Command::new(&python)
            .arg(SCRIPT)
            .arg("--port")
            .arg(port.to_string())
            .arg("--dir")
            .arg(&mail)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {python} for the test SMTP server: {e}"));
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(START_WITHIN).unwrap_or_default();
        let Some(port) = line.trim().strip_prefix("listening ").and_then(|p| p.parse().ok()) else {
            let _ = child.kill();
            let _ = child.wait();
            let mut log = String::new();
            let _ = std::fs::File::open(dir.path().join("server.log")).and_then(|mut f| f.read_to_string(&mut log));
            if log.contains("aiosmtpd") {
                panic!("aiosmtpd is not installed: run tests/run, or pip install aiosmtpd (python: {python})\n{log}");
            }
            panic!("the test SMTP server did not start ({python} {SCRIPT}):\n{log}");
        };
        Self { child, port, dir }
    }

    /// The port it listens on, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every message received so far, raw RFC 5322 text, oldest first.
    pub fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.dir.path().join("mail")) else {
            return Vec::new();
        };
        let mut names: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned())
            .collect()
    }

    /// The messages once there are at least `n`; panics when `deadline` passes first.
    pub fn wait_for(&self, n: usize, deadline: Duration) -> Vec<String> {
        let until = Instant::now() + deadline;
        loop {
            let got = self.messages();
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < until,
                "expected {n} mails within {deadline:?}, got {}",
                got.len()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nothing listens on (it was free a moment ago): a mail server that is down.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// `[smtp]` for a test server on `port` of 127.0.0.1, without TLS or login.
pub fn config(port: u16) -> riposte::config::SmtpConfig {
    riposte::config::SmtpConfig {
        host: "127.0.0.1".into(),
        port: Some(port),
        username: None,
        password: None,
        password_file: None,
        from: "Ein Blog <riposte@blog.example>".into(),
        security: riposte::config::SmtpSecurity::None,
    }
}

/// `config` with mail on: `[smtp]` names a closed port on loopback, so mail is queued and never delivered
/// while no worker runs; tests read the outbox through the store.
pub fn with_mail(mut config: riposte::config::Config) -> riposte::config::Config {
    config.smtp = Some(self::config(closed_port()));
    config
}

/// A received message: its header lines as sent (unfolded) and its text and HTML parts decoded.
pub struct Mail {
    pub headers: Vec<(String, String)>,
    pub text: String,
    pub html: String,
    /// The top-level content type.
    pub content_type: String,
}

impl Mail {
    pub fn parse(raw: &str) -> Self {
        let (head, body) = split(raw);
        let headers = header_lines(head);
        let content_type = find(&headers, "Content-Type").unwrap_or_default();
        let mut mail = Mail {
            headers,
            text: String::new(),
            html: String::new(),
            content_type: content_type.clone(),
        };
        match boundary(&content_type) {
            Some(b) => {
                for part in body.split(&format!("--{b}")).skip(1) {
                    if part.starts_with("--") {
                        break;
                    }
                    let (h, b) = split(part.trim_start_matches(['\r', '\n']));
                    let h = header_lines(h);
                    let decoded = decode_body(&h, b);
                    let ct = find(&h, "Content-Type").unwrap_or_default().to_ascii_lowercase();
                    if ct.starts_with("text/plain") {
                        mail.text = decoded;
                    } else if ct.starts_with("text/html") {
                        mail.html = decoded;
                    }
                }
            }
            None => mail.text = decode_body(&mail.headers, body),
        }
        mail
    }

    /// The first header of that name, as sent (still encoded).
    pub fn header(&self, name: &str) -> Option<String> {
        find(&self.headers, name)
    }

    /// How many headers of that name the message has.
    pub fn count(&self, name: &str) -> usize {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .count()
    }

    /// The subject, RFC 2047 encoded words decoded.
    pub fn subject(&self) -> String {
        decode_words(&self.header("Subject").unwrap_or_default())
    }

    /// Every `href="..."` of the HTML part.
    pub fn hrefs(&self) -> Vec<String> {
        self.html
            .split("href=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap_or("").to_owned())
            .collect()
    }
}

fn split(s: &str) -> (&str, &str) {
    s.split_once("\r\n\r\n")
        .or_else(|| s.split_once("\n\n"))
        .unwrap_or((s, ""))
}

fn header_lines(head: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.1.push_str(line);
                continue;
            }
        }
        if let Some((name, value)) = line.split_once(':') {
            out.push((name.to_owned(), value.trim().to_owned()));
        } else {
            out.push((line.to_owned(), String::new()));
        }
    }
    out
}

fn find(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
}

fn boundary(content_type: &str) -> Option<String> {
    let i = content_type.to_ascii_lowercase().find("boundary=")?;
    let b = &content_type[i + "boundary=".len()..];
    Some(b.trim_matches('"').split(['"', ';']).next()?.to_owned())
}

fn decode_body(headers: &[(String, String)], body: &str) -> String {
    let encoding = find(headers, "Content-Transfer-Encoding")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let bytes = match encoding.as_str() {
        "quoted-printable" => quoted_printable::decode(body.trim_end(), quoted_printable::ParseMode::Robust).unwrap(),
        "base64" => STANDARD.decode(body.split_whitespace().collect::<String>()).unwrap(),
        _ => body.as_bytes().to_vec(),
    };
    String::from_utf8(bytes).unwrap().replace("\r\n", "\n")
}

/// RFC 2047: `=?utf-8?b?...?=` and `=?utf-8?q?...?=` words, the space between two of them dropped.
fn decode_words(s: &str) -> String {
    let mut out = String::new();
    let mut last_was_word = false;
    for token in s.split(' ') {
        let word = token
            .strip_prefix("=?")
            .and_then(|t| t.strip_suffix("?="))
            .and_then(|t| {
                let mut p = t.splitn(3, '?');
                let (_charset, enc, text) = (p.next()?, p.next()?, p.next()?);
                let bytes = match enc.to_ascii_lowercase().as_str() {
                    "b" => STANDARD.decode(text).ok()?,
                    "q" => {
                        quoted_printable::decode(text.replace('_', " "), quoted_printable::ParseMode::Robust).ok()?
                    }
                    _ => return None,
                };
                String::from_utf8(bytes).ok()
            });
        // Whitespace between two encoded words is not part of the text (RFC 2047, 6.2).
        let between_words = word.is_some() && last_was_word;
        if !out.is_empty() && !between_words {
            out.push(' ');
        }
        last_was_word = word.is_some();
        out.push_str(word.as_deref().unwrap_or(token));
    }
    out
}
