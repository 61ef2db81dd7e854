-- A site's feed reads the newest published comments of one site. A comment knew only its thread, so the
-- feed of a quiet site walked the published comments of every site, newest first, until it had found its
-- fifty. Each comment now records its site as well (kept by triggers, whichever way a comment is inserted),
-- and a partial index holds a site's published comments in id order.
ALTER TABLE comments ADD COLUMN site_id TEXT;

UPDATE comments SET site_id = (SELECT site_id FROM threads WHERE threads.id = comments.thread_id);

CREATE TRIGGER comments_site_on_insert AFTER INSERT ON comments WHEN NEW.site_id IS NULL
BEGIN
    UPDATE comments SET site_id = (SELECT site_id FROM threads WHERE threads.id = NEW.thread_id) WHERE id = NEW.id;
END;

CREATE TRIGGER comments_site_on_move AFTER UPDATE OF thread_id ON comments
BEGIN
    UPDATE comments SET site_id = (SELECT site_id FROM threads WHERE threads.id = NEW.thread_id) WHERE id = NEW.id;
END;

CREATE INDEX comments_feed ON comments (site_id, id) WHERE status = 'published';

-- Recent comments of one site, for adaptive proof of work: a count that never reads another site's rows.
CREATE INDEX comments_site_created ON comments (site_id, created);
