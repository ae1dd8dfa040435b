-- A counter per organization that every change to its provider keys bumps (by trigger, so
-- no code path can forget it). Readers compare it to decide whether a cached key list is
-- still current, on every replica.
ALTER TABLE organizations ADD COLUMN keys_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION provider_keys_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE organizations SET keys_version = keys_version + 1
    WHERE id = COALESCE(NEW.org_id, OLD.org_id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER provider_keys_version AFTER INSERT OR UPDATE OR DELETE ON provider_keys
FOR EACH ROW EXECUTE FUNCTION provider_keys_bump_version();
