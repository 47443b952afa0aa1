DROP INDEX alerts_tenant_first_seen;
DROP INDEX alerts_tenant_last_seen;
