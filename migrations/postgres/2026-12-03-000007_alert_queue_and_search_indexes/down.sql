DROP INDEX alerts_resource_trgm;
DROP INDEX alerts_dedup_key_trgm;
DROP INDEX alerts_summary_trgm;
DROP INDEX alerts_tenant_first_seen;
DROP INDEX alerts_tenant_last_seen;
