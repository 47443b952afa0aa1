//! Storage: one diesel code path over PostgreSQL and SQLite.
//!
//! Handlers never see SQL; they call the query functions of the per-table modules below, always
//! from a blocking thread (see [`Database::run`]).

mod backend;
mod connection;
mod error;
mod like_pattern;
mod migrations;
pub mod models;
mod multi_connection;
pub mod queries;
pub mod schema;
mod sqlite_file;
mod url;

pub use backend::FeedListener;
pub use connection::Database;
pub use error::DbError;
pub use migrations::{migration_names, run_migrations};
pub use multi_connection::DbConnection;
pub use url::{Backend, DatabaseUrl};
