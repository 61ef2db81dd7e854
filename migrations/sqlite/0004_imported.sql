-- Comments brought in from other systems (`riposte import`), by the source's own ids, so that importing the
-- same file again adds nothing. A comment removed later keeps its row with comment_id NULL: a re-import does
-- not bring it back either.
CREATE TABLE imported (
    site_id    TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    source     TEXT NOT NULL,
    key        TEXT NOT NULL,
    comment_id INTEGER REFERENCES comments(id) ON DELETE SET NULL,
    PRIMARY KEY (site_id, source, key)
) STRICT;

CREATE INDEX imported_comment ON imported (comment_id);
