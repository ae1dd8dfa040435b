-- Usage rows are keyed by an integer (SQLite's rowid) instead of a generated text id:
-- nothing reads the id, and a UUID per row plus a second B-tree to index it were a
-- measurable share of the gateway's usage writes.
CREATE TABLE usage_records_new (
    id             INTEGER PRIMARY KEY,
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
INSERT INTO usage_records_new (org_id, user_id, key_id, provider_id, model_id, input_tokens,
    output_tokens, cached_tokens, cost_usd, latency_ms, attempts, outcome, at)
SELECT org_id, user_id, key_id, provider_id, model_id, input_tokens, output_tokens,
    cached_tokens, cost_usd, latency_ms, attempts, outcome, at
FROM usage_records ORDER BY at, id;
DROP TABLE usage_records;
ALTER TABLE usage_records_new RENAME TO usage_records;
CREATE INDEX usage_records_org_at ON usage_records(org_id, at);
