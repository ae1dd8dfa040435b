-- A counter per organization that every change to its provider keys bumps (by trigger, so
-- no code path can forget it). Readers compare it to decide whether a cached key list is
-- still current, on every replica.
ALTER TABLE organizations ADD COLUMN keys_version BIGINT NOT NULL DEFAULT 0;

CREATE TRIGGER provider_keys_version_insert AFTER INSERT ON provider_keys
BEGIN UPDATE organizations SET keys_version = keys_version + 1 WHERE id = NEW.org_id; END;
CREATE TRIGGER provider_keys_version_update AFTER UPDATE ON provider_keys
BEGIN UPDATE organizations SET keys_version = keys_version + 1 WHERE id = NEW.org_id; END;
CREATE TRIGGER provider_keys_version_delete AFTER DELETE ON provider_keys
BEGIN UPDATE organizations SET keys_version = keys_version + 1 WHERE id = OLD.org_id; END;
