//! The admin UI's words in English and German, picked by the browser's `Accept-Language`.

use axum::http::{HeaderMap, header};

pub struct Strings {
    pub lang: &'static str,
    pub queue: &'static str,
    pub comments: &'static str,
    pub trash: &'static str,
    pub sites: &'static str,
    pub bans: &'static str,
    pub logout: &'static str,
    pub login: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub login_failed: &'static str,
    pub login_throttled: &'static str,
    pub signed_in_as: &'static str,
    pub approve: &'static str,
    pub spam: &'static str,
    pub delete: &'static str,
    pub edit: &'static str,
    pub ban: &'static str,
    pub restore: &'static str,
    pub save: &'static str,
    pub with_selected: &'static str,
    pub select: &'static str,
    pub queue_empty: &'static str,
    pub page: &'static str,
    pub in_reply_to: &'static str,
    pub author: &'static str,
    pub email: &'static str,
    pub website: &'static str,
    pub text: &'static str,
    pub published_before: &'static str,
    pub held_because: &'static str,
    pub status: &'static str,
    pub any: &'static str,
    pub search: &'static str,
    pub filter: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub no_comments: &'static str,
    pub trash_note: &'static str,
    pub trash_empty: &'static str,
    pub deleted_at: &'static str,
    pub site: &'static str,
    pub name: &'static str,
    pub origins: &'static str,
    pub moderation: &'static str,
    pub mode_none: &'static str,
    pub mode_first: &'static str,
    pub mode_all: &'static str,
    pub max_links: &'static str,
    pub blocked_words: &'static str,
    pub embed: &'static str,
    pub add_site: &'static str,
    pub site_id: &'static str,
    pub bans_empty: &'static str,
    pub add_ban: &'static str,
    pub ip_hash: &'static str,
    pub days: &'static str,
    pub expires: &'static str,
    pub never: &'static str,
    pub all_sites: &'static str,
    pub lift: &'static str,
    pub reason: &'static str,
    pub history: &'static str,
    pub written: &'static str,
    pub done: &'static str,
    pub anonymous: &'static str,
    pub published: &'static str,
    pub pending: &'static str,
    pub deleted: &'static str,
    pub spam_status: &'static str,
    pub total: &'static str,
    pub privacy: &'static str,
    pub privacy_note: &'static str,
    pub export: &'static str,
    pub erase: &'static str,
    pub erased: &'static str,
}

pub static EN: Strings = Strings {
    lang: "en",
    queue: "Queue",
    comments: "Comments",
    trash: "Trash",
    sites: "Sites",
    bans: "Bans",
    logout: "Log out",
    login: "Log in",
    username: "Username",
    password: "Password",
    login_failed: "Wrong username or password.",
    login_throttled: "Too many failed attempts. Please try again later.",
    signed_in_as: "Signed in as",
    approve: "Approve",
    spam: "Spam",
    delete: "Delete",
    edit: "Edit",
    ban: "Ban",
    restore: "Restore",
    save: "Save",
    with_selected: "With the selected comments:",
    select: "Select",
    queue_empty: "Nothing waits for approval.",
    page: "Page",
    in_reply_to: "In reply to",
    author: "Author",
    email: "Email",
    website: "Website",
    text: "Text",
    published_before: "Published comments by this commenter",
    held_because: "Held because",
    status: "Status",
    any: "any",
    search: "Search",
    filter: "Filter",
    previous: "Previous",
    next: "Next",
    no_comments: "No comments match.",
    trash_note: "Deleted comments can be restored for 30 days; then they are purged for good.",
    trash_empty: "The trash is empty.",
    deleted_at: "Deleted",
    site: "Site",
    name: "Name",
    origins: "Allowed origins, one per line",
    moderation: "Moderation",
    mode_none: "none: publish at once",
    mode_first: "first-time: hold until the commenter's email has an approved comment",
    mode_all: "all: hold every comment",
    max_links: "Hold comments with more links than",
    blocked_words: "Blocked words, one per line (comments containing one are held)",
    embed: "Embed snippet",
    add_site: "Add a site",
    site_id: "Site id (a-z, 0-9, -, _, .)",
    bans_empty: "No bans in force.",
    add_ban: "Ban a commenter",
    ip_hash: "IP hash",
    days: "Expires after days (empty: never)",
    expires: "Expires",
    never: "never",
    all_sites: "all sites",
    lift: "Lift",
    reason: "Reason",
    history: "History",
    written: "Written",
    done: "Done.",
    anonymous: "Anonymous",
    published: "published",
    pending: "pending",
    deleted: "deleted",
    spam_status: "spam",
    total: "in all",
    privacy: "Privacy",
    privacy_note: "Export or erase every comment written with one email address (GDPR). Erased comments with \
                   replies stay as empty placeholders.",
    export: "Export as JSON",
    erase: "Erase everything",
    erased: "Comments erased:",
};

pub static DE: Strings = Strings {
    lang: "de",
    queue: "Warteschlange",
    comments: "Kommentare",
    trash: "Papierkorb",
    sites: "Websites",
    bans: "Sperren",
    logout: "Abmelden",
    login: "Anmelden",
    username: "Benutzername",
    password: "Passwort",
    login_failed: "Benutzername oder Passwort falsch.",
    login_throttled: "Zu viele Fehlversuche. Bitte versuchen Sie es später erneut.",
    signed_in_as: "Angemeldet als",
    approve: "Freigeben",
    spam: "Spam",
    delete: "Löschen",
    edit: "Bearbeiten",
    ban: "Sperren",
    restore: "Wiederherstellen",
    save: "Speichern",
    with_selected: "Mit den ausgewählten Kommentaren:",
    select: "Auswählen",
    queue_empty: "Nichts wartet auf Freigabe.",
    page: "Seite",
    in_reply_to: "Antwort auf",
    author: "Autor",
    email: "E-Mail",
    website: "Website",
    text: "Text",
    published_before: "Veröffentlichte Kommentare dieser Person",
    held_because: "Zurückgehalten, weil",
    status: "Status",
    any: "alle",
    search: "Suche",
    filter: "Filtern",
    previous: "Zurück",
    next: "Weiter",
    no_comments: "Keine passenden Kommentare.",
    trash_note: "Gelöschte Kommentare lassen sich 30 Tage lang wiederherstellen, danach werden sie endgültig entfernt.",
    trash_empty: "Der Papierkorb ist leer.",
    deleted_at: "Gelöscht",
    site: "Website",
    name: "Name",
    origins: "Erlaubte Origins, eine pro Zeile",
    moderation: "Moderation",
    mode_none: "none: sofort veröffentlichen",
    mode_first: "first-time: zurückhalten, bis die E-Mail einen freigegebenen Kommentar hat",
    mode_all: "all: jeden Kommentar zurückhalten",
    max_links: "Kommentare zurückhalten mit mehr Links als",
    blocked_words: "Gesperrte Wörter, eines pro Zeile (Kommentare damit werden zurückgehalten)",
    embed: "Einbettungscode",
    add_site: "Website hinzufügen",
    site_id: "Website-ID (a-z, 0-9, -, _, .)",
    bans_empty: "Keine aktiven Sperren.",
    add_ban: "Kommentator sperren",
    ip_hash: "IP-Hash",
    days: "Läuft ab nach Tagen (leer: nie)",
    expires: "Läuft ab",
    never: "nie",
    all_sites: "alle Websites",
    lift: "Aufheben",
    reason: "Grund",
    history: "Verlauf",
    written: "Geschrieben",
    done: "Erledigt.",
    anonymous: "Anonym",
    published: "veröffentlicht",
    pending: "wartend",
    deleted: "gelöscht",
    spam_status: "Spam",
    total: "insgesamt",
    privacy: "Datenschutz",
    privacy_note: "Alle Kommentare einer E-Mail-Adresse exportieren oder löschen (DSGVO). Gelöschte Kommentare \
                   mit Antworten bleiben als leere Platzhalter stehen.",
    export: "Als JSON exportieren",
    erase: "Alles löschen",
    erased: "Gelöschte Kommentare:",
};

/// The first supported language the browser asks for; English otherwise.
pub fn pick(headers: &HeaderMap) -> &'static Strings {
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut tags: Vec<(f32, &str)> = accept
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse().ok())
                .unwrap_or(1.0);
            (q > 0.0).then_some((q, tag))
        })
        .collect();
    tags.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (_, tag) in tags {
        match tag.split('-').next().unwrap_or("").to_ascii_lowercase().as_str() {
            "de" => return &DE,
            "en" => return &EN,
            _ => {}
        }
    }
    &EN
}

impl Strings {
    pub fn status(&self, status: crate::domain::Status) -> &'static str {
        use crate::domain::Status::*;
        match status {
            Published => self.published,
            Pending => self.pending,
            Deleted => self.deleted,
            Spam => self.spam_status,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_by_accept_language() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::ACCEPT_LANGUAGE, v.parse().unwrap());
            m
        };
        assert_eq!(pick(&h("de-DE,de;q=0.9,en;q=0.8")).lang, "de");
        assert_eq!(pick(&h("fr-FR, en;q=0.5, de;q=0.4")).lang, "en");
        assert_eq!(pick(&h("fr")).lang, "en");
        assert_eq!(pick(&h("en;q=0.1, de;q=0.9")).lang, "de");
        assert_eq!(pick(&HeaderMap::new()).lang, "en");
    }
}
