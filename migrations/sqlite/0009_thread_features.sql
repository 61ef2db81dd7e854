-- Thread features: pinned comments, closed threads, a site's default order and closing rule, and the
-- moderator badge.

-- When a moderator pinned this top-level comment (ms); 0: not pinned. Pinned comments come first, in the
-- order they were pinned.
ALTER TABLE comments ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
-- 1 when a moderator wrote it with their badge token: the widget marks it.
ALTER TABLE comments ADD COLUMN moderator INTEGER NOT NULL DEFAULT 0 CHECK (moderator IN (0, 1));
-- Bumped by a moderator's "new badge token": every token made before stops working.
ALTER TABLE moderators ADD COLUMN badge_version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX comments_pinned ON comments (thread_id, pinned) WHERE pinned > 0;

-- When a moderator closed the thread (ms); NULL: open (unless the site's rule closes it by age).
ALTER TABLE threads ADD COLUMN closed INTEGER;

-- The order of top-level comments a reader sees first.
ALTER TABLE sites ADD COLUMN sort TEXT NOT NULL DEFAULT 'oldest' CHECK (sort IN ('oldest', 'newest', 'top'));
-- Threads older than this many days (from their first comment) take no new comments; NULL: never.
ALTER TABLE sites ADD COLUMN close_after_days INTEGER CHECK (close_after_days > 0);
