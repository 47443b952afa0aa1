-- The queue's orders read an index each (keyset pages, no sort of the whole tenant). Text
-- search stays a scan of the tenant's alerts on SQLite (see docs/BENCHMARKS.md).
CREATE INDEX alerts_tenant_last_seen ON alerts (tenant_id, last_seen_at, id);
CREATE INDEX alerts_tenant_first_seen ON alerts (tenant_id, first_seen_at, id);
