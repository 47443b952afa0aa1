-- A token may be read-only whatever its user's role, and may expire.
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'write' CHECK (scope IN ('read', 'write'));
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMP;
