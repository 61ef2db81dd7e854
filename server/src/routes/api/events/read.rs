//! One read of a page's live events, made into the events to send, shared by the streams of the page that
//! wake at its position.

use std::sync::Arc;

use axum::response::sse::Event;
use serde::Serialize;

use crate::domain::live::{EventKind, ThreadEvent, settle};
use crate::routes::api::CommentOut;

/// Events read at once; a stream further behind reads again at once.
pub(super) const BATCH: i64 = 100;

/// One read of a page's events after a position, made into the events to send: every stream of the page
/// at that position when that generation woke them takes it, so that a comment on a page with 10,000 open
/// readers is read from the database and serialized once, not 10,000 times.
pub(super) type SharedRead = Arc<tokio::sync::OnceCell<Arc<Read>>>;

/// What a stream sends after reading a batch of events.
pub(super) struct Read {
    pub(super) events: Vec<Event>,
    /// The id of the batch's last event: the stream's new position (`None`: nothing came).
    pub(super) last: Option<i64>,
    /// A full batch: more may wait, read again before sleeping.
    pub(super) full: bool,
}

impl Read {
    pub(super) fn new(batch: Vec<ThreadEvent>) -> Self {
        let full = batch.len() >= BATCH as usize;
        let Some(last) = batch.last().map(|e| e.id) else {
            return Self {
                events: Vec::new(),
                last: None,
                full,
            };
        };
        let sent = settle(batch);
        let covered = sent.last().is_some_and(|e| e.id == last);
        let mut events: Vec<Event> = sent.into_iter().map(event).collect();
        if !covered {
            // Only an id: the client's Last-Event-ID moves past the events left out, nothing is shown.
            events.push(Event::default().id(last.to_string()));
        }
        Self {
            events,
            last: Some(last),
            full,
        }
    }
}

/// The `data:` of `comment.created` and `comment.edited`.
#[derive(Serialize)]
struct Shown {
    /// As the thread answer gives it.
    comment: CommentOut,
    total: i64,
}

/// The `data:` of `comment.deleted`.
#[derive(Serialize)]
struct Gone {
    id: i64,
    total: i64,
}

fn event(e: ThreadEvent) -> Event {
    let data = match (e.kind, e.comment) {
        (EventKind::Created | EventKind::Edited, Some(c)) => serde_json::to_string(&Shown {
            comment: CommentOut::from(c),
            total: e.total,
        }),
        _ => serde_json::to_string(&Gone {
            id: e.comment_id,
            total: e.total,
        }),
    };
    Event::default()
        .event(e.kind.name())
        .id(e.id.to_string())
        .data(data.unwrap_or_default())
}
