use super::*;
use crate::domain::comment::Status;

#[test]
fn retries_double_and_give_up() {
    let r = Retries {
        first_retry_ms: 1_000,
        give_up_ms: 10_000,
    };
    assert_eq!(r.next_attempt(1, 0, 0), Some(1_000));
    assert_eq!(r.next_attempt(2, 0, 1_000), Some(3_000));
    assert_eq!(r.next_attempt(3, 0, 3_000), Some(7_000));
    assert_eq!(r.next_attempt(4, 0, 7_000), None, "15 s would be past the 10 s limit");
    let long = Retries::default();
    assert_eq!(
        long.next_attempt(40, 0, 0),
        Some(MAX_RETRY_GAP_MS),
        "gaps stop growing at an hour"
    );
}

#[test]
fn modes_parse_and_decide() {
    for m in NotifyMode::ALL {
        assert_eq!(NotifyMode::parse(m.as_str()), Ok(m));
    }
    assert!(NotifyMode::parse("weekly").is_err());
    assert!(NotifyMode::Pending.mails_at_once(Status::Pending));
    assert!(!NotifyMode::Pending.mails_at_once(Status::Published));
    assert!(
        !NotifyMode::Pending.mails_at_once(Status::Spam),
        "spam waits in its folder, unannounced"
    );
    assert!(NotifyMode::All.mails_at_once(Status::Published));
    assert!(!NotifyMode::DigestDaily.mails_at_once(Status::Pending));
    assert_eq!(NotifyMode::DigestHourly.digest_every_ms(), Some(3_600_000));
}

#[test]
fn events_serialize_as_their_names() {
    for e in Event::COMMENT {
        assert_eq!(serde_json::to_string(&e).unwrap(), format!("\"{}\"", e.as_str()));
        assert_eq!(Event::parse(e.as_str()), Ok(e));
    }
    assert!(Event::parse("test").is_err(), "a hook cannot subscribe to test events");
}

#[test]
fn header_text_cannot_break_a_header() {
    assert_eq!(
        header_text("Anna\r\nBcc: victim@example.org", 100),
        "Anna Bcc: victim@example.org"
    );
    assert_eq!(header_text("a\u{0}b\tc", 100), "a b c");
    assert_eq!(header_text("Grüße aus Köln", 5), "Grüße…");
    assert!(!mailable("a@b.example\r\nBcc: x@y.example"));
    assert!(!mailable("Anna <a@b.example>"));
    assert!(mailable("anna@blog.example"));
}

#[test]
fn jobs_round_trip_through_json() {
    let job = Job::Webhook {
        hook: 3,
        url: "https://hooks.example/r".into(),
        event: Event::Published,
        body: "{}".into(),
    };
    let text = serde_json::to_string(&job).unwrap();
    assert!(text.contains("\"kind\":\"webhook\""), "{text}");
    assert_eq!(serde_json::from_str::<Job>(&text).unwrap(), job);
    assert_eq!(job.channel(), Channel::Webhook);
    assert_eq!(job.target(), "https://hooks.example/r");
}
