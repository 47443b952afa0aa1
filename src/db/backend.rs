//! The only SQL that differs between PostgreSQL and SQLite.

use diesel::connection::SimpleConnection;
use diesel::{ConnectionResult, SqliteConnection};

/// SQLite has one writer at a time: WAL lets readers carry on while it writes, and the busy
/// timeout makes a second writer wait instead of failing with "database is locked".
pub(super) fn prepare_sqlite(conn: &mut SqliteConnection) -> ConnectionResult<()> {
    conn.batch_execute(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 10000;",
    )
    .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))
}
