-- Sites, their allowed origins, threads (one per site + page), comments, votes and settings.
-- Times are Unix milliseconds (UTC). IP addresses are never stored, only keyed hashes.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE sites (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    moderation TEXT NOT NULL DEFAULT 'none' CHECK (moderation IN ('none', 'first-time', 'all')),
    created    INTEGER NOT NULL
) STRICT;

CREATE TABLE site_origins (
    site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    origin  TEXT NOT NULL,
    PRIMARY KEY (site_id, origin)
) STRICT, WITHOUT ROWID;

CREATE TABLE threads (
    id      INTEGER PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    uri     TEXT NOT NULL,
    title   TEXT,
    created INTEGER NOT NULL,
    UNIQUE (site_id, uri)
) STRICT;

-- status: published | pending | deleted (placeholder kept for its replies) | spam (moderation).
CREATE TABLE comments (
    id        INTEGER PRIMARY KEY,
    thread_id INTEGER NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
    parent_id INTEGER REFERENCES comments(id),
    depth     INTEGER NOT NULL DEFAULT 0,
    status    TEXT NOT NULL CHECK (status IN ('published', 'pending', 'deleted', 'spam')),
    author    TEXT,
    email     TEXT,
    website   TEXT,
    text      TEXT NOT NULL,
    html      TEXT NOT NULL,
    avatar    TEXT NOT NULL,
    ip_hash   TEXT,
    created   INTEGER NOT NULL,
    edited    INTEGER,
    likes     INTEGER NOT NULL DEFAULT 0,
    dislikes  INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX comments_thread ON comments (thread_id, status);
CREATE INDEX comments_parent ON comments (parent_id);

CREATE TABLE votes (
    comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    voter      TEXT NOT NULL,
    value      INTEGER NOT NULL CHECK (value IN (-1, 1)),
    PRIMARY KEY (comment_id, voter)
) STRICT, WITHOUT ROWID;
