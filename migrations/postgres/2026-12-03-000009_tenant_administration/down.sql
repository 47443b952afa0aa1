DROP INDEX integrations_previous_key_hash;
ALTER TABLE integrations DROP COLUMN previous_key_expires_at;
ALTER TABLE integrations DROP COLUMN previous_key_hash;
ALTER TABLE users DROP COLUMN password_setup_expires_at;
ALTER TABLE users DROP COLUMN password_setup_hash;
ALTER TABLE users DROP COLUMN disabled_at;
