use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use diesel::migration::MigrationSource;

use super::{Backend, DbConnection, DbError};

const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Names of the embedded migrations, so a test can check both backends evolve together.
pub fn migration_names(backend: Backend) -> Vec<String> {
    let source = match backend {
        Backend::Postgres => &POSTGRES,
        Backend::Sqlite => &SQLITE,
    };
    MigrationSource::<diesel::pg::Pg>::migrations(source)
        .map(|list| list.iter().map(|m| m.name().to_string()).collect())
        .unwrap_or_default()
}

/// Applies whatever is pending; returns how many migrations ran.
pub fn run_migrations(conn: &mut DbConnection) -> Result<usize, DbError> {
    let applied = match conn {
        DbConnection::Postgresql(pg) => pg.run_pending_migrations(POSTGRES).map(|v| v.len()),
        DbConnection::Sqlite(lite) => lite.run_pending_migrations(SQLITE).map(|v| v.len()),
    };
    applied.map_err(|e| DbError::Migration(e.to_string()))
}
