-- Ingest repeats (dedup) write no audit entry, yet the live feed sends them. Each repeated
-- alert is stamped with its tenant's `write_seq` of the transaction that repeated it: that
-- counter is bumped under the tenant's write lock, so stamps follow commit order, and the feed
-- reads repeats by keyset like the audit trail's `seq` (not by `last_seen_at`, which the
-- sender's clock sets).
ALTER TABLE alerts ADD COLUMN repeated_in BIGINT;
CREATE INDEX alerts_tenant_repeated_in ON alerts (tenant_id, repeated_in, id) WHERE repeated_in IS NOT NULL;
