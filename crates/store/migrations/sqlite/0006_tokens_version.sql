-- A counter per organization that revoking (or deleting) one of its access tokens bumps, by
-- trigger. With keys_version and policy_version, it is what every process polls to keep its
-- in-memory authentication and version board true (crates/store/src/changes.rs).
ALTER TABLE organizations ADD COLUMN tokens_version BIGINT NOT NULL DEFAULT 0;

CREATE TRIGGER access_tokens_version_update AFTER UPDATE ON access_tokens
BEGIN UPDATE organizations SET tokens_version = tokens_version + 1 WHERE id = NEW.org_id; END;
CREATE TRIGGER access_tokens_version_delete AFTER DELETE ON access_tokens
BEGIN UPDATE organizations SET tokens_version = tokens_version + 1 WHERE id = OLD.org_id; END;
