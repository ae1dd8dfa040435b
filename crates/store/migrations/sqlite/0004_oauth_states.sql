-- OAuth PKCE consents in flight. The state token itself is never stored, only its SHA-256;
-- the code verifier is sealed under the organization's data key, bound to this consent.
-- A row is consumed (deleted) by the exchange that uses it, so a state works once.
CREATE TABLE oauth_states (
    state_hash      BLOB PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organizations(id),
    user_id         TEXT NOT NULL,
    -- The access token that started the consent: the callback acts as it, if it is still live.
    token_id        TEXT NOT NULL,
    provider_id     TEXT NOT NULL,
    sealed_verifier BLOB NOT NULL,
    callback_url    TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL
);
CREATE INDEX oauth_states_expires ON oauth_states(expires_at);
