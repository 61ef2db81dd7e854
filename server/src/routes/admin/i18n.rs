//! The admin UI's words in every language of the catalog (each file's `admin` section), picked by the
//! browser's `Accept-Language`.

use std::sync::LazyLock;

use axum::http::{HeaderMap, header};
use serde::Deserialize;

use crate::i18n::{self, Lang, Section};

/// Every label of the admin UI and of the pages behind mail links. Each file must carry every field:
/// serde refuses a missing one, and the tests parse every language.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Strings {
    /// The `lang` attribute of the pages.
    #[serde(skip)]
    pub lang: &'static str,
    /// The `dir` attribute of the pages, `ltr` or `rtl`.
    #[serde(skip)]
    pub dir: &'static str,
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
    pub login_busy: &'static str,
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
    pub pow: &'static str,
    pub page_title: &'static str,
    pub pow_off: &'static str,
    pub pow_always: &'static str,
    pub pow_adaptive: &'static str,
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
    pub import_export: &'static str,
    pub import: &'static str,
    pub import_note: &'static str,
    pub format: &'static str,
    pub file: &'static str,
    pub at_most: &'static str,
    pub dry_run: &'static str,
    pub maps: &'static str,
    pub base_url: &'static str,
    pub with_pingbacks: &'static str,
    pub import_result: &'static str,
    pub dry_run_result: &'static str,
    pub threads: &'static str,
    pub new_comments: &'static str,
    pub already_there: &'static str,
    pub replies: &'static str,
    pub held: &'static str,
    pub spam_new: &'static str,
    pub placeholders: &'static str,
    pub skipped: &'static str,
    pub repaired: &'static str,
    pub import_failed: &'static str,
    pub too_large: &'static str,
    pub no_file: &'static str,
    pub export_site: &'static str,
    pub export_note: &'static str,
    pub link_moderate: &'static str,
    pub link_approve_q: &'static str,
    pub link_spam_q: &'static str,
    pub link_delete_q: &'static str,
    pub link_nothing_yet: &'static str,
    pub link_approved: &'static str,
    pub link_spammed: &'static str,
    pub link_deleted: &'static str,
    pub link_to_admin: &'static str,
    pub link_used_title: &'static str,
    pub link_used: &'static str,
    pub link_expired_title: &'static str,
    pub link_expired: &'static str,
    pub link_unknown_title: &'static str,
    pub link_unknown: &'static str,
    pub link_foreign_title: &'static str,
    pub link_foreign: &'static str,
    pub sub_confirm_title: &'static str,
    pub sub_confirm_intro: &'static str,
    pub sub_about: &'static str,
    pub sub_scope_replies: &'static str,
    pub sub_scope_page: &'static str,
    pub sub_confirm_button: &'static str,
    pub sub_confirmed_title: &'static str,
    pub sub_confirmed: &'static str,
    pub sub_already_confirmed: &'static str,
    pub sub_unsubscribe_now: &'static str,
    pub unsub_title: &'static str,
    pub unsub_intro: &'static str,
    pub unsub_button: &'static str,
    pub unsub_done_title: &'static str,
    pub unsub_done: &'static str,
    pub outbox: &'static str,
    pub outbox_note: &'static str,
    pub outbox_mail_on: &'static str,
    pub outbox_mail_off: &'static str,
    pub outbox_empty: &'static str,
    pub outbox_queued_at: &'static str,
    pub outbox_kind: &'static str,
    pub outbox_target: &'static str,
    pub outbox_what: &'static str,
    pub outbox_state: &'static str,
    pub outbox_attempts: &'static str,
    pub outbox_next: &'static str,
    pub outbox_sent_at: &'static str,
    pub outbox_last_error: &'static str,
    pub outbox_retry: &'static str,
    pub outbox_none_selected: &'static str,
    pub state_queued: &'static str,
    pub state_retrying: &'static str,
    pub state_sent: &'static str,
    pub state_failed: &'static str,
    pub kind_mail: &'static str,
    pub kind_webhook: &'static str,
    pub account: &'static str,
    pub account_email: &'static str,
    pub account_note: &'static str,
    pub notify_label: &'static str,
    pub notify_pending: &'static str,
    pub notify_all: &'static str,
    pub notify_hourly: &'static str,
    pub notify_daily: &'static str,
    pub notify_off: &'static str,
    pub lang_label: &'static str,
    pub hooks_title: &'static str,
    pub hooks_empty: &'static str,
    pub hook_url: &'static str,
    pub hook_events: &'static str,
    pub hook_all_events: &'static str,
    pub hook_source: &'static str,
    pub hook_from_config: &'static str,
    pub hook_from_admin: &'static str,
    pub hook_state: &'static str,
    pub hook_active: &'static str,
    pub hook_disabled: &'static str,
    pub hook_test: &'static str,
    pub hook_remove: &'static str,
    pub hook_config_note: &'static str,
    pub hook_add: &'static str,
    pub hook_add_button: &'static str,
    pub hook_events_note: &'static str,
    pub hook_added: &'static str,
    pub hook_secret: &'static str,
    pub hook_secret_once: &'static str,
    pub webhooks: &'static str,
    // Words for the features being built now (closing and pinning threads, sort orders, moderator
    // badges): unused until they land (public fields, so no dead-code warning).
    pub close: &'static str,
    pub reopen: &'static str,
    pub pin: &'static str,
    pub unpin: &'static str,
    pub thread_closed: &'static str,
    pub pinned: &'static str,
    pub thread: &'static str,
    pub sort_default: &'static str,
    pub sort_oldest: &'static str,
    pub sort_newest: &'static str,
    pub sort_top: &'static str,
    pub close_after: &'static str,
    pub badge: &'static str,
    pub badge_note: &'static str,
    pub badge_new: &'static str,
}

/// Each language's words, parsed once.
static ALL: LazyLock<Vec<(Lang, Strings)>> = LazyLock::new(|| {
    Lang::all()
        .map(|lang| {
            let mut s: Strings = lang.read(Section::Admin).unwrap_or_else(|e| panic!("{e}"));
            (s.lang, s.dir) = (lang.as_str(), lang.dir());
            (lang, s)
        })
        .collect()
});

/// The words of `lang`.
pub fn of(lang: Lang) -> &'static Strings {
    &ALL.iter()
        .find(|(l, _)| *l == lang)
        .expect("every language is parsed")
        .1
}

/// The first supported language the browser asks for; English otherwise.
pub fn pick(headers: &HeaderMap) -> &'static Strings {
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    of(i18n::pick(accept))
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
        assert_eq!(pick(&h("xx-XX, en;q=0.5, de;q=0.4")).lang, "en");
        assert_eq!(pick(&h("xx")).lang, "en");
        assert_eq!(pick(&h("en;q=0.1, de;q=0.9")).lang, "de");
        assert_eq!(pick(&HeaderMap::new()).lang, "en");
    }

    #[test]
    fn every_language_has_every_word() {
        for lang in Lang::all() {
            let s = lang.read::<Strings>(Section::Admin).unwrap_or_else(|e| panic!("{e}"));
            assert!(!s.queue.is_empty());
            assert_eq!((of(lang).lang, of(lang).dir), (lang.as_str(), lang.dir()));
        }
    }
}
