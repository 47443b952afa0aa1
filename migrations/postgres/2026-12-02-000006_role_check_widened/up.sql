-- Roles are the application's to define (domain/permission.rs): the database only keeps the
-- value well-formed, so a new role needs no migration.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role ~ '^[a-z][a-z_]{0,31}$');
