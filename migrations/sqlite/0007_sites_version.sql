-- A running server keeps the sites in memory. `riposte site add` writes from another process, which the
-- server's own write counter never sees: every change to a site or its origins bumps this one number
-- instead (by triggers, so no write path can forget it), and the server compares it about once a second.
CREATE TABLE sites_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
) STRICT;

INSERT INTO sites_version (id, version) VALUES (1, 0);

CREATE TRIGGER sites_version_site_insert AFTER INSERT ON sites
BEGIN UPDATE sites_version SET version = version + 1; END;
CREATE TRIGGER sites_version_site_update AFTER UPDATE ON sites
BEGIN UPDATE sites_version SET version = version + 1; END;
CREATE TRIGGER sites_version_site_delete AFTER DELETE ON sites
BEGIN UPDATE sites_version SET version = version + 1; END;
CREATE TRIGGER sites_version_origin_insert AFTER INSERT ON site_origins
BEGIN UPDATE sites_version SET version = version + 1; END;
CREATE TRIGGER sites_version_origin_update AFTER UPDATE ON site_origins
BEGIN UPDATE sites_version SET version = version + 1; END;
CREATE TRIGGER sites_version_origin_delete AFTER DELETE ON site_origins
BEGIN UPDATE sites_version SET version = version + 1; END;
