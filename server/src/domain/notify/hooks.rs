//! Webhooks: a site's hooks, and the JSON body each event sends.

use serde::Serialize;

use super::{CommentSnapshot, Event};

/// A site's webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: i64,
    pub site: String,
    pub url: String,
    pub secret: String,
    /// The events it receives; all comment events when empty.
    pub events: Vec<Event>,
    /// Written from the configuration file (replaced at every start) rather than the admin UI.
    pub from_config: bool,
    /// Why sends to it stopped (a 410 Gone), if they did.
    pub disabled: Option<String>,
    pub created: i64,
}

impl Webhook {
    pub fn wants(&self, event: Event) -> bool {
        self.disabled.is_none() && (self.events.is_empty() || self.events.contains(&event))
    }
}

/// A webhook to be written: from the configuration file or the admin UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebhook {
    pub url: String,
    pub secret: String,
    pub events: Vec<Event>,
}

/// A comment as webhooks receive it: what the public may see, plus its status and why it was held;
/// never an email or an IP hash.
#[derive(Serialize)]
struct HookComment<'a> {
    id: i64,
    site: &'a str,
    uri: &'a str,
    title: Option<&'a str>,
    parent: Option<i64>,
    status: &'a str,
    author: Option<&'a str>,
    website: Option<&'a str>,
    html: &'a str,
    text: &'a str,
    reason: Option<&'a str>,
    created: String,
}

#[derive(Serialize)]
struct HookBody<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    created: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<HookComment<'a>>,
}

/// The JSON body of a webhook event: `{"type", "created", "comment"}` (no comment for a test event).
pub fn webhook_body(event: Event, comment: Option<&CommentSnapshot>, now: i64) -> String {
    let body = HookBody {
        kind: event.as_str(),
        created: crate::domain::time::rfc3339(now),
        comment: comment.map(|c| HookComment {
            id: c.id,
            site: &c.site,
            uri: &c.uri,
            title: c.title.as_deref(),
            parent: c.parent,
            status: &c.status,
            author: c.author.as_deref(),
            website: c.website.as_deref(),
            html: &c.html,
            text: &c.text,
            reason: c.reason.as_deref(),
            created: crate::domain::time::rfc3339(c.created),
        }),
    };
    serde_json::to_string(&body).expect("a webhook body serializes")
}
