-- One row trigger after a change to `comments` instead of two, and none before an insert that names its
-- site. A post ran three PL/pgSQL triggers: the site's (which returned at once: every insert riposte makes
-- names the site), the live-update event's and the touched page's notification; each is a trigger event
-- queued and a function entered. The effects and their order stay those of 0001: the thread's event row
-- (riposte_thread_event), then the page's notification (riposte_touched_comment).

DROP TRIGGER comments_site_on_insert ON comments;
CREATE TRIGGER comments_site_on_insert BEFORE INSERT ON comments
    FOR EACH ROW WHEN (NEW.site_id IS NULL) EXECUTE FUNCTION riposte_comment_site();

CREATE FUNCTION riposte_comment_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    at BIGINT := (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT;
BEGIN
    -- Live updates: every change to what a thread shows.
    IF TG_OP = 'INSERT' THEN
        IF NEW.status = 'published' THEN
            INSERT INTO thread_events (thread_id, kind, comment_id, created) VALUES (NEW.thread_id, 'created', NEW.id, at);
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        IF OLD.status = 'published' THEN
            INSERT INTO thread_events (thread_id, kind, comment_id, created) VALUES (OLD.thread_id, 'deleted', OLD.id, at);
        END IF;
    ELSIF NEW.thread_id <> OLD.thread_id THEN
        IF OLD.status = 'published' THEN
            INSERT INTO thread_events (thread_id, kind, comment_id, created) VALUES (OLD.thread_id, 'deleted', OLD.id, at);
        END IF;
        IF NEW.status = 'published' THEN
            INSERT INTO thread_events (thread_id, kind, comment_id, created) VALUES (NEW.thread_id, 'created', NEW.id, at);
        END IF;
    ELSIF NEW.status = 'published' AND OLD.status <> 'published' THEN
        INSERT INTO thread_events (thread_id, kind, comment_id, created) VALUES (NEW.thread_id, 'created', NEW.id, at);
    ELSIF OLD.status = 'published' AND NEW.status <> 'published' THEN
        INSERT INTO thread_events (thread_id, kind, comment_id, created) VALUES (OLD.thread_id, 'deleted', OLD.id, at);
    ELSIF OLD.status = 'published' AND NEW.status = 'published'
        AND (OLD.html IS DISTINCT FROM NEW.html OR OLD.author IS DISTINCT FROM NEW.author
             OR OLD.website IS DISTINCT FROM NEW.website) THEN
        INSERT INTO thread_events (thread_id, kind, comment_id, created) VALUES (NEW.thread_id, 'edited', NEW.id, at);
    END IF;
    -- The pages whose cached answers every server drops at commit.
    IF TG_OP <> 'INSERT' THEN
        PERFORM riposte_touch_thread(OLD.thread_id);
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.thread_id <> OLD.thread_id) THEN
        PERFORM riposte_touch_thread(NEW.thread_id);
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER thread_events_change ON comments;
DROP TRIGGER touched_comments ON comments;
DROP FUNCTION riposte_thread_event();
DROP FUNCTION riposte_touched_comment();
CREATE TRIGGER comments_changed AFTER INSERT OR UPDATE OR DELETE ON comments
    FOR EACH ROW EXECUTE FUNCTION riposte_comment_changed();
