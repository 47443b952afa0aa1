//! AMQP message ids already applied, so that a redelivery is recognised.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::amqp_messages;
use crate::db::{DbConnection, backend};

/// What an applied message did: the alert it touched and the result it reported.
#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = amqp_messages)]
pub struct AppliedMessage {
    pub tenant_id: String,
    pub message_id: String,
    pub alert_id: Option<String>,
    pub result: String,
    pub received_at: NaiveDateTime,
}

/// The records of these tenants with one of these message ids: a superset of a batch's
/// redeliveries (the caller matches the pairs), found in one query.
pub fn find_many(
    conn: &mut DbConnection,
    tenant_ids: &[&str],
    message_ids: &[&str],
) -> QueryResult<Vec<AppliedMessage>> {
    amqp_messages::table
        .filter(amqp_messages::tenant_id.eq_any(tenant_ids))
        .filter(amqp_messages::message_id.eq_any(message_ids))
        .select((
            amqp_messages::tenant_id,
            amqp_messages::message_id,
            amqp_messages::alert_id,
            amqp_messages::result,
            amqp_messages::received_at,
        ))
        .load(conn)
}

pub fn insert_all(conn: &mut DbConnection, rows: &[AppliedMessage]) -> QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    backend::insert_applied_messages(conn, rows)
}

/// Forgets ids recorded before `cutoff`; returns how many.
pub fn prune_before(conn: &mut DbConnection, cutoff: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(amqp_messages::table.filter(amqp_messages::received_at.lt(cutoff))).execute(conn)
}
