use std::time::Duration;

use diesel::{Connection, PgConnection, SqliteConnection};

use super::multi_connection::DbConnection;
use super::url::{Backend, DatabaseUrl};
use super::{DbError, backend, run_migrations};

/// Opens the backend the URL names, and only that one: the derived `establish` would try
/// PostgreSQL first and fall back to creating an SQLite file named after a mistyped URL.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = diesel::ConnectionError;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        match self.url.backend {
            Backend::Postgres => PgConnection::establish(&self.url.target).map(DbConnection::Postgresql),
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(&self.url.target)?;
                backend::prepare_sqlite(&mut conn)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        use diesel::connection::SimpleConnection;
        conn.batch_execute("SELECT 1").map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))
    }

    /// A connection left mid-transaction or with a broken transaction manager (the server
    /// went away during a transaction) is dropped rather than handed out again, where it
    /// would fail every later transaction.
    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        use diesel::r2d2::R2D2Connection;
        std::thread::panicking() || conn.is_broken()
    }
}

pub type Pool = r2d2::Pool<ConnectionManager>;
pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

/// The connection pool plus what it points at. Cheap to clone.
#[derive(Clone)]
pub struct Database {
    pool: Pool,
    url: DatabaseUrl,
}

impl Database {
    /// Builds the pool without connecting, so the service can start while the database is down
    /// and report it on `/readyz`.
    pub fn new(url: DatabaseUrl, max_connections: u32) -> Result<Self, DbError> {
        if url.backend == Backend::Sqlite {
            super::sqlite_file::prepare(&url.target)?;
        }
        let pool = r2d2::Pool::builder()
            .max_size(max_connections.max(1))
            .min_idle(Some(0))
            .connection_timeout(Duration::from_secs(5))
            .test_on_check_out(false)
            .build_unchecked(ConnectionManager { url: url.clone() });
        Ok(Self { pool, url })
    }

    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// A connection for blocking code (CLI, the tenant actors' worker threads).
    pub fn get(&self) -> Result<PooledConnection, DbError> {
        Ok(self.pool.get()?)
    }

    pub fn migrate(&self) -> Result<usize, DbError> {
        run_migrations(&mut *self.get()?)
    }

    /// Runs `f` with a connection on tokio's blocking pool: diesel never blocks an async worker.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(DbError::from)?;
            f(&mut conn)
        })
        .await
        .map_err(|_| E::from(DbError::Cancelled))?
    }
}
