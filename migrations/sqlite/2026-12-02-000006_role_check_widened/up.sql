-- Roles are the application's to define (domain/permission.rs): the database only keeps the
-- value well-formed, so a new role needs no migration. SQLite cannot alter a CHECK, so the
-- table is rebuilt the documented way: outside diesel's transaction (metadata.toml), with
-- foreign keys off while the referenced table is swapped.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE users_rebuilt (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role <> '' AND length(role) <= 32 AND role NOT GLOB '*[^a-z_]*' AND role NOT GLOB '_*'),
    password_hash TEXT,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, username)
);
INSERT INTO users_rebuilt (id, tenant_id, username, display_name, role, password_hash, created_at)
    SELECT id, tenant_id, username, display_name, role, password_hash, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;
COMMIT;
PRAGMA foreign_keys = ON;
