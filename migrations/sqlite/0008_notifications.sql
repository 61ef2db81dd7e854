-- Notifications: moderators' addresses, per-site mail settings, webhooks, commenters' subscriptions,
-- and the outbox every message waits in until it is delivered.

ALTER TABLE moderators ADD COLUMN email TEXT;

-- Which mails the site's moderators get: pending, all, digest-hourly, digest-daily, off.
ALTER TABLE sites ADD COLUMN notify TEXT NOT NULL DEFAULT 'pending';
-- The language of the site's mails and pages (en, de).
ALTER TABLE sites ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
-- When the last digest went out (milliseconds); the next one is due a period later.
ALTER TABLE sites ADD COLUMN digest_until INTEGER NOT NULL DEFAULT 0;

-- Comments waiting for the next digest of their site, queued in the transaction that stored or held them.
CREATE TABLE digest_items (
    comment_id INTEGER PRIMARY KEY REFERENCES comments(id) ON DELETE CASCADE,
    site_id    TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE
) STRICT;
CREATE INDEX digest_items_site ON digest_items (site_id, comment_id);

CREATE TABLE webhooks (
    id          INTEGER PRIMARY KEY,
    site_id     TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    events      TEXT NOT NULL DEFAULT '',      -- one event per line; empty: every comment event
    from_config INTEGER NOT NULL DEFAULT 0,    -- replaced from the configuration file at every start
    disabled    TEXT,                          -- why sends stopped (a 410 Gone)
    created     INTEGER NOT NULL
) STRICT;
CREATE INDEX webhooks_site ON webhooks (site_id);

-- A commenter's wish to hear of replies to `comment_id` (scope 'replies') or of every new comment on
-- `thread_id` (scope 'page'). Nothing is mailed for it before the address is confirmed for the site.
CREATE TABLE subscriptions (
    id         INTEGER PRIMARY KEY,
    site_id    TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    email      TEXT NOT NULL COLLATE NOCASE,
    scope      TEXT NOT NULL,
    thread_id  INTEGER NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
    comment_id INTEGER REFERENCES comments(id) ON DELETE CASCADE,
    created    INTEGER NOT NULL,
    confirmed  INTEGER                        -- when its owner confirmed it; nothing is mailed before
) STRICT;
CREATE INDEX subscriptions_comment ON subscriptions (comment_id) WHERE comment_id IS NOT NULL;
CREATE INDEX subscriptions_thread ON subscriptions (thread_id, scope);
CREATE INDEX subscriptions_email ON subscriptions (site_id, email);

-- Addresses that confirmed a subscription on a site (a verified returning commenter), and when a
-- confirmation mail last went to the address (at most one a day).
CREATE TABLE mail_addresses (
    site_id      TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    email        TEXT NOT NULL COLLATE NOCASE,
    confirmed    INTEGER,
    last_asked   INTEGER,
    PRIMARY KEY (site_id, email)
) STRICT, WITHOUT ROWID;

-- Addresses that bounced hard: nothing more is mailed to them.
CREATE TABLE mail_blocked (
    email   TEXT PRIMARY KEY COLLATE NOCASE,
    reason  TEXT NOT NULL,
    created INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Single-use links already used (a moderator's action from a mail), until they would have expired.
CREATE TABLE used_links (
    mac     TEXT PRIMARY KEY,
    expires INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    site_id     TEXT,
    comment_id  INTEGER,                       -- erased with the comment's author's data
    channel     TEXT NOT NULL,                 -- mail, webhook
    target      TEXT NOT NULL,                 -- the address or URL
    job         TEXT NOT NULL,                 -- the message as JSON (domain::notify::Job)
    state       TEXT NOT NULL DEFAULT 'queued', -- queued, retrying, sent, failed
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     INTEGER NOT NULL,
    claimed_until INTEGER NOT NULL DEFAULT 0,  -- a worker holds it until then
    last_error  TEXT,
    created     INTEGER NOT NULL,
    since       INTEGER NOT NULL,              -- the retries' 24 hours count from here (queued, or "retry now")
    sent_at     INTEGER
) STRICT;
CREATE INDEX outbox_due ON outbox (next_at) WHERE state IN ('queued', 'retrying');
CREATE INDEX outbox_comment ON outbox (comment_id) WHERE comment_id IS NOT NULL;
CREATE INDEX outbox_state ON outbox (state, id);
