//! Live updates: the events of a thread that a client following it hears of, and the pure rules that turn
//! a batch of stored events into what is sent.

use super::comment::{Comment, Status};
use super::time::DAY_MS;

/// How long events are kept: a client that was away for longer misses what happened meanwhile (it reloads
/// the thread when its visitor comes back to the page, in practice).
pub const EVENTS_KEEP_MS: i64 = DAY_MS;

/// What happened to a published comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// It became published: posted, approved, restored from the trash.
    Created,
    /// Its rendered text, author or website changed while it stayed published.
    Edited,
    /// It stopped being published: deleted, held, marked spam, erased, purged.
    Deleted,
}

impl EventKind {
    pub fn from_stored(s: &str) -> Option<Self> {
        match s {
            "created" => Some(Self::Created),
            "edited" => Some(Self::Edited),
            "deleted" => Some(Self::Deleted),
            _ => None,
        }
    }

    /// The event's name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            Self::Created => "comment.created",
            Self::Edited => "comment.edited",
            Self::Deleted => "comment.deleted",
        }
    }

    /// What the event did to the thread's count of published comments.
    fn delta(self) -> i64 {
        match self {
            Self::Created => 1,
            Self::Edited => 0,
            Self::Deleted => -1,
        }
    }
}

/// One event of a thread as read back.
#[derive(Debug, Clone)]
pub struct ThreadEvent {
    /// From the database: grows across every thread and every process writing it.
    pub id: i64,
    pub kind: EventKind,
    pub comment_id: i64,
    /// The comment as it is now, when it still exists in that thread; not as it was at the event.
    pub comment: Option<Comment>,
    /// The thread's published comments right after this event.
    pub total: i64,
}

/// Sets each event's `total` from the count now and what the events since did to it: `now` is the
/// thread's published comments now, `later` the sum of the changes made by the events after the last of
/// `events`. Exact as long as every change to the count is an event, which the triggers make sure of.
pub fn fill_totals(events: &mut [ThreadEvent], now: i64, later: i64) {
    let mut total = now - later;
    for e in events.iter_mut().rev() {
        e.total = total;
        total -= e.kind.delta();
    }
}

/// The change to the count that events of these kinds made, given as (kind, how many).
pub fn count_change(kinds: impl IntoIterator<Item = (EventKind, i64)>) -> i64 {
    kinds.into_iter().map(|(kind, n)| kind.delta() * n).sum()
}

/// What is sent of a batch of events, in order. An event carries the comment as it is now, so:
/// - a created or edited comment that is no longer published is not shown (its `deleted` event follows);
/// - of several edits of one comment only the last is sent, and none after its `created` in the same batch
///   (that already carries the latest text): one author's edit writes up to three events.
///
/// Deletions are always sent. The ids of events left out are covered by the next id sent, or by the id the
/// caller sends after the batch.
pub fn settle(events: Vec<ThreadEvent>) -> Vec<ThreadEvent> {
    let keep: Vec<bool> = events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let public = e.comment.as_ref().is_some_and(|c| c.status == Status::Published);
            let same = |o: &ThreadEvent, kind: EventKind| o.comment_id == e.comment_id && o.kind == kind;
            match e.kind {
                EventKind::Created => public,
                EventKind::Edited => {
                    public
                        && !events[..i].iter().any(|o| same(o, EventKind::Created))
                        && !events[i + 1..].iter().any(|o| same(o, EventKind::Edited))
                }
                EventKind::Deleted => true,
            }
        })
        .collect();
    events
        .into_iter()
        .zip(keep)
        .filter_map(|(e, keep)| keep.then_some(e))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(id: i64, status: Status) -> Comment {
        Comment {
            id,
            parent: None,
            status,
            author: None,
            website: None,
            html: "<p>x</p>".into(),
            avatar: String::new(),
            created: 0,
            edited: None,
            likes: 0,
            dislikes: 0,
            pinned: false,
            moderator: false,
        }
    }

    fn event(id: i64, kind: EventKind, comment_id: i64, now: Option<Status>) -> ThreadEvent {
        ThreadEvent {
            id,
            kind,
            comment_id,
            comment: now.map(|s| comment(comment_id, s)),
            total: 0,
        }
    }

    fn sent(events: Vec<ThreadEvent>) -> Vec<(i64, EventKind)> {
        settle(events).into_iter().map(|e| (e.id, e.kind)).collect()
    }

    use EventKind::{Created, Deleted, Edited};
    const PUBLISHED: Option<Status> = Some(Status::Published);

    #[test]
    fn totals_count_back_from_now() {
        let mut batch = vec![
            event(1, Created, 10, PUBLISHED),
            event(2, Created, 11, PUBLISHED),
            event(3, Edited, 10, PUBLISHED),
            event(4, Deleted, 11, None),
        ];
        // Now 5 published; after the batch one more comment came (+1).
        fill_totals(&mut batch, 5, 1);
        assert_eq!(batch.iter().map(|e| e.total).collect::<Vec<_>>(), [4, 5, 5, 4]);
        assert_eq!(count_change([(Created, 2), (Deleted, 1), (Edited, 4)]), 1);
    }

    #[test]
    fn an_authors_edit_is_sent_once_and_not_after_its_creation() {
        let edits = vec![
            event(1, Edited, 10, PUBLISHED),
            event(2, Edited, 10, PUBLISHED),
            event(3, Edited, 11, PUBLISHED),
            event(4, Edited, 10, PUBLISHED),
        ];
        assert_eq!(sent(edits), [(3, Edited), (4, Edited)]);
        let fresh = vec![event(1, Created, 10, PUBLISHED), event(2, Edited, 10, PUBLISHED)];
        assert_eq!(sent(fresh), [(1, Created)]);
    }

    #[test]
    fn what_is_no_longer_public_is_not_shown_but_its_deletion_is_sent() {
        let gone = vec![event(1, Created, 10, None), event(2, Deleted, 10, None)];
        assert_eq!(sent(gone), [(2, Deleted)]);
        let held = vec![
            event(1, Edited, 10, Some(Status::Pending)),
            event(2, Deleted, 10, Some(Status::Pending)),
        ];
        assert_eq!(sent(held), [(2, Deleted)]);
        // Deleted, then restored: both, in order.
        let back = vec![event(1, Deleted, 10, PUBLISHED), event(2, Created, 10, PUBLISHED)];
        assert_eq!(sent(back), [(1, Deleted), (2, Created)]);
    }
}
