-- AMQP message ids already applied, per tenant: a redelivered message (crash between commit
-- and ack) is recognised and not counted twice. Rows older than the retention are pruned.
CREATE TABLE amqp_messages (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    message_id TEXT NOT NULL,
    alert_id TEXT,
    result TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, message_id)
);

CREATE INDEX amqp_messages_received_at ON amqp_messages (received_at);
