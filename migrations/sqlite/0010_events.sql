-- Live updates: every change to what a thread shows publicly, as a numbered event that a client resumes
-- from (`Last-Event-ID`). The ids come from the database, not from a process, so several servers on one
-- database (later) number their events alike. An id is never handed out twice: the upkeep never deletes the
-- newest event, so SQLite's next rowid (the largest plus one) only grows; without AUTOINCREMENT, whose
-- sqlite_sequence update would cost every published comment a second write. Kept by triggers on `comments`, so that no write path can forget
-- one: the API, the admin UI, mail links, the command line and imports (one event per published comment
-- an import stores). Events older than a day are deleted by the hourly upkeep.
--
-- kind: created (a comment became published: posted, approved, restored), edited (a published comment's
-- rendered text, author or website changed), deleted (a published comment stopped being published:
-- deleted, held, marked spam, erased, purged). No foreign keys: the comment or the whole thread may be
-- gone by the time the event is read, and a cascade deleting a thread must not fail on its own events.
CREATE TABLE thread_events (
    id         INTEGER PRIMARY KEY,
    thread_id  INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('created', 'edited', 'deleted')),
    comment_id INTEGER NOT NULL,
    created    INTEGER NOT NULL
) STRICT;
CREATE INDEX thread_events_thread ON thread_events (thread_id, id);

CREATE TRIGGER thread_events_insert AFTER INSERT ON comments WHEN NEW.status = 'published'
BEGIN
    INSERT INTO thread_events (thread_id, kind, comment_id, created)
    VALUES (NEW.thread_id, 'created', NEW.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

CREATE TRIGGER thread_events_publish AFTER UPDATE OF status ON comments
WHEN NEW.status = 'published' AND OLD.status <> 'published' AND NEW.thread_id = OLD.thread_id
BEGIN
    INSERT INTO thread_events (thread_id, kind, comment_id, created)
    VALUES (NEW.thread_id, 'created', NEW.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

CREATE TRIGGER thread_events_unpublish AFTER UPDATE OF status ON comments
WHEN OLD.status = 'published' AND NEW.status <> 'published' AND NEW.thread_id = OLD.thread_id
BEGIN
    INSERT INTO thread_events (thread_id, kind, comment_id, created)
    VALUES (OLD.thread_id, 'deleted', OLD.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

-- An author's edit updates text, author and website one statement each: up to three events for one edit,
-- which the reader collapses (an event carries the comment as it is when read, not as it was).
CREATE TRIGGER thread_events_edit AFTER UPDATE OF html, author, website ON comments
WHEN OLD.status = 'published' AND NEW.status = 'published' AND NEW.thread_id = OLD.thread_id
    AND (OLD.html IS NOT NEW.html OR OLD.author IS NOT NEW.author OR OLD.website IS NOT NEW.website)
BEGIN
    INSERT INTO thread_events (thread_id, kind, comment_id, created)
    VALUES (NEW.thread_id, 'edited', NEW.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

-- A comment moved to another thread leaves the one and arrives in the other.
CREATE TRIGGER thread_events_move AFTER UPDATE OF thread_id ON comments WHEN NEW.thread_id <> OLD.thread_id
BEGIN
    INSERT INTO thread_events (thread_id, kind, comment_id, created)
    SELECT OLD.thread_id, 'deleted', OLD.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    WHERE OLD.status = 'published';
    INSERT INTO thread_events (thread_id, kind, comment_id, created)
    SELECT NEW.thread_id, 'created', NEW.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    WHERE NEW.status = 'published';
END;

CREATE TRIGGER thread_events_remove AFTER DELETE ON comments WHEN OLD.status = 'published'
BEGIN
    INSERT INTO thread_events (thread_id, kind, comment_id, created)
    VALUES (OLD.thread_id, 'deleted', OLD.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
