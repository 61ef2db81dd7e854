-- Abuse defences: random IP-hash keys, idempotent posting, single-use proofs of work, proof of work per
-- site, the learning spam filter, and "every site" made explicit for moderators.

-- One random key per 30-day period, deleted when the period after next begins. Without its key a stored
-- IP hash cannot be tied to an address, not even with this database and the server secret. Hashes made
-- under the old keys (derived from the secret) stop matching: at worst a visitor votes once more.
CREATE TABLE ip_keys (
    period INTEGER PRIMARY KEY,
    key    BLOB NOT NULL
) STRICT;

-- `Idempotency-Key` of comment posts: a repeat within 24 hours answers the first comment again.
CREATE TABLE idempotency (
    site_id    TEXT NOT NULL,
    key        TEXT NOT NULL,
    comment_id INTEGER NOT NULL,
    published  INTEGER NOT NULL,  -- 1: the first answer was 201 (published), 0: 202 (held)
    created    INTEGER NOT NULL,
    PRIMARY KEY (site_id, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX idempotency_created ON idempotency (created);

-- Solved proof-of-work challenges, kept until they expire so that each solution counts once.
CREATE TABLE pow_used (
    signature TEXT PRIMARY KEY,
    expires   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

ALTER TABLE sites ADD COLUMN pow TEXT NOT NULL DEFAULT 'adaptive' CHECK (pow IN ('off', 'always', 'adaptive'));

-- The replies of one top-level comment in breadth-first order, for thread pages bounded in rows. It serves
-- what comments_root served (top-level comments are depth 0), so that one goes: every index is a write on
-- every post.
CREATE INDEX comments_root_depth ON comments (thread_id, root_id, depth, id);
DROP INDEX comments_root;

-- Recent comments of one address, for adaptive proof of work (one site's: in 0006, with comments.site_id);
-- it also serves every lookup by IP hash, so comments_ip goes.
CREATE INDEX comments_ip_created ON comments (ip_hash, created) WHERE ip_hash IS NOT NULL;
DROP INDEX comments_ip;

-- Before, a moderator without rows in moderator_sites moderated every site; now that takes this flag.
ALTER TABLE moderators ADD COLUMN all_sites INTEGER NOT NULL DEFAULT 0;
UPDATE moderators SET all_sites = 1 WHERE id NOT IN (SELECT moderator_id FROM moderator_sites);

-- The learning spam filter: per site, how many trained comments of each class held each token, and how many
-- comments were trained; a comment remembers how it was trained, so a moderator's change of mind moves it.
CREATE TABLE spam_tokens (
    site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    token   TEXT NOT NULL,
    spam    INTEGER NOT NULL DEFAULT 0,
    ham     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (site_id, token)
) STRICT, WITHOUT ROWID;
CREATE TABLE spam_totals (
    site_id TEXT PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,
    spam    INTEGER NOT NULL DEFAULT 0,
    ham     INTEGER NOT NULL DEFAULT 0
) STRICT;
ALTER TABLE comments ADD COLUMN trained TEXT CHECK (trained IN ('spam', 'ham'));
-- The tokens it was trained with, one per line: taken back exactly when the comment changes class or goes,
-- whatever edits happened in between.
ALTER TABLE comments ADD COLUMN trained_tokens TEXT;
