//! Tokens, links, IP hashes and passwords: made and checked as documented.

use super::*;
use crate::domain::notify::LinkAction;

#[test]
fn mail_links_verify_only_as_made() {
    let keys = Keys::new("a secret of sixteen+ chars");
    let link = MailLink::Moderate {
        moderator: 2,
        moderator_created: 1_600_000_000_000,
        comment: 41,
        comment_created: 1_650_000_000_000,
        action: LinkAction::Spam,
        expires: 1_700_000_000_000,
    };
    let token = keys.link_token(&link);
    let (back, mac) = keys.verify_link(&token).unwrap();
    assert_eq!(back, link);
    assert!(token.ends_with(&mac));
    // Another comment, another action or another server's key: refused.
    assert!(keys.verify_link(&token.replacen(".41.", ".42.", 1)).is_none());
    assert!(keys.verify_link(&token.replacen(".1.", ".0.", 1)).is_none());
    assert!(Keys::new("another secret, also long").verify_link(&token).is_none());
    let unsubscribe = keys.link_token(&MailLink::Unsubscribe {
        subscription: 7,
        created: 5,
    });
    assert!(unsubscribe.starts_with("u.7.5."));
    // A confirm token cannot be turned into an unsubscribe token of the same fields.
    let confirm = keys.link_token(&MailLink::Confirm {
        subscription: 7,
        created: 5,
    });
    assert!(keys.verify_link(&format!("u{}", &confirm[1..])).is_none());
}

#[test]
fn edit_tokens_bind_comment_and_secret() {
    let keys = Keys::new("0123456789abcdef0123");
    let token = keys.edit_token(7, 1000);
    assert!(keys.verify_edit_token(7, 1000, &token));
    assert!(!keys.verify_edit_token(8, 1000, &token));
    assert!(!keys.verify_edit_token(7, 1001, &token));
    assert!(!keys.verify_edit_token(7, 1000, "not base64 !"));
    assert!(!Keys::new("another-secret-value").verify_edit_token(7, 1000, &token));
}

#[test]
fn passwords_verify_like_the_library_does() {
    let hash = hash_password("correct horse battery").unwrap();
    assert!(verify_password("correct horse battery", Some(&hash)));
    assert!(!verify_password("correct horse batterx", Some(&hash)));
    assert!(!verify_password("correct horse battery", None));
    assert!(!verify_password("correct horse battery", Some("not a PHC string")));
    use argon2::PasswordVerifier;
    let parsed = PasswordHash::new(&hash).unwrap();
    assert!(
        Argon2::default()
            .verify_password(b"correct horse battery", &parsed)
            .is_ok()
    );
    // Other parameters in the stored hash are honoured.
    let small = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(1024, 1, 1, Some(16)).unwrap(),
    )
    .hash_password(b"another password")
    .unwrap()
    .to_string();
    assert!(verify_password("another password", Some(&small)));
    assert!(!verify_password("another passwore", Some(&small)));
}

#[test]
fn hashes_are_stable_and_distinct() {
    let keys = Keys::new("0123456789abcdef0123");
    let a = keys.ip_hash("192.0.2.1".parse().unwrap());
    assert_eq!(a, keys.ip_hash("192.0.2.1".parse().unwrap()));
    assert_ne!(a, keys.ip_hash("192.0.2.2".parse().unwrap()));
    let [now, before] = keys.ip_hashes("192.0.2.1".parse().unwrap());
    assert_eq!(now, a);
    assert_ne!(now, before, "the key rotates");
    assert_eq!(keys.avatar("blog", "anna@example.de").len(), 16);
    assert_ne!(keys.avatar("blog", "x"), keys.avatar("blog", "y"));
    assert_ne!(
        keys.avatar("blog", "anna@example.de"),
        keys.avatar("shop", "anna@example.de"),
        "one commenter cannot be followed from site to site"
    );
    assert_eq!(Keys::generate_secret().len(), 64);
}

#[test]
fn ip_hashes_depend_on_the_installed_keys_not_the_secret() {
    let keys = Keys::new("0123456789abcdef0123");
    let ip = "192.0.2.1".parse().unwrap();
    let stored = IpKeys {
        period: 7,
        current: vec![1; 32],
        previous: vec![2; 32],
    };
    keys.install_ip_keys(stored.clone());
    let hashes = keys.ip_hashes(ip);
    // Another server with another secret but the same stored keys hashes alike: the secret plays no part.
    let other = Keys::new("another-secret-value");
    other.install_ip_keys(stored);
    assert_eq!(other.ip_hashes(ip), hashes);
    keys.install_ip_keys(IpKeys {
        period: 8,
        current: vec![3; 32],
        previous: vec![1; 32],
    });
    assert_eq!(keys.ip_hashes(ip)[1], hashes[0], "last period's key still matches");
    assert_eq!(keys.installed_ip_period(), 8);
}

#[test]
fn author_tokens_name_their_comment_and_site() {
    let keys = Keys::new("0123456789abcdef0123");
    let token = keys.author_token("blog", 42, 1000);
    assert_eq!(keys.verify_author_token("blog", &token), Some((42, 1000)));
    assert_eq!(keys.verify_author_token("shop", &token), None);
    let forged = token.replacen("42.", "43.", 1);
    assert_eq!(keys.verify_author_token("blog", &forged), None);
    let later = token.replacen(".1000.", ".1001.", 1);
    assert_eq!(keys.verify_author_token("blog", &later), None);
    assert_eq!(keys.verify_author_token("blog", "garbage"), None);
    assert_eq!(keys.verify_author_token("blog", "1."), None);
}

#[test]
fn form_tokens_bind_site_page_and_moment() {
    let keys = Keys::new("0123456789abcdef0123");
    let token = keys.form_token("blog", "/post/", 1_000);
    let (issued, nonce) = keys.verify_form_token("blog", "/post/", &token).unwrap();
    assert_eq!(issued, 1_000);
    assert!(nonce >= 0);
    assert_ne!(
        keys.form_token("blog", "/post/", 1_000),
        token,
        "two forms of one moment differ"
    );
    assert!(keys.verify_form_token("blog", "/other/", &token).is_none());
    assert!(keys.verify_form_token("news", "/post/", &token).is_none());
    // An earlier moment (a longer fill time, a later expiry) cannot be written in.
    assert!(
        keys.verify_form_token("blog", "/post/", &token.replacen("1000.", "999.", 1))
            .is_none()
    );
    assert!(
        Keys::new("another-secret-value")
            .verify_form_token("blog", "/post/", &token)
            .is_none()
    );
    // Nor does a token of another purpose with the same numbers pass.
    let (a, b) = (1_000, nonce);
    let author = keys.author_token("blog", a, b);
    assert!(keys.verify_form_token("blog", "/post/", &author).is_none());
    assert!(keys.verify_held_mark("blog", &author).is_none());
}

#[test]
fn held_marks_name_one_comment_of_one_site() {
    let keys = Keys::new("0123456789abcdef0123");
    let mark = keys.held_mark("blog", 12, 5_000);
    assert_eq!(mark.split('.').take(2).collect::<Vec<_>>(), ["12", "5000"]);
    assert_eq!(keys.verify_held_mark("blog", &mark), Some((12, 5_000)));
    assert!(keys.verify_held_mark("news", &mark).is_none());
    assert!(keys.verify_held_mark("blog", &mark.replacen("12.", "13.", 1)).is_none());
    assert!(keys.verify_held_mark("blog", "12.5000").is_none());
}
