//! The only SQL that differs between PostgreSQL and SQLite.

mod bulk;
mod bulk_insert;
mod feed_signal;
mod prepared;
mod text_search;

pub(crate) use bulk::{applied_messages, audit_heads, lock_tenants, open_alerts, update_alerts};
pub(crate) use bulk_insert::{insert_alerts, insert_applied_messages, insert_audit_entries};
pub use feed_signal::FeedListener;
pub(crate) use feed_signal::announce_alert_changes;
pub(crate) use text_search::alert_text_matches;

use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::{ConnectionResult, QueryResult, RunQueryDsl, SqliteConnection};

use super::DbConnection;

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

/// The earliest due pending deliveries whose endpoint is enabled, that no earlier pending
/// delivery with the same ordering key is waiting on, and whose subscription is not among
/// `$4` (the ones this instance already has as many deliveries in flight to as it may).
/// `busy` is how each backend spells "not in this list of ids".
fn due_deliveries(busy: &str) -> String {
    format!(
        "SELECT d.id FROM webhook_deliveries d
     JOIN webhook_subscriptions s ON s.id = d.subscription_id
     WHERE d.status = 'pending' AND d.next_attempt_at <= $2 AND s.enabled = 1
       AND NOT EXISTS (
         SELECT 1 FROM webhook_deliveries e
         WHERE e.subscription_id = d.subscription_id AND e.ordering_key = d.ordering_key
           AND e.status = 'pending' AND e.id < d.id)
       AND {busy}
     ORDER BY d.next_attempt_at, d.id
     LIMIT $3"
    )
}

#[derive(diesel::QueryableByName)]
struct ClaimedId {
    #[diesel(sql_type = diesel::sql_types::Text)]
    id: String,
}

/// Claims up to `limit` due webhook deliveries by pushing their next attempt out to
/// `lease_until`: if this instance dies while sending, another picks them up after the lease.
/// On PostgreSQL `SKIP LOCKED` lets several instances claim at once without taking the same
/// rows; SQLite has a single instance and a single writer, so a plain statement does.
pub(super) fn claim_due_deliveries(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
    busy: &[String],
) -> QueryResult<Vec<String>> {
    use diesel::sql_types::{Array, BigInt, Text, Timestamp};
    let rows: Vec<ClaimedId> = match conn {
        DbConnection::Postgresql(pg) => {
            let due = due_deliveries("NOT (d.subscription_id = ANY($4))");
            let sql = format!(
                "UPDATE webhook_deliveries SET next_attempt_at = $1 WHERE id IN ({due} FOR UPDATE OF d SKIP LOCKED) RETURNING id"
            );
            diesel::sql_query(sql)
                .bind::<Timestamp, _>(lease_until)
                .bind::<Timestamp, _>(now)
                .bind::<BigInt, _>(limit)
                .bind::<Array<Text>, _>(busy)
                .load(pg)?
        }
        DbConnection::Sqlite(lite) => {
            let due = due_deliveries("d.subscription_id NOT IN (SELECT value FROM json_each($4))");
            // SQLite numbers `$N` parameters in order of appearance, and `$4` comes before `$3`
            // here; `?N` is numbered explicitly.
            let sql = format!("UPDATE webhook_deliveries SET next_attempt_at = $1 WHERE id IN ({due}) RETURNING id")
                .replace('$', "?");
            let busy = serde_json::to_string(busy).unwrap_or_else(|_| "[]".into());
            diesel::sql_query(sql)
                .bind::<Timestamp, _>(lease_until)
                .bind::<Timestamp, _>(now)
                .bind::<BigInt, _>(limit)
                .bind::<Text, _>(busy)
                .load(lite)?
        }
    };
    Ok(rows.into_iter().map(|r| r.id).collect())
}
