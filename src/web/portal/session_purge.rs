//! Finished portal sessions are deleted now and then, so the table holds live sign-ins only.

use std::time::Duration;

use crate::db::queries::portal_sessions;
use crate::db::{Database, DbError};

const EVERY: Duration = Duration::from_secs(3600);

/// Deletes signed-out and expired sessions at start and then hourly, until the task is dropped.
/// With several instances each does it; the deletes are idempotent.
pub async fn purge_finished_sessions(db: Database) {
    loop {
        let now = crate::domain::now();
        match db.run(move |conn| portal_sessions::purge_finished(conn, now).map_err(DbError::from)).await {
            Ok(purged) if purged > 0 => tracing::info!(purged, "deleted finished portal sessions"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "could not delete finished portal sessions"),
        }
        tokio::time::sleep(EVERY).await;
    }
}
