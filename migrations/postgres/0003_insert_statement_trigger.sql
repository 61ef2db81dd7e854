-- New comments fire one statement trigger instead of one row trigger each. A batch of posts is stored by
-- one INSERT of many rows (store/postgres/create.rs); its row trigger entered PL/pgSQL and ran two
-- statements per row, about a third of the insert's time. The statement trigger reads the new rows from a
-- transition table: their live-update events in one INSERT (in the order of the comments' ids), then one
-- notification per page touched. Updates and deletes keep 0002's row trigger, whose INSERT branch no
-- trigger reaches any more.

CREATE FUNCTION riposte_comments_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    at BIGINT := (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT;
BEGIN
    -- Live updates: every published comment is an event of its thread.
    INSERT INTO thread_events (thread_id, kind, comment_id, created)
        SELECT thread_id, 'created', id, at FROM inserted WHERE status = 'published' ORDER BY id;
    -- The pages whose cached answers every server drops at commit.
    PERFORM riposte_touch_thread(thread_id) FROM (SELECT DISTINCT thread_id FROM inserted) AS pages;
    RETURN NULL;
END $$;

DROP TRIGGER comments_changed ON comments;
CREATE TRIGGER comments_changed AFTER UPDATE OR DELETE ON comments
    FOR EACH ROW EXECUTE FUNCTION riposte_comment_changed();
CREATE TRIGGER comments_inserted AFTER INSERT ON comments REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION riposte_comments_inserted();
