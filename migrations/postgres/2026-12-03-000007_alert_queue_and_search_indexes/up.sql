-- The queue's orders read an index each (keyset pages, no sort of the whole tenant), and
-- the list's text search (lower(column) LIKE '%…%') reads trigram indexes instead of
-- scanning every alert. pg_trgm ships with PostgreSQL; creating it needs the CREATE privilege
-- on the database (a superuser or the database owner on PostgreSQL 13 and later).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX alerts_tenant_last_seen ON alerts (tenant_id, last_seen_at, id);
CREATE INDEX alerts_tenant_first_seen ON alerts (tenant_id, first_seen_at, id);
CREATE INDEX alerts_summary_trgm ON alerts USING gin (lower(summary) gin_trgm_ops);
CREATE INDEX alerts_dedup_key_trgm ON alerts USING gin (lower(dedup_key) gin_trgm_ops);
CREATE INDEX alerts_resource_trgm ON alerts USING gin (lower(resource) gin_trgm_ops);
