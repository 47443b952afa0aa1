-- Ids are TEXT (UUIDv7 strings) and times are UTC `timestamp` in both backends so that one
-- diesel schema serves PostgreSQL and SQLite alike.
CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    ticket_prefix TEXT NOT NULL,
    next_ticket_number BIGINT NOT NULL DEFAULT 1,
    -- Bumped by every mutating transaction: the row lock serializes a tenant's writers across
    -- instances, which keeps the audit chain and ticket numbers gap-free.
    write_seq BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('operator', 'auditor')),
    password_hash TEXT,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, username)
);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);

CREATE TABLE integrations (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);

CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    integration_id TEXT NOT NULL REFERENCES integrations(id),
    dedup_key TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('triggered', 'acknowledged', 'resolved')),
    severity TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info')),
    summary TEXT NOT NULL,
    resource TEXT,
    details TEXT NOT NULL,
    event_count BIGINT NOT NULL,
    first_seen_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    assignee_id TEXT REFERENCES users(id),
    acknowledged_at TIMESTAMP,
    resolved_at TIMESTAMP,
    ticket_id TEXT
);
-- Dedup invariant: at most one open alert per (tenant, integration, dedup_key).
CREATE UNIQUE INDEX alerts_open_dedup ON alerts (tenant_id, integration_id, dedup_key)
    WHERE status <> 'resolved';
-- Keyset pagination, newest first (UUIDv7 ids sort by creation time).
CREATE INDEX alerts_tenant_id ON alerts (tenant_id, id);
CREATE INDEX alerts_tenant_status_id ON alerts (tenant_id, status, id);
CREATE INDEX alerts_tenant_assignee_id ON alerts (tenant_id, assignee_id, id);

CREATE TABLE tickets (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    number BIGINT NOT NULL,
    key TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'on_hold', 'resolved', 'closed')),
    priority TEXT NOT NULL CHECK (priority IN ('critical', 'high', 'medium', 'low')),
    assignee_id TEXT REFERENCES users(id),
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL,
    source_alert_id TEXT REFERENCES alerts(id),
    UNIQUE (tenant_id, number),
    -- Exactly one ticket per alert, whatever the number of instances racing.
    UNIQUE (tenant_id, source_alert_id)
);
CREATE INDEX tickets_tenant_id ON tickets (tenant_id, id);
CREATE INDEX tickets_tenant_status_id ON tickets (tenant_id, status, id);

CREATE TABLE ticket_comments (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    author_id TEXT NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX ticket_comments_ticket ON ticket_comments (ticket_id, id);

CREATE TABLE ticket_links (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    target_type TEXT NOT NULL CHECK (target_type IN ('alert', 'ticket')),
    target_id TEXT NOT NULL,
    relation TEXT NOT NULL CHECK (relation IN ('created_from', 'relates_to', 'duplicates', 'blocks')),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (ticket_id, target_type, target_id, relation)
);

CREATE TABLE audit_entries (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    seq BIGINT NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_type TEXT NOT NULL,
    actor_id TEXT,
    actor_name TEXT NOT NULL,
    actor_role TEXT,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT NOT NULL,
    changes TEXT NOT NULL,
    request_id TEXT,
    channel TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (tenant_id, seq)
);
CREATE INDEX audit_entries_target ON audit_entries (tenant_id, target_id, seq);
