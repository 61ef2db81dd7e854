//! The words of the notification mails, one table per language: adding a language is one more table
//! (and its arm in [`words`]), never more templates. `{name}` marks where [`fill`] puts a value.

use crate::domain::notify::Language;

/// Every sentence and label a mail shows.
pub struct Words {
    /// The `lang` attribute of the HTML part.
    pub lang: &'static str,
    pub anonymous: &'static str,
    pub subject_pending: &'static str,
    pub subject_published: &'static str,
    pub subject_digest_one: &'static str,
    pub subject_digest_many: &'static str,
    pub subject_confirm: &'static str,
    pub subject_reply: &'static str,
    pub subject_page: &'static str,
    pub intro_pending: &'static str,
    pub intro_published: &'static str,
    pub intro_digest: &'static str,
    pub intro_confirm: &'static str,
    pub intro_reply: &'static str,
    pub intro_page: &'static str,
    pub page: &'static str,
    pub author: &'static str,
    pub written: &'static str,
    pub status: &'static str,
    /// A comment's status as the store names it (`pending`, `published`, `spam`, `deleted`), in words.
    pub statuses: [(&'static str, &'static str); 4],
    pub held_because: &'static str,
    pub approve: &'static str,
    pub spam: &'static str,
    pub delete: &'static str,
    pub open_admin: &'static str,
    pub open_queue: &'static str,
    pub actions_note: &'static str,
    pub confirm: &'static str,
    pub confirm_note: &'static str,
    pub ignore: &'static str,
    pub unsubscribe: &'static str,
    pub unsubscribe_note: &'static str,
    pub footer: &'static str,
}

const EN: Words = Words {
    lang: "en",
    anonymous: "Anonymous",
    subject_pending: "[{site}] New comment by {author} waiting for approval on {page}",
    subject_published: "[{site}] New comment by {author} on {page}",
    subject_digest_one: "[{site}] 1 new comment",
    subject_digest_many: "[{site}] {count} new comments",
    subject_confirm: "[{site}] Please confirm your reply notifications",
    subject_reply: "[{site}] {author} replied to your comment on {page}",
    subject_page: "[{site}] New comment by {author} on {page}",
    intro_pending: "A new comment on {site} is waiting for your approval.",
    intro_published: "A new comment was published on {site}.",
    intro_digest: "New comments on {site} since {since}:",
    intro_confirm: "Someone, hopefully you, asked {site} to send this address a mail when there are new replies on the page {page}.",
    intro_reply: "{author} replied to your comment on {site}:",
    intro_page: "{author} wrote a new comment on {site}:",
    page: "Page",
    author: "Author",
    written: "Written",
    status: "Status",
    statuses: [
        ("pending", "waiting for approval"),
        ("published", "published"),
        ("spam", "spam"),
        ("deleted", "deleted"),
    ],
    held_because: "Held because",
    approve: "Approve",
    spam: "Spam",
    delete: "Delete",
    open_admin: "Open in the admin UI",
    open_queue: "Open the moderation queue",
    actions_note: "Each button opens a page where you confirm the action. The links work once, for 7 days.",
    confirm: "Yes, send me notifications",
    confirm_note: "The link works for 7 days. Nothing is sent to this address before you confirm.",
    ignore: "If it was not you, ignore this mail: you will get no other.",
    unsubscribe: "Unsubscribe",
    unsubscribe_note: "You get this mail because you asked {site} for notifications. One click ends them:",
    footer: "Sent automatically by the comment service of {site}. Please do not reply to this mail.",
};

const DE: Words = Words {
    lang: "de",
    anonymous: "Anonym",
    subject_pending: "[{site}] Neuer Kommentar von {author} wartet auf Freigabe: {page}",
    subject_published: "[{site}] Neuer Kommentar von {author}: {page}",
    subject_digest_one: "[{site}] 1 neuer Kommentar",
    subject_digest_many: "[{site}] {count} neue Kommentare",
    subject_confirm: "[{site}] Bitte bestätigen Sie Ihre Benachrichtigungen",
    subject_reply: "[{site}] {author} hat auf Ihren Kommentar geantwortet: {page}",
    subject_page: "[{site}] Neuer Kommentar von {author}: {page}",
    intro_pending: "Ein neuer Kommentar auf {site} wartet auf Ihre Freigabe.",
    intro_published: "Auf {site} wurde ein neuer Kommentar veröffentlicht.",
    intro_digest: "Neue Kommentare auf {site} seit {since}:",
    intro_confirm: "Jemand, hoffentlich Sie, hat {site} gebeten, dieser Adresse eine Mail zu schicken, wenn es auf der Seite {page} neue Antworten gibt.",
    intro_reply: "{author} hat auf {site} auf Ihren Kommentar geantwortet:",
    intro_page: "{author} hat auf {site} einen neuen Kommentar geschrieben:",
    page: "Seite",
    author: "Autor",
    written: "Geschrieben",
    status: "Status",
    statuses: [
        ("pending", "wartet auf Freigabe"),
        ("published", "veröffentlicht"),
        ("spam", "Spam"),
        ("deleted", "gelöscht"),
    ],
    held_because: "Zurückgehalten, weil",
    approve: "Freigeben",
    spam: "Spam",
    delete: "Löschen",
    open_admin: "In der Verwaltung öffnen",
    open_queue: "Warteschlange öffnen",
    actions_note: "Jeder Knopf öffnet eine Seite, auf der Sie die Aktion bestätigen. Die Links gelten einmal, 7 Tage lang.",
    confirm: "Ja, Benachrichtigungen schicken",
    confirm_note: "Der Link gilt 7 Tage. Vor Ihrer Bestätigung wird dieser Adresse nichts geschickt.",
    ignore: "Falls Sie das nicht waren, ignorieren Sie diese Mail: Sie bekommen keine weitere.",
    unsubscribe: "Abbestellen",
    unsubscribe_note: "Sie bekommen diese Mail, weil Sie auf {site} Benachrichtigungen bestellt haben. Ein Klick beendet sie:",
    footer: "Automatisch verschickt vom Kommentardienst von {site}. Bitte antworten Sie nicht auf diese Mail.",
};

/// The table of a language.
pub fn words(language: Language) -> &'static Words {
    match language {
        Language::En => &EN,
        Language::De => &DE,
    }
}

impl Words {
    /// A stored status in words (an unknown one as it is).
    pub fn status_word<'a>(&self, status: &'a str) -> &'a str {
        self.statuses
            .iter()
            .find(|(k, _)| *k == status)
            .map_or(status, |(_, w)| w)
    }
}

/// `pattern` with each `{name}` replaced by its value, in one pass: a value that itself contains
/// `{site}` stays as it is.
pub fn fill(pattern: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(pattern.len() + 64);
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            values
                .iter()
                .find(|(k, _)| *k == &after[..close])
                .map(|(_, v)| (close, v))
        });
        match value {
            Some((close, v)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_is_one_pass() {
        assert_eq!(
            fill("[{site}] by {author}", &[("site", "Blog"), ("author", "{site}")]),
            "[Blog] by {site}"
        );
        assert_eq!(fill("{unknown} {", &[]), "{unknown} {");
    }

    #[test]
    fn every_language_fills_the_same_names() {
        let names = |w: &Words| {
            [
                w.subject_pending,
                w.subject_reply,
                w.intro_confirm,
                w.intro_digest,
                w.unsubscribe_note,
            ]
            .iter()
            .map(|s| s.matches('{').count())
            .collect::<Vec<_>>()
        };
        for l in Language::ALL {
            assert_eq!(names(words(l)), names(words(Language::En)), "{}", l.as_str());
        }
    }
}
