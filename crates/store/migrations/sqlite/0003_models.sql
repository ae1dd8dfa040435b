-- Model discovery: the last good model list of each key, the enrichment catalog's last good
-- copy, and each organization's model permission policy.

-- The last model list fetched for a key (the stored form is the catalog crate's JSON). Shared
-- by every replica, kept across restarts; gone with its key, and dropped when the key is
-- updated (a trigger, so no code path can forget it). Status changes do not touch it.
CREATE TABLE model_lists (
    key_id     TEXT PRIMARY KEY REFERENCES provider_keys(id) ON DELETE CASCADE,
    org_id     TEXT NOT NULL REFERENCES organizations(id),
    models     TEXT NOT NULL,
    fetched_at BIGINT NOT NULL
);
CREATE TRIGGER provider_keys_drop_model_list AFTER UPDATE OF updated_at ON provider_keys
BEGIN DELETE FROM model_lists WHERE key_id = NEW.id; END;

-- Global snapshots of public catalogs (OpenRouter's model list), the last good copy.
CREATE TABLE catalog_snapshots (
    name       TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    fetched_at BIGINT NOT NULL
);

-- One policy per organization (none: everything is allowed).
CREATE TABLE model_policies (
    org_id     TEXT PRIMARY KEY REFERENCES organizations(id),
    policy     TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- Bumped with every policy change, read with keys_version in one query, so every replica
-- notices a change at once.
ALTER TABLE organizations ADD COLUMN policy_version BIGINT NOT NULL DEFAULT 0;
