-- Portal sign-ins. The browser's (signed, encrypted) cookie names a row here, so signing out
-- ends the session on the server too: a copied cookie stops working at once.
CREATE TABLE portal_sessions (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP
);

CREATE INDEX portal_sessions_user ON portal_sessions (tenant_id, user_id);
