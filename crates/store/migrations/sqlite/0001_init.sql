-- Times are Unix milliseconds (BIGINT) on both backends; ids are prefixed UUIDv7 strings.

CREATE TABLE organizations (
    id               TEXT PRIMARY KEY,
    slug             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    -- The organization's data key sealed under the master key; made on first use.
    wrapped_data_key BLOB,
    created_at       BIGINT NOT NULL
);

CREATE TABLE access_tokens (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organizations(id),
    user_id    TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    label      TEXT,
    -- SHA-256 of the token; the token itself is never stored.
    token_hash BLOB NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX access_tokens_org ON access_tokens(org_id);

CREATE TABLE provider_keys (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organizations(id),
    provider_id     TEXT NOT NULL,
    auth_method     TEXT NOT NULL,
    label           TEXT NOT NULL,
    -- HMAC-SHA256 of the secret under a key derived from the organization's data key.
    fingerprint     BLOB NOT NULL,
    -- The secret sealed under the organization's data key (NULL for a CLI credential).
    sealed_secret   BLOB,
    masked_key      TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'unverified',
    last_checked_at BIGINT,
    created_by      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (org_id, provider_id, fingerprint)
);
CREATE INDEX provider_keys_org_created ON provider_keys(org_id, created_at DESC, id DESC);

CREATE TABLE audit_events (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organizations(id),
    at            BIGINT NOT NULL,
    actor_user_id TEXT NOT NULL,
    action        TEXT NOT NULL,
    target        TEXT NOT NULL,
    outcome       TEXT NOT NULL
);
CREATE INDEX audit_events_org_id ON audit_events(org_id, id DESC);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;

-- One row: a blob sealed under the master key, to tell a wrong master key at start-up.
CREATE TABLE vault_meta (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    master_check BLOB NOT NULL,
    created_at   BIGINT NOT NULL
);

-- MCP Streamable HTTP sessions, so any replica can serve a session another one started.
CREATE TABLE mcp_sessions (
    id         TEXT PRIMARY KEY,
    state      TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
