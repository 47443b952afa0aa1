DROP INDEX alerts_tenant_severity_id;
