DROP INDEX alerts_search_text_trgm;
ALTER TABLE alerts DROP COLUMN search_text;
CREATE INDEX alerts_summary_trgm ON alerts USING gin (lower(summary) gin_trgm_ops);
CREATE INDEX alerts_dedup_key_trgm ON alerts USING gin (lower(dedup_key) gin_trgm_ops);
CREATE INDEX alerts_resource_trgm ON alerts USING gin (lower(resource) gin_trgm_ops);
