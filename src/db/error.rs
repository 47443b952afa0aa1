use thiserror::Error;

/// Failures of the storage layer. Callers decide what they mean to a user; this layer only
/// says what went wrong.
#[derive(Debug, Error)]
pub enum DbError {
    #[error("database URL not supported: {0}")]
    UnsupportedUrl(String),
    #[error("no database connection available: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("could not connect to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("database task was cancelled")]
    Cancelled,
}
