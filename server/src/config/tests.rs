//! The configuration's sources and their precedence, and what validation refuses.

use super::*;
use std::collections::HashMap;

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
