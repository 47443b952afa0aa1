//! The live feed's wake-up call on PostgreSQL. A transaction that changes a tenant's alerts
//! says so with `NOTIFY`, which PostgreSQL delivers to every listening connection, on every
//! instance, when the transaction commits and never when it rolls back: the feed reads the
//! audit trail when told to instead of asking it four times a second. SQLite has one process,
//! whose feed polls.

use diesel::pg::PgConnection;
use diesel::sql_types::{Array, Text};
use diesel::{Connection, QueryResult, RunQueryDsl};

use crate::db::{Backend, DatabaseUrl, DbConnection, DbError};

const CHANNEL: &str = "oneprotect_alert_feed";

/// Tells the feeds of every instance, at commit, that these tenants' alerts changed.
/// PostgreSQL folds identical notifications of one transaction into one.
pub(crate) fn announce_alert_changes(conn: &mut DbConnection, tenant_ids: &[String]) -> QueryResult<()> {
    if let (DbConnection::Postgresql(pg), false) = (conn, tenant_ids.is_empty()) {
        diesel::sql_query(format!("SELECT pg_notify('{CHANNEL}', t) FROM unnest($1::text[]) AS t"))
            .bind::<Array<Text>, _>(tenant_ids)
            .execute(pg)?;
    }
    Ok(())
}

/// A connection of its own that listens for [`announce_alert_changes`]. `LISTEN` is state of
/// one session, so it cannot be a pooled connection.
pub struct FeedListener {
    conn: PgConnection,
}

impl FeedListener {
    /// Listens on PostgreSQL; `None` on SQLite, which has nothing to listen to.
    pub fn connect(url: &DatabaseUrl) -> Result<Option<Self>, DbError> {
        if url.backend != Backend::Postgres {
            return Ok(None);
        }
        let mut conn = PgConnection::establish(&url.target)?;
        diesel::sql_query(format!("LISTEN {CHANNEL}")).execute(&mut conn)?;
        Ok(Some(Self { conn }))
    }

    /// The tenants announced since the last call, without waiting: reads what the server has
    /// sent on the socket, no query. An error means the connection is gone.
    pub fn changed_tenants(&mut self) -> Result<Vec<String>, DbError> {
        let mut tenants = Vec::new();
        for notification in self.conn.notifications_iter() {
            let notification = notification?;
            if notification.channel == CHANNEL && !tenants.contains(&notification.payload) {
                tenants.push(notification.payload);
            }
        }
        Ok(tenants)
    }
}
