//! `riposte mail test ADDRESS` through the real binary: the mail arrives, and each failure of the SMTP
//! dialogue is said in plain words with exit status 1.

use std::process::Command;

use super::WAIT;
use crate::helpers::process::BIN;
use crate::helpers::smtp::{Mail, SmtpServer, closed_port};

/// `riposte mail test ADDRESS` with `config` (TOML) in a temporary folder.
fn mail_test(config: &str, address: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("riposte.toml");
    std::fs::write(&file, config).unwrap();
    Command::new(BIN)
        .arg("--config")
        .arg(&file)
        .args(["mail", "test", address])
        .current_dir(dir.path())
        .env_remove("RIPOSTE_CONFIG")
        .env_remove("RIPOSTE_SMTP_PASSWORD")
        .output()
        .unwrap()
}

fn smtp_toml(port: u16, security: &str) -> String {
    format!(
        "database = \"riposte.db\"\n[smtp]\nhost = \"127.0.0.1\"\nport = {port}\nfrom = \"Ein Blog <riposte@blog.example>\"\nsecurity = \"{security}\"\n"
    )
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn mail_test_sends_through_the_configured_server() {
    let server = SmtpServer::start();
    let out = mail_test(&smtp_toml(server.port(), "none"), "anna@mail.example");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("test mail sent to anna@mail.example via 127.0.0.1:{}", server.port())
    );
    let mail = Mail::parse(&server.wait_for(1, WAIT)[0]);
    assert_eq!(mail.subject(), "riposte test mail");
    assert_eq!(mail.header("Auto-Submitted").as_deref(), Some("auto-generated"));
    assert!(mail.text.contains("test mail from riposte"));
}

#[test]
fn mail_test_says_what_went_wrong_in_plain_words() {
    let server = SmtpServer::start();
    let port = closed_port();
    let cases = [
        (
            smtp_toml(port, "none"),
            "anna@mail.example",
            format!("error: could not connect to 127.0.0.1:{port}: "),
        ),
        (
            smtp_toml(server.port(), "none"),
            "bounce@mail.example",
            format!(
                "error: the mail server 127.0.0.1:{} refused the recipient: 550 5.1.1 mailbox unavailable",
                server.port()
            ),
        ),
        (
            smtp_toml(server.port(), "tls"),
            "anna@mail.example",
            format!("error: TLS with 127.0.0.1:{} failed: ", server.port()),
        ),
        (
            smtp_toml(server.port(), "starttls"),
            "anna@mail.example",
            format!("error: 127.0.0.1:{} does not offer STARTTLS", server.port()),
        ),
        (
            "database = \"riposte.db\"\n".to_owned(),
            "anna@mail.example",
            "error: mail is off: add an [smtp] section to the configuration (docs/notifications.md)".to_owned(),
        ),
        (
            smtp_toml(server.port(), "none"),
            "not an address",
            "error: the address is not one a mail can go to".to_owned(),
        ),
    ];
    for (config, address, want) in cases {
        let out = mail_test(&config, address);
        assert_eq!(out.status.code(), Some(1), "{want}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.starts_with(&want), "want {want:?}, got {err:?}");
        assert!(!err.contains("panicked"), "{err}");
        if want.contains("TLS") {
            assert!(
                err.contains("security = \"tls\" for port 465, \"starttls\" for 587"),
                "{err}"
            );
        }
    }
    assert!(server.messages().is_empty(), "no failed case delivered anything");
}
