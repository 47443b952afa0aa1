use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::models::WebhookSubscription;
use crate::db::schema::webhook_subscriptions as subs;

pub fn insert(conn: &mut DbConnection, sub: &WebhookSubscription) -> QueryResult<()> {
    diesel::insert_into(subs::table).values(sub).execute(conn).map(drop)
}

pub fn by_id(conn: &mut DbConnection, tenant_id: &str, id: &str) -> QueryResult<Option<WebhookSubscription>> {
    subs::table
        .filter(subs::tenant_id.eq(tenant_id).and(subs::id.eq(id)))
        .select(WebhookSubscription::as_select())
        .first(conn)
        .optional()
}

/// Oldest first: the order they were created in.
pub fn list(conn: &mut DbConnection, tenant_id: &str) -> QueryResult<Vec<WebhookSubscription>> {
    subs::table
        .filter(subs::tenant_id.eq(tenant_id))
        .order(subs::id.asc())
        .select(WebhookSubscription::as_select())
        .load(conn)
}

/// Which of these tenants have at least one enabled subscription.
pub fn tenants_subscribed(conn: &mut DbConnection, tenant_ids: &[&str]) -> QueryResult<Vec<String>> {
    subs::table
        .filter(subs::tenant_id.eq_any(tenant_ids).and(subs::enabled.eq(1)))
        .select(subs::tenant_id)
        .distinct()
        .load(conn)
}

/// What the outbox hook reads in every transaction that records a webhook event.
pub fn enabled_targets(conn: &mut DbConnection, tenant_id: &str) -> QueryResult<Vec<(String, String)>> {
    subs::table
        .filter(subs::tenant_id.eq(tenant_id).and(subs::enabled.eq(1)))
        .order(subs::id.asc())
        .select((subs::id, subs::event_types))
        .load(conn)
}

/// Enabling also clears the failing state: the endpoint gets a fresh start.
pub fn set_enabled(
    conn: &mut DbConnection,
    id: &str,
    enabled: bool,
    reason: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    let target = subs::table.filter(subs::id.eq(id));
    if enabled {
        diesel::update(target)
            .set((
                subs::enabled.eq(1),
                subs::disabled_reason.eq(None::<String>),
                subs::consecutive_failures.eq(0),
                subs::failing_since.eq(None::<NaiveDateTime>),
                subs::updated_at.eq(at),
            ))
            .execute(conn)
    } else {
        diesel::update(target)
            .set((subs::enabled.eq(0), subs::disabled_reason.eq(reason), subs::updated_at.eq(at)))
            .execute(conn)
    }
}

/// A new URL and event types (the latter as stored: a JSON array).
pub fn set_target(
    conn: &mut DbConnection,
    id: &str,
    url: &str,
    event_types: &str,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(subs::table.filter(subs::id.eq(id)))
        .set((subs::url.eq(url), subs::event_types.eq(event_types), subs::updated_at.eq(at)))
        .execute(conn)
}

pub fn delete(conn: &mut DbConnection, id: &str) -> QueryResult<usize> {
    diesel::delete(subs::table.filter(subs::id.eq(id))).execute(conn)
}

pub fn set_secrets(
    conn: &mut DbConnection,
    id: &str,
    current: &str,
    previous: Option<&str>,
    previous_expires_at: Option<NaiveDateTime>,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(subs::table.filter(subs::id.eq(id)))
        .set((
            subs::secret_ciphertext.eq(current),
            subs::previous_secret_ciphertext.eq(previous),
            subs::previous_secret_expires_at.eq(previous_expires_at),
            subs::updated_at.eq(at),
        ))
        .execute(conn)
}

/// Counts one more failed delivery attempt; past `threshold` in a row the subscription is
/// marked failing (from the first time it crossed it).
pub fn record_failure(conn: &mut DbConnection, id: &str, threshold: i64, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(subs::table.filter(subs::id.eq(id)))
        .set(subs::consecutive_failures.eq(subs::consecutive_failures + 1))
        .execute(conn)?;
    diesel::update(
        subs::table
            .filter(subs::id.eq(id))
            .filter(subs::consecutive_failures.ge(threshold))
            .filter(subs::failing_since.is_null()),
    )
    .set(subs::failing_since.eq(Some(at)))
    .execute(conn)
    .map(drop)
}

pub fn record_success(conn: &mut DbConnection, id: &str) -> QueryResult<()> {
    diesel::update(
        subs::table
            .filter(subs::id.eq(id))
            .filter(subs::consecutive_failures.gt(0).or(subs::failing_since.is_not_null())),
    )
    .set((subs::consecutive_failures.eq(0), subs::failing_since.eq(None::<NaiveDateTime>)))
    .execute(conn)
    .map(drop)
}
