-- A counter per organization that revoking (or deleting) one of its access tokens bumps, by
-- trigger. With keys_version and policy_version, it is what every replica polls to keep its
-- in-memory authentication and version board true (crates/store/src/changes.rs).
ALTER TABLE organizations ADD COLUMN tokens_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION access_tokens_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE organizations SET tokens_version = tokens_version + 1
    WHERE id = COALESCE(NEW.org_id, OLD.org_id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER access_tokens_version AFTER UPDATE OR DELETE ON access_tokens
FOR EACH ROW EXECUTE FUNCTION access_tokens_bump_version();
