-- One row per gateway request: who, through which key and model, how many tokens, what it
-- cost (NULL when a price is unknown), how long it took, how many attempts, and how it
-- ended. Written in batches, off the request path.
CREATE TABLE usage_records (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organizations(id),
    user_id        TEXT NOT NULL,
    key_id         TEXT,
    provider_id    TEXT,
    model_id       TEXT NOT NULL,
    input_tokens   BIGINT NOT NULL,
    output_tokens  BIGINT NOT NULL,
    cached_tokens  BIGINT NOT NULL,
    cost_usd       REAL,
    latency_ms     BIGINT NOT NULL,
    attempts       BIGINT NOT NULL,
    outcome        TEXT NOT NULL,
    at             BIGINT NOT NULL
);
CREATE INDEX usage_records_org_at ON usage_records(org_id, at);
