-- Same schema as migrations/postgres. Outbound webhooks: subscriptions, the transactional outbox of deliveries, and every attempt.
CREATE TABLE webhook_subscriptions (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    url TEXT NOT NULL,
    -- JSON array of event types or wildcards (`alert.*`).
    event_types TEXT NOT NULL,
    -- Signing secrets, encrypted with the configured key (never stored in the clear).
    secret_ciphertext TEXT NOT NULL,
    previous_secret_ciphertext TEXT,
    previous_secret_expires_at TIMESTAMP,
    enabled BIGINT NOT NULL DEFAULT 1,
    disabled_reason TEXT,
    consecutive_failures BIGINT NOT NULL DEFAULT 0,
    failing_since TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- The outbox hook looks a tenant's enabled subscriptions up in every mutating transaction.
CREATE INDEX webhook_subscriptions_tenant ON webhook_subscriptions (tenant_id, enabled);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    -- The alert or ticket id: deliveries with the same key reach an endpoint in order.
    ordering_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    -- Retries stop once this is older than the retry horizon; a re-send starts a new cycle.
    cycle_started_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_attempt_at TIMESTAMP,
    last_status_code BIGINT,
    last_error TEXT,
    last_latency_ms BIGINT,
    last_response TEXT,
    delivered_at TIMESTAMP,
    UNIQUE (subscription_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (subscription_id, ordering_key, status);

CREATE TABLE webhook_attempts (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    attempted_at TIMESTAMP NOT NULL,
    status_code BIGINT,
    error TEXT,
    latency_ms BIGINT NOT NULL,
    response_excerpt TEXT
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempted_at);
