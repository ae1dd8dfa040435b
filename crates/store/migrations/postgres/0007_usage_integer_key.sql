-- Usage rows are keyed by a generated integer instead of a text id made by the writer:
-- nothing reads the id, and a UUID per row was a measurable share of the gateway's usage
-- writes. (Dropping the column drops its primary key.)
ALTER TABLE usage_records DROP COLUMN id;
ALTER TABLE usage_records ADD COLUMN id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
