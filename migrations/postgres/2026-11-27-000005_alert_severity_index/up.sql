-- Severity-filtered alert lists page on this index instead of filtering the tenant's whole history.
CREATE INDEX alerts_tenant_severity_id ON alerts (tenant_id, severity, id);
