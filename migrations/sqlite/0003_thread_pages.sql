-- Long threads are read a page of top-level comments at a time, each with all its replies: every reply
-- records the top-level comment it hangs under (NULL for top-level comments themselves).
ALTER TABLE comments ADD COLUMN root_id INTEGER;

WITH RECURSIVE tree (id, root) AS (
    SELECT id, id FROM comments WHERE parent_id IS NULL
    UNION ALL
    SELECT c.id, tree.root FROM comments c JOIN tree ON c.parent_id = tree.id
)
UPDATE comments SET root_id = (SELECT root FROM tree WHERE tree.id = comments.id) WHERE parent_id IS NOT NULL;

CREATE INDEX comments_root ON comments (thread_id, root_id);
