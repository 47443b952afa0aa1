//! AMQP message ids already applied, so that a redelivery is recognised.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::amqp_messages;

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

pub fn find(conn: &mut DbConnection, tenant_id: &str, message_id: &str) -> QueryResult<Option<AppliedMessage>> {
    amqp_messages::table
        .filter(amqp_messages::tenant_id.eq(tenant_id).and(amqp_messages::message_id.eq(message_id)))
        .select((
            amqp_messages::tenant_id,
            amqp_messages::message_id,
            amqp_messages::alert_id,
            amqp_messages::result,
            amqp_messages::received_at,
        ))
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut DbConnection, applied: &AppliedMessage) -> QueryResult<()> {
    diesel::insert_into(amqp_messages::table).values(applied).execute(conn).map(drop)
}

/// Forgets ids recorded before `cutoff`; returns how many.
pub fn prune_before(conn: &mut DbConnection, cutoff: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(amqp_messages::table.filter(amqp_messages::received_at.lt(cutoff))).execute(conn)
}
