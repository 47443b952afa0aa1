-- Tenant self-service: a disabled user signs in and calls the API no more; a user created
-- without a password sets one through a one-time link; a rotated integration key keeps its
-- predecessor working for a grace period.
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMP;
ALTER TABLE users ADD COLUMN password_setup_hash TEXT;
ALTER TABLE users ADD COLUMN password_setup_expires_at TIMESTAMP;
ALTER TABLE integrations ADD COLUMN previous_key_hash TEXT;
ALTER TABLE integrations ADD COLUMN previous_key_expires_at TIMESTAMP;
CREATE INDEX integrations_previous_key_hash ON integrations (previous_key_hash);
