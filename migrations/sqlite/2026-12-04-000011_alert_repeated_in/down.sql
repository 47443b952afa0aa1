DROP INDEX alerts_tenant_repeated_in;
ALTER TABLE alerts DROP COLUMN repeated_in;
