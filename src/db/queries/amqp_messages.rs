//! AMQP message ids already applied, so that a redelivery is recognised.

use chrono::NaiveDateTime;
use diesel::prelude::*;

pub use crate::db::models::AppliedMessage;
use crate::db::schema::amqp_messages;
use crate::db::{DbConnection, backend};

/// The records of these `(tenant, message id)`s: which of a batch's messages were applied
/// before.
pub fn find_many(conn: &mut DbConnection, keys: &[(&str, &str)]) -> QueryResult<Vec<AppliedMessage>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    backend::applied_messages(conn, keys)
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
