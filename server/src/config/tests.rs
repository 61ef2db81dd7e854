//! The configuration's sources and their precedence, and what validation refuses.

use super::*;
use std::collections::HashMap;

use crate::domain::Moderation;
use crate::domain::notify::{Event, Language, NotifyMode};

fn file(text: &str) -> tempfile::NamedTempFile {
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), text).unwrap();
    f
}

#[test]
fn precedence_defaults_file_env_flags() {
    let f = file("listen = \"127.0.0.1:9000\"\ndatabase = \"file.db\"\nedit_window = 60\n");
    let env: HashMap<&str, &str> = HashMap::from([("RIPOSTE_DATABASE", "env.db")]);
    let get = |k: &str| env.get(k).map(|v| v.to_string());
    let c = Config::load(Some(f.path()), get, &Overrides::default()).unwrap();
    assert_eq!(c.listen, "127.0.0.1:9000");
    assert_eq!(c.database, PathBuf::from("env.db"));
    assert_eq!(c.edit_window, 60);
    assert_eq!(
        c.rate_limits.comments,
        Rate {
            burst: 3,
            every_ms: 20_000.0
        }
    );
    let flags = Overrides {
        database: Some("flag.db".into()),
        ..Default::default()
    };
    let c = Config::load(Some(f.path()), get, &flags).unwrap();
    assert_eq!(c.database, PathBuf::from("flag.db"));
}

#[test]
fn unknown_key_names_key_and_file() {
    let f = file("listen = \"127.0.0.1:9000\"\nlisten_port = 3\n");
    let err = Config::load(Some(f.path()), |_| None, &Overrides::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("listen_port"), "{err}");
    assert!(err.contains(&f.path().display().to_string()), "{err}");
    let f = file("[[sites]]\nid = \"blog\"\norigins = []\nmoderaton = \"all\"\n");
    let err = Config::load(Some(f.path()), |_| None, &Overrides::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("moderaton"), "{err}");
}

#[test]
fn sites_and_proxies_are_checked() {
    let f = file(
        "trusted_proxies = [\"10.0.0.0/8\", \"::1\"]\n[[sites]]\nid = \"blog\"\norigins = [\"https://blog.example\"]\nmoderation = \"first-time\"\n",
    );
    let c = Config::load(Some(f.path()), |_| None, &Overrides::default()).unwrap();
    assert_eq!(c.proxies().unwrap().len(), 2);
    assert_eq!(c.sites[0].moderation, Moderation::FirstTime);
    let f = file("[[sites]]\nid = \"blog\"\norigins = [\"blog.example\"]\n");
    assert!(Config::load(Some(f.path()), |_| None, &Overrides::default()).is_err());
}

#[test]
fn the_import_limit_is_a_positive_number_of_mib() {
    let c = Config::load(None, |_| None, &Overrides::default()).unwrap();
    assert_eq!((c.import_max_mb, c.import_max_bytes()), (100, 100 * 1024 * 1024));
    let env = |v: &'static str| move |k: &str| (k == "RIPOSTE_IMPORT_MAX_MB").then(|| v.to_owned());
    assert_eq!(
        Config::load(None, env("7"), &Overrides::default())
            .unwrap()
            .import_max_mb,
        7
    );
    assert!(Config::load(None, env("0"), &Overrides::default()).is_err());
    assert!(Config::load(None, env("lots"), &Overrides::default()).is_err());
    assert!(
        Config::load(
            Some(file("import_max_mb = 0\n").path()),
            |_| None,
            &Overrides::default()
        )
        .is_err()
    );
}

#[test]
fn debug_redacts_secret() {
    let c = Config {
        secret: Some("very-secret-value-123".into()),
        ..Default::default()
    };
    assert!(!format!("{c:?}").contains("very-secret"));
}

#[test]
fn smtp_password_comes_from_file_env_or_a_password_file() {
    let secret_file = file("s3cret from a file\n");
    let text = format!(
        "[smtp]\nhost = \"mail.example\"\nusername = \"riposte\"\nfrom = \"Blog <riposte@blog.example>\"\npassword_file = \"{}\"\n",
        secret_file.path().display()
    );
    let f = file(&text);
    let c = Config::load(Some(f.path()), |_| None, &Overrides::default()).unwrap();
    let smtp = c.smtp.as_ref().unwrap();
    assert_eq!(
        smtp.password.as_deref(),
        Some("s3cret from a file"),
        "the newline is not part of it"
    );
    assert_eq!((smtp.security, smtp.port()), (SmtpSecurity::Starttls, 587));
    let env = |k: &str| (k == "RIPOSTE_SMTP_PASSWORD").then(|| "from the environment".to_owned());
    let c = Config::load(Some(f.path()), env, &Overrides::default()).unwrap();
    assert_eq!(
        c.smtp.as_ref().unwrap().password.as_deref(),
        Some("from the environment")
    );
    assert!(
        !format!("{c:?}").contains("from the environment"),
        "the password never reaches a log"
    );
    let tls = file("[smtp]\nhost = \"mail.example\"\nfrom = \"riposte@blog.example\"\nsecurity = \"tls\"\n");
    let c = Config::load(Some(tls.path()), |_| None, &Overrides::default()).unwrap();
    assert_eq!(c.smtp.unwrap().port(), 465);
}

#[test]
fn bad_notification_settings_are_refused_with_their_name() {
    for (text, says) in [
        ("[smtp]\nhost = \"m.example\"\nfrom = \"not an address\"\n", "smtp.from"),
        (
            "[smtp]\nhost = \"m.example\"\nfrom = \"a@b.example\"\nusername = \"u\"\n",
            "username and password",
        ),
        (
            "[smtp]\nhost = \"m.example\"\nfrom = \"a@b.example\"\nsecurity = \"ssl\"\n",
            "security",
        ),
        ("[outbox]\nfirst_retry_seconds = 0\n", "first_retry_seconds"),
        (
            "[[sites]]\nid = \"b\"\norigins = []\n[[sites.webhooks]]\nurl = \"ftp://x.example\"\nsecret = \"0123456789abcdef\"\n",
            "http or https",
        ),
        (
            "[[sites]]\nid = \"b\"\norigins = []\n[[sites.webhooks]]\nurl = \"https://x.example\"\nsecret = \"short\"\n",
            "at least 16",
        ),
        (
            "[[sites]]\nid = \"b\"\norigins = []\n[[sites.webhooks]]\nurl = \"https://x.example\"\nsecret = \"0123456789abcdef\"\nevents = [\"comment.liked\"]\n",
            "comment.liked",
        ),
        ("[[sites]]\nid = \"b\"\norigins = []\nnotify = \"weekly\"\n", "weekly"),
        ("[[sites]]\nid = \"b\"\norigins = []\nlanguage = \"xx\"\n", "xx"),
    ] {
        let f = file(text);
        let err = Config::load(Some(f.path()), |_| None, &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains(says), "{text}: {err}");
    }
    let ok = file(
        "webhooks_allow_private = true\n[outbox]\nfirst_retry_seconds = 0.5\ngive_up_hours = 0.01\n[[sites]]\nid = \"b\"\norigins = []\nnotify = \"digest-daily\"\nlanguage = \"de\"\n[[sites.webhooks]]\nurl = \"http://127.0.0.1:9/hook\"\nsecret = \"0123456789abcdef\"\nevents = [\"comment.published\"]\n",
    );
    let c = Config::load(Some(ok.path()), |_| None, &Overrides::default()).unwrap();
    assert_eq!(c.outbox.retries().first_retry_ms, 500);
    assert_eq!(c.outbox.retries().give_up_ms, 36_000);
    let site = c.sites[0].to_site();
    assert_eq!(
        (site.notify, site.language),
        (NotifyMode::DigestDaily, Language::parse("de").unwrap())
    );
    assert_eq!(c.sites[0].webhooks[0].to_webhook().events, [Event::Published]);
    assert!(
        !format!("{c:?}").contains("0123456789abcdef"),
        "hook secrets never reach a log"
    );
}

#[test]
fn max_connections_is_checked_bounds_the_live_streams_and_fits_the_open_files() {
    let load = |text: &str| Config::load(Some(file(text).path()), |_| None, &Overrides::default());
    let c = load("").unwrap();
    assert_eq!(c.max_connections, 4096);
    assert!(load("max_connections = 8\n").is_err());
    // Three quarters of the connections may be live streams, and no more.
    let c = load("max_connections = 14000\n[live]\nmax_connections = 10000\n").unwrap();
    assert_eq!((c.max_connections, c.live.max_connections), (14000, 10000));
    let e = load("max_connections = 12000\n[live]\nmax_connections = 10000\n").unwrap_err();
    assert!(format!("{e:#}").contains("from 1 to 9000"), "{e:#}");

    // A process allowed 1,024 files holds 896 connections, 672 of them streams.
    let mut c = load("[live]\nmax_connections = 3000\n").unwrap();
    assert_eq!(c.fit_open_files(1024), Some(1024 - RESERVED_FILES as usize));
    assert_eq!((c.max_connections, c.live.max_connections), (896, 672));
    // Room enough: nothing changes.
    let mut c = load("").unwrap();
    assert_eq!(c.fit_open_files(1 << 20), None);
    assert_eq!((c.max_connections, c.live.max_connections), (4096, 1000));
}
