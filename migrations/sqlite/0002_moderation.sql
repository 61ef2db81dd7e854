-- Moderation: moderator accounts and sessions, per-site rules, bans, the trash and the audit log.

-- Why a comment was held (shown in the queue), and when a moderator deleted it (restorable for 30 days).
ALTER TABLE comments ADD COLUMN held_reason TEXT;
ALTER TABLE comments ADD COLUMN deleted_at INTEGER;
CREATE INDEX comments_status ON comments (status, id);
CREATE INDEX comments_email ON comments (email COLLATE NOCASE) WHERE email IS NOT NULL;
CREATE INDEX comments_ip ON comments (ip_hash);

ALTER TABLE sites ADD COLUMN max_links INTEGER NOT NULL DEFAULT 3;
-- One blocked word or phrase per line, matched case-insensitively.
ALTER TABLE sites ADD COLUMN blocked_words TEXT NOT NULL DEFAULT '';

CREATE TABLE moderators (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created       INTEGER NOT NULL
) STRICT;

-- A moderator without rows here may moderate every site.
CREATE TABLE moderator_sites (
    moderator_id INTEGER NOT NULL REFERENCES moderators(id) ON DELETE CASCADE,
    site_id      TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    PRIMARY KEY (moderator_id, site_id)
) STRICT, WITHOUT ROWID;

-- Only a hash of the session cookie's value is stored.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    moderator_id INTEGER NOT NULL REFERENCES moderators(id) ON DELETE CASCADE,
    created      INTEGER NOT NULL,
    last_seen    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE bans (
    id       INTEGER PRIMARY KEY,
    site_id  TEXT REFERENCES sites(id) ON DELETE CASCADE,  -- NULL: every site
    email    TEXT COLLATE NOCASE,
    ip_hash  TEXT,
    reason   TEXT,
    created  INTEGER NOT NULL,
    expires  INTEGER,                                      -- NULL: never
    created_by TEXT NOT NULL,
    CHECK (email IS NOT NULL OR ip_hash IS NOT NULL)
) STRICT;

CREATE TABLE audit (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    moderator  TEXT NOT NULL,
    action     TEXT NOT NULL,
    comment_id INTEGER,
    detail     TEXT
) STRICT;
CREATE INDEX audit_comment ON audit (comment_id);
