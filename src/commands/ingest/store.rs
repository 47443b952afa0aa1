//! Loads what a batch's events need from the database, plans them, and writes the plan: the
//! same few statements for one event or a thousand.

use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::plan::{self, Event, Known, Plan};
use crate::commands::CommandError;
use crate::db::DbConnection;
use crate::db::queries::{alerts, amqp_messages, audit};

/// Applies the events (their tenants' write locks held by the caller) and returns the plan,
/// whose audit records the caller appends to the tenants' chains.
pub fn apply_events<'r>(
    conn: &mut DbConnection,
    events: &[Event<'r>],
    received: NaiveDateTime,
) -> Result<Plan<'r>, CommandError> {
    let known = load(conn, events)?;
    let plan = plan::plan(events, known, received);
    // Changes first: an alert resolved in this batch frees its key for an alert the batch opens.
    let written = alerts::store_changes(conn, &plan.changed)?;
    if written != plan.changed.len() {
        // Only possible if something bypassed the tenant lock: roll back rather than guess, and
        // let the sender retry (HTTP 503, AMQP requeue) instead of refusing the event.
        return Err(CommandError::Unavailable("an alert changed concurrently; retry".into()));
    }
    alerts::insert_all(conn, &plan.created)?;
    amqp_messages::insert_all(conn, &plan.applied)?;
    mark_repeats(conn, &plan)?;
    Ok(plan)
}

/// Repeats (an open alert counted one more event) write no audit entry; they are stamped for
/// the live feed instead, and their tenants' feeds told, in this transaction.
fn mark_repeats(conn: &mut DbConnection, plan: &Plan<'_>) -> QueryResult<()> {
    if plan.repeated.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = plan.repeated.iter().map(|(_, id)| id.as_str()).collect();
    alerts::mark_repeated(conn, &ids)?;
    let tenants: Vec<String> = distinct(plan.repeated.iter().map(|(tenant, _)| tenant.clone()));
    audit::announce_alert_changes(conn, &tenants)
}

fn load(conn: &mut DbConnection, events: &[Event<'_>]) -> Result<Known, CommandError> {
    let keys: Vec<(&str, &str, &str)> =
        distinct(events.iter().filter_map(|e| Some((e.tenant_id, e.integration_id, e.event.dedup_key.as_deref()?))));
    let message_ids: Vec<(&str, &str)> = distinct(events.iter().filter_map(|e| Some((e.tenant_id, e.message_id?))));
    Ok(Known { open: alerts::open_with_keys(conn, &keys)?, applied: amqp_messages::find_many(conn, &message_ids)? })
}

fn distinct<T: Ord>(values: impl Iterator<Item = T>) -> Vec<T> {
    let mut values: Vec<T> = values.collect();
    values.sort_unstable();
    values.dedup();
    values
}
